"""SEC EDGAR as two `shortflow sync` sources: the ticker -> CIK map, then share counts.

- `sec-tickers`: `/files/company_tickers.json` on www.sec.gov (`SHORTFLOW_SEC_WWW_BASE_URL`).
- `sec-shares`: `/api/xbrl/companyfacts/CIK##########.json` on data.sec.gov
  (`SHORTFLOW_SEC_DATA_BASE_URL`), for each company whose common stock is one security with short
  interest: the companies Shortflow can say a short % of shares outstanding for. It reads the map
  `sec-tickers` stored, which is why it is a source of its own, run after it.

Both hosts serve only their current state, so a sync fetches each file once per calendar month
(the month of `--until`, by default today's): a company files its cover-page count once a quarter,
and a month's delay changes no point-in-time answer, since a count is stored as of its filing
date whenever it is fetched. The month's copy of a company's companyfacts replaces the last one
under `downloads/sec-shares/companyfacts/`, which keeps the disk used to one copy per company.

SEC's fair access policy asks for a User-Agent naming who asks with a contact, and at most 10
requests a second: `SHORTFLOW_SEC_USER_AGENT` is required (unset, these sources fail and the others
go on; `--dry-run` needs no requests and works without it), and the pace is 5 requests a second
per host, never more than 10 to an SEC host whatever `SHORTFLOW_SYNC_REQUESTS_PER_SECOND` says
(a mirror or a replay server may be asked faster). A 404 is SEC's
answer for a CIK without XBRL facts: not published. A 403 is SEC refusing the client (no or a bad
User-Agent, too fast), which fails the file rather than pass for "not published".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from service.db.pool import Database
from service.db.repositories.sec import SecRepository
from service.errors import SettingsError
from service.settings import Settings
from service.sync.download import USER_AGENT, Politeness
from service.sync.plan import Item, Window
from service.sync.schedule import DAILY_MORNING

SEC_REQUESTS_PER_SECOND = 5.0
SEC_MAX_REQUESTS_PER_SECOND = 10.0
"""SEC's stated limit for all of a client's requests."""
XBRL_START = date(2009, 6, 15)
"""The first XBRL filings (large accelerated filers, periods after 2009-06-15)."""


def _is_sec(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "sec.gov" or host.endswith(".sec.gov")


def _month(window: Window) -> date:
    return window.until.replace(day=1)


class SecHost(ABC):
    """What both SEC sources share: the required User-Agent, SEC's pace, 404 as "no such file"."""

    schedule: str = DAILY_MORNING
    """Daily (a file is fetched at most once a month; a run on another day asks for nothing)."""

    def earliest(self) -> date:
        return XBRL_START

    def default_since(self, today: date) -> date:
        return today.replace(day=1)

    @abstractmethod
    def base_url(self, settings: Settings) -> str: ...

    def politeness(self, settings: Settings) -> Politeness:
        contact = settings.sec_user_agent
        if contact is None:
            raise SettingsError(
                "SHORTFLOW_SEC_USER_AGENT is not set: SEC's fair access policy asks every client "
                "for a User-Agent naming who asks, with a contact (e.g. 'Jane Doe "
                "jane@example.org'); set it to sync the SEC sources"
            )
        pace = settings.sync_requests_per_second or SEC_REQUESTS_PER_SECOND
        if _is_sec(self.base_url(settings)):
            pace = min(pace, SEC_MAX_REQUESTS_PER_SECOND)
        return Politeness(
            requests_per_second=pace,
            user_agent=f"{contact} {USER_AGENT}",
            backoff_s=settings.sync_retry_backoff_s,
            missing_statuses=(404,),
        )


@dataclass(frozen=True)
class SecTickers(SecHost):
    name: str = "sec-tickers"
    feeds: str = "SEC's ticker -> CIK map (company_tickers.json), for sec-shares"

    def base_url(self, settings: Settings) -> str:
        return settings.sec_www_base_url.rstrip("/")

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        month = _month(window)
        return [
            Item(
                key=f"{month:%Y-%m} company_tickers",
                url=f"{self.base_url(settings)}/files/company_tickers.json",
                relative=f"company_tickers-{month:%Y-%m}.json",
                kind="sec-company-tickers",
                published=month,
            )
        ]


@dataclass(frozen=True)
class SecShares(SecHost):
    name: str = "sec-shares"
    feeds: str = "shares outstanding of stocks with short interest, from SEC cover pages (XBRL)"

    def base_url(self, settings: Settings) -> str:
        return settings.sec_data_base_url.rstrip("/")

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        month = _month(window)
        base = self.base_url(settings)
        out: list[Item] = []
        for cik in await SecRepository(db).companies_with_short_interest():
            name = f"CIK{cik:010d}.json"
            out.append(
                Item(
                    key=f"{month:%Y-%m} CIK{cik:010d}",
                    url=f"{base}/api/xbrl/companyfacts/{name}",
                    relative=f"companyfacts/{name}",
                    kind="sec-companyfacts",
                    published=month,
                )
            )
        return out
