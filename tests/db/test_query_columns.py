"""Every query a repository turns into a model has the model's columns, by name and in order.

The statements are prepared on a migrated database (not run): `get_attributes()` gives the
result's column names. `service.db.rows.models` builds positionally after checking the names of
the first row, so a query and its model must agree here.
"""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from service.db import queries, rows
from service.db.repositories.keys import ApiKey
from service.models import (
    DatasetStatus,
    FundFlow,
    FuturesPosition,
    IndexListing,
    IndexShortExposure,
    IngestRun,
    MarketIndex,
    PriceBar,
    RejectedRow,
    RunCount,
    Security,
    ShortInterestPoint,
    ShortVolumeDay,
    SqueezeInputs,
)

MODEL_QUERIES = [
    ("short_interest", "series", ShortInterestPoint),
    ("short_interest", "latest", ShortInterestPoint),
    ("market_data", "short_volume", ShortVolumeDay),
    ("market_data", "prices", PriceBar),
    ("securities", "page", Security),
    ("indexes", "tracking_funds", Security),
    ("indexes", "by_code", MarketIndex),
    ("indexes", "page", IndexListing),
    ("futures", "positioning", FuturesPosition),
    ("flows", "periods", FundFlow),
    ("squeeze", "inputs", SqueezeInputs),
    ("ingest", "recent_runs", IngestRun),
    ("ingest", "run_by_id", IngestRun),
    ("ingest", "run_rejects", RejectedRow),
    ("ingest", "dataset_status", DatasetStatus),
    ("ingest", "run_counts", RunCount),
    ("keys", "create", ApiKey),
    ("keys", "list", ApiKey),
    ("keys", "revoke", ApiKey),
    ("keys", "by_hash", ApiKey),
]


async def _columns(url: str, sql: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        statement = await connection.prepare(sql)
        return [attribute.name for attribute in statement.get_attributes()]
    finally:
        await connection.close()


@pytest.mark.parametrize(("stem", "name", "model"), MODEL_QUERIES)
async def test_query_columns_are_the_model_fields(
    database_url: str, stem: str, name: str, model: type
) -> None:
    columns = await _columns(database_url, getattr(queries.load(stem), name))
    assert columns == list(rows.field_names(model))


async def test_the_short_interest_screen_is_rank_security_and_point(database_url: str) -> None:
    from service.db.repositories.screens import LEADING

    columns = await _columns(database_url, queries.load("screens").short_interest)
    assert columns == [
        *LEADING,
        *rows.field_names(Security),
        *rows.field_names(ShortInterestPoint),
    ]


async def test_a_security_with_its_points_is_a_security_then_a_point(database_url: str) -> None:
    columns = await _columns(database_url, queries.load("short_interest").by_symbol)
    assert columns == [*rows.field_names(Security), *rows.field_names(ShortInterestPoint)]


async def test_an_index_with_its_exposure_is_an_index_then_a_point(database_url: str) -> None:
    columns = await _columns(database_url, queries.load("exposure").series)
    assert columns == [*rows.field_names(MarketIndex), *rows.field_names(IndexShortExposure)]


async def test_by_symbols_is_a_security_after_the_wanted_symbol(database_url: str) -> None:
    columns = await _columns(database_url, queries.load("securities").by_symbols)
    assert columns == ["wanted", *rows.field_names(Security)]


JOINED = """SELECT 7::bigint AS id, 'IWM' AS symbol, 'iShares Russell 2000' AS name,
       'etf' AS type, 'ARCA' AS market_class, 'source' AS type_source, NULL AS listing_exchange,
       p.*
FROM (SELECT 1) one
LEFT JOIN (VALUES (DATE '2026-07-01', 1.5::float8, 2.0::float8, 1.0::float8, 1.75::float8, 10),
                  (DATE '2026-07-02', 1.75, 2.5, 1.5, 2.25, 20))
       AS p (date, open, high, low, close, volume)
       ON p.volume > $1"""


async def test_joined_rows_are_the_outer_model_then_the_inner_ones(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        both = await connection.fetch(JOINED, 0)
        outer_only = await connection.fetch(JOINED, 100)
        swapped = await connection.fetch(JOINED.replace("p.*", "p.open, p.date"), 0)
    finally:
        await connection.close()
    security = Security(7, "IWM", "iShares Russell 2000", "etf", "ARCA", "source", None)
    assert rows.joined(Security, PriceBar, both) == (
        security,
        [
            PriceBar(date(2026, 7, 1), 1.5, 2.0, 1.0, 1.75, 10),
            PriceBar(date(2026, 7, 2), 1.75, 2.5, 1.5, 2.25, 20),
        ],
    )
    assert rows.joined(Security, PriceBar, outer_only) == (security, [])
    assert rows.joined(Security, PriceBar, []) == (None, [])
    with pytest.raises(TypeError, match="PriceBar"):
        rows.joined(Security, PriceBar, swapped)


def test_swapped_columns_are_refused() -> None:
    names = list(rows.field_names(PriceBar))
    names[1], names[2] = names[2], names[1]
    with pytest.raises(TypeError, match="PriceBar"):
        rows.check_columns(PriceBar, names)
    rows.check_columns(PriceBar, rows.field_names(PriceBar))


def test_a_model_placeholder_is_its_columns_in_field_order() -> None:
    parsed = queries.parse_queries("-- name: bars\nSELECT {PriceBar}, {p.PriceBar} FROM p")
    assert parsed.bars == (
        "SELECT date, open, high, low, close, volume, "
        "p.date, p.open, p.high, p.low, p.close, p.volume FROM p"
    )
    assert "{ShortInterestPoint}" not in queries.load("short_interest").series
    with pytest.raises(ValueError, match="Bar"):
        queries.parse_queries("-- name: bars\nSELECT {Bar} FROM p", "bars.sql")
