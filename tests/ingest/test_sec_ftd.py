"""SEC fails-to-deliver: the real rows of ../shared/data/sec-ftd (the first 2,999 rows of the first
half of January 2021, and every IWM and SPY row of five half-month files), checked against an
independent reading of the same files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from service.db.pool import Database
from service.sources.sec_ftd.format import cusip_check_digit
from service.sources.sec_ftd.halves import known_from
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

FIRST_HALF = "sec-ftd/cnsfails202101a_first3000lines.txt"
IWM_SPY = "sec-ftd/cnsfails_202101a-202103a_IWM_SPY_rows.txt"
ROW = """
SELECT f.cusip, f.symbol, f.quantity, f.price, f.description, f.known_from
FROM fails_to_deliver f JOIN security s ON s.id = f.security_id
WHERE s.symbol = $1 AND f.settlement_date = $2
"""


def rows(path: Path) -> list[list[str]]:
    return [line.split("|") for line in path.read_text().splitlines()[1:]]


async def test_the_real_first_half_of_january_2021(db: Database, ingest: Ingest) -> None:
    path = shared_file(FIRST_HALF)
    outcome = await ingest(path, "sec-ftd")
    assert outcome.format == "sec-ftd"
    assert (outcome.status, outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (
        "applied",
        2999,
        2999,
        0,
    )
    real = rows(path)
    stored = await db.fetchrow(
        "SELECT count(*) AS n, sum(quantity) AS total, count(price) AS priced, "
        "min(settlement_date) AS first, max(settlement_date) AS last FROM fails_to_deliver"
    )
    assert stored["n"] == len(real)
    assert stored["total"] == sum(int(r[3]) for r in real)
    assert stored["priced"] == sum(1 for r in real if r[5] != ".")
    assert stored["first"] == stored["last"] == date(2021, 1, 4)
    # stored long after SEC posted it: known from the half-month's end + 30 days
    iwm = await db.fetchrow(ROW, "IWM", date(2021, 1, 4))
    assert dict(iwm) == {
        "cusip": "464287655",
        "symbol": "IWM",
        "quantity": 7218,
        "price": Decimal("196.06"),
        "description": "ISHARES RUSSELL 2000 ETF",
        "known_from": date(2021, 2, 14),
    }
    no_price = await db.fetchrow(ROW, "ADGO", date(2021, 1, 4))
    assert (no_price["quantity"], no_price["price"]) == (49910, None)
    # a symbol outside CQS symbology is kept as SEC writes it
    odd = await db.fetchrow(ROW, "T012RTSPYMNT", date(2021, 1, 4))
    assert odd["cusip"] == "429RGT012"
    again = await ingest(path, "sec-ftd")
    assert again.status == "already"


async def test_iwm_and_spy_over_five_half_months(db: Database, ingest: Ingest) -> None:
    path = shared_file(IWM_SPY)
    outcome = await ingest(path, "sec-ftd")
    assert outcome.status == "applied"
    real = rows(path)
    for symbol in ("IWM", "SPY"):
        expected = {date.fromisoformat(f"{r[0][:4]}-{r[0][4:6]}-{r[0][6:]}"): int(r[3])
                    for r in real if r[2] == symbol}  # fmt: skip
        stored = await db.fetch(
            "SELECT settlement_date, quantity FROM fails_to_deliver f JOIN security s "
            "ON s.id = f.security_id WHERE s.symbol = $1",
            symbol,
        )
        assert {r["settlement_date"]: r["quantity"] for r in stored} == expected
    assert (await db.fetchrow(ROW, "IWM", date(2021, 2, 2)))["quantity"] == 2_062_475


async def test_bad_rows_are_kept_as_rejects_with_their_reason(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    lines = shared_file(FIRST_HALF).read_text().splitlines()
    header, good = lines[0], lines[1:6]
    bad = [
        "20210104|464287656|IWM|7218|ISHARES RUSSELL 2000 ETF|196.06",  # check digit
        "20210104|46428765|IWM|7218|ISHARES RUSSELL 2000 ETF|196.06",  # eight characters
        "20210104|78462F103|SPY|many|SPDR S&P 500 ETF TR|373.88",
        "20210104|78462F103|SPY|-5|SPDR S&P 500 ETF TR|373.88",
        "20210104|78462F103||92018|SPDR S&P 500 ETF TR|373.88",
        "20210104|78462F103|SPY|92018|SPDR S&P 500 ETF TR",
        "20990104|78462F103|SPY|92018|SPDR S&P 500 ETF TR|373.88",
        "2021-01-04|78462F103|SPY|92018|SPDR S&P 500 ETF TR|373.88",
        "20210104|78462F103|SPY|92018|SPDR S&P 500 ETF TR|free",
        good[0],  # a duplicate of the first row
    ]
    path = tmp_path / "cnsfails202101a.txt"
    path.write_text("\n".join([header, *good, *bad, "Trailer record count 99"]) + "\n")
    outcome = await ingest(path, "sec-ftd")
    assert outcome.status == "applied"
    assert await db.fetchval("SELECT count(*) FROM fails_to_deliver") == len(good)
    reasons = [r.reason for r in outcome.rejects]
    assert reasons == [
        "CUSIP: '464287656' fails its check digit",
        "CUSIP: '46428765' is not a CUSIP (nine letters, digits, * @ or #)",
        "QUANTITY (FAILS): 'many' is not a whole number",
        "QUANTITY (FAILS): '-5' is negative",
        "SYMBOL: empty (the row names no security)",
        "expected 6 fields separated by '|', found 5",
        "SETTLEMENT DATE: 2099-01-04 is in the future",
        "SETTLEMENT DATE: '2021-01-04' is not a date (%Y%m%d)",
        "PRICE: 'free' is not a number",
        "duplicate of line 2",
        f"the trailer counts 99 records but the file has {len(good) + len(bad)}: "
        "the file may be truncated",
    ]
    stored = await db.fetchval("SELECT count(*) FROM rejected_row WHERE ingest_run_id = $1",
                               outcome.run_id)  # fmt: skip
    assert stored == len(reasons)


async def test_a_matching_trailer_is_no_row(db: Database, ingest: Ingest, tmp_path: Path) -> None:
    lines = shared_file(IWM_SPY).read_text().splitlines()
    path = tmp_path / "cnsfails202103a.txt"
    path.write_text("\n".join([*lines, str(len(lines) - 1)]) + "\n")
    outcome = await ingest(path, "sec-ftd")
    assert (outcome.status, outcome.rows_read, outcome.rows_rejected) == (
        "applied",
        len(lines) - 1,
        0,
    )


def test_cusip_check_digits_and_the_point_in_time_rule() -> None:
    for cusip in ("464287655", "78462F103", "B38564108", "G00748106"):
        assert cusip_check_digit(cusip[:8]) == int(cusip[8])
    # a file stored the day it appeared is known from that day...
    assert known_from(date(2021, 1, 15), date(2021, 1, 29)) == date(2021, 1, 29)
    # ...one stored later (a backfill) from its half-month's end + 30 days
    assert known_from(date(2021, 1, 15), date(2026, 12, 1)) == date(2021, 2, 14)
    assert known_from(date(2021, 2, 26), date(2026, 12, 1)) == date(2021, 3, 30)
