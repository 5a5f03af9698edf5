"""The SPDR NAV history is an .xlsx (a zip of XML) from the network: a bomb in either layer, a
reference to nothing, a wrong layout. Workbooks built by tests/support/workbooks.py (no real file
exists)."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import IngestOutcome, ingest_file
from service.ingest.xlsx import MAX_PART_BYTES
from tests.support.workbooks import CONTENT_TYPES, spdr_nav_history, xlsx, xlsx_parts

HEADER: list[str | float] = ["Date", "NAV", "Shares Outstanding", "Total Net Assets"]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, min_size=1, max_size=2)
    await database.open()
    yield database
    await database.close()


async def ingest(db: Database, path: Path, body: bytes) -> IngestOutcome:
    await asyncio.to_thread(path.write_bytes, body)
    return await ingest_file(db, path, "spdr-navhist", IngestOptions(fund="SPY"))


async def test_a_sheet_inflating_past_the_bound_is_refused(db: Database, tmp_path: Path) -> None:
    bomb = xlsx_parts(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/worksheets/sheet1.xml": b" " * (MAX_PART_BYTES + 1),
        }
    )
    assert len(bomb) < 1 << 20  # a small download
    outcome = await ingest(db, tmp_path / "bomb.xlsx", bomb)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "over the limit" in outcome.error or "beyond the limit" in outcome.error


async def test_an_entity_bomb_in_the_sheet_is_refused(db: Database, tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = xlsx([HEADER], f'<!DOCTYPE w [<!ENTITY l0 "lol">{lol}]>')
    started = time.perf_counter()
    outcome = await ingest(db, tmp_path / "lol.xlsx", body)
    assert time.perf_counter() - started < 5
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "the workbook is refused" in outcome.error


async def test_a_cell_naming_a_missing_shared_string_fails(db: Database, tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(spdr_nav_history()))  # valid, its string table emptied
    parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].split(b"<si>")[0] + b"</sst>"
    outcome = await ingest(db, tmp_path / "refs.xlsx", xlsx_parts(parts))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "shared string" in outcome.error


async def test_a_table_without_shares_outstanding_fails_loudly(
    db: Database, tmp_path: Path
) -> None:
    body = xlsx([["Date", "NAV", "Total Net Assets"], ["05-Dec-2025", 685.21, 1.0]])
    outcome = await ingest(db, tmp_path / "drift.xlsx", body)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "the header lacks column(s): shares outstanding" in outcome.error
