"""Metrics over GraphQL, checked against the raw sample files (PRODUCT.md section 2)."""

from __future__ import annotations

from tests.analytics.reference import percent, usd
from tests.conftest import shared_file
from tests.graphql.conftest import Query

POINT = """
query ($symbol: String!, $asOf: Date) {
  security(symbol: $symbol) {
    latestShortInterest(asOf: $asOf) {
      settlementDate publishedDate shortInterest previousShortInterest change changePercent
      averageDailyVolume daysToCover shortPercentOfFloat shortPercentOfSharesOutstanding
      shortValueUsd revised flags floatShares floatAsOf closePrice closeDate
    }
  }
}
"""


def finra_row(name: str, symbol: str) -> list[str]:
    for line in shared_file(f"finra-short-interest/{name}").read_text().splitlines():
        cells = line.split("|")
        if cells[1] == symbol:
            return cells
    raise AssertionError(f"{symbol} not in {name}")


def iwm_close(day: str) -> float:
    for line in shared_file("prices/IWM_2026_daily.csv").read_text().splitlines()[1:]:
        cells = line.split(",")
        if cells[0] == day:
            return float(cells[4])
    raise AssertionError(day)


async def test_iwm_metrics_follow_the_definitions(gql: Query) -> None:
    raw = finra_row("shrt20260731.csv", "IWM")
    current, previous = int(raw[5]), int(raw[6])
    point = (await gql(POINT, symbol="IWM"))["data"]["security"]["latestShortInterest"]
    shares_outstanding = 281_300_000  # tests/support/datasets.py, as of 2026-07-01
    assert point == {
        "settlementDate": "2026-07-31",
        "publishedDate": "2026-08-11",
        "shortInterest": current,
        "previousShortInterest": previous,
        "change": current - previous,
        "changePercent": round((current - previous) / previous * 100, 2),
        "averageDailyVolume": int(raw[8]),
        "daysToCover": float(raw[9]),
        "shortPercentOfFloat": percent(current / shares_outstanding * 100),
        "shortPercentOfSharesOutstanding": percent(current / shares_outstanding * 100),
        "shortValueUsd": usd(current * iwm_close("2026-07-31")),
        "revised": False,
        "flags": [],
        "floatShares": shares_outstanding,
        "floatAsOf": "2026-07-01",
        "closePrice": iwm_close("2026-07-31"),
        "closeDate": "2026-07-31",
    }
    assert point["changePercent"] == float(raw[11])  # FINRA's own figure agrees
    assert round(point["shortValueUsd"] / 1e9) == 21  # "IWM's $21 billion short"


async def test_as_of_shows_what_was_published_then(gql: Query) -> None:
    before = (await gql(POINT, symbol="IWM", asOf="2026-08-10"))["data"]["security"]
    assert before["latestShortInterest"]["settlementDate"] == "2026-07-15"
    assert before["latestShortInterest"]["closePrice"] == iwm_close("2026-07-15")
    nothing = (await gql(POINT, symbol="IWM", asOf="2026-07-23"))["data"]["security"]
    assert nothing["latestShortInterest"] is None


async def test_revised_values_carry_their_flag_and_publication(gql: Query) -> None:
    query = """query ($asOf: Date) { security(symbol: "DBA") {
        shortInterest(asOf: $asOf, to: "2026-07-15") {
            nodes { settlementDate shortInterest revised publishedDate flags } } } }"""
    before = (await gql(query, asOf="2026-08-10"))["data"]["security"]["shortInterest"]["nodes"]
    after = (await gql(query, asOf="2026-08-11"))["data"]["security"]["shortInterest"]["nodes"]
    assert before == [
        {
            "settlementDate": "2026-07-15",
            "shortInterest": 612445,
            "revised": False,
            "publishedDate": "2026-07-24",
            "flags": [],
        }
    ]
    assert after == [
        {
            "settlementDate": "2026-07-15",
            "shortInterest": 612345,
            "revised": True,
            "publishedDate": "2026-08-11",
            "flags": ["REVISED"],
        }
    ]


async def test_flags_for_extreme_changes_splits_stale_floats_and_no_volume(gql: Query) -> None:
    mli = (await gql(POINT, symbol="MLI", asOf="2026-08-10"))["data"]["security"]
    # 2026-07-15: +107.90% with a split in the cycle; float from 2025-12-31 (196 days old).
    assert mli["latestShortInterest"]["flags"] == ["EXTREME_CHANGE", "SPLIT", "STALE_FLOAT"]
    assert mli["latestShortInterest"]["changePercent"] == 107.9
    ayurf = (await gql(POINT, symbol="AYURF"))["data"]["security"]["latestShortInterest"]
    assert ayurf["daysToCover"] is None  # FINRA's 999.99: average daily volume was 0
    assert ayurf["averageDailyVolume"] == 0
    assert "DAYS_TO_COVER_UNDEFINED" in ayurf["flags"]
    assert ayurf["shortPercentOfFloat"] is None  # no float known
    assert ayurf["shortValueUsd"] is None  # no price known


async def test_float_and_shares_outstanding_of_a_stock(gql: Query) -> None:
    query = """{ security(symbol: "AA") { sharesOutstanding floatShares
        early: floatShares(asOf: "2026-01-01")
        latestShortInterest {
            shortInterest shortPercentOfFloat shortPercentOfSharesOutstanding } } }"""
    security = (await gql(query))["data"]["security"]
    current = int(finra_row("shrt20260731.csv", "AA")[5])
    assert (security["sharesOutstanding"], security["floatShares"]) == (258_900_000, 257_000_000)
    assert security["early"] is None  # nothing known before 2026-06-30: no look-ahead
    point = security["latestShortInterest"]
    assert point["shortPercentOfFloat"] == percent(current / 257_000_000 * 100)
    assert point["shortPercentOfSharesOutstanding"] == percent(current / 258_900_000 * 100)


async def test_an_etf_float_is_its_shares_outstanding(gql: Query) -> None:
    query = '{ security(symbol: "IWM") { sharesOutstanding floatShares } }'
    security = (await gql(query))["data"]["security"]
    assert security["sharesOutstanding"] is not None
    assert security["floatShares"] == security["sharesOutstanding"]
