"""`shortflow sync` of SEC EDGAR (sec-tickers, sec-shares) against a local server holding files at
SEC's paths: the real company_tickers.json (../shared/data/sec/) and the real FINRA short-interest
files. SEC's companyfacts for Snowflake is built from the real excerpt of its `dei` section
(../shared/data/sec/companyfacts_SNOW_dei_excerpt.json.txt: its first 247 lines, the whole `dei`
section, closed here into a document and written compactly as SEC serves it); no whole real
companyfacts file was found."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from service.db.pool import Database
from service.db.repositories.sec import SecRepository
from tests.analytics.reference import percent
from tests.conftest import Servers, app_client, make_settings, shared_file
from tests.graphql.test_metrics import finra_row
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import scalar, serve_short_interest, shortflow

TICKERS = "/files/company_tickers.json"
FACTS = "/api/xbrl/companyfacts/CIK{:010d}.json"
SNOW_CIK = 1640147
CONTACT = "Shortflow tests tests@example.org"
SEC = ("--source", "sec-tickers", "--source", "sec-shares")
JSON = {"Content-Type": "application/json"}


def snow_facts() -> dict[str, Any]:
    """Snowflake's companyfacts: the real excerpt closed into a document (see the module doc)."""
    text = shared_file("sec/companyfacts_SNOW_dei_excerpt.json.txt").read_text().rstrip()
    assert text.endswith(","), "the excerpt ends inside `facts`, after the `dei` section"
    document: dict[str, Any] = json.loads(text.removesuffix(",") + "}}")
    return document


def compact(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def snow_share_facts() -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = snow_facts()["facts"]["dei"][
        "EntityCommonStockSharesOutstanding"
    ]["units"]["shares"]
    return facts


def serve_sec(script: Script, facts: bytes | None = None) -> None:
    body = shared_file("sec/company_tickers.json").read_bytes()
    script.on(TICKERS, Answer(body=body, headers=JSON))
    script.on(FACTS.format(SNOW_CIK), Answer(body=facts or compact(snow_facts()), headers=JSON))


def finra_file(tmp_path: Path, *symbols: str) -> Path:
    """FINRA's 2026-07-31 file cut to its header and these stocks' real rows, so that the sync
    asks SEC for a few companies (the whole file names 5,753 companies SEC has a CIK for: the
    last test plans those without asking for them)."""
    lines = shared_file("finra-short-interest/shrt20260731.csv").read_text().splitlines()
    rows = ["|".join(finra_row("shrt20260731.csv", symbol)) for symbol in symbols]
    path = tmp_path / "shrt20260731.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    return path


@pytest.fixture
def sec_env(monkeypatch: pytest.MonkeyPatch, host: tuple[str, Script]) -> tuple[str, Script]:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_SEC_WWW_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_SEC_DATA_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_SEC_USER_AGENT", CONTACT)
    return base, script


def ingest_short_interest(database_url: str, base: str, tmp_path: Path, *symbols: str) -> None:
    path = finra_file(tmp_path, *(symbols or ("SNOW",)))
    result = shortflow(database_url, base, tmp_path, "ingest", "short-interest", str(path))
    assert result.returncode == 0, result.stdout


SHARES = """
query ($before: Date, $first: Date, $later: Date) {
  security(symbol: "SNOW") {
    beforeFirstFiling: sharesOutstanding(asOf: $before)
    onFirstFiling: sharesOutstanding(asOf: $first)
    dayBeforeLatest: sharesOutstanding(asOf: $later)
    latestShortInterest {
      settlementDate shortInterest shortPercentOfSharesOutstanding shortPercentOfFloat
    }
  }
}
"""


async def test_sync_gives_a_stock_its_short_percent_of_shares_outstanding_known_from_filing(
    database_url: str,
    sec_env: tuple[str, Script],
    tmp_path: Path,
    servers: Servers,
    redis_prefix: str,
) -> None:
    base, script = sec_env
    symbols = ("SNOW", "AAPL", "BAC", "BRKA", "BRKB")
    await asyncio.to_thread(ingest_short_interest, database_url, base, tmp_path, *symbols)
    serve_sec(script)
    result = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *SEC)
    # AAPL and BAC answer 404 here: "not published", which fails nothing.
    assert result.returncode == 0, result.stdout
    assert "sync: 2 files ingested, 0 failed, 2 sources" in result.stdout
    asked = script.paths()
    companies = [FACTS.format(cik) for cik in (70858, 320193, SNOW_CIK)]  # BAC, AAPL, SNOW
    assert asked == [TICKERS, *companies]  # not Berkshire: BRK-A and BRK-B are two classes
    headers = dict(script.requests[asked.index(TICKERS)][1])
    assert headers["User-Agent"].startswith(CONTACT)
    kept = tmp_path / "downloads" / "sec-shares" / "companyfacts" / f"CIK{SNOW_CIK:010d}.json"
    assert kept.with_name(kept.name + ".sha256").exists()

    current = int(finra_row("shrt20260731.csv", "SNOW")[5])
    latest = max(snow_share_facts(), key=lambda fact: fact["filed"])
    first = min(snow_share_facts(), key=lambda fact: fact["filed"])
    assert (latest["val"], latest["filed"]) == (333_700_000, "2025-05-30")
    async with app_client(make_settings(database_url, servers.redis_url, redis_prefix)) as client:
        variables = {"before": "2021-03-30", "first": first["filed"], "later": "2025-05-29"}
        response = await client.post("/graphql", json={"query": SHARES, "variables": variables})
    assert response.status_code == 200, response.text
    security = response.json()["data"]["security"]
    assert security["beforeFirstFiling"] is None  # filed 2021-03-31: not known the day before
    assert security["onFirstFiling"] == first["val"] == 288_700_000
    assert security["dayBeforeLatest"] == 334_100_000  # the count of the filing before
    point = security["latestShortInterest"]
    assert point["settlementDate"] == "2026-07-31"
    assert point["shortInterest"] == current == 18_948_362
    assert point["shortPercentOfSharesOutstanding"] == percent(current / latest["val"] * 100)
    assert point["shortPercentOfFloat"] is None  # no float source: never an estimate

    again = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *SEC)
    assert again.returncode == 0, again.stdout
    assert "sync: 0 files ingested" in again.stdout
    assert script.paths().count(FACTS.format(SNOW_CIK)) == 1  # once a month
    assert script.paths().count(TICKERS) == 1


def test_without_a_user_agent_the_sec_sources_fail_and_the_others_go_on(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_SEC_WWW_BASE_URL", base)
    monkeypatch.delenv("SHORTFLOW_SEC_USER_AGENT", raising=False)
    serve_short_interest(script)
    serve_sec(script)
    si = ("--since", "2026-07-31", "--until", "2026-07-31", "--source", "finra-short-interest")
    plan = shortflow(database_url, base, tmp_path, "sync", "--dry-run", "--source", "sec-tickers")
    assert plan.returncode == 0, plan.stdout
    assert f"{base}{TICKERS}" in plan.stdout
    result = shortflow(database_url, base, tmp_path, "sync", *si, "--source", "sec-tickers")
    assert result.returncode == 1
    assert "SHORTFLOW_SEC_USER_AGENT is not set" in result.stdout
    assert "Traceback" not in result.stdout
    assert "sync: 1 files ingested" in result.stdout  # FINRA's file, all the same
    assert TICKERS not in script.paths()


def test_a_company_without_facts_is_not_published_and_a_500_is_retried(
    database_url: str, sec_env: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec_env
    ingest_short_interest(database_url, base, tmp_path)
    serve_sec(script)
    script.on(FACTS.format(SNOW_CIK), Answer(404, b'{"error": "not found"}', JSON))
    first = shortflow(database_url, base, tmp_path, "sync", *SEC)
    assert first.returncode == 0, first.stdout
    assert "sync: 1 files ingested, 0 failed" in first.stdout  # the tickers
    status = "SELECT status FROM sync_item WHERE source = 'sec-shares'"
    assert asyncio.run(scalar(database_url, status)) == "not_published"

    body = compact(snow_facts())
    script.on(FACTS.format(SNOW_CIK), Answer(500, b"busy"), Answer(body=body, headers=JSON))
    second = shortflow(database_url, base, tmp_path, "sync", *SEC)
    assert second.returncode == 0, second.stdout
    assert script.paths().count(FACTS.format(SNOW_CIK)) == 3  # the 404, the 500, the file
    assert "sync: 1 files ingested, 0 failed" in second.stdout
    counts = "SELECT count(*) FROM share_count"
    assert asyncio.run(scalar(database_url, counts)) == len(snow_share_facts())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"cik":1640147,"entityName":"SNOWFLAKE INC.","facts":{"dei":', "not valid JSON"),
        (b"<html>Request Rate Threshold Exceeded</html>", "matches no known"),
        (None, "lacks one of"),
    ],
    ids=["truncated", "not-json", "renamed-key"],
)
def test_a_bad_or_changed_companyfacts_fails_loudly_and_is_kept(
    database_url: str,
    sec_env: tuple[str, Script],
    tmp_path: Path,
    body: bytes | None,
    reason: str,
) -> None:
    base, script = sec_env
    ingest_short_interest(database_url, base, tmp_path)
    if body is None:  # SEC renaming `filed`: a silent misparse would lose the point in time
        document = snow_facts()
        for fact in document["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"][
            "shares"
        ]:
            fact["acceptedDate"] = fact.pop("filed")
        body = compact(document)
    serve_sec(script, body)
    result = shortflow(database_url, base, tmp_path, "sync", *SEC)
    assert result.returncode == 1
    assert reason in result.stdout
    assert "file kept" in result.stdout
    assert "Traceback" not in result.stdout
    kept = tmp_path / "downloads" / "sec-shares" / "companyfacts" / f"CIK{SNOW_CIK:010d}.json"
    assert kept.read_bytes() == body
    assert asyncio.run(scalar(database_url, "SELECT count(*) FROM share_count")) == 0


async def test_a_full_market_sync_asks_for_the_stocks_with_short_interest_and_one_common_line(
    database_url: str, sec_env: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec_env
    whole = shared_file("finra-short-interest/shrt20260731.csv")
    ingest = ("ingest", "short-interest", str(whole))
    assert (
        await asyncio.to_thread(shortflow, database_url, base, tmp_path, *ingest)
    ).returncode == 0
    serve_sec(script)
    tickers = ("sync", "--source", "sec-tickers")
    assert (
        await asyncio.to_thread(shortflow, database_url, base, tmp_path, *tickers)
    ).returncode == 0
    db = Database(database_url, min_size=1, max_size=2)
    await db.open()
    try:
        ciks = await SecRepository(db).companies_with_short_interest()
    finally:
        await db.close()
    assert len(ciks) == len(set(ciks)) == 5753
    assert {320193, 70858, SNOW_CIK} <= set(ciks)  # AAPL; BAC (its preferreds are no common line)
    assert 1067983 not in ciks  # Berkshire: BRK-A and BRK-B, two classes
    assert 1652044 not in ciks  # Alphabet: GOOG and GOOGL
