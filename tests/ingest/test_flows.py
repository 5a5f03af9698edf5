"""Fund flows derived from share counts, on the real shares-outstanding file: share counts dated on
weekends and NYSE holidays are never "the previous trading day"."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date

import httpx

from service.analytics import calendar
from tests.analytics import reference
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest

SHARES = "etf/shares_outstanding_2025_2026.csv"


def _counts() -> dict[str, dict[date, tuple[int, float | None]]]:
    """Each fund's (shares, NAV) by day, read from the file independently of the ingest."""
    by_fund: dict[str, dict[date, tuple[int, float | None]]] = defaultdict(dict)
    with shared_file(SHARES).open() as handle:
        for row in csv.DictReader(handle):
            nav = float(row["price"]) if row["price"] else None
            by_fund[row["ticker"]][date.fromisoformat(row["date"])] = (int(row["shares"]), nav)
    return by_fund


async def _daily(client: httpx.AsyncClient, fund: str) -> dict[str, float]:
    response = await client.get(f"/v1/funds/{fund}/flows", params={"period": "day"})
    assert response.status_code == 200, response.text
    return {item["period_start"]: item["flow_usd"] for item in response.json()["data"]}


async def test_a_saturday_share_count_is_not_the_previous_trading_day(
    ingest: Ingest, client: httpx.AsyncClient
) -> None:
    outcome = await ingest(shared_file(SHARES), "fund-flows")
    off_days = sum(not calendar.is_trading_day(day) for days in _counts().values() for day in days)
    assert off_days == 100  # weekends, and Good Fridays 2025-04-18 and 2026-04-03
    assert outcome.summary["non_trading_share_counts"] == off_days

    pslv = await _daily(client, "PSLV")
    # Friday 2025-11-14: 580,894,213; Saturday 2025-11-15: 599,296,719; Monday: 580,894,213.
    assert pslv["2025-11-17"] == 0.0
    assert "2025-11-15" not in pslv  # no flow on a day without a session


async def test_every_derived_flow_uses_the_previous_trading_days_count(
    ingest: Ingest, client: httpx.AsyncClient
) -> None:
    await ingest(shared_file(SHARES), "fund-flows")
    for fund, days in _counts().items():
        expected = {}
        for day, (shares, nav) in days.items():
            previous = days.get(calendar.previous_trading_day(day))
            if calendar.is_trading_day(day) and nav is not None and previous is not None:
                expected[day.isoformat()] = reference.usd((shares - previous[0]) * nav)
        assert await _daily(client, fund) == expected, fund
