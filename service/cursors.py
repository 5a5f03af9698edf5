"""Opaque keyset cursors shared by GraphQL and REST: base64 of `<kind>:<key>`, checked when
decoded (a GraphQL `endCursor` and a REST `next_cursor` of the same list are interchangeable)."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from service.errors import BadRequest, shown

MAX_FIRST = 1000


def encode(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")


def decode(kind: str, cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(f"{shown(cursor)} is not a cursor of this list") from None
    found, _, key = text.partition(":")
    if found != kind or not key:
        raise BadRequest(f"{shown(cursor)} is not a cursor of this list")
    return key


def decode_date(kind: str, cursor: str) -> date:
    key = decode(kind, cursor)
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise BadRequest(f"{shown(cursor)} is not a cursor of this list") from None


def check_first(first: int | None, default: int) -> int:
    """The page size asked for (`default` when null), or BadRequest outside 0..1000."""
    if first is None:
        return default
    if not 0 <= first <= MAX_FIRST:
        raise BadRequest(f"`first` must be between 0 and {MAX_FIRST}, not {first}")
    return first


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise BadRequest(f"`from` ({start}) is after `to` ({end})")
