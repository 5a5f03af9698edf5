"""The sentence Shortflow exists to answer, as a query: "Short interest in VTWO fell 99.77% to
22,300 shares, 0.02% of float." Generated files in the real layouts, through the real ingest."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file

FINRA_HEADER = (
    "accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|"
    "marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|"
    "averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|"
    "changePreviousNumber|settlementDate"
)


@pytest.fixture
async def article_data(database_url: str, tmp_path: Path) -> str:
    finra = tmp_path / "shrt20210115.csv"
    finra.write_text(
        f"{FINRA_HEADER}\n"
        "20210115|VTWO|Vanguard Russell 2000 ETF|R|NNM|22300|9691435||1874024|1.00||-99.77|"
        "-9669135|2021-01-15\n"
    )
    securities = write_csv(
        tmp_path / "securities.csv",
        ["symbol", "name", "type", "market_class", "shares_outstanding", "float_shares", "as_of"],
        [["VTWO", "Vanguard Russell 2000 ETF", "etf", "NNM", 111_500_000, None, "2020-12-31"]],
    )
    prices = write_csv(
        tmp_path / "prices.csv",
        ["date", "symbol", "open", "high", "low", "close", "volume"],
        [["2021-01-15", "VTWO", 178.1, 180.2, 176.9, 179.45, 1_800_000]],
    )
    db = Database(database_url, min_size=1, max_size=2)
    await db.open()
    try:
        for path, kind in (
            (securities, "securities"),
            (prices, "prices"),
            (finra, "short-interest"),
        ):
            outcome = await ingest_file(db, path, kind, IngestOptions())
            assert outcome.status == "applied", outcome.error
    finally:
        await db.close()
    return database_url


QUERY = """{ security(symbol: "VTWO") { latestShortInterest {
    settlementDate publishedDate shortInterest previousShortInterest change changePercent
    shortPercentOfFloat shortValueUsd daysToCover flags } } }"""


@pytest.mark.usefixtures("article_data")
async def test_vtwo_fell_99_77_percent_to_22300_shares_0_02_percent_of_float(
    client: httpx.AsyncClient,
) -> None:
    point = (await client.post("/graphql", json={"query": QUERY})).json()["data"]["security"][
        "latestShortInterest"
    ]
    assert point["shortInterest"] == 22_300
    assert point["change"] == 22_300 - 9_691_435
    assert point["changePercent"] == -99.77
    assert round(point["shortPercentOfFloat"], 2) == 0.02
    assert point["shortValueUsd"] == pytest.approx(22_300 * 179.45)
    assert point["flags"] == ["EXTREME_CHANGE"]
    # Known from FINRA's publication date: the 7th NYSE trading day after settlement (MLK Day
    # 2021-01-18 is a holiday).
    assert point["publishedDate"] == "2021-01-27"
    rest = (await client.get("/v1/securities/VTWO")).json()["data"]
    assert rest["latest_short_interest"]["change_percent"] == -99.77
    assert rest["latest_short_interest"]["flags"] == ["EXTREME_CHANGE"]
