"""A downloaded symbol directory is untrusted input: what a hostile or broken host can send, and
what reaches the database (nothing unchecked). The files are built here in the documented layout
of Nasdaq Trader's directory; the real files are replayed in tests/ingest and tests/sync."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import IngestOutcome, ingest_file
from service.sources.symbol_directory.format import MAX_LINE_CHARS

HEADER = "ACT Symbol|Security Name|Exchange|CQS Symbol|ETF|Round Lot Size|Test Issue|NASDAQ Symbol"
TRAILER = "File Creation Time: 0721202521:31||||||"
GOOD = "IWM|iShares Russell 2000 ETF|P|IWM|Y|100|N|IWM"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, min_size=1, max_size=2)
    await database.open()
    yield database
    await database.close()


async def ingest(db: Database, tmp_path: Path, *lines: str) -> IngestOutcome:
    path = tmp_path / "otherlisted.txt"
    path.write_text("\n".join(lines) + "\n")
    return await ingest_file(db, path, "symbol-directory", IngestOptions())


async def stored_names(db: Database) -> list[str]:
    return [row["name"] for row in await db.fetch("SELECT name FROM security ORDER BY symbol")]


async def test_an_oversized_row_is_rejected_not_stored(db: Database, tmp_path: Path) -> None:
    huge = f"HUGE|{'A' * 1_000_000}|N|HUGE|N|100|N|HUGE"
    outcome = await ingest(db, tmp_path, HEADER, GOOD, huge, TRAILER)
    assert (outcome.status, outcome.rows_accepted, outcome.rows_rejected) == ("applied", 1, 1)
    assert outcome.rejects[0].reason == f"the row is longer than {MAX_LINE_CHARS} characters"
    assert len(outcome.rejects[0].raw) <= 2000  # the reject keeps a bounded excerpt
    assert await stored_names(db) == ["iShares Russell 2000 ETF"]


@pytest.mark.parametrize(
    "symbol",
    ["../../etc/passwd", "IWM;DROP", "A B", "ÄPFEL", "IWM\x00", "=HYPERLINK", "iwm"],
)
async def test_a_symbol_outside_cqs_symbology_is_rejected(
    db: Database, tmp_path: Path, symbol: str
) -> None:
    row = f"X|Hostile|N|{symbol}|N|100|N|X"
    outcome = await ingest(db, tmp_path, HEADER, GOOD, row, TRAILER)
    assert (outcome.status, outcome.rows_accepted, outcome.rows_rejected) == ("applied", 1, 1)
    assert await db.fetchval("SELECT count(*) FROM security") == 1


async def test_rows_after_the_trailer_are_rejected(db: Database, tmp_path: Path) -> None:
    smuggled = "EVIL|Appended after the trailer|N|EVIL|Y|100|N|EVIL"
    outcome = await ingest(db, tmp_path, HEADER, GOOD, TRAILER, smuggled, TRAILER)
    assert outcome.status == "applied"
    assert [r.reason for r in outcome.rejects] == [
        "a row after the File Creation Time trailer",
        "a row after the File Creation Time trailer",
    ]
    assert await db.fetchval("SELECT count(*) FROM security WHERE symbol = 'EVIL'") == 0


@pytest.mark.parametrize(
    ("trailer", "error"),
    [
        ("File Creation Time: 1345202521:31||||||", "is not a date"),
        ("File Creation Time: yesterday||||||", "no `File Creation Time: MMDDYYYYHH:MM` trailer"),
        ("", "no `File Creation Time: MMDDYYYYHH:MM` trailer"),
    ],
)
async def test_a_missing_or_bad_trailer_fails_the_file_with_a_message(
    db: Database, tmp_path: Path, trailer: str, error: str
) -> None:
    outcome = await ingest(db, tmp_path, HEADER, GOOD, trailer)
    assert outcome.status == "failed"
    assert error in (outcome.error or "")
    assert "Traceback" not in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM security") == 0


async def test_a_snapshot_dated_in_the_future_fails_the_file(db: Database, tmp_path: Path) -> None:
    later = date.today() + timedelta(days=2)
    trailer = f"File Creation Time: {later:%m%d%Y}09:00||||||"
    outcome = await ingest(db, tmp_path, HEADER, GOOD, trailer)
    assert outcome.status == "failed"
    assert "in the future" in (outcome.error or "")
