"""SEC EDGAR's JSON: `company_tickers.json` (ticker -> CIK) and a company's `companyfacts`.

company_tickers.json: `{"0": {"cik_str": 1045810, "ticker": "NVDA", "title": "NVIDIA CORP"},
...}`, one entry per listed line (a company with two classes or a preferred has several).

companyfacts (`/api/xbrl/companyfacts/CIK##########.json`): `{"cik": ..., "entityName": ...,
"facts": {"dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [fact, ...]}}},
"us-gaap": {...}}}`, each fact `{"end", "val", "accn", "fy", "fp", "form", "filed"[, "frame"]}`:
the count on the filing's cover page, as of `end`, in the filing `accn` accepted on `filed`.

What is read, and what is not:
- A filing tagging several counts with the same `end` reports one count per class of stock, and
  companyfacts does not say which class each is (the class is an XBRL dimension it leaves out):
  every such fact is rejected with that reason. A wrong class's count is worse than none.
- A count is stored as of its `filed` date, the day it became known, so that no metric uses it for
  an earlier date. A fact filed after a newer one (an amendment repeating an older cover) is
  skipped: on its filing day a newer count was already known.
- A missing key, an unknown unit or a document that is not this shape fails the file (the layout
  changed); a fact with a bad value is rejected with the reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import DateParser, Format, Head, IngestOptions, RowError, SourceFile
from service.ingest.jsonfile import read_json
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.sec")

CONCEPT = "EntityCommonStockSharesOutstanding"
TICKER_KEYS = ("cik_str", "ticker", "title")
FACT_KEYS = ("end", "val", "accn", "form", "filed")

_TICKER = re.compile(r"^[A-Za-z0-9]{1,10}(?:[.\-][A-Za-z0-9]{1,4}){0,2}$")
_ACCN = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_TICKERS_HEAD = re.compile(r'^\{\s*"0"\s*:\s*\{\s*"cik_str"\s*:')
_FACTS_HEAD = re.compile(r'^\{\s*"cik"\s*:\s*\d+\s*,\s*"entityName"\s*:')

# SEC writes a line's suffix after a dash (`BAC-PE`, `GRP-UN`); FINRA, whose short interest names
# Shortflow's securities, writes the same lines as `BACPRE`, `GRPU`. (FINRA's suffix, whether the
# line is a common stock.) A single letter is a class of common stock (`BRK-B`, FINRA `BRKB`).
_SUFFIXES: tuple[tuple[re.Pattern[str], str, bool], ...] = (
    (re.compile(r"^P([A-Z]?)$"), r"PR\1", False),  # preferred, with its series
    (re.compile(r"^(?:W|WS|WT)$"), "W", False),  # warrant
    (re.compile(r"^(?:U|UN)$"), "U", False),  # unit
    (re.compile(r"^(?:R|RT)$"), "R", False),  # right
    (re.compile(r"^([A-Z])$"), r"\1", True),  # class of common stock
)


def shortflow_symbol(ticker: str) -> tuple[str, bool]:
    """(SEC's ticker in FINRA's spelling, whether it is a common-stock line).

    A suffix SEC's spelling does not make plain is taken as not common: such a line is never given
    a company's common-stock count."""
    upper = ticker.upper()
    base, dash, suffix = upper.partition("-")
    if not dash:
        return upper.replace(".", ""), True
    for pattern, replacement, common in _SUFFIXES:
        if pattern.match(suffix):
            return base + pattern.sub(replacement, suffix), common
    return base + suffix.replace("-", ""), False


def _head_text(head: Head) -> str:
    return "".join(head.lines)[:400]


def _layout(name: str, what: str) -> IngestError:
    return IngestError(f"{name}: {what}: the layout changed; the file is kept, nothing applied")


class CompanyTickers(Format):
    name = "sec-company-tickers"
    kind = "sec-company-tickers"
    datasets = ("securities",)
    resolves_itself = True
    affects_context = False
    columns = (
        ("ticker", "text"),
        ("cik", "bigint"),
        ("title", "text"),
        ("shortflow_symbol", "text"),
        ("common", "boolean"),
    )

    @classmethod
    def matches(cls, head: Head) -> bool:
        return bool(_TICKERS_HEAD.match(_head_text(head)))

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        document = read_json(source.path)
        if not isinstance(document, dict):
            raise _layout(source.path.name, "not an object of numbered entries")
        seen: dict[str, int] = {}
        for line, entry in enumerate(document.values(), start=1):
            if not isinstance(entry, dict) or any(key not in entry for key in TICKER_KEYS):
                raise _layout(source.path.name, f"entry {line} lacks one of {TICKER_KEYS}")
            self.counters.read += 1
            raw = json.dumps(entry)
            try:
                record = self._record(line, raw, entry, seen)
            except RowError as exc:
                source.rejects.add(line, raw, str(exc))
                continue
            yield record
        if source.on_progress is not None:
            source.on_progress(source.size)

    @staticmethod
    def _record(
        line: int, raw: str, entry: Mapping[str, Any], seen: dict[str, int]
    ) -> tuple[Any, ...]:
        cik, ticker, title = (entry[key] for key in TICKER_KEYS)
        if not isinstance(cik, int) or isinstance(cik, bool) or cik <= 0:
            raise RowError(f"cik_str: {cik!r} is not a CIK")
        if not isinstance(ticker, str) or not _TICKER.match(ticker):
            raise RowError(f"ticker: {ticker!r} is not a ticker symbol")
        if not isinstance(title, str):
            raise RowError(f"title: {title!r} is not text")
        if ticker in seen:
            raise RowError(f"ticker {ticker} is listed again (first in entry {seen[ticker]})")
        seen[ticker] = line
        symbol, common = shortflow_symbol(ticker)
        title_text = title.strip() or None
        return (line, raw, ticker, None, None, None, None, None, None,
                ticker, cik, title_text, symbol, common)  # fmt: skip

    async def apply(self, store: IngestStore) -> ApplyResult:
        tickers = await store.execute(Q.upsert_tickers, store.run_id, store.ingest_date)
        return ApplyResult(changed={"sec_tickers": tickers})


class CompanyFacts(Format):
    name = "sec-companyfacts"
    kind = "sec-companyfacts"
    datasets = ("securities",)
    resolves_itself = True
    columns = (
        ("cik", "bigint"),
        ("accn", "text"),
        ("end_date", "date"),
        ("form", "text"),
        ("shares", "bigint"),
    )

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        self.cik = 0

    @classmethod
    def matches(cls, head: Head) -> bool:
        return bool(_FACTS_HEAD.match(_head_text(head)))

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        name = source.path.name
        document = read_json(source.path)
        if not isinstance(document, dict) or not isinstance(document.get("facts"), dict):
            raise _layout(name, "no `facts` object")
        cik = document.get("cik")
        if not isinstance(cik, int) or isinstance(cik, bool) or cik <= 0:
            raise _layout(name, f"`cik` {cik!r} is not a CIK")
        self.cik = cik
        facts = self._facts(name, document["facts"])
        dates = DateParser("%Y-%m-%d")
        parsed: list[tuple[int, str, date, date, str, str, int]] = []
        for line, fact in enumerate(facts, start=1):
            self.counters.read += 1
            raw = json.dumps(fact)
            try:
                parsed.append((line, raw, *self._fact(fact, dates)))
            except RowError as exc:
                source.rejects.add(line, raw, str(exc))
        yield from self._single_class(parsed, source)
        if source.on_progress is not None:
            source.on_progress(source.size)

    @staticmethod
    def _facts(name: str, facts: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The cover-page share-count facts (none when the company tags none)."""
        dei = facts.get("dei", {})
        concept = dei.get(CONCEPT) if isinstance(dei, dict) else None
        if concept is None:
            return []
        units = concept.get("units") if isinstance(concept, dict) else None
        if not isinstance(units, dict) or set(units) != {"shares"}:
            found = sorted(units) if isinstance(units, dict) else units
            raise _layout(name, f"{CONCEPT} has units {found!r}, not only 'shares'")
        shares = units["shares"]
        if not isinstance(shares, list):
            raise _layout(name, f"{CONCEPT} shares is not a list of facts")
        for index, fact in enumerate(shares, start=1):
            if not isinstance(fact, dict) or any(key not in fact for key in FACT_KEYS):
                raise _layout(name, f"{CONCEPT} fact {index} lacks one of {FACT_KEYS}")
        return shares

    @staticmethod
    def _fact(fact: Mapping[str, Any], dates: DateParser) -> tuple[date, date, str, str, int]:
        """(end, filed, accn, form, shares) of one fact, or RowError."""
        for key in ("end", "filed", "accn", "form"):
            if not isinstance(fact[key], str):
                raise RowError(f"{key}: {fact[key]!r} is not text")
        end, filed = dates(fact["end"], "end"), dates(fact["filed"], "filed")
        if filed < end:
            raise RowError(f"filed {filed} is before the date {end} it describes")
        if not _ACCN.match(fact["accn"]):
            raise RowError(f"accn: {fact['accn']!r} is not an accession number")
        value = fact["val"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RowError(f"val: {fact['val']!r} is not a share count")
        return end, filed, fact["accn"], fact["form"].strip(), value

    def _single_class(
        self, parsed: list[tuple[int, str, date, date, str, str, int]], source: SourceFile
    ) -> Iterator[tuple[Any, ...]]:
        """Staging rows of the counts that name the company's one class, in filing order."""
        classes = Counter((accn, end) for _, _, end, _, accn, _, _ in parsed)
        newest: date | None = None
        multi = skipped = 0
        for line, raw, end, filed, accn, form, shares in sorted(parsed, key=_filing_order):
            if classes[accn, end] > 1:
                multi += 1
                source.rejects.add(
                    line,
                    raw,
                    f"filing {accn} tags {classes[accn, end]} share counts as of {end}, one per "
                    "class of stock, without saying which class each is: none is attached",
                )
                continue
            if newest is not None and end < newest:
                skipped += 1
                continue
            newest = end
            yield (line, raw, None, None, filed, None, None, None, None,
                   self.cik, accn, end, form, shares)  # fmt: skip
        self.counters.skipped = skipped
        self.counters.details.update(multi_class_facts=multi)

    async def apply(self, store: IngestStore) -> ApplyResult:
        await store.execute(Q.attach_company)
        facts = await store.execute(Q.upsert_facts, store.run_id)
        counts = await store.execute(Q.upsert_share_counts, store.run_id)
        return ApplyResult(changed={"sec_share_facts": facts, "share_counts": counts})


def _filing_order(fact: tuple[int, str, date, date, str, str, int]) -> tuple[date, date, str]:
    _, _, end, filed, accn, _, _ = fact
    return filed, end, accn
