"""The source registry: every source is listed once, and every dataset it writes is versioned."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import Head
from service.sources import FORMATS, SOURCES
from service.sources.securities.format import Securities
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

SAMPLES = {
    "finra-short-interest/shrt20260715.csv": "finra-bulk",
    "finra-short-interest/web-export/AMPG_SI.csv": "finra-web",
    "regsho/FNRAshvol20210604.txt": "regsho",
    "etf/holdings_sample_ishares_layout.csv": "ishares-holdings",
    "prices/yahoo/RIOT.csv": "prices-yahoo",
    "prices/IWM_2026_daily.csv": "prices-ohlcv",
    "etf/daily_flows_2026q1.csv": "fund-flows",
    "etf/shares_outstanding_2025_2026.csv": "fund-flows",
    "index/russell2000_members_2026-05-05.csv": "index-members",
    "ishares/IWM_holdings_2025-11-05.csv": "ishares-holdings",
    "ishares/IWM_fund_xls_head_excerpt.xml": "ishares-fund-history",
    "sec/company_tickers.json": "sec-company-tickers",
    "sec-ftd/cnsfails202101a_first3000lines.txt": "sec-ftd",
    "sec-ftd/cnsfails_202101a-202103a_IWM_SPY_rows.txt": "sec-ftd",
}


def test_sources_and_formats_are_listed_once() -> None:
    assert len({source.name for source in SOURCES}) == len(SOURCES)
    assert len({source.kind for source in SOURCES}) == len(SOURCES)
    assert len({fmt.name for fmt in FORMATS}) == len(FORMATS)
    for source in SOURCES:
        assert source.formats, source.name
        assert all(fmt.kind == source.kind for fmt in source.formats), source.name
        assert source.datasets, source.name


async def test_every_dataset_a_source_writes_has_a_version_row(database_url: str) -> None:
    """Without its row, an ingest's bump would miss the dataset and cached answers stay stale."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT dataset FROM dataset_version")
    finally:
        await conn.close()
    seeded = {row["dataset"] for row in rows}
    for source in SOURCES:
        assert set(source.datasets) <= seeded, (source.name, set(source.datasets) - seeded)


async def test_a_dataset_without_a_version_row_fails_the_ingest(
    db: Database, ingest: Ingest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source declaring a dataset no migration seeded applies nothing, instead of leaving
    cached answers stale for their whole lifetime."""
    monkeypatch.setattr(Securities, "datasets", ("securities", "unseeded"))
    path = write_csv(tmp_path / "s.csv", ["symbol", "type"], [["SPYX", "stock"]])
    outcome = await ingest(path, "securities")
    assert outcome.status == "failed"
    assert "no dataset_version row for ['unseeded']" in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM security") == 0


@pytest.mark.parametrize("relative", sorted(SAMPLES))
def test_a_real_sample_matches_exactly_one_format(relative: str) -> None:
    head = Head.read(shared_file(relative))
    matching = [fmt.name for fmt in FORMATS if fmt.matches(head)]
    assert matching == [SAMPLES[relative]]
