"""Records to JSON objects and CSV rows, with the field lists of `service/rest/resources.py`.

A `Shape` is compiled once per resource class: the JSON projection reads the attributes the
resource declares from a `service.models` record (nested resources recursively), and the CSV
columns flatten the same fields: nested objects become prefixed columns
(`latest_short_interest_change`), lists of values are joined with ";" (`flags`), and lists of
named objects are pivoted into one column per name and field (`factor_days_to_cover_value`).
"""

from __future__ import annotations

import csv
import io
import types
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Union, get_args, get_origin

from service.rest.resources import Resource

Getter = Callable[[Any], Any]

CSV_CHUNK_ROWS = 500
"""Rows encoded per chunk of a streamed CSV body."""


def _resource_in(annotation: Any) -> tuple[type[Resource] | None, bool]:
    """(resource class, is a list) found in a field annotation such as `X | None`, `list[X]`."""
    origin = get_origin(annotation)
    if origin is list:
        inner, _ = _resource_in(get_args(annotation)[0])
        return inner, True
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            found, is_list = _resource_in(arg)
            if found is not None:
                return found, is_list
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, Resource):
        return annotation, False
    return None, False


def _is_value_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_value_list(arg) for arg in get_args(annotation))
    return origin is list


@dataclass(frozen=True)
class Column:
    header: str
    get: Getter


class Shape:
    """How one resource class is read from records: JSON objects and CSV columns."""

    def __init__(self, resource: type[Resource], pivots: Mapping[str, Sequence[str]]) -> None:
        self.resource = resource
        self._fields: list[tuple[str, Shape | None, bool]] = []
        for name, info in resource.model_fields.items():
            nested, is_list = _resource_in(info.annotation)
            self._fields.append((name, Shape(nested, pivots) if nested else None, is_list))
        self.columns = tuple(self._columns(pivots))

    def json(self, record: Any) -> dict[str, Any]:
        """The JSON object of `record` (orjson serialises dates, floats, bools and None)."""
        out: dict[str, Any] = {}
        for name, nested, is_list in self._fields:
            value = getattr(record, name)
            if nested is not None and value is not None:
                value = [nested.json(v) for v in value] if is_list else nested.json(value)
            out[name] = value
        return out

    def _columns(self, pivots: Mapping[str, Sequence[str]]) -> Iterable[Column]:
        for name, info in self.resource.model_fields.items():
            nested, is_list = _resource_in(info.annotation)
            get = _attribute(name)
            if nested is None:
                if _is_value_list(info.annotation):
                    yield Column(name, _compose(get, _joined))
                else:
                    yield Column(name, get)
            elif not is_list:
                for column in Shape(nested, pivots).columns:
                    yield Column(f"{name}_{column.header}", _compose(get, column.get))
            else:
                # A list of named objects (squeeze factors): one column per name and field.
                fields = [f for f in nested.model_fields if f != "name"]
                for item_name in pivots[name]:
                    for field in fields:
                        header = f"{name.rstrip('s')}_{item_name}_{field}"
                        yield Column(header, _compose(get, _named(item_name, field)))


def _attribute(name: str) -> Getter:
    def get(record: Any) -> Any:
        return None if record is None else getattr(record, name)

    return get


def _compose(first: Getter, then: Getter) -> Getter:
    return lambda record: then(first(record))


def _joined(values: Iterable[object] | None) -> str | None:
    return None if values is None else ";".join(str(v) for v in values)


def _named(item_name: str, field: str) -> Getter:
    def get(items: Iterable[Any] | None) -> Any:
        for item in items or ():
            if item.name == item_name:
                return getattr(item, field)
        return None

    return get


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection)."""


def csv_cell(value: object) -> str:
    """CSV text of a value: empty for null, true/false, ISO dates, shortest round-trip floats.

    Text that a spreadsheet would run as a formula (`=HYPERLINK(...)` in an issuer name, say) is
    prefixed with a single quote, as OWASP advises: the cell then shows the text. Numbers are
    written as they are: `-5` is a value, not text, and must stay a number for whoever sums it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return str(value)


def csv_text(shape: Shape, records: Iterable[Any], *, header: bool) -> str:
    """CSV lines of `records` (after a header row when `header`), CRLF-terminated (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow([column.header for column in shape.columns])
    getters = [column.get for column in shape.columns]
    for record in records:
        writer.writerow([csv_cell(get(record)) for get in getters])
    return buffer.getvalue()


async def csv_chunks(shape: Shape, records: Sequence[Any]) -> AsyncIterator[bytes]:
    """The CSV body (header row, then one row per record), encoded a chunk of rows at a time so
    a long series is never one big string."""
    yield csv_text(shape, (), header=True).encode()
    for start in range(0, len(records), CSV_CHUNK_ROWS):
        yield csv_text(shape, records[start : start + CSV_CHUNK_ROWS], header=False).encode()
