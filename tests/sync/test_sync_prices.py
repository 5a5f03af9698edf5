"""`shortflow sync --source prices` against a local server answering at Stooq's paths.

The price files served are the real Stooq downloads (../shared/data/stooq: IWM and SPY,
2005-02-25 .. 2026-05-05). Asked for a span (`&d1=...&d2=...`), the server answers as Stooq does:
the header and the real file's rows of those days, byte for byte, or `No data` when there are
none. The real FINRA files (2026-07-15/31) end after the Stooq files do, so the short value is
checked on a settlement date both cover: 2026-04-30, from a FINRA-layout file BUILT here
(`write_finra_bulk`) whose IWM and SPY positions are FINRA's real 2026-07-31 figures moved to
that date. Stooq's `No data` body is its real answer; its hit-limit page is built from its
documented wording ("Exceeded the daily hits limit"), no real copy being available.
"""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.demo.files import ShortInterestRow, write_finra_bulk
from service.errors import SettingsError
from service.settings import load_settings
from service.sources.prices.sync import Stooq, last_closed_session
from tests.analytics.reference import usd
from tests.conftest import Servers, app_client, make_settings, shared_file
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import SI, scalar, serve_short_interest, shortflow

SETTLED = date(2026, 4, 30)
SPAN = "&d1=20260423&d2=20260430"  # 5 trading days back from the settlement date (0009)
WINDOW = ("--since", "2026-04-30", "--until", "2026-04-30")
BOTH = (*WINDOW, "--source", "finra-short-interest", "--source", "prices")
NO_DATA = Answer(body=b"No data", headers={"Content-Type": "text/plain"})
HIT_LIMIT = Answer(body=b"Exceeded the daily hits limit", headers={"Content-Type": "text/plain"})


def stooq_path(code: str, span: str = SPAN) -> str:
    return f"/q/d/l/?s={code}&i=d{span}"


def stooq_answer(name: str, span: str = SPAN) -> Answer:
    """The real file's header and rows of the span's days, as Stooq answers a span."""
    lines = shared_file(f"stooq/{name}").read_bytes().split(b"\r\n")
    first, last = (f"{d[:4]}-{d[4:6]}-{d[6:]}".encode() for d in re.findall(r"\d{8}", span))
    rows = [line for line in lines[1:] if first <= line[:10] <= last]
    if not rows:
        return NO_DATA
    return Answer(body=b"\r\n".join([lines[0], *rows]) + b"\r\n")


def real_close(name: str, day: str) -> float:
    with shared_file(f"stooq/{name}").open(newline="") as handle:
        return next(float(row["Close"]) for row in csv.DictReader(handle) if row["Date"] == day)


def finra_row(symbol: str) -> dict[str, str]:
    with shared_file("finra-short-interest/shrt20260731.csv").open() as handle:
        return next(r for r in csv.DictReader(handle, delimiter="|") if r["symbolCode"] == symbol)


def moved(symbol: str) -> ShortInterestRow:
    """FINRA's real 2026-07-31 row of `symbol`, for a built file of another date."""
    raw = finra_row(symbol)
    return ShortInterestRow(
        symbol,
        raw["issueName"],
        raw["marketClassCode"],
        int(raw["currentShortPositionQuantity"]),
        int(raw["previousShortPositionQuantity"]),
        int(raw["averageDailyVolumeQuantity"]),
    )


def built_cycle(directory: Path, *extra: ShortInterestRow) -> bytes:
    """BUILT: a FINRA-layout file for 2026-04-30 with FINRA's real 2026-07-31 IWM and SPY rows."""
    rows = [moved("IWM"), moved("SPY")]
    path = write_finra_bulk(directory / "shrt20260430.csv", SETTLED, [*rows, *extra])
    return path.read_bytes()


def run(
    monkeypatch: pytest.MonkeyPatch, database_url: str, base: str, home: Path, *args: str
) -> str:
    monkeypatch.setenv("SHORTFLOW_STOOQ_BASE_URL", base)
    result = shortflow(database_url, base, home, "sync", *args)
    return f"rc={result.returncode}\n{result.stdout}"


POINT = """
query ($symbol: String!) {
  security(symbol: $symbol) {
    latestShortInterest { settlementDate shortInterest shortValueUsd closePrice closeDate }
  }
}
"""


async def graphql_point(database_url: str, servers: Servers, symbol: str) -> dict[str, object]:
    settings = make_settings(database_url, servers.redis_url, f"sft:prices:{symbol}:")
    async with app_client(settings) as client:
        response = await client.post(
            "/graphql", json={"query": POINT, "variables": {"symbol": symbol}}
        )
    assert response.status_code == 200, response.text
    point: dict[str, object] = response.json()["data"]["security"]["latestShortInterest"]
    return point


def test_short_value_is_shares_short_times_the_synced_stooq_close(
    database_url: str,
    servers: Servers,
    host: tuple[str, Script],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, script = host
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path)))
    script.on(stooq_path("iwm.us"), stooq_answer("iwm_us_d.csv"))
    script.on(stooq_path("spy.us"), stooq_answer("spy_us_d.csv"))
    first = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert first.startswith("rc=0"), first
    assert "sync: 3 files ingested, 0 failed, 2 sources" in first
    assert script.paths() == [SI.format("20260430"), stooq_path("iwm.us"), stooq_path("spy.us")]
    for symbol, name in (("IWM", "iwm_us_d.csv"), ("SPY", "spy_us_d.csv")):
        close = real_close(name, "2026-04-30")
        shares = int(finra_row(symbol)["currentShortPositionQuantity"])
        point = asyncio.run(graphql_point(database_url, servers, symbol))
        assert point == {
            "settlementDate": "2026-04-30",
            "shortInterest": shares,
            "shortValueUsd": usd(shares * close),
            "closePrice": close,
            "closeDate": "2026-04-30",
        }
    assert real_close("iwm_us_d.csv", "2026-04-30") == 277.97  # read from the file, not computed
    stored = "SELECT count(*) FROM price_daily"
    assert asyncio.run(scalar(database_url, stored)) == 12  # 2026-04-23 .. 04-30, two symbols

    second = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert second.startswith("rc=0"), second
    assert len(script.requests) == 3  # nothing fetched again
    assert "sync: 0 files ingested, 0 failed" in second


def test_the_real_cycle_asks_stooq_for_every_listed_security_around_its_settlement_dates(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    serve_short_interest(script)
    window = ("--since", "2026-07-15", "--until", "2026-07-31")
    synced = run(
        monkeypatch,
        database_url,
        base,
        tmp_path,
        *window,
        "--source",
        "finra-short-interest",
    )
    assert synced.startswith("rc=0"), synced
    plan = run(
        monkeypatch, database_url, base, tmp_path, "--dry-run", *window, "--source", "prices"
    )
    assert plan.startswith("rc=0"), plan
    market_class: dict[str, str] = {}  # as stored: the newest file's
    for day in ("20260715", "20260731"):
        with shared_file(f"finra-short-interest/shrt{day}.csv").open() as handle:
            for row in csv.DictReader(handle, delimiter="|"):
                market_class[row["symbolCode"]] = row["marketClassCode"]
    listed = [s for s, market in market_class.items() if Stooq().code(s, market) is not None]
    assert len(listed) == 13_040
    skipped = len(market_class) - len(listed)
    assert f"prices: {skipped} securities skipped, not carried by stooq (OTC)" in plan
    assert f"prices: {len(listed):,} to fetch, 0 already had" in plan
    # One span per security: from 5 trading days before 2026-07-15 to 2026-07-31.
    assert (
        f"2026-07-31 IWM from 2026-07-08  {base}/q/d/l/?s=iwm.us&i=d&d1=20260708&d2=20260731"
        in plan
    )
    assert "SPY from 2026-07-08" in plan
    assert "BRKCF" not in plan  # OTC: not on Stooq's US market, not asked
    assert len(script.requests) == 2  # the FINRA files only


def test_an_unknown_symbol_is_no_data_and_not_asked_again(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    unknown = ShortInterestRow("ZZZQ", "Nobody Inc.", "NNM", 100, 90, 50)
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path, unknown)))
    script.on(stooq_path("iwm.us"), Answer(500, b"down"), stooq_answer("iwm_us_d.csv"))
    script.on(stooq_path("spy.us"), stooq_answer("spy_us_d.csv"))
    script.on(stooq_path("zzzq.us"), NO_DATA)
    first = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert first.startswith("rc=0"), first
    assert script.paths().count(stooq_path("iwm.us")) == 2  # a 500, then the file
    assert "sync: 3 files ingested, 0 failed" in first
    assert "1 answered no data" in first
    status = "SELECT status || ': ' || error FROM sync_item WHERE item_key LIKE '% ZZZQ %'"
    recorded = asyncio.run(scalar(database_url, status))
    assert recorded == f"no_data: {base}{stooq_path('zzzq.us')}: no data for this symbol at Stooq"
    no_rows = (
        "SELECT count(*) FROM price_daily p JOIN security s ON s.id = p.security_id"
        " WHERE s.symbol = 'ZZZQ'"
    )
    assert asyncio.run(scalar(database_url, no_rows)) == 0
    assert not list((tmp_path / "home" / "downloads" / "prices").rglob("zzzq*"))  # never kept

    asked = len(script.requests)
    second = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert second.startswith("rc=0"), second
    assert len(script.requests) == asked  # ZZZQ is not asked again for the same days


def test_a_class_share_is_asked_in_the_directory_spelling(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FINRA's file writes Berkshire's class B `BRKB`; Stooq knows it as `brk-b.us`. Where the
    # symbol directory listed the security (`BRK.B`), that spelling says where the class begins.
    base, script = host
    rows = [ShortInterestRow(s, s, "NYSE", 100, 90, 50) for s in ("BRKB", "BRKA")]
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path, *rows)))
    synced = run(
        monkeypatch, database_url, base, tmp_path, *WINDOW, "--source", "finra-short-interest"
    )
    assert synced.startswith("rc=0"), synced
    listed = (
        "INSERT INTO security_listing (security_id, source, exchange, etf, directory_symbol,"
        " first_seen, last_seen) SELECT id, 'otherlisted', 'NYSE', false, 'BRK.B', '2026-04-01',"
        " '2026-04-30' FROM security WHERE symbol = 'BRKB' RETURNING 1"
    )
    assert asyncio.run(scalar(database_url, listed)) == 1
    plan = run(
        monkeypatch, database_url, base, tmp_path, "--dry-run", *WINDOW, "--source", "prices"
    )
    assert plan.startswith("rc=0"), plan
    assert "s=brk-b.us&i=d" in plan
    assert "s=brkb.us" not in plan
    assert "s=brka.us&i=d" in plan  # never listed in a snapshot: asked as FINRA writes it


def test_the_daily_hit_limit_stops_the_source_and_the_next_sync_resumes(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path)))
    script.on(stooq_path("iwm.us"), HIT_LIMIT, stooq_answer("iwm_us_d.csv"))
    script.on(stooq_path("spy.us"), stooq_answer("spy_us_d.csv"))
    first = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert first.startswith("rc=1"), first
    assert "daily hit limit is exceeded" in first
    assert "stopped" in first
    assert stooq_path("spy.us") not in script.paths()  # nothing more asked that day
    assert asyncio.run(scalar(database_url, "SELECT count(*) FROM price_daily")) == 0

    second = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH)
    assert second.startswith("rc=0"), second
    assert "sync: 2 files ingested, 0 failed" in second
    assert asyncio.run(scalar(database_url, "SELECT count(*) FROM price_daily")) == 12


def test_full_history_and_extra_index_symbols(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    whole = shared_file("stooq/iwm_us_d.csv").read_bytes()
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path)))
    script.on(stooq_path("iwm.us", ""), Answer(body=whole))
    script.on(stooq_path("spy.us", ""), Answer(body=shared_file("stooq/spy_us_d.csv").read_bytes()))
    script.on(stooq_path("%5Espx", ""), NO_DATA)
    monkeypatch.setenv("SHORTFLOW_PRICE_EXTRA_SYMBOLS", "^spx")
    result = run(monkeypatch, database_url, base, tmp_path / "home", *BOTH, "--full-history")
    assert result.startswith("rc=0"), result
    assert stooq_path("%5Espx", "") in script.paths()
    rows = whole.count(b"\r\n") - 1  # every real row: 2005-02-25 .. 2026-05-05
    iwm = (
        "SELECT count(*) FROM price_daily p JOIN security s ON s.id = p.security_id"
        " WHERE s.symbol = 'IWM'"
    )
    assert asyncio.run(scalar(database_url, iwm)) == rows == 5330
    # The first row's volume is fractional in the file (27937545.35362): stored rounded.
    volume = iwm.replace("count(*)", "volume") + " AND p.date = '2005-02-25'"
    assert asyncio.run(scalar(database_url, volume)) == 27937545


def test_the_last_closed_session_is_before_today_in_new_york() -> None:
    ny = ZoneInfo("America/New_York")
    # 2026-05-05 (a Tuesday) at 10:00 in New York: that session is open, Monday's is the last.
    assert last_closed_session(date(2026, 5, 5), datetime(2026, 5, 5, 10, tzinfo=ny)) == date(
        2026, 5, 4
    )
    # 01:00 UTC on the 6th is still the 5th in New York.
    utc = datetime(2026, 5, 6, 1, tzinfo=ZoneInfo("UTC"))
    assert last_closed_session(date(2026, 5, 6), utc) == date(2026, 5, 4)
    assert last_closed_session(date(2026, 5, 3), utc) == date(2026, 5, 1)  # a Sunday: Friday


def test_stooq_spellings() -> None:
    stooq = Stooq()
    assert stooq.code("BRK/B", "NYSE") == "brk-b.us"
    assert stooq.code("BRK.B", "NYSE") == "brk-b.us"
    assert stooq.code("IWM", "ARCA") == "iwm.us"
    assert stooq.code("ABC+", "NYSE") is None  # a warrant's SIP spelling: no Stooq spelling
    assert stooq.code("BRKCF", "OTC") is None


def test_a_security_whose_closes_are_stored_is_not_asked(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    script.on(SI.format("20260430"), Answer(body=built_cycle(tmp_path)))
    script.on(stooq_path("spy.us"), stooq_answer("spy_us_d.csv"))
    synced = run(
        monkeypatch,
        database_url,
        base,
        tmp_path / "home",
        *WINDOW[:4],
        "--source",
        "finra-short-interest",
    )
    assert synced.startswith("rc=0"), synced
    # IWM's closes come from elsewhere first (the real Stooq file, ingested by hand).
    ingested = shortflow(
        database_url,
        base,
        tmp_path,
        "ingest",
        "prices",
        "--symbol",
        "IWM",
        str(shared_file("stooq/iwm_us_d.csv")),
    )
    assert ingested.returncode == 0, ingested.stdout
    result = run(monkeypatch, database_url, base, tmp_path / "home", *WINDOW, "--source", "prices")
    assert result.startswith("rc=0"), result
    assert script.paths()[-1:] == [stooq_path("spy.us")]  # IWM is not asked
    assert stooq_path("iwm.us") not in script.paths()


def test_extra_symbols_and_provider_settings() -> None:
    settings = load_settings(price_extra_symbols=" ^spx, ^rut ", stooq_base_url="http://mirror/")
    assert settings.price_extra_symbols == ["^spx", "^rut"]
    assert Stooq().url(settings, "^spx", None) == "http://mirror/q/d/l/?s=%5Espx&i=d"
    with pytest.raises(SettingsError, match=re.escape("SHORTFLOW_PRICE_EXTRA_SYMBOLS: '../x'")):
        load_settings(price_extra_symbols="^spx,../x")
    with pytest.raises(SettingsError, match="SHORTFLOW_PRICE_PROVIDER"):
        load_settings(price_provider="yahoo")
