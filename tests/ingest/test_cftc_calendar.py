"""CFTC's release calendar: when a report of positions becomes known (point in time)."""

from __future__ import annotations

from datetime import date

import pytest

from service.sources.cftc.contracts import latest_report, multiplier_of, release_date


@pytest.mark.parametrize(
    ("report", "released"),
    [
        (date(2026, 9, 29), date(2026, 10, 2)),  # the sample week: Tuesday -> Friday
        (date(2018, 12, 24), date(2018, 12, 28)),  # a Monday report (Christmas on Tuesday)
        (date(2020, 6, 30), date(2020, 7, 6)),  # Friday 2020-07-03 is Independence Day observed
        (date(2026, 11, 24), date(2026, 11, 30)),  # the Friday after Thanksgiving -> Monday
    ],
)
def test_a_report_is_released_on_the_friday_or_the_next_business_day(
    report: date, released: date
) -> None:
    assert release_date(report) == released


def test_the_latest_report_is_the_newest_released_by_then() -> None:
    assert latest_report(date(2026, 10, 1)) == date(2026, 9, 22)  # 09-29 is out on 10-02
    assert latest_report(date(2026, 10, 2)) == date(2026, 9, 29)


@pytest.mark.parametrize(
    ("units", "dollars"),
    [
        ("(RUSSEL 2000 INDEX X $50)", "50"),
        ("(RUSSEL 2000 INDEX X $0.5)", "0.5"),
        ("($50 X S&P 500 INDEX)", "50"),
        ("(NASDAQ 100 STOCK INDEX X $20)", "20"),
        ("(CONTRACTS OF CAD 100,000)", None),
        ("($50 X INDEX, $5 MICRO)", None),  # two amounts: ambiguous, not guessed
    ],
)
def test_the_multiplier_is_the_one_dollar_amount_of_the_units_text(
    units: str, dollars: str | None
) -> None:
    found = multiplier_of(units)
    assert (None if found is None else str(found)) == dollars
