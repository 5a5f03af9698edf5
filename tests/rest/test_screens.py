"""GET /v1/screens/short-interest: the same screen as GraphQL's, its parameters, cursors, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from service.rest import examples

SCREEN = "/v1/screens/short-interest"
GRAPHQL = """
query ($filter: ShortInterestFilter, $orderBy: [ShortInterestOrder!], $first: Int) {
  shortInterestScreen(filter: $filter, orderBy: $orderBy, first: $first) {
    totalCount nodes { rank security { symbol } point { shortInterest changePercent } }
  }
}
"""


async def test_the_example_is_the_real_answer(api: httpx.AsyncClient) -> None:
    response = await api.get(SCREEN, params={"types": "etf", "min_short_value_usd": 2e10})
    assert response.status_code == 200, response.text
    assert response.json() == examples.SHORT_INTEREST_SCREEN


async def test_rest_and_graphql_agree_on_filters_order_and_pages(api: httpx.AsyncClient) -> None:
    variables: dict[str, Any] = {
        "filter": {"marketClasses": ["NNM", "NYSE"], "minShortInterest": 1_000_000},
        "orderBy": [{"field": "CHANGE_PERCENT", "direction": "DESC"}],
        "first": 60,
    }
    answer = await api.post("/graphql", json={"query": GRAPHQL, "variables": variables})
    screen = answer.json()["data"]["shortInterestScreen"]
    params = {
        "market_classes": "NNM,NYSE",
        "min_short_interest": "1000000",
        "order_by": "-change_percent",
        "limit": "25",
    }
    rows: list[dict[str, Any]] = []
    cursor = None
    while len(rows) < 60:
        page = await api.get(SCREEN, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total_count"] == screen["totalCount"]
        rows += body["data"]
        cursor = body["next_cursor"]
        assert cursor is not None
    assert [(r["rank"], r["security"]["symbol"]) for r in rows[:60]] == [
        (n["rank"], n["security"]["symbol"]) for n in screen["nodes"]
    ]
    assert [r["point"]["change_percent"] for r in rows[:60]] == [
        n["point"]["changePercent"] for n in screen["nodes"]
    ]


async def test_csv_has_the_security_and_point_column_groups(api: httpx.AsyncClient) -> None:
    response = await api.get(SCREEN, params={"limit": "5", "format": "csv"})
    assert response.status_code == 200, response.text
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["rank"] for row in table] == ["1", "2", "3", "4", "5"]
    assert {"security_symbol", "point_short_interest", "market_cap_usd"} <= set(table[0])
    shares = [int(row["point_short_interest"]) for row in table]
    assert shares == sorted(shares, reverse=True)  # the default order


async def test_bad_parameters_are_400_with_the_reason(api: httpx.AsyncClient) -> None:
    cases = {
        "order_by=-change_percent,symbol": "is not allowed",
        "order_by=change,change,change,change": "more than 3 values",
        "min_change_percent=abc": "is not a number",
        "min_change_percent=5&max_change_percent=1": "min_change_percent (5.0) is above",
        "types=bond": "is not allowed",
        "market_classes=nnm": "is not allowed here",
        "include_flags=NOPE": "is not allowed",
        "cursor=bm90LWEtY3Vyc29y": "is not a cursor",
        "settlement_date=2999-01-01": "is after the as-of date",
        "min_shortinterest=1": "unknown query parameter",
    }
    for query, message in cases.items():
        response = await api.get(f"{SCREEN}?{query}")
        assert response.status_code == 400, (query, response.text)
        assert message in response.json()["error"]["message"], (query, response.text)
    unknown = await api.get(SCREEN, params={"index": "NOPE"})
    assert unknown.status_code == 404


async def test_squeeze_liquidity_floors_over_rest(api: httpx.AsyncClient) -> None:
    kept = await api.get(
        "/v1/screens/squeeze",
        params={"as_of": "2026-08-20", "min_market_cap_usd": "80000000000"},
    )
    assert kept.status_code == 200, kept.text
    assert [c["security"]["symbol"] for c in kept.json()["data"]] == ["IWM"]
    reasons = {e["reason"] for e in kept.json()["excluded"]}
    assert "below_min_market_cap_usd" in reasons
    refused = await api.get("/v1/screens/squeeze", params={"min_average_dollar_volume_usd": "-5"})
    assert refused.status_code == 400
    assert "between 0 and" in refused.json()["error"]["message"]
