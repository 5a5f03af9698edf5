"""Fund flows by day, week and month, their records, and the leaders of a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from service.analytics import calendar
from service.db.repositories.flows import FlowRepository
from service.errors import BadRequest
from service.models import FlowRecords, FundFlow, Security

PERIODS = ("day", "week", "month")
DIRECTIONS = ("inflow", "outflow")


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise BadRequest(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The calendar span of the day, Mon-Fri week or month holding `day`."""
    if period == "week":
        return calendar.week_bounds(day)
    if period == "month":
        return calendar.month_bounds(day)
    return day, day


class FlowService:
    def __init__(self, repository: FlowRepository) -> None:
        self.repository = repository

    async def flows(
        self, fund: Security, period: str, start: date | None, end: date | None, today: date
    ) -> list[FundFlow]:
        """The fund's flows per period overlapping [start, end], oldest first."""
        _check_period(period)
        flows = await self.repository.periods([fund.id], period, today)
        return [
            flow
            for flow in flows
            if (start is None or flow.period_end >= start)
            and (end is None or flow.period_start <= end)
        ]

    async def records(self, fund: Security, period: str, today: date) -> FlowRecords:
        """The largest inflow and outflow period of the fund's history."""
        _check_period(period)
        flows = await self.repository.periods([fund.id], period, today)
        inflows = [f for f in flows if f.flow_usd > 0]
        outflows = [f for f in flows if f.flow_usd < 0]
        return FlowRecords(
            largest_inflow=max(inflows, key=lambda f: f.flow_usd, default=None),
            largest_outflow=min(outflows, key=lambda f: f.flow_usd, default=None),
        )

    async def leaders(
        self, period: str, direction: str, period_end: date | None, first: int, today: date
    ) -> list[FundFlow]:
        """Funds with the largest inflows (or outflows) in the period holding `period_end`
        (default: the newest complete period with data), largest first."""
        _check_period(period)
        if direction not in DIRECTIONS:
            raise BadRequest(f"direction must be inflow or outflow, not {direction!r}")
        day = period_end or await self._last_complete_day(period, today)
        if day is None:
            return []
        start, end = period_bounds(period, day)
        in_period = _within(await self.repository.periods(None, period, today, start), start, end)
        if direction == "inflow":
            chosen = sorted((f for f in in_period if f.flow_usd > 0), key=lambda f: -f.flow_usd)
        else:
            chosen = sorted((f for f in in_period if f.flow_usd < 0), key=lambda f: f.flow_usd)
        return chosen[:first]

    async def _last_complete_day(self, period: str, today: date) -> date | None:
        """A day of the newest period that is over (`complete`, flows.sql): its last trading
        day on or before both today and the newest flow date. A week read on its Tuesday has
        not ended; ranking it would rank 1 day of 5 against whole weeks."""
        latest = await self.repository.latest_date()
        if latest is None:
            return None
        known = min(latest, today)
        start, end = period_bounds(period, known)
        if period_last_trading_day(start, end) > known:
            return start - timedelta(days=1)  # a day of the period before
        return known


def period_last_trading_day(start: date, end: date) -> date:
    """The label of a period: its last NYSE trading day (its end when it has none)."""
    last = calendar.trading_day_on_or_before(end)
    return last if last >= start else end


def _within(flows: Iterable[FundFlow], start: date, end: date) -> list[FundFlow]:
    return [f for f in flows if start <= f.period_start and f.period_end <= end]
