"""Reg SHO daily short volume: real files of every facility, trailers, packing by month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import ShortVolumeRow, write_regsho
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

FACILITIES = ("CNMS", "FNQC", "FNRA", "FNSQ", "FNYX", "FORF")
DAY_VOLUME = """
SELECT short_volume, short_exempt_volume, total_volume, market
FROM short_volume v JOIN security s ON s.id = v.security_id
WHERE s.symbol = $1 AND v.facility = $2 AND v.date = $3
"""


def data_rows(path: Path) -> list[list[str]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [line.split("|") for line in lines[1:] if "|" in line]


async def test_every_real_facility_file_loads_with_its_trailer(
    db: Database, ingest: Ingest
) -> None:
    for facility in FACILITIES:
        path = shared_file(f"regsho/{facility}shvol20210604.txt")
        outcome = await ingest(path, "short-volume")
        expected = len(data_rows(path))
        assert (outcome.status, outcome.rows_accepted, outcome.rows_rejected) == (
            "applied",
            expected,
            0,
        ), facility
    counts = dict(await db.fetch("SELECT facility, count(*) FROM short_volume GROUP BY 1"))
    assert counts == {"CNMS": 9661, "FNQC": 3161, "FNSQ": 9529, "FNYX": 8201, "FORF": 4656}


async def test_consolidated_and_facility_rows_are_kept_apart(db: Database, ingest: Ingest) -> None:
    for facility in ("CNMS", "FNSQ"):
        await ingest(shared_file(f"regsho/{facility}shvol20210604.txt"), "short-volume")
    day = date(2021, 6, 4)
    cnms = await db.fetchrow(DAY_VOLUME, "AA", "CNMS", day)
    fnsq = await db.fetchrow(DAY_VOLUME, "AA", "FNSQ", day)
    assert dict(cnms) == {
        "short_volume": 783065,
        "short_exempt_volume": 18011,
        "total_volume": 1377662,
        "market": "B,Q,N",
    }
    assert dict(fnsq)["market"] == "Q"
    assert dict(fnsq)["short_volume"] == 631938


async def test_the_same_bytes_for_two_facilities_are_two_runs(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    # An empty file has the same bytes whatever its facility: the facility is part of its identity.
    content = shared_file("regsho/FNRAshvol20210604.txt").read_bytes()
    for facility in ("FNRA", "FNQC"):
        (tmp_path / f"{facility}shvol20210604.txt").write_bytes(content)
        outcome = await ingest(tmp_path / f"{facility}shvol20210604.txt", "short-volume")
        assert outcome.status == "applied"


def _day(day: date, symbols: list[str], scale: float = 1.0) -> list[ShortVolumeRow]:
    return [
        ShortVolumeRow(day, s, 100 * scale * (i + 1), i, 300 * scale * (i + 1), "B,Q,N")
        for i, s in enumerate(symbols)
    ]


async def test_fractional_volumes_and_multi_valued_markets(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = tmp_path / "CNMSshvol20250102.txt"
    write_regsho(
        path, [ShortVolumeRow(date(2025, 1, 2), "FRAC", 431668.624869, 12.5, 998765.25, "B,Q,N,O")]
    )
    outcome = await ingest(path, "short-volume")
    assert outcome.rows_accepted == 1
    row = await db.fetchrow(DAY_VOLUME, "FRAC", "CNMS", date(2025, 1, 2))
    assert dict(row) == {
        "short_volume": 431668.624869,
        "short_exempt_volume": 12.5,
        "total_volume": 998765.25,
        "market": "B,Q,N,O",
    }


async def test_days_of_a_month_merge_and_a_corrected_day_replaces(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    symbols = ["AAA", "BBB"]
    write_regsho(tmp_path / "CNMSshvol20250102.txt", _day(date(2025, 1, 2), symbols))
    write_regsho(tmp_path / "CNMSshvol20250103.txt", _day(date(2025, 1, 3), symbols))
    corrected = tmp_path / "corrected" / "CNMSshvol20250102.txt"
    corrected.parent.mkdir()
    write_regsho(corrected, _day(date(2025, 1, 2), symbols, scale=2.0))
    for path in (tmp_path / "CNMSshvol20250103.txt", tmp_path / "CNMSshvol20250102.txt", corrected):
        assert (await ingest(path, "short-volume")).status == "applied"
    months = await db.fetch(
        "SELECT days, short_volume FROM short_volume_month m "
        "JOIN security s ON s.id = m.security_id "
        "WHERE s.symbol = 'AAA'"
    )
    assert [(list(m["days"]), list(m["short_volume"])) for m in months] == [
        ([2, 3], [200.0, 100.0])
    ]


MONTH_ROWS = (
    "SELECT s.symbol, m.days, m.short_volume FROM short_volume_month m "
    "JOIN security s ON s.id = m.security_id ORDER BY s.symbol"
)


async def test_files_in_date_order_append_and_one_file_can_append_and_merge(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    # Days after the stored ones are appended (the usual case); a day before a stored one is
    # merged into place; one file can do both, for different securities.
    files = [
        ("CNMSshvol20250102.txt", _day(date(2025, 1, 2), ["AAA", "BBB"])),
        ("CNMSshvol20250103.txt", _day(date(2025, 1, 3), ["AAA", "BBB"])),
        ("CNMSshvol20250108.txt", _day(date(2025, 1, 8), ["BBB"])),
        ("CNMSshvol20250106.txt", _day(date(2025, 1, 6), ["AAA", "BBB"], scale=3.0)),
    ]
    changed = []
    for name, rows in files:
        write_regsho(tmp_path / name, rows)
        outcome = await ingest(tmp_path / name, "short-volume")
        assert outcome.status == "applied", outcome.error
        changed.append(outcome.summary["months"])
    assert changed == [2, 2, 1, 2]
    months = [
        (r["symbol"], list(r["days"]), list(r["short_volume"])) for r in await db.fetch(MONTH_ROWS)
    ]
    assert months == [
        ("AAA", [2, 3, 6], [100.0, 100.0, 300.0]),
        ("BBB", [2, 3, 6, 8], [200.0, 200.0, 600.0, 100.0]),
    ]
    # The same days again in other bytes (CRLF): nothing to write.
    (tmp_path / "again").mkdir()
    write_regsho(tmp_path / "again" / "CNMSshvol20250108.txt", files[2][1], crlf=False)
    again = await ingest(tmp_path / "again" / "CNMSshvol20250108.txt", "short-volume")
    assert (again.status, again.summary["months"]) == ("applied", 0)


async def test_sip_spellings_name_the_securities_of_the_short_interest_files(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    # FINRA's short interest file spells Berkshire's class B `BRKB`; its Reg SHO files `BRK/B`.
    finra = shared_file("finra-short-interest/shrt20260731.csv").read_text().splitlines()
    short_interest = tmp_path / "shrt20260731.csv"
    short_interest.write_text("\n".join([finra[0], *[r for r in finra if "|BRKB|" in r]]) + "\n")
    assert (await ingest(short_interest, "short-interest")).status == "applied"
    outcome = await ingest(shared_file("regsho/CNMSshvol20210604.txt"), "short-volume")
    assert (outcome.status, outcome.rows_rejected) == ("applied", 0)
    brkb = await db.fetchrow(DAY_VOLUME, "BRKB", "CNMS", date(2021, 6, 4))
    assert (brkb["short_volume"], brkb["total_volume"]) == (279570, 681049)
    spelled = {
        "ABRPRA": 1723,  # ABRpA: preferred series A
        "BFB": 76906,  # BF/B: class B
        "GABRTWI": 3600,  # GABrw: rights, when issued
    }
    for symbol, short in spelled.items():
        row = await db.fetchrow(DAY_VOLUME, symbol, "CNMS", date(2021, 6, 4))
        assert row["short_volume"] == short, symbol
    leftover = await db.fetchval("SELECT count(*) FROM security WHERE symbol !~ '^[A-Z0-9]+$'")
    assert leftover == 0


async def test_bad_rows_trailer_mismatch_and_duplicates_are_rejected(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = tmp_path / "FNSQshvol20250102.txt"
    lines = [
        "Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market",
        "20250102|GOOD|10|1|20|Q",
        "20250102|OVER|30|1|20|Q",
        "20250102|EXMT|10|11|20|Q",
        "20250102|TEXT|ten|1|20|Q",
        "20250102|GOOD|11|1|20|Q",
        "20250102|NOPE",
        "7",
    ]
    path.write_text("\r\n".join(lines) + "\r\n")
    outcome = await ingest(path, "short-volume")
    assert outcome.status == "applied"
    reasons = {r.line: r.reason for r in outcome.rejects}
    assert reasons == {
        3: "ShortVolume exceeds TotalVolume",
        4: "ShortExemptVolume exceeds ShortVolume (which includes it)",
        5: "ShortVolume: 'ten' is not a number",
        6: "duplicate of line 2",
        7: "expected 6 fields separated by '|', found 2",
        8: "the trailer counts 7 records but the file has 6: the file may be truncated",
    }
    assert outcome.rows_accepted == 1


async def test_a_file_out_of_date_order_still_loads(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    rows = [
        *_day(date(2025, 1, 2), ["AAA"]),
        *_day(date(2025, 2, 3), ["AAA"]),
        *_day(date(2025, 1, 3), ["AAA"]),
    ]
    path = tmp_path / "CNMSshvol20250203.txt"
    write_regsho(path, rows)
    outcome = await ingest(path, "short-volume")
    assert (outcome.status, outcome.rows_accepted) == ("applied", 3)
    days = await db.fetch("SELECT date FROM short_volume ORDER BY date")
    assert [r["date"] for r in days] == [date(2025, 1, 2), date(2025, 1, 3), date(2025, 2, 3)]


async def test_the_facility_comes_from_the_name_or_an_option(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = tmp_path / "volumes.txt"
    write_regsho(path, _day(date(2025, 1, 2), ["AAA"]))
    unnamed = await ingest(path, "short-volume")
    assert unnamed.status == "failed"
    assert "cannot tell the reporting facility" in (unnamed.error or "")
    named = await ingest(path, "short-volume", facility="FNYX")
    assert named.status == "applied"
    assert await db.fetchval("SELECT facility FROM short_volume") == "FNYX"


@pytest.mark.parametrize("trailer", [True, False])
async def test_trailer_is_optional(
    db: Database, ingest: Ingest, tmp_path: Path, trailer: bool
) -> None:
    path = tmp_path / "CNMSshvol20250102.txt"
    write_regsho(path, _day(date(2025, 1, 2), ["AAA", "BBB"]), trailer=trailer, crlf=not trailer)
    outcome = await ingest(path, "short-volume")
    assert (outcome.rows_accepted, outcome.rows_rejected) == (2, 0)


async def test_a_lone_number_before_more_records_is_not_a_trailer(
    ingest: Ingest, tmp_path: Path
) -> None:
    path = tmp_path / "CNMSshvol20250102.txt"
    header = "Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market"
    path.write_text(f"{header}\n20250102|AAA|1|0|2|Q\n1\n20250102|BBB|1|0|2|Q\n2\n")
    outcome = await ingest(path, "short-volume")
    assert outcome.rows_accepted == 2
    assert [(r.line, r.reason) for r in outcome.rejects] == [
        (3, "a lone number in the middle of the file")
    ]
