"""API keys, authentication and rate limits, as a partner sees them (real Postgres and Redis)."""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time

import asyncpg
import httpx
import pytest

from service.access.keys import new_key
from service.access.ratelimit import RateLimiter
from service.db.pool import Database
from service.db.repositories.keys import KeyRepository
from service.redisclient import create_redis
from tests.conftest import Servers, app_client, make_settings
from tests.support.servers import free_port

QUERY = {"query": "{ settlementCalendar(year: 2026) { settlementDate } }"}


async def create_key(database_url: str, per_minute: int, name: str = "partner") -> str:
    db = Database(database_url, min_size=0, max_size=1)
    await db.open()
    try:
        key, prefix, digest = new_key()
        await KeyRepository(db).create(name, prefix, digest, per_minute)
        return key
    finally:
        await db.close()


def cli(
    database_url: str, redis_url: str, *args: str, prefix: str = "sf:"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SHORTFLOW_REDIS_PREFIX": prefix,
    }
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
async def test_keys_cli_shows_a_key_once_and_stores_only_its_hash(
    database_url: str, servers: Servers
) -> None:
    created = cli(
        database_url, servers.redis_url, "keys", "create", "--name", "Acme", "--rate-limit", "5/min"
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sfk_")
    assert "shown only now" in created.stderr
    listed = cli(database_url, servers.redis_url, "keys", "list")
    assert listed.returncode == 0
    assert "Acme" in listed.stdout
    assert "5/min" in listed.stdout
    assert key not in listed.stdout
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchrow("SELECT * FROM api_key")
    finally:
        await conn.close()
    assert key not in str(dict(stored))
    bad_rate = cli(
        database_url, servers.redis_url, "keys", "create", "--name", "X", "--rate-limit", "fast"
    )
    assert bad_rate.returncode == 2
    assert "N/min" in bad_rate.stderr
    revoked = cli(database_url, servers.redis_url, "keys", "revoke", str(stored["id"]))
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    missing = cli(database_url, servers.redis_url, "keys", "revoke", "999")
    assert missing.returncode == 1
    assert "no API key with id 999" in missing.stderr


async def test_a_key_limited_to_five_a_minute(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    key = await create_key(database_url, 5)
    settings = make_settings(database_url, servers.redis_url, redis_prefix, require_api_key=True)
    async with app_client(settings) as client:
        anonymous = await client.post("/graphql", json=QUERY)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
        wrong = await client.post("/graphql", json=QUERY, headers={"X-API-Key": "sfk_nope_nope"})
        assert wrong.status_code == 401
        malformed = await client.post("/graphql", json=QUERY, headers={"Authorization": "Basic x"})
        assert malformed.status_code == 401
        assert "Bearer" in malformed.json()["errors"][0]["message"]

        bearer = {"Authorization": f"Bearer {key}"}
        remaining = []
        for headers in (bearer, {"X-API-Key": key}, bearer, bearer, bearer):
            ok = await client.post("/graphql", json=QUERY, headers=headers)
            assert ok.status_code == 200, ok.text
            assert ok.headers["ratelimit-limit"] == "5"
            remaining.append(int(ok.headers["ratelimit-remaining"]))
        assert remaining == [4, 3, 2, 1, 0]
        limited = await client.post("/graphql", json=QUERY, headers=bearer)
        assert limited.status_code == 429
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # GCRA at 5/min frees one request every 12 s.
        assert 1 <= int(limited.headers["retry-after"]) <= 12
        assert limited.headers["ratelimit-remaining"] == "0"
        metrics = (await client.get("/metrics")).text
    assert 'shortflow_rate_limited_requests_total{tier="key"} 1.0' in metrics
    assert 'route="/graphql",status="401"' in metrics


async def test_rest_routes_are_guarded_like_graphql(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    key = await create_key(database_url, 2)
    settings = make_settings(database_url, servers.redis_url, redis_prefix, require_api_key=True)
    async with app_client(settings) as client:
        refused = await client.get("/v1/securities")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHORIZED"
        for _ in range(2):
            allowed = await client.get("/v1/securities", headers={"X-API-Key": key})
            assert allowed.status_code != 401
            assert allowed.headers["ratelimit-limit"] == "2"
        limited = await client.get("/v1/securities", headers={"X-API-Key": key})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert int(limited.headers["retry-after"]) >= 1
        # Probes, metrics and the API documents are never metered.
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200


async def test_anonymous_callers_are_limited_by_ip(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix, anonymous_rate_limit=3)
    async with app_client(settings) as client:
        codes = [(await client.post("/graphql", json=QUERY)).status_code for _ in range(4)]
        page = await client.get("/graphql", headers={"accept": "text/html"})
    assert codes == [200, 200, 200, 429]
    assert page.status_code == 200, "the GraphiQL page itself is not metered"


async def test_graphql_spends_its_query_cost_from_the_budget(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    key = await create_key(database_url, 100)
    settings = make_settings(database_url, servers.redis_url, redis_prefix)
    costly = {"query": '{ security(symbol: "X") { prices { close } shortVolume { shortVolume } } }'}
    async with app_client(settings) as client:
        answer = await client.post("/graphql", json=costly, headers={"X-API-Key": key})
        cost = answer.json()["extensions"]["cost"]["requested"]
        cheap = await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})
    assert cost >= 5_000
    # One token for the request, one per 1,000 of estimated cost.
    assert int(answer.headers["ratelimit-remaining"]) == 100 - 1 - cost // 1_000
    assert int(cheap.headers["ratelimit-remaining"]) == 100 - 2 - cost // 1_000


async def test_limits_fail_open_when_redis_is_down(database_url: str, redis_prefix: str) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    settings = make_settings(database_url, dead_redis, redis_prefix, anonymous_rate_limit=1)
    async with app_client(settings) as client:
        codes = [(await client.post("/graphql", json=QUERY)).status_code for _ in range(5)]
    assert codes == [200] * 5


async def test_a_revoked_key_stops_working(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    key = await create_key(database_url, 100)
    settings = make_settings(database_url, servers.redis_url, redis_prefix, require_api_key=True)
    async with app_client(settings) as client:
        assert (await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})).is_success
        conn = await asyncpg.connect(database_url)
        try:
            key_id = await conn.fetchval("SELECT id FROM api_key")
        finally:
            await conn.close()
        revoked = await asyncio.to_thread(
            lambda: cli(
                database_url, servers.redis_url, "keys", "revoke", str(key_id), prefix=redis_prefix
            )
        )
        assert revoked.returncode == 0, revoked.stderr
        # The revocation reaches the running service over Redis pub/sub within moments.
        for _ in range(50):
            answer = await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})
            if answer.status_code == 401:
                break
            await asyncio.sleep(0.05)
    assert answer.status_code == 401


async def test_leases_never_let_processes_exceed_the_limit(
    servers: Servers, redis_prefix: str
) -> None:
    """Two processes' limiters sharing one budget: together they never pass 600 a minute, and
    lose at most a lease's worth to tokens leased and not yet given back."""
    redis = create_redis(servers.redis_url)
    try:
        first = RateLimiter(redis, redis_prefix)
        second = RateLimiter(redis, redis_prefix)
        allowed = 0
        started = time.monotonic()
        for index in range(800):
            limiter = first if index % 3 else second
            decision = await limiter.spend("ip:198.51.100.7", 600)
            allowed += decision.allowed
        # The budget refills at 10 tokens a second while the loop runs (slowly, on a busy
        # machine): what the limit allows is 600 plus what came back meanwhile.
        refilled = math.ceil((time.monotonic() - started) * 10)
        alone = RateLimiter(redis, redis_prefix)
        solo = sum([(await alone.spend("key:solo", 50)).allowed for _ in range(60)])
    finally:
        await redis.aclose()
    assert 590 <= allowed <= 600 + refilled
    assert solo == 50


async def test_metrics_report_requests_cache_pool_and_ingest_runs(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/graphql", json=QUERY)
    await client.post("/graphql", json=QUERY)
    await client.get("/nowhere")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for cache in ("MISS", "HIT"):
        sample = (
            f'shortflow_http_requests_total{{cache="{cache}",method="POST",route="/graphql",'
            'status="200"} 1.0'
        )
        assert sample in text
    assert 'shortflow_cache_lookups_total{result="hit",tier="memory"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    assert "shortflow_http_request_duration_seconds_bucket" in text
    assert 'shortflow_db_pool_connections{state="max"} 5.0' in text
