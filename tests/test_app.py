"""The app over HTTP: probes, the error shape, and a first GraphQL query."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import httpx
import orjson
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.logs import ACCESS_FLUSH_S, ACCESS_MAX_PENDING, AccessLines
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


def _access_lines(err: str) -> list[dict[str, object]]:
    lines = [orjson.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "service.http"]


@pytest.mark.parametrize(("mode", "logged"), [("all", [200, 404]), ("errors", [404]), ("off", [])])
async def test_access_lines_follow_the_access_log_setting(
    database_url: str,
    servers: Servers,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    logged: list[int],
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix, access_log=mode)
    with caplog.at_level(logging.INFO, logger="service.http"):
        async with app_client(settings) as client:
            await client.get("/healthz")
            await client.get("/nowhere")
    # Written in batches off the request path; the lifespan's end writes what is left.
    lines = _access_lines(capsys.readouterr().err)
    assert [line["status"] for line in lines] == logged


async def test_an_access_line_carries_the_fields_a_log_line_had_and_is_written_within_its_delay(
    database_url: str,
    servers: Servers,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix)
    with caplog.at_level(logging.INFO, logger="service.http"):
        async with app_client(settings) as client:
            await client.get("/healthz", headers={"X-Request-ID": "req-0123456789"})
            await asyncio.sleep(ACCESS_FLUSH_S * 3)
            # The timer wrote it while the app still runs: a quiet server is not silent.
            (line,) = _access_lines(capsys.readouterr().err)
    assert line["request_id"] == "req-0123456789"
    assert line["message"] == "GET /healthz 200"
    assert line["level"] == "INFO"
    assert {"time", "method", "path", "route", "status", "cache", "duration_ms", "db_queries"} <= (
        line.keys()
    )
    assert line["route"] == "/healthz"
    assert isinstance(line["duration_ms"], float)


def test_console_access_lines_escape_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = AccessLines("console")
    lines.add("GET", "/x\nERROR forged", "unmatched", 404, "none", 0.001, 0, None)
    (written,) = capsys.readouterr().err.splitlines()  # no loop: written at once
    assert written.endswith("INFO    service.http: GET /x\\nERROR forged 404")


async def test_a_burst_of_access_lines_is_written_in_bounded_batches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = AccessLines("json")
    for n in range(ACCESS_MAX_PENDING + 5):
        lines.add("GET", f"/v1/{n}", "/v1/{x}", 200, "HIT", 0.0001, 0, None)
    # The batch that reached the bound was written at once; the rest waits for its timer.
    assert len(_access_lines(capsys.readouterr().err)) == ACCESS_MAX_PENDING
    lines.flush()
    rest = _access_lines(capsys.readouterr().err)
    assert [line["path"] for line in rest] == [f"/v1/{ACCESS_MAX_PENDING + n}" for n in range(5)]


async def test_an_unexpected_error_is_a_bare_500_logged_once_with_its_traceback(
    database_url: str,
    servers: Servers,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("a detail only the log may hold")

    manager = app_client(make_settings(database_url, servers.redis_url, redis_prefix))
    manager.app.router.routes.append(Route("/boom", boom))
    with caplog.at_level(logging.ERROR):
        async with manager as client:
            answer = await client.get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "an internal error occurred; it has been logged",
        }
    }
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-request-id"]
    # One layer logs it (Starlette's own error layer is not in the stack to log it twice).
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "a detail only the log may hold" in str(errors[0].exc_info[1])
