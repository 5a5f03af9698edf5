"""SEC EDGAR's JSON through the ingest pipeline: the real company_tickers.json, and Snowflake's
companyfacts built from the real excerpt of its `dei` section (tests/sync/test_sync_sec.py says
how). The multi-class, amendment and bad-value cases change that document as the comments say:
fixtures built from the documented layout, no real file of them was found."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from service.db.pool import Database
from service.sources.sec.format import shortflow_symbol
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest
from tests.sync.test_sync_sec import SNOW_CIK, compact, finra_file, snow_facts


def test_sec_spellings_become_finra_spellings_and_only_common_lines_are_common() -> None:
    assert shortflow_symbol("SNOW") == ("SNOW", True)
    assert shortflow_symbol("BRK-B") == ("BRKB", True)  # FINRA's short interest writes BRKB
    assert shortflow_symbol("BAC-PE") == ("BACPRE", False)  # a preferred, series E
    assert shortflow_symbol("ETI-P") == ("ETIPR", False)
    assert shortflow_symbol("GRP-UN") == ("GRPU", False)  # a unit
    assert shortflow_symbol("XYZ-WT") == ("XYZW", False)  # a warrant
    assert shortflow_symbol("ABC-XY") == ("ABCXY", False)  # unknown suffix: never common


async def test_the_real_ticker_map_is_stored_with_finra_spellings(
    db: Database, ingest: Ingest
) -> None:
    path = shared_file("sec/company_tickers.json")
    entries = json.loads(path.read_text()).values()
    outcome = await ingest(path, "sec-company-tickers")
    assert outcome.status == "applied", outcome.error
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (10_077, 10_077, 0)
    rows = {r["ticker"]: r for r in await db.fetch("SELECT * FROM sec_ticker")}
    assert len(rows) == len(entries)
    brk = rows["BRK-B"]
    assert (brk["cik"], brk["symbol"], brk["common"]) == (1067983, "BRKB", True)
    assert (rows["BAC-PE"]["symbol"], rows["BAC-PE"]["common"]) == ("BACPRE", False)
    assert rows["SNOW"]["title"] == "Snowflake Inc."
    assert await db.fetchval("SELECT count(*) FROM security") == 0  # it creates no security
    again = await ingest(path, "sec-company-tickers")
    assert again.status == "already"


def share_facts(document: dict[str, Any]) -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = document["facts"]["dei"]["EntityCommonStockSharesOutstanding"][
        "units"
    ]["shares"]
    return facts


async def snow_listed(db: Database, ingest: Ingest, tmp_path: Path) -> int:
    assert (await ingest(finra_file(tmp_path, "SNOW"), "short-interest")).status == "applied"
    assert (
        await ingest(shared_file("sec/company_tickers.json"), "sec-company-tickers")
    ).error is None
    snow: int = await db.fetchval("SELECT id FROM security WHERE symbol = 'SNOW'")
    return snow


async def test_counts_are_stored_as_of_their_filing_date(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    snow = await snow_listed(db, ingest, tmp_path)
    document = snow_facts()
    path = tmp_path / f"CIK{SNOW_CIK:010d}.json"
    path.write_bytes(compact(document))
    outcome = await ingest(path, "sec-companyfacts")
    assert outcome.status == "applied", outcome.error
    facts = share_facts(document)
    assert outcome.rows_accepted == len(facts) == 18
    stored = await db.fetch(
        "SELECT as_of, shares_outstanding FROM share_count WHERE security_id = $1 ORDER BY 1",
        snow,
    )
    assert [(r["as_of"], r["shares_outstanding"]) for r in stored] == sorted(
        (date.fromisoformat(f["filed"]), f["val"]) for f in facts
    )
    context = await db.fetchrow(
        "SELECT shares_outstanding, shares_outstanding_as_of FROM short_interest_context"
        " WHERE security_id = $1",
        snow,
    )
    assert (context["shares_outstanding"], context["shares_outstanding_as_of"]) == (
        333_700_000,
        date(2025, 5, 30),
    )


async def test_multi_class_counts_are_rejected_and_an_older_cover_filed_later_is_skipped(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    snow = await snow_listed(db, ingest, tmp_path)
    document = snow_facts()
    facts = share_facts(document)
    latest = facts[-1]
    # A second class in the same filing, as a multi-class filer tags it (same end, same accn).
    facts.append({**latest, "val": 12_000_000})
    # An amendment filed later that repeats an older cover (a 10-Q/A of the 2024-11-15 10-Q).
    facts.append({**facts[-4], "accn": "0001640147-25-000200", "form": "10-Q/A",
                  "filed": "2025-06-20"})  # fmt: skip
    # A count that is no count.
    facts.append({**facts[0], "accn": "0001640147-21-000999", "val": -5})
    path = tmp_path / "multi.json"
    path.write_bytes(compact(document))
    outcome = await ingest(path, "sec-companyfacts")
    assert outcome.status == "applied", outcome.error
    reasons = sorted(r.reason for r in outcome.rejects)
    assert len(reasons) == 3
    assert reasons[0].startswith("filing 0001640147-25-000110 tags 2 share counts as of 2025-05-08")
    assert "without saying which class" in reasons[0]
    assert reasons[2] == "val: -5 is not a share count"
    assert outcome.rows_skipped == 1  # the amendment
    assert outcome.rows_accepted == 17
    on = "SELECT shares_outstanding FROM share_count WHERE security_id = $1 AND as_of = $2"
    assert await db.fetchval(on, snow, date(2025, 5, 30)) is None  # neither class's count
    assert await db.fetchval(on, snow, date(2025, 6, 20)) is None  # not the older cover
    assert await db.fetchval(on, snow, date(2025, 3, 21)) == 334_100_000


async def test_a_company_without_a_listed_security_is_kept_unattached(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    assert (
        await ingest(shared_file("sec/company_tickers.json"), "sec-company-tickers")
    ).error is None
    path = tmp_path / "snow.json"
    path.write_bytes(compact(snow_facts()))
    outcome = await ingest(path, "sec-companyfacts")
    assert outcome.status == "applied", outcome.error
    assert await db.fetchval("SELECT count(*) FROM sec_share_fact WHERE security_id IS NULL") == 18
    assert await db.fetchval("SELECT count(*) FROM share_count") == 0
