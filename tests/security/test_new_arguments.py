"""Bounds of the arguments this wave added (indexes, settlement calendar): out of range is a 4xx
with a code, in both APIs, never a 500 or an unbounded list."""

from __future__ import annotations

import httpx
import pytest

GR = "application/graphql-response+json"


@pytest.mark.parametrize(
    "query",
    [
        "{ indexes(first: 1001) { code } }",
        "{ indexes(first: -1) { code } }",
        "{ settlementCalendar(year: 3000) { settlementDate } }",
        "{ settlementCalendar(year: 1200) { settlementDate } }",
    ],
)
async def test_graphql_bounds(client: httpx.AsyncClient, query: str) -> None:
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not (body.get("data") or {}).get("indexes")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/indexes?limit=0",
        "/v1/indexes?limit=1001",
        "/v1/indexes?cursor=not-a-cursor",
        "/v1/settlement-calendar?year=3000",
        "/v1/settlement-calendar?year=abc",
        "/v1/settlement-calendar",
    ],
)
async def test_rest_bounds(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"]
    again = await client.get(path)
    assert again.status_code == 400
    assert again.headers.get("x-cache") != "HIT", "a refusal is never kept"
