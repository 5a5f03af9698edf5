"""Nasdaq Trader's symbol directory as a `shortflow sync` source.

`/dynamic/SymDir/nasdaqlisted.txt` (Nasdaq listings) and `/dynamic/SymDir/otherlisted.txt` (NYSE,
NYSE American, NYSE Arca, Cboe BZX, IEX) under `SHORTFLOW_NASDAQTRADER_BASE_URL` (default
https://www.nasdaqtrader.com), rewritten through the day; the host keeps no history. So the items
are the two files of today: a sync on another day fetches a new snapshot, a second sync on the
same day nothing, and a window that does not reach today has nothing to fetch (the past is what
earlier snapshots stored, in table security_listing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.db.pool import Database
from service.settings import Settings
from service.sync.download import Politeness
from service.sync.plan import Item, Window
from service.sync.schedule import DAILY_MORNING

FILES = ("nasdaqlisted", "otherlisted")
PATH = "/dynamic/SymDir/{}.txt"
REQUESTS_PER_SECOND = 1.0
"""Two files a day; Nasdaq publishes no limit, and one request a second is plenty."""


@dataclass(frozen=True)
class NasdaqTraderDirectory:
    name: str = "nasdaqtrader"
    feeds: str = "security master: names, listing exchange, ETF or stock (a snapshot a day)"
    schedule: str = DAILY_MORNING
    """Daily: Nasdaq Trader rewrites the directory overnight; first in its job, so types are
    current before the fund sources run."""

    def earliest(self) -> date:
        return date.today()

    def default_since(self, today: date) -> date:
        return today

    def base_url(self, settings: Settings) -> str:
        return settings.nasdaqtrader_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        # 404 is not "not published" here: the files always exist, so a 404 is a moved host.
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or REQUESTS_PER_SECOND,
            backoff_s=settings.sync_retry_backoff_s,
            missing_statuses=(),
        )

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        today = date.today()
        if not window.since <= today <= window.until:
            return []
        base = self.base_url(settings)
        return [
            Item(
                key=f"{today.isoformat()} {name}",
                url=base + PATH.format(name),
                relative=f"{today.isoformat()}/{name}.txt",
                kind="symbol-directory",
                published=today,
            )
            for name in FILES
        ]
