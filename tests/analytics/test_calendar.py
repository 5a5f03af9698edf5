"""The NYSE calendar and FINRA's schedule."""

from __future__ import annotations

from datetime import date

import pytest

from service.analytics import calendar


def test_2026_settlement_calendar() -> None:
    dates = calendar.settlement_calendar(2026)
    assert len(dates) == 24
    assert dates[0] == (date(2026, 1, 15), date(2026, 1, 27))
    # 15th falling on a weekend or holiday: the trading day before.
    assert (date(2026, 2, 13), date(2026, 2, 25)) in dates  # Feb 15 is a Sunday
    assert (date(2026, 3, 13), date(2026, 3, 24)) in dates
    # Month ends: the last trading day.
    assert (date(2026, 1, 30), date(2026, 2, 10)) in dates
    assert (date(2026, 7, 31), date(2026, 8, 11)) in dates
    assert (date(2026, 12, 31), date(2027, 1, 12)) in dates


@pytest.mark.parametrize(
    ("settlement", "published"),
    [
        (date(2026, 7, 15), date(2026, 7, 24)),
        (date(2026, 7, 31), date(2026, 8, 11)),
        (date(2024, 12, 31), date(2025, 1, 13)),
    ],  # skips New Year's Day and 2025-01-09
)
def test_publication_is_the_seventh_trading_day_after(settlement: date, published: date) -> None:
    assert calendar.publication_date(settlement) == published


def test_price_window_reaches_five_trading_days_back() -> None:
    assert calendar.price_window_start(date(2026, 7, 31)) == date(2026, 7, 24)
    # July 3 2026 was a holiday: five trading days before July 8 is June 30.
    assert calendar.price_window_start(date(2026, 7, 8)) == date(2026, 6, 30)
    # A weekend counts from the Friday before.
    assert calendar.price_window_start(date(2026, 8, 2)) == date(2026, 7, 24)


def test_previous_settlement_crosses_years() -> None:
    assert calendar.previous_settlement_date(date(2026, 1, 15)) == date(2025, 12, 31)
    assert calendar.settlement_date_on_or_before(date(2026, 7, 20)) == date(2026, 7, 15)
