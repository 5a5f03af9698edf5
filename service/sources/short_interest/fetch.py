"""Downloads from FINRA's public files.

- short interest (bulk, whole market): `{base}/equity/otcmarket/biweekly/shrt{YYYYMMDD}.csv`
- Reg SHO daily short volume: `{base}/equity/regsho/daily/{FACILITY}shvol{YYYYMMDD}.txt`

FINRA's CDN answers 403 (not 404) for a file that does not exist yet, which is the normal answer
for a date that is not published: that becomes a clear "not published yet" error, not a retry.
Transient failures (connection errors, 5xx) are retried with backoff. A download is written to a
temporary file and renamed, so a partial download never looks like a file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from service.analytics import calendar
from service.errors import FetchError

ATTEMPTS = 4
USER_AGENT = "shortflow (+https://github.com/shortflow/shortflow)"


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
    request_timeout: float = 60.0,
    backoff: float = 1.0,
) -> Download:
    """Fetch `url` into `directory` (atomically); FetchError with a clear reason otherwise."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    target = directory / url.rsplit("/", 1)[-1]
    last_error = ""
    async with httpx.AsyncClient(
        timeout=request_timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    ) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await _get(client, url, target, on_progress)
            except _Transient as exc:
                last_error = str(exc)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt < ATTEMPTS:
                await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise FetchError(f"could not download {url} after {ATTEMPTS} attempts: {last_error}")


class _Transient(Exception):
    pass


async def _get(
    client: httpx.AsyncClient,
    url: str,
    target: Path,
    on_progress: Callable[[int, int | None], None] | None,
) -> Download:
    async with client.stream("GET", url) as response:
        if response.status_code in (403, 404):
            raise FetchError(
                f"{url}: FINRA has no such file (HTTP {response.status_code}); "
                "the date is not published yet or has no data"
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise FetchError(f"{url}: unexpected HTTP {response.status_code}")
        total = (
            int(response.headers["content-length"])
            if "content-length" in response.headers
            else None
        )
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        received = 0
        try:
            with os.fdopen(handle, "wb") as out:
                async for chunk in response.aiter_bytes(1 << 16):
                    out.write(chunk)
                    received += len(chunk)
                    if on_progress is not None:
                        on_progress(received, total)
            if total is not None and received != total:
                raise _Transient(f"connection closed after {received} of {total} bytes")
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    return Download(url, target, received)
