"""The pool under load and without a server: queueing is not an outage, an outage is.

Against the machine's Postgres (DATABASE_URL) with a pool far smaller than the work given to it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import pytest

from service.db import pool as pool_module
from service.db.pool import Database
from service.errors import DatabaseBusy, DatabaseUnavailable
from tests.support.servers import free_port

SLOW_READ = "SELECT pg_sleep(0.05)::text || 'done'"


async def test_more_reads_than_connections_queue_and_all_succeed(database_url: str) -> None:
    waits: list[float] = []
    # The queue outlasts the connect timeout by far: waiting that long is still not an outage.
    db = Database(
        database_url,
        min_size=0,
        max_size=2,
        connect_timeout_s=0.3,
        pool_wait_s=10,
        observe_pool_wait=waits.append,
    )
    await db.open()
    try:
        answers = await asyncio.gather(*(db.fetchval(SLOW_READ) for _ in range(40)))
        in_use = db.pool_usage()[1]
    finally:
        await db.close()
    assert answers == ["done"] * 40
    assert len(waits) == 40, "every read went through the queue"
    # 40 reads of 50 ms over 2 connections: most waited, the last about a second.
    assert sum(1 for wait in waits if wait > 0) >= 30
    assert max(waits) > 0.5
    assert db.last_error is None, "queueing is not a connection failure"
    assert in_use == 0


async def test_a_queue_past_its_bound_is_busy_and_the_breaker_stays_closed(
    database_url: str,
) -> None:
    db = Database(database_url, min_size=0, max_size=1, pool_wait_s=0.2)
    await db.open()
    try:
        long_read = asyncio.create_task(db.fetchval("SELECT pg_sleep(1)"))
        await asyncio.sleep(0.1)  # it holds the only connection now
        started = time.perf_counter()
        with pytest.raises(DatabaseBusy) as busy:
            await db.fetchval("SELECT 1")
        waited = time.perf_counter() - started
        await long_read
        # Right after: no breaker to wait out, the next read is answered.
        after = await db.fetchval("SELECT 2")
    finally:
        await db.close()
    assert busy.value.status == 503
    assert busy.value.code == "DATABASE_BUSY"
    assert "busy for 0.2 s" in busy.value.message
    assert 0.15 < waited < 0.8
    assert after == 2


async def test_a_server_that_refuses_connections_opens_the_breaker() -> None:
    # Nothing listens on this port: connecting fails, which is an outage.
    db = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres", min_size=0)
    await db.open()
    try:
        with pytest.raises(DatabaseUnavailable):
            await db.fetchval("SELECT 1")
        started = time.perf_counter()
        with pytest.raises(DatabaseUnavailable) as refused:
            await db.fetchval("SELECT 1")
        refused_in = time.perf_counter() - started
    finally:
        await db.close()
    assert refused.value.code == "DATABASE_UNAVAILABLE"
    assert refused_in < 0.05, "inside the breaker's window a request is refused at once"


async def _session_of(database_url: str, pid: int) -> tuple[str, int]:
    """The last statement of backend `pid` and the advisory locks it holds, seen from outside."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT a.query, (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid "
            "AND l.locktype = 'advisory') AS locks FROM pg_stat_activity a WHERE a.pid = $1",
            pid,
        )
    finally:
        await conn.close()
    assert row is not None
    return row["query"], row["locks"]


async def test_a_plain_read_skips_the_reset_and_any_other_use_keeps_it(database_url: str) -> None:
    db = Database(database_url, min_size=0, max_size=1)
    await db.open()
    try:
        pid = await db.fetchval("SELECT pg_backend_pid() + 0 * 4242")
        # Handed back without the reset round trip: its last statement is still the read.
        assert await _session_of(database_url, pid) == ("SELECT pg_backend_pid() + 0 * 4242", 0)
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid
            await conn.execute("SELECT pg_advisory_lock(4242)")
        # A session lock taken on a connection does not outlive its lease: the reset ran.
        query, locks = await _session_of(database_url, pid)
        assert locks == 0
        assert "pg_advisory_unlock_all" in query
        # And the next plain read on the same connection skips it again.
        assert await db.fetchval("SELECT pg_backend_pid()") == pid
        assert await _session_of(database_url, pid) == ("SELECT pg_backend_pid()", 0)
    finally:
        await db.close()


async def test_a_plain_read_hands_its_connection_back_at_once(database_url: str) -> None:
    """After a plain read the connection is free again when the read returns (held for the next
    lease, or released without asyncpg's shielded task: no task, no loop iteration later), and
    reads cancelled while they wait for it or run leave the pool whole."""
    db = Database(database_url, min_size=1, max_size=1)
    await db.open()
    try:
        pool = db._pool
        assert pool is not None
        loop = asyncio.get_running_loop()
        created: list[object] = []

        def counting(
            loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
        ) -> asyncio.Task[Any]:
            created.append(coro)
            return asyncio.Task(coro, loop=loop, **kwargs)

        loop.set_task_factory(counting)
        try:
            for _ in range(50):
                assert await db.fetchval("SELECT 1") == 1
                assert db.pool_usage() == (1, 0, 1), "the connection is free again"
        finally:
            loop.set_task_factory(None)
        assert created == [], "no task per read (asyncpg's shield made one per release)"
        # Cancelled while running and while queued behind it: the pool still has its one
        # connection, free for the next read.
        running = asyncio.create_task(db.fetchval(SLOW_READ))
        queued = asyncio.create_task(db.fetchval("SELECT 2"))
        await asyncio.sleep(0.01)
        queued.cancel()
        running.cancel()
        for task in (running, queued):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert await db.fetchval("SELECT 3") == 3
        assert db.pool_usage() == (1, 0, 1)
    finally:
        await db.close()


async def test_held_connections_survive_a_restart_age_out_and_close(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection held between plain reads (`Database._held`) that the server ended is
    replaced on the next read; one unused past HELD_IDLE_S goes back to asyncpg's pool; close
    hands back the held ones (it would wait for them otherwise)."""
    db = Database(database_url, min_size=0, max_size=2)
    await db.open()
    try:
        first = await db.fetchval("SELECT pg_backend_pid()")
        assert len(db._held) == 1
        assert await db.fetchval("SELECT pg_backend_pid()") == first, "the held one served"
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.2)
        second = await db.fetchval("SELECT pg_backend_pid()")
        assert second != first
        # Two held, the older unused past the bound: the next hand-back returns it to the pool.
        await asyncio.gather(db.fetchval("SELECT pg_sleep(0.05)"), db.fetchval("SELECT 1"))
        assert len(db._held) == 2
        monkeypatch.setattr(pool_module, "HELD_IDLE_S", 0.0)
        await asyncio.sleep(0.01)
        await db.fetchval("SELECT 1")
        assert len(db._held) == 1
        assert db.pool_usage()[1] == 0
    finally:
        await asyncio.wait_for(db.close(), 5)
    assert db._held == []


async def test_a_held_connection_goes_back_through_asyncpg_now_and_then(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every HELD_LEASES leases a held connection goes back through asyncpg's release once, so
    that asyncpg's own recycling (max_queries, expired generations) still applies."""
    monkeypatch.setattr(pool_module, "HELD_LEASES", 3)
    db = Database(database_url, min_size=0, max_size=1)
    await db.open()
    try:
        released: list[object] = []
        release = pool_module._release

        async def counted(*args: Any) -> None:
            released.append(args[1])
            await release(*args)

        monkeypatch.setattr(pool_module, "_release", counted)
        for _ in range(8):
            assert await db.fetchval("SELECT 1") == 1
        # Held after leases 1-3, back through asyncpg after the 4th, held for 5-7, back after 8.
        assert len(released) == 2
    finally:
        await db.close()
