"""CFTC Traders in Financial Futures, futures only: the yearly file and the current week's.

Both are comma-separated with the same 87 columns (`HEADER`). The yearly file
(`FinFutYY.txt` inside `fut_fin_txt_YYYY.zip`) starts with the header row and is read by column
name; the current week's (`FinFutWk.txt`) has no header and is read by the known column order, so
a row with another number of columns fails the file: a column added or dropped would otherwise
shift every figure into the wrong field. Only the contracts mapped to an index (contracts.py) are
kept; the others (currencies, rates, VIX...) are counted as skipped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from typing import Any

from service.db import queries
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError
from service.ingest.base import (
    Format,
    Head,
    RowError,
    SourceFile,
    columns_by_name,
    header_names,
    parse_int,
)
from service.ingest.results import ApplyResult
from service.sources.cftc.contracts import CONTRACTS, multiplier_of, release_date

Q = queries.load_package("service.sources.cftc")

HEADER: tuple[str, ...] = (
    "Market_and_Exchange_Names", "As_of_Date_In_Form_YYMMDD", "Report_Date_as_YYYY-MM-DD",
    "CFTC_Contract_Market_Code", "CFTC_Market_Code", "CFTC_Region_Code", "CFTC_Commodity_Code",
    "Open_Interest_All", "Dealer_Positions_Long_All", "Dealer_Positions_Short_All",
    "Dealer_Positions_Spread_All", "Asset_Mgr_Positions_Long_All", "Asset_Mgr_Positions_Short_All",
    "Asset_Mgr_Positions_Spread_All", "Lev_Money_Positions_Long_All",
    "Lev_Money_Positions_Short_All", "Lev_Money_Positions_Spread_All",
    "Other_Rept_Positions_Long_All", "Other_Rept_Positions_Short_All",
    "Other_Rept_Positions_Spread_All", "Tot_Rept_Positions_Long_All",
    "Tot_Rept_Positions_Short_All", "NonRept_Positions_Long_All", "NonRept_Positions_Short_All",
    "Change_in_Open_Interest_All", "Change_in_Dealer_Long_All", "Change_in_Dealer_Short_All",
    "Change_in_Dealer_Spread_All", "Change_in_Asset_Mgr_Long_All", "Change_in_Asset_Mgr_Short_All",
    "Change_in_Asset_Mgr_Spread_All", "Change_in_Lev_Money_Long_All",
    "Change_in_Lev_Money_Short_All", "Change_in_Lev_Money_Spread_All",
    "Change_in_Other_Rept_Long_All", "Change_in_Other_Rept_Short_All",
    "Change_in_Other_Rept_Spread_All", "Change_in_Tot_Rept_Long_All",
    "Change_in_Tot_Rept_Short_All", "Change_in_NonRept_Long_All", "Change_in_NonRept_Short_All",
    "Pct_of_Open_Interest_All", "Pct_of_OI_Dealer_Long_All", "Pct_of_OI_Dealer_Short_All",
    "Pct_of_OI_Dealer_Spread_All", "Pct_of_OI_Asset_Mgr_Long_All", "Pct_of_OI_Asset_Mgr_Short_All",
    "Pct_of_OI_Asset_Mgr_Spread_All", "Pct_of_OI_Lev_Money_Long_All",
    "Pct_of_OI_Lev_Money_Short_All", "Pct_of_OI_Lev_Money_Spread_All",
    "Pct_of_OI_Other_Rept_Long_All", "Pct_of_OI_Other_Rept_Short_All",
    "Pct_of_OI_Other_Rept_Spread_All", "Pct_of_OI_Tot_Rept_Long_All",
    "Pct_of_OI_Tot_Rept_Short_All", "Pct_of_OI_NonRept_Long_All", "Pct_of_OI_NonRept_Short_All",
    "Traders_Tot_All", "Traders_Dealer_Long_All", "Traders_Dealer_Short_All",
    "Traders_Dealer_Spread_All", "Traders_Asset_Mgr_Long_All", "Traders_Asset_Mgr_Short_All",
    "Traders_Asset_Mgr_Spread_All", "Traders_Lev_Money_Long_All", "Traders_Lev_Money_Short_All",
    "Traders_Lev_Money_Spread_All", "Traders_Other_Rept_Long_All", "Traders_Other_Rept_Short_All",
    "Traders_Other_Rept_Spread_All", "Traders_Tot_Rept_Long_All", "Traders_Tot_Rept_Short_All",
    "Conc_Gross_LE_4_TDR_Long_All", "Conc_Gross_LE_4_TDR_Short_All", "Conc_Gross_LE_8_TDR_Long_All",
    "Conc_Gross_LE_8_TDR_Short_All", "Conc_Net_LE_4_TDR_Long_All", "Conc_Net_LE_4_TDR_Short_All",
    "Conc_Net_LE_8_TDR_Long_All", "Conc_Net_LE_8_TDR_Short_All", "Contract_Units",
    "CFTC_Contract_Market_Code_Quotes", "CFTC_Market_Code_Quotes", "CFTC_Commodity_Code_Quotes",
    "CFTC_SubGroup_Code", "FutOnly_or_Combined",
)  # fmt: skip
"""The columns of both files, in order (the yearly file's header row, byte for byte)."""

POSITIONS: dict[str, str] = {
    "open_interest": "open_interest_all",
    **{
        f"{group}_{side}": f"{prefix}_positions_{side}_all"
        for group, prefix in (
            ("dealers", "dealer"),
            ("asset_managers", "asset_mgr"),
            ("leveraged_funds", "lev_money"),
            ("other_reportables", "other_rept"),
        )
        for side in ("long", "short", "spread")
    },
}
"""Stored figure -> CFTC column (lower case): open interest and each trader group's long, short
and spread positions, in contracts."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "name": ("market_and_exchange_names",),
    "report_date": ("report_date_as_yyyy-mm-dd",),
    "code": ("cftc_contract_market_code",),
    "units": ("contract_units",),
    "kind": ("futonly_or_combined",),
    **{stored: (column,) for stored, column in POSITIONS.items()},
}

MAX_LINE_CHARS = 8192
"""A real row is under 1,000 characters; a longer line is refused before it is split."""

_ROW_START = re.compile(r'^"[^"]{1,200}",\d{6},\d{4}-\d{2}-\d{2},')


class _Tff(Format):
    kind = "cftc-tff"
    datasets = ("futures_positions",)
    resolves_itself = True
    affects_context = False
    columns = (
        ("contract_code", "text"),
        ("release_date", "date"),
        ("index_code", "text"),
        ("contract_units", "text"),
        ("multiplier", "numeric"),
        ("emini_equivalent", "numeric"),
        *((stored, "bigint") for stored in POSITIONS),
    )
    has_header = True

    def records(self, source: SourceFile) -> Iterator[tuple[Any, ...]]:
        at: dict[str, int] | None = None if self.has_header else _positions(HEADER)
        width = len(HEADER)
        seen: set[tuple[str, Any]] = set()
        for number, text in source.lines():
            if not text.strip():
                continue
            if len(text) > MAX_LINE_CHARS:
                raise IngestError(
                    f"{self.path.name} line {number}: {len(text):,} characters, over the limit "
                    f"of {MAX_LINE_CHARS:,} for a CFTC row"
                )
            cells = _cells(text, number)
            if at is None:
                at, width = _positions(cells), len(cells)
                continue
            if len(cells) != width:
                raise IngestError(
                    f"{self.path.name} line {number}: {len(cells)} columns where the "
                    f"{'header has' if self.has_header else 'known layout has'} {width}: the "
                    "layout changed, nothing was read"
                )
            self.counters.read += 1
            code = cells[at["code"]].strip()
            contract = CONTRACTS.get(code)
            if contract is None:
                self.counters.skipped += 1
                continue
            try:
                record = self._row(number, text, cells, at, contract.code, seen)
            except RowError as exc:
                source.rejects.add(number, text, str(exc))
                continue
            yield record

    def _row(
        self,
        number: int,
        text: str,
        cells: list[str],
        at: dict[str, int],
        code: str,
        seen: set[tuple[str, Any]],
    ) -> tuple[Any, ...]:
        contract = CONTRACTS[code]
        if cells[at["kind"]].strip() != "FutOnly":
            raise IngestError(
                f"{self.path.name} line {number}: {cells[at['kind']]!r} rows; Shortflow reads "
                "the futures-only report (FutOnly)"
            )
        units = cells[at["units"]].strip()
        multiplier = multiplier_of(units)
        if multiplier != contract.multiplier:
            raise IngestError(
                f"{self.path.name} line {number}: contract {code} ({contract.index}) has units "
                f"{units!r}, read as ${multiplier} per index point, where Shortflow maps it at "
                f"${contract.multiplier}: the contract's terms changed, nothing was read"
            )
        report = self.dates(cells[at["report_date"]], "Report_Date_as_YYYY-MM-DD")
        if report > self.today:
            raise RowError(f"Report_Date_as_YYYY-MM-DD: {report} is in the future")
        if (code, report) in seen:
            raise RowError(f"a second row for contract {code} on {report}")
        seen.add((code, report))
        figures = [parse_int(cells[at[stored]], column) for stored, column in POSITIONS.items()]
        name = " ".join(cells[at["name"]].split())
        return (
            number,
            text,
            None,
            None,
            report,
            name,
            None,
            None,
            None,
            code,
            release_date(report),
            contract.index,
            units,
            multiplier,
            contract.emini_equivalent,
            *figures,
        )

    async def apply(self, store: IngestStore) -> ApplyResult:
        for row in await store.fetch(Q.staged_indexes):
            await store.ensure_index(row["index_code"])
        changed = await store.execute(Q.upsert_positions, store.run_id)
        return ApplyResult(changed={"futures_positions": changed})


def _cells(text: str, number: int) -> list[str]:
    try:
        return next(csv.reader([text]))
    except csv.Error as exc:
        raise IngestError(f"line {number}: not a CSV row ({exc})") from None


def _positions(header: Sequence[str]) -> dict[str, int]:
    return columns_by_name([name.strip().lower() for name in header], REQUIRED)


class TffYearly(_Tff):
    """`FinFutYY.txt` of `fut_fin_txt_YYYY.zip`: the header row, then every report of the year."""

    name = "cftc-tff-yearly"

    @classmethod
    def matches(cls, head: Head) -> bool:
        names = header_names(head.first)
        return names[:1] == ["market_and_exchange_names"] and "cftc_contract_market_code" in names


class TffWeekly(_Tff):
    """`FinFutWk.txt`: the current week's rows, no header, the yearly file's column order."""

    name = "cftc-tff-weekly"
    has_header = False

    @classmethod
    def matches(cls, head: Head) -> bool:
        return bool(_ROW_START.match(head.first))
