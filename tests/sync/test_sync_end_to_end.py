"""Issue #15's "Checked by", in one run: every stock-side source synced from one local server that
holds the real samples at the real hosts' paths, then the API's answers on what was fetched.

- FINRA (`/equity/otcmarket/biweekly/`): a FINRA-layout file for 2026-04-30, BUILT from FINRA's
  real 2026-07-31 rows of IWM, SPY, SNOW and VTWO (the real Stooq files end 2026-05-05, so the
  settlement date is moved to one both cover; see tests/sync/test_sync_prices.py);
- Stooq (`/q/d/l/`): the real IWM and SPY files, answered per span as Stooq does; SNOW and VTWO
  answer Stooq's real `No data` (no sample of theirs);
- Nasdaq Trader (`/dynamic/SymDir/`): the real 2025 snapshots (VTWO's ETF flag);
- SEC (`/files/company_tickers.json`, `/api/xbrl/companyfacts/`): the real ticker map and SNOW's
  real companyfacts excerpt (tests/sync/test_sync_sec.py says how it is closed into JSON).

Two `shortflow sync` runs, as the schedule runs them: FINRA's evening job (short interest, then
prices) for the settlement date, and the daily job (directory, SEC) for today. Then: stocks have
short % of shares outstanding, IWM's short value is its shares short x the fetched close, VTWO is
an ETF by the directory, the squeeze screen ranks a stock; the same syncs again fetch nothing.
(A killed sync resuming is tests/sync/test_sync_finra.py's drill.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.analytics.reference import percent, usd
from tests.conftest import Servers, app_client, make_settings
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import SI, shortflow
from tests.sync.test_sync_nasdaqtrader import serve as serve_directory
from tests.sync.test_sync_prices import (
    NO_DATA,
    built_cycle,
    finra_row,
    moved,
    real_close,
    stooq_answer,
    stooq_path,
)
from tests.sync.test_sync_sec import CONTACT, serve_sec, snow_share_facts

EVENING = (
    "--since",
    "2026-04-30",
    "--until",
    "2026-04-30",
    "--source",
    "finra-short-interest",
    "--source",
    "prices",
)
DAILY = ("--source", "nasdaqtrader", "--source", "sec-tickers", "--source", "sec-shares")

ANSWERS = """
{
  snow: security(symbol: "SNOW") {
    type
    latestShortInterest { settlementDate shortInterest shortPercentOfSharesOutstanding }
  }
  iwm: security(symbol: "IWM") {
    type typeSource
    latestShortInterest { settlementDate shortInterest shortValueUsd closePrice closeDate }
  }
  vtwo: security(symbol: "VTWO") { type typeSource listingExchange }
  squeezeScreen(first: 10) {
    candidates {
      security { symbol type }
      shortPercentOfSharesOutstanding
      factors { name value }
    }
  }
}
"""


def serve_everything(script: Script, tmp_path: Path) -> None:
    script.on(
        SI.format("20260430"), Answer(body=built_cycle(tmp_path, moved("SNOW"), moved("VTWO")))
    )
    script.on(stooq_path("iwm.us"), stooq_answer("iwm_us_d.csv"))
    script.on(stooq_path("spy.us"), stooq_answer("spy_us_d.csv"))
    script.on(stooq_path("snow.us"), NO_DATA)
    script.on(stooq_path("vtwo.us"), NO_DATA)
    serve_directory(script)
    serve_sec(script)


async def test_the_stock_side_synced_from_the_real_hosts_paths_answers_the_seed_questions(
    database_url: str,
    host: tuple[str, Script],
    tmp_path: Path,
    servers: Servers,
    redis_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, script = host
    for setting in (
        "SHORTFLOW_STOOQ_BASE_URL",
        "SHORTFLOW_NASDAQTRADER_BASE_URL",
        "SHORTFLOW_SEC_WWW_BASE_URL",
        "SHORTFLOW_SEC_DATA_BASE_URL",
    ):
        monkeypatch.setenv(setting, base)
    monkeypatch.setenv("SHORTFLOW_SEC_USER_AGENT", CONTACT)
    monkeypatch.setenv("REDIS_URL", servers.redis_url)  # announced where the API listens
    monkeypatch.setenv("SHORTFLOW_REDIS_PREFIX", redis_prefix)
    serve_everything(script, tmp_path)

    evening = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *EVENING)
    assert evening.returncode == 0, evening.stdout
    assert "sync: 3 files ingested, 0 failed, 2 sources" in evening.stdout  # FINRA, IWM, SPY
    assert "2 answered no data" in evening.stdout  # SNOW and VTWO at Stooq
    daily = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *DAILY)
    assert daily.returncode == 0, daily.stdout
    assert "0 failed, 3 sources" in daily.stdout

    async with app_client(make_settings(database_url, servers.redis_url, redis_prefix)) as client:
        response = await client.post("/graphql", json={"query": ANSWERS})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    data = response.json()["data"]

    snow_short = int(finra_row("SNOW")["currentShortPositionQuantity"])
    shares = max(snow_share_facts(), key=lambda fact: fact["filed"])["val"]  # filed 2025-05-30
    assert data["snow"] == {
        "type": "STOCK",
        "latestShortInterest": {
            "settlementDate": "2026-04-30",
            "shortInterest": snow_short,
            "shortPercentOfSharesOutstanding": percent(snow_short / shares * 100),
        },
    }
    iwm_short = int(finra_row("IWM")["currentShortPositionQuantity"])
    close = real_close("iwm_us_d.csv", "2026-04-30")
    assert data["iwm"]["latestShortInterest"] == {
        "settlementDate": "2026-04-30",
        "shortInterest": iwm_short,
        "shortValueUsd": usd(iwm_short * close),
        "closePrice": close,
        "closeDate": "2026-04-30",
    }
    assert (data["iwm"]["type"], data["iwm"]["typeSource"]) == ("ETF", "SOURCE")
    # FINRA's issue name ("Vanguard Scottsdale Funds Vang") reads as a stock; the directory's
    # ETF flag says otherwise, and wins.
    assert data["vtwo"] == {"type": "ETF", "typeSource": "SOURCE", "listingExchange": "Nasdaq"}

    candidates = data["squeezeScreen"]["candidates"]
    (snow,) = [c for c in candidates if c["security"]["symbol"] == "SNOW"]
    assert snow["security"]["type"] == "STOCK"  # a stock ranks, on short % of shares outstanding
    assert snow["shortPercentOfSharesOutstanding"] == percent(snow_short / shares * 100)
    factors = {f["name"]: f["value"] for f in snow["factors"]}
    assert factors["short_percent_of_shares_outstanding"] == snow["shortPercentOfSharesOutstanding"]

    asked = len(script.requests)
    for args in (EVENING, DAILY):
        again = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *args)
        assert again.returncode == 0, again.stdout
        assert "sync: 0 files ingested" in again.stdout
    assert len(script.requests) == asked  # nothing asked again: all of it is stored
