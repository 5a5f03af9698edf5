"""Reading the first worksheet of a downloaded .xlsx as rows of text, as untrusted input.

An .xlsx is a zip of XML parts. The two this reads (`xl/worksheets/sheet1.xml` and, when there
is one, `xl/sharedStrings.xml`) are unpacked with `service/sync/archive.py` (bounded, whatever
their headers declare; member names never become paths) and parsed with defusedxml with DTDs
forbidden, streamed row by row. Cell values come back as the text the file holds: numbers as
written (a date is a serial day number unless the file stores it as text), shared and inline
strings resolved.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from service.errors import IngestError
from service.ingest.xmlfile import parse_events
from service.sync.archive import extract_member

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
MAX_PART_BYTES = 64 << 20
"""Largest worksheet or string table unpacked: a fund's 30-year daily history is well under 2 MB."""
MAX_COLUMNS = 256
_COLUMN = re.compile(r"^([A-Z]{1,3})\d+$")


def first_sheet_rows(path: Path) -> Iterator[list[str]]:
    """The rows of the workbook's first worksheet, each a list of cell texts by column."""
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{path.name}: not an .xlsx workbook ({exc})") from None
    if "xl/worksheets/sheet1.xml" not in names:
        raise IngestError(f"{path.name}: the workbook has no first worksheet (sheet1.xml)")
    with tempfile.TemporaryDirectory(prefix="shortflow-xlsx-") as scratch:
        strings: list[str] = []
        if "xl/sharedStrings.xml" in names:
            table = extract_member(
                path, "sharedStrings.xml", Path(scratch) / "strings.xml", max_bytes=MAX_PART_BYTES
            )
            strings = [_text(item) for item in _elements(table, f"{MAIN}si")]
        sheet = extract_member(
            path, "sheet1.xml", Path(scratch) / "sheet.xml", max_bytes=MAX_PART_BYTES
        )
        for row in _elements(sheet, f"{MAIN}row"):
            yield _cells(row, strings)


def _elements(path: Path, tag: str) -> Iterator[Element]:
    """Each `tag` element of the part once read whole, dropped after its caller is done."""
    for _, element in parse_events(str(path)):
        if element.tag == tag:
            yield element
            element.clear()


def _text(element: Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{MAIN}t"))


def _cells(row: Element, strings: list[str]) -> list[str]:
    cells: list[str] = []
    for cell in row.iter(f"{MAIN}c"):
        match = _COLUMN.match(cell.get("r", ""))
        if match:
            position = _column_index(match.group(1))
            if position >= MAX_COLUMNS:
                raise IngestError(f"a cell in column {match.group(1)}: not this layout")
            cells.extend([""] * (position - len(cells)))
        kind = cell.get("t", "n")
        value = cell.find(f"{MAIN}v")
        text = "" if value is None or value.text is None else value.text.strip()
        if kind == "s":
            if not text.isdigit() or int(text) >= len(strings):
                raise IngestError(f"a cell names shared string {text!r}, which does not exist")
            text = strings[int(text)].strip()
        elif kind == "inlineStr":
            text = _text(cell).strip()
        cells.append(text)
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1
