"""The asyncpg pool behind every query, and how it behaves when Postgres is not there.

`Database` is what repositories receive. It registers codecs once per connection, puts a statement
timeout on every query, counts round trips per request (for `Server-Timing` and tests), and turns
"Postgres is unreachable" into `DatabaseUnavailable` quickly: after a failed connection it refuses
for a short moment without trying (so a dead database costs requests microseconds, not a connect
timeout each), then lets the next request try again, so the service recovers on its own.
Reads are retried once on a connection that died under them (a restarted server leaves every
pooled connection dead; the retry gets a fresh one).

Waiting for a connection that other requests are using is queueing, not a failure
(service/db/slots.py): bounded by `pool_wait_s` (then `DatabaseBusy`), measured, and it never
opens the breaker. Only failing to connect, or a connection failing under a query, does. A server
that accepts connections but never answers (hung, SIGSTOPped, a dead network path) is caught by
the client-side `command_timeout` and TCP keepalives; a request cancelled by its deadline
(service/deadline.py) drops its connection instead of waiting to hand it back.

With `replica_dsns`, `fetch`/`fetchrow`/`fetchval` go to an eligible read replica when there is
one (service/db/replicas.py decides which, and when a replica is fresh enough), and to the primary
otherwise; a read that fails on a replica with a connection error is retried on the primary.
`connection()` and `transaction()` always give the primary: writes, ingest and anything that must
read its own writes use them.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

from service.db import queries
from service.db.replicas import Replica, ReplicaSet, current_wal_lsn, parse_lsn
from service.db.slots import ConnectionSlots, drop
from service.errors import (
    BadRequest,
    DatabaseBusy,
    DatabaseUnavailable,
    QueryTimeout,
    SchemaNotMigrated,
)
from service.settings import DEFAULT_POOL_MAX_SIZE, DEFAULT_POOL_MIN_SIZE, DEFAULT_POOL_WAIT_S

log = logging.getLogger(__name__)

T = TypeVar("T")

if TYPE_CHECKING:
    Connection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
else:
    Connection = PoolConnectionProxy

# Errors meaning "the server is unreachable or the connection died", not "the query is wrong".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)

# A connection that was fine a moment ago and died: worth one retry of a read on a fresh one.
_RETRYABLE: tuple[type[BaseException], ...] = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.AdminShutdownError,
    ConnectionResetError,
)

# A read failed on a replica but the primary can answer it. InterfaceError: the connection closed
# between acquire and query. SerializationError: on a replica that is a recovery conflict (WAL
# replay cancelled the query), not a fault of the query.
_REPLICA_FALLBACK: tuple[type[BaseException], ...] = (
    *CONNECTION_ERRORS,
    asyncpg.InterfaceError,
    asyncpg.SerializationError,
)

# Reading the primary's WAL position for the replica rules: any failure just means "not now".
_POSITION_FAILURES: tuple[type[BaseException], ...] = (
    *CONNECTION_ERRORS,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)

BREAKER_SECONDS = 0.5
"""How long requests are refused without trying after Postgres was found unreachable."""

COMMAND_TIMEOUT_MARGIN_S = 1.0
"""The client gives a query this much longer than the server's statement_timeout: a live server
cancels it first (QUERY_TIMEOUT); only a server that answers nothing reaches the client timeout."""

HELD_IDLE_S = 10.0
"""How long a connection stays held between plain reads without one (`Database._held`) before
it goes back to asyncpg's pool, whose idle lifetime then applies."""
HELD_LEASES = 10_000
"""Leases a connection serves held before it goes back through asyncpg's release once, where
asyncpg's own rules apply (it closes a connection after 50,000 queries, or of an expired
generation)."""

# Client-side TCP keepalives: a connection to a host that vanished (a dead network path, a
# powered-off machine) errors within about idle + interval * count seconds instead of hanging.
KEEPALIVE_IDLE_S = 10
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3


@dataclass
class QueryStats:
    """Round trips and time spent in Postgres by one request."""

    count: int = 0
    seconds: float = 0.0


_stats: contextvars.ContextVar[QueryStats | None] = contextvars.ContextVar(
    "shortflow_query_stats", default=None
)


def current_query_stats() -> QueryStats | None:
    """The tally of the current context, when one is being kept."""
    return _stats.get()


def track_queries() -> QueryStats:
    """Count the queries of the current context (a request, a test); returns the tally."""
    stats = QueryStats()
    _stats.set(stats)
    return stats


async def init_connection(conn: asyncpg.Connection) -> None:
    """Codecs and socket options every connection needs; runs once per new connection."""
    _enable_keepalives(conn)
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


class PooledConnection(asyncpg.Connection):
    """A pool's connection that skips the session reset on its way back after a plain read.

    asyncpg resets each connection the pool takes back (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`): one more round trip per request, about a sixth of the server's CPU
    time on a small answer (docs/benchmarks.md, "PostGraphile"). After one statement run by
    `Database.fetch`, `fetchrow` or `fetchval` (our named read queries: no SET, LISTEN, cursor or
    session-level lock) there is nothing to reset; an open transaction is still rolled back by
    the pool either way, and any other use of a connection keeps the full reset."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_read = False
        self.held_leases = 0
        """Leases served since it last went back through asyncpg's release (HELD_LEASES)."""

    def mark_plain_read(self) -> None:
        """The connection ran one read statement and nothing else since it was taken."""
        self._plain_read = True

    def clear_plain_read(self) -> None:
        """Held for the next lease (`Database._held`): what it runs next decides its reset."""
        self._plain_read = False
        self.held_leases += 1

    def due_back(self) -> bool:
        """Whether it has served HELD_LEASES leases held: then it goes back through asyncpg's
        release once (and counts again from there). A method, as the pool's proxy forwards
        calls to its connection but not attribute writes."""
        if self.held_leases < HELD_LEASES:
            return False
        self.held_leases = 0
        return True

    def resets_nothing(self) -> bool:
        """Its hand-back runs no statement (a plain read and no open transaction)."""
        return self._plain_read and not self.is_in_transaction()

    def get_reset_query(self) -> str:
        if self._plain_read:
            self._plain_read = False
            return ""
        return str(super().get_reset_query())


async def _plain_read(conn: Connection, statement: Awaitable[T]) -> T:
    result = await statement
    # The pool hands out a proxy that forwards every attribute to its PooledConnection.
    cast(PooledConnection, conn).mark_plain_read()
    return result


def _enable_keepalives(conn: asyncpg.Connection) -> None:
    """TCP keepalives on the client side of `conn` (asyncpg has no option for them; libpq's
    `keepalives_*` parameters are not read). Unix sockets need none."""
    transport = getattr(conn, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_S),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_S),
        ("TCP_KEEPCNT", KEEPALIVE_COUNT),
    ):
        if hasattr(socket, option):  # Linux names; macOS lacks some of them
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class Database:
    """A primary pool, an optional set of replica pools, and the fail-fast rules around them."""

    def __init__(
        self,
        dsn: str,
        *,
        replica_dsns: Sequence[str] = (),
        min_size: int = DEFAULT_POOL_MIN_SIZE,
        max_size: int = DEFAULT_POOL_MAX_SIZE,
        statement_timeout_ms: int = 5000,
        connect_timeout_s: float = 2.0,
        application_name: str = "shortflow",
        replica_check_interval_s: float = 1.0,
        primary_lsn_interval_s: float = 5.0,
        pool_wait_s: float = DEFAULT_POOL_WAIT_S,
        observe_pool_wait: Callable[[float], None] | None = None,
    ) -> None:
        self.dsn = dsn
        self.replica_dsns = list(replica_dsns)
        self._replica_check_interval = replica_check_interval_s
        self._primary_lsn_interval = primary_lsn_interval_s
        self._application_name = application_name
        self._min_size = min_size
        self._max_size = max_size
        self._connect_timeout = connect_timeout_s
        self._command_timeout = statement_timeout_ms / 1000 + COMMAND_TIMEOUT_MARGIN_S
        self._pool_wait = pool_wait_s
        self._observe_pool_wait = observe_pool_wait
        self._slots = self._new_slots()
        self._server_settings = {
            "application_name": application_name,
            "statement_timeout": str(statement_timeout_ms),
            "idle_in_transaction_session_timeout": str(max(statement_timeout_ms * 4, 60_000)),
            # JIT compiles expressions for queries the planner thinks are big; for our short
            # indexed queries compilation costs more (hundreds of ms) than it ever saves.
            "jit": "off",
            # Shortest round-trip float text (Postgres 12's default, pinned): the JSON that
            # Postgres writes for a selection must equal orjson's (service/db/json_rows.py).
            "extra_float_digits": "1",
            # The server's half of the keepalives: it notices a client that vanished and ends
            # its backend (and its locks) instead of keeping it for hours.
            "tcp_keepalives_idle": str(KEEPALIVE_IDLE_S),
            "tcp_keepalives_interval": str(KEEPALIVE_INTERVAL_S),
            "tcp_keepalives_count": str(KEEPALIVE_COUNT),
        }
        self._pool: asyncpg.Pool | None = None
        self._held: list[tuple[Connection, float]] = []
        """Connections leased from asyncpg's pool and kept between plain reads, with the time
        each was put back: the next lease takes one without asyncpg's acquire and release
        (a holder, a proxy, a reset under a timeout, an idle timer each time: ~8 % of a small
        answer's CPU, docs/benchmarks.md). Only a connection whose last lease ran one plain read
        (nothing to reset) is held; the slots bound them with every other lease."""
        self._unavailable_until = 0.0
        self.last_error: str | None = None
        self.replicas = ReplicaSet()

    def _new_slots(self) -> ConnectionSlots:
        return ConnectionSlots(self._max_size, self._pool_wait, self._observe_pool_wait)

    async def _create_pool(self, dsn: str) -> asyncpg.Pool:
        return await asyncpg.create_pool(
            dsn,
            min_size=0,
            max_size=self._max_size,
            timeout=self._connect_timeout,
            command_timeout=self._command_timeout,
            init=init_connection,
            connection_class=PooledConnection,
            server_settings=self._server_settings,
            max_inactive_connection_lifetime=300,
        )

    async def open(self) -> None:
        """Create the pools without requiring Postgres to be up (it may come later)."""
        self._pool = await self._create_pool(self.dsn)
        try:
            await self.warm_up()
        except DatabaseUnavailable as exc:
            log.warning("Postgres is not reachable yet; serving 503 until it is: %s", exc.message)
        if self.replica_dsns:
            members = [
                Replica(dsn, await self._create_pool(dsn), slots=self._new_slots())
                for dsn in self.replica_dsns
            ]
            self.replicas = ReplicaSet(
                members,
                check_interval_s=self._replica_check_interval,
                primary_lsn_interval_s=self._primary_lsn_interval,
                application_name=self._application_name,
            )
            # The start rule: nothing older than what the primary holds now. Then one check, so
            # the first requests can already use the replicas.
            position = await self._primary_lsn()
            if position is not None:
                self.replicas.observe(parse_lsn(position))
            await self.replicas.check_all()

    async def watch_replicas(self) -> None:
        """The replica health loop; the app's lifespan runs it as a task and cancels it."""
        await self.replicas.watch(self._primary_lsn)

    def observe_lsn(self, lsn: str) -> None:
        """Serve reads from replicas only once they have replayed WAL up to `lsn`.

        Called with the position an ingest published with its dataset versions; never lowers
        the requirement. Raises ValueError when `lsn` is not a WAL position (`0/3000148`).
        """
        self.replicas.observe(parse_lsn(lsn))

    async def sync_with_primary(self) -> bool:
        """Serve reads from replicas only once they have what the primary has committed now.

        For code that learns of new data without an LSN (dataset versions read from Postgres or
        Redis): call it after learning, before serving under what was learned. False when the
        primary cannot be read (nothing changes then).
        """
        position = await self._primary_lsn()
        if position is None:
            return False
        self.replicas.observe(parse_lsn(position))
        return True

    async def _primary_lsn(self) -> str | None:
        """The primary's current WAL position, or None (logged) when it cannot be read now."""
        pool = self._require_pool()
        try:
            async with asyncio.timeout(self._connect_timeout), self._slots.slot():
                conn = self._take_held(pool)
                if conn is not None:  # held by us between plain reads: given back to the pool
                    try:
                        return await current_wal_lsn(conn)
                    finally:
                        await _release(pool, conn, self._connect_timeout)
                async with pool.acquire() as acquired:
                    return await current_wal_lsn(acquired)
        except DatabaseBusy:
            return None  # every connection is serving requests: read it next time
        except _POSITION_FAILURES as exc:
            log.debug("could not read the primary's WAL position: %s: %s", type(exc).__name__, exc)
            return None

    async def warm_up(self) -> None:
        """Open `min_size` connections now so the first requests do not pay for them."""
        async with AsyncExitStack() as held:
            for _ in range(self._min_size):
                await held.enter_async_context(self._leased())

    async def close(self) -> None:
        await self.replicas.close()
        self.replicas = ReplicaSet()
        if self._pool is not None:
            held, self._held = self._held, []
            for conn, _ in held:
                await _release(self._pool, conn, self._connect_timeout)
            await self._pool.close()
            self._pool = None

    def _take_held(self, pool: asyncpg.Pool) -> Connection | None:
        """A held connection for a lease (the newest, so that old ones age out), or None. One
        that closed meanwhile (a server restart) goes back to asyncpg's pool, which opens a
        fresh one in its place when asked."""
        held = self._held
        while held:
            conn, _ = held.pop()
            if getattr(conn, "_con", None) is None:
                continue  # detached: the pool has its place back already
            if not conn.is_closed():
                return conn
            conn.terminate()  # its place in the pool is freed; nothing to wait for
        return None

    async def _hold(self, pool: asyncpg.Pool, conn: Connection) -> None:
        """Keep `conn` (its lease ran one plain read) for the next lease; the oldest held one
        goes back to asyncpg's pool once unused for HELD_IDLE_S."""
        cast(PooledConnection, conn).clear_plain_read()
        held = self._held
        now = time.monotonic()
        if held and now - held[0][1] > HELD_IDLE_S:
            oldest, _ = held.pop(0)
            await _release(pool, oldest, self._connect_timeout)
        held.append((conn, now))

    @property
    def pool(self) -> asyncpg.Pool:
        return self._require_pool()

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("Database.open() was not awaited")
        return self._pool

    @property
    def max_connections(self) -> int:
        """The most connections this primary pool opens at once."""
        return self._max_size

    def pool_usage(self) -> tuple[int, int, int]:
        """(connections open, connections in use, maximum)."""
        pool = self._pool
        if pool is None:
            return (0, 0, self._max_size)
        size = pool.get_size()
        idle = pool.get_idle_size() + len(self._held)
        return (size, size - idle, pool.get_max_size())

    @property
    def pool_waiting(self) -> int:
        """Requests queued for a primary connection right now."""
        return self._slots.waiting

    # -- connections -----------------------------------------------------------------------

    def _check_breaker(self) -> None:
        if time.monotonic() < self._unavailable_until:
            # The driver's exception stays in the log (`_trip`): a caller learns nothing from it.
            raise DatabaseUnavailable("the database is unavailable; retry shortly")

    def _trip(self, exc: BaseException) -> DatabaseUnavailable:
        self._unavailable_until = time.monotonic() + BREAKER_SECONDS
        self.last_error = type(exc).__name__
        log.warning("Postgres unavailable: %s: %s", type(exc).__name__, exc)
        return DatabaseUnavailable("the database is unavailable; retry shortly")

    def _leased(self) -> Lease:
        """A primary connection for the block, driver errors as they are (see `Lease`)."""
        return Lease(self, translate=False)

    def connection(self) -> Lease:
        """A pooled connection; connection failures inside become DatabaseUnavailable."""
        return Lease(self, translate=True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection to the primary inside a transaction (committed when the block exits)."""
        async with self.connection() as conn, conn.transaction():
            yield conn

    # -- reads -----------------------------------------------------------------------------

    async def _read(self, run: Callable[[Connection], Awaitable[T]]) -> T:
        stats = _stats.get()
        started = time.perf_counter()
        try:
            replica = self.replicas.choose()
            if replica is not None:
                try:
                    with _translated_errors():
                        return await replica.read(run, self._connect_timeout)
                except _REPLICA_FALLBACK as exc:
                    # The request must not fail because a replica did: the primary answers.
                    if not isinstance(exc, asyncpg.SerializationError):
                        await self.replicas.lost(replica, exc)
                except DatabaseBusy:
                    pass  # the replica's queue is full: a busy replica is not a lost one
            if self.replicas:
                self.replicas.primary_reads += 1
            return await self._read_primary(run)
        finally:
            if stats is not None:
                stats.count += 1
                stats.seconds += time.perf_counter() - started

    async def _read_primary(self, run: Callable[[Connection], Awaitable[T]]) -> T:
        for attempt in (1, 2):
            try:
                async with self.connection() as conn:
                    return await run(conn)
            except DatabaseUnavailable as exc:
                if attempt == 2 or not isinstance(exc.__context__, _RETRYABLE):
                    raise
                # A pooled connection died (server restart): one retry on a fresh one.
                self._unavailable_until = 0.0
        raise AssertionError("unreachable")

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._read(lambda conn: _plain_read(conn, conn.fetch(sql, *args)))

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self._read(lambda conn: _plain_read(conn, conn.fetchrow(sql, *args)))

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._read(lambda conn: _plain_read(conn, conn.fetchval(sql, *args)))

    async def ping(self, within: float = 1.0) -> None:
        """Raise DatabaseUnavailable unless Postgres answers the ping within `within` seconds.

        A pool whose every connection is taken is serving queries, not down: the ping then
        returns without queueing (a hung server is caught by those queries' own timeouts)."""
        if self._slots.full:
            self._check_breaker()
            return
        async with self._leased() as conn:
            try:
                await conn.fetchval(queries.load("pool").ping, timeout=within)
            except CONNECTION_ERRORS as exc:
                raise self._trip(exc) from None


class Lease:
    """`async with db.connection() as conn`: a primary connection for the block.

    A slot first (queueing), then a connection held since a plain read (`Database._held`) or
    the pool, which has room for it, so a failure there is a failure to connect and opens the
    breaker. A connection that ran one plain read is held again on the way out. With
    `translate`, driver errors raised in the block become ours (`_translated`), and a connection
    failure drops the connection and trips the breaker. Cancelled (the request's deadline)
    while the connection may be mid-query on a server that does not answer: handing it back
    would wait for a cancel round trip, so it is dropped, which frees its place in the pool
    now.

    A class rather than generator-based context managers: every query of every request goes
    through it, and the two nested `asynccontextmanager`s it replaces cost ~4 % of a small
    request (py-spy, docs/benchmarks.md "Direct resolvers")."""

    __slots__ = ("_conn", "_db", "_pool", "_translate")

    def __init__(self, db: Database, *, translate: bool) -> None:
        self._db = db
        self._translate = translate

    async def __aenter__(self) -> Connection:
        db = self._db
        pool = self._pool = db._require_pool()
        db._check_breaker()
        slots = db._slots
        await slots.take()
        try:
            # The queue may have outlasted an outage that began meanwhile: check again.
            db._check_breaker()
            conn = db._take_held(pool)
            if conn is None:
                try:
                    conn = await _acquire(pool, db._connect_timeout)
                except CONNECTION_ERRORS as exc:
                    raise db._trip(exc) from None
        except BaseException:
            slots.give()
            raise
        db.last_error = None
        self._conn = conn
        return conn

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        db, conn = self._db, self._conn
        try:
            if isinstance(error, asyncio.CancelledError):
                drop(conn)
            elif error is not None and self._translate:
                translated = _translated(error)
                if translated is not None:
                    raise translated from None
                if isinstance(error, CONNECTION_ERRORS):
                    # Dead, or silent past the command timeout (a cancel request is under way
                    # to a server that may never answer it): not worth waiting for to hand back.
                    drop(conn)
                    raise db._trip(error) from None
        finally:
            try:
                if error is None and _holdable(conn):
                    await db._hold(self._pool, conn)
                else:
                    await _release(self._pool, conn, db._connect_timeout)
            finally:
                db._slots.give()


def _holdable(conn: Connection) -> bool:
    """Whether a lease's connection may be held for the next one: it ran one plain read (nothing
    to reset, no transaction open), is still open and is not due back (HELD_LEASES)."""
    if getattr(conn, "_con", None) is None or conn.is_closed():
        return False
    pooled = cast(PooledConnection, conn)
    return pooled.resets_nothing() and not pooled.due_back()


def _translated(error: BaseException) -> Exception | None:
    """A driver error that means something a caller can act on, as our error (primary and
    replicas alike), else None; connection failures are left to the caller, which trips or
    falls back."""
    if isinstance(error, asyncpg.QueryCanceledError):
        return QueryTimeout("the query took too long and was cancelled")
    if isinstance(error, asyncpg.CharacterNotInRepertoireError):
        # Our SQL never makes such text: it came from the caller (a NUL in an argument).
        return BadRequest("text arguments must not contain NUL characters")
    if isinstance(error, asyncpg.UndefinedTableError | asyncpg.UndefinedFunctionError):
        # Our queries name what our migrations create: the database was never migrated.
        return SchemaNotMigrated()
    return None


@contextmanager
def _translated_errors() -> Iterator[None]:
    """`_translated` around a block (a replica's read)."""
    try:
        yield
    except Exception as exc:
        translated = _translated(exc)
        if translated is None:
            raise
        raise translated from None


_RELEASE_ERRORS: tuple[type[BaseException], ...] = (*CONNECTION_ERRORS, asyncpg.InterfaceError)


async def _acquire(pool: asyncpg.Pool, connect_timeout: float) -> Connection:
    """A connection of `pool`, where the caller's slot guarantees one is free or may be opened.

    With an open idle connection in the pool, asyncpg hands it out without waiting or
    connecting (its queue prefers live connections): no timeout to arm, which saves asyncpg's
    `wait_for` task and timer per request (docs/benchmarks.md, run 4). Otherwise acquiring may
    connect, bounded by `connect_timeout`."""
    if pool.get_idle_size():
        conn: Connection = await pool.acquire()
    else:
        conn = await pool.acquire(timeout=connect_timeout)
    return conn


async def _release(pool: asyncpg.Pool, conn: Connection, reset_timeout: float) -> None:
    """Give a connection back; one that died meanwhile (Postgres stopped just as the query
    ended) fails its reset: asyncpg has dropped it and the pool opens a fresh one. That must
    not turn an answered request into an error. A connection after a plain read has nothing to
    reset (`PooledConnection`): no timeout to arm; any other is reset within `reset_timeout`."""
    if getattr(conn, "_con", None) is None:  # the proxy's connection (asyncpg has no accessor)
        return  # detached (dropped, or closed under it): the pool has its place back already
    plain = cast(PooledConnection, conn).resets_nothing()
    try:
        if plain and type(conn) is PoolConnectionProxy and conn._holder._pool is pool:
            await _release_unshielded(pool, conn)
        else:
            await pool.release(conn, timeout=None if plain else reset_timeout)
    except _RELEASE_ERRORS as exc:
        log.info("released a connection that had died: %s", type(exc).__name__)


def _release_unshielded(pool: asyncpg.Pool, conn: PoolConnectionProxy[Any]) -> Awaitable[None]:
    """`pool.release(conn)` without its `asyncio.shield`, for a connection with nothing to
    reset. asyncpg shields the holder's release so that a cancellation cannot stop a reset
    query half-way; the shield is a task per release, scheduled for the loop's next iteration
    (~3 % of a small answer's CPU: docs/benchmarks.md). After a plain read the release runs no
    statement and never suspends, so nothing can interrupt it: it is awaited directly. The
    steps are Pool.release's own (asyncpg 0.30-0.32); tests/db/test_pool.py checks that the
    connection is back in the pool."""
    pool._check_init()  # type: ignore[attr-defined]
    conn._con._on_release()  # type: ignore[attr-defined]
    holder = conn._holder
    return holder.release(holder._timeout)  # type: ignore[attr-defined]
