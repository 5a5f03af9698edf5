"""The contract's queries: pagination, securities, indexes, flows, squeeze, calendar."""

from __future__ import annotations

import asyncpg
import httpx

from tests.analytics.reference import usd
from tests.conftest import shared_file
from tests.graphql.conftest import Query

PAGE = """query ($after: String, $first: Int) {
  securities(search: "iShares", first: $first, after: $after) {
    totalCount edges { cursor node { symbol } } nodes { symbol }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def test_cursor_pages_walk_every_item_once_in_order(gql: Query) -> None:
    seen: list[str] = []
    after = None
    total = None
    while True:
        page = (await gql(PAGE, first=100, after=after))["data"]["securities"]
        total = page["totalCount"]
        seen += [node["symbol"] for node in page["nodes"]]
        assert [e["node"]["symbol"] for e in page["edges"]] == [n["symbol"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert total is not None
    assert total > 300
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == total


async def test_keyset_pages_are_stable_under_inserts(gql: Query, sample_url: str) -> None:
    first = (await gql(PAGE, first=5))["data"]["securities"]
    conn = await asyncpg.connect(sample_url)
    try:
        # A security sorting before the cursor appears between two page requests.
        await conn.execute(
            "INSERT INTO security (symbol, name) VALUES ('AAAAA', 'iShares Inserted Meanwhile')"
        )
        second = (await gql(PAGE, first=5, after=first["pageInfo"]["endCursor"]))["data"]
    finally:
        await conn.execute("DELETE FROM security WHERE symbol = 'AAAAA'")
        await conn.close()
    first_symbols = [n["symbol"] for n in first["nodes"]]
    second_symbols = [n["symbol"] for n in second["securities"]["nodes"]]
    assert not set(first_symbols) & set(second_symbols)
    assert second_symbols[0] > first_symbols[-1]


async def test_short_interest_connection_pages(gql: Query) -> None:
    query = """query ($after: String) { security(symbol: "IWM") {
        shortInterest(first: 1, after: $after) { totalCount nodes { settlementDate }
            pageInfo { hasNextPage endCursor } } } }"""
    one = (await gql(query))["data"]["security"]["shortInterest"]
    two = (await gql(query, after=one["pageInfo"]["endCursor"]))["data"]["security"][
        "shortInterest"
    ]
    assert one["totalCount"] == two["totalCount"] == 2
    assert [one["nodes"], one["pageInfo"]["hasNextPage"]] == [
        [{"settlementDate": "2026-07-15"}],
        True,
    ]
    assert [two["nodes"], two["pageInfo"]["hasNextPage"]] == [
        [{"settlementDate": "2026-07-31"}],
        False,
    ]


async def test_filters_by_type_and_index(gql: Query) -> None:
    etfs = (await gql("{ securities(type: ETF, first: 1000) { nodes { type } } }"))["data"]
    assert {n["type"] for n in etfs["securities"]["nodes"]} == {"ETF"}
    members = (await gql('{ securities(index: "R2000", first: 5) { totalCount } }'))["data"]
    assert members["securities"]["totalCount"] == 1920


async def test_a_bad_cursor_is_a_user_error(sample_client: httpx.AsyncClient) -> None:
    response = await sample_client.post(
        "/graphql", json={"query": '{ securities(after: "bm9wZQ") { totalCount } }'}
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a cursor of this list" in error["message"]


async def test_index_exposure_legs_and_members_reporting(gql: Query) -> None:
    query = """{ index(code: "R2000") {
        code trackingFunds { symbol }
        shortExposure { settlementDate singleStockShortInterest constituentsReporting constituents
            etfShortInterest etfShortValueUsd singleStockLegKnown etfLegKnown isRecord } } }"""
    index = (await gql(query))["data"]["index"]
    assert sorted(f["symbol"] for f in index["trackingFunds"]) == ["IWM", "VTWO"]
    members = {
        line.split(",")[1]
        for line in shared_file("index/russell2000_members_2026-05-05.csv")
        .read_text()
        .splitlines()[1:]
    }
    finra = {
        cells[1]: int(cells[5])
        for cells in (
            line.split("|")
            for line in shared_file("finra-short-interest/shrt20260731.csv")
            .read_text()
            .splitlines()[1:]
        )
    }
    july_31 = next(p for p in index["shortExposure"] if p["settlementDate"] == "2026-07-31")
    reporting = members & finra.keys()
    assert july_31["constituents"] == len(members)
    assert july_31["constituentsReporting"] == len(reporting)
    assert july_31["singleStockShortInterest"] == sum(finra[s] for s in reporting)
    assert july_31["etfShortInterest"] == finra["IWM"] + finra["VTWO"]
    assert july_31["etfShortValueUsd"] == usd(finra["IWM"] * 291.20)  # VTWO has no price
    # The sample has no closes for the members: their dollar leg is unknown, so no date is a
    # record (and the first date would not be one anyway: nothing earlier to beat).
    assert [p["singleStockLegKnown"] for p in index["shortExposure"]] == [False, False]
    assert [p["etfLegKnown"] for p in index["shortExposure"]] == [True, True]
    assert [p["isRecord"] for p in index["shortExposure"]] == [False, False]


async def test_weekly_flows_sum_the_days_and_mark_records(gql: Query) -> None:
    query = """query ($period: FlowPeriod) { security(symbol: "IWM") {
        fundFlows(period: $period, from: "2026-01-01", to: "2026-03-31") {
            periodStart periodEnd flowUsd isRecordOutflow isRecordInflow daysReported tradingDays
            source }
        flowRecords(period: WEEK) { largestOutflow { periodEnd flowUsd } } } }"""
    daily = (await gql(query, period="DAY"))["data"]["security"]["fundFlows"]
    weekly = (await gql(query, period="WEEK"))["data"]["security"]
    for week in weekly["fundFlows"]:
        days = [
            d["flowUsd"]
            for d in daily
            if week["periodStart"] <= d["periodStart"] <= week["periodEnd"]
        ]
        assert week["flowUsd"] == sum(days)
        assert week["daysReported"] == len(days)
    # Week of 2026-01-19: Monday was MLK Day, so it runs Tuesday to Friday.
    mlk = next(w for w in weekly["fundFlows"] if w["periodEnd"] == "2026-01-23")
    assert (mlk["periodStart"], mlk["tradingDays"]) == ("2026-01-20", 4)
    assert {w["source"] for w in weekly["fundFlows"]} == {"REPORTED"}  # flows given in the file
    records = [w for w in weekly["fundFlows"] if w["isRecordOutflow"]]
    lowest = min(weekly["fundFlows"], key=lambda w: w["flowUsd"])
    assert records[-1] == lowest
    assert weekly["flowRecords"]["largestOutflow"] == {
        "periodEnd": lowest["periodEnd"],
        "flowUsd": lowest["flowUsd"],
    }


async def test_flows_derived_from_share_counts(gql: Query) -> None:
    query = """{ security(symbol: "EWJ") { fundFlows(from: "2026-03-02", to: "2026-03-06") {
        periodEnd flowUsd sharesOutstanding nav source } } }"""
    flows = (await gql(query))["data"]["security"]["fundFlows"]
    by_day = {f["periodEnd"]: f for f in flows}
    assert "2026-03-03" not in by_day  # no NAV that day: missing, not zero
    day = by_day["2026-03-04"]
    assert day["flowUsd"] == (222_900_000 - 219_600_000) * 85.61
    assert day["source"] == "DERIVED"


async def test_fund_flow_leaders(gql: Query) -> None:
    query = """query ($direction: FlowDirection!) {
        fundFlowLeaders(period: WEEK, direction: $direction, periodEnd: "2026-03-20", first: 3) {
            symbol periodStart periodEnd flowUsd } }"""
    inflows = (await gql(query, direction="INFLOW"))["data"]["fundFlowLeaders"]
    outflows = (await gql(query, direction="OUTFLOW"))["data"]["fundFlowLeaders"]
    assert len(inflows) == len(outflows) == 3
    assert all(f["periodEnd"] == "2026-03-20" for f in inflows + outflows)
    assert [f["flowUsd"] for f in inflows] == sorted((f["flowUsd"] for f in inflows), reverse=True)
    assert all(f["flowUsd"] > 0 for f in inflows)
    assert [f["flowUsd"] for f in outflows] == sorted(f["flowUsd"] for f in outflows)
    assert all(f["flowUsd"] < 0 for f in outflows)


async def test_squeeze_liquidity_floors_leave_out_and_count(gql: Query) -> None:
    query = """query ($cap: Float, $volume: Float) {
      squeezeScreen(asOf: "2026-08-20", first: 50, minMarketCapUsd: $cap,
                    minAverageDollarVolumeUsd: $volume) {
        excluded { reason count } candidates { security { symbol } } } }"""
    everyone = (await gql(query))["data"]["squeezeScreen"]
    ranked = [c["security"]["symbol"] for c in everyone["candidates"]]
    assert "IWM" in ranked
    # IWM on 2026-07-31: 281,300,000 shares x $291.20 = $81.9 billion; 23,504,634 shares a day
    # x $291.20 = $6.84 billion a day. The others in the sample have no close that day.
    kept = (await gql(query, cap=8e10, volume=6e9))["data"]["squeezeScreen"]
    assert [c["security"]["symbol"] for c in kept["candidates"]] == ["IWM"]
    excluded = {e["reason"]: e["count"] for e in kept["excluded"]}
    assert excluded["below_min_market_cap_usd"] == len(ranked) - 1
    above = (await gql(query, cap=8.2e10))["data"]["squeezeScreen"]
    assert above["candidates"] == []
    excluded = {e["reason"]: e["count"] for e in above["excluded"]}
    assert excluded["below_min_market_cap_usd"] == len(ranked)
    by_volume = (await gql(query, volume=6.9e9))["data"]["squeezeScreen"]
    assert {e["reason"] for e in by_volume["excluded"]} >= {"below_min_average_dollar_volume_usd"}
    assert by_volume["candidates"] == []
    refused = await gql(query, cap=-1)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_squeeze_candidates_with_factors_and_exclusions(gql: Query) -> None:
    query = """{ squeezeScreen(asOf: "2026-08-20", first: 5) {
        asOf evaluated excluded { reason count }
        candidates { security { symbol } score settlementDate shortPercentOfFloat daysToCover
            shortPercentOfSharesOutstanding factors { name value weight contribution } } } }"""
    screen = (await gql(query))["data"]["squeezeScreen"]
    candidates = screen["candidates"]
    assert candidates, "securities with a float must be ranked"
    assert all(c["settlementDate"] == "2026-07-31" for c in candidates)
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)
    for candidate in candidates:
        assert sum(f["weight"] for f in candidate["factors"]) == 1.0
        assert round(sum(f["contribution"] for f in candidate["factors"]), 2) == candidate["score"]
    excluded = {e["reason"]: e["count"] for e in screen["excluded"]}
    # The sample knows share counts for five securities only.
    assert excluded["no_share_count"] > 20_000
    # GME has shares outstanding and no float: ranked on short % of shares outstanding, and the
    # factor says so by its name (53,736,062 short / 447,000,000 shares).
    gme = next(c for c in candidates if c["security"]["symbol"] == "GME")
    assert gme["shortPercentOfFloat"] is None
    assert gme["shortPercentOfSharesOutstanding"] == round(53_736_062 / 447_000_000 * 100, 4)
    first = gme["factors"][0]
    assert first["name"] == "short_percent_of_shares_outstanding"
    assert first["value"] == gme["shortPercentOfSharesOutstanding"]
    assert first["weight"] == 0.25
    assert all(
        c["factors"][0]["name"] == "short_percent_of_float" for c in candidates if c is not gme
    )
    # Evaluated: every security reporting on 2026-07-31 (each either scored or excluded).
    assert screen["evaluated"] == 22341
    assert screen["evaluated"] >= sum(excluded.values()) + len(candidates)


async def test_settlement_calendar_2026(gql: Query) -> None:
    dates = await gql("{ settlementCalendar(year: 2026) { settlementDate publicationDate } }")
    calendar = dates["data"]["settlementCalendar"]
    assert len(calendar) == 24
    assert {"settlementDate": "2026-07-15", "publicationDate": "2026-07-24"} in calendar
    assert {"settlementDate": "2026-07-31", "publicationDate": "2026-08-11"} in calendar
    assert {"settlementDate": "2026-02-13", "publicationDate": "2026-02-25"} in calendar


async def test_fifty_securities_with_their_latest_short_interest_take_two_round_trips(
    sample_client: httpx.AsyncClient,
) -> None:
    query = """{ securities(index: "R2000", first: 50) { nodes { symbol
        latestShortInterest { shortInterest shortPercentOfFloat shortValueUsd } } } }"""
    response = await sample_client.post("/graphql", json={"query": query})
    assert len(response.json()["data"]["securities"]["nodes"]) == 50
    # The page, then the 50 latest versions with their share counts and closes in one query.
    assert 'desc="2 queries"' in response.headers["server-timing"]
