"""ETF holdings in the iShares download layout, with `--index CODE --fund SYMBOL`.

    \\ufeffiShares Russell 2000 ETF                    <- fund name
    Fund Holdings as of,"Jul 31, 2026"
    Shares Outstanding,"279,450,000.00"
    ...
    Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,...
    "BE","BLOOM ENERGY CLASS A CORP","Industrials","Equity","497,905,904.32","0.46",...
    "XTSLA","BLK CSH FND TREASURY SL AGENCY","Cash and/or Derivatives","Money Market",...
    <blank line>
    "The content contained herein ..."             <- disclaimer, ignored

A snapshot records the fund's shares outstanding (its share count on that date), its equity
positions, their prices, and defines the index's membership from its date until the next snapshot.
Non-equity rows (cash, futures, money market) and unlisted equity lines (Exchange `NO MARKET`, or
no ticker: CVRs, warrants) are skipped and counted, not rejected.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import (
    Format,
    Head,
    IngestOptions,
    RowError,
    SourceFile,
    columns_by_name,
    is_missing,
    optional,
    parse_float,
    parse_symbol,
)
from service.ingest.results import ApplyResult
from service.sources.index_members.format import INDEX_CODE

Q = queries.load_package("service.sources.holdings")

REQUIRED = {
    "ticker": ("ticker",),
    "name": ("name",),
    "asset_class": ("asset class",),
    "quantity": ("quantity", "shares"),
}
OPTIONAL = {
    "market_value": ("market value",),
    "weight": ("weight (%)", "weight"),
    "price": ("price",),
    "exchange": ("exchange",),
}
EQUITY = "equity"
NO_MARKET = "no market"
"""How the Exchange column starts for a line with no market ("NO MARKET (E.G. UNLISTED)")."""
AS_OF_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d", "%m/%d/%Y")


class IsharesHoldings(Format):
    name = "ishares-holdings"
    kind = "holdings"
    datasets = ("members", "securities", "prices")
    columns = (
        ("row_kind", "text"),
        ("shares_outstanding", "bigint"),
        ("quantity", "double precision"),
        ("market_value", "double precision"),
        ("weight", "double precision"),
        ("price", "double precision"),
    )

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        if not options.index or not options.fund:
            raise IngestError("holdings need --index CODE and --fund SYMBOL")
        if not INDEX_CODE.match(options.index):
            raise IngestError(f"--index: {options.index!r} is not an index code")
        self.index = options.index
        self.fund = parse_symbol(options.fund, "--fund")

    @classmethod
    def matches(cls, head: Head) -> bool:
        has_as_of = any(line.lower().startswith("fund holdings as of") for line in head.lines)
        has_header = any(line.lower().startswith("ticker,name,") for line in head.lines)
        return has_as_of and has_header

    def run_options(self) -> dict[str, str]:
        return {"index": self.index, "fund": self.fund}

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        preamble: dict[str, str] = {}
        fund_name: str | None = None
        at: dict[str, int] | None = None
        as_of: date | None = None
        in_rows = False
        for number, text in source.lines():
            try:
                cells = next(csv.reader([text])) if text.strip() else []
            except csv.Error as exc:
                source.rejects.add(number, text, f"not a CSV row: {exc}")
                continue
            if at is None:
                if not cells:
                    continue
                if cells[0].strip().lower() == "ticker":
                    at = columns_by_name([c.strip().lower() for c in cells], REQUIRED, OPTIONAL)
                    as_of = self._as_of(preamble)
                    yield self._fund_row(number, preamble, fund_name, as_of)
                elif len(cells) == 1 and fund_name is None and not preamble:
                    fund_name = cells[0].strip() or None
                elif len(cells) >= 2:
                    preamble[cells[0].strip().lower()] = cells[1].strip()
                continue
            if not cells or all(not c.strip() for c in cells):
                if in_rows:
                    break  # the blank line before the disclaimer ends the holdings
                continue
            in_rows = True
            self.counters.read += 1
            assert as_of is not None
            try:
                record = self._position(number, text, cells, at, as_of)
            except RowError as exc:
                source.rejects.add(number, text, str(exc))
                continue
            if record is None:
                self.counters.skipped += 1
            else:
                yield record
        if at is None:
            raise IngestError("the holdings file has no `Ticker,Name,...` header row")

    def _as_of(self, preamble: dict[str, str]) -> date:
        text = preamble.get("fund holdings as of")
        if not text:
            raise IngestError("the preamble lacks `Fund Holdings as of`")
        for fmt in AS_OF_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise IngestError(f"Fund Holdings as of: {text!r} is not a date")

    def _fund_row(
        self, line: int, preamble: dict[str, str], fund_name: str | None, as_of: date
    ) -> tuple[Any, ...]:
        shares_text = preamble.get("shares outstanding")
        try:
            shares = optional(shares_text, parse_float, "Shares Outstanding", separators=True)
        except RowError as exc:
            raise IngestError(str(exc)) from None
        return (
            line,
            None,
            None,
            self.fund,
            as_of,
            fund_name,
            None,
            "etf",
            "source",
            "fund",
            None if shares is None else round(shares),
            None,
            None,
            None,
            None,
        )

    def _position(
        self, line: int, raw: str, cells: list[str], at: dict[str, int], as_of: date
    ) -> tuple[Any, ...] | None:
        if len(cells) <= max(at.values()):
            raise RowError(f"expected at least {max(at.values()) + 1} fields, found {len(cells)}")
        if cells[at["asset_class"]].strip().lower() != EQUITY:
            return None  # cash, futures, money market: not a member of the index
        unlisted = "exchange" in at and cells[at["exchange"]].strip().lower().startswith(NO_MARKET)
        if unlisted or is_missing(cells[at["ticker"]]):
            # CVRs, warrants, a delisted company's shell: equity the fund holds but no security
            # anyone can trade, short or price (IWM on 2025-11-05: 6 lines, two of them both
            # "ADRO"), hence not a member of the index.
            self.counters.details["unlisted"] = self.counters.details.get("unlisted", 0) + 1
            return None
        ticker = parse_symbol(cells[at["ticker"]], "Ticker")
        quantity = parse_float(cells[at["quantity"]], "Quantity", separators=True)
        values = [
            optional(cells[at[name]], parse_float, name, separators=True) if name in at else None
            for name in ("market_value", "weight", "price")
        ]
        name = cells[at["name"]].strip() or None
        return (
            line,
            raw,
            ticker,
            ticker,
            as_of,
            name,
            None,
            "stock",
            None,
            "position",
            None,
            quantity,
            *values,
        )

    def accepted(self, staged_rows: int) -> int:
        return staged_rows - 1  # the fund's own row is not a row of the file's table

    async def apply(self, store: IngestStore) -> ApplyResult:
        await store.ensure_index(self.index)
        await store.execute(Q.upsert_snapshot, store.run_id, self.index)
        await store.execute(Q.clear_positions)
        positions = await store.execute(Q.insert_positions)
        await store.execute(Q.link_fund, store.run_id, self.index)
        await store.execute(Q.fund_share_count, store.run_id)
        bounds = await store.staged_range(Q.staged_range)
        if bounds is not None:
            await store.ensure_year_partitions("price_daily", *bounds)
        prices = await store.execute(Q.position_prices, store.run_id)
        await store.execute(Q.clear_holdings_membership, self.index)
        members = await store.execute(Q.rebuild_holdings_membership, self.index, store.run_id)
        return ApplyResult(
            changed={"positions": positions, "prices": prices, "membership_intervals": members},
            index_codes={self.index},
        )
