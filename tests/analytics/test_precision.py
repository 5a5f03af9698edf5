"""Numbers a person can read, on the real samples: dollars to cents, percentages to 4 decimals,
days to cover to 2, the same digits in GraphQL, REST JSON and REST CSV (docs/rest.md "Numbers")."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import httpx
import pytest

from tests.conftest import Servers, app_client, make_settings

USD = ("flow_usd", "short_value_usd", "single_stock_short_value_usd", "etf_short_value_usd")
USD += ("total_short_value_usd",)
PERCENT = ("short_percent_of_float", "short_percent_of_shares_outstanding", "short_volume_ratio")
DECIMALS = {**dict.fromkeys(USD, 2), **dict.fromkeys(PERCENT, 4), "days_to_cover": 2}


def decimals(text: str) -> int:
    """Digits after the point of a number as it was written (JSON or CSV text)."""
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def check(record: dict[str, object], where: str) -> int:
    """Assert every rounded field of `record` is within its precision; how many were checked."""
    checked = 0
    for name, allowed in DECIMALS.items():
        value = record.get(name)
        if value is None or value == "":
            continue
        assert decimals(repr(value) if isinstance(value, float) else str(value)) <= allowed, (
            where,
            name,
            value,
        )
        checked += 1
    return checked


@pytest.fixture
async def sample_client(
    sample_url: str, servers: Servers, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    # Some 400 requests in a row: more than an anonymous caller's per-minute budget.
    settings = make_settings(sample_url, servers.redis_url, redis_prefix, rate_limit_enabled=False)
    async with app_client(settings) as client:
        yield client


async def _funds(sample_url: str) -> list[str]:
    conn = await asyncpg.connect(sample_url)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT s.symbol FROM fund_flow f JOIN security s ON s.id = f.fund_id "
            "ORDER BY 1"
        )
    finally:
        await conn.close()
    return [row["symbol"] for row in rows]


async def test_every_flow_is_in_cents_in_json_and_csv(
    sample_url: str, sample_client: httpx.AsyncClient
) -> None:
    funds = await _funds(sample_url)
    assert len(funds) >= 50
    checked = 0
    for fund in funds:
        for period in ("day", "week", "month"):
            path = f"/v1/funds/{fund}/flows"
            response = await sample_client.get(path, params={"period": period})
            # Parse the JSON text as written: a float re-printed by Python could hide digits.
            assert response.status_code == 200, (fund, response.text)
            for item in response.json(parse_float=str)["data"]:
                checked += check(item, f"{fund} {period} json")
            table = await sample_client.get(path, params={"period": period, "format": "csv"})
            for row in csv.DictReader(io.StringIO(table.text)):
                checked += check(row, f"{fund} {period} csv")
    assert checked > 4000


async def test_short_interest_exposure_and_graphql_carry_the_same_rounded_digits(
    sample_client: httpx.AsyncClient,
) -> None:
    for symbol in ("IWM", "AA", "MLI", "VTWO"):
        path = f"/v1/securities/{symbol}/short-interest"
        points = (await sample_client.get(path)).json(parse_float=str)["data"]
        assert points, symbol
        for point in points:
            check(point, symbol)
        table = await sample_client.get(path, params={"format": "csv"})
        for row in csv.DictReader(io.StringIO(table.text)):
            check(row, f"{symbol} csv")

    exposure = await sample_client.get("/v1/indexes/R2000/short-exposure")
    series = exposure.json(parse_float=str)["data"]
    assert series
    for item in series:
        assert check(item, f"R2000 {item['settlement_date']}") == 3

    # IWM 2026-07-31: 72,786,177 shares x $291.20 close, 281,300,000 shares outstanding.
    query = """{ security(symbol: "IWM") { latestShortInterest {
        shortValueUsd shortPercentOfFloat daysToCover } } }"""
    body = (await sample_client.post("/graphql", json={"query": query})).json()
    assert body["data"]["security"]["latestShortInterest"] == {
        "shortValueUsd": 21195334742.4,
        "shortPercentOfFloat": 25.8749,
        "daysToCover": 3.1,
    }
    rest = (await sample_client.get("/v1/securities/IWM/short-interest")).json()["data"][-1]
    assert (rest["short_value_usd"], rest["short_percent_of_float"]) == (21195334742.4, 25.8749)
