"""GraphQL over HTTP: methods, media types, status codes, limits, and errors without internals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import Servers, app_client, make_settings

GR = "application/graphql-response+json"
SIMPLE = "{ settlementCalendar(year: 2026) { settlementDate } }"


async def test_get_runs_queries(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": SIMPLE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert len(response.json()["data"]["settlementCalendar"]) == 24


async def test_get_with_variables_and_operation_name(client: httpx.AsyncClient) -> None:
    query = (
        "query A($y: Int!) { settlementCalendar(year: $y) { settlementDate } } "
        "query B { __typename }"
    )
    response = await client.get(
        "/graphql",
        params={"query": query, "variables": json.dumps({"y": 2025}), "operationName": "A"},
    )
    assert response.json()["data"]["settlementCalendar"][0]["settlementDate"] == "2025-01-15"


async def test_mutation_over_get_is_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { x }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_graphql_response_json_makes_request_errors_4xx(client: httpx.AsyncClient) -> None:
    for body in ({"query": "{ nope }"}, {"query": "{ settlementCalendar(year: "}):
        as_json = await client.post("/graphql", json=body)
        as_graphql = await client.post("/graphql", json=body, headers={"accept": GR})
        assert as_json.status_code == 200
        assert as_graphql.status_code == 400
        assert as_graphql.headers["content-type"].startswith(GR)
        assert as_graphql.json()["errors"][0]["extensions"]["code"] in (
            "GRAPHQL_VALIDATION_FAILED",
            "GRAPHQL_PARSE_FAILED",
        )
        assert "data" not in as_graphql.json()


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"{}", 415),
        ("application/json", b"[1, 2]", 400),
        ("application/json", b'{"query": 42}', 400),
        ("application/json", b"{bad", 400),
    ],
)
async def test_malformed_requests_are_4xx(
    client: httpx.AsyncClient, content_type: str, body: bytes, status: int
) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    assert response.json()["errors"][0]["message"]


async def test_unacceptable_accept_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": SIMPLE}, headers={"accept": "text/xml"})
    assert response.status_code == 406


async def test_huge_bodies_are_413(client: httpx.AsyncClient) -> None:
    body = json.dumps({"query": "{ __typename }", "variables": {"x": "y" * 200_000}})
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b'{"query": "{ __typename }", "x": "', b"y" * 150_000, b'"}'):
            yield chunk

    chunked = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413, "a body without Content-Length is measured as it comes"


async def errors_of(
    client: httpx.AsyncClient, query: str, **variables: object
) -> list[dict[str, object]]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"accept": GR}
    )
    assert response.status_code in (200, 400), response.text
    errors: list[dict[str, object]] = response.json()["errors"]
    return errors


def code(errors: list[dict[str, object]]) -> object:
    return errors[0]["extensions"]["code"]  # type: ignore[index]


async def test_first_is_capped(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, "{ securities(first: 1001) { totalCount } }")
    assert code(errors) == "BAD_USER_INPUT"
    assert "`first` must be between 0 and 1000" in str(errors[0]["message"])


async def test_deep_queries_are_refused(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    # The schema has no cycles, so a low limit shows the rule (the default is 12 levels).
    settings = make_settings(database_url, servers.redis_url, redis_prefix, query_max_depth=4)
    deep = """{ index(code: "R2000") { constituents { edges { node {
        latestShortInterest { flags } } } } } }"""
    async with app_client(settings) as client:
        errors = await errors_of(client, deep)
        shallow = await client.post("/graphql", json={"query": '{ index(code: "X") { code } }'})
    assert code(errors) == "QUERY_TOO_DEEP"
    assert "6 levels deep; at most 4" in str(errors[0]["message"])
    assert shallow.status_code == 200


async def test_alias_floods_are_refused(client: httpx.AsyncClient) -> None:
    aliased = (
        "{ "
        + " ".join(f"a{i}: settlementCalendar(year: 2026) {{ settlementDate }}" for i in range(40))
        + " }"
    )
    assert code(await errors_of(client, aliased)) == "TOO_MANY_ALIASES"


async def test_token_floods_are_refused(client: httpx.AsyncClient) -> None:
    flood = "{ " + "__typename " * 6000 + "}"
    assert code(await errors_of(client, flood)) == "TOO_MANY_TOKENS"


async def test_many_operations_are_refused(client: httpx.AsyncClient) -> None:
    document = " ".join(f"query Q{i} {{ __typename }}" for i in range(11))
    response = await client.post(
        "/graphql", json={"query": document, "operationName": "Q1"}, headers={"accept": GR}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_OPERATIONS"


async def test_costly_queries_are_refused_before_running(client: httpx.AsyncClient) -> None:
    query = """{ securities(first: 1000) { nodes { shortInterest(first: 1000) { nodes {
        settlementDate shortInterest } } } } }"""
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
    body = response.json()
    assert response.status_code == 400
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert body["extensions"]["cost"]["requested"] > body["extensions"]["cost"]["budget"]


async def test_accepted_queries_report_their_cost(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": SIMPLE})
    cost = response.json()["extensions"]["cost"]
    assert cost == {"requested": 1 + 24 * 1, "budget": 50_000, "actualQueries": 0}


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026-13-01"])
async def test_an_impossible_date_is_refused_without_internals(
    client: httpx.AsyncClient, value: str
) -> None:
    query = (
        'query ($d: Date) { security(symbol: "X") '
        "{ latestShortInterest(asOf: $d) { shortInterest } } }"
    )
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"d": value}}, headers={"accept": GR}
    )
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert f"{value!r} is not a valid date (YYYY-MM-DD)" in message
    for leak in ("Traceback", "ValueError", 'File "', "asyncpg", "site-packages"):
        assert leak not in response.text
    literal = await client.post(
        "/graphql",
        json={"query": f'{{ security(symbol: "X") {{ prices(from: "{value}") {{ close }} }} }}'},
        headers={"accept": GR},
    )
    assert literal.status_code == 400
    assert "is not a valid date" in literal.text


async def test_introspection_and_graphiql_can_be_switched_off(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(
        database_url, servers.redis_url, redis_prefix, introspection=False, graphiql=False
    )
    async with app_client(settings) as client:
        introspection = await client.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        page = await client.get("/graphql", headers={"accept": "text/html"})
        normal = await client.post("/graphql", json={"query": SIMPLE})
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert page.status_code == 404
    assert normal.status_code == 200


async def test_graphiql_page_loads_only_local_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text
    assert "https://" not in page.text
    for asset in (
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql-init.js",
    ):
        assert f"/graphql/static/{asset}" in page.text
        served = await client.get(f"/graphql/static/{asset}")
        assert served.status_code == 200, asset


async def test_a_nul_character_in_an_argument_is_a_user_error(client: httpx.AsyncClient) -> None:
    """Found by the fuzzer: Postgres refuses NUL in text, which must not surface as a 500."""
    response = await client.post(
        "/graphql", json={"query": '{ security(symbol: "\\u0000") { symbol } }'}
    )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "NUL" in error["message"]
