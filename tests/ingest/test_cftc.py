"""CFTC Traders in Financial Futures: the real 2017, 2018 and 2026 rows (../shared/data/cftc)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from service.db.pool import Database
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

WEEKLY = "cftc/FinFutWk_20260929_equity_index_rows.txt"
POSITION = """
SELECT contract_name, contract_units, multiplier, emini_equivalent, release_date, index_code,
       open_interest, leveraged_funds_long, leveraged_funds_short, asset_managers_long,
       asset_managers_short, dealers_long, dealers_short, other_reportables_spread
FROM futures_position WHERE contract_code = $1 AND report_date = $2
"""


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


async def test_the_weekly_file_keeps_the_mapped_index_contracts(
    db: Database, ingest: Ingest
) -> None:
    outcome = await ingest(shared_file(WEEKLY), "cftc-tff")
    assert outcome.format == "cftc-tff-weekly"
    # seven rows: E-mini S&P 500, Nasdaq, Russell E-mini and micro kept; the S&P consolidated
    # line, the Russell 1000 value and the Russell 2000 dividend future skipped
    assert (outcome.status, outcome.rows_read, outcome.rows_accepted, outcome.rows_skipped) == (
        "applied",
        7,
        4,
        3,
    )
    russell = await db.fetchrow(POSITION, "239742", date(2026, 9, 29))
    assert dict(russell) == {
        "contract_name": "RUSSELL E-MINI - CHICAGO MERCANTILE EXCHANGE",
        "contract_units": "(RUSSEL 2000 INDEX X $50)",
        "multiplier": Decimal(50),
        "emini_equivalent": Decimal(1),
        "release_date": date(2026, 10, 2),  # the Friday of the report's week
        "index_code": "R2000",
        "open_interest": 428048,
        "leveraged_funds_long": 78186,
        "leveraged_funds_short": 192740,
        "asset_managers_long": 151227,
        "asset_managers_short": 111459,
        "dealers_long": 120936,
        "dealers_short": 43245,
        "other_reportables_spread": 0,
    }
    micro = await db.fetchrow(POSITION, "239747", date(2026, 9, 29))
    assert (micro["multiplier"], micro["emini_equivalent"], micro["leveraged_funds_short"]) == (
        Decimal("0.5"),
        Decimal("0.01"),
        10890,
    )
    codes = {
        r["contract_code"] for r in await db.fetch("SELECT contract_code FROM futures_position")
    }
    assert codes == {"13874A", "209742", "239742", "239747"}
    names = await db.fetch("SELECT code, name FROM market_index ORDER BY code")
    assert [tuple(n) for n in names] == [
        ("NDX", "Nasdaq-100"),
        ("R2000", "Russell 2000"),
        ("SP500", "S&P 500"),
    ]


async def test_the_yearly_files_map_the_russell_contract_by_code_under_its_old_name(
    db: Database, ingest: Ingest
) -> None:
    for name in ("FinFut17_header_and_russell_rows.txt", "FinFut18_header_and_russell_rows.txt"):
        path = shared_file(f"cftc/{name}")
        outcome = await ingest(path, "cftc-tff")
        assert outcome.format == "cftc-tff-yearly"
        data = rows(path)[1:]
        kept = [r for r in data if r[3] in ("239742", "23977A")]
        assert (outcome.status, outcome.rows_read, outcome.rows_accepted) == (
            "applied",
            len(data),
            len(kept),
        )
    first = rows(shared_file("cftc/FinFut17_header_and_russell_rows.txt"))[1]
    stored = await db.fetchrow(POSITION, "239742", date(2017, 12, 26))
    assert stored["contract_name"] == "E-MINI RUSSELL 2000 INDEX - CHICAGO MERCANTILE EXCHANGE"
    assert stored["index_code"] == "R2000"
    assert stored["open_interest"] == int(first[7]) == 589841
    assert stored["leveraged_funds_short"] == int(first[15]) == 129220
    # a holiday week: positions of Monday 2018-12-24, released on Friday 2018-12-28
    holiday = await db.fetchrow(POSITION, "239742", date(2018, 12, 24))
    assert holiday["release_date"] == date(2018, 12, 28)


async def test_ingesting_the_same_file_twice_changes_nothing(db: Database, ingest: Ingest) -> None:
    first = await ingest(shared_file(WEEKLY), "cftc-tff")
    second = await ingest(shared_file(WEEKLY), "cftc-tff")
    assert (first.status, second.status) == ("applied", "already")
    assert await db.fetchval("SELECT count(*) FROM futures_position") == 4
