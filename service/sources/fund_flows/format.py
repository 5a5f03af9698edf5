"""Daily ETF fund flows: `date`, `symbol` (or `ticker`), and `flow_usd` and/or
`shares_outstanding` (or `shares`) with `nav` (or `price`).

A reported flow is stored as given. Where a day has share counts but no reported flow, the flow is
derived after loading: (shares outstanding - shares outstanding of the previous trading day) x NAV
of the day. An empty or NaN flow is missing data, never zero; a row with no data at all is skipped.
A share count dated on a weekend or NYSE holiday is kept as a share count but takes no part in
derived flows (counted as `non_trading_share_counts` in the run's summary): no session closed
that day, so it is nobody's "previous trading day" (PSLV's Saturday 2025-11-15 count differs from
both Friday's and Monday's, and made Monday's flow -$304M instead of 0).
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
    optional,
    parse_float,
    parse_int,
    parse_symbol,
)
from service.ingest.csvfile import cell, read_csv
from service.ingest.results import ApplyResult

Q = queries.load_package("service.sources.fund_flows")

REQUIRED = {"date": ("date",), "symbol": ("symbol", "ticker")}
OPTIONAL = {
    "flow": ("flow_usd", "flow"),
    "shares": ("shares_outstanding", "shares"),
    "nav": ("nav", "price"),
}


class FundFlows(Format):
    name = "fund-flows"
    kind = "fund-flows"
    datasets = ("flows", "securities")
    columns = (
        ("flow_usd", "double precision"),
        ("shares_outstanding", "bigint"),
        ("nav", "double precision"),
    )

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = set(header_names(head.first))
        has_symbol = bool(names & {"symbol", "ticker"})
        has_flow_data = bool(names & {"flow_usd", "flow", "shares_outstanding", "shares"})
        return "date" in names and has_symbol and has_flow_data and "close" not in names

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        return read_csv(source, self.counters, REQUIRED, OPTIONAL, self._row)

    def _row(
        self, line: int, raw: str, cells: list[str], at: dict[str, int]
    ) -> tuple[Any, ...] | None:
        day = self.dates(cells[at["date"]], "date")
        if day > self.today:
            raise RowError(f"date {day} is in the future")
        symbol = parse_symbol(cells[at["symbol"]])
        flow = optional(cell(cells, at, "flow"), parse_float, "flow_usd", allow_negative=True)
        shares = optional(cell(cells, at, "shares"), parse_int, "shares_outstanding")
        nav = optional(cell(cells, at, "nav"), parse_float, "nav")
        if nav is not None and nav <= 0:
            raise RowError(f"nav: {nav} must be positive")
        if flow is None and shares is None:
            return None  # missing data for this day: neither a flow nor a share count
        return (
            line,
            raw,
            f"{symbol}|{day}",
            symbol,
            day,
            None,
            None,
            "etf",
            "source",
            flow,
            shares,
            nav,
        )

    async def apply(self, store: IngestStore) -> ApplyResult:
        changed = await store.execute(Q.upsert_flows, store.run_id)
        shares = await store.execute(Q.upsert_share_counts, store.run_id)
        derived = await store.execute(Q.derive_flows)
        off_days = await store.fetchval(Q.non_trading_share_counts)
        return ApplyResult(
            changed={
                "flows": changed,
                "share_counts": shares,
                "derived_flows": derived,
                "non_trading_share_counts": off_days,
            }
        )
