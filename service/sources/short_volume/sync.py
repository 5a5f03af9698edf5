"""FINRA Reg SHO daily short volume as a `shortflow sync` source.

`/equity/regsho/daily/{F}shvol{YYYYMMDD}.txt` on FINRA's CDN, one per facility and trading day,
posted by 6 pm ET the same day. The consolidated file (CNMS) starts on 2018-08-01 and the Nasdaq
TRF Chicago file (FNQC) on 2018-09-10 (FINRA's daily short sale volume page). The default
backfill is the last year; a day whose file is not posted yet is retried next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.analytics import calendar
from service.db.pool import Database
from service.settings import Settings
from service.sources.short_interest.sync import FinraCdn
from service.sync.plan import Item, Window

FACILITIES: dict[str, date] = {
    "CNMS": date(2018, 8, 1),
    "FNQC": date(2018, 9, 10),
    "FNSQ": date(2018, 8, 1),
    "FNYX": date(2018, 8, 1),
    "FNRA": date(2018, 8, 1),
    "FORF": date(2018, 8, 1),
}
"""Reg SHO facility files and the first day each is fetched from (CNMS and FNQC: FINRA's stated
first dates; the others exist earlier, in a layout this parser reads since 2011, but are kept to
the same start so that every facility covers the same days)."""


@dataclass(frozen=True)
class FinraRegSho(FinraCdn):
    name: str = "finra-regsho"
    feeds: str = "daily short-sale volume per security and reporting facility (Reg SHO)"
    facilities: tuple[str, ...] = tuple(FACILITIES)

    def earliest(self) -> date:
        return min(FACILITIES[f] for f in self.facilities)

    def default_since(self, today: date) -> date:
        return max(self.earliest(), today - timedelta(days=365))

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        out: list[Item] = []
        for day in calendar.trading_days(window.since, window.until):
            for facility in self.facilities:
                if day < FACILITIES[facility]:
                    continue
                name = f"{facility}shvol{day:%Y%m%d}.txt"
                out.append(
                    Item(
                        key=f"{day.isoformat()} {facility}",
                        url=f"{base}/equity/regsho/daily/{name}",
                        relative=name,
                        kind="short-volume",
                        published=day,
                    )
                )
        return out
