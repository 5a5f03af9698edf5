"""Read replicas: which one may serve a read, kept current by a background health check.

A replica serves reads only while it is *eligible*: its last health check succeeded, it is still
in recovery (a promoted server no longer follows our primary), and it has replayed WAL up to the
*required LSN*. The required LSN only rises. It is raised by

- the primary's position read when the process starts (a fresh process never reads older data
  than existed when it started; until that position is known no replica is eligible),
- `ReplicaSet.observe()`, called with the position an ingest read right after its COMMIT and
  published with the new dataset versions (reads never miss a known ingest), and
- the primary's position re-read every `primary_lsn_interval_s` by the health loop, the backstop
  for lost announcements (Redis down): reads are then at most that interval plus lag behind.

Reads pick an eligible replica round robin and fall back to the primary when none is eligible;
`Database` (service/db/pool.py) retries a read that failed on a replica on the primary and calls
`lost()`, so a dying replica costs requests a retry, never an error. docs/replicas.md has the
whole story.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import asyncpg

from service.db import queries
from service.db.slots import ConnectionSlots, drop
from service.settings import DEFAULT_POOL_WAIT_S

if TYPE_CHECKING:
    from service.db.pool import Connection

log = logging.getLogger(__name__)

Q = queries.load("replication")

T = TypeVar("T")

# Anything that makes a health check fail: the replica is treated as down until one succeeds.
_CHECK_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


def parse_lsn(text: str) -> int:
    """The WAL position Postgres prints as `16/B374D848`, as one comparable number."""
    high, slash, low = text.strip().partition("/")
    try:
        if not slash:
            raise ValueError
        upper, lower = int(high, 16), int(low, 16)
    except ValueError:
        raise ValueError(f"not a WAL position (LSN): {text!r}") from None
    if not (0 <= upper < 1 << 32 and 0 <= lower < 1 << 32):
        raise ValueError(f"not a WAL position (LSN): {text!r}")
    return upper << 32 | lower


def format_lsn(position: int) -> str:
    """The inverse of `parse_lsn`, in Postgres' own spelling."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


async def current_wal_lsn(conn: Connection | asyncpg.Connection) -> str:
    """The primary's WAL write position (`0/3000148`) as seen by `conn`."""
    lsn: str = await conn.fetchval(Q.current_wal_lsn)
    return lsn


def _describe(dsn: str) -> str:
    """host:port/database for logs (never the password)."""
    parts = urlsplit(dsn)
    return f"{parts.hostname or 'local'}:{parts.port or 5432}{parts.path or ''}"


@dataclass(eq=False)
class Replica:
    """One replica: its pool for reads, its health, and what it served (for logs and tests)."""

    dsn: str
    pool: asyncpg.Pool
    name: str = ""
    healthy: bool = False
    replay_lsn: int | None = None
    reads: int = 0
    """Reads this replica answered."""
    failures: int = 0
    """Reads that failed here and were retried on the primary."""
    last_error: str | None = None
    slots: ConnectionSlots | None = field(default=None, repr=False)
    """The queue in front of `pool` (service/db/slots.py): a busy replica is waited for, not
    taken for a lost one."""
    _monitor: asyncpg.Connection | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.name = self.name or _describe(self.dsn)
        if self.slots is None:
            self.slots = ConnectionSlots(self.pool.get_max_size(), wait_s=DEFAULT_POOL_WAIT_S)

    def serves(self, required: int | None) -> bool:
        """Eligible for a read that must see everything up to `required`."""
        return (
            self.healthy
            and required is not None
            and self.replay_lsn is not None
            and self.replay_lsn >= required
        )

    async def read(self, run: Callable[[Connection], Awaitable[T]], acquire_timeout: float) -> T:
        """Run one read on a pooled connection of this replica (errors are the caller's).

        Waiting for a slot is queueing (`DatabaseBusy` past its bound); only then the pool is
        asked, so its timeout means the replica cannot be reached."""
        assert self.slots is not None
        async with self.slots.slot(), self.pool.acquire(timeout=acquire_timeout) as conn:
            try:
                result = await run(conn)
            except (asyncio.CancelledError, TimeoutError):
                # As on the primary (pool.py): a cancelled or timed-out read drops its
                # connection rather than wait for a cancel round trip to a server that may
                # not answer.
                drop(conn)
                raise
        self.reads += 1
        return result

    async def status(self, server_settings: dict[str, str]) -> asyncpg.Record | None:
        """`pg_is_in_recovery()` and the replay position, on a connection of its own: a busy
        read pool must not make a healthy replica look dead."""
        if self._monitor is None or self._monitor.is_closed():
            self._monitor = await asyncpg.connect(self.dsn, server_settings=server_settings)
        return await self._monitor.fetchrow(Q.replica_status)

    async def forget_connections(self) -> None:
        """Drop the health connection and expire the pooled ones (after a restart all are dead)."""
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.terminate()
        await self.pool.expire_connections()

    async def close(self) -> None:
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            await monitor.close()
        await self.pool.close()


class ReplicaSet:
    """The replicas of one `Database`, the required LSN, and the round robin over them."""

    def __init__(
        self,
        replicas: Sequence[Replica] = (),
        *,
        check_interval_s: float = 1.0,
        catch_up_interval_s: float = 0.1,
        primary_lsn_interval_s: float = 5.0,
        check_timeout_s: float = 0.5,
        application_name: str = "shortflow",
    ) -> None:
        self.members = list(replicas)
        self.check_interval_s = check_interval_s
        self.catch_up_interval_s = catch_up_interval_s
        self.primary_lsn_interval_s = primary_lsn_interval_s
        self.check_timeout_s = check_timeout_s
        self._monitor_settings = {"application_name": f"{application_name}-health"}
        self.required_lsn: int | None = None
        """Replay position a replica needs to serve reads; None until the primary's is known."""
        self.primary_reads = 0
        """Reads the primary answered because no replica was eligible or one failed."""
        self._turn = 0
        self._wake = asyncio.Event()

    def __len__(self) -> int:
        return len(self.members)

    # -- routing ---------------------------------------------------------------------------

    def eligible(self) -> list[Replica]:
        """The replicas that may serve a read now."""
        required = self.required_lsn
        return [replica for replica in self.members if replica.serves(required)]

    def choose(self) -> Replica | None:
        """The next eligible replica, round robin; None: read on the primary."""
        eligible = self.eligible()
        if not eligible:
            return None
        self._turn += 1
        return eligible[self._turn % len(eligible)]

    def observe(self, position: int) -> None:
        """Require replicas to have replayed `position` before they serve reads (only rises)."""
        if self.required_lsn is not None and position <= self.required_lsn:
            return
        self.required_lsn = position
        if any(r.healthy and not r.serves(position) for r in self.members):
            # Re-check now rather than at the next tick, so reads return to the replica as soon
            # as it has caught up instead of up to a check interval later.
            self._wake.set()

    async def lost(self, replica: Replica, exc: BaseException) -> None:
        """A read failed with a connection error on `replica`: stop routing there until a check
        succeeds, and drop its pooled connections (after a restart they are all dead)."""
        replica.failures += 1
        await self._down(replica, f"{type(exc).__name__}: {exc}")
        self._wake.set()

    # -- health ----------------------------------------------------------------------------

    async def check(self, replica: Replica) -> None:
        """One health check: `pg_is_in_recovery()` and the replay position, within a timeout."""
        try:
            async with asyncio.timeout(self.check_timeout_s):
                row = await replica.status(self._monitor_settings)
        except _CHECK_FAILURES as exc:
            await self._down(replica, f"{type(exc).__name__}: {exc}".rstrip(": "))
            return
        assert row is not None
        if not row["in_recovery"]:
            await self._down(replica, "not in recovery (promoted, or not a replica)")
            return
        replica.replay_lsn = parse_lsn(row["replay_lsn"]) if row["replay_lsn"] else None
        replica.last_error = None
        if not replica.healthy:
            replica.healthy = True
            log.info("replica %s is serving reads again", replica.name)

    async def check_all(self) -> None:
        await asyncio.gather(*(self.check(replica) for replica in self.members))

    async def _down(self, replica: Replica, reason: str) -> None:
        if replica.healthy:
            log.warning("replica %s is down, reads go elsewhere: %s", replica.name, reason)
        replica.healthy = False
        replica.last_error = reason
        await replica.forget_connections()

    async def watch(self, primary_lsn: Callable[[], Awaitable[str | None]]) -> None:
        """The health loop (runs until cancelled): check every replica each `check_interval_s`
        (`catch_up_interval_s` while one is behind), re-read the primary's position each
        `primary_lsn_interval_s` (each tick while it is unknown)."""
        if not self.members:
            return
        last_primary = time.monotonic() if self.required_lsn is not None else None
        while True:
            try:
                now = time.monotonic()
                if last_primary is None or now - last_primary >= self.primary_lsn_interval_s:
                    # Concurrently: a slow or unreachable primary must not delay replica checks.
                    position, _ = await asyncio.gather(primary_lsn(), self.check_all())
                    if position is not None:
                        self.observe(parse_lsn(position))
                        last_primary = now
                else:
                    await self.check_all()
            except Exception:  # a bug here must not end health checking for the process
                log.exception("replica health check failed")
            await self._pause()

    async def _pause(self) -> None:
        required = self.required_lsn
        behind = required is not None and any(
            r.healthy and not r.serves(required) for r in self.members
        )
        delay = self.catch_up_interval_s if behind else self.check_interval_s
        try:
            async with asyncio.timeout(delay):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def close(self) -> None:
        await asyncio.gather(*(replica.close() for replica in self.members))
