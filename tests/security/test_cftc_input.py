"""CFTC's files as untrusted input: what a hostile or broken host could send instead of them.

Built from the real 2026-09-29 weekly rows (../shared/data/cftc), altered the way an attack or a
layout change would alter them. The archives (a zip bomb, a member named to escape the download
directory, a body that is no zip) are tried through the sync in tests/sync/test_sync_cftc.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import shared_file

WEEKLY = "cftc/FinFutWk_20260929_equity_index_rows.txt"


def ingest(database_url: str, path: Path) -> tuple[str, str | None, int]:
    async def run() -> tuple[str, str | None, int]:
        db = Database(database_url, min_size=1, max_size=2)
        await db.open()
        try:
            outcome = await ingest_file(db, path, "cftc-tff", IngestOptions())
            stored = await db.fetchval("SELECT count(*) FROM futures_position")
            return outcome.status, outcome.error, stored
        finally:
            await db.close()

    return asyncio.run(run())


def test_a_changed_multiplier_fails_the_file_instead_of_mispricing_it(
    database_url: str, tmp_path: Path
) -> None:
    real = shared_file(WEEKLY).read_text()
    assert "(RUSSEL 2000 INDEX X $50)" in real
    path = tmp_path / "FinFutWk.txt"
    path.write_text(real.replace("(RUSSEL 2000 INDEX X $50)", "(RUSSEL 2000 INDEX X $100)", 1))
    status, error, stored = ingest(database_url, path)
    assert status == "failed"
    assert error is not None
    assert "contract 239742 (R2000) has units '(RUSSEL 2000 INDEX X $100)'" in error
    assert "the contract's terms changed" in error
    assert stored == 0  # nothing of the file, not even its good rows


def test_an_oversized_line_is_refused_before_it_is_split(database_url: str, tmp_path: Path) -> None:
    real = shared_file(WEEKLY).read_text().splitlines()
    path = tmp_path / "FinFutWk.txt"
    path.write_text("\n".join([real[0], real[1] + "," + "9" * 100_000, *real[2:]]) + "\n")
    status, error, stored = ingest(database_url, path)
    assert status == "failed"
    assert error is not None
    assert "over the limit of 8,192 for a CFTC row" in error
    assert stored == 0


def test_a_combined_futures_and_options_file_is_not_read_as_futures_only(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "FinComWk.txt"
    path.write_text(shared_file(WEEKLY).read_text().replace('"FutOnly"', '"Combined"'))
    status, error, _ = ingest(database_url, path)
    assert status == "failed"
    assert error is not None
    assert "Shortflow reads the futures-only report" in error
