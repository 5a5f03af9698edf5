"""`shortflow sync --source nasdaqtrader` against a local server holding the real symbol directory
(../shared/data/nasdaqtrader/: the 2025-07-21 files and the 2016-08-15 ones) at Nasdaq Trader's
paths, then the API's answers: types stated by the directory, listing exchanges, no test issues."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import Servers, shared_file
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import shortflow

PATH = "/dynamic/SymDir/{}.txt"
FILES = ("nasdaqlisted", "otherlisted")
SOURCE = ("--source", "nasdaqtrader")
SECURITY = """
query($symbol: String!) {
  security(symbol: $symbol) { symbol name type typeSource listingExchange }
}
"""
ETF_COUNT = "{ securities(type: ETF) { totalCount } }"


@pytest.fixture
def directory(
    host: tuple[str, Script],
    monkeypatch: pytest.MonkeyPatch,
    servers: Servers,
    redis_prefix: str,
) -> tuple[str, Script]:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_NASDAQTRADER_BASE_URL", base)
    # The sync announces its ingests where the test's API listens, as a deployment's would: an
    # answer the API cached before the sync is not served after it.
    monkeypatch.setenv("REDIS_URL", servers.redis_url)
    monkeypatch.setenv("SHORTFLOW_REDIS_PREFIX", redis_prefix)
    return base, script


def serve(script: Script, folder: str = "") -> None:
    for name in FILES:
        body = shared_file(f"nasdaqtrader/{folder}{name}.txt").read_bytes()
        script.on(PATH.format(name), Answer(body=body, headers={"Content-Type": "text/plain"}))


async def security(client: httpx.AsyncClient, symbol: str) -> dict[str, object] | None:
    response = await client.post(
        "/graphql", json={"query": SECURITY, "variables": {"symbol": symbol}}
    )
    assert response.status_code == 200, response.text
    found: dict[str, object] | None = response.json()["data"]["security"]
    return found


async def test_sync_stores_todays_snapshot_and_the_api_serves_its_types(
    database_url: str,
    directory: tuple[str, Script],
    tmp_path: Path,
    client: httpx.AsyncClient,
) -> None:
    base, script = directory
    serve(script)
    first = shortflow(database_url, base, tmp_path, "sync", *SOURCE)
    assert first.returncode == 0, first.stdout
    assert script.paths() == [PATH.format(name) for name in FILES]
    assert "sync: 2 files ingested, 0 failed, 1 sources" in first.stdout
    today = date.today().isoformat()
    assert (tmp_path / "downloads" / "nasdaqtrader" / today / "otherlisted.txt.sha256").exists()

    expected = {
        "VTWO": ("Vanguard Russell 2000 ETF", "ETF", "Nasdaq"),
        "IWM": ("iShares Russell 2000 ETF", "ETF", "NYSE Arca"),
        "SPY": ("SPDR S&P 500", "ETF", "NYSE Arca"),
        "AAPL": ("Apple Inc. - Common Stock", "STOCK", "Nasdaq"),
        "BRKB": ("Berkshire Hathaway Inc. New Common Stock", "STOCK", "NYSE"),
        "BFSPRD": (
            "Saul Centers, Inc. Depositary Shares, each representing 1/100th of a share of "
            "6.125% Series D Cumulative Redeemable Preferred Stock",
            "STOCK",
            "NYSE",
        ),
    }
    for symbol, (name, type_, exchange) in expected.items():
        assert await security(client, symbol) == {
            "symbol": symbol,
            "name": name,
            "type": type_,
            "typeSource": "SOURCE",
            "listingExchange": exchange,
        }
    for test_issue in ("ZXIET", "ZXYZA", "ZVZZT"):
        assert await security(client, test_issue) is None
    etfs = await client.post("/graphql", json={"query": ETF_COUNT})
    # The files' ETF = Y rows that are not test issues (914 nasdaqlisted + 3,430 otherlisted).
    assert etfs.json()["data"]["securities"]["totalCount"] == 914 + 3430
    rest = (await client.get("/v1/securities/IWM")).json()["data"]
    assert (rest["type"], rest["type_source"], rest["listing_exchange"]) == (
        "etf",
        "source",
        "NYSE Arca",
    )

    second = shortflow(database_url, base, tmp_path, "sync", *SOURCE)
    assert second.returncode == 0, second.stdout
    assert len(script.requests) == 2  # the same day: nothing fetched again
    assert "sync: 0 files ingested, 0 failed" in second.stdout


async def test_the_2016_layout_syncs_and_the_guess_stays_a_guess_elsewhere(
    database_url: str,
    directory: tuple[str, Script],
    tmp_path: Path,
    client: httpx.AsyncClient,
) -> None:
    base, script = directory
    serve(script, "2016-08-15/")
    si = shared_file("finra-short-interest/shrt20260715.csv")
    ingested = shortflow(database_url, base, tmp_path, "ingest", "short-interest", str(si))
    assert ingested.returncode == 0, ingested.stdout
    assert await security(client, "VTWO") == {
        "symbol": "VTWO",
        "name": "Vanguard Scottsdale Funds Vang",
        "type": "STOCK",
        "typeSource": "GUESS",
        "listingExchange": None,
    }
    result = shortflow(database_url, base, tmp_path, "sync", *SOURCE)
    assert result.returncode == 0, result.stdout
    # FINRA's file is newer (2026-07-15) than the snapshot: its name stays, the type is stated.
    vtwo = await security(client, "VTWO")
    assert vtwo is not None
    assert (vtwo["type"], vtwo["typeSource"], vtwo["listingExchange"]) == (
        "ETF",
        "SOURCE",
        "Nasdaq",
    )
    otc = await security(client, "AACTF")  # OTC: no directory lists it
    assert otc is not None
    assert (otc["typeSource"], otc["listingExchange"]) == ("GUESS", None)


def test_an_unknown_header_stops_the_source_and_keeps_the_file(
    database_url: str, directory: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = directory
    renamed = b"Symbol|Issuer|Market Category|Test Issue|Financial Status|Round Lot Size|ETF\n"
    script.on(PATH.format("nasdaqlisted"), Answer(body=renamed))
    script.on(PATH.format("otherlisted"), Answer(body=b"unused"))
    result = shortflow(database_url, base, tmp_path, "sync", *SOURCE)
    assert result.returncode == 1
    assert script.paths() == [PATH.format("nasdaqlisted")]
    kept = tmp_path / "downloads" / "nasdaqtrader" / date.today().isoformat() / "nasdaqlisted.txt"
    assert kept.read_bytes() == renamed
    assert "matches no known symbol-directory layout" in result.stdout
    assert "file kept" in result.stdout


def test_a_window_before_today_has_nothing_to_fetch(
    database_url: str, directory: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = directory
    serve(script)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    args = ("--since", "2025-07-21", "--until", yesterday, *SOURCE)
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 0, result.stdout
    assert script.requests == []  # the host keeps no history
