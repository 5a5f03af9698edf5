"""Every query a repository turns into a model has the model's columns, by name and in order.

The statements are prepared on a migrated database (not run): `get_attributes()` gives the
result's column names. `service.db.rows.models` builds positionally after checking the names of
the first row, so a query and its model must agree here.
"""

from __future__ import annotations

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
    ("exposure", "series", IndexShortExposure),
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


async def test_by_symbols_is_a_security_after_the_wanted_symbol(database_url: str) -> None:
    columns = await _columns(database_url, queries.load("securities").by_symbols)
    assert columns == ["wanted", *rows.field_names(Security)]


def test_swapped_columns_are_refused() -> None:
    names = list(rows.field_names(PriceBar))
    names[1], names[2] = names[2], names[1]
    with pytest.raises(TypeError, match="PriceBar"):
        rows.check_columns(PriceBar, names)
    rows.check_columns(PriceBar, rows.field_names(PriceBar))
