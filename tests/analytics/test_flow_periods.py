"""Flow periods that have not ended, and records that need something earlier to beat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest

from service.analytics import ReadServices
from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from service.models import Security
from tests.conftest import DatabaseFactory

TODAY = date(2026, 12, 1)  # a Tuesday: the week ending Friday 2026-12-04 has 2 of its 5 days
FLOWS = {  # AAA's daily flows, USD (2026-11-26 is Thanksgiving: the NYSE is closed)
    date(2026, 11, 16): 10.0,
    date(2026, 11, 20): 5.0,
    date(2026, 11, 23): 100.0,
    date(2026, 11, 24): 50.0,
    date(2026, 11, 27): 25.0,
    date(2026, 11, 30): 900.0,
    date(2026, 12, 1): 800.0,
}
OTHER = {date(2026, 11, 23): 40.0, date(2026, 11, 24): 1.0, date(2026, 12, 1): 5000.0}


@pytest.fixture(scope="module")
def flows_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = db_factory.create()
    path = write_csv(
        tmp_path_factory.mktemp("flows") / "flows.csv",
        ["date", "symbol", "flow_usd"],
        [[day, "AAA", flow] for day, flow in FLOWS.items()]
        + [[day, "BBB", flow] for day, flow in OTHER.items()],
    )

    async def load() -> None:
        db = Database(url, min_size=1, max_size=2)
        await db.open()
        try:
            outcome = await ingest_file(db, path, "fund-flows", IngestOptions())
            assert outcome.status == "applied", outcome.error
        finally:
            await db.close()

    asyncio.run(load())
    return url


@pytest.fixture
async def analytics(flows_url: str) -> AsyncIterator[ReadServices]:
    db = Database(flows_url, min_size=1, max_size=2)
    await db.open()
    try:
        yield ReadServices.over(db)
    finally:
        await db.close()


async def _fund(analytics: ReadServices, symbol: str) -> Security:
    found = await analytics.securities.by_symbol(symbol)
    assert found is not None
    return found


async def test_a_week_that_has_not_ended_says_so(analytics: ReadServices) -> None:
    weeks = await analytics.flows.flows(await _fund(analytics, "AAA"), "week", None, None, TODAY)
    summary = [
        (w.period_end, w.flow_usd, w.days_reported, w.trading_days, w.complete) for w in weeks
    ]
    assert summary == [
        (date(2026, 11, 20), 15.0, 2, 5, True),
        (date(2026, 11, 27), 175.0, 3, 4, True),  # Thanksgiving week: 4 trading days
        (date(2026, 12, 4), 1700.0, 2, 5, False),  # read on its Tuesday
    ]


async def test_a_month_is_complete_when_its_last_trading_day_is_reported(
    analytics: ReadServices,
) -> None:
    months = await analytics.flows.flows(await _fund(analytics, "AAA"), "month", None, None, TODAY)
    assert [(m.period_end, m.complete) for m in months] == [
        (date(2026, 11, 30), True),
        (date(2026, 12, 31), False),
    ]
    # Read on 2026-11-27, November was not over yet, whatever the data holds.
    earlier = await analytics.flows.flows(
        await _fund(analytics, "AAA"), "month", None, None, date(2026, 11, 27)
    )
    assert [m.complete for m in earlier] == [False, False]


async def test_leaders_default_to_the_last_complete_period(analytics: ReadServices) -> None:
    leaders = await analytics.flows.leaders("week", "inflow", None, 10, TODAY)
    assert [(f.symbol, f.period_end, f.flow_usd) for f in leaders] == [
        ("AAA", date(2026, 11, 27), 175.0),
        ("BBB", date(2026, 11, 27), 41.0),
    ]
    assert all(f.complete for f in leaders)
    # Asked for by date, the running week is answered, and says it is not over.
    running = await analytics.flows.leaders("week", "inflow", TODAY, 10, TODAY)
    assert [(f.symbol, f.flow_usd, f.complete) for f in running] == [
        ("BBB", 5000.0, False),
        ("AAA", 1700.0, False),
    ]
    months = await analytics.flows.leaders("month", "inflow", None, 10, TODAY)
    assert {f.period_end for f in months} == {date(2026, 11, 30)}


async def test_a_funds_first_period_is_not_a_record(analytics: ReadServices) -> None:
    aaa = await _fund(analytics, "AAA")
    days = await analytics.flows.flows(aaa, "day", None, None, TODAY)
    assert [d.is_record_inflow for d in days] == [False, False, True, False, False, True, False]
    weeks = await analytics.flows.flows(aaa, "week", None, None, TODAY)
    assert [w.is_record_inflow for w in weeks] == [False, True, True]
    bbb = await analytics.flows.flows(await _fund(analytics, "BBB"), "week", None, None, TODAY)
    assert [w.is_record_inflow for w in bbb] == [False, True]
    records = await analytics.flows.records(aaa, "week", TODAY)
    assert records.largest_inflow is not None
    assert records.largest_inflow.period_end == date(2026, 12, 4)
