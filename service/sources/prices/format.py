"""Daily prices in three layouts, told apart by their headers:

- long: `date,symbol,open,high,low,close,volume` (many symbols in one file);
- Yahoo, one symbol per file (`--symbol`): `Date,Open,High,Low,Close,Adj Close,Volume`, where
  a `null` row is a day without data (skipped, not rejected);
- OHLCV, one symbol per file (`--symbol`): `timestamp,open,high,low,close,volume`, any row order;
- Stooq, one symbol per file (`--symbol`): `Date,Open,High,Low,Close,Volume`, what `shortflow
  sync` downloads (service/sources/prices/sync.py).

Closes are unadjusted: short value multiplies shares short by the close of that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import (
    Format,
    Head,
    IngestOptions,
    RowError,
    SourceFile,
    header_names,
    is_missing,
    optional,
    parse_float,
    parse_int,
    parse_symbol,
)
from service.ingest.csvfile import cell, read_csv
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.prices")

NEW_YORK = ZoneInfo("America/New_York")

PRICE_COLUMNS = {"close": ("close",)}
OPTIONAL_COLUMNS = {
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "volume": ("volume",),
}


def _rounded_volume(text: str, column: str, *, separators: bool = False) -> int:
    volume = parse_float(text, column, separators=separators)
    if volume > 2**63 - 1:
        raise RowError(f"{column}: {text!r} is too large")
    return round(volume)


class _Prices(Format):
    kind = "prices"
    datasets = ("prices",)
    columns = (
        ("open", "double precision"),
        ("high", "double precision"),
        ("low", "double precision"),
        ("close", "double precision"),
        ("volume", "bigint"),
    )
    date_columns: tuple[str, ...] = ("date",)
    needs_symbol = True
    fractional_volume: ClassVar[bool] = False
    """The vendor writes volumes with decimals: rounded to whole shares instead of rejected."""
    skips_open_session: ClassVar[bool] = False
    """The vendor's last row can be today's session in progress: rows from today on (New York
    time) are skipped, not stored, so that a partial bar never stands as a close."""

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        if self.needs_symbol and not options.symbol:
            raise IngestError(
                f"{path.name} is a one-symbol price file ({self.name}): pass --symbol SYMBOL"
            )
        if not self.needs_symbol and options.symbol:
            raise IngestError(
                f"{path.name} names its symbols in a column; --symbol is for one-symbol files"
            )
        self.symbol = parse_symbol(options.symbol, "--symbol") if options.symbol else None
        self.today = date.today()
        self.session_day = datetime.now(NEW_YORK).date()

    def run_options(self) -> dict[str, str]:
        return {"symbol": self.symbol} if self.symbol else {}

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        required: dict[str, tuple[str, ...]] = {"date": self.date_columns, **PRICE_COLUMNS}
        if not self.needs_symbol:
            required["symbol"] = ("symbol", "ticker")
        return read_csv(source, self.counters, required, OPTIONAL_COLUMNS, self._row)

    def _row(
        self, line: int, raw: str, cells: list[str], at: dict[str, int]
    ) -> tuple[Any, ...] | None:
        close_text = cells[at["close"]]
        if is_missing(close_text) and all(
            is_missing(c) for i, c in enumerate(cells) if i != at["date"]
        ):
            return None  # a vendor's placeholder for a day without data ("null" rows)
        day = self.dates(cells[at["date"]][:10], "date")
        if day > self.today:
            raise RowError(f"date {day} is in the future")
        if self.skips_open_session and day >= self.session_day:
            return None
        symbol = self.symbol or parse_symbol(cells[at["symbol"]])
        close = parse_float(close_text, "close", separators=True)
        if close <= 0:
            raise RowError(f"close: {close_text!r} must be positive")
        values = [
            optional(cell(cells, at, name), parse_float, name, separators=True)
            for name in ("open", "high", "low")
        ]
        volume_parser = _rounded_volume if self.fractional_volume else parse_int
        volume = optional(cell(cells, at, "volume"), volume_parser, "volume", separators=True)
        return (
            line,
            raw,
            f"{symbol}|{day}",
            symbol,
            day,
            None,
            None,
            None,
            None,
            *values,
            close,
            volume,
        )

    async def apply(self, store: IngestStore) -> ApplyResult:
        bounds = await store.staged_range(Q.staged_range)
        if bounds is None:
            return ApplyResult(changed={"prices": 0})
        first, last = bounds
        await store.ensure_year_partitions("price_daily", first, last)
        changed = await store.execute(Q.upsert_prices, store.run_id)
        return ApplyResult(changed={"prices": changed}, price_range=(first, last))


class PricesLong(_Prices):
    """`date,symbol,open,high,low,close,volume`."""

    name = "prices-long"
    needs_symbol = False

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first)
        return "close" in names and "date" in names and ("symbol" in names or "ticker" in names)


class PricesYahoo(_Prices):
    """Yahoo Finance download: `Date,Open,High,Low,Close,Adj Close,Volume`."""

    name = "prices-yahoo"

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first)
        return "adj close" in names and "close" in names and "date" in names


class PricesOhlcv(_Prices):
    """`timestamp,open,high,low,close,volume` (one symbol, any row order)."""

    name = "prices-ohlcv"
    date_columns = ("timestamp",)

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first)
        return "timestamp" in names and "close" in names and "symbol" not in names


class PricesStooq(_Prices):
    """Stooq's daily download: `Date,Open,High,Low,Close,Volume`, exactly these columns (CRLF).

    Stooq's histories are adjusted as of the download (splits and dividends, volumes included),
    unlike the unadjusted closes above: close to the day of download the two agree but for the
    dividends since (docs/sources.md). Some volumes carry decimals ("27937545.35362"): rounded
    half to even to whole shares. A file fetched during a trading day ends with the session in
    progress, which is skipped (`skips_open_session`)."""

    name = "prices-stooq"
    fractional_volume = True
    skips_open_session = True
    HEADER: ClassVar[list[str]] = ["date", "open", "high", "low", "close", "volume"]
    MAX_LINE_CHARS: ClassVar[int] = 256
    """A Stooq row is about 60 characters; a longer line is not Stooq's (the file is untrusted
    input): the file fails, whole, rather than a giant cell reaching the parsers."""

    def _row(
        self, line: int, raw: str, cells: list[str], at: dict[str, int]
    ) -> tuple[Any, ...] | None:
        if len(raw) > self.MAX_LINE_CHARS:
            raise IngestError(
                f"line {line} has {len(raw):,} characters, over the limit of "
                f"{self.MAX_LINE_CHARS} for a Stooq row: not a Stooq price file"
            )
        return super()._row(line, raw, cells, at)

    @classmethod
    def matches(cls, head: Head) -> bool:
        return header_names(head.first) == cls.HEADER
