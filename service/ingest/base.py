"""What every input format shares: reading a file as numbered lines, rejecting bad rows with a
reason, parsing numbers and dates strictly, and the contract a format (and a source, which
groups the formats of one provider: `service/sources/`) implements.

A format turns a file into staging records (`records`), each a tuple in the order of its staging
columns, and rejects what it cannot read. The pipeline (`service/ingest/pipeline.py`) streams those
records into a temporary staging table with COPY, and then calls the format's `apply`, which runs
set-based SQL from staging into the real tables, in the same transaction.
"""

from __future__ import annotations

import io
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.results import ApplyResult, Rejection
from service.sync.plan import SyncSource

BOM = "\ufeff"
REPLACEMENT = "\ufffd"
NUL = "\x00"
_UNREADABLE = (
    (NUL, "the line holds a NUL character"),
    (REPLACEMENT, "the line is not valid UTF-8 text"),
)
BLOCK_CHARS = 1 << 20
MAX_RAW_CHARS = 2000

# Staging columns every format has: where the row came from, which security it names (and what
# the file says about that security, for creating it as first seen), and the resolved id.
COMMON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("line", "integer"),
    ("raw", "text"),
    ("dedupe_key", "text"),
    ("symbol", "text"),
    ("ref_date", "date"),
    ("name", "text"),
    ("market_class", "text"),
    ("sec_type", "text"),
    ("type_source", "text"),
)


class RowError(ValueError):
    """A row cannot be accepted; the message is the reason stored with it."""


class Rejects:
    """Rows a format could not accept, in file order."""

    def __init__(self) -> None:
        self.items: list[Rejection] = []

    def add(self, line: int, raw: str, reason: str) -> None:
        # Postgres text cannot hold NUL: kept verbatim, it would fail the run it explains.
        self.items.append(Rejection(line, raw[:MAX_RAW_CHARS].replace(NUL, "\\0"), reason))

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Counters:
    """Per-run tallies a format keeps while reading."""

    read: int = 0
    skipped: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class SourceFile:
    """A file read as numbered text lines (UTF-8, BOM stripped, line endings removed).

    Lines are decoded by the io layer in large chunks (fast) and streamed, so memory stays flat
    whatever the size of the file; progress is reported in bytes. Undecodable bytes become U+FFFD
    and such a line is rejected here, so one bad byte costs one row, not the file.
    """

    def __init__(
        self,
        path: Path,
        rejects: Rejects,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = path
        self.rejects = rejects
        self.on_progress = on_progress
        self.size = path.stat().st_size

    def batches(self) -> Iterator[tuple[int, list[str]]]:
        """(number of the first line, lines without endings) for blocks of about 1 MB.

        The fast path for the largest files: the io layer decodes and splits in C, and a block
        is checked for undecodable bytes once instead of line by line.
        """
        progress = self.on_progress
        number = 1
        carry = ""
        with (
            self.path.open("rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as handle,
        ):
            position = raw.tell
            while block := handle.read(BLOCK_CHARS):
                text = carry + block
                if number == 1:
                    text = text.removeprefix(BOM)
                lines = text.split("\n")
                carry = lines.pop()
                yield number, self._clean(number, text, lines)
                number += len(lines)
                if progress is not None:
                    progress(position())
        if carry:
            yield number, self._clean(number, carry, [carry])
        if progress is not None:
            progress(self.size)

    def _clean(self, first: int, text: str, lines: list[str]) -> list[str]:
        """Strip carriage returns; reject (and blank) lines holding undecodable bytes or NUL
        (which no text column can store: one such line would fail the whole file)."""
        if "\r" in text:
            lines = [line.rstrip("\r") for line in lines]
        for marker, reason in _UNREADABLE:
            if marker in text:
                for offset, line in enumerate(lines):
                    if marker in line:
                        self.rejects.add(first + offset, line, reason)
                        lines[offset] = ""
        return lines

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, line without its ending), streamed."""
        for first, lines in self.batches():
            yield from enumerate(lines, start=first)


@dataclass(frozen=True)
class Head:
    """The start of a file, for format detection: up to 40 non-blank lines, BOM stripped."""

    name: str
    lines: tuple[str, ...]

    @classmethod
    def read(cls, path: Path, limit: int = 40) -> Head:
        lines: list[str] = []
        with path.open("rb") as handle:
            for raw in handle:
                text = raw.decode("utf-8", errors="replace").removeprefix(BOM).strip()
                if text:
                    lines.append(text)
                if len(lines) >= limit:
                    break
        return cls(path.name, tuple(lines))

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""


@dataclass(frozen=True)
class IngestOptions:
    """Command-line options that change how a file is read."""

    index: str | None = None
    fund: str | None = None
    symbol: str | None = None
    facility: str | None = None


class Format(ABC):
    """One input layout. Subclasses declare their staging columns and the datasets they change."""

    name: ClassVar[str]
    kind: ClassVar[str]
    datasets: ClassVar[tuple[str, ...]]
    columns: ClassVar[tuple[tuple[str, str], ...]]
    affects_context: ClassVar[bool] = True
    """False: nothing the file brings can change short_interest_context (short volume, members)."""
    resolves_itself: ClassVar[bool] = False
    """True: `apply` maps symbols to securities itself, and the format rejects its own
    duplicates while parsing (the pipeline skips its duplicate scan, ANALYZE and UPDATE)."""
    copy_format: ClassVar[Literal["binary", "text"]] = "binary"
    """binary: `records` yields tuples (asyncpg encodes them); text: `records` yields lines in
    COPY text format, for the largest files, where encoding in Python costs more than parsing."""

    def __init__(self, path: Path, options: IngestOptions) -> None:
        self.path = path
        self.options = options
        self.counters = Counters()
        self.dates = DateParser("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y")
        self.today = date.today()

    @classmethod
    @abstractmethod
    def matches(cls, head: Head) -> bool:
        """True when the start of a file is in this layout."""

    def run_options(self) -> dict[str, str]:
        """Options that change what the same bytes mean (part of the idempotency key)."""
        return {}

    @classmethod
    def staging_columns(cls) -> tuple[tuple[str, str], ...]:
        return COMMON_COLUMNS + cls.columns

    @abstractmethod
    def records(self, source: SourceFile) -> Iterator[Any]:
        """Staging rows for the accepted rows (see `copy_format`); rejects go to
        `source.rejects`."""

    async def prepare(self, store: IngestStore) -> None:  # noqa: B027 - an optional hook
        """Runs before securities are created from staging (e.g. renames). Default: nothing."""

    def accepted(self, staged_rows: int) -> int:
        """Rows of the file accepted, given the rows left in staging (formats that pack rows
        into fewer staging rows count them themselves)."""
        return staged_rows

    @abstractmethod
    async def apply(self, store: IngestStore) -> ApplyResult:
        """Set-based SQL from the staging table into the real tables."""


@dataclass(frozen=True)
class Source:
    """One data source (`service/sources/<name>/`): the `shortflow ingest <kind>` command it
    serves and its input layouts."""

    name: str
    kind: str
    formats: tuple[type[Format], ...]
    help: str
    """The help text of `shortflow ingest <kind>`."""
    options: tuple[Callable[..., Any], ...] = ()
    """click options of `shortflow ingest <kind>` (IngestOptions fields)."""
    sync: SyncSource | None = None
    """How `shortflow sync` fetches the source's files (`sync.py` in its folder), if it can."""

    @property
    def datasets(self) -> tuple[str, ...]:
        """The cache datasets the source's ingests write (each needs a `dataset_version` row)."""
        return tuple(dict.fromkeys(d for fmt in self.formats for d in fmt.datasets))


# -- strict parsing ---------------------------------------------------------------------------

_SYMBOL = re.compile(r"^\S{1,24}$")
_MISSING = frozenset({"", "nan", "NaN", "NAN", "null", "NULL", "None", "-", "N/A", "n/a"})


def is_missing(text: str) -> bool:
    """Empty cells and the spellings files use for "no value" (NaN, null, -)."""
    return text.strip() in _MISSING


def parse_symbol(text: str, column: str = "symbol") -> str:
    symbol = text.strip()
    if not _SYMBOL.match(symbol):
        raise RowError(f"{column}: {text!r} is not a ticker symbol")
    return symbol


_CQS_PART = re.compile(r"p[A-Z]?|r|w|[./][A-Z]+")
_ROOT = re.compile(r"^[A-Z]+")


def finra_symbol(symbol: str) -> str:
    """A CQS spelling of a symbol (the symbol directory's `CQS Symbol`, FINRA's Reg SHO files)
    in the spelling of FINRA's short interest files, which key Shortflow's securities.

    FINRA's short interest files write the suffix without a separator: class B `BRK.B` (CQS 2025;
    `BRK/B` in 2016 and in FINRA's own Reg SHO files) is `BRKB`, preferred series D `BFSpD` is
    `BFSPRD`, warrants `ACHR.WS` are `ACHRWS`, units `JENA.U` `JENAU`, rights `JACSr` `JACSRT`
    (checked against the 2026-07 FINRA files). When-issued `w` becomes `WI` and a called issue's
    `/CL` is dropped (it is the same security), which no sample shows. Anything else after the root
    is a RowError, never a guess.
    """
    root = _ROOT.match(symbol)
    if root is None:
        raise RowError(f"symbol: {symbol!r} does not start with a letter")
    rest = symbol[root.end() :]
    parts = _CQS_PART.findall(rest)
    if "".join(parts) != rest:
        raise RowError(f"symbol: {symbol!r} has a suffix outside CQS symbology")
    spelled = [root.group()]
    for part in parts:
        if part.startswith("p"):
            spelled.append("PR" + part[1:])
        elif part == "r":
            spelled.append("RT")
        elif part == "w":
            spelled.append("WI")
        elif part[1:] != "CL":
            spelled.append(part[1:])
    return parse_symbol("".join(spelled))


def parse_int(text: str, column: str, *, separators: bool = False) -> int:
    """A non-negative whole number ("1,234" when `separators`; "1234.0" is accepted)."""
    cleaned = text.strip().replace(",", "") if separators else text.strip()
    try:
        value = int(cleaned)
    except ValueError:
        try:
            number = parse_float(text, column, separators=separators, allow_negative=True)
        except RowError:
            number = 0.5
        if not number.is_integer():
            raise RowError(f"{column}: {text!r} is not a whole number") from None
        value = int(number)
    if value < 0:
        raise RowError(f"{column}: {text!r} is negative")
    return value


def parse_float(
    text: str, column: str, *, separators: bool = False, allow_negative: bool = False
) -> float:
    """A finite decimal number; NaN and infinity are errors here (use `is_missing` first)."""
    cleaned = text.strip().replace(",", "") if separators else text.strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise RowError(f"{column}: {text!r} is not a finite number")
    if value < 0 and not allow_negative:
        raise RowError(f"{column}: {text!r} is negative")
    return value


def optional(text: str | None, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`parse(text, ...)`, or None when the cell is missing."""
    if text is None or is_missing(text):
        return None
    return parse(text, *args, **kwargs)


class DateParser:
    """Strict date parsing with a cache (files repeat the same few dates millions of times)."""

    def __init__(self, *formats: str) -> None:
        self.formats = formats or ("%Y-%m-%d",)
        self._cache: dict[str, date] = {}

    def __call__(self, text: str, column: str) -> date:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        cleaned = text.strip()
        for fmt in self.formats:
            try:
                value = datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
            if len(self._cache) < 100_000:
                self._cache[text] = value
            return value
        raise RowError(f"{column}: {text!r} is not a date ({' or '.join(self.formats)})")


def columns_by_name(
    header: Sequence[str],
    required: Mapping[str, tuple[str, ...]],
    optional_columns: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Map logical column names to positions, accepting aliases and any order.

    `required` / `optional_columns`: {logical name: (accepted header names, lower case)}.
    """
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    found: dict[str, int] = {}
    missing = []
    for logical, aliases in required.items():
        index = next((positions[a] for a in aliases if a in positions), None)
        if index is None:
            missing.append(" or ".join(aliases))
        else:
            found[logical] = index
    if missing:
        raise IngestError("the header lacks column(s): " + "; ".join(missing))
    for logical, aliases in (optional_columns or {}).items():
        index = next((positions[a] for a in aliases if a in positions), None)
        if index is not None:
            found[logical] = index
    return found


def header_names(line: str, delimiter: str = ",") -> list[str]:
    return [cell.strip().strip('"').lower() for cell in line.split(delimiter)]
