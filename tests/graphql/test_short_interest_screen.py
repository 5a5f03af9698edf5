"""`shortInterestScreen`: the market on one settlement date, checked against the raw FINRA file.

The rankings are computed here independently, from FINRA's real 2026-07-31 file and the metric
definitions of tests/analytics/reference.py, and compared with what the API answers over the
sample database (tests/support/datasets.py: both real July 2026 files, among others).
"""

from __future__ import annotations

import csv
from typing import Any

from tests.analytics.reference import change_percent, days_to_cover
from tests.conftest import shared_file
from tests.graphql.conftest import Query
from tests.support.datasets import SECURITIES

SCREEN = """
query ($filter: ShortInterestFilter, $orderBy: [ShortInterestOrder!], $first: Int,
       $after: String, $day: Date) {
  shortInterestScreen(settlementDate: $day, filter: $filter, orderBy: $orderBy, first: $first,
                      after: $after) {
    settlementDate
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes {
      rank
      security { symbol marketClass }
      point { settlementDate shortInterest changePercent daysToCover flags
              shortPercentOfSharesOutstanding }
    }
  }
}
"""


def finra_rows() -> list[dict[str, Any]]:
    """FINRA's 2026-07-31 rows with the metrics computed from the definitions."""
    out = []
    with shared_file("finra-short-interest/shrt20260731.csv").open() as handle:
        for row in csv.DictReader(handle, delimiter="|"):
            current = int(row["currentShortPositionQuantity"])
            previous = row["previousShortPositionQuantity"]
            volume = row["averageDailyVolumeQuantity"]
            reported = row["daysToCoverQuantity"]
            out.append(
                {
                    "symbol": row["symbolCode"],
                    "market_class": row["marketClassCode"],
                    "short_interest": current,
                    "change_percent": change_percent(current, int(previous) if previous else None),
                    "days_to_cover": days_to_cover(
                        float(reported) if reported else None, int(volume) if volume else None
                    ),
                }
            )
    return out


def ranked(rows: list[dict[str, Any]], field: str) -> list[str]:
    """Symbols by `field` descending, nulls last, then symbol (the screen's order)."""
    known = [r for r in rows if r[field] is not None]
    return [r["symbol"] for r in sorted(known, key=lambda r: (-r[field], r["symbol"]))]


async def screen(gql: Query, **variables: Any) -> dict[str, Any]:
    body = await gql(SCREEN, **variables)
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["shortInterestScreen"]
    return answer


async def test_the_top_ten_by_shares_short_and_by_change_equal_the_file(gql: Query) -> None:
    rows = finra_rows()
    top = await screen(gql, first=10)  # default: the newest date, shares short descending
    assert top["settlementDate"] == "2026-07-31"
    assert top["totalCount"] == len(rows)
    assert [n["security"]["symbol"] for n in top["nodes"]] == ranked(rows, "short_interest")[:10]
    assert [n["rank"] for n in top["nodes"]] == list(range(1, 11))

    order = [{"field": "CHANGE_PERCENT", "direction": "DESC"}]
    by_change = await screen(gql, orderBy=order, first=10)
    assert [n["security"]["symbol"] for n in by_change["nodes"]] == ranked(rows, "change_percent")[
        :10
    ]
    expected = {r["symbol"]: r["change_percent"] for r in rows}
    for node in by_change["nodes"]:
        assert node["point"]["changePercent"] == expected[node["security"]["symbol"]]


def shares_outstanding_on(day: str) -> dict[str, int]:
    """Each symbol's newest shares outstanding on or before `day`, from the files the sample
    database holds: tests/support/datasets.py's securities and the real EWJ/EWY/EWZ file."""
    dated: dict[str, tuple[str, int]] = {}
    for symbol, *_, shares, _float, as_of, _index in SECURITIES[1:]:
        dated[symbol] = (as_of, shares)
    with shared_file("etf/shares_nav_EWJ_EWY_EWZ.csv").open() as handle:
        for row in csv.DictReader(handle):
            kept = dated.get(row["ticker"])
            if row["date"] <= day and (kept is None or row["date"] >= kept[0]):
                dated[row["ticker"]] = (row["date"], int(row["shares_outstanding"]))
    return {symbol: shares for symbol, (_, shares) in dated.items()}


async def test_the_top_ten_by_short_percent_of_shares_outstanding(gql: Query) -> None:
    shares = shares_outstanding_on("2026-07-31")
    rows = [r for r in finra_rows() if r["symbol"] in shares]
    for row in rows:
        row["percent"] = round(row["short_interest"] / shares[row["symbol"]] * 100, 4)
    order = [{"field": "SHORT_PERCENT_OF_SHARES_OUTSTANDING", "direction": "DESC"}]
    top = await screen(gql, orderBy=order, first=10)
    expected = ranked(rows, "percent")[:10]
    assert [n["security"]["symbol"] for n in top["nodes"][: len(expected)]] == expected
    percent = {r["symbol"]: r["percent"] for r in rows}
    for node in top["nodes"][: len(expected)]:
        assert (
            node["point"]["shortPercentOfSharesOutstanding"] == percent[node["security"]["symbol"]]
        )
    # Unknown shares outstanding sort last (nulls last), never among the known.
    assert all(
        n["point"]["shortPercentOfSharesOutstanding"] is None for n in top["nodes"][len(expected) :]
    )


async def test_filters_and_capped_days_to_cover(gql: Query) -> None:
    rows = finra_rows()
    nasdaq = [r for r in rows if r["market_class"] == "NNM" and r["short_interest"] >= 10_000_000]
    kept = await screen(
        gql,
        filter={"marketClasses": ["NNM"], "minShortInterest": 10_000_000},
        first=1000,
    )
    assert 0 < len(nasdaq) <= 1000
    assert kept["totalCount"] == len(nasdaq)
    assert {n["security"]["symbol"] for n in kept["nodes"]} == {r["symbol"] for r in nasdaq}
    assert all(n["security"]["marketClass"] == "NNM" for n in kept["nodes"])

    # Capped days to cover (999.99) sort as the highest; undefined ones can be left out.
    order = [{"field": "DAYS_TO_COVER", "direction": "DESC"}]
    defined = {"excludeFlags": ["DAYS_TO_COVER_UNDEFINED"]}
    top = await screen(gql, filter=defined, orderBy=order, first=5)
    assert [n["security"]["symbol"] for n in top["nodes"]] == ranked(rows, "days_to_cover")[:5]
    capped = [r for r in rows if r["days_to_cover"] == 999.99]
    if capped:
        assert top["nodes"][0]["point"]["daysToCover"] == 999.99
        assert "DAYS_TO_COVER_CAPPED" in top["nodes"][0]["point"]["flags"]
    undefined = sum(r["days_to_cover"] is None for r in rows)
    assert top["totalCount"] == len(rows) - undefined
    bounded = await screen(gql, filter={"minDaysToCover": 0}, first=0)
    assert bounded["totalCount"] == len(rows) - undefined  # a bound leaves undefined ones out


async def test_pages_follow_each_other_and_pin_the_date(gql: Query) -> None:
    whole = await screen(gql, first=30)
    pages: list[str] = []
    after = None
    for _ in range(3):
        page = await screen(gql, first=10, after=after)
        pages += [n["security"]["symbol"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    assert pages == [n["security"]["symbol"] for n in whole["nodes"]]
    other_day = await gql(SCREEN, day="2026-07-15", after=after)
    assert other_day["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a cursor of this screen" in other_day["errors"][0]["message"]
    earlier = await screen(gql, day="2026-07-15", first=1)
    assert earlier["nodes"][0]["point"]["settlementDate"] == "2026-07-15"


async def test_bad_arguments_are_clear_errors(gql: Query) -> None:
    cases = [
        ({"filter": {"minShortInterest": 10, "maxShortInterest": 5}}, "is above maxShortInterest"),
        ({"orderBy": [{"field": "CHANGE"}] * 4}, "at most 3 keys"),
        ({"after": "bm90LWEtY3Vyc29y"}, "is not a cursor"),
        ({"day": "2099-01-01"}, "is after the as-of date"),
        ({"filter": {"index": "NOPE"}}, "no index with code"),
    ]
    for variables, message in cases:
        body = await gql(SCREEN, **variables)
        assert body["data"] is None or body["data"]["shortInterestScreen"] is None, variables
        assert message in body["errors"][0]["message"], body
        assert body["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND")


def test_every_screen_field_has_its_order_key_bounds_and_text() -> None:
    # The numeric fields are declared once (service.models.SCREEN_FIELDS, the SQL's `vals`
    # order); the GraphQL enum, the filter's bounds and the descriptions must follow it.
    from service.graphql.schema import (
        SCREEN_FIELD_TEXT,
        ShortInterestFilter,
        ShortInterestOrderField,
    )
    from service.models import SCREEN_FIELDS

    assert [member.value for member in ShortInterestOrderField] == list(SCREEN_FIELDS)
    assert list(SCREEN_FIELD_TEXT) == list(SCREEN_FIELDS)
    bounds = set(ShortInterestFilter.__annotations__)
    for name in SCREEN_FIELDS:
        assert {f"min_{name}", f"max_{name}"} <= bounds, name
