"""Nasdaq Trader's symbol directory: the real 2025 and 2016-08-15 snapshots (../shared/data/
nasdaqtrader/), FINRA's symbol spelling, listings over time, a source type beating a guess."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.db.pool import Database
from service.ingest.base import RowError
from service.sources.symbol_directory.format import finra_symbol
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

SNAPSHOT_2025 = date(2025, 7, 21)
SNAPSHOT_2016 = date(2016, 8, 15)
LISTING = """
SELECT s.type, s.type_source, s.name, l.source, l.exchange, l.etf, l.directory_symbol,
       l.first_seen, l.last_seen
FROM security s JOIN security_listing l ON l.security_id = s.id
WHERE s.symbol = $1
"""


def directory_rows(path: Path) -> list[list[str]]:
    """The data rows of a directory file, read here independently of the parser."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [line.split("|") for line in lines[1:-1]]


async def ingest_snapshot(ingest: Ingest, folder: str) -> None:
    for name in ("nasdaqlisted.txt", "otherlisted.txt"):
        outcome = await ingest(shared_file(f"nasdaqtrader/{folder}{name}"), "symbol-directory")
        assert (outcome.status, outcome.rows_rejected) == ("applied", 0), outcome.error


@pytest.mark.parametrize(
    ("file", "test_column", "etf_column"),
    [("nasdaqlisted.txt", 3, 6), ("otherlisted.txt", 6, 4)],
)
async def test_the_2025_files_load_without_test_issues(
    db: Database, ingest: Ingest, file: str, test_column: int, etf_column: int
) -> None:
    path = shared_file(f"nasdaqtrader/{file}")
    rows = directory_rows(path)
    tests = [r for r in rows if r[test_column] == "Y"]
    etfs = [r for r in rows if r[test_column] == "N" and r[etf_column] == "Y"]
    outcome = await ingest(path, "symbol-directory")
    assert (outcome.status, outcome.rows_read, outcome.rows_skipped, outcome.rows_rejected) == (
        "applied",
        len(rows),
        len(tests),
        0,
    )
    assert outcome.rows_accepted == len(rows) - len(tests)
    by_type = dict(await db.fetch("SELECT type, count(*) FROM security GROUP BY 1"))
    assert by_type["etf"] == len(etfs)
    assert sum(by_type.values()) == len(rows) - len(tests)
    assert await db.fetchval("SELECT count(*) FROM security WHERE type_source <> 'source'") == 0
    assert await db.fetchval(
        "SELECT count(*) FROM security_listing WHERE first_seen = $1 AND last_seen = $1",
        SNAPSHOT_2025,
    ) == len(rows) - len(tests)


async def test_counts_types_and_exchanges_of_the_2025_snapshot(
    db: Database, ingest: Ingest
) -> None:
    await ingest_snapshot(ingest, "")
    # Counted with awk from the files: 4,973 + 6,606 rows, 8 + 25 test issues, 914 + 3,430 ETFs.
    assert await db.fetchval("SELECT count(*) FROM security") == 4965 + 6581
    assert await db.fetchval("SELECT count(*) FROM security WHERE type = 'etf'") == 914 + 3430
    exchanges = dict(await db.fetch("SELECT exchange, count(*) FROM security_listing GROUP BY 1"))
    assert exchanges == {
        "Nasdaq": 4965,
        "NYSE": 2879,
        "NYSE Arca": 2389,
        "Cboe BZX": 1005,
        "NYSE American": 308,
    }
    for symbol, exchange in (("VTWO", "Nasdaq"), ("IWM", "NYSE Arca"), ("SPY", "NYSE Arca")):
        row = await db.fetchrow(LISTING, symbol)
        assert (row["type"], row["type_source"], row["exchange"], row["etf"]) == (
            "etf",
            "source",
            exchange,
            True,
        ), symbol
    apple = await db.fetchrow(LISTING, "AAPL")
    assert (apple["type"], apple["type_source"], apple["name"]) == (
        "stock",
        "source",
        "Apple Inc. - Common Stock",
    )
    # Test issues (ZXIET on IEX, ZXYZ.A on Nasdaq) are not securities.
    assert await db.fetchval("SELECT count(*) FROM security WHERE symbol LIKE 'ZXIE%'") == 0
    assert await db.fetchval("SELECT count(*) FROM security WHERE symbol = 'ZXYZA'") == 0


async def test_class_shares_and_preferreds_take_finras_spelling(
    db: Database, ingest: Ingest
) -> None:
    await ingest_snapshot(ingest, "")
    spelled = {
        "BRKB": "BRK.B",
        "BFSPRD": "BFSpD",
        "ACHRWS": "ACHR.WS",
        "JACSRT": "JACSr",
        "NEWSA": "NE.WS.A",
    }
    for symbol, directory_symbol in spelled.items():
        row = await db.fetchrow(LISTING, symbol)
        assert row is not None, symbol
        assert row["directory_symbol"] == directory_symbol
    assert await db.fetchval("SELECT count(*) FROM security WHERE symbol ~ '[./$]'") == 0


async def test_the_2016_layout_loads_and_listings_keep_first_and_last_seen(
    db: Database, ingest: Ingest
) -> None:
    await ingest_snapshot(ingest, "2016-08-15/")
    # 3,145 + 5,223 rows, 9 + 7 test issues (CRLF, trailers with fewer pipes than columns).
    assert await db.fetchval("SELECT count(*) FROM security") == 3136 + 5216
    assert (await db.fetchrow(LISTING, "BRKB"))["directory_symbol"] == "BRK/B"
    await ingest_snapshot(ingest, "")
    vtwo = await db.fetch(LISTING, "VTWO")
    assert [(r["first_seen"], r["last_seen"]) for r in vtwo] == [(SNAPSHOT_2016, SNAPSHOT_2025)]
    gone = await db.fetch(LISTING, "AAAP")  # in 2016, absent from the 2025 snapshot
    assert [(r["first_seen"], r["last_seen"]) for r in gone] == [(SNAPSHOT_2016, SNAPSHOT_2016)]


async def test_a_reused_symbol_keeps_its_type_as_of_each_snapshot(
    db: Database, ingest: Ingest
) -> None:
    # AIQ: Alliance HealthCare Services' stock on 2016-08-15, a Global X ETF on 2025-07-21. The
    # newer snapshot first: the older one adds its listing and leaves the current type alone.
    await ingest_snapshot(ingest, "")
    await ingest_snapshot(ingest, "2016-08-15/")
    rows = await db.fetch(LISTING + " ORDER BY l.first_seen", "AIQ")
    assert [(r["etf"], r["first_seen"], r["last_seen"]) for r in rows] == [
        (False, SNAPSHOT_2016, SNAPSHOT_2016),
        (True, SNAPSHOT_2025, SNAPSHOT_2025),
    ]
    assert (rows[0]["type"], rows[0]["type_source"]) == ("etf", "source")
    assert rows[0]["name"] == "Global X Artificial Intelligence & Technology ETF"


async def test_the_directory_type_beats_finras_name_based_guess(
    db: Database, ingest: Ingest
) -> None:
    outcome = await ingest(shared_file("finra-short-interest/shrt20260715.csv"), "short-interest")
    assert outcome.status == "applied"
    guessed = await db.fetchrow("SELECT type, type_source FROM security WHERE symbol = 'VTWO'")
    assert tuple(guessed) == ("stock", "guess")  # "Vanguard Scottsdale Funds Vang": no "ETF"
    await ingest_snapshot(ingest, "")
    vtwo = await db.fetchrow("SELECT type, type_source FROM security WHERE symbol = 'VTWO'")
    assert tuple(vtwo) == ("etf", "source")
    # An OTC symbol the directory does not list keeps FINRA's guess, marked as one.
    otc = await db.fetchrow("SELECT type_source FROM security WHERE symbol = 'AACTF'")
    assert otc["type_source"] == "guess"


def test_finra_spelling_of_cqs_symbols() -> None:
    assert finra_symbol("AAPL") == "AAPL"
    assert finra_symbol("BRK.B") == finra_symbol("BRK/B") == "BRKB"
    assert finra_symbol("ABRpD") == "ABRPRD"
    assert finra_symbol("HWMp") == "HWMPR"
    assert finra_symbol("AAC/WS") == "AACWS"
    assert finra_symbol("BAC/WS/A") == "BACWSA"
    assert finra_symbol("NXGrw") == "NXGRTWI"
    assert finra_symbol("ASBpB/CL") == "ASBPRB"
    for bad in ("BRK-B", "AACT=", "ABC+", "1ABC", "ABCx", "AB C"):
        with pytest.raises(RowError):
            finra_symbol(bad)


async def test_a_renamed_column_fails_the_file(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = tmp_path / "otherlisted.txt"
    path.write_text(
        "ACT Symbol|Security Name|Listing Exchange|CQS Symbol|ETF|Round Lot Size|Test Issue|"
        "NASDAQ Symbol\nIWM|iShares Russell 2000 ETF|P|IWM|Y|100|N|IWM\n"
        "File Creation Time: 0721202521:31||||||\n"
    )
    outcome = await ingest(path, "symbol-directory")
    assert outcome.status == "failed"
    assert "matches no known symbol-directory layout" in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM security") == 0


async def test_a_file_without_its_trailer_fails_whole(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    lines = shared_file("nasdaqtrader/nasdaqlisted.txt").read_text().splitlines()
    path = tmp_path / "nasdaqlisted.txt"
    path.write_text("\n".join(lines[:-1]) + "\n")  # cut short: the trailer is missing
    outcome = await ingest(path, "symbol-directory")
    assert outcome.status == "failed"
    assert "File Creation Time" in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM security") == 0


async def test_bad_rows_are_rejected_with_a_reason(ingest: Ingest, tmp_path: Path) -> None:
    path = tmp_path / "otherlisted.txt"
    header = (
        "ACT Symbol|Security Name|Exchange|CQS Symbol|ETF|Round Lot Size|Test Issue|NASDAQ Symbol"
    )
    path.write_text(
        f"{header}\n"
        "IWM|iShares Russell 2000 ETF|P|IWM|Y|100|N|IWM\n"
        "XYZ|Unknown venue|Q|XYZ|N|100|N|XYZ\n"
        "ABC-D|Nasdaq spelling in the CQS column|N|ABC-D|N|100|N|ABC-D\n"
        "DEF|No ETF flag|N|DEF||100|N|DEF\n"
        "GHI|Too few fields|N|GHI|N|100\n"
        "File Creation Time: 0721202521:31||||||\n"
    )
    outcome = await ingest(path, "symbol-directory")
    assert (outcome.status, outcome.rows_accepted, outcome.rows_rejected) == ("applied", 1, 4)
    reasons = [r.reason for r in outcome.rejects]
    assert reasons == [
        "Exchange: 'Q' is not one of A, N, P, Z, V",
        "symbol: 'ABC-D' has a suffix outside CQS symbology",
        "ETF: '' is neither Y nor N",
        "expected 8 fields, found 6",
    ]
