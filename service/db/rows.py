"""Rows to models by column name.

A query's columns must be named and ordered as the model's fields; `models` checks the names of
a result's first row against the fields (once per result), then builds every model positionally,
as fast as `Model(*row)`. A swapped or renamed column fails loudly instead of filling the wrong
field; tests/db/test_query_columns.py checks the same for every query without running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

import asyncpg

M = TypeVar("M")


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
