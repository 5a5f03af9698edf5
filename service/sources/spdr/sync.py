"""State Street SPDR funds as a `shortflow sync` source: each fund's NAV history download.

`/us/en/intermediary/library-content/products/fund-data/etfs/us/navhist-us-en-{ticker}.xlsx` on
www.ssga.com (`SHORTFLOW_SPDR_BASE_URL`): the fund's daily NAV and shares outstanding, one file
that grows every day, named after the ticker (no product id to configure). It is asked for once
per window end, as the iShares fund history is; a ticker State Street does not publish answers
404, recorded as not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.settings import Settings
from service.sync.download import Politeness
from service.sync.plan import Item, Window
from service.sync.schedule import DAILY_MORNING

SPDR_POLITENESS_RPS = 1.0
"""State Street publishes no request limit; a file a second."""
FUND_DATA = "/us/en/intermediary/library-content/products/fund-data/etfs/us"


@dataclass(frozen=True)
class SpdrSync:
    name: str = "spdr"
    feeds: str = "SPDR funds (State Street): daily NAV and shares outstanding"
    schedule: str = DAILY_MORNING
    """Daily, the morning after: issuers post a session's NAV and shares overnight."""

    def earliest(self) -> date:
        return date(1993, 1, 22)  # SPY's inception; the history starts there

    def default_since(self, today: date) -> date:
        return today - timedelta(days=31)

    def base_url(self, settings: Settings) -> str:
        return settings.spdr_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or SPDR_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
        )

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        return [
            Item(
                key=f"{window.until} {symbol} navhist",
                url=f"{base}{FUND_DATA}/navhist-us-en-{symbol.lower()}.xlsx",
                relative=f"{symbol}/navhist_{window.until:%Y%m%d}.xlsx",
                kind="spdr-navhist",
                published=window.until,
                options=IngestOptions(fund=symbol),
            )
            for symbol in settings.spdr_sync_funds
        ]
