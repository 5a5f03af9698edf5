"""The app over HTTP: probes, the error shape, and a first GraphQL query."""

from __future__ import annotations

import logging

import asyncpg
import httpx
import pytest

from tests.conftest import Servers, app_client, make_settings
from tests.support.servers import free_port


async def test_healthz_answers_while_the_process_lives(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_readyz_checks_postgres_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}


async def test_readyz_is_503_with_the_reason_when_redis_is_unreachable(
    database_url: str, redis_prefix: str
) -> None:
    settings = make_settings(database_url, f"redis://127.0.0.1:{free_port()}/0", redis_prefix)
    async with app_client(settings) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["redis"].startswith("unavailable")
    assert response.headers["retry-after"]


async def test_readyz_is_503_when_postgres_is_unreachable(
    servers: Servers, redis_prefix: str
) -> None:
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    settings = make_settings(dead, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        ready = await client.get("/readyz")
        health = await client.get("/healthz")
        query = await client.post(
            "/graphql", json={"query": '{ security(symbol: "IWM") { name } }'}
        )
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgres"].startswith("unavailable")
    assert health.status_code == 200
    assert query.status_code == 503
    assert query.headers["retry-after"] == "5"
    assert query.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"


async def test_unknown_route_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NOT_FOUND", "message": "no route for /no/such/thing"}
    }


async def test_wrong_method_is_a_json_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response.headers["allow"]


async def test_malformed_graphql_body_is_a_400_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_security_by_symbol(client: httpx.AsyncClient, database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO security (symbol, name, type, market_class) "
            "VALUES ('IWM', 'iShares Russell 2000 ETF', 'etf', 'ARCA')"
        )
    finally:
        await conn.close()
    query = '{ security(symbol: "IWM") { symbol name type marketClass } }'
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert response.json()["data"] == {
        "security": {
            "symbol": "IWM",
            "name": "iShares Russell 2000 ETF",
            "type": "ETF",
            "marketClass": "ARCA",
        }
    }
    missing = await client.post("/graphql", json={"query": '{ security(symbol: "NOPE") { name } }'})
    assert missing.json()["data"] == {"security": None}


@pytest.mark.parametrize(("mode", "logged"), [("all", [200, 404]), ("errors", [404]), ("off", [])])
async def test_access_lines_follow_the_access_log_setting(
    database_url: str,
    servers: Servers,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    logged: list[int],
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix, access_log=mode)
    async with app_client(settings) as client:
        with caplog.at_level(logging.INFO, logger="service.http"):
            await client.get("/healthz")
            await client.get("/nowhere")
    lines = [r for r in caplog.records if r.name == "service.http"]
    assert [r.status for r in lines] == logged  # type: ignore[attr-defined]
