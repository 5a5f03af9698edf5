"""The stored points (short_interest_point, migration 0026) equal the view they store
(short_interest_point_computed), and the screen values (short_interest_screen_value, migration
0024) equal theirs.

Every read of a point and the market screen's filters and orders use the stored values, so a
stored row that lags behind its inputs would serve stale metrics and rank a security on stale
numbers. Each table is compared with its view, row for row, after the real samples are ingested
and after each kind of change the triggers follow: new share counts (context updates), a
security's type changed and a deleted context row. (New versions are the samples' own: both
FINRA files insert short interest.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import write_csv
from tests.conftest import DatabaseFactory
from tests.support.datasets import POINTS_DIFFERENCE, SECURITIES, ingest_all, load_sample
from tests.support.datasets import SCREEN_VALUES_DIFFERENCE as DIFFERENCE


def _scalar(url: str, sql: str) -> int:
    async def ask() -> int:
        db = Database(url, min_size=1, max_size=1)
        await db.open()
        try:
            async with db.connection() as conn:
                return int(await conn.fetchval(sql))
        finally:
            await db.close()

    return asyncio.run(ask())


@pytest.fixture(scope="module")
def loaded(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = db_factory.create()
    load_sample(url, tmp_path_factory.mktemp("sample"))
    return url


def test_the_stored_values_equal_the_view_after_the_samples(loaded: str) -> None:
    for stored in ("short_interest_point", "short_interest_screen_value"):
        assert _scalar(loaded, f"SELECT count(*) FROM {stored}") == _scalar(
            loaded, "SELECT count(*) FROM short_interest"
        )
    assert _scalar(loaded, POINTS_DIFFERENCE) == 0
    assert _scalar(loaded, DIFFERENCE) == 0
    # The stored values are not empty: the sample's share counts and closes are in them.
    assert _scalar(loaded, "SELECT count(*) FROM short_interest_screen_value WHERE vals[5] > 0") > 0


def test_the_stored_values_follow_every_input(loaded: str, tmp_path: Path) -> None:
    header = SECURITIES[0]
    changed = [
        # New share counts for AA and MLI (a context update).
        ["AA", "Alcoa Corporation", "stock", "NYSE", 300_000_000, 150_000_000, "2026-07-10", None],
        ["MLI", "Mueller Industries, Inc.", "stock", "NYSE", 99_000_000, None, "2026-07-20", None],
    ]
    ingest_all(loaded, [(write_csv(tmp_path / "changed.csv", header, changed), "securities")])
    assert _scalar(loaded, POINTS_DIFFERENCE) == 0
    assert _scalar(loaded, DIFFERENCE) == 0
    # A security's type changed (as a newer directory file states it): GME typed an ETF, so its
    # float base becomes its shares outstanding.
    known = "SELECT count(*) FROM short_interest_screen_value v JOIN security s"
    known += " ON s.id = v.security_id WHERE s.symbol = 'GME' AND v.vals[5] IS NOT NULL"
    assert _scalar(loaded, known) == 0
    _scalar(
        loaded,
        "WITH u AS (UPDATE security SET type = 'etf' WHERE symbol = 'GME' RETURNING 1) "
        "SELECT count(*) FROM u",
    )
    assert _scalar(loaded, known) > 0
    assert _scalar(loaded, POINTS_DIFFERENCE) == 0
    assert _scalar(loaded, DIFFERENCE) == 0
    _scalar(
        loaded,
        "WITH d AS (DELETE FROM short_interest_context WHERE security_id IN "
        "(SELECT id FROM security WHERE symbol = 'AA') RETURNING 1) SELECT count(*) FROM d",
    )
    assert _scalar(loaded, POINTS_DIFFERENCE) == 0
    assert _scalar(loaded, DIFFERENCE) == 0
