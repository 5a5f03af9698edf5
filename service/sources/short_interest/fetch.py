"""Downloads from FINRA's public files.

- short interest (bulk, whole market): `{base}/equity/otcmarket/biweekly/shrt{YYYYMMDD}.csv`
- Reg SHO daily short volume: `{base}/equity/regsho/daily/{FACILITY}shvol{YYYYMMDD}.txt`

FINRA's CDN answers 403 (not 404) for a file that does not exist yet, which is the normal answer
for a date that is not published: that becomes a clear "not published yet" error, not a retry.
The download itself is `shortflow sync`'s (service/sync/download.py): retries with backoff on
connection errors, 5xx and 429, an atomic write with its checksum, a size bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from service.analytics import calendar
from service.errors import FetchError
from service.settings import Settings
from service.sync.download import Downloader, Politeness

MAX_BYTES = Settings.model_fields["sync_max_download_mb"].default << 20
"""The largest file kept when the caller passes no bound (SHORTFLOW_SYNC_MAX_DOWNLOAD_MB's
default; `shortflow fetch` passes the configured one)."""


@dataclass(frozen=True)
class Download:
    url: str
    path: Path
    bytes: int


def short_interest_url(base: str, settlement: date) -> str:
    return f"{base.rstrip('/')}/equity/otcmarket/biweekly/shrt{settlement:%Y%m%d}.csv"


def regsho_url(base: str, facility: str, day: date) -> str:
    return f"{base.rstrip('/')}/equity/regsho/daily/{facility}shvol{day:%Y%m%d}.txt"


def check_settlement_date(day: date, today: date) -> None:
    if day > today:
        raise FetchError(f"{day} is in the future")
    if not calendar.is_settlement_date(day):
        before = calendar.settlement_date_on_or_before(day)
        raise FetchError(
            f"{day} is not a FINRA settlement date (the nearest one before is {before}; "
            "they are the 15th or the trading day before, and the last trading day of a month)"
        )
    published = calendar.publication_date(day)
    if published > today:
        raise FetchError(f"the short interest of {day} is published on {published}, not yet")


def check_trading_day(day: date, today: date) -> None:
    if day > today:
        raise FetchError(f"{day} is in the future")
    if not calendar.is_trading_day(day):
        raise FetchError(f"{day} is not an NYSE trading day; Reg SHO files exist for trading days")


async def download(
    url: str,
    directory: Path,
    *,
    on_progress: Callable[[int, int | None], None] | None = None,
    backoff: float = 1.0,
    max_bytes: int = MAX_BYTES,
) -> Download:
    """Fetch `url` into `directory` through the sync's downloader (atomic, with its checksum,
    retried with backoff); FetchError with a clear reason otherwise."""
    politeness = Politeness(backoff_s=backoff)  # 403/404: NotPublished, a FetchError
    async with Downloader(directory, max_bytes=max_bytes) as downloader:
        stored = await downloader.fetch(
            url, url.rsplit("/", 1)[-1], politeness, on_progress=on_progress
        )
    return Download(url, stored.path, stored.bytes)
