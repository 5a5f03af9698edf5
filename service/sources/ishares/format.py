"""An iShares fund download (`..._fund`, fileType=xls): its `Historical` worksheet, daily NAV per
share and shares outstanding since the fund's inception.

The file is an "XML Spreadsheet 2003" workbook (SpreadsheetML, not a binary .xls despite the
name), with worksheets `Disclaimers`, `Holdings`, ..., `Historical`:

    <ss:Worksheet ss:Name="Historical"><ss:Table>
    <ss:Row> As Of | NAV per Share | Ex-Dividends | Shares Outstanding </ss:Row>   <- header
    <ss:Row> "Dec 24, 2025" | 252.645908 | "--" | 304650000 </ss:Row>               <- newest first
    ...

Rows become fund-flow rows (shares outstanding and NAV of the day, no reported flow), so flows
are derived by the fund-flows rule (service/sources/fund_flows/queries.sql) and the counts are the
fund's share counts from the issuer's date. Downloaded files are untrusted: the XML is read with
defusedxml, which refuses a DTD (hence any entity, internal or external) before expanding
anything (service/ingest/xmlfile.py), and the worksheet is streamed, each row dropped once read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element

from service.errors import IngestError
from service.ingest.base import (
    DateParser,
    Head,
    IngestOptions,
    columns_by_name,
)
from service.ingest.xmlfile import parse_events
from service.sources.fund_flows.history import FundHistory

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
SHEET = "Historical"
REQUIRED = {
    "date": ("as of",),
    "nav": ("nav per share",),
    "shares": ("shares outstanding",),
}
BARE_AMPERSAND = re.compile(rb"&(?!(?:#[0-9]{1,8}|#x[0-9A-Fa-f]{1,8}|[A-Za-z_][\w.-]{0,31});)")
MAX_REFERENCE = 42
"""Longest `&...;` reference BARE_AMPERSAND leaves alone, with room to spare."""
READ_BYTES = 1 << 16


class IsharesFundHistory(FundHistory):
    name = "ishares-fund-history"
    kind = "ishares-fund"
    no_header = f"the {SHEET} worksheet has no header row"

    def __init__(self, path: Path, options: IngestOptions) -> None:
        super().__init__(path, options)
        self.dates = DateParser("%b %d, %Y")

    @classmethod
    def matches(cls, head: Head) -> bool:
        return head.first.startswith("<?xml") and any(
            "urn:schemas-microsoft-com:office:spreadsheet" in line for line in head.lines
        )

    def rows(self) -> Iterator[list[str]]:
        return _worksheet_rows(self.path, SHEET)

    def header(self, cells: list[str]) -> dict[str, int]:
        try:
            return columns_by_name([c.lower() for c in cells], REQUIRED)
        except IngestError as exc:
            raise IngestError(f"the {SHEET} worksheet: {exc.message}") from None

    def parse_date(self, text: str) -> date:
        return self.dates(text, "As Of")


class _Ampersands:
    """The file as a binary stream with every bare `&` escaped.

    iShares writes URLs into attributes as they are (`ss:HRef="...#!type=ishares&style=All"`),
    which makes its workbook not well-formed XML; an `&` that does not start a reference can only
    mean itself, so it becomes `&amp;`. References stay as they are: a named one other than the
    five of XML still fails the parse (no DTD may declare it)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.carry = b""

    def read(self, size: int = -1) -> bytes:
        while True:
            data = self.handle.read(size if size > 0 else READ_BYTES)
            block, self.carry = self.carry + data, b""
            if not data:
                return BARE_AMPERSAND.sub(b"&amp;", block)
            # A reference cut by the block's end is finished by the next block: hold it back.
            cut = block.rfind(b"&")
            if cut >= 0 and b";" not in block[cut:] and len(block) - cut <= MAX_REFERENCE:
                block, self.carry = block[:cut], block[cut:]
            if block:
                return BARE_AMPERSAND.sub(b"&amp;", block)


def _worksheet_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    """The cells of each row of one worksheet, as text, placed by `ss:Index` where a row skips
    cells. Other worksheets are read past and dropped, row by row."""
    inside = False
    found = False
    with path.open("rb") as handle:
        for event, element in parse_events(_Ampersands(handle), ("start", "end")):
            if event == "start":
                if element.tag == f"{SS}Worksheet":
                    inside = element.get(f"{SS}Name") == sheet
                    found = found or inside
                continue
            if element.tag == f"{SS}Row":
                if inside:
                    yield _cells(element)
                element.clear()
            elif element.tag == f"{SS}Worksheet":
                element.clear()
                if inside:
                    return
    if not found:
        raise IngestError(f"the workbook has no {sheet} worksheet")


def _cells(row: Element) -> list[str]:
    cells: list[str] = []
    for cell in row.iter(f"{SS}Cell"):
        index = cell.get(f"{SS}Index")
        if index is not None and index.isdigit():
            position = int(index) - 1
            if position > len(cells) + 256:
                raise IngestError(f"a row skips to cell {index}: not this layout")
            cells.extend([""] * (position - len(cells)))
        data = cell.find(f"{SS}Data")
        cells.append("" if data is None else "".join(data.itertext()).strip())
    return cells
