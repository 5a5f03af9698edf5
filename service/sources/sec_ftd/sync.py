"""SEC fails-to-deliver as a `shortflow sync` source.

`/files/data/fails-deliver-data/cnsfailsYYYYMM{a,b}.zip` under `SHORTFLOW_SEC_WWW_BASE_URL`
(default https://www.sec.gov): one item per half-month file from `--since` (default: the start of
last year) through the latest half-month that has ended by `--until`. A file is asked for from a
week after its half-month ends (`halves.ASK_AFTER_DAYS`); SEC answers 403 or 404 for a file it has
not posted yet, which is "not published" and asked again on the next run. Each archive must hold
one `*.txt` member, unpacked under Shortflow's own name with a bounded size
(service/sync/archive.py).

SEC's fair access policy (User-Agent with a contact, at most 10 requests a second) applies as for
the other SEC sources: `SHORTFLOW_SEC_USER_AGENT` is required, and unset this source stops alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from service.db.pool import Database
from service.settings import Settings
from service.sources.sec.sync import SecHost
from service.sources.sec_ftd.halves import (
    ASK_AFTER_DAYS,
    half_end,
    half_letter,
    half_start,
    next_half,
)
from service.sync.download import Politeness
from service.sync.plan import Item, Window

FIRST_HALF_MONTH = date(2009, 7, 1)
"""SEC's half-month `cnsfailsYYYYMM{a,b}` files start in the second half of 2009 (earlier
fails are in other, monthly files, not fetched)."""


@dataclass(frozen=True)
class SecFailsToDeliver(SecHost):
    name: str = "sec-ftd"
    feeds: str = "fails to deliver per security and settlement date (SEC), for the squeeze screen"

    def earliest(self) -> date:
        return FIRST_HALF_MONTH

    def default_since(self, today: date) -> date:
        return date(today.year - 1, 1, 1)

    def base_url(self, settings: Settings) -> str:
        return settings.sec_www_base_url.rstrip("/")

    def politeness(self, settings: Settings) -> Politeness:
        # SEC answers 403 as well as 404 for a fails file it has not posted yet.
        return replace(super().politeness(settings), missing_statuses=(403, 404))

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        base = self.base_url(settings)
        out: list[Item] = []
        half = half_start(max(window.since, FIRST_HALF_MONTH))
        while half_end(half) < window.until:
            name = f"cnsfails{half:%Y%m}{half_letter(half)}"
            out.append(
                Item(
                    key=f"{half:%Y-%m}{half_letter(half)}",
                    url=f"{base}/files/data/fails-deliver-data/{name}.zip",
                    relative=f"{name}.zip",
                    kind="sec-ftd",
                    published=half_end(half) + timedelta(days=ASK_AFTER_DAYS),
                    member="*.txt",
                )
            )
            half = next_half(half)
        return out
