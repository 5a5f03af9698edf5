"""The NYSE trading calendar and FINRA's short-interest schedule.

Holidays (including one-off closures such as national days of mourning) come from the NYSE
calendar of the `holidays` library; this module only adds the rules of the FINRA schedule:

- settlement dates: the 15th of each month, or the trading day before when the 15th is not one,
  and the last trading day of each month;
- publication: FINRA publishes a settlement date's data on the 7th trading day after it
  (2026-07-15 -> 2026-07-24, 2026-07-31 -> 2026-08-11).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from datetime import date, timedelta

import holidays

EARLIEST = date(1900, 1, 1)
LATEST = date(9999, 12, 31)
"""Open ends of a date range (`from`/`to` omitted), as dates the queries can compare with."""

PUBLICATION_LAG_TRADING_DAYS = 7
PRICE_LOOKBACK_TRADING_DAYS = 5
"""Short value uses the last close on or before the settlement date, at most this many trading
days back (PRODUCT.md section 2)."""
FIRST_YEAR = 1980
"""Years before this are not served by the calendar (no FINRA data exists that far back)."""
LAST_YEAR = 2100
"""The last year the settlement calendar is served for (both APIs)."""


@functools.cache
def _closures(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("NYSE", years=year).keys())


def is_trading_day(day: date) -> bool:
    """True when the NYSE holds a regular session on `day`."""
    return day.weekday() < 5 and day not in _closures(day.year)


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_trading_day(day):
        day -= timedelta(days=1)
    return day


def next_trading_day(day: date) -> date:
    """The first trading day strictly after `day`."""
    day += timedelta(days=1)
    while not is_trading_day(day):
        day += timedelta(days=1)
    return day


def trading_day_on_or_before(day: date) -> date:
    return day if is_trading_day(day) else previous_trading_day(day)


def price_window_start(day: date) -> date:
    """The earliest day whose close may value a position on `day` (5 trading days back)."""
    return add_trading_days(trading_day_on_or_before(day), -PRICE_LOOKBACK_TRADING_DAYS)


def add_trading_days(day: date, count: int) -> date:
    """The trading day `count` sessions after (count > 0) or before (count < 0) `day`."""
    step = next_trading_day if count >= 0 else previous_trading_day
    for _ in range(abs(count)):
        day = step(day)
    return day


def trading_days(start: date, end: date) -> Iterator[date]:
    """Trading days in [start, end]."""
    day = start
    while day <= end:
        if is_trading_day(day):
            yield day
        day += timedelta(days=1)


def _last_trading_day_of_month(year: int, month: int) -> date:
    first_of_next = date(year + (month == 12), month % 12 + 1, 1)
    return previous_trading_day(first_of_next)


@functools.cache
def settlement_dates(year: int) -> tuple[date, ...]:
    """FINRA's 24 settlement dates of `year`, in order."""
    dates: list[date] = []
    for month in range(1, 13):
        dates.append(trading_day_on_or_before(date(year, month, 15)))
        dates.append(_last_trading_day_of_month(year, month))
    return tuple(dates)


@functools.cache
def publication_date(settlement: date) -> date:
    """The date FINRA publishes the short interest of `settlement` (7th trading day after)."""
    return add_trading_days(settlement, PUBLICATION_LAG_TRADING_DAYS)


def is_settlement_date(day: date) -> bool:
    return day in settlement_dates(day.year)


def previous_settlement_date(day: date) -> date:
    """The latest settlement date strictly before `day`."""
    for year in (day.year, day.year - 1):
        dates = settlement_dates(year)
        index = bisect.bisect_left(dates, day)
        if index > 0:
            return dates[index - 1]
    raise AssertionError("unreachable: every year has settlement dates")


def settlement_date_on_or_before(day: date) -> date:
    return day if is_settlement_date(day) else previous_settlement_date(day)


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Friday of the calendar week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=4)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    last = date(day.year + (day.month == 12), day.month % 12 + 1, 1) - timedelta(days=1)
    return first, last


def settlement_calendar(year: int) -> list[tuple[date, date]]:
    """(settlement date, publication date) pairs of `year`."""
    return [(day, publication_date(day)) for day in settlement_dates(year)]
