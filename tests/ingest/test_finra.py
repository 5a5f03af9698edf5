"""FINRA short interest: the two real bulk files, point-in-time versions and revisions."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import ShortInterestRow, write_finra_bulk
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

JULY_15 = "finra-short-interest/shrt20260715.csv"
JULY_31 = "finra-short-interest/shrt20260731.csv"

VERSION = """
SELECT si.short_interest, si.previous_short_interest, si.average_daily_volume,
       si.days_to_cover, si.known_from, si.revised
FROM short_interest si JOIN security s ON s.id = si.security_id
WHERE s.symbol = $1 AND si.settlement_date = $2 AND si.known_from <= $3
ORDER BY si.known_from DESC LIMIT 1
"""


def raw_rows(path: Path) -> dict[str, list[str]]:
    """The file's rows by symbol, read independently of the ingest code."""
    lines = path.read_text().splitlines()
    return {cells[1]: cells for cells in (line.split("|") for line in lines[1:])}


async def value(
    db: Database, symbol: str, settlement: date, as_of: date
) -> dict[str, object] | None:
    row = await db.fetchrow(VERSION, symbol, settlement, as_of)
    return None if row is None else dict(row)


async def test_both_real_files_in_order_keep_exact_values_and_revisions(
    db: Database, ingest: Ingest
) -> None:
    first = await ingest(shared_file(JULY_15), "short-interest")
    second = await ingest(shared_file(JULY_31), "short-interest")
    assert (first.status, first.rows_read, first.rows_accepted, first.rows_rejected) == (
        "applied",
        22375,
        22375,
        0,
    )
    assert (second.status, second.rows_read, second.rows_accepted) == ("applied", 22341, 22341)
    assert second.summary["revisions"] == 9

    today = date(2026, 11, 23)
    iwm = await value(db, "IWM", date(2026, 7, 31), today)
    assert iwm == {
        "short_interest": 72786177,
        "previous_short_interest": 79811318,
        "average_daily_volume": 23504634,
        "days_to_cover": 3.10,
        "known_from": date(2026, 8, 11),
        "revised": False,
    }
    vtwo = await value(db, "VTWO", date(2026, 7, 31), today)
    assert vtwo is not None
    assert (vtwo["short_interest"], vtwo["previous_short_interest"]) == (9240635, 9131004)

    # Every R row of the later file whose previous position differs from the earlier file's value
    # is a revision of 2026-07-15, known from the later file's publication (2026-08-11).
    earlier, later = raw_rows(shared_file(JULY_15)), raw_rows(shared_file(JULY_31))
    revised = {
        symbol: (int(earlier[symbol][5]), int(cells[6]))
        for symbol, cells in later.items()
        if cells[10] == "R" and symbol in earlier and int(earlier[symbol][5]) != int(cells[6])
    }
    assert len(revised) == 9
    for symbol, (original, revision) in revised.items():
        before = await value(db, symbol, date(2026, 7, 15), date(2026, 8, 10))
        after = await value(db, symbol, date(2026, 7, 15), date(2026, 8, 11))
        assert before is not None
        assert after is not None
        assert (before["short_interest"], before["revised"]) == (original, False), symbol
        assert (after["short_interest"], after["revised"], after["known_from"]) == (
            revision,
            True,
            date(2026, 8, 11),
        ), symbol


async def test_values_are_unknown_before_their_publication_date(
    db: Database, ingest: Ingest
) -> None:
    await ingest(shared_file(JULY_15), "short-interest")
    assert await value(db, "IWM", date(2026, 7, 15), date(2026, 7, 23)) is None
    known = await value(db, "IWM", date(2026, 7, 15), date(2026, 7, 24))
    assert known is not None
    assert known["short_interest"] == 79811318


async def test_files_loaded_out_of_order_give_the_same_versions(
    db: Database, ingest: Ingest
) -> None:
    await ingest(shared_file(JULY_31), "short-interest")
    outcome = await ingest(shared_file(JULY_15), "short-interest")
    assert outcome.summary["revisions"] == 9
    dba = await value(db, "DBA", date(2026, 7, 15), date(2026, 8, 11))
    original = await value(db, "DBA", date(2026, 7, 15), date(2026, 8, 10))
    assert dba is not None
    assert original is not None
    assert (original["short_interest"], dba["short_interest"]) == (612445, 612345)


async def test_the_same_file_twice_changes_nothing(db: Database, ingest: Ingest) -> None:
    path = shared_file(JULY_31)
    await ingest(path, "short-interest")
    counts = await db.fetchrow(
        "SELECT count(*) AS rows, max(id) AS run FROM short_interest, ingest_run"
    )
    again = await ingest(path, "short-interest")
    assert again.status == "already"
    assert (
        await db.fetchrow("SELECT count(*) AS rows, max(id) AS run FROM short_interest, ingest_run")
        == counts
    )


async def test_two_concurrent_ingests_of_one_file_apply_it_once(
    db: Database, ingest: Ingest
) -> None:
    path = shared_file(JULY_15)
    outcomes = await asyncio.gather(ingest(path, "short-interest"), ingest(path, "short-interest"))
    assert sorted(o.status for o in outcomes) == ["already", "applied"]
    assert await db.fetchval("SELECT count(*) FROM short_interest") == 22375
    assert await db.fetchval("SELECT count(*) FROM ingest_run WHERE status = 'applied'") == 1


def _rows(count: int) -> list[ShortInterestRow]:
    return [
        ShortInterestRow(f"T{i:03d}", f"Test Co {i}", "NNM", 1000 + i, 900 + i, 500)
        for i in range(count)
    ]


@pytest.fixture
def malformed(tmp_path: Path) -> Path:
    """A bulk file with three bad rows among good ones (line numbers 3, 5 and 7)."""
    path = write_finra_bulk(tmp_path / "shrt20260630.csv", date(2026, 6, 30), _rows(8))
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("|1001|", "|12x3|")  # not a number
    lines[4] = lines[4].rsplit("|", 1)[0] + "|2026-13-45"  # impossible date
    lines[6] = "|".join(lines[6].split("|")[:5])  # truncated
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_rejected_rows_are_kept_and_good_rows_applied(
    db: Database, ingest: Ingest, malformed: Path
) -> None:
    outcome = await ingest(malformed, "short-interest")
    assert outcome.status == "applied"
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (8, 5, 3)
    stored = await db.fetch(
        "SELECT line_number, reason, raw FROM rejected_row WHERE ingest_run_id = $1 ORDER BY 1",
        outcome.run_id,
    )
    assert [row["line_number"] for row in stored] == [3, 5, 7]
    assert "current short position: '12x3' is not a whole number" in stored[0]["reason"]
    assert "settlement date" in stored[1]["reason"]
    assert "expected 14 fields" in stored[2]["reason"]
    assert stored[0]["raw"].startswith("20260630|T001|")
    assert await db.fetchval("SELECT count(*) FROM short_interest") == 5


async def test_strict_applies_nothing_when_a_row_is_rejected(
    db: Database, ingest: Ingest, malformed: Path
) -> None:
    outcome = await ingest(malformed, "short-interest", strict=True)
    assert outcome.status == "failed"
    assert "--strict" in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM short_interest") == 0
    assert await db.fetchval("SELECT count(*) FROM security") == 0
    run = await db.fetchrow(
        "SELECT status, rows_rejected FROM ingest_run WHERE id = $1", outcome.run_id
    )
    assert dict(run) == {"status": "failed", "rows_rejected": 3}
    assert (
        await db.fetchval(
            "SELECT count(*) FROM rejected_row WHERE ingest_run_id = $1", outcome.run_id
        )
        == 3
    )
    retry = await ingest(malformed, "short-interest")
    assert retry.status == "applied"


async def test_duplicate_rows_are_rejected_with_the_first_line(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = write_finra_bulk(tmp_path / "shrt20260630.csv", date(2026, 6, 30), _rows(3))
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    outcome = await ingest(path, "short-interest")
    assert [(r.line, r.reason) for r in outcome.rejects] == [(5, "duplicate of line 2")]


async def test_web_export_is_detected_and_loaded(db: Database, ingest: Ingest) -> None:
    outcome = await ingest(
        shared_file("finra-short-interest/web-export/TAIL_SI.csv"), "short-interest"
    )
    assert (outcome.format, outcome.rows_accepted, outcome.rows_rejected) == ("finra-web", 186, 0)
    latest = await value(db, "TAIL", date(2025, 9, 15), date(2026, 1, 1))
    assert latest is not None
    assert (latest["short_interest"], latest["previous_short_interest"]) == (219462, 12785)
    assert latest["days_to_cover"] == 1.07
    kind = await db.fetchrow("SELECT type, type_source FROM security WHERE symbol = 'TAIL'")
    assert dict(kind) == {"type": "etf", "type_source": "guess"}


async def test_market_class_changes_follow_the_newest_data(db: Database, ingest: Ingest) -> None:
    path = shared_file("finra-short-interest/web-export/AMPG_SI.csv")
    classes = {line.split('","')[3] for line in path.read_text().splitlines()[1:]}
    assert len(classes) > 1, "the sample is expected to change market class over time"
    newest = path.read_text().splitlines()[1].split('","')[3]
    await ingest(path, "short-interest")
    assert await db.fetchval("SELECT market_class FROM security WHERE symbol = 'AMPG'") == newest


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("foo,bar\n1,2\n", "matches no known short-interest layout"),
        ("Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\n", "not short-interest"),
    ],
)
async def test_unknown_or_wrong_layouts_are_clear_errors(
    db: Database, ingest: Ingest, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "CNMSshvol20260630.txt"
    path.write_text(content)
    outcome = await ingest(path, "short-interest")
    assert outcome.status == "failed"
    assert message in (outcome.error or "")
    assert await db.fetchval("SELECT count(*) FROM ingest_run") == 0


async def test_a_missing_file_is_a_clear_error(ingest: Ingest, tmp_path: Path) -> None:
    outcome = await ingest(tmp_path / "nope.csv", "short-interest")
    assert outcome.status == "failed"
    assert "no such file" in (outcome.error or "")


def _with_row_redated(source: Path, target: Path, symbol: str, settlement: str) -> int:
    """A copy of a real bulk file with one row's settlementDate changed; its line number."""
    lines = source.read_text().splitlines()
    for index, line in enumerate(lines):
        cells = line.split("|")
        if cells[1] == symbol:
            lines[index] = "|".join([*cells[:-1], settlement])
            target.write_text("\n".join(lines) + "\n")
            return index + 1
    raise AssertionError(f"{symbol} is not in {source}")


async def test_a_row_of_another_date_is_rejected_and_history_stays(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    await ingest(shared_file(JULY_15), "short-interest")
    stored_before = await db.fetch(
        "SELECT si.* FROM short_interest si JOIN security s ON s.id = si.security_id "
        "WHERE s.symbol = 'AMZO' ORDER BY si.settlement_date, si.known_from"
    )
    misdated = tmp_path / "shrt20260731.csv"
    line = _with_row_redated(shared_file(JULY_31), misdated, "AMZO", "2026-07-15")

    outcome = await ingest(misdated, "short-interest")

    assert (outcome.status, outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (
        "applied",
        22341,
        22340,
        1,
    )
    stored = await db.fetchrow(
        "SELECT line_number, reason, raw FROM rejected_row WHERE ingest_run_id = $1",
        outcome.run_id,
    )
    assert stored["line_number"] == line
    assert stored["reason"].startswith(
        "settlement date 2026-07-15 is not this file's settlement date 2026-07-31 "
        "(from the file name shrt20260731.csv)"
    )
    assert stored["raw"].startswith("20260731|AMZO|Tradr 2X Short AMZN Daily ETF|")
    # AMZO's 2026-07-15 point is what FINRA published for that date, in every point in time.
    for as_of in (date(2026, 7, 24), date(2026, 8, 11), date(2030, 1, 1)):
        point = await value(db, "AMZO", date(2026, 7, 15), as_of)
        assert point is not None
        assert (point["short_interest"], point["known_from"], point["revised"]) == (
            8170,
            date(2026, 7, 24),
            False,
        )
    after = await db.fetch(
        "SELECT si.* FROM short_interest si JOIN security s ON s.id = si.security_id "
        "WHERE s.symbol = 'AMZO' ORDER BY si.settlement_date, si.known_from"
    )
    assert [dict(r) for r in after] == [dict(r) for r in stored_before]


async def test_without_a_dated_name_the_first_row_gives_the_file_date(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    renamed = tmp_path / "short_interest_upload.csv"
    line = _with_row_redated(shared_file(JULY_31), renamed, "AMZO", "2026-07-15")
    outcome = await ingest(renamed, "short-interest")
    assert (outcome.rows_accepted, outcome.rows_rejected) == (22340, 1)
    assert [(r.line, r.reason.split(":")[0]) for r in outcome.rejects] == [
        (
            line,
            "settlement date 2026-07-15 is not this file's settlement date 2026-07-31 "
            "(from its first row, line 2)",
        )
    ]
    assert await db.fetchval("SELECT array_agg(DISTINCT settlement_date) FROM short_interest") == [
        date(2026, 7, 31)
    ]
