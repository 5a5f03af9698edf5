"""The queue in front of a connection pool: waiting for a free connection is not an outage.

asyncpg's `Pool.acquire(timeout=...)` spends one timeout on two different things: waiting for a
connection another request is using, and connecting to the server. A burst of requests (a GraphQL
query with 30 aliases, from 4 clients) waits for the former, and a timeout then looked exactly like
an unreachable Postgres: 503 for the request and the breaker open for everyone. So a pool gets a
`ConnectionSlots` of the same size in front of it: a request first takes a slot here (queueing,
bounded by `wait_s`, measured), and only then asks the pool, which then has a free connection or
a free place to open one, so a timeout of the pool's acquire means "cannot connect" and nothing
else.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.errors import DatabaseBusy


class ConnectionSlots:
    """`size` slots, taken in arrival order; waiting longer than `wait_s` is `DatabaseBusy`."""

    def __init__(
        self,
        size: int,
        wait_s: float,
        observe_wait: Callable[[float], None] | None = None,
    ) -> None:
        self.size = size
        self.wait_s = wait_s
        self.waiting = 0
        """Requests queued for a slot right now (the `waiting` state of the pool gauge)."""
        self.timeouts = 0
        """Requests that gave up after `wait_s` without a slot."""
        self._observe = observe_wait
        self._semaphore = asyncio.Semaphore(size)

    @property
    def full(self) -> bool:
        """Every slot is taken (a new request would queue)."""
        return self._semaphore.locked()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the duration of the block (the connection's lifetime)."""
        await self.take()
        try:
            yield
        finally:
            self.give()

    def give(self) -> None:
        """Hand back a slot `take` gave."""
        self._semaphore.release()

    async def take(self) -> None:
        """Take a slot (queueing); `give` hands it back."""
        semaphore = self._semaphore
        if not semaphore.locked():
            await semaphore.acquire()  # free: no wait, no clock
            if self._observe is not None:
                self._observe(0.0)
            return
        self.waiting += 1
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.wait_s):
                await semaphore.acquire()
        except TimeoutError:
            self.timeouts += 1
            raise DatabaseBusy(
                f"every database connection was busy for {self.wait_s:g} s; retry shortly"
            ) from None
        finally:
            self.waiting -= 1
            if self._observe is not None:
                self._observe(time.perf_counter() - started)


def drop(conn: asyncpg.Connection | PoolConnectionProxy[Any]) -> None:
    """Close a leased connection now, without the cancel round trip a release would wait for
    (its server may never answer). A connection that died meanwhile has already been detached
    from its pool proxy by asyncpg: nothing is left to close."""
    with contextlib.suppress(asyncpg.InterfaceError):
        conn.terminate()
