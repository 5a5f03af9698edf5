"""A list's JSON built by Postgres, for selections whose fields are all plain leaves.

A 240-point series costs Python more per row than the request costs in all (measured with
py-spy, docs/benchmarks.md "Postgres-built JSON"): asyncpg decodes every column of every row,
a record is built per row, the executor completes it and orjson writes it. When the fields a
GraphQL selection asks of a list's items are all leaves read straight from the record's columns
(service/graphql/execution.py decides that, as for its compiled completers), the query can
return each row as the JSON text the executor would have written, and Python joins the texts.
Postgres then computes only the columns selected (a view's other metrics are left out), and
aggregates the list into one row (`wrap`): the items' keys as one array, their texts as one
text, so Python decodes two values for the whole list, not a record per item.

The answer must stay byte-identical to the standard path's (orjson over the completed values),
so each leaf's text is built the way orjson writes the value Python would hold:

- Date: `"YYYY-MM-DD"` (`to_json`: ISO 8601 whatever the session's DateStyle); Int, BigInt: the
  digits;
- Float: Postgres's shortest round-trip digits (`float8out` with `extra_float_digits` 1, pinned
  for every pooled connection in service/db/pool.py), with `.0` added to an integral value as
  orjson writes it; a value Postgres writes with an exponent, NaN or an infinity is not safe;
- String: `to_json` (escapes as orjson does: `"`, `\\`, `\\b \\f \\n \\r \\t`, other control
  characters as lowercase `\\u00XX`, everything else as UTF-8);
- Boolean: true/false; an enum: its name by value (a value without a name is not safe); a list
  of strings or of enums: a JSON array of them (a null element is not safe);
- `__typename`: the type's name; null where the field is nullable.

Each row also says whether every leaf of it was safe: a value out of the rules above (an Int
out of 32 bits, a null in a non-null field, an unknown enum value, a float written with an
exponent) makes the caller take the standard path instead, which then answers as it always has
(the value, or the specification's error for it). tests/db/test_json_rows.py compares the two
paths byte for byte over the demo data and edge values.

The SQL text is generated here, the one place Python writes SQL (docs/decisions.md): column
names come from service.models records, response keys are GraphQL names (checked against the
name grammar), enum values are quoted as SQL literals, and nothing else enters the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import orjson

from service.db import rows

T = TypeVar("T")

KINDS = ("Date", "Int", "BigInt", "Float", "String", "Boolean", "Enum", "Typename")
"""The leaves built in SQL (the scalars of the schema whose output is one of these)."""

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FIXED_FROM, FIXED_BELOW = "1e-4", "1e15"
"""The magnitudes Postgres writes a float8 in without an exponent (0 too)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """One selected field of a list's items as its JSON is built: the response key, the column
    holding the value (`None` for `__typename`, whose text is `constant`), its kind (one of
    KINDS), whether null is allowed, whether it is a list of such values, and an enum's
    (value, name) pairs."""

    key: str
    column: str | None
    kind: str
    nullable: bool = False
    is_list: bool = False
    names: tuple[tuple[str, str], ...] = ()
    constant: str = ""


Leaves = tuple[Leaf, ...]
Selection = tuple[Any, Leaves]
"""A selection as the executor identifies it (its signature) and its leaves."""


@dataclass(frozen=True, slots=True)
class JsonRows:
    """A list's items as JSON texts built by Postgres (see the module docstring), with each
    item's key (a series' date, for its cursors) and the selection they were built for
    (`signature`: what the executor checks before it writes them)."""

    signature: Any
    keys: list[Any]
    texts: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def head(self, size: int) -> JsonRows:
        """The first `size` items (a page fetched with one more row)."""
        return JsonRows(self.signature, self.keys[:size], self.texts[:size])

    def fragment(self) -> orjson.Fragment:
        """The JSON array, as orjson writes it inside the response."""
        return orjson.Fragment("[" + ",".join(self.texts) + "]")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_string(text: str) -> str:
    """A JSON string literal as a SQL literal (names and values are plain ASCII here)."""
    return _literal(orjson.dumps(text).decode())


def _scalar(leaf: Leaf, value: str) -> tuple[str, str]:
    """(SQL of the JSON text of `value`, SQL of when that text is exact) for a non-null value."""
    kind = leaf.kind
    if kind == "Date":
        # JSON's date format (ISO 8601) whatever the session's DateStyle.
        return f"to_json({value})::text", "true"
    if kind == "Int":
        return f"{value}::text", f"{value} BETWEEN {INT_MIN} AND {INT_MAX}"
    if kind == "BigInt":
        return f"{value}::text", "true"
    if kind == "Float":
        # float8out writes [1e-4, 1e15) without an exponent; NaN compares above everything.
        integral = f"{value} = trunc({value})"
        text = f"(CASE WHEN {integral} THEN {value}::text || '.0' ELSE {value}::text END)"
        exact = f"(abs({value}) < {FIXED_BELOW} AND (abs({value}) >= {FIXED_FROM} OR {value} = 0))"
        return text, exact
    if kind == "String":
        return f"to_json({value})::text", "true"
    if kind == "Boolean":
        return f"(CASE WHEN {value} THEN 'true' ELSE 'false' END)", "true"
    if kind == "Enum":
        cases = " ".join(f"WHEN {_literal(v)} THEN {_json_string(n)}" for v, n in leaf.names)
        known = ", ".join(_literal(v) for v, _ in leaf.names) or "NULL"
        return f"(CASE {value} {cases} END)", f"{value} IN ({known})"
    raise ValueError(f"no JSON text for a {kind} leaf")


def _list(leaf: Leaf, value: str) -> tuple[str, str]:
    """The JSON array of a list column (strings or enums; no null element)."""
    no_null = f"array_position({value}, NULL) IS NULL"
    if leaf.kind == "String" or all(v == n for v, n in leaf.names):
        exact = no_null
        if leaf.kind == "Enum":
            known = ", ".join(_literal(v) for v, _ in leaf.names)
            exact = f"{value} <@ ARRAY[{known}]::text[]" if known else f"cardinality({value}) = 0"
        return f"array_to_json({value})::text", exact
    item, item_exact = _scalar(leaf, "x")
    built = (
        f"(SELECT coalesce('[' || string_agg({item}, ',' ORDER BY n) || ']', '[]') "
        f"FROM unnest({value}) WITH ORDINALITY AS u (x, n))"
    )
    exact = f"{no_null} AND (SELECT bool_and({item_exact}) IS NOT FALSE FROM unnest({value}) x)"
    return built, exact


def _leaf(leaf: Leaf) -> tuple[str, str]:
    if leaf.column is None:
        return _json_string(leaf.constant), "true"
    if not _COLUMN.fullmatch(leaf.column):
        raise ValueError(f"not a column name: {leaf.column!r}")
    value = leaf.column
    text, exact = _list(leaf, value) if leaf.is_list else _scalar(leaf, value)
    if leaf.nullable:
        text = f"(CASE WHEN {value} IS NULL THEN 'null' ELSE {text} END)"
        return text, "true" if exact == "true" else f"({value} IS NULL OR {exact})"
    return text, f"{value} IS NOT NULL" if exact == "true" else f"({value} IS NOT NULL AND {exact})"


@lru_cache(maxsize=256)
def select_list(leaves: Leaves, key: str) -> str:
    """`<key>, <json text> AS json, <all exact> AS exact`: the SQL select list of the
    leaves' object, with the column `key` (a series' date, for its cursors). Cached per
    selection (bounded: the shapes come from documents, which any caller writes)."""
    if not _COLUMN.fullmatch(key):
        raise ValueError(f"not a column name: {key!r}")
    if not leaves:
        raise ValueError("an object needs at least one field")
    parts: list[str] = []
    checks: list[str] = []
    for index, leaf in enumerate(leaves):
        if not _NAME.fullmatch(leaf.key) or leaf.kind not in KINDS:
            raise ValueError(f"not a JSON leaf: {leaf!r}")
        text, exact = _leaf(leaf)
        opening = "{" if index == 0 else ","
        parts.append(f"{_literal(opening + orjson.dumps(leaf.key).decode() + ':')} || {text}")
        if exact != "true":
            checks.append(exact)
    json = " || ".join(parts) + " || '}'"
    return f"{key}, {json} AS json, {' AND '.join(checks) or 'true'} AS exact"


def columns(leaves: Leaves, key: str, alias: str = "") -> str:
    """The columns the leaves read, `key` first, each once (prefixed `alias.` when given): the
    select list of the query whose rows `wrap` turns into JSON."""
    names = dict.fromkeys([key, *(leaf.column for leaf in leaves if leaf.column is not None)])
    for name in [*names, *([alias] if alias else [])]:
        if not _COLUMN.fullmatch(name):
            raise ValueError(f"not a column name: {name!r}")
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in names)


SEPARATOR = "\x1e"
"""Between the items' texts in `texts` (ASCII's record separator: JSON text never holds it raw,
`to_json` writes control characters as escapes)."""


def wrap(query: str, leaves: Leaves, key: str, keep: str = "") -> str:
    """`query` (selecting `columns(leaves, key)`, after the columns `keep` names) as one row:
    `keep`, then `keys` (the items' `key`s, in order), `texts` (the items' JSON texts in that
    order, joined by SEPARATOR) and `exact` (whether every item's text is). Both are null when
    the query has no item (no row, or a LEFT JOIN's row whose `key` is null); with `keep`, one
    row per distinct `keep` (none when the query has no row).

    One row instead of one per item: asyncpg built a record per row and decoded each of its
    columns, and Python read them one by one: ~15 % of a 240-point request (docs/benchmarks.md).
    The JSON is built over the query's output, not inside it: a view's column is an expression,
    which would be evaluated once per reference otherwise (a float is referenced three times)."""
    kept = [name.strip() for name in keep.split(",")] if keep else []
    for name in kept:
        if not _COLUMN.fullmatch(name):
            raise ValueError(f"not a column name: {name!r}")
    item = f"r.{key} IS NOT NULL"
    aggregates = (
        f"array_agg(r.{key} ORDER BY r.{key}) FILTER (WHERE {item}) AS keys, "
        f"string_agg(r.json, chr(30) ORDER BY r.{key}) FILTER (WHERE {item}) AS texts, "
        f"bool_and(r.exact) FILTER (WHERE {item}) AS exact"
    )
    rows = f"SELECT {''.join(f'{n}, ' for n in kept)}{select_list(leaves, key)} FROM ({query}) AS j"
    outer = "".join(f"r.{n}, " for n in kept)
    grouped = f" GROUP BY {', '.join(f'r.{n}' for n in kept)}" if kept else ""
    return f"SELECT {outer}{aggregates} FROM ({rows}) AS r{grouped}"


@lru_cache(maxsize=256)
def query(file: Any, name: str, model: str, leaves: Leaves, key: str, keep: str = "") -> str:
    """Named query `name` of `file` (a service.db.queries.QueryFile) selecting the leaves'
    columns instead of its `{model}` (or `{alias.model}`) ones, wrapped as `wrap` does: the SQL
    of a selection's JSON rows (cached per selection, bounded as `select_list`)."""
    alias = model.rpartition(".")[0]
    return wrap(file.selecting(name, model, columns(leaves, key, alias)), leaves, key, keep)


def rows_of(signature: Any, found: Sequence[Any]) -> JsonRows | None:
    """The JsonRows of `wrap`'s row (its columns `keys`, `texts` and `exact`, maybe after
    others); None when an item is not exact (the caller then takes its standard path)."""
    row = found[0] if found else None
    if row is None or row["keys"] is None:
        return JsonRows(signature, [], [])
    if not row["exact"]:
        return None
    return JsonRows(signature, list(row["keys"]), row["texts"].split(SEPARATOR))


def joined(
    parent: type[T], signature: Any, found: Sequence[Any]
) -> tuple[T | None, JsonRows | None]:
    """A parent record and its list as JSON from `wrap`'s row, the parent's columns first
    (`rows.joined`, with the list's JSON instead of its records; `keep`: `keep_columns`):
    (None, []) without a row, the list None when an item is not exact."""
    if not found:
        return None, JsonRows(signature, [], [])
    split = len(rows.field_names(parent))
    rows.check_columns(parent, list(found[0].keys())[:split])
    return parent(*found[0][:split]), rows_of(signature, found)


def keep_columns(parent: type[Any]) -> str:
    """The columns of the record `parent` (a service.models dataclass), for `query`'s `keep`."""
    return ", ".join(rows.field_names(parent))
