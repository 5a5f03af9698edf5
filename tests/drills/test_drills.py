"""Fault drills: a real server process under concurrent load while a dependency fails.

Each drill runs a `shortflow serve` process on 127.0.0.1 (tests/support/live.py) against servers
the test owns (tests/support/servers.py), drives it with concurrent HTTP requests from the test,
breaks something mid-load, and prints what it measured. Bounded: seconds each, loopback only.

- Redis killed under load: zero failed requests, caching (and rate limiting) resume after restart.
- Postgres stopped under load: only 200 or 503 + Retry-After, fast; full recovery; no leaked
  connections.

Two drills of issue 8 live next to the code they exercise, and are not repeated here:

- A read replica stopped under load, reads move to the primary with no failed request:
  tests/db/test_replicas.py::test_replica_stopped_under_load_fails_no_request.
- An ingest SIGKILLed in the middle of a file leaves nothing half applied, and running it again
  completes with the full counts:
  tests/ingest/test_cli_ingest.py::test_sigkill_mid_file_leaves_the_database_as_before.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from service.db.migrate import migrate
from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import Servers
from tests.support.datasets import SECURITIES
from tests.support.live import live_server_process
from tests.support.servers import TempPostgres, TempRedis

pytestmark = pytest.mark.slow

CONCURRENCY = 10
# The load comes from one address: the anonymous per-IP budget must not be what answers.
UNLIMITED = {"SHORTFLOW_ANONYMOUS_RATE_LIMIT": "1000000"}
FRESH = {"Cache-Control": "no-cache"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: dict[str, Any] | None = None
    params: dict[str, str] | None = None


@dataclass(frozen=True)
class Sample:
    """One request of the load: when it started (seconds since the load began) and its fate."""

    started: float
    seconds: float
    status: int  # 0: no HTTP answer (connection error, timeout)
    cache: str
    retry_after: str | None
    error: str = ""

    @property
    def ok(self) -> bool:
        """A 200 with a whole answer: GraphQL reports a failed resolver inside a 200."""
        return self.status == 200 and not self.error


def _gql(query: str) -> Call:
    return Call("POST", "/graphql", json={"query": query})


# GraphQL and REST, cheap and heavier; each is repeated by every worker, so the cache is hot.
CALLS = [
    _gql('{ security(symbol: "IWM") { symbol name } }'),
    _gql(
        """{ security(symbol: "IWM") { latestShortInterest(asOf: "2026-08-10") {
            settlementDate shortInterest daysToCover } } }"""
    ),
    _gql('{ securities(search: "iShares", first: 5) { totalCount nodes { symbol } } }'),
    _gql('{ index(code: "R2000") { shortExposure { settlementDate constituentsReporting } } }'),
    Call("GET", "/v1/securities/IWM"),
    Call("GET", "/v1/securities/AA"),
    Call("GET", "/v1/securities/IWM/short-interest"),
    Call("GET", "/v1/funds/IWM/flows", params={"period": "month", "to": "2026-03-31"}),
]


@dataclass
class Load:
    """CONCURRENCY workers sending `calls` round robin until stopped, recording every answer."""

    base: str
    calls: list[Call]
    headers: dict[str, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    _origin: float = field(default_factory=time.perf_counter)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self._origin

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._worker(i)) for i in range(CONCURRENCY)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _worker(self, offset: int) -> None:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=self.base, timeout=10, limits=limits) as client:
            index = offset
            while not self._stop.is_set():
                call = self.calls[index % len(self.calls)]
                index += 1
                started = self.now()
                try:
                    response = await client.request(
                        call.method,
                        call.path,
                        json=call.json,
                        params=call.params,
                        headers=self.headers,
                    )
                except httpx.HTTPError as exc:
                    self.samples.append(
                        Sample(started, self.now() - started, 0, "", None, repr(exc))
                    )
                    continue
                failed = response.status_code not in (200, 503) or (
                    call.path == "/graphql"
                    and response.status_code == 200
                    and "errors" in response.json()
                )
                self.samples.append(
                    Sample(
                        started,
                        self.now() - started,
                        response.status_code,
                        response.headers.get("x-cache", ""),
                        response.headers.get("retry-after"),
                        response.text[:200] if failed else "",
                    )
                )

    def between(self, start: float, end: float = float("inf")) -> list[Sample]:
        return [s for s in self.samples if start <= s.started < end]

    async def wait_for(self, condition: Any, within: float, after: float) -> float | None:
        """Seconds from `after` until a sample started after it satisfies `condition`."""
        deadline = time.perf_counter() + within
        while time.perf_counter() < deadline:
            found = [s.started for s in self.between(after) if condition(s)]
            if found:
                return min(found) - after
            await asyncio.sleep(0.05)
        return None


def percentile(samples: list[Sample], share: float) -> float:
    """The `share` quantile of the samples' latencies, in milliseconds."""
    if not samples:
        return float("nan")
    ordered = sorted(s.seconds for s in samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _own_directory(prefix: str) -> Iterator[Path]:
    # Not under pytest's tmp_path: another pytest session starting resets /tmp/pytest-of-<user>
    # to 0700 and locks the `pgserver` user (Postgres' owner when we run as root) out of it.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def own_redis() -> Iterator[TempRedis]:
    for root in _own_directory("shortflow-drill-redis-"):
        server = TempRedis(root).start()
        try:
            yield server
        finally:
            server.stop()


async def test_redis_killed_under_load_fails_no_request(
    sample_url: str, own_redis: TempRedis, tmp_path: Path
) -> None:
    prefix = "drill:"
    with live_server_process(
        sample_url,
        own_redis.url,
        tmp_path / "server.log",
        SHORTFLOW_REDIS_PREFIX=prefix,
        **UNLIMITED,
    ) as server:
        load = Load(server.base, CALLS)
        client = Redis.from_url(own_redis.url)
        load.start()
        try:
            hot = await load.wait_for(lambda s: s.cache == "HIT", within=10, after=0)
            assert hot is not None, "the cache never answered before the drill"
            await asyncio.sleep(1.0)
            killed = load.now()
            await asyncio.to_thread(own_redis.stop)  # SIGKILL
            await asyncio.sleep(2.0)
            restarted = load.now()
            await asyncio.to_thread(own_redis.start)  # same port, empty
            resumed = await load.wait_for(lambda s: s.cache == "HIT", within=30, after=restarted)
            # The GCRA key of the load's address is back: the limiter uses the new Redis (its
            # script cache is empty, so this needs the NOSCRIPT fallback), after its breaker.
            limited_again = None
            deadline = time.perf_counter() + 10
            while limited_again is None and time.perf_counter() < deadline:
                if await client.exists(f"{prefix}rl:{{ip:127.0.0.1}}"):
                    limited_again = load.now() - restarted
                await asyncio.sleep(0.05)
        finally:
            await load.stop()
            await client.aclose()

    failed = [s for s in load.samples if not s.ok]
    before, outage = load.between(0, killed), load.between(killed, restarted)
    labels = sorted({s.cache for s in outage})
    print(
        f"\nRedis killed under load ({CONCURRENCY} concurrent): {len(load.samples)} requests, "
        f"{len(failed)} failed; before: p50 {percentile(before, 0.5):.1f} ms, "
        f"p99 {percentile(before, 0.99):.1f} ms; during the {restarted - killed:.1f} s outage: "
        f"{len(outage)} requests, p50 {percentile(outage, 0.5):.1f} ms, "
        f"p99 {percentile(outage, 0.99):.1f} ms, X-Cache {labels}; caching resumed "
        + (f"{resumed:.2f} s after Redis restarted" if resumed is not None else "never")
        + "; rate limits enforced again "
        + (f"after {limited_again:.2f} s" if limited_again is not None else "never")
    )
    assert failed == [], f"{len(failed)} failed requests, e.g. {failed[:3]}"
    assert len(outage) >= CONCURRENCY, "the load did not run through the outage"
    assert resumed is not None, "no X-Cache HIT within 30 s of Redis returning"
    assert limited_again is not None, "rate limits did not come back with Redis within 10 s"


@pytest.fixture
def own_postgres() -> Iterator[TempPostgres]:
    for root in _own_directory("shortflow-drill-pg-"):
        server = TempPostgres(root / "pg").initdb().start()
        try:
            yield server
        finally:
            server.stop("immediate")


async def _load_securities(url: str, directory: Path) -> None:
    await migrate(url)
    path = write_csv(directory / "securities.csv", SECURITIES[0], SECURITIES[1:])
    db = Database(url, min_size=0, max_size=1)
    await db.open()
    try:
        outcome = await ingest_file(db, path, "securities", IngestOptions())
        assert outcome.status == "applied", outcome.error
    finally:
        await db.close()


async def _sessions(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT coalesce(state, '?') AS state, count(*) AS n FROM pg_stat_activity"
            " WHERE application_name = 'shortflow' GROUP BY 1"
        )
    finally:
        await conn.close()
    return {row["state"]: row["n"] for row in rows}


POSTGRES_CALLS = [
    _gql('{ security(symbol: "IWM") { symbol name } }'),
    _gql("{ securities(first: 3) { totalCount nodes { symbol } } }"),
    Call("GET", "/v1/securities/AA"),
    Call("GET", "/v1/securities", params={"limit": "3"}),
]


async def test_postgres_stopped_under_load_is_503_then_recovers(
    own_postgres: TempPostgres, servers: Servers, tmp_path: Path
) -> None:
    workers, pool_max = 2, 4
    await _load_securities(own_postgres.url, tmp_path)
    with live_server_process(
        own_postgres.url,
        servers.redis_url,
        tmp_path / "server.log",
        workers=workers,
        SHORTFLOW_POOL_MIN="1",
        SHORTFLOW_POOL_MAX=str(pool_max),
        **UNLIMITED,
    ) as server:
        # no-cache: every request is computed, so every request needs Postgres.
        load = Load(server.base, POSTGRES_CALLS, headers=FRESH)
        load.start()
        try:
            await asyncio.sleep(1.5)
            stopped = load.now()
            await asyncio.to_thread(own_postgres.stop, "immediate")
            down = load.now()
            await asyncio.sleep(2.0)
            starting = load.now()
            await asyncio.to_thread(own_postgres.start)
            up = load.now()
            # Recovered: the first moment after which every answer is 200, held for 1.5 s.
            recovered = None
            deadline = time.perf_counter() + 15
            while time.perf_counter() < deadline:
                last_failure = max(
                    (s.started for s in load.between(starting) if not s.ok),
                    default=starting,
                )
                if load.now() - last_failure >= 1.5 and load.between(last_failure + 0.001):
                    recovered = last_failure - up
                    break
                await asyncio.sleep(0.1)
        finally:
            await load.stop()
        sessions = await _sessions(own_postgres.url)

    # Answered before the stop (a request in flight at that moment may rightly get a 503).
    before = [s for s in load.samples if s.started + s.seconds < stopped]
    outage, after = (
        load.between(down, starting),
        load.between(up + (recovered or 0) + 0.001),
    )
    statuses = {code: sum(1 for s in load.samples if s.status == code) for code in (200, 503)}
    unexpected = [s for s in load.samples if s.error or s.status not in (200, 503)]
    no_retry_after = [s for s in load.samples if s.status == 503 and not s.retry_after]
    slowest = max(s.seconds for s in load.samples)
    print(
        f"\nPostgres stopped under load ({CONCURRENCY} concurrent, {workers} workers): "
        f"{len(load.samples)} requests {statuses}, {len(unexpected)} other; during the "
        f"{starting - down:.1f} s outage {len(outage)} requests, "
        f"{sum(s.status == 503 for s in outage)} x 503, p50 {percentile(outage, 0.5):.1f} ms, "
        f"p99 {percentile(outage, 0.99):.1f} ms; slowest answer {slowest * 1000:.0f} ms; "
        f"pg_ctl start took {up - starting:.2f} s; all 200 "
        + (f"{max(recovered, 0):.2f} s after it returned" if recovered is not None else "never")
        + f"; then {len(after)} requests; connections in pg_stat_activity: {sessions} "
        f"(at most {workers} x {pool_max})"
    )
    assert unexpected == [], f"answers other than 200/503: {unexpected[:3]}"
    assert no_retry_after == [], "a 503 without Retry-After"
    assert all(s.ok for s in before)
    assert outage, "no request during the outage"
    assert {s.status for s in outage} == {503}
    assert slowest < 2.0, f"an answer took {slowest:.2f} s"
    assert recovered is not None, "no full recovery within 15 s"
    assert recovered < 5, f"full recovery took {recovered:.2f} s after Postgres returned"
    assert all(s.ok for s in after)
    assert 0 < sum(sessions.values()) <= workers * pool_max, sessions
