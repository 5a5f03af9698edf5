"""Keyset paging shared by GraphQL and REST: the page-size bounds, opaque cursors, pages.

- Page sizes: GraphQL `first` is 0 to 1000, REST `limit` 1 to 1000 (as the exported schemas
  say); declared once here, read by the resolvers, the REST parameters, the OpenAPI document and
  the GraphQL cost analysis.
- Cursors: base64 of `<kind>:<key>`, checked when decoded (a GraphQL `endCursor` and a REST
  `next_cursor` of the same list are interchangeable).
- Pages: a list asks for one row more than the page (`fetch_size`); `page_of` keeps the page and
  tells whether another follows, and the page gives the cursors either API sends.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from service.errors import BadRequest, shown

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageSizes:
    """The page sizes a caller may ask for, `minimum` to `maximum` inclusive."""

    minimum: int
    maximum: int


GRAPHQL_FIRST = PageSizes(minimum=0, maximum=1000)
"""GraphQL `first` (and `last`): 0 asks for the count or pageInfo alone."""
REST_LIMIT = PageSizes(minimum=1, maximum=1000)
"""REST `limit`: a page always holds a row when any is left."""
MAX_FIRST = GRAPHQL_FIRST.maximum


def fetch_size(size: int) -> int:
    """How many rows to fetch for a page of `size`: one more, which says whether another page
    follows without counting them all."""
    return size + 1


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list: its items and whether more follow."""

    items: list[T]
    has_next: bool

    def next_cursor(self, cursor_of: Callable[[T], str]) -> str | None:
        """The cursor of the next page (REST `next_cursor`), None on the last one."""
        return cursor_of(self.items[-1]) if self.has_next else None

    def edge_cursors(self, cursor_of: Callable[[T], str]) -> tuple[str | None, str | None]:
        """The cursors of the first and the last item (GraphQL `startCursor`, `endCursor`)."""
        if not self.items:
            return None, None
        return cursor_of(self.items[0]), cursor_of(self.items[-1])


def page_of(found: Sequence[T], size: int) -> Page[T]:
    """The page of `size` in `found`, rows fetched with `fetch_size(size)`."""
    return Page(list(found[:size]), len(found) > size)


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
    """The page size asked for (`default` when null), or BadRequest outside GRAPHQL_FIRST."""
    if first is None:
        return default
    if not GRAPHQL_FIRST.minimum <= first <= GRAPHQL_FIRST.maximum:
        raise BadRequest(
            f"`first` must be between {GRAPHQL_FIRST.minimum} and {GRAPHQL_FIRST.maximum}, "
            f"not {first}"
        )
    return first


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise BadRequest(f"`from` ({start}) is after `to` ({end})")
