"""iShares funds as a `shortflow sync` source: holdings per date, and the fund's daily history.

Two downloads per fund on www.ishares.com (`SHORTFLOW_ISHARES_BASE_URL`), below its product page
`/us/products/{product id}/{slug}/`:

- `1467271812596.ajax?fileType=csv&fileName={TICKER}_holdings&dataType=fund&asOfDate=YYYYMMDD`:
  the holdings on a date, read by the holdings format (service/sources/holdings/format.py): the
  fund's equity positions become the members of the index it tracks from that date, their prices
  closes of that date, its shares outstanding its share count. Fetched for every FINRA settlement
  date of the window (where short interest needs members and prices) and for the window's last
  trading day; a date's file is asked for from the next trading day, once iShares has posted it.
- `1521942788811.ajax?fileType=xls&fileName={Fund-File}_fund&dataType=fund`: the whole history
  of NAV and shares outstanding since inception, one file that grows every day. It is asked for
  once per window end (its key is that date), so a daily sync fetches it once a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.analytics import calendar
from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.settings import IsharesFund, Settings
from service.sources.ishares.funds import synced
from service.sync.download import Politeness
from service.sync.plan import Item, Window
from service.sync.schedule import DAILY_MORNING

ISHARES_POLITENESS_RPS = 1.0
"""iShares publishes no request limit; a file a second is what a person clicking would ask."""
HOLDINGS = "1467271812596.ajax"
FUND = "1521942788811.ajax"


@dataclass(frozen=True)
class IsharesSync:
    name: str = "ishares"
    feeds: str = "iShares funds: daily NAV and shares outstanding, holdings as index members"
    schedule: str = DAILY_MORNING
    """Daily, the morning after: issuers post a session's NAV and shares overnight."""

    def earliest(self) -> date:
        return date(2000, 5, 22)  # IWM's inception; the fund history starts there

    def default_since(self, today: date) -> date:
        return today - timedelta(days=31)

    def base_url(self, settings: Settings) -> str:
        return settings.ishares_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or ISHARES_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
        )

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        out: list[Item] = []
        for symbol, fund in synced(settings).items():
            product = f"{base}/us/products/{fund.product_id}/{fund.slug}"
            out.append(
                Item(
                    key=f"{window.until} {symbol} history",
                    url=f"{product}/{FUND}?fileType=xls&fileName={fund.fund_file}_fund"
                    "&dataType=fund",
                    relative=f"{symbol}/fund_{window.until:%Y%m%d}.xml",
                    kind="ishares-fund",
                    published=window.until,
                    options=IngestOptions(fund=symbol),
                )
            )
            out.extend(self._holdings(product, symbol, fund, window))
        return sorted(out, key=lambda item: (item.published, item.key))

    def _holdings(self, product: str, symbol: str, fund: IsharesFund, window: Window) -> list[Item]:
        return [
            Item(
                key=f"{day} {symbol} holdings",
                url=f"{product}/{HOLDINGS}?fileType=csv&fileName={symbol}_holdings"
                f"&dataType=fund&asOfDate={day:%Y%m%d}",
                relative=f"{symbol}/holdings_{day:%Y%m%d}.csv",
                kind="holdings",
                published=calendar.next_trading_day(day),
                options=IngestOptions(index=fund.index, fund=symbol),
            )
            for day in holdings_dates(window)
        ]


def holdings_dates(window: Window) -> list[date]:
    """FINRA's settlement dates in the window and its last trading day, oldest first."""
    days = {
        day
        for year in range(window.since.year, window.until.year + 1)
        for day in calendar.settlement_dates(year)
        if window.since <= day <= window.until
    }
    last = calendar.trading_day_on_or_before(window.until)
    if last >= window.since:
        days.add(last)
    return sorted(days)
