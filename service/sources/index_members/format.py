"""Index members: `index,symbol,start_date[,end_date][,weight]`.

A row makes the security a member of the index from `start_date` through `end_date` (inclusive;
open-ended when empty). Indexes are created as first seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.ingest.base import (
    Format,
    Head,
    RowError,
    SourceFile,
    header_names,
    optional,
    parse_float,
    parse_symbol,
)
from service.ingest.csvfile import cell, read_csv
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.index_members")

INDEX_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
REQUIRED = {
    "index": ("index", "index_code"),
    "symbol": ("symbol", "ticker"),
    "start": ("start_date", "start"),
}
OPTIONAL = {"end": ("end_date", "end"), "weight": ("weight",)}


class IndexMembers(Format):
    name = "index-members"
    kind = "index-members"
    datasets = ("members", "securities")
    affects_context = False
    columns = (
        ("index_code", "text"),
        ("valid_from", "date"),
        ("valid_to", "date"),
        ("weight", "double precision"),
    )

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = set(header_names(head.first))
        return bool(names & {"index", "index_code"}) and bool(names & {"start_date", "start"})

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        return read_csv(source, self.counters, REQUIRED, OPTIONAL, self._row)

    def _row(self, line: int, raw: str, cells: list[str], at: dict[str, int]) -> tuple[Any, ...]:
        index = cells[at["index"]].strip()
        if not INDEX_CODE.match(index):
            raise RowError(f"index: {index!r} is not an index code (letters, digits, . _ -)")
        symbol = parse_symbol(cells[at["symbol"]])
        start = self.dates(cells[at["start"]], "start_date")
        end = optional(cell(cells, at, "end"), self.dates, "end_date")
        if end is not None and end < start:
            raise RowError(f"end_date {end} is before start_date {start}")
        weight = optional(cell(cells, at, "weight"), parse_float, "weight")
        valid_to = end + timedelta(days=1) if end is not None else None
        return (
            line,
            raw,
            f"{index}|{symbol}|{start}",
            symbol,
            start,
            None,
            None,
            None,
            None,
            index,
            start,
            valid_to,
            weight,
        )

    async def apply(self, store: IngestStore) -> ApplyResult:
        codes = [row["index_code"] for row in await store.fetch(Q.staged_indexes)]
        for code in codes:
            await store.ensure_index(code)
        changed = await store.execute(Q.upsert_members, store.run_id)
        return ApplyResult(changed={"memberships": changed}, index_codes=set(codes))
