"""`shortflow sync --source cftc-tff` against a local server holding CFTC's files at CFTC's paths.

The yearly archives are built here from the real rows in ../shared/data/cftc (the header and every
Russell row of 2017 and 2018, zipped as CFTC does: one `FinFutYY.txt` per `fut_fin_txt_YYYY.zip`);
the weekly file is the real seven rows of 2026-09-29, served as they are.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import ShortInterestRow, write_finra_bulk
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from service.settings import Settings
from tests.conftest import app_client, shared_file
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import scalar, shortflow

YEARLY = "/files/dea/history/fut_fin_txt_{}.zip"
WEEKLY = "/dea/newcot/FinFutWk.txt"
ONLY_2017 = ("--since", "2017-01-01", "--until", "2017-12-30", "--source", "cftc-tff")
WINDOW = ("--since", "2017-01-01", "--until", "2026-10-02", "--source", "cftc-tff")


def zipped(member: str, body: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, body)
    return buffer.getvalue()


def serve_cftc(script: Script) -> None:
    for year in (2017, 2018):
        text = shared_file(f"cftc/FinFut{year % 100}_header_and_russell_rows.txt").read_bytes()
        script.on(YEARLY.format(year), Answer(body=zipped(f"FinFut{year % 100}.txt", text)))
    body = shared_file("cftc/FinFutWk_20260929_equity_index_rows.txt").read_bytes()
    script.on(WEEKLY, Answer(body=body, headers={"Content-Type": "text/plain"}))


@pytest.fixture
def cftc(host: tuple[str, Script], monkeypatch: pytest.MonkeyPatch) -> tuple[str, Script]:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_CFTC_BASE_URL", base)
    return base, script


def test_sync_stores_the_yearly_archives_and_the_current_week(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    serve_cftc(script)
    result = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert result.returncode == 0, result.stdout
    # every year's archive (2019-2026 answer 404: not published here), then the week
    assert script.paths() == [YEARLY.format(y) for y in range(2017, 2027)] + [WEEKLY]
    assert "sync: 3 files ingested, 0 failed" in result.stdout
    short = "SELECT leveraged_funds_short FROM futures_position WHERE contract_code = '239742'"
    week = asyncio.run(scalar(database_url, f"{short} AND report_date = '2026-09-29'"))
    assert week == 192740
    old = asyncio.run(scalar(database_url, f"{short} AND report_date = '2017-12-26'"))
    assert old == 129220
    kept = tmp_path / "downloads" / "cftc-tff"
    assert (kept / "fut_fin_txt_2017.zip.sha256").exists()
    assert (kept / "fut_fin_txt_2017.txt").read_bytes().startswith(b'"Market_and_Exchange_Names"')

    again = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert again.returncode == 0, again.stdout
    # the files ingested are not asked again; the years not published yet are
    assert YEARLY.format(2017) not in script.paths()[11:]
    assert WEEKLY not in script.paths()[11:]


def test_a_weekly_file_with_another_column_count_fails_and_is_kept(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    body = shared_file("cftc/FinFutWk_20260929_equity_index_rows.txt").read_bytes()
    shifted = b"\n".join(line + b',"new column"' for line in body.splitlines()) + b"\n"
    script.on(WEEKLY, Answer(body=shifted))
    args = ("--since", "2026-09-29", "--until", "2026-10-02", "--source", "cftc-tff")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 1
    assert "88 columns where the known layout has 87" in result.stdout
    assert "file kept" in result.stdout
    count = "SELECT count(*) FROM futures_position"
    assert asyncio.run(scalar(database_url, count)) == 0


def test_an_archive_that_is_not_a_zip_fails_the_source_with_the_file_kept(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    script.on(YEARLY.format(2017), Answer(body=b"<html>maintenance</html>"))
    args = ("--since", "2017-01-01", "--until", "2017-12-31", "--source", "cftc-tff")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 1
    assert "not a zip archive" in result.stdout
    assert (tmp_path / "downloads" / "cftc-tff" / "fut_fin_txt_2017.zip").exists()


def test_a_zip_bomb_is_stopped_at_the_download_limit(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = cftc
    monkeypatch.setenv("SHORTFLOW_SYNC_MAX_DOWNLOAD_MB", "1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("FinFut17.txt", b"0" * (64 << 20))  # 64 MB of zeros in about 64 KB
    assert len(buffer.getvalue()) < 1 << 20
    script.on(YEARLY.format(2017), Answer(body=buffer.getvalue()))
    result = shortflow(database_url, base, tmp_path, "sync", *ONLY_2017)
    assert result.returncode == 1
    assert "over the limit of 1,048,576" in result.stdout
    assert not (tmp_path / "downloads" / "cftc-tff" / "fut_fin_txt_2017.txt").exists()


def test_a_member_named_to_escape_the_download_directory_lands_under_our_own_name(
    database_url: str,
    cftc: tuple[str, Script],
    tmp_path: Path,
) -> None:
    base, script = cftc
    text = shared_file("cftc/FinFut17_header_and_russell_rows.txt").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../escaped/FinFut17.txt", text)
    script.on(YEARLY.format(2017), Answer(body=buffer.getvalue()))
    home = tmp_path / "home"
    result = shortflow(database_url, base, home, "sync", *ONLY_2017)
    assert result.returncode == 0, result.stdout
    assert (home / "downloads" / "cftc-tff" / "fut_fin_txt_2017.txt").read_bytes() == text
    assert not list(tmp_path.rglob("escaped"))
    stored = "SELECT count(*) FROM futures_position WHERE report_date < '2018-01-01'"
    assert asyncio.run(scalar(database_url, stored)) == 72  # 20 CME and 52 ICE Russell rows


LEVEL_DAY = "2026-09-29"
BUILT_LEVEL = 2500.0
"""No real Russell 2000 close of 2026-09-29 exists in ../shared/data (the real Yahoo history ends
on 2024-08-02): this one-row level is built here, in the Yahoo layout, and is no real figure."""

POSITIONING = """
query($from: Date, $to: Date, $asOf: Date) {
  index(code: "R2000") {
    futuresPositioning(from: $from, to: $to, asOf: $asOf) {
      reportDate releaseDate contractCode contractName multiplier openInterest
      leveragedFundsLong leveragedFundsShort assetManagersLong assetManagersShort
      dealersLong dealersShort indexLevel leveragedFundsShortUsd
      leveragedFundsShortIsRecord leveragedFundsShortUsdIsRecord
    }
  }
}
"""
EXPOSURE = """
{ index(code: "R2000") { shortExposure(from: "2026-10-15", to: "2026-10-15") {
    settlementDate totalShortValueUsd futuresReportDate futuresIndexLevel
    futuresLeveragedFundsShortContracts futuresLeveragedFundsShortUsd
    futuresLeveragedFundsNetContracts futuresLeveragedFundsNetUsd
    futuresAssetManagersShortContracts futuresDealersShortUsd futuresLegKnown
    totalWithFuturesShortValueUsd futuresIsRecord totalWithFuturesIsRecord
} } }
"""


def rut_close(day: str) -> float:
    with shared_file("prices/yahoo/RUT_index.csv").open(newline="") as handle:
        return next(float(r["Close"]) for r in csv.DictReader(handle) if r["Date"] == day)


async def test_the_api_turns_the_synced_positions_into_dollars_with_the_index_level(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path, settings: Settings
) -> None:
    base, script = cftc
    serve_cftc(script)
    synced = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *WINDOW)
    assert synced.returncode == 0, synced.stdout
    level = tmp_path / "rut_20260929.csv"
    level.write_text(f"Date,Open,High,Low,Close,Adj Close,Volume\n{LEVEL_DAY},,,,{BUILT_LEVEL},,\n")
    interest = write_finra_bulk(  # a settlement date after the 2026-09-29 report's release
        tmp_path / "shrt20261015.csv",
        date(2026, 10, 15),
        [ShortInterestRow("IWM", "iShares Russell 2000 ETF", "ARCA", 1_000_000, None, 100_000)],
    )
    db = Database(database_url, min_size=1, max_size=2)
    await db.open()
    try:
        holdings = shared_file("etf/holdings_sample_ishares_layout.csv")  # IWM tracks R2000
        for path, kind, options in (
            (holdings, "holdings", IngestOptions(index="R2000", fund="IWM")),
            (shared_file("prices/yahoo/RUT_index.csv"), "prices", IngestOptions(symbol="^RUT")),
            (level, "prices", IngestOptions(symbol="^RUT")),
            (interest, "short-interest", IngestOptions()),
        ):
            outcome = await ingest_file(db, path, kind, options)
            assert outcome.status == "applied", outcome.error
    finally:
        await db.close()

    async with app_client(settings) as client:
        week = {"from": LEVEL_DAY, "to": LEVEL_DAY}
        answer = await client.post("/graphql", json={"query": POSITIONING, "variables": week})
        rows = {r["contractCode"]: r for r in answer.json()["data"]["index"]["futuresPositioning"]}
        assert set(rows) == {"239742", "239747"}  # the E-mini and the micro, by code
        emini = rows["239742"]
        assert emini == {
            "reportDate": LEVEL_DAY,
            "releaseDate": "2026-10-02",
            "contractCode": "239742",
            "contractName": "RUSSELL E-MINI - CHICAGO MERCANTILE EXCHANGE",
            "multiplier": 50.0,
            "openInterest": 428048,
            "leveragedFundsLong": 78186,
            "leveragedFundsShort": 192740,
            "assetManagersLong": 151227,
            "assetManagersShort": 111459,
            "dealersLong": 120936,
            "dealersShort": 43245,
            "indexLevel": BUILT_LEVEL,
            "leveragedFundsShortUsd": 192740 * 50 * BUILT_LEVEL,
            "leveragedFundsShortIsRecord": True,  # above every 2017-2018 week of the contract
            "leveragedFundsShortUsdIsRecord": True,
        }
        assert rows["239747"]["leveragedFundsShortUsd"] == 10890 * 0.5 * BUILT_LEVEL

        # point in time: the report of 2026-09-29 is known from its release on 2026-10-02
        before = {**week, "asOf": "2026-10-01"}
        answer = await client.post("/graphql", json={"query": POSITIONING, "variables": before})
        assert answer.json()["data"]["index"]["futuresPositioning"] == []

        # the old name, the same code, with the real close of that day
        old = {"from": "2017-12-26", "to": "2017-12-26"}
        answer = await client.post("/graphql", json={"query": POSITIONING, "variables": old})
        (cme,) = [
            r
            for r in answer.json()["data"]["index"]["futuresPositioning"]
            if r["contractCode"] == "239742"
        ]
        assert cme["contractName"] == "E-MINI RUSSELL 2000 INDEX - CHICAGO MERCANTILE EXCHANGE"
        assert cme["indexLevel"] == rut_close("2017-12-26")
        assert cme["leveragedFundsShortUsd"] == round(129220 * 50 * rut_close("2017-12-26"), 2)

        (exposure,) = (await client.post("/graphql", json={"query": EXPOSURE})).json()["data"][
            "index"
        ]["shortExposure"]
        points = 192740 * 50 + 10890 * 0.5  # USD per index point, E-mini and micro
        assert exposure["futuresReportDate"] == LEVEL_DAY
        assert exposure["futuresIndexLevel"] == BUILT_LEVEL
        assert exposure["futuresLeveragedFundsShortContracts"] == pytest.approx(192740 + 108.9)
        assert exposure["futuresLeveragedFundsShortUsd"] == points * BUILT_LEVEL
        net = (78186 - 192740) * 50 + (37094 - 10890) * 0.5
        assert exposure["futuresLeveragedFundsNetUsd"] == net * BUILT_LEVEL
        assert exposure["futuresAssetManagersShortContracts"] == pytest.approx(111459 + 0)
        assert exposure["futuresDealersShortUsd"] == (43245 * 50 + 4511 * 0.5) * BUILT_LEVEL
        assert exposure["futuresLegKnown"] is True
        assert exposure["totalWithFuturesShortValueUsd"] == pytest.approx(
            exposure["totalShortValueUsd"] + points * BUILT_LEVEL, abs=0.01
        )
        assert (exposure["futuresIsRecord"], exposure["totalWithFuturesIsRecord"]) == (
            False,  # the first date with a futures leg: nothing earlier to beat
            False,
        )

        rest = await client.get(
            "/v1/indexes/R2000/futures-positioning",
            params={"from": LEVEL_DAY, "to": LEVEL_DAY, "format": "csv"},
        )
        assert rest.status_code == 200, rest.text
        table = list(csv.DictReader(io.StringIO(rest.text)))
        (line,) = [r for r in table if r["contract_code"] == "239742"]
        assert (line["leveraged_funds_short"], line["release_date"]) == ("192740", "2026-10-02")
        assert float(line["leveraged_funds_short_usd"]) == 192740 * 50 * BUILT_LEVEL
        (leg,) = (
            await client.get(
                "/v1/indexes/R2000/short-exposure",
                params={"from": "2026-10-15", "to": "2026-10-15"},
            )
        ).json()["data"]
        assert (leg["futures_report_date"], leg["futures_leveraged_funds_short_usd"]) == (
            LEVEL_DAY,
            points * BUILT_LEVEL,
        )
        # The index level's price series is stored under ^RUT, but ^RUT is no security: the
        # lists and counts leave it out (SHORTFLOW_INDEX_LEVEL_SYMBOLS); its closes stay.
        listed = "{ securities(first: 100) { totalCount nodes { symbol } } }"
        page = (await client.post("/graphql", json={"query": listed})).json()["data"]["securities"]
        symbols = [n["symbol"] for n in page["nodes"]]
        assert "IWM" in symbols  # holdings members, IWM: all there
        assert "^RUT" not in symbols
        assert page["totalCount"] == len(symbols)
        level_series = '{ security(symbol: "^RUT") { prices(from: "2026-09-29") { date close } } }'
        found = (await client.post("/graphql", json={"query": level_series})).json()["data"]
        assert found["security"]["prices"] == [{"date": LEVEL_DAY, "close": BUILT_LEVEL}]
        rest_list = (await client.get("/v1/securities", params={"search": "^"})).json()
        assert rest_list["data"] == []
        early = await client.get(
            "/v1/indexes/R2000/futures-positioning",
            params={"from": LEVEL_DAY, "as_of": "2026-10-01"},
        )
        assert early.json()["data"] == []
        wrong = await client.get(
            "/v1/indexes/R2000/futures-positioning",
            params={"from": "2026-10-02", "to": "2026-10-01"},
        )
        assert wrong.status_code == 400
