"""Postgres going away: requests fail fast with 503 + Retry-After, and recover without a restart."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from service.db.migrate import migrate
from tests.conftest import Servers, app_client, make_settings
from tests.support.servers import TempPostgres

QUERY = {"query": '{ security(symbol: "IWM") { symbol } }'}
# Asks for an answer computed now: the response cache would otherwise answer from memory.
FRESH = {"Cache-Control": "no-cache"}


@pytest.mark.slow
async def test_postgres_outage_is_503_then_recovers_by_itself(
    own_postgres: TempPostgres, servers: Servers, redis_prefix: str
) -> None:
    await migrate(own_postgres.url)
    settings = make_settings(own_postgres.url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        assert (await client.post("/graphql", json=QUERY)).status_code == 200

        await asyncio.to_thread(own_postgres.stop, "immediate")
        started = time.perf_counter()
        during = [await client.post("/graphql", json=QUERY, headers=FRESH) for _ in range(5)]
        elapsed = time.perf_counter() - started
        cached = await client.post("/graphql", json=QUERY)
        ready = await client.get("/readyz")

        await asyncio.to_thread(own_postgres.start)
        recovered = await _first_success(client, within=10)

    assert [r.status_code for r in during] == [503] * 5
    assert all(r.headers["retry-after"] == "5" for r in during)
    assert during[0].json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert elapsed < 2.0, (
        f"five requests during the outage took {elapsed:.2f}s; they must fail fast"
    )
    # No ingest can commit while Postgres is down, so answers already cached stay right.
    assert cached.status_code == 200
    assert cached.headers["x-cache"] == "HIT"
    assert ready.status_code == 503
    assert recovered is not None, "the service did not recover after Postgres came back"
    print(
        f"outage: 5 requests answered 503 in {elapsed * 1000:.0f} ms; recovered in {recovered:.2f}s"
    )


async def _first_success(client: httpx.AsyncClient, within: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        if (await client.post("/graphql", json=QUERY, headers=FRESH)).status_code == 200:
            return time.perf_counter() - started
        await asyncio.sleep(0.1)
    return None
