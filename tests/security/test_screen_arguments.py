"""Bounds of `shortInterestScreen`'s arguments: page size, order keys, filter lists, cursors,
dates. Out of range is BAD_USER_INPUT before any screen is computed, never a 500 or an unbounded
page; the cost analysis charges the page it asks for."""

from __future__ import annotations

import httpx
import pytest

GR = "application/graphql-response+json"
NODES = "{ totalCount nodes { rank } }"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 1001", "between 0 and 1000"),
        ("first: -1", "between 0 and 1000"),
        (
            "orderBy: [{field: CHANGE}, {field: CHANGE}, {field: CHANGE}, {field: CHANGE}]",
            "at most 3",
        ),
        ('filter: {marketClasses: ["' + "X" * 11 + '"]}', "marketClasses"),
        ("filter: {marketClasses: [" + ",".join(['"NNM"'] * 21) + "]}", "marketClasses"),
        ("filter: {minChangePercent: 5, maxChangePercent: 1}", "is above"),
        ('after: "' + "A" * 40 + '"', "is not a cursor"),
        ('settlementDate: "2999-01-01"', "after the as-of date"),
        ('asOf: "2999-01-01"', "after today"),
    ],
)
async def test_screen_bounds(client: httpx.AsyncClient, arguments: str, message: str) -> None:
    query = f"{{ shortInterestScreen({arguments}) {NODES} }}"
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert message in body["errors"][0]["message"]
    assert not (body.get("data") or {}).get("shortInterestScreen")


async def test_a_page_of_the_screen_is_charged_by_its_size(client: httpx.AsyncClient) -> None:
    small = await client.post(
        "/graphql", json={"query": f"{{ shortInterestScreen(first: 1) {NODES} }}"}
    )
    large = await client.post(
        "/graphql", json={"query": f"{{ shortInterestScreen(first: 1000) {NODES} }}"}
    )
    cost = [r.json()["extensions"]["cost"]["requested"] for r in (small, large)]
    assert cost[1] >= cost[0] + 999  # each row of the page is charged


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 1001", "between 0 and 1000"),
        ("first: -1", "between 0 and 1000"),
        ('facility: "' + "X" * 200 + '"', "facility must be one of"),
        (
            "orderBy: [{field: TOTAL_VOLUME}, {field: TOTAL_VOLUME}, {field: TOTAL_VOLUME}, "
            "{field: TOTAL_VOLUME}]",
            "at most 3",
        ),
        ("filter: {marketClasses: [" + ",".join(['"NNM"'] * 21) + "]}", "marketClasses"),
        ("filter: {minShortVolumeRatio: 5, maxShortVolumeRatio: 1}", "is above"),
        ('after: "' + "A" * 40 + '"', "is not a cursor"),
        ('date: "2999-01-01"', "after today"),
    ],
)
async def test_short_volume_screen_bounds(
    client: httpx.AsyncClient, arguments: str, message: str
) -> None:
    query = f"{{ shortVolumeScreen({arguments}) {NODES} }}"
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert message in body["errors"][0]["message"]
    assert not (body.get("data") or {}).get("shortVolumeScreen")


async def test_a_page_of_the_short_volume_screen_is_charged_by_its_size(
    client: httpx.AsyncClient,
) -> None:
    pages = [
        await client.post(
            "/graphql", json={"query": f"{{ shortVolumeScreen(first: {n}) {NODES} }}"}
        )
        for n in (1, 1000)
    ]
    cost = [r.json()["extensions"]["cost"]["requested"] for r in pages]
    assert cost[1] >= cost[0] + 999


@pytest.mark.parametrize(
    "params",
    [
        {"facility": "X" * 200},
        {"limit": "1001"},
        {"min_total_volume": "nan"},
        {"order_by": ",".join(["total_volume"] * 4)},
        {"cursor": "A" * 40},
        {"date": "2999-01-01"},
    ],
)
async def test_rest_short_volume_screen_bounds(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/v1/screens/short-volume", params=params)
    assert response.status_code == 400, (params, response.text)
    assert response.json()["error"]["code"] in ("INVALID_PARAMETER", "BAD_REQUEST"), response.text


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        ("[COMMODITY_TRUST, COMMODITY_TRUST, LEVERAGED_INVERSE]", "at most 2"),
        ("[HEDGE_FUND]", "HEDGE_FUND"),
    ],
)
async def test_squeeze_fund_kind_bounds(
    client: httpx.AsyncClient, kinds: str, message: str
) -> None:
    query = f"{{ squeezeScreen(excludeFundKinds: {kinds}) {{ evaluated }} }}"
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
    )
    assert message in body["errors"][0]["message"]
    assert not (body.get("data") or {}).get("squeezeScreen")


@pytest.mark.parametrize(
    "value",
    ["hedge_fund", "leveraged_inverse,commodity_trust,leveraged_inverse", "x" * 5000],
)
async def test_rest_squeeze_fund_kind_bounds(client: httpx.AsyncClient, value: str) -> None:
    response = await client.get("/v1/screens/squeeze", params={"exclude_fund_kinds": value})
    assert response.status_code == 400, (value, response.text)
    assert response.json()["error"]["code"] in ("INVALID_PARAMETER", "BAD_REQUEST"), response.text
