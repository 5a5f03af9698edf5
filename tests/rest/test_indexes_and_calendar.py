"""/v1/indexes, /v1/settlement-calendar, and an unknown index answered alike by both APIs."""

from __future__ import annotations

from typing import Any

import httpx

from service.analytics import calendar
from tests.conftest import Servers, app_client, make_settings


async def _gql(api: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await api.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_indexes_are_listed_with_their_names(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/indexes")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [
            {
                "code": "R2000",
                "name": "Russell 2000",
                "constituents": 1920,
                "tracking_funds": ["IWM", "VTWO"],
            }
        ],
        "next_cursor": None,
    }
    assert response.headers["x-cache"] in ("MISS", "BYPASS")
    again = await api.get("/v1/indexes")
    assert again.headers["x-cache"] == "HIT"  # cached like every other list
    graphql = await _gql(api, "{ indexes { code name constituents { totalCount } } }")
    assert graphql["data"]["indexes"] == [
        {"code": "R2000", "name": "Russell 2000", "constituents": {"totalCount": 1920}}
    ]
    assert (await _gql(api, '{ index(code: "R2000") { name } }'))["data"]["index"] == {
        "name": "Russell 2000"
    }


async def test_indexes_page_bounds_and_cursor(api: httpx.AsyncClient) -> None:
    empty = await api.get("/v1/indexes", params={"cursor": "aWR4OlIyMDAw"})  # after R2000
    assert empty.json() == {"data": [], "next_cursor": None}
    for params in ({"limit": "0"}, {"limit": "1001"}, {"cursor": "c2VjOklXTQ"}):
        bad = await api.get("/v1/indexes", params=params)
        assert bad.status_code == 400, params
        assert bad.json()["error"]["code"] == "INVALID_PARAMETER"
    after = await _gql(api, '{ indexes(after: "R2000") { code } }')
    assert after["data"]["indexes"] == []
    too_many = await _gql(api, "{ indexes(first: 5000) { code } }")
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_settlement_calendar_route_matches_graphql(api: httpx.AsyncClient) -> None:
    rest = await api.get("/v1/settlement-calendar", params={"year": "2026"})
    assert rest.status_code == 200, rest.text
    graphql = await _gql(
        api, "{ settlementCalendar(year: 2026) { settlementDate publicationDate } }"
    )
    assert [
        {"settlementDate": d["settlement_date"], "publicationDate": d["publication_date"]}
        for d in rest.json()["data"]
    ] == graphql["data"]["settlementCalendar"]
    assert len(rest.json()["data"]) == 24
    assert {"settlement_date": "2026-07-31", "publication_date": "2026-08-11"} in rest.json()[
        "data"
    ]
    csv_text = (await api.get("/v1/settlement-calendar?year=2026&format=csv")).text
    header, first = csv_text.splitlines()[:2]
    assert (header, first) == ("settlement_date,publication_date", "2026-01-15,2026-01-27")


async def test_settlement_calendar_year_is_required_and_bounded(api: httpx.AsyncClient) -> None:
    missing = await api.get("/v1/settlement-calendar")
    assert missing.status_code == 400
    assert missing.json()["error"] == {
        "code": "INVALID_PARAMETER",
        "message": "parameter `year` is required; expected a whole number from "
        f"{calendar.FIRST_YEAR} to {calendar.LAST_YEAR}",
    }
    for year in ("1979", "2101", "twenty"):
        bad = await api.get("/v1/settlement-calendar", params={"year": year})
        assert bad.status_code == 400, year
    graphql = await _gql(api, "{ settlementCalendar(year: 2101) { settlementDate } }")
    assert graphql["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_unknown_index_is_not_found_in_both_apis(api: httpx.AsyncClient) -> None:
    rest = await api.get("/v1/screens/squeeze", params={"index": "NOPE"})
    assert rest.status_code == 404
    assert rest.json()["error"] == {"code": "NOT_FOUND", "message": "no index with code 'NOPE'"}
    for query in (
        '{ squeezeCandidates(index: "NOPE") { score } }',
        '{ squeezeScreen(index: "NOPE") { evaluated } }',
        '{ securities(index: "NOPE") { totalCount } }',
    ):
        body = await _gql(api, query)
        assert body["data"] is None, query
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", query
        assert body["errors"][0]["message"] == "no index with code 'NOPE'"
    # A known index is no error.
    known = await _gql(api, '{ squeezeCandidates(index: "R2000", first: 1) { score } }')
    assert "errors" not in known


async def test_new_routes_need_a_key_like_every_v1_route(
    rest_sample_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(rest_sample_url, servers.redis_url, redis_prefix, require_api_key=True)
    async with app_client(settings) as client:
        for path in ("/v1/indexes", "/v1/settlement-calendar?year=2026"):
            response = await client.get(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "UNAUTHORIZED"
