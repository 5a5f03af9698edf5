"""`shortflow sync --source ishares` against a local server holding the real iShares files at
iShares' paths (../shared/data/ishares: IWM's holdings of 2025-11-05 and its fund download).

The fund download is two excerpts copied by hand from the real file (its opening, and the
`Historical` worksheet with 37 rows, 2025-11-03 .. 2025-12-24); `fund_workbook` joins them into a
whole workbook by closing the open `Holdings` worksheet and the workbook. Expected numbers are read
from the excerpt and the CSV here, with a regular expression and the csv module, not with the
code under test."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Servers, app_client, make_settings, shared_file
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import shortflow

PRODUCT = "/us/products/239710/ishares-russell-2000-etf"
HOLDINGS = (
    f"{PRODUCT}/1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund&asOfDate={{}}"
)
FUND = (
    f"{PRODUCT}/1521942788811.ajax?fileType=xls&fileName=iShares-Russell-2000-ETF_fund"
    "&dataType=fund"
)
WINDOW = ("--since", "2025-11-05", "--until", "2025-11-05", "--source", "ishares")
HISTORY_ROW = re.compile(
    r'String">(\w{3} \d{2}, \d{4})</ss:Data>\s*</ss:Cell>\s*<ss:Cell[^>]*>\s*'
    r'<ss:Data ss:Type="Number">([\d.]+)</ss:Data>\s*</ss:Cell>\s*<ss:Cell[^>]*>\s*'
    r"<ss:Data[^>]*>[^<]*</ss:Data>\s*</ss:Cell>\s*<ss:Cell[^>]*>\s*"
    r'<ss:Data ss:Type="Number">(\d+)</ss:Data>'
)


def fund_workbook() -> bytes:
    head = shared_file("ishares/IWM_fund_xls_head_excerpt.xml").read_bytes()
    historical = shared_file("ishares/IWM_fund_xls_historical_excerpt.xml").read_bytes()
    return (
        head + b"\n</ss:Table>\n</ss:Worksheet>\n" + historical + b"\n</ss:Table>\n</ss:Worksheet>"
        b"\n</ss:Workbook>\n"
    )


def history(workbook: bytes) -> dict[date, tuple[float, int]]:
    """{day: (NAV, shares outstanding)} of the Historical rows, read with a regex."""
    text = workbook.decode("utf-8-sig")
    start = text.index('ss:Name="Historical"')
    return {
        datetime.strptime(day, "%b %d, %Y").date(): (float(nav), int(shares))
        for day, nav, shares in HISTORY_ROW.findall(text, start)
    }


def expected_daily(rows: dict[date, tuple[float, int]]) -> dict[date, float]:
    """(shares_t - shares_t-1) x NAV_t for each day whose previous session has a row."""
    days = sorted(rows)
    return {
        day: round((rows[day][1] - rows[before][1]) * rows[day][0], 2)
        for before, day in pairwise(days)
    }


def serve(script: Script, workbook: bytes) -> None:
    holdings = shared_file("ishares/IWM_holdings_2025-11-05.csv").read_bytes()
    script.on(HOLDINGS.format("20251105"), Answer(body=holdings))
    script.on(FUND, Answer(body=workbook, headers={"Content-Type": "application/vnd.ms-excel"}))


def sync(
    database_url: str, base: str, home: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> Any:
    monkeypatch.setenv("SHORTFLOW_ISHARES_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_ISHARES_SYNC_FUNDS", "IWM")
    return shortflow(database_url, base, home, "sync", *WINDOW, *args)


async def graphql(database_url: str, servers: Servers, prefix: str, query: str) -> Any:
    settings = make_settings(database_url, servers.redis_url, prefix)
    async with app_client(settings) as client:
        response = await client.post("/graphql", json={"query": query})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


FLOWS = """{ security(symbol: "IWM") {
    day: fundFlows(from: "2025-11-01", to: "2025-12-31", period: DAY) {
        periodEnd flowUsd sharesOutstanding nav source }
    week: fundFlows(from: "2025-11-01", to: "2025-12-31", period: WEEK) {
        periodStart periodEnd flowUsd daysReported isRecordInflow isRecordOutflow source }
    month: fundFlows(from: "2025-11-01", to: "2025-12-31", period: MONTH) {
        periodEnd flowUsd daysReported isRecordInflow isRecordOutflow complete } } }"""


async def test_iwm_flows_members_and_prices_from_the_real_files(
    database_url: str,
    host: tuple[str, Script],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: Servers,
    redis_prefix: str,
) -> None:
    base, script = host
    workbook = fund_workbook()
    serve(script, workbook)
    result = sync(database_url, base, tmp_path, monkeypatch)
    assert result.returncode == 0, result.stdout
    assert sorted(script.paths()) == sorted([FUND, HOLDINGS.format("20251105")])
    assert "sync: 2 files ingested, 0 failed" in result.stdout

    rows = history(workbook)
    assert len(rows) == 37  # the excerpt's rows, 2025-11-03 .. 2025-12-24
    daily = expected_daily(rows)
    data = await graphql(database_url, servers, redis_prefix, FLOWS)
    served = {date.fromisoformat(d["periodEnd"]): d for d in data["security"]["day"]}
    assert {day: d["flowUsd"] for day, d in served.items()} == pytest.approx(daily, abs=0.01)
    assert date(2025, 11, 3) not in served  # the first row: no previous count, no flow
    # Dec 17: 307,800,000 - 303,100,000 shares at a NAV of 247.103983.
    assert served[date(2025, 12, 17)]["flowUsd"] == pytest.approx(1_161_388_720.10, abs=0.01)
    assert served[date(2025, 12, 24)]["sharesOutstanding"] == 304_650_000
    assert served[date(2025, 12, 24)]["nav"] == 252.645908
    assert {d["source"] for d in served.values()} == {"DERIVED"}

    weeks = data["security"]["week"]
    best, worst = float("-inf"), float("inf")
    for week in weeks:
        start, end = date.fromisoformat(week["periodStart"]), date.fromisoformat(week["periodEnd"])
        days = [flow for day, flow in daily.items() if start <= day <= end]
        assert week["flowUsd"] == pytest.approx(sum(days), abs=0.05)
        assert week["daysReported"] == len(days)
        first = best == float("-inf")
        assert week["isRecordInflow"] == (not first and week["flowUsd"] > max(best, 0))
        assert week["isRecordOutflow"] == (not first and week["flowUsd"] < min(worst, 0))
        best, worst = max(best, week["flowUsd"]), min(worst, week["flowUsd"])
    assert [w["periodEnd"] for w in weeks][:2] == ["2025-11-07", "2025-11-14"]
    assert weeks[0]["daysReported"] == 4  # Nov 3 has no flow: nothing before it
    assert any(w["isRecordInflow"] for w in weeks)

    november, december = data["security"]["month"]
    for month, served_month in ((11, november), (12, december)):
        days = [flow for day, flow in daily.items() if day.month == month]
        assert served_month["flowUsd"] == pytest.approx(sum(days), abs=0.05)
        assert served_month["daysReported"] == len(days)
    assert (november["periodEnd"], november["complete"]) == ("2025-11-28", True)
    assert (december["periodEnd"], december["complete"]) == ("2025-12-31", False)  # to Dec 24
    assert not november["isRecordInflow"]  # the first month: nothing earlier to beat
    assert december["isRecordInflow"] == (december["flowUsd"] > max(november["flowUsd"], 0))

    settings = make_settings(database_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        rest = await client.get("/v1/funds/IWM/flows?from=2025-12-17&to=2025-12-17")
    assert rest.status_code == 200, rest.text
    [flow] = rest.json()["data"]
    assert (flow["flow_usd"], flow["source"]) == (served[date(2025, 12, 17)]["flowUsd"], "derived")

    counts = await graphql(
        database_url,
        servers,
        redis_prefix,
        """{ security(symbol: "IWM") { type
            dec10: sharesOutstanding(asOf: "2025-12-10")
            dec13: sharesOutstanding(asOf: "2025-12-13")
            nov02: sharesOutstanding(asOf: "2025-11-02") } }""",
    )
    # The issuer's count of each day is known from that day: a Saturday sees Friday's.
    assert counts["security"] == {
        "type": "ETF",
        "dec10": rows[date(2025, 12, 10)][1],
        "dec13": rows[date(2025, 12, 12)][1],
        "nov02": None,
    }

    equities = equity_rows(shared_file("ishares/IWM_holdings_2025-11-05.csv"))
    members = await graphql(
        database_url,
        servers,
        redis_prefix,
        """{ index(code: "R2000") {
            on: constituents(asOf: "2025-11-05", first: 1) { totalCount }
            before: constituents(asOf: "2025-11-04", first: 1) { totalCount }
            trackingFunds { symbol } }
          security(symbol: "BE") {
            prices(from: "2025-11-05", to: "2025-11-05") { date close } } }""",
    )
    index = members["index"]
    assert index["on"]["totalCount"] == len(equities) == 1956
    assert index["before"]["totalCount"] == 0  # holdings are known from their as-of date
    assert index["trackingFunds"] == [{"symbol": "IWM"}]
    assert members["security"]["prices"] == [{"date": "2025-11-05", "close": 141.41}]


def equity_rows(path: Path) -> list[list[str]]:
    """The CSV's listed equity holdings (6 equity lines are on "NO MARKET (E.G. UNLISTED)":
    CVRs and warrants, three with ticker "-", two both "ADRO")."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = next(i for i, row in enumerate(rows) if row[:1] == ["Ticker"])
    return [
        row
        for row in rows[header + 1 :]
        if len(row) > 10 and row[3] == "Equity" and not row[10].startswith("NO MARKET")
    ]


def without_day(workbook: bytes, day: str, copy_from: str | None = None) -> bytes:
    """The workbook with the Historical row of `day` removed, or given the values of the row of
    `copy_from` (the issuer's file republished unchanged for a day)."""
    text = workbook.decode("utf-8-sig")
    rows = re.findall(r"<ss:Row>(?:(?!</ss:Row>).)*</ss:Row>\n?", text, re.S)
    target = next(r for r in rows if f'String">{day}</ss:Data>' in r)
    if copy_from is None:
        return text.replace(target, "").encode()
    source = next(r for r in rows if f'String">{copy_from}</ss:Data>' in r)
    return text.replace(target, source.replace(copy_from, day)).encode()


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("a day without a row", {"copy_from": None}),
        ("a day repeating the day before", {"copy_from": "Dec 09, 2025"}),
    ],
)
async def test_a_day_the_issuer_did_not_publish_is_no_flow_not_a_zero(
    case: str,
    change: dict[str, str | None],
    database_url: str,
    host: tuple[str, Script],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: Servers,
    redis_prefix: str,
) -> None:
    """Built from the real workbook with the row of 2025-12-10 removed, or carrying Dec 9's count
    and NAV: neither Dec 10 nor Dec 11 (whose change spans two sessions) has a flow, the week
    says it holds 3 days of 5, and the other days keep their flows."""
    base, script = host
    workbook = without_day(fund_workbook(), "Dec 10, 2025", **change)
    script.on(FUND, Answer(body=workbook))
    result = sync(database_url, base, tmp_path, monkeypatch)
    assert result.returncode == 0, result.stdout
    data = await graphql(database_url, servers, redis_prefix, FLOWS)
    served = {d["periodEnd"]: d["flowUsd"] for d in data["security"]["day"]}
    assert "2025-12-10" not in served, case
    assert "2025-12-11" not in served, case
    daily = expected_daily(history(fund_workbook()))
    assert served["2025-12-12"] == pytest.approx(daily[date(2025, 12, 12)], abs=0.01)
    week = next(w for w in data["security"]["week"] if w["periodEnd"] == "2025-12-12")
    assert week["daysReported"] == 3
    assert week["flowUsd"] == pytest.approx(
        sum(daily[date(2025, 12, d)] for d in (8, 9, 12)), abs=0.05
    )


def test_a_fund_that_is_not_configured_is_a_clear_error(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_ISHARES_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_ISHARES_SYNC_FUNDS", "IWM,SPY")
    result = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert result.returncode == 2, result.stdout
    message = " ".join(result.stdout.split())
    assert "SHORTFLOW_ISHARES_SYNC_FUNDS: SPY not configured: describe it in " in message
    assert "SHORTFLOW_ISHARES_FUNDS (product id, slug, fund file, index" in message
    assert "SPDR funds: SHORTFLOW_SPDR_SYNC_FUNDS; other issuers: not supported yet" in message
    assert "Traceback" not in result.stdout
    assert script.requests == []


def test_a_configured_fund_is_fetched_at_its_own_paths(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_ISHARES_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_ISHARES_SYNC_FUNDS", "IWB")
    monkeypatch.setenv(
        "SHORTFLOW_ISHARES_FUNDS",
        '{"IWB": {"product_id": 239707, "slug": "ishares-russell-1000-etf",'
        ' "fund_file": "iShares-Russell-1000-ETF", "index": "R1000"}}',
    )
    args = ("--since", "2025-11-10", "--until", "2025-11-14", "--source", "ishares")
    result = shortflow(database_url, base, tmp_path, "sync", "--dry-run", *args)
    assert result.returncode == 0, result.stdout
    product = f"{base}/us/products/239707/ishares-russell-1000-etf"
    assert "ishares: 2 to fetch" in result.stdout
    assert (
        f"2025-11-14 IWB history  {product}/1521942788811.ajax?fileType=xls"
        "&fileName=iShares-Russell-1000-ETF_fund&dataType=fund"
    ) in result.stdout
    # 2025-11-14 is a FINRA settlement date and the window's last trading day: one file.
    assert (
        f"2025-11-14 IWB holdings  {product}/1467271812596.ajax?fileType=csv"
        "&fileName=IWB_holdings&dataType=fund&asOfDate=20251114"
    ) in result.stdout
    assert script.requests == []
