"""Read replicas on a real streaming replica: same answers, fresh after ingest, survive its death.

The module starts its own primary and a replica made with `pg_basebackup -R` (both on 127.0.0.1),
loads the real samples on the primary through the ingest pipeline and lets them stream over.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from service.cache.announce import (
    Invalidation,
    decode_invalidation,
    invalidation_channel,
    publish_versions,
)
from service.db.migrate import migrate
from service.db.pool import Database, track_queries
from service.db.replicas import ReplicaSet, format_lsn, parse_lsn
from service.db.repositories.securities import SecurityRepository
from service.demo.files import write_csv
from service.ingest.pipeline import ingest_file
from service.state import Services
from tests.conftest import Servers, app_client, make_settings, with_database
from tests.support.datasets import SECURITIES, load_sample
from tests.support.servers import TempPostgres

pytestmark = pytest.mark.slow

DATABASE = "shortflow"
# Every request must reach Postgres (no response cache) and a few hundred of them must pass.
UNCACHED = {"cache_enabled": False, "rate_limit_enabled": False}

QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        """query ($after: String) { securities(search: "iShares", first: 25, after: $after) {
            totalCount nodes { symbol name type } pageInfo { hasNextPage endCursor } } }""",
        {"after": None},
    ),
    (
        """query ($asOf: Date) { security(symbol: "IWM") {
            latestShortInterest(asOf: $asOf) { settlementDate shortInterest daysToCover
                shortPercentOfSharesOutstanding closePrice }
            shortInterest(asOf: $asOf) { totalCount nodes { settlementDate shortInterest } } } }""",
        {"asOf": "2026-08-10"},
    ),
    (
        """{ index(code: "R2000") { code trackingFunds { symbol }
            shortExposure { settlementDate singleStockShortInterest constituentsReporting
                etfShortInterest } } }""",
        {},
    ),
    (
        """{ security(symbol: "IWM") { fundFlows(period: WEEK, from: "2026-01-01",
            to: "2026-03-31") { periodEnd flowUsd daysReported } } }""",
        {},
    ),
    (
        """{ squeezeScreen(asOf: "2026-08-20", first: 5) { asOf evaluated
            candidates { security { symbol } score daysToCover } } }""",
        {},
    ),
]
LOAD_QUERY = {
    "query": '{ security(symbol: "IWM") { symbol latestShortInterest { shortInterest } } }'
}
PROBE_SYMBOL = "ZZRPL"
UNANNOUNCED = "ZZRPU"


@dataclass
class Cluster:
    primary: TempPostgres
    replica: TempPostgres

    @property
    def primary_url(self) -> str:
        return with_database(self.primary.url, DATABASE)

    @property
    def replica_url(self) -> str:
        return with_database(self.replica.url, DATABASE)


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _replayed(primary_url: str, replica_url: str, within: float = 10.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    primary = await asyncpg.connect(primary_url)
    replica = await asyncpg.connect(replica_url)
    try:
        target = parse_lsn(await primary.fetchval("SELECT pg_current_wal_lsn()::text"))
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            replayed = await replica.fetchval("SELECT pg_last_wal_replay_lsn()::text")
            if parse_lsn(replayed) >= target:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the replica did not replay up to {format_lsn(target)}")
    finally:
        await primary.close()
        await replica.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not under pytest's tmp_path: every pytest session that starts resets /tmp/pytest-of-<user>
    # to mode 0700, which locks the `pgserver` user (the servers' owner when we run as root) out
    # of its data directories, and a restart in the middle of a test would fail.
    root = Path(tempfile.mkdtemp(prefix="shortflow-replicas-"))
    primary = TempPostgres(root / "primary").initdb().start()
    # Every client connection to the replica is logged, so a test can prove none was made.
    replica = primary.replica(root / "replica", extra_conf="log_connections = on").start()
    cluster = Cluster(primary, replica)
    try:
        asyncio.run(_execute(primary.url, f"CREATE DATABASE {DATABASE}"))
        asyncio.run(migrate(cluster.primary_url))
        (root / "sample").mkdir()
        load_sample(cluster.primary_url, root / "sample")
        asyncio.run(_replayed(cluster.primary_url, cluster.replica_url))
        yield cluster
    finally:
        replica.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def services_of(client: app_client) -> Services:
    # asgi-lifespan keeps the lifespan's state in a private dict; the app offers no other door.
    found: Services = client._manager._state["shortflow"]
    return found


async def wait_until(condition: Callable[[], object], within: float, what: str) -> float:
    """Poll `condition` every 20 ms; the seconds it took, or fail naming `what`."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > within:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_replica_answers_like_a_single_node(
    cluster: Cluster, servers: Servers, redis_prefix: str
) -> None:
    single = make_settings(cluster.primary_url, servers.redis_url, redis_prefix, **UNCACHED)
    async with app_client(single) as client:
        expected = [await post(client, query, variables) for query, variables in QUERIES]

    replicated = make_settings(
        cluster.primary_url,
        servers.redis_url,
        redis_prefix,
        database_replica_urls=[cluster.replica_url],
        **UNCACHED,
    )
    context = app_client(replicated)
    async with context as client:
        db = services_of(context).db
        (replica,) = db.replicas.members
        await wait_until(lambda: db.replicas.eligible(), 5, "the replica becomes eligible")
        answers = [await post(client, query, variables) for query, variables in QUERIES]
        sessions = await _fetchval(
            cluster.replica_url,
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = 'shortflow' AND datname = $1",
            DATABASE,
        )

    assert answers == expected
    assert answers[0]["securities"]["totalCount"] > 300
    assert answers[1]["security"]["shortInterest"]["totalCount"] >= 1
    assert replica.reads >= len(QUERIES), "the reads did not run on the replica"
    assert db.replicas.primary_reads == 0, "some reads ran on the primary"
    assert sessions >= 1, "no pooled connection of the API on the replica"
    print(
        f"\n{len(QUERIES)} GraphQL queries: {replica.reads} reads on the replica, 0 on the primary"
    )


async def _fetchval(url: str, sql: str, *args: object) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def _probe_file(directory: Path, symbol: str, name: str) -> Path:
    header = SECURITIES[0]
    row = [symbol, name, "stock", "NYSE", 1_000_000, 900_000, "2026-07-01", None]
    return write_csv(directory / f"{symbol.lower()}-{name.split()[0].lower()}.csv", header, [row])


@pytest.fixture
async def subscription(servers: Servers, redis_prefix: str) -> AsyncIterator[Any]:
    client = Redis.from_url(servers.redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(invalidation_channel(redis_prefix))
    yield pubsub
    await pubsub.aclose()
    await client.aclose()


async def next_invalidation(pubsub: Any, within: float = 10.0) -> Invalidation:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None:
            return decode_invalidation(message["data"])
    raise AssertionError("no message on the invalidation channel")


async def test_observe_lsn_keeps_reads_fresh_while_the_replica_lags(
    cluster: Cluster, servers: Servers, redis_prefix: str, subscription: Any, tmp_path: Path
) -> None:
    # No periodic re-read of the primary's position here: only the announcement may move reads.
    reader = Database(
        cluster.primary_url,
        replica_dsns=[cluster.replica_url],
        min_size=1,
        max_size=2,
        primary_lsn_interval_s=3600,
    )
    writer = Database(cluster.primary_url, min_size=1, max_size=2, statement_timeout_ms=600_000)
    await reader.open()
    await writer.open()
    health = asyncio.create_task(reader.watch_replicas())
    replica_conn = await asyncpg.connect(cluster.replica_url)
    (replica,) = reader.replicas.members
    securities = SecurityRepository(reader)

    async def publish(versions: dict[str, int], lsn: str | None) -> None:
        await publish_versions(servers.redis_url, redis_prefix, versions, lsn)

    try:
        await wait_until(lambda: reader.replicas.eligible(), 5, "the replica becomes eligible")
        stats = track_queries()
        assert await securities.by_symbol(PROBE_SYMBOL) is None
        assert (replica.reads, reader.replicas.primary_reads) == (1, 0)

        # From here the startup process replays no further WAL record until resumed.
        await replica_conn.execute("SELECT pg_wal_replay_pause()")
        outcome = await ingest_file(
            writer,
            _probe_file(tmp_path, PROBE_SYMBOL, "Replica Lag Probe"),
            "securities",
            after_commit=publish,
        )
        assert outcome.status == "applied", outcome.error
        assert outcome.lsn is not None
        message = await next_invalidation(subscription)
        assert message == Invalidation(versions=outcome.versions, lsn=outcome.lsn)
        assert message.versions, "the ingest bumped no dataset version"

        # The replica really lags: without the announcement it still answers the old state.
        assert await securities.by_symbol(PROBE_SYMBOL) is None
        assert (replica.reads, reader.replicas.primary_reads) == (2, 0)

        assert message.lsn is not None
        reader.observe_lsn(message.lsn)
        fresh = await securities.by_symbol(PROBE_SYMBOL)
        assert fresh is not None
        assert fresh.name == "Replica Lag Probe"
        await asyncio.sleep(0.3)  # several health checks: still behind, still not used
        assert await securities.by_symbol(PROBE_SYMBOL) is not None
        assert (replica.reads, reader.replicas.primary_reads) == (2, 2)

        # A process started now must not read older data than the primary holds at its start.
        newcomer = Database(
            cluster.primary_url,
            replica_dsns=[cluster.replica_url],
            min_size=0,
            max_size=1,
            primary_lsn_interval_s=3600,
        )
        await newcomer.open()
        try:
            assert await SecurityRepository(newcomer).by_symbol(PROBE_SYMBOL) is not None
            assert newcomer.replicas.primary_reads == 1
            assert newcomer.replicas.members[0].reads == 0
        finally:
            await newcomer.close()

        await replica_conn.execute("SELECT pg_wal_replay_resume()")
        caught_up = await wait_until(
            lambda: reader.replicas.eligible(), 5, "the replica catches up and serves again"
        )
        back = await securities.by_symbol(PROBE_SYMBOL)
        assert back is not None
        assert (replica.reads, reader.replicas.primary_reads) == (3, 2)

        # A write nobody announced stays invisible until the process syncs with the primary.
        await replica_conn.execute("SELECT pg_wal_replay_pause()")
        await _execute(
            cluster.primary_url,
            f"INSERT INTO security (symbol, name) VALUES ('{UNANNOUNCED}', 'Unannounced')",
        )
        assert await securities.by_symbol(UNANNOUNCED) is None
        assert await reader.sync_with_primary()
        assert await securities.by_symbol(UNANNOUNCED) is not None
        assert (replica.reads, reader.replicas.primary_reads) == (4, 3)
        assert stats.count == 8, "track_queries must count reads on replicas and the primary"
        print(f"\nreplay resumed: reads back on the replica after {caught_up * 1000:.0f} ms")
    finally:
        await replica_conn.execute("SELECT pg_wal_replay_resume()")
        await replica_conn.close()
        health.cancel()
        await asyncio.gather(health, return_exceptions=True)
        await reader.close()
        await writer.close()


def test_required_lsn_only_rises() -> None:
    replicas = ReplicaSet()
    replicas.observe(parse_lsn("0/3000148"))
    replicas.observe(parse_lsn("0/2000000"))
    assert replicas.required_lsn is not None
    assert format_lsn(replicas.required_lsn) == "0/3000148"
    replicas.observe(parse_lsn("1/0"))
    assert format_lsn(replicas.required_lsn) == "1/0"
    assert parse_lsn("16/B374D848") == 0x16_B374D848
    for bad in ("", "3000148", "0/xyz", "100000000/0"):
        with pytest.raises(ValueError, match="WAL position"):
            parse_lsn(bad)


async def test_replica_stopped_under_load_fails_no_request(
    cluster: Cluster, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(
        cluster.primary_url,
        servers.redis_url,
        redis_prefix,
        database_replica_urls=[cluster.replica_url],
        **UNCACHED,
    )
    context = app_client(settings)
    outcomes: list[tuple[str, int, bool]] = []
    phase = "before"
    done = asyncio.Event()

    async def worker(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            response = await client.post("/graphql", json=LOAD_QUERY)
            ok = response.status_code == 200 and "errors" not in response.json()
            outcomes.append((phase, response.status_code, ok))
            await asyncio.sleep(0.01)

    try:
        async with context as client:
            db = services_of(context).db
            (replica,) = db.replicas.members
            await wait_until(lambda: db.replicas.eligible(), 5, "the replica becomes eligible")
            workers = [asyncio.create_task(worker(client)) for _ in range(3)]
            try:
                await wait_until(lambda: replica.reads >= 60, 10, "reads on the replica")

                phase = "outage"
                stopped = time.perf_counter()
                await asyncio.to_thread(cluster.replica.stop, "immediate")
                detected = await wait_until(lambda: not replica.healthy, 5, "replica seen down")
                on_replica, on_primary = replica.reads, db.replicas.primary_reads
                await asyncio.sleep(1.0)
                outage_primary = db.replicas.primary_reads - on_primary
                outage_replica = replica.reads - on_replica

                phase = "restarted"
                await asyncio.to_thread(cluster.replica.start)
                restarted = time.perf_counter()
                returned = await wait_until(
                    lambda: replica.reads > on_replica + 20, 10, "reads back on the replica"
                )
            finally:
                done.set()
                await asyncio.gather(*workers)
    finally:
        if not cluster.replica.is_running():
            cluster.replica.start()

    failed = [o for o in outcomes if not o[2]]
    by_phase = {p: sum(1 for o in outcomes if o[0] == p) for p in ("before", "outage", "restarted")}
    print(
        f"\n{len(outcomes)} requests ({by_phase}), {len(failed)} failed; replica marked down "
        f"{detected * 1000:.0f} ms after pg_ctl stop returned; in the next second "
        f"{outage_primary} reads on the primary, "
        f"{outage_replica} on the replica; {replica.failures} replica reads retried on the "
        f"primary; reads back on the replica {returned:.2f} s after its restart "
        f"(outage {restarted - stopped:.2f} s)"
    )
    assert failed == [], f"{len(failed)} failed requests, e.g. {failed[:3]}"
    assert outage_primary > 0, "reads did not move to the primary"
    assert outage_replica == 0
    assert by_phase["outage"] > 0
    assert len(outcomes) < 2000  # bounded, as a drill should be


async def test_ingest_and_migrations_never_touch_the_replica(
    cluster: Cluster, servers: Servers, redis_prefix: str, subscription: Any, tmp_path: Path
) -> None:
    target = "cli_target"
    await _execute(cluster.primary.url, f"CREATE DATABASE {target}")
    env = {
        **os.environ,
        "DATABASE_URL": with_database(cluster.primary.url, target),
        "DATABASE_REPLICA_URLS": with_database(cluster.replica.url, target),
        "REDIS_URL": servers.redis_url,
        "SHORTFLOW_REDIS_PREFIX": redis_prefix,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
    }
    probe = _probe_file(tmp_path, PROBE_SYMBOL, "Streamed Not Connected")

    def shortflow(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "service", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)

    before = _connections(cluster.replica)
    migrated = await asyncio.to_thread(shortflow, "migrate")
    ingested = await asyncio.to_thread(shortflow, "ingest", "securities", str(probe))
    after = _connections(cluster.replica)
    assert migrated.returncode == 0, migrated.stderr
    assert ingested.returncode == 0, ingested.stderr
    assert after == before, f"{after - before} connection(s) to the replica during ingest/migrate"

    # The CLI announced the commit's position, and the data reached the replica by streaming.
    message = await next_invalidation(subscription)
    assert message.lsn is not None
    replica = await asyncpg.connect(with_database(cluster.replica.url, target))
    try:
        deadline = time.monotonic() + 10
        while parse_lsn(
            await replica.fetchval("SELECT pg_last_wal_replay_lsn()::text")
        ) < parse_lsn(message.lsn):
            assert time.monotonic() < deadline, "the replica did not replay the ingest"
            await asyncio.sleep(0.02)
        name = await replica.fetchval("SELECT name FROM security WHERE symbol = $1", PROBE_SYMBOL)
    finally:
        await replica.close()
    assert name == "Streamed Not Connected"
    assert _connections(cluster.replica) > after, "the replica log does not show connections"
    print(f"\nmigrate + ingest: {after - before} connections to the replica; lsn {message.lsn}")


def _connections(server: TempPostgres) -> int:
    return server.log.read_text().count("connection received")
