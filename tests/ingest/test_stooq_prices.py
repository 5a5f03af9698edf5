"""Stooq's daily CSV through the prices source: the real IWM file, and the partial last day."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from service.db.pool import Database
from service.sources.prices.format import NEW_YORK
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

IWM = "SELECT {} FROM price_daily p JOIN security s ON s.id = p.security_id WHERE s.symbol = 'IWM'"


async def test_the_real_stooq_file_fractional_volumes_included(
    db: Database, ingest: Ingest
) -> None:
    outcome = await ingest(shared_file("stooq/iwm_us_d.csv"), "prices", symbol="IWM")
    assert (outcome.format, outcome.rows_accepted, outcome.rows_rejected) == (
        "prices-stooq",
        5330,
        0,
    )
    # The file's rows, as written: 2005-02-25,53.0208,53.9971,53.0208,53.9803,27937545.35362
    first = await db.fetchrow(
        IWM.format("open, high, low, close, volume") + " AND date = '2005-02-25'"
    )
    assert tuple(first) == (53.0208, 53.9971, 53.0208, 53.9803, 27937545)
    # 2026-05-05,278.66...: the last row (possibly a partial day when downloaded) is a past day now.
    assert await db.fetchval(IWM.format("max(date)")) == datetime(2026, 5, 5).date()


async def test_a_row_for_the_session_in_progress_is_not_stored(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    # BUILT from the documented layout: two rows, yesterday's session and today's (in New York).
    today = datetime.now(NEW_YORK).date()
    yesterday = today - timedelta(days=1)
    path = tmp_path / "iwm_us_d.csv"
    path.write_bytes(
        b"Date,Open,High,Low,Close,Volume\r\n"
        + f"{yesterday},250.1,251,249.5,250.75,21000000.5\r\n".encode()
        + f"{today},250.8,251.2,250.1,250.9,3000000\r\n".encode()
    )
    outcome = await ingest(path, "prices", symbol="IWM")
    assert (outcome.rows_accepted, outcome.rows_skipped, outcome.rows_rejected) == (1, 1, 0)
    assert await db.fetchval(IWM.format("max(date)")) == yesterday
    assert await db.fetchval(IWM.format("volume")) == 21000000  # 21000000.5: half to even


async def test_a_renamed_stooq_column_is_refused(ingest: Ingest, tmp_path: Path) -> None:
    path = tmp_path / "iwm_us_d.csv"
    path.write_bytes(b"Date,Open,High,Low,Close,Vol\r\n2026-05-04,1,2,0.5,1.5,10\r\n")
    outcome = await ingest(path, "prices", symbol="IWM")
    assert outcome.status == "failed"
    assert "matches no known prices layout" in (outcome.error or "")
    assert outcome.rows_accepted == 0
