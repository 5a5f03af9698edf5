"""A State Street SPDR fund's NAV history (`navhist-us-en-{ticker}.xlsx`): daily NAV and shares
outstanding.

No real file was available when this was written: the layout below is the one State Street
describes for the download (date, NAV, shares outstanding, with the fund named above the table)
and the reader is strict about it, so a file laid out otherwise fails loudly instead of being
guessed at:

    Fund Name:      | SPDR® S&P 500® ETF Trust
    Ticker Symbol:  | SPY
    <blank>
    Date            | NAV    | Shares Outstanding | Total Net Assets   <- header (by name)
    24-Dec-2025     | 690.38 | 1,032,682,116      | 712,951,000,000    <- dates as text or serials

The `Ticker Symbol:` above the table, when there, must be the `--fund` the file was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from service.errors import IngestError
from service.ingest.base import (
    DateParser,
    Head,
    IngestOptions,
    columns_by_name,
)
from service.ingest.xlsx import first_sheet_rows
from service.sources.fund_flows.history import FundHistory

REQUIRED = {"date": ("date",), "nav": ("nav",), "shares": ("shares outstanding",)}
TICKER_LABEL = "ticker symbol:"
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's serial dates (1900 system, after its leap-year bug)."""
_SERIAL = re.compile(r"^\d{4,6}(\.0+)?$")


class SpdrNavHistory(FundHistory):
    name = "spdr-navhist"
    kind = "spdr-navhist"
    no_header = "no `Date, NAV, Shares Outstanding` header row in the first sheet"

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        self.text_dates = DateParser("%d-%b-%Y", "%m/%d/%Y", "%Y-%m-%d", "%b %d, %Y")

    @classmethod
    def matches(cls, head: Head) -> bool:
        # An .xlsx is a zip whose first member is [Content_Types].xml.
        return head.first.startswith("PK") and "[Content_Types].xml" in head.first

    def rows(self) -> Iterator[list[str]]:
        return first_sheet_rows(self.path)

    def header(self, cells: list[str]) -> dict[str, int] | None:
        """The header's columns once the header row comes; checks the fund named above it."""
        names = [c.strip().lower() for c in cells]
        if names[0] == TICKER_LABEL and len(cells) > 1 and cells[1].strip() != self.fund:
            raise IngestError(f"the file is {cells[1].strip()!r}'s history, not --fund {self.fund}")
        if not {"date", "nav"} <= set(names):
            return None
        return columns_by_name(names, REQUIRED)

    def parse_date(self, text: str) -> date:
        if _SERIAL.match(text):
            return EXCEL_EPOCH + timedelta(days=int(float(text)))
        return self.text_dates(text, "Date")
