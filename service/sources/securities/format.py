"""Securities reference data: `symbol,name,type,market_class,shares_outstanding,float_shares,
as_of[,tracks_index][,previous_symbol]` (columns by name, any order).

- `type` is `stock` or `etf`; what this file says replaces any guess made from other sources.
- Share counts are recorded as of `as_of`.
- `tracks_index` links an ETF to the index it tracks (the ETF leg of index short exposure).
- `previous_symbol` records a symbol change on `as_of`: the security keeps its whole history under
  the new symbol, and rows that arrive later under the old symbol for earlier dates still find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.ingest.base import (
    Format,
    Head,
    RowError,
    SourceFile,
    header_names,
    is_missing,
    optional,
    parse_int,
    parse_symbol,
)
from service.ingest.csvfile import cell, read_csv
from service.ingest.results import ApplyResult
from service.sources.index_members.format import INDEX_CODE

Q = queries.load_package("service.sources.securities")

REQUIRED = {"symbol": ("symbol", "ticker")}
OPTIONAL = {
    "name": ("name",),
    "type": ("type",),
    "market_class": ("market_class",),
    "shares": ("shares_outstanding",),
    "float": ("float_shares", "float"),
    "as_of": ("as_of",),
    "tracks": ("tracks_index",),
    "previous": ("previous_symbol",),
}
TYPES = {"stock": "stock", "etf": "etf", "common stock": "stock", "fund": "etf"}


class Securities(Format):
    name = "securities"
    kind = "securities"
    datasets = ("securities",)
    columns = (
        ("shares_outstanding", "bigint"),
        ("float_shares", "bigint"),
        ("tracks_index", "text"),
        ("previous_symbol", "text"),
    )

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = set(header_names(head.first))
        return (
            bool(names & {"symbol", "ticker"})
            and bool(
                names & {"type", "float_shares", "market_class", "tracks_index", "previous_symbol"}
            )
            and "start_date" not in names
        )

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        return read_csv(source, self.counters, REQUIRED, OPTIONAL, self._row)

    def _row(self, line: int, raw: str, cells: list[str], at: dict[str, int]) -> tuple[Any, ...]:
        symbol = parse_symbol(cells[at["symbol"]])
        name = (cell(cells, at, "name") or "").strip() or None
        type_text = (cell(cells, at, "type") or "").strip().lower()
        sec_type = TYPES.get(type_text) if type_text else None
        if type_text and sec_type is None:
            raise RowError(f"type: {type_text!r} is neither 'stock' nor 'etf'")
        market_class = (cell(cells, at, "market_class") or "").strip() or None
        as_of = optional(cell(cells, at, "as_of"), self.dates, "as_of")
        if as_of is not None and as_of > self.today:
            raise RowError(f"as_of {as_of} is in the future")
        shares = optional(
            cell(cells, at, "shares"), parse_int, "shares_outstanding", separators=True
        )
        float_shares = optional(
            cell(cells, at, "float"), parse_int, "float_shares", separators=True
        )
        if (shares is not None or float_shares is not None) and as_of is None:
            raise RowError("share counts need an as_of date")
        if shares is not None and float_shares is not None and float_shares > shares:
            raise RowError(f"float_shares {float_shares} exceeds shares_outstanding {shares}")
        tracks = (cell(cells, at, "tracks") or "").strip() or None
        if tracks is not None and not INDEX_CODE.match(tracks):
            raise RowError(f"tracks_index: {tracks!r} is not an index code")
        previous_text = cell(cells, at, "previous")
        previous = (
            None
            if previous_text is None or is_missing(previous_text)
            else parse_symbol(previous_text, "previous_symbol")
        )
        if previous is not None and as_of is None:
            raise RowError("previous_symbol needs as_of (the first day of the new symbol)")
        if previous == symbol:
            previous = None
        return (
            line,
            raw,
            f"{symbol}|{as_of}",
            symbol,
            as_of,
            name,
            market_class,
            sec_type,
            "source" if sec_type else None,
            shares,
            float_shares,
            tracks,
            previous,
        )

    async def prepare(self, store: IngestStore) -> None:
        # Renames first, so the securities step finds the renamed security under its new symbol
        # instead of creating a second one.
        await store.execute(Q.create_former_symbols)
        await store.execute(Q.apply_renames)

    async def apply(self, store: IngestStore) -> ApplyResult:
        counts = await store.execute(Q.upsert_share_counts, store.run_id)
        indexes = [row["tracks_index"] for row in await store.fetch(Q.staged_tracked_indexes)]
        for code in indexes:
            await store.ensure_index(code)
        links = await store.execute(Q.link_tracking_funds, store.run_id)
        return ApplyResult(
            changed={"share_counts": counts, "tracking_links": links}, index_codes=set(indexes)
        )
