"""Reading the comma-separated formats: a header row naming the columns (any order, aliases),
then data rows, each parsed into staging tuples or rejected with its line and reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from service.ingest.base import Counters, RowError, SourceFile, columns_by_name

RowParser = Callable[[int, str, list[str], dict[str, int]], tuple[Any, ...] | None]
"""(line number, raw text, cells, column positions) -> staging tuple, or None to skip the row."""


def read_csv(
    source: SourceFile,
    counters: Counters,
    required: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]],
    parse_row: RowParser,
) -> Iterator[tuple[Any, ...]]:
    """Staging tuples of a CSV file whose first non-blank line is its header."""
    at: dict[str, int] | None = None
    for number, text in source.lines():
        if not text or text.isspace():
            continue
        if '"' in text:
            try:
                cells = next(csv.reader([text]))
            except csv.Error as exc:
                source.rejects.add(number, text, f"not a CSV row: {exc}")
                continue
        else:
            cells = text.split(",")  # no quotes: a plain split is the same, and much faster
        if at is None:
            at = columns_by_name([cell.strip().lower() for cell in cells], required, optional)
            continue
        counters.read += 1
        try:
            if len(cells) <= max(at.values()):
                raise RowError(
                    f"expected at least {max(at.values()) + 1} fields, found {len(cells)}"
                )
            record = parse_row(number, text, cells, at)
        except RowError as exc:
            source.rejects.add(number, text, str(exc))
            continue
        if record is None:
            counters.skipped += 1
        else:
            yield record


def cell(cells: list[str], at: dict[str, int], name: str) -> str | None:
    """The text of an optional column, or None when the file has no such column."""
    index = at.get(name)
    return None if index is None else cells[index]
