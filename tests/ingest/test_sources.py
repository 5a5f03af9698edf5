"""The source registry: every source is listed once, and every dataset it writes is versioned."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from service.db.pool import Database
from service.demo.files import write_csv
from service.sources import FORMATS, SOURCES
from service.sources.securities.format import Securities
from tests.ingest.conftest import Ingest


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
