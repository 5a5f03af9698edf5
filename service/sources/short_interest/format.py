"""FINRA equity short interest: the bulk file (`shrtYYYYMMDD.csv`, pipe-delimited, one settlement
date for the whole market) and the website's per-symbol export (quoted CSV, newest first).

Both become point-in-time versions (see `ingest_short_interest.sql`): each value is known from its
publication date on FINRA's schedule, and a row flagged `R` revises the previous settlement date.

A bulk file holds one settlement date: its name's (`shrt20260731.csv`), or, when the name carries
none, its first row's. A row of another date is rejected with the reason, never applied: stored
as a new value of an already published date, it would rewrite that date's history, and
corrections come only through FINRA's revision rule (a later file's `R` rows).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from service.analytics import calendar
from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.ingest.base import (
    Format,
    Head,
    RowError,
    SourceFile,
    columns_by_name,
    header_names,
    optional,
    parse_float,
    parse_int,
    parse_symbol,
)
from service.ingest.csvfile import read_csv
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.short_interest")

_ETF_NAME = re.compile(r"\bETF\b", re.IGNORECASE)
_BULK_NAME = re.compile(r"^shrt(\d{8})\b", re.IGNORECASE)
_SETTLEMENT_AT = 4
"""Position of the settlement date (`ref_date`) in a staging tuple."""

BULK_COLUMNS = {
    "symbol": ("symbolcode",),
    "name": ("issuename",),
    "market_class": ("marketclasscode",),
    "current": ("currentshortpositionquantity",),
    "previous": ("previousshortpositionquantity",),
    "split": ("stocksplitflag",),
    "adv": ("averagedailyvolumequantity",),
    "dtc": ("daystocoverquantity",),
    "revision": ("revisionflag",),
    "settlement": ("settlementdate",),
}

WEB_COLUMNS = {
    "settlement": ("settlement date",),
    "name": ("issue name",),
    "symbol": ("symbol",),
    "market_class": ("market",),
    "current": ("current short",),
    "previous": ("previous short",),
    "adv": ("avg daily vol",),
    "dtc": ("days to cover",),
    "revision": ("revision flag",),
}


@functools.cache
def _schedule(settlement: date) -> tuple[date, date]:
    """(publication date, previous settlement date) of a settlement date."""
    return calendar.publication_date(settlement), calendar.previous_settlement_date(settlement)


class ShortInterestFormat(Format):
    """What the two FINRA layouts share: staging columns and the point-in-time apply."""

    kind = "short-interest"
    datasets = ("short_interest", "securities")
    columns = (
        ("settlement_date", "date"),
        ("known_from", "date"),
        ("previous_settlement_date", "date"),
        ("short_interest", "bigint"),
        ("previous_short_interest", "bigint"),
        ("average_daily_volume", "bigint"),
        ("days_to_cover", "double precision"),
        ("split", "boolean"),
        ("previous_revised", "boolean"),
    )

    def stage(
        self,
        line: int,
        raw: str,
        cells: list[str],
        at: dict[str, int],
        today: date,
    ) -> tuple[Any, ...]:
        """One staging tuple from a row's cells; raises RowError with the reason."""
        symbol = parse_symbol(cells[at["symbol"]], "symbol")
        settlement = self.dates(cells[at["settlement"]], "settlement date")
        if settlement > today:
            raise RowError(f"settlement date {settlement} is in the future")
        current = parse_int(cells[at["current"]], "current short position", separators=True)
        previous = optional(
            cells[at["previous"]], parse_int, "previous short position", separators=True
        )
        adv = optional(cells[at["adv"]], parse_int, "average daily volume", separators=True)
        dtc = optional(cells[at["dtc"]], parse_float, "days to cover", separators=True)
        split = _flag(cells[at["split"]], "S", "stock split flag") if "split" in at else False
        revised = _flag(cells[at["revision"]], "R", "revision flag")
        name = cells[at["name"]].strip() or None
        market_class = cells[at["market_class"]].strip() or None
        published, previous_settlement = _schedule(settlement)
        guessed_type = "etf" if name and _ETF_NAME.search(name) else None
        return (
            line,
            raw,
            f"{symbol}|{settlement}",
            symbol,
            settlement,
            name,
            market_class,
            guessed_type,
            "guess" if guessed_type else None,
            settlement,
            published,
            previous_settlement,
            current,
            previous,
            adv,
            dtc,
            split,
            revised,
        )

    async def apply(self, store: IngestStore) -> ApplyResult:
        versions = await store.execute(Q.insert_versions, store.run_id, store.ingest_date)
        dates = {row["settlement_date"] for row in await store.fetch(Q.staged_settlement_dates)}
        revised = await store.fetch(Q.apply_revisions, store.run_id, sorted(dates))
        revised_dates = {row["settlement_date"] for row in revised}
        return ApplyResult(
            changed={"versions": versions, "revisions": len(revised)},
            settlement_dates=dates | revised_dates,
        )


def _flag(text: str, expected: str, column: str) -> bool:
    value = text.strip()
    if value == "":
        return False
    if value == expected:
        return True
    raise RowError(f"{column}: {text!r} is neither empty nor {expected!r}")


class FinraBulk(ShortInterestFormat):
    """`accountingYearMonthNumber|symbolCode|...|settlementDate`, pipe-delimited."""

    name = "finra-bulk"

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first, "|")
        return "symbolcode" in names and "currentshortpositionquantity" in names

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        today = date.today()
        lines = source.lines()
        at: dict[str, int] = {}
        width = 0
        file_date, origin = self.named_date(source.path.name)
        for number, text in lines:
            if not text.strip():
                continue
            if not at:
                header = header_names(text, "|")
                at = columns_by_name(header, BULK_COLUMNS)
                width = len(header)
                continue
            self.counters.read += 1
            cells = text.split("|")
            try:
                if len(cells) != width:
                    raise RowError(f"expected {width} fields separated by '|', found {len(cells)}")
                staged = self.stage(number, text, cells, at, today)
                settlement: date = staged[_SETTLEMENT_AT]
                if file_date is None:
                    file_date, origin = settlement, f"its first row, line {number}"
                elif settlement != file_date:
                    raise RowError(
                        f"settlement date {settlement} is not this file's settlement date "
                        f"{file_date} (from {origin}): a bulk file holds one date, and a value "
                        "of another date is not accepted as a correction"
                    )
                yield staged
            except RowError as exc:
                source.rejects.add(number, text, str(exc))

    def named_date(self, name: str) -> tuple[date | None, str]:
        """The settlement date FINRA's file name gives (`shrtYYYYMMDD.csv`), and where it came
        from; (None, "") when the name carries no date."""
        match = _BULK_NAME.match(name)
        if match is None:
            return None, ""
        try:
            named = self.dates(match.group(1), "file name")
        except RowError:
            return None, ""
        return named, f"the file name {name}"


class FinraWebExport(ShortInterestFormat):
    """FINRA website export: `"Settlement Date","Issue Name","Symbol",...,"Revision Flag"`."""

    name = "finra-web"

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first, ",")
        return "settlement date" in names and "current short" in names and "symbol" in names

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        return read_csv(
            source,
            self.counters,
            WEB_COLUMNS,
            {},
            lambda line, raw, cells, at: self.stage(line, raw, cells, at, self.today),
        )
