"""The per-request deadline: no request waits longer than SHORTFLOW_REQUEST_TIMEOUT_S to start its
answer.

A database that accepts connections but never answers (hung, SIGSTOPped, a network path that
drops packets) would otherwise hold a request, and its pooled connection, for as long as the
client waits. Past the deadline the work below is cancelled (the pool drops the connection it held,
service/db/pool.py) and the caller gets 503 `REQUEST_TIMEOUT` with `Retry-After`, in the shape of
the API it called. Once an answer has started (a streamed export) the deadline no longer applies:
its status is sent and the client is receiving.

RequestContextMiddleware (service/request_context.py), the outermost layer, keeps the deadline
of each request
with one `Deadlines` watchdog per app: the layer that sees an answer start is the one that stops
the clock, and it logs and counts the 503 like any other answer. (A middleware of its own cost a
cached answer a tenth of its time: one more layer and one more send wrapper per request.)
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from starlette.types import Scope, Send

from service.access.middleware import reject
from service.error_responses import retry_after_setting, retry_header_pairs
from service.errors import RequestTimeout

log = logging.getLogger(__name__)


CHECKS_PER_DEADLINE = 8
"""How often, within one deadline, the watchdog looks for requests past theirs (a 10 s deadline
is enforced to within 1.25 s)."""


@dataclass(slots=True)
class _Running:
    task: asyncio.Task[Any]
    deadline: float
    expired: bool = False


class Deadlines:
    """The requests in flight and their deadlines, `seconds` after each began.

    One watchdog timer per process checks the requests in flight a few times per deadline,
    instead of a timer per request (`asyncio.timeout` schedules and reschedules one for every
    request, which cost a cached answer about a fifth of its time). The timer runs only while
    requests are in flight.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._running: dict[int, _Running] = {}
        self._timer: asyncio.TimerHandle | None = None

    def watch(self) -> _Running:
        """Start the clock of the current task's request."""
        task = asyncio.current_task()
        assert task is not None
        loop = task.get_loop()
        running = _Running(task, loop.time() + self.seconds)
        self._running[id(running)] = running
        if self._timer is None:
            self._timer = loop.call_later(self.seconds / CHECKS_PER_DEADLINE, self._check)
        return running

    def release(self, running: _Running) -> None:
        """The answer has started (or the request ended): the deadline no longer applies."""
        self._running.pop(id(running), None)

    def _check(self) -> None:
        """Cancel the requests past their deadline; run again while any are in flight."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for running in self._running.values():
            if not running.expired and now >= running.deadline:
                running.expired = True
                running.task.cancel()
        self._timer = (
            loop.call_later(self.seconds / CHECKS_PER_DEADLINE, self._check)
            if self._running
            else None
        )

    async def answer_timeout(self, running: _Running, scope: Scope, send: Send) -> None:
        """Answer 503 REQUEST_TIMEOUT for a request this watchdog cancelled."""
        running.task.uncancel()
        exc = RequestTimeout(
            f"the request took longer than {self.seconds:g} s and was abandoned; retry shortly"
        )
        log.warning("request deadline passed on %s %s", scope["method"], scope["path"])
        # No-store is added to every 5xx by RequestContextMiddleware.
        await reject(scope, send, exc, retry_header_pairs(exc, retry_after_setting(scope)))
