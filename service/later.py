"""`FlushLater`: batched work applied a moment after its first item (metrics, access lines).

A request adds to a batch (a count, an access line) and the batch is applied once, `seconds`
after the first item since the last time it was applied: one timer per batch, not one per
request. Metrics and AccessLines share this rule; each still applies its batch itself (on a
scrape, when full, on shutdown), which also disarms the timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class FlushLater:
    """Calls `flush` `seconds` after the first `arm()` since the last `disarm()`, on the
    running loop; with no running loop (a synchronous caller), `arm()` calls it at once."""

    __slots__ = ("_flush", "_seconds", "_timer")

    def __init__(self, seconds: float, flush: Callable[[], None]) -> None:
        self._seconds = seconds
        self._flush = flush
        self._timer: asyncio.TimerHandle | None = None

    def arm(self) -> None:
        if self._timer is not None:
            return
        try:
            self._timer = asyncio.get_running_loop().call_later(self._seconds, self._flush)
        except RuntimeError:  # no running loop: apply at once
            self._flush()

    def disarm(self) -> None:
        """The batch is being applied now: no call until the next `arm()`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
