"""Rows to models by column name.

A query's columns must be named and ordered as the model's fields; `models` checks the names of
a result's first row against the fields (once per result), then builds every model positionally,
as fast as `Model(*row)` (`joined`: two models side by side in each row, as a lateral join
gives them). A swapped or renamed column fails loudly instead of filling the wrong field;
tests/db/test_query_columns.py checks the same for every query without running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

import asyncpg

M = TypeVar("M")
N = TypeVar("N")


def field_names(model: type[Any]) -> tuple[str, ...]:
    """The names of a dataclass model's fields, in order."""
    return tuple(f.name for f in fields(model))


def check_columns(model: type[Any], columns: Sequence[str]) -> None:
    """Raise when `columns` are not the fields of `model`, in order."""
    expected = field_names(model)
    if tuple(columns) != expected:
        raise TypeError(f"columns {tuple(columns)} do not match {model.__name__} fields {expected}")


def models(model: type[M], rows: Sequence[asyncpg.Record]) -> list[M]:
    """The rows as models; the first row's column names are checked against the fields."""
    if not rows:
        return []
    check_columns(model, list(rows[0].keys()))
    return [model(*row) for row in rows]


def joined(
    outer: type[M], inner: type[N], rows: Sequence[asyncpg.Record]
) -> tuple[M | None, list[N]]:
    """The rows of one `outer` row LEFT JOIN LATERAL its `inner` rows (`outer`'s columns first,
    the same in every row): the outer model (None without rows) and the inner ones (none when
    the first row's inner columns are null: the join found nothing; an inner row's first column
    is never null). Both models' columns are checked by name, once per result."""
    if not rows:
        return None, []
    first = rows[0]
    split = len(field_names(outer))
    columns = list(first.keys())
    check_columns(outer, columns[:split])
    check_columns(inner, columns[split:])
    head = outer(*first[:split])
    if first[split] is None:
        return head, []
    return head, [inner(*row[split:]) for row in rows]
