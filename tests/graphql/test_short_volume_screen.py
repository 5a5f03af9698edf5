"""`shortVolumeScreen` and GET /v1/screens/short-volume: the market's Reg SHO volume on one day.

The database holds FINRA's real Reg SHO files of 2021-06-04 (CNMS, FNSQ, FORF) and 20 earlier
trading days built from the real CNMS file (tests/support/datasets.py `regsho_history`). The
expected rankings and 20-day averages are computed here from those files, independently of the
SQL, and compared with what both APIs answer.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.ingest.base import finra_symbol
from service.rest import examples
from tests.conftest import DatabaseFactory, shared_file
from tests.graphql.conftest import Query
from tests.support.datasets import REGSHO_DAY, load_regsho, regsho_history

SCREEN = """
query ($day: Date, $facility: String, $filter: ShortVolumeFilter,
       $orderBy: [ShortVolumeOrder!], $first: Int, $after: String) {
  shortVolumeScreen(date: $day, facility: $facility, filter: $filter, orderBy: $orderBy,
                    first: $first, after: $after) {
    date facility totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes {
      rank
      security { symbol type }
      point {
        shortVolume totalVolume shortVolumeRatio averageShortVolumeRatio averageDays
        shortVolumeRatioChange
      }
    }
  }
}
"""
STAMP = REGSHO_DAY.replace("-", "")


@pytest.fixture(scope="module")
def sample_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """This module's database: the Reg SHO files above (the gql fixture serves it)."""
    url = db_factory.create()
    load_regsho(url, tmp_path_factory.mktemp("regsho"))
    return url


def _rows(path: Path) -> list[list[str]]:
    """The file's records, symbols in FINRA short interest's spelling (`BRK/B` -> `BRKB`), the
    spelling securities are stored and ordered by."""
    rows = [line.split("|") for line in path.read_text().splitlines()[1:] if line.count("|") == 5]
    return [[r[0], finra_symbol(r[1]), *r[2:]] for r in rows]


def expected(facilities: tuple[str, ...], tmp: Path) -> dict[str, dict[str, Any]]:
    """Per symbol: the day's volumes summed over `facilities`, the ratio, and the mean of the
    daily ratios over the 20 days before (the CNMS history only has CNMS rows)."""
    day: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for facility in facilities:
        for _, symbol, short, _, total, _ in _rows(
            shared_file(f"regsho/{facility}shvol{STAMP}.txt")
        ):
            day[symbol][0] += float(short)
            day[symbol][1] += float(total)
    history: dict[str, list[float]] = defaultdict(list)
    if "CNMS" in facilities:
        for path in regsho_history(tmp):
            for _, symbol, short, _, total, _ in _rows(path):
                if float(total) > 0:
                    history[symbol].append(float(short) / float(total) * 100)
    out = {}
    for symbol, (short, total) in day.items():
        ratio = round(short / total * 100, 4) if total > 0 else None
        ratios = history.get(symbol, [])
        average = sum(ratios) / len(ratios) if ratios else None
        change = (
            round(short / total * 100 - average, 4) if total > 0 and average is not None else None
        )
        out[symbol] = {
            "short_volume": round(short),
            "total_volume": round(total),
            "ratio": ratio,
            "average": None if average is None else round(average, 4),
            "days": len(ratios),
            "change": change,
        }
    return out


def ranked(rows: dict[str, dict[str, Any]], field: str) -> list[str]:
    known = [(s, r) for s, r in rows.items() if r[field] is not None]
    return [s for s, r in sorted(known, key=lambda item: (-item[1][field], item[0]))]


async def screen(gql: Query, **variables: Any) -> dict[str, Any]:
    body = await gql(SCREEN, **variables)
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["shortVolumeScreen"]
    return answer


async def test_all_facilities_is_cnms_plus_forf_with_the_20_day_average(
    gql: Query, tmp_path: Path
) -> None:
    rows = expected(("CNMS", "FORF"), tmp_path)
    order = [{"field": "SHORT_VOLUME_RATIO_CHANGE", "direction": "DESC"}]
    top = await screen(gql, orderBy=order, first=20)  # default: the newest day, ALL
    assert (top["date"], top["facility"]) == (REGSHO_DAY, "ALL")
    assert top["totalCount"] == len(rows)
    assert [n["security"]["symbol"] for n in top["nodes"]] == ranked(rows, "change")[:20]
    for node in top["nodes"]:
        want = rows[node["security"]["symbol"]]
        assert node["point"] == {
            "shortVolume": want["short_volume"],
            "totalVolume": want["total_volume"],
            "shortVolumeRatio": want["ratio"],
            "averageShortVolumeRatio": want["average"],
            "averageDays": want["days"],
            "shortVolumeRatioChange": want["change"],
        }
    # Every seventh symbol is missing on each built day: averages over 17 of the 20 days.
    assert {n["point"]["averageDays"] for n in top["nodes"]} <= {17, 18}


async def test_one_facility_and_filters(gql: Query, tmp_path: Path) -> None:
    rows = expected(("FNSQ",), tmp_path)
    busy = {s: r for s, r in rows.items() if r["total_volume"] >= 10_000_000}
    kept = await screen(
        gql,
        facility="FNSQ",
        filter={"minTotalVolume": 10_000_000},
        orderBy=[{"field": "SHORT_VOLUME", "direction": "DESC"}],
        first=1000,
    )
    assert 0 < len(busy) <= 1000
    assert kept["totalCount"] == len(busy)
    assert [n["security"]["symbol"] for n in kept["nodes"]] == ranked(busy, "short_volume")
    # No FNSQ history: the average is unknown, and a bound on it leaves every row out.
    assert {n["point"]["averageShortVolumeRatio"] for n in kept["nodes"]} == {None}
    bounded = await screen(gql, facility="FNSQ", filter={"minShortVolumeRatioChange": -100})
    assert bounded["totalCount"] == 0
    etfs = await screen(gql, filter={"types": ["ETF"]}, first=1000)
    assert {n["security"]["symbol"] for n in etfs["nodes"]} == {"IWM", "VTWO"}


async def test_pages_follow_each_other_and_pin_the_day_and_facility(gql: Query) -> None:
    whole = await screen(gql, facility="CNMS", first=30)
    pages: list[str] = []
    after = None
    for _ in range(3):
        page = await screen(gql, facility="CNMS", first=10, after=after)
        pages += [n["security"]["symbol"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    assert pages == [n["security"]["symbol"] for n in whole["nodes"]]
    for other in ({"facility": "FNSQ"}, {"facility": "CNMS", "day": "2021-06-03"}):
        body = await gql(SCREEN, after=after, **other)
        assert "is not a cursor of this screen" in body["errors"][0]["message"], other


async def test_bad_arguments_are_clear_errors(gql: Query) -> None:
    cases = [
        ({"facility": "NYSE"}, "facility must be one of ALL, CNMS"),
        ({"filter": {"minShortVolume": 10, "maxShortVolume": 5}}, "is above maxShortVolume"),
        ({"orderBy": [{"field": "TOTAL_VOLUME"}] * 4}, "at most 3 keys"),
        ({"after": "bm90LWEtY3Vyc29y"}, "is not a cursor"),
        ({"day": "2099-01-01"}, "is after today"),
        ({"filter": {"index": "NOPE"}}, "no index with code"),
        ({"first": 1001}, "first"),
    ]
    for variables, message in cases:
        body = await gql(SCREEN, **variables)
        assert (body.get("data") or {}).get("shortVolumeScreen") is None, variables
        assert message in body["errors"][0]["message"], body
        assert body["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND")


async def test_rest_gives_the_example_and_agrees_with_graphql(
    sample_client: httpx.AsyncClient, gql: Query
) -> None:
    path = "/v1/screens/short-volume"
    example = await sample_client.get(
        path, params={"facility": "CNMS", "min_total_volume": 150_000_000}
    )
    assert example.status_code == 200, example.text
    assert example.json() == examples.SHORT_VOLUME_SCREEN

    order = [{"field": "SHORT_VOLUME_RATIO", "direction": "ASC"}]
    graphql = await screen(gql, orderBy=order, filter={"minTotalVolume": 1_000_000}, first=45)
    rows: list[dict[str, Any]] = []
    cursor = None
    params = {"order_by": "short_volume_ratio", "min_total_volume": "1000000", "limit": "20"}
    while len(rows) < 45:
        paged = {**params, "cursor": cursor} if cursor else params
        page = await sample_client.get(path, params=paged)
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total_count"] == graphql["totalCount"]
        rows += body["data"]
        cursor = body["next_cursor"]
    assert [(r["rank"], r["security"]["symbol"], r["point"]["short_volume_ratio"]) for r in rows][
        :45
    ] == [
        (n["rank"], n["security"]["symbol"], n["point"]["shortVolumeRatio"])
        for n in graphql["nodes"]
    ]
    csv = await sample_client.get(path, params={"facility": "CNMS", "limit": "3", "format": "csv"})
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 4

    for params, message in (
        ({"facility": "NYSE"}, "facility"),
        ({"min_short_volume": "10", "max_short_volume": "5"}, "is above max_short_volume"),
        ({"order_by": "symbol"}, "order_by"),
    ):
        bad = await sample_client.get(path, params=params)
        assert bad.status_code == 400, (params, bad.text)
        assert message in bad.json()["error"]["message"], bad.text
