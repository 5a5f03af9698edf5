"""An issuer's daily history of one fund (date, NAV per share, shares outstanding), read as
fund-flow rows: no reported flow, so flows are derived by the fund-flows rule (queries.sql) and
the counts are the fund's share counts as of the issuer's dates.

What every issuer's history shares lives here: the fund named by `--fund` (the files name no
ticker, or name it where it cannot be trusted to match), rows checked the same way, and days the
issuer did not publish told apart from days without creations or redemptions.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from service.errors import IngestError
from service.ingest.base import (
    IngestOptions,
    RowError,
    SourceFile,
    is_missing,
    optional,
    parse_float,
    parse_int,
    parse_symbol,
)
from service.sources.fund_flows.format import FundFlows

MAX_CELL_CHARS = 64
"""Longest value a history cell holds ("Dec 24, 2025", "304650000"); a longer one is not a value
of these layouts."""
NOT_PUBLISHED = "--"
"""What the issuers write in a cell without a value (iShares' Ex-Dividends of most days)."""


@dataclass(frozen=True)
class Day:
    line: int
    raw: str
    day: date
    shares: int
    nav: float | None


class FundHistory(FundFlows):
    """A fund's daily history; a subclass reads its issuer's layout into `Day`s (`days`)."""

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        if not options.fund:
            raise IngestError(f"{self.name}: needs --fund SYMBOL, the fund the file is of")
        self.fund = parse_symbol(options.fund, "--fund")

    def run_options(self) -> dict[str, str]:
        return {"fund": self.fund}

    no_header: ClassVar[str]
    """The error for a file whose table never starts."""

    @abstractmethod
    def rows(self) -> Iterator[list[str]]:
        """The cells of each row of the file's table and of what comes above it, as text."""

    @abstractmethod
    def header(self, cells: list[str]) -> dict[str, int] | None:
        """For a row above the table, None; for its header, where `date`, `nav` and `shares`
        are. IngestError when a row says the file is not what was asked for."""

    @abstractmethod
    def parse_date(self, text: str) -> date:
        """The day a date cell names (RowError if it names none)."""

    def days(self, source: SourceFile) -> Iterator[Day]:
        """The table's days, in the file's order; bad rows go to `source.rejects`."""
        at: dict[str, int] | None = None
        for number, cells in enumerate(self.rows(), start=1):
            if not any(cells):
                continue
            if at is None:
                at = self.header(cells)
                continue
            self.counters.read += 1
            raw = "|".join(cells)
            try:
                day = self._day(number, raw, cells, at)
            except RowError as exc:
                source.rejects.add(number, raw, str(exc))
                continue
            if day is None:
                self.counters.skipped += 1
            else:
                yield day
        if at is None:
            raise IngestError(self.no_header)

    def _day(self, line: int, raw: str, cells: list[str], at: dict[str, int]) -> Day | None:
        """One row's values checked, or None for a day without a count (nothing to store)."""
        if len(cells) <= max(at.values()):
            raise RowError(f"expected {max(at.values()) + 1} cells, found {len(cells)}")
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            raise RowError(f"a cell of more than {MAX_CELL_CHARS} characters")
        day, nav, shares = self.parse_date(cells[at["date"]]), cells[at["nav"]], cells[at["shares"]]
        if day > self.today:
            raise RowError(f"date {day} is in the future")
        count = optional(_value(shares), parse_int, "shares outstanding", separators=True)
        price = optional(_value(nav), parse_float, "NAV", separators=True)
        if price is not None and price <= 0:
            raise RowError(f"NAV: {price} must be positive")
        return None if count is None else Day(line, raw, day, count, price)

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        previous: Day | None = None
        repeated = 0
        for day in sorted(self.days(source), key=lambda d: d.day):
            if previous is not None and (day.shares, day.nav) == (previous.shares, previous.nav):
                # The same count and the same NAV to the last decimal as the session before is
                # the previous publication carried forward, not a day without creations: the day
                # is left out, so that neither it nor the next one gets a flow (a zero here would
                # be a number nobody published).
                repeated += 1
                self.counters.skipped += 1
                continue
            previous = day
            yield (
                day.line,
                day.raw,
                f"{self.fund}|{day.day}",
                self.fund,
                day.day,
                None,
                None,
                "etf",
                "source",
                None,
                day.shares,
                day.nav,
            )
        self.counters.details["repeated_days"] = repeated


def _value(text: str) -> str | None:
    return None if text.strip() == NOT_PUBLISHED or is_missing(text) else text
