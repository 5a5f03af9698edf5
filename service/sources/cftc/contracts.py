"""The index futures Shortflow reads from CFTC's reports, and when CFTC releases a report.

Contracts are mapped to indexes by their CFTC contract market code, never by name: the same
Russell 2000 E-mini was `E-MINI RUSSELL 2000 INDEX` in 2017-2018 and is `RUSSELL E-MINI` now.
The multiplier (dollars per index point) is part of the mapping and is checked against the
file's contract-units text, so a contract whose terms changed fails loudly instead of being
turned into dollars at the old rate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import holidays


@dataclass(frozen=True)
class Contract:
    code: str
    index: str
    multiplier: Decimal
    """US dollars per index point."""
    emini_multiplier: Decimal
    """The multiplier of the index's E-mini, which contract counts are summed in."""

    @property
    def emini_equivalent(self) -> Decimal:
        """How many of the index's E-mini contracts one contract is (1, or 0.01 for a micro)."""
        return self.multiplier / self.emini_multiplier


CONTRACTS: dict[str, Contract] = {
    c.code: c
    for c in (
        # Russell 2000: CME E-mini and Micro E-mini (in the 2017, 2018 and 2026 samples), and
        # ICE's mini, where the contract traded until its move to CME in 2017 (2017-2018 samples).
        Contract("239742", "R2000", Decimal(50), Decimal(50)),
        Contract("239747", "R2000", Decimal("0.5"), Decimal(50)),
        Contract("23977A", "R2000", Decimal(50), Decimal(50)),
        # S&P 500: E-mini (2026 sample); Micro E-mini 13874U (in no sample we hold).
        Contract("13874A", "SP500", Decimal(50), Decimal(50)),
        Contract("13874U", "SP500", Decimal(5), Decimal(50)),
        # Nasdaq-100: E-mini (2026 sample); Micro E-mini 209747 (in no sample we hold).
        Contract("209742", "NDX", Decimal(20), Decimal(20)),
        Contract("209747", "NDX", Decimal(2), Decimal(20)),
    )
}
"""Every contract kept; the reports' other contracts (currencies, rates, the S&P 500
"consolidated" line 13874+, which adds the E-mini to the standard contract) are skipped."""

_DOLLARS = re.compile(r"\$\s*([0-9]+(?:\.[0-9]+)?)")


def multiplier_of(units: str) -> Decimal | None:
    """The dollar amount in a contract-units text ("(RUSSEL 2000 INDEX X $50)" -> 50), or None
    when it does not name exactly one."""
    amounts = _DOLLARS.findall(units)
    return Decimal(amounts[0]) if len(amounts) == 1 else None


# -- release calendar -------------------------------------------------------------------------


@functools.cache
def _closed(year: int) -> frozenset[date]:
    """Days CFTC does not release on: federal holidays as observed, and the Friday after
    Thanksgiving (CFTC's release schedules move that week's report to the Monday after)."""
    federal = holidays.country_holidays("US", years=year)
    fridays = {day + timedelta(days=1) for day, name in federal.items() if "Thanksgiving" in name}
    return frozenset(federal.keys() | fridays)


def release_date(report: date) -> date:
    """When CFTC published the report of `report` (positions as of that Tuesday, or the Monday
    of a holiday week): the Friday of that week at 3:30 pm ET, or the next business day when
    that Friday is a federal holiday. Government shutdowns delayed releases further (December
    2018 to January 2019, October to November 2025); those weeks are not modelled here."""
    day = report + timedelta(days=(4 - report.weekday()) % 7 or 7)
    while day.weekday() >= 5 or day in _closed(day.year):
        day += timedelta(days=1)
    return day


def latest_report(on: date) -> date:
    """The newest report date whose report is released on or before `on` (by release_date)."""
    tuesday = on - timedelta(days=(on.weekday() - 1) % 7)
    while release_date(tuesday) > on:
        tuesday -= timedelta(days=7)
    return tuesday
