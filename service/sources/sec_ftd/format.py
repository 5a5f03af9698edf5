"""SEC fails-to-deliver: the one pipe-separated text file inside `cnsfailsYYYYMM{a,b}.zip`.

    SETTLEMENT DATE|CUSIP|SYMBOL|QUANTITY (FAILS)|DESCRIPTION|PRICE
    20210104|464287655|IWM|7218|ISHARES RUSSELL 2000 ETF|196.06
    20210104|00775N102|ADGO|49910|ADVANTEGO CORP|.          <- `.`: no price

The file is read by column name, and a header other than this one matches no format: a renamed or
added column fails the file (the sync keeps it for inspection), never a silent misparse. What is
read, and what is rejected with its reason:

- `SETTLEMENT DATE` YYYYMMDD (a date after today is rejected);
- `CUSIP`: nine characters with a valid check digit (SEC's own key of the security);
- `SYMBOL` in the spelling of FINRA's short interest files (`finra_symbol`: `BRK.B` -> `BRKB`),
  kept as written when outside CQS symbology (SEC lists a few issues under made-up symbols such as
  `T012RTSPYMNT`); a row without a symbol is rejected (it names no security Shortflow keys);
- `QUANTITY (FAILS)`: a whole number of shares, the balance of fails on that settlement date;
- `PRICE`: the close SEC attaches, `.` or empty for none;
- a second row for the same CUSIP and settlement date is a duplicate.

A last line holding only a record count (`Trailer record count: 123` or a bare number) is read as a
trailer and checked against the rows; a count that differs is recorded as a reject (the file may
be truncated). A line longer than `MAX_LINE_CHARS` fails the file before it is split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import (
    DateParser,
    Format,
    Head,
    IngestOptions,
    RowError,
    SourceFile,
    finra_symbol,
    header_names,
    is_missing,
    parse_float,
    parse_int,
    parse_symbol,
)
from service.ingest.results import ApplyResult
from service.sources.sec_ftd.halves import known_from

Q = queries.load_package("service.sources.sec_ftd")

HEADER = ["settlement date", "cusip", "symbol", "quantity (fails)", "description", "price"]
MAX_LINE_CHARS = 1024
"""A real row is under 100 characters (the description is cut at 30)."""

_CUSIP = re.compile(r"^[0-9A-Z*@#]{9}$")
_TRAILER = re.compile(r"^(?:trailer\b[^0-9]*)?(\d{1,12})$", re.IGNORECASE)


def cusip_check_digit(base: str) -> int:
    """The check digit of a CUSIP's first eight characters (the "modulus 10 double add double")."""
    total = 0
    for position, char in enumerate(base):
        if char.isdigit():
            value = int(char)
        elif char.isalpha():
            value = ord(char) - ord("A") + 10
        else:
            value = {"*": 36, "@": 37, "#": 38}[char]
        if position % 2 == 1:
            value *= 2
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def parse_cusip(text: str) -> str:
    cusip = text.strip().upper()
    if not _CUSIP.match(cusip):
        raise RowError(f"CUSIP: {text!r} is not a CUSIP (nine letters, digits, * @ or #)")
    if not cusip[8].isdigit() or cusip_check_digit(cusip[:8]) != int(cusip[8]):
        raise RowError(f"CUSIP: {text!r} fails its check digit")
    return cusip


def ftd_symbol(text: str) -> str:
    """SEC's symbol in FINRA's spelling, or as written when outside CQS symbology."""
    symbol = text.strip()
    if not symbol:
        raise RowError("SYMBOL: empty (the row names no security)")
    try:
        return finra_symbol(symbol)
    except RowError:
        return parse_symbol(symbol, "SYMBOL")


class FailsToDeliver(Format):
    name = "sec-ftd"
    kind = "sec-ftd"
    datasets = ("fails_to_deliver", "securities")
    affects_context = False
    columns = (
        ("cusip", "text"),
        ("quantity", "bigint"),
        ("price", "numeric"),
        ("description", "text"),
    )

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        self.dates = DateParser("%Y%m%d")

    @classmethod
    def matches(cls, head: Head) -> bool:
        return header_names(head.first, "|") == HEADER

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        header_seen = False
        trailer: tuple[int, str, int] | None = None
        for number, text in source.lines():
            if len(text) > MAX_LINE_CHARS:
                raise IngestError(
                    f"{self.path.name} line {number}: {len(text):,} characters, over the limit "
                    f"of {MAX_LINE_CHARS:,} for a fails-to-deliver row; nothing was read"
                )
            stripped = text.strip()
            if not stripped:
                continue
            if not header_seen:
                header_seen = True
                continue
            if trailer is not None:
                source.rejects.add(
                    trailer[0], trailer[1], "a record count in the middle of the file"
                )
                self.counters.read += 1
                trailer = None
            count = _TRAILER.match(stripped)
            if count is not None:
                trailer = (number, text, int(count.group(1)))
                continue
            self.counters.read += 1
            try:
                yield self._row(number, text)
            except RowError as exc:
                source.rejects.add(number, text, str(exc))
        if trailer is not None and trailer[2] != self.counters.read:
            source.rejects.add(
                trailer[0],
                trailer[1],
                f"the trailer counts {trailer[2]} records but the file has "
                f"{self.counters.read}: the file may be truncated",
            )

    def _row(self, number: int, text: str) -> tuple[Any, ...]:
        cells = text.split("|")
        if len(cells) != len(HEADER):
            raise RowError(f"expected {len(HEADER)} fields separated by '|', found {len(cells)}")
        day_text, cusip_text, symbol_text, quantity_text, description, price_text = cells
        day = self.dates(day_text, "SETTLEMENT DATE")
        if day > self.today:
            raise RowError(f"SETTLEMENT DATE: {day} is in the future")
        cusip = parse_cusip(cusip_text)
        symbol = ftd_symbol(symbol_text)
        quantity = parse_int(quantity_text, "QUANTITY (FAILS)")
        price: Decimal | None = None
        if price_text.strip() != "." and not is_missing(price_text):
            parse_float(price_text, "PRICE")  # a finite, non-negative decimal
            price = Decimal(price_text.strip())  # stored as written, not through a float
        return (number, text, f"{day}|{cusip}", symbol, day, None, None, None, None,
                cusip, quantity, price, description.strip() or None)  # fmt: skip

    async def apply(self, store: IngestStore) -> ApplyResult:
        latest: date | None = await store.fetchval(Q.staged_latest)
        if latest is None:
            return ApplyResult(changed={"fails": 0})
        known = known_from(latest, store.ingest_date)
        changed = await store.execute(Q.upsert_fails, store.run_id, known)
        return ApplyResult(changed={"fails": changed})
