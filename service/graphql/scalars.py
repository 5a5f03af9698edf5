"""Scalars of the contract: Date, DateTime (strict ISO 8601, clear errors) and BigInt."""

from __future__ import annotations

import datetime
from typing import Any, NewType

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from service.errors import shown

MAX_SAFE_INTEGER = 2**53 - 1


def _parse_date(value: Any) -> datetime.date:
    if not isinstance(value, str):
        raise GraphQLError(f"Date must be a string in YYYY-MM-DD form, not {type(value).__name__}")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"{shown(value)} is not a valid date (YYYY-MM-DD)") from None


def _parse_datetime(value: Any) -> datetime.datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO 8601 string with an offset")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"{shown(value)} is not a valid ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise GraphQLError(f"{shown(value)} has no UTC offset")
    return parsed


def _parse_bigint(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise GraphQLError(f"BigInt must be a whole number, not {shown(value)}")
    if abs(value) > MAX_SAFE_INTEGER:
        raise GraphQLError("BigInt must be within +/- 2^53 - 1")
    return int(value)


BigInt = NewType("BigInt", int)
"""Annotation for share counts and volumes; serialised by the BigInt scalar below."""

SCALAR_MAP: dict[object, ScalarDefinition] = {
    datetime.date: strawberry.scalar(
        name="Date",
        description='ISO 8601 calendar date, e.g. "2026-07-31".',
        serialize=datetime.date.isoformat,
        parse_value=_parse_date,
    ),
    datetime.datetime: strawberry.scalar(
        name="DateTime",
        description='ISO 8601 date and time with a UTC offset, e.g. "2026-08-11T22:00:00+00:00".',
        serialize=datetime.datetime.isoformat,
        parse_value=_parse_datetime,
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            "A whole number serialized as a JSON number (exact up to 2^53). Used for share "
            "counts, volumes and sums of them."
        ),
        serialize=int,
        parse_value=_parse_bigint,
    ),
}
