"""Nasdaq Trader's symbol directory: `nasdaqlisted.txt` and `otherlisted.txt`, pipe-delimited.

    Symbol|Security Name|Market Category|Test Issue|Financial Status|Round Lot Size|ETF|NextShares
    AACB|Artius II Acquisition Inc. - Class A Ordinary Shares|G|N|N|100|N|N
    File Creation Time: 0721202521:31|||||||

    ACT Symbol|Security Name|Exchange|CQS Symbol|ETF|Round Lot Size|Test Issue|NASDAQ Symbol
    BRK.B|Berkshire Hathaway Inc. New Common Stock|N|BRK.B|N|100|N|BRK.B
    File Creation Time: 0721202521:31||||||

Both files are a snapshot of today's listings, dated by their `File Creation Time:` trailer
(MMDDYYYYHH:MM, Eastern time); that date is every row's date. The layout drifted over the years
(2016: CRLF, a trailer with fewer pipes than the header has columns; 2025: LF), which the reader
tolerates; a file without a trailer (cut short, or a changed layout) fails whole instead of
being stored undated. Test issues (`Test Issue = Y`) are skipped.

Symbols are stored in FINRA's spelling (`finra_symbol`), so that a directory row and a FINRA short
interest row name the same security.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import (
    Format,
    Head,
    RowError,
    SourceFile,
    finra_symbol,
    header_names,
    parse_symbol,
)
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.symbol_directory")

TRAILER = re.compile(
    r"^File Creation Time: (?P<month>\d{2})(?P<day>\d{2})(?P<year>\d{4})\d{2}:\d{2}\|*$"
)
MAX_LINE_CHARS = 1000
"""The longest row read (the longest real one, a depositary share's name, is under 300): a
longer line is rejected rather than stored as a name."""
TAIL_BYTES = 4096

NASDAQ_CATEGORIES = {
    "Q": "Nasdaq Global Select Market",
    "G": "Nasdaq Global Market",
    "S": "Nasdaq Capital Market",
}
"""nasdaqlisted.txt `Market Category`: the three tiers of the Nasdaq listing (exchange 'Nasdaq')."""
OTHER_EXCHANGES = {
    "A": "NYSE American",
    "N": "NYSE",
    "P": "NYSE Arca",
    "Z": "Cboe BZX",
    "V": "IEX",
}
"""otherlisted.txt `Exchange` (Nasdaq Trader's symbol directory definitions; A was NYSE MKT and Z
BATS in 2016: the same exchanges under their current names)."""


def snapshot_date(path: Path) -> date:
    """The date of the `File Creation Time:` trailer, the file's last non-blank line."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    found = TRAILER.match(lines[-1]) if lines else None
    if found is None:
        raise IngestError(
            f"{path.name}: no `File Creation Time: MMDDYYYYHH:MM` trailer at the end; the file is "
            "cut short or its layout changed, so its rows have no date"
        )
    try:
        return date(int(found["year"]), int(found["month"]), int(found["day"]))
    except ValueError:
        raise IngestError(f"{path.name}: the trailer {lines[-1]!r} is not a date") from None


class Directory(Format):
    """What both directory files share: the trailer, the row checks and the listing upsert."""

    kind = "symbol-directory"
    datasets = ("securities",)
    columns = (
        ("source", "text"),
        ("exchange", "text"),
        ("etf", "boolean"),
        ("directory_symbol", "text"),
    )
    header: ClassVar[tuple[str, ...]]
    """The header, lower case: exactly this, or the file is not this layout."""

    @classmethod
    def matches(cls, head: Head) -> bool:
        return tuple(header_names(head.first, "|")) == cls.header

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        day = snapshot_date(self.path)
        if day > self.today:
            raise IngestError(f"{self.path.name}: the snapshot's date {day} is in the future")
        self.counters.details["snapshot"] = day.isoformat()
        header_seen = trailer_seen = False
        for number, text in source.lines():
            if not text.strip():
                continue
            if not header_seen:
                header_seen = True
                continue
            if trailer_seen:
                source.rejects.add(number, text, "a row after the File Creation Time trailer")
                continue
            if TRAILER.match(text.strip()):
                trailer_seen = True
                continue
            self.counters.read += 1
            try:
                if len(text) > MAX_LINE_CHARS:
                    raise RowError(f"the row is longer than {MAX_LINE_CHARS} characters")
                cells = text.split("|")
                if len(cells) != len(self.header):
                    raise RowError(f"expected {len(self.header)} fields, found {len(cells)}")
                record = self._row(number, text, day, cells)
            except RowError as exc:
                source.rejects.add(number, text, str(exc))
                continue
            if record is None:
                self.counters.skipped += 1
            else:
                yield record

    @abstractmethod
    def _row(self, line: int, raw: str, day: date, cells: list[str]) -> tuple[Any, ...] | None:
        """The staging tuple of a row's cells, None for a test issue, or RowError."""

    def _record(
        self,
        line: int,
        raw: str,
        day: date,
        directory_symbol: str,
        name: str,
        exchange: str,
        etf_flag: str,
    ) -> tuple[Any, ...]:
        if etf_flag not in ("Y", "N"):
            raise RowError(f"ETF: {etf_flag!r} is neither Y nor N")
        directory_symbol = parse_symbol(directory_symbol)
        symbol = finra_symbol(directory_symbol)
        etf = etf_flag == "Y"
        return (
            line,
            raw,
            symbol,
            symbol,
            day,
            name.strip() or None,
            None,
            "etf" if etf else "stock",
            "source",
            self.name,
            exchange,
            etf,
            directory_symbol,
        )

    @staticmethod
    def _test_issue(flag: str) -> bool:
        if flag not in ("Y", "N"):
            raise RowError(f"Test Issue: {flag!r} is neither Y nor N")
        return flag == "Y"

    async def apply(self, store: IngestStore) -> ApplyResult:
        listings = await store.execute(Q.upsert_listings, store.run_id)
        return ApplyResult(changed={"listings": listings})


class NasdaqListed(Directory):
    name = "nasdaqlisted"
    header = (
        "symbol",
        "security name",
        "market category",
        "test issue",
        "financial status",
        "round lot size",
        "etf",
        "nextshares",
    )

    def _row(self, line: int, raw: str, day: date, cells: list[str]) -> tuple[Any, ...] | None:
        symbol, name, category, test, _, _, etf, _ = cells
        if self._test_issue(test):
            return None
        if category not in NASDAQ_CATEGORIES:
            raise RowError(f"Market Category: {category!r} is not Q, G or S")
        return self._record(line, raw, day, symbol, name, "Nasdaq", etf)


class OtherListed(Directory):
    name = "otherlisted"
    header = (
        "act symbol",
        "security name",
        "exchange",
        "cqs symbol",
        "etf",
        "round lot size",
        "test issue",
        "nasdaq symbol",
    )

    def _row(self, line: int, raw: str, day: date, cells: list[str]) -> tuple[Any, ...] | None:
        _, name, code, cqs, etf, _, test, _ = cells
        if self._test_issue(test):
            return None
        exchange = OTHER_EXCHANGES.get(code)
        if exchange is None:
            raise RowError(f"Exchange: {code!r} is not one of {', '.join(OTHER_EXCHANGES)}")
        return self._record(line, raw, day, cqs, name, exchange, etf)
