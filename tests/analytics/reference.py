"""A plain reference implementation of the metric definitions (PRODUCT.md section 2).

Written straight from the product page, independently of the SQL functions the service uses
(migrations 0010 and 0013); tests/analytics/test_metrics.py checks those against these.

Served figures are rounded (docs/rest.md "Numbers"): US dollars to cents, percentages to 4
decimals, days to cover to 2; half away from zero, on the double's value to 15 significant digits
(the precision a double carries).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def rounded(value: float, decimals: int) -> float:
    exact = Decimal(f"{value:.15g}")
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def usd(value: float) -> float:
    return rounded(value, 2)


def percent(value: float) -> float:
    return rounded(value, 4)


def change(current: int, previous: int | None) -> int | None:
    return None if previous is None else current - previous


def change_percent(current: int, previous: int | None) -> float | None:
    """(current - previous) / previous x 100, rounded to 2 decimals (half away from zero)."""
    if previous is None or previous == 0:
        return None
    exact = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def days_to_cover(reported: float | None, average_daily_volume: int | None) -> float | None:
    """FINRA's figure; 999.99 is the zero-volume sentinel (None) or, with volume, the cap."""
    if reported is None or average_daily_volume == 0:
        return None
    if reported >= 999.99:
        return None if average_daily_volume is None else 999.99
    return rounded(reported, 2)


def percent_of(part: int, whole: int | None) -> float | None:
    return None if not whole else percent(part / whole * 100)


def short_value_usd(short: int, close: float | None) -> float | None:
    return None if close is None else usd(short * close)


def short_volume_ratio(short: float, total: float) -> float | None:
    return None if total <= 0 else percent(short / total * 100)


def price_change_percent(earlier: float | None, later: float | None) -> float | None:
    if earlier is None or earlier <= 0 or later is None:
        return None
    return percent((later / earlier - 1) * 100)


def flags(
    change_percent_value: float | None,
    average_daily_volume: int | None,
    days_to_cover_reported: float | None,
    short_interest: int,
    float_value: int | None,
    float_as_of: date | None,
    settlement_date: date,
    split: bool,
    revised: bool,
) -> list[str]:
    found = []
    if change_percent_value is not None and abs(change_percent_value) >= 90:
        found.append("EXTREME_CHANGE")
    at_sentinel = days_to_cover_reported is not None and days_to_cover_reported >= 999.99
    if average_daily_volume == 0 or (average_daily_volume is None and at_sentinel):
        found.append("DAYS_TO_COVER_UNDEFINED")
    if average_daily_volume is not None and average_daily_volume > 0 and at_sentinel:
        found.append("DAYS_TO_COVER_CAPPED")
    if float_value is not None and short_interest > float_value:
        found.append("EXCEEDS_FLOAT")
    if split:
        found.append("SPLIT")
    if revised:
        found.append("REVISED")
    if float_as_of is not None and (settlement_date - float_as_of).days > 180:
        found.append("STALE_FLOAT")
    return found
