"""The iShares fund download is XML from the network: what an attacker (or a broken mirror) can
put in it, and what the ingest does with it. Workbooks are built by tests/support/workbooks.py in
the layout of the real download (../shared/data/ishares/IWM_fund_xls_*_excerpt.xml)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import IngestOutcome, ingest_file
from tests.support.workbooks import historical_workbook, spreadsheet_row


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, min_size=1, max_size=2)
    await database.open()
    yield database
    await database.close()


async def ingest(db: Database, path: Path, text: str) -> IngestOutcome:
    await asyncio.to_thread(path.write_text, text, "utf-8")
    return await ingest_file(db, path, "ishares-fund", IngestOptions(fund="IWM"))


async def test_an_entity_bomb_is_refused_before_any_expansion(db: Database, tmp_path: Path) -> None:
    lol = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' if i else '<!ENTITY lol0 "lol">\n'
        for i in range(10)
    )
    bomb = historical_workbook(
        spreadsheet_row("Dec 24, 2025", "&lol9;", "--", "1"), f"<!DOCTYPE lolz [\n{lol}]>\n"
    )
    started = time.perf_counter()
    outcome = await ingest(db, tmp_path / "bomb.xml", bomb)
    assert time.perf_counter() - started < 5  # 10^9 "lol"s were never built
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "the workbook is refused" in outcome.error
    assert "DTD" in outcome.error


async def test_an_external_entity_is_refused(db: Database, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    await asyncio.to_thread(secret.write_text, "42")
    xxe = historical_workbook(
        spreadsheet_row("Dec 24, 2025", "&x;", "--", "1"),
        f'<!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>\n',
    )
    outcome = await ingest(db, tmp_path / "xxe.xml", xxe)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "refused" in outcome.error


async def test_an_undeclared_entity_is_not_taken_for_a_bare_ampersand(
    db: Database, tmp_path: Path
) -> None:
    """Bare `&`s are escaped (the real file has them in URLs); a reference is left as it is, so
    an undeclared one fails the parse instead of being read as text."""
    outcome = await ingest(
        db,
        tmp_path / "ref.xml",
        historical_workbook(spreadsheet_row("Dec 24, 2025", "&nav;", "--", "1")),
    )
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "not well-formed" in outcome.error


async def test_an_oversized_cell_is_rejected_with_its_reason(db: Database, tmp_path: Path) -> None:
    rows = spreadsheet_row("Dec 23, 2025", "251.959956", "--", "302300000") + spreadsheet_row(
        "Dec 24, 2025", "252.6" + "0" * 100_000, "--", "304650000"
    )
    outcome = await ingest(db, tmp_path / "big.xml", historical_workbook(rows))
    assert outcome.status == "applied", outcome.error
    assert outcome.rows_rejected == 1
    assert "more than 64 characters" in outcome.rejects[0].reason
    assert len(outcome.rejects[0].raw) <= 2000


async def test_a_renamed_column_fails_loudly(db: Database, tmp_path: Path) -> None:
    drifted = historical_workbook(
        spreadsheet_row("Dec 24, 2025", "252.645908", "--", "304650000")
    ).replace("NAV per Share", "NAV")
    outcome = await ingest(db, tmp_path / "drift.xml", drifted)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "the Historical worksheet: the header lacks column(s): nav per share" in outcome.error


async def test_a_workbook_without_the_historical_worksheet_fails_loudly(
    db: Database, tmp_path: Path
) -> None:
    other = historical_workbook(spreadsheet_row("Dec 24, 2025", "1", "--", "1")).replace(
        "Historical", "Holdings"
    )
    outcome = await ingest(db, tmp_path / "other.xml", other)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "no Historical worksheet" in outcome.error
