"""FINRA's two file series as sync sources: bi-monthly short interest and Reg SHO daily volume.

Both live on FINRA's CDN (`SHORTFLOW_FINRA_BASE_URL`, default https://cdn.finra.org), which
answers 403 for a file that does not exist (yet).

- Short interest, whole market: `/equity/otcmarket/biweekly/shrt{YYYYMMDD}.csv`, one per
  settlement date, published on the 7th trading day after it. The default backfill starts at the
  2021-06-15 cycle, the first that covers exchange-listed securities; FINRA's archive goes back to
  2014 (OTC securities only, and before 2019 in other column names, which the parser refuses
  loudly): ask for it with `--since`.
- Reg SHO daily short volume: `/equity/regsho/daily/{F}shvol{YYYYMMDD}.txt`, one per facility and
  trading day, posted by 6 pm ET the same day. The consolidated file (CNMS) starts on 2018-08-01
  and the Nasdaq TRF Chicago file (FNQC) on 2018-09-10 (FINRA's daily short sale volume page).
  The default backfill is the last year; a day whose file is not posted yet is retried next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.analytics import calendar
from service.settings import Settings
from service.sync.download import Politeness
from service.sync.runner import Item, Window

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

FINRA_POLITENESS_RPS = 4.0
"""FINRA publishes no request limit for its CDN; four files a second is a gentle pace."""


class _FinraCdn:
    """What both FINRA series share: the host, its base URL setting and its pace."""

    def base_url(self, settings: Settings) -> str:
        return settings.finra_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or FINRA_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
        )


@dataclass(frozen=True)
class FinraShortInterest(_FinraCdn):
    name: str = "finra-short-interest"
    feeds: str = "short interest of every US security, twice a month (FINRA Rule 4560)"

    def earliest(self) -> date:
        return date(2021, 6, 15)

    def default_since(self, today: date) -> date:
        return self.earliest()

    def items(self, settings: Settings, window: Window) -> Sequence[Item]:
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


@dataclass(frozen=True)
class FinraRegSho(_FinraCdn):
    name: str = "finra-regsho"
    feeds: str = "daily short-sale volume per security and reporting facility (Reg SHO)"
    facilities: tuple[str, ...] = tuple(FACILITIES)

    def earliest(self) -> date:
        return min(FACILITIES[f] for f in self.facilities)

    def default_since(self, today: date) -> date:
        return max(self.earliest(), today - timedelta(days=365))

    def items(self, settings: Settings, window: Window) -> Sequence[Item]:
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
