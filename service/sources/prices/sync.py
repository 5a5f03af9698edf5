"""Daily closes as a `shortflow sync` source: the days the metrics need, from a price provider.

What is fetched: the closes that `shortValueUsd` and the squeeze screen's price move need, not
every close of 22,000 symbols. For each security with short interest on a settlement date of the
window, a close within that date's price window (the last close at most 5 trading days back:
short_interest_context, migration 0009), and for the window's newest settlement date also one
within the price window of the last closed session (the squeeze screen's latest close). One
request per security asks for the span from the first to the last needed day; a security whose
stored closes already cover every needed day is not asked (service/db/queries/market_data.sql
`closes_missing`). `--full-history` asks for each security's whole history instead. Symbols of
`SHORTFLOW_PRICE_EXTRA_SYMBOLS` (index levels for the futures leg, in the provider's spelling)
are asked for the whole window.

Only closed sessions are asked for: the span ends at the last trading day before today in New
York, so a bar of a session still trading is never requested (and the Stooq format skips one if
it comes anyway).

The provider is chosen by `SHORTFLOW_PRICE_PROVIDER`; Stooq is the keyless default. A keyed
provider plugs in as a `PriceProvider` in `PROVIDERS`, a value of the `price_provider` setting,
its key in its own setting (read in its `url` or `politeness`, e.g. a header or a query
parameter), and a `Format` in service/sources/prices/format.py for its layout.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from service.analytics import calendar
from service.db.pool import Database
from service.db.repositories.market_data import MarketDataRepository
from service.ingest.base import IngestOptions
from service.settings import Settings
from service.sources.prices.format import NEW_YORK
from service.sources.short_interest.sync import FINRA_EVENING, FinraShortInterest
from service.sync.download import NoData, Politeness, Refused
from service.sync.plan import Item, Window

log = logging.getLogger(__name__)

STOOQ_POLITENESS_RPS = 1.0
"""Stooq publishes no request rate, only a daily hit limit it does not state; one file a second."""

_LISTED = re.compile(r"^([A-Z0-9]{1,10})(?:[./-]([A-Z]{1,4}))?$")
"""A SIP symbol Stooq can spell: a root and an optional class suffix (`BRK/B`, `BRK.B`)."""

_HIT_LIMIT = b"exceeded the daily hits limit"


class PriceProvider(Protocol):
    """One vendor of daily prices: where its files are, how it spells symbols, how to ask."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str:
        """The ingest kind its files are read as (its layout is a `Format` of that kind)."""
        ...

    def base_url(self, settings: Settings) -> str: ...

    def code(self, symbol: str, market_class: str | None) -> str | None:
        """The provider's spelling of a FINRA symbol (of FINRA's market class), or None when it
        does not carry the security."""
        ...

    def url(self, settings: Settings, code: str, span: tuple[date, date] | None) -> str:
        """The file of one symbol (`code`, the provider's spelling) for the days of `span`, or
        its whole history."""
        ...

    def politeness(self, settings: Settings) -> Politeness: ...


@dataclass(frozen=True)
class Stooq:
    """stooq.com's daily CSV: `/q/d/l/?s={symbol}.us&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]`, no key.

    It answers 200 for everything: a file, the plain body `No data` for a symbol it does not know
    (or a span without sessions), and a text page once its daily hit limit is exceeded."""

    name: str = "stooq"
    kind: str = "prices"

    def base_url(self, settings: Settings) -> str:
        return settings.stooq_base_url.rstrip("/")

    def code(self, symbol: str, market_class: str | None) -> str | None:
        """`BRK/B` -> `brk-b.us`. None for an OTC security (Stooq's `.us` market is the
        exchange-listed one: asking for each of FINRA's ~9,400 OTC symbols would spend the daily
        hit limit on `No data`) and for a symbol with other characters (`ABC+`, `ABC=`)."""
        match = _LISTED.match(symbol)
        if match is None or market_class == "OTC":
            return None
        root, share_class = match.groups()
        return f"{root}-{share_class}.us".lower() if share_class else f"{root}.us".lower()

    def url(self, settings: Settings, code: str, span: tuple[date, date] | None) -> str:
        url = f"{self.base_url(settings)}/q/d/l/?s={quote(code, safe='.-')}&i=d"
        if span is not None:
            url += f"&d1={span[0]:%Y%m%d}&d2={span[1]:%Y%m%d}"
        return url

    def politeness(self, settings: Settings) -> Politeness:
        return Politeness(
            requests_per_second=settings.sync_requests_per_second or STOOQ_POLITENESS_RPS,
            backoff_s=settings.sync_retry_backoff_s,
            missing_statuses=(404,),
            screen=screen_stooq,
        )


def screen_stooq(url: str, head: bytes) -> None:
    """Stooq's messages in place of a file: never kept, never parsed as prices."""
    if head.strip() == b"No data":
        raise NoData(f"{url}: no data for this symbol at Stooq")
    if _HIT_LIMIT in head.lower():
        raise Refused(
            f"{url}: Stooq's daily hit limit is exceeded; the source stops here and the next "
            "sync resumes with what is still missing"
        )


PROVIDERS: dict[str, PriceProvider] = {"stooq": Stooq()}


def last_closed_session(until: date, now: datetime | None = None) -> date:
    """The last trading day on or before `until` whose session is over: before today in New
    York (a day's bar is complete by the next calendar day)."""
    today = (now or datetime.now(NEW_YORK)).astimezone(NEW_YORK).date()
    return calendar.trading_day_on_or_before(min(until, today - timedelta(days=1)))


@dataclass(frozen=True)
class PriceSync:
    name: str = "prices"
    feeds: str = "daily closes around settlement dates, for short value and the squeeze screen"
    schedule: str = FINRA_EVENING
    """With FINRA's evening job, after short interest (registry order): the closes a newly
    published cycle needs are fetched the same evening."""

    def earliest(self) -> date:
        return FinraShortInterest().earliest()  # closes are fetched for its settlement dates

    def default_since(self, today: date) -> date:
        return self.earliest()

    def provider(self, settings: Settings) -> PriceProvider:
        return PROVIDERS[settings.price_provider]

    def base_url(self, settings: Settings) -> str:
        return self.provider(settings).base_url(settings)

    def politeness(self, settings: Settings) -> Politeness:
        return self.provider(settings).politeness(settings)

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        provider = self.provider(settings)
        session = last_closed_session(window.until)
        out: list[Item] = []
        whole = None if window.full_history else (window.since, session)
        if whole is None or whole[0] <= whole[1]:  # a window of today only has no closed session
            for extra in settings.price_extra_symbols:
                out.append(self._item(settings, provider, extra.upper(), extra.lower(), whole))
        needs = await MarketDataRepository(db).closes_missing(
            window.since, window.until, session, every=window.full_history
        )
        unspelled: list[str] = []
        for row in needs:
            # FINRA writes class shares without a separator (`BRKB`); the directory's spelling
            # (`BRK.B`) says where the class begins.
            code = provider.code(row["directory_symbol"] or row["symbol"], row["market_class"])
            if code is None:
                unspelled.append(row["symbol"])
                continue
            span = None if window.full_history else (row["first"], row["last"])
            out.append(self._item(settings, provider, row["symbol"], code, span))
        if unspelled:
            log.warning(
                "prices: %d securities skipped, not carried by %s (OTC) or no spelling there: %s",
                len(unspelled),
                provider.name,
                ", ".join(unspelled[:20]) + (" ..." if len(unspelled) > 20 else ""),
            )
        return sorted(out, key=lambda item: item.key)

    def _item(
        self,
        settings: Settings,
        provider: PriceProvider,
        symbol: str,
        code: str,
        span: tuple[date, date] | None,
    ) -> Item:
        """One file: `symbol` as stored, `code` as the provider spells it; `span` None for the
        whole history (published: today, it is asked for at once)."""
        name = code.replace("^", "index-")
        if span is None:
            key, relative, published = f"full {symbol}", f"full/{name}.csv", date.min
        else:
            first, last = span
            key = f"{last} {symbol} from {first}"
            relative = f"{first:%Y%m%d}-{last:%Y%m%d}/{name}.csv"
            published = last + timedelta(days=1)
        return Item(
            key=key,
            url=provider.url(settings, code, span),
            relative=relative,
            kind=provider.kind,
            published=published,
            options=IngestOptions(symbol=symbol),
        )
