"""FINRA bi-monthly short interest as a `shortflow sync` source.

FINRA's CDN (`SHORTFLOW_FINRA_BASE_URL`, default https://cdn.finra.org) answers 403 for a file
that does not exist (yet). Whole-market files: `/equity/otcmarket/biweekly/shrt{YYYYMMDD}.csv`,
one per settlement date, published on the 7th trading day after it. The default backfill starts at
the 2021-06-15 cycle, the first that covers exchange-listed securities; FINRA's archive goes back
to 2014 (OTC securities only, and before 2019 in other column names, which the parser refuses
loudly): ask for it with `--since`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.analytics import calendar
from service.db.pool import Database
from service.settings import Settings
from service.sync.download import Politeness
from service.sync.plan import Item, Window

FINRA_POLITENESS_RPS = 4.0
"""FINRA publishes no request limit for its CDN; four files a second is a gentle pace."""


FINRA_EVENING = "30 18 * * 1-5"
"""Weekdays at 6:30 pm ET: Reg SHO files are posted by 6 pm ET each trading day, and short
interest after the close of its publication day (a weekday that is not one asks for nothing)."""


class FinraCdn:
    """What both FINRA series share: the host, its base URL setting, its pace and schedule."""

    schedule: str = FINRA_EVENING

    def base_url(self, settings: Settings) -> str:
        return settings.finra_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or FINRA_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
        )


@dataclass(frozen=True)
class FinraShortInterest(FinraCdn):
    name: str = "finra-short-interest"
    feeds: str = "short interest of every US security, twice a month (FINRA Rule 4560)"

    def earliest(self) -> date:
        return date(2021, 6, 15)

    def default_since(self, today: date) -> date:
        return self.earliest()

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        out: list[Item] = []
        for year in range(window.since.year, window.until.year + 1):
            for day in calendar.settlement_dates(year):
                if window.since <= day <= window.until:
                    name = f"shrt{day:%Y%m%d}.csv"
                    out.append(
                        Item(
                            key=day.isoformat(),
                            url=f"{base}/equity/otcmarket/biweekly/{name}",
                            relative=name,
                            kind="short-interest",
                            published=calendar.publication_date(day),
                        )
                    )
        return out
