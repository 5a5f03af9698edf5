"""CFTC Traders in Financial Futures (futures only) as a `shortflow sync` source.

`SHORTFLOW_CFTC_BASE_URL` (default https://www.cftc.gov), CFTC's own paths below it:

- `/files/dea/history/fut_fin_txt_{YYYY}.zip`, one per year since 2017 (2006-2016 are one
  combined archive, not fetched), holding `FinFutYY.txt` with a header row. A past year's file is
  fetched once, after the release of its last report; the current year's is fetched again each
  week (its key names the newest report it should hold), so the weeks of this year before the
  current one are there whenever the sync starts.
- `/dea/newcot/FinFutWk.txt`, the newest week only, without a header: fetched once per report
  week, from its release date on. It holds whatever week CFTC published last; its rows carry
  their own report date, which is what is stored.

CFTC answers 404 for a file it does not have: recorded as not published and asked again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.db.pool import Database
from service.settings import Settings
from service.sources.cftc.contracts import latest_report, release_date
from service.sync.download import Politeness
from service.sync.plan import Item, Window
from service.sync.schedule import DAILY_MORNING

CFTC_POLITENESS_RPS = 1.0
"""CFTC publishes no request limit; a sync asks for a dozen small files, one a second."""

FIRST_YEARLY_FILE = 2017


@dataclass(frozen=True)
class CftcTff:
    name: str = "cftc-tff"
    feeds: str = (
        "weekly index futures positions of dealers, asset managers and leveraged funds (CFTC TFF)"
    )
    schedule: str = DAILY_MORNING
    """Daily: Friday's release is picked up the next morning, a release delayed by a holiday
    or a shutdown the morning after it appears."""

    def earliest(self) -> date:
        return date(FIRST_YEARLY_FILE, 1, 1)

    def default_since(self, today: date) -> date:
        return self.earliest()

    def base_url(self, settings: Settings) -> str:
        return settings.cftc_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or CFTC_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
            missing_statuses=(403, 404),
        )

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        newest = latest_report(window.until)
        out: list[Item] = []
        for year in range(max(window.since.year, FIRST_YEARLY_FILE), window.until.year + 1):
            last = date(year, 12, 31)
            last -= timedelta(days=(last.weekday() - 1) % 7)  # the year's last Tuesday
            final = release_date(last) <= window.until
            if not final and newest.year < year:
                continue  # no report of this year released yet
            name = f"fut_fin_txt_{year}.zip"
            out.append(
                Item(
                    key=str(year) if final else f"{year} through {newest}",
                    url=f"{base}/files/dea/history/{name}",
                    relative=name,
                    kind="cftc-tff",
                    published=release_date(last if final else newest),
                    member="FinFut*.txt",
                )
            )
        if newest >= window.since:
            out.append(
                Item(
                    key=f"week {newest}",
                    url=f"{base}/dea/newcot/FinFutWk.txt",
                    relative=f"FinFutWk_{newest:%Y%m%d}.txt",
                    kind="cftc-tff",
                    published=release_date(newest),
                )
            )
        return out
