"""FINRA Reg SHO daily short sale volume: `{P}shvol{YYYYMMDD}.txt`, one file per day and facility.

    Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market
    20210604|A|97434|494|188426|B,Q,N
    9661                                   <- optional trailer: the number of records

Symbols are written as the SIP writes them (`BRK/B`, `ABRpA`, `AAC/WS`) and stored in FINRA short
interest's spelling (`BRKB`, `ABRPRA`, `AACWS`; `finra_symbol`), the spelling Shortflow's
securities are keyed by; a symbol outside CQS symbology is kept as written.

The facility (CNMS consolidated, FNSQ, FNQC, FNYX, FNRA, FORF) is not in the file's content: it
comes from `--facility` or from FINRA's file name. Rows are packed per symbol and month before
staging (see migration 0005): the parser keeps one month of rows in memory and flushes it when
the month changes, so memory stays flat for date-ordered files of any size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from datetime import date
from math import isfinite
from pathlib import Path

from asyncpg import CardinalityViolationError

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
    parse_float,
)
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.short_volume")

HEADER = ["date", "symbol", "shortvolume", "shortexemptvolume", "totalvolume", "market"]
FACILITIES = ("CNMS", "FNSQ", "FNQC", "FNYX", "FNRA", "FORF")
_FILE_NAME = re.compile(r"^(?P<facility>[A-Z]{4})shvol(?P<date>\d{8})", re.IGNORECASE)
# Volumes are sums of fractional shares in newer files; allow for their rounding.
TOLERANCE = 1e-6


# Characters that would need escaping in COPY text or inside an array literal; no symbol or market
# code has them, so a row holding one is rejected instead of escaped.
_UNSAFE = frozenset(' \t\\"{},')
_UNSAFE_MARKET = frozenset('\t\\"{}')


class RegSho(Format):
    name = "regsho"
    kind = "short-volume"
    copy_format = "text"
    resolves_itself = True
    affects_context = False
    datasets = ("short_volume", "securities")
    columns = (
        ("facility", "text"),
        ("month", "date"),
        ("days", "smallint[]"),
        ("short_volume", "double precision[]"),
        ("short_exempt_volume", "double precision[]"),
        ("total_volume", "double precision[]"),
        ("market", "text[]"),
    )

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        self.facility = self._facility(path, options)
        self.entries = 0
        self._flushed: set[date] = set()
        self.months_revisited = False

    @staticmethod
    def _facility(path: Path, options: IngestOptions) -> str:
        if options.facility:
            facility = options.facility.upper()
        else:
            match = _FILE_NAME.match(path.name)
            if match is None:
                raise IngestError(
                    f"{path.name}: cannot tell the reporting facility; name the file as FINRA "
                    f"does ({{FACILITY}}shvolYYYYMMDD.txt) or pass --facility "
                    f"({', '.join(FACILITIES)})"
                )
            facility = match.group("facility").upper()
        if facility not in FACILITIES:
            raise IngestError(f"unknown facility {facility!r}; expected one of {FACILITIES}")
        return facility

    @classmethod
    def matches(cls, head: Head) -> bool:
        return header_names(head.first, "|") == HEADER

    def run_options(self) -> dict[str, str]:
        # An empty FNRA file and an empty FNSQ file have the same bytes but mean different days.
        return {"facility": self.facility}

    def accepted(self, staged_rows: int) -> int:
        return self.entries

    def records(self, source: SourceFile) -> Iterator[str]:
        # The hot loop of the largest files (millions of rows), tuned by measurement: blocks of
        # lines split in C, one str.split per row, caches for the values that repeat (dates,
        # symbols, market codes), integer comparisons for the usual whole-number volumes, and the
        # descriptive checks of `_reason` only for rows that fail the fast ones. Values travel to
        # Postgres as the text they had in the file (COPY text, arrays as literals), so numbers
        # are converted only to check them. A symbol's rows are buffered per month as
        # {day: (line, short, exempt, total, market)}.
        rejects = source.rejects
        dates: dict[str, tuple[date, int]] = {}
        spellings: dict[str, str] = {}
        good_markets: set[str] = set()
        month: date | None = None
        buffer: dict[str, dict[int, tuple[int, str, str, str, str]]] = {}
        header_seen = False
        trailer: tuple[int, str] | None = None
        read = entries = 0
        for first, lines in source.batches():
            number = first - 1
            for text in lines:
                number += 1
                cells = text.split("|")
                if len(cells) != 6:
                    stripped = text.strip()
                    if not stripped:
                        continue
                    if not header_seen:
                        header_seen = True
                    elif stripped.isdigit() and trailer is None:
                        trailer = (number, stripped)
                    else:
                        read += 1
                        rejects.add(number, text, _reason(text))
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                if trailer is not None:
                    # A record count followed by more records was not the trailer.
                    rejects.add(trailer[0], trailer[1], "a lone number in the middle of the file")
                    trailer = None
                read += 1
                day_text, symbol, short, exempt, total, market = cells
                parsed = dates.get(day_text)
                if parsed is None:
                    try:
                        day = self.dates(day_text, "Date")
                    except RowError as exc:
                        rejects.add(number, text, str(exc))
                        continue
                    parsed = dates[day_text] = (day.replace(day=1), day.day)
                if text.isascii() and short.isdigit() and exempt.isdigit() and total.isdigit():
                    short_value = int(short)
                    valid = int(exempt) <= short_value <= int(total)
                else:
                    valid = _valid_decimals(text, short, exempt, total)
                spelled = spellings.get(symbol) or _spelled(symbol, spellings)
                if not (
                    valid
                    and spelled
                    and (market in good_markets or _good_market(market, good_markets))
                ):
                    rejects.add(number, text, _reason(text))
                    continue
                symbol = spelled
                if parsed[0] != month:
                    yield from self._flush(month, buffer)
                    month, buffer = parsed[0], {}
                rows = buffer.get(symbol)
                if rows is None:
                    rows = buffer[symbol] = {}
                elif parsed[1] in rows:
                    rejects.add(number, text, f"duplicate of line {rows[parsed[1]][0]}")
                    continue
                rows[parsed[1]] = (number, short, exempt, total, market)
                entries += 1
        yield from self._flush(month, buffer)
        self.counters.read, self.entries = read, entries
        if trailer is not None and int(trailer[1]) != read:
            rejects.add(
                trailer[0],
                trailer[1],
                f"the trailer counts {int(trailer[1])} records but the file has "
                f"{read}: the file may be truncated",
            )

    def _flush(
        self, month: date | None, buffer: dict[str, dict[int, tuple[int, str, str, str, str]]]
    ) -> Iterator[str]:
        """COPY text lines (one per symbol) for the month just read."""
        if month is None:
            return
        if month in self._flushed:
            self.months_revisited = True
        self._flushed.add(month)
        month_text = month.isoformat()
        middle = f"\t\\N\t\\N\t\\N\t\\N\t{self.facility}\t{month_text}\t{{"
        start = month_text[:8]
        for symbol, rows in buffer.items():
            if len(rows) == 1:  # a daily file: one day per symbol, no sorting or zipping
                ((day, (line, short1, exempt1, total1, market1)),) = rows.items()
                yield (
                    f"{line}\t\\N\t\\N\t{symbol}\t{start}{day:02d}{middle}{day}}}\t{{{short1}}}\t"
                    f'{{{exempt1}}}\t{{{total1}}}\t{{"{market1}"}}\n'
                )
                continue
            days = sorted(rows)
            lines, short, exempt, total, market = zip(*[rows[day] for day in days], strict=True)
            markets = '","'.join(market)
            yield (
                f"{lines[0]}\t\\N\t\\N\t{symbol}\t{start}{days[0]:02d}"
                f"{middle}{','.join(map(str, days))}}}\t{{{','.join(short)}}}\t"
                f'{{{",".join(exempt)}}}\t{{{",".join(total)}}}\t{{"{markets}"}}\n'
            )

    async def apply(self, store: IngestStore) -> ApplyResult:
        # Fast path: resolve symbols inside the upsert (no update of wide staging rows). It only
        # works when each security-month is one staging row; a file out of date order (seen while
        # parsing) or two symbols of one renamed security in a month take the slow path.
        if not self.months_revisited:
            try:
                async with store.savepoint():
                    changed = await store.fetchval(Q.upsert_months)
                return ApplyResult(changed={"months": changed, "entries": self.entries})
            except CardinalityViolationError:
                pass
        await store.resolve_securities()
        if await store.fetchval(Q.split_keys):
            clashes = await store.fetch(Q.clashing_days)
            if clashes:
                listed = "; ".join(
                    f"{row['symbol']} on {row['date']} (lines {', '.join(map(str, row['lines']))})"
                    for row in clashes
                )
                raise IngestError(
                    f"the same symbol and day appear twice, far apart in the file: {listed}. "
                    "Files in date order have such duplicates rejected row by row."
                )
            await store.execute(Q.join_split_keys)
        changed = await store.fetchval(Q.upsert_months)
        return ApplyResult(changed={"months": changed, "entries": self.entries})


def _valid_decimals(text: str, short: str, exempt: str, total: str) -> bool:
    """The slower check for fractional volumes: finite decimals with exempt <= short <= total."""
    if not text.isascii() or "_" in text:
        return False  # float() takes "1_000" and non-ASCII digits; Postgres would not
    try:
        short_value, exempt_value, total_value = float(short), float(exempt), float(total)
    except ValueError:
        return False
    return (
        isfinite(total_value)
        and 0.0 <= exempt_value <= short_value + TOLERANCE
        and short_value <= total_value + TOLERANCE
    )


def _spelled(symbol: str, spellings: dict[str, str]) -> str:
    """The symbol in FINRA short interest's spelling (`BRK/B` -> `BRKB`, `ABRpA` -> `ABRPRA`,
    `AAC/WS` -> `AACWS`: `finra_symbol`), so a Reg SHO row names the security the short interest
    files created; a symbol outside CQS symbology is kept as written. "" when it is no ticker."""
    if not (0 < len(symbol) <= 24 and _UNSAFE.isdisjoint(symbol)):
        return ""
    spelled = symbol
    if not symbol.isalpha() or not symbol.isupper():
        with suppress(RowError):  # outside CQS symbology: kept as written
            spelled = finra_symbol(symbol)
    spellings[symbol] = spelled
    return spelled


def _good_market(market: str, good: set[str]) -> bool:
    if _UNSAFE_MARKET.isdisjoint(market):
        good.add(market)
        return True
    return False


def _reason(text: str) -> str:
    """Why a row failed the fast checks, found again with the descriptive (slow) parsers."""
    cells = text.split("|")
    try:
        if len(cells) != 6:
            raise RowError(f"expected 6 fields separated by '|', found {len(cells)}")
        DateParser("%Y%m%d", "%Y-%m-%d")(cells[0], "Date")
        symbol = cells[1]
        if not (0 < len(symbol) <= 24 and _UNSAFE.isdisjoint(symbol)):
            raise RowError(f"Symbol: {symbol!r} is not a ticker symbol")
        short = parse_float(cells[2], "ShortVolume")
        exempt = parse_float(cells[3], "ShortExemptVolume")
        total = parse_float(cells[4], "TotalVolume")
        if exempt > short + TOLERANCE:
            raise RowError("ShortExemptVolume exceeds ShortVolume (which includes it)")
        if short > total + TOLERANCE:
            raise RowError("ShortVolume exceeds TotalVolume")
        if "_" in cells[2] + cells[3] + cells[4] or not text.isascii():
            raise RowError("volumes must be plain decimal numbers (ASCII digits, no '_')")
        if not _UNSAFE_MARKET.isdisjoint(cells[5]):
            raise RowError(f"Market: {cells[5]!r} holds characters no market code has")
    except RowError as exc:
        return str(exc)
    return "the row is not in the Reg SHO layout"
