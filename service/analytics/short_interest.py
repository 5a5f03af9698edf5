"""Short-interest points with their metrics: what both APIs serve for a security.

The metrics are computed by SQL functions in the queries (migration 0010), the one place each is
defined; this module pages through the points the repository builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypedDict, Unpack

from service import cursors
from service.analytics.calendar import EARLIEST, LATEST
from service.db.json_rows import JsonRows, Selection
from service.db.repositories.short_interest import ShortInterestRepository, Window
from service.models import Security, ShortInterestPoint


class WindowArguments(TypedDict):
    """The keyword arguments of the series methods after the security: the versions known on
    `known_on`, settlement dates in [start, end] (open when None) after `after`, a page of
    `limit` points."""

    known_on: date
    start: date | None
    end: date | None
    after: date | None
    limit: int


class ShortInterestService:
    """Series and latest points for both APIs (one computation of every metric)."""

    def __init__(self, repository: ShortInterestRepository) -> None:
        self.repository = repository

    async def series(
        self, security_id: int, **window: Unpack[WindowArguments]
    ) -> tuple[list[ShortInterestPoint], bool]:
        """Points in settlement order, and whether more follow."""
        points = await self.repository.series(security_id, _window(**window))
        page = cursors.page_of(points, window["limit"])
        return page.items, page.has_next

    async def series_by_symbol(
        self, symbol: str, **window: Unpack[WindowArguments]
    ) -> tuple[Security | None, list[ShortInterestPoint], bool]:
        """The security `symbol` names and `series` of it, in one query (GraphQL's
        `security(symbol) { shortInterest }`); (None, [], False) for an unknown symbol."""
        limit = window["limit"]
        security, points = await self.repository.series_by_symbol(symbol, _window(**window))
        return security, points[:limit], len(points) > limit

    async def series_json(
        self, selection: Selection, security_id: int, **window: Unpack[WindowArguments]
    ) -> tuple[JsonRows, bool] | None:
        """`series` (the same keyword arguments) as the JSON of `selection` (service/db/
        json_rows.py), and whether more follow; None when Postgres cannot write it exactly
        (read `series` then)."""
        bounds = _window(**window)
        found = await self.repository.series_json(selection, security_id, bounds)
        if found is None:
            return None
        return found.head(window["limit"]), len(found) > window["limit"]

    async def series_by_symbol_json(
        self, selection: Selection, symbol: str, **window: Unpack[WindowArguments]
    ) -> tuple[Security | None, JsonRows, bool] | None:
        """`series_by_symbol` (the same keyword arguments) with the points as the JSON of
        `selection`; None when Postgres cannot write it exactly (read `series_by_symbol`
        then)."""
        bounds = _window(**window)
        security, found = await self.repository.series_by_symbol_json(selection, symbol, bounds)
        if found is None:
            return None
        return security, found.head(window["limit"]), len(found) > window["limit"]

    async def count(
        self, security_id: int, *, known_on: date, start: date | None, end: date | None
    ) -> int:
        return await self.repository.count(security_id, known_on, start or EARLIEST, end or LATEST)

    async def latest(
        self, security_ids: Sequence[int], known_on: date
    ) -> dict[int, ShortInterestPoint]:
        points = await self.repository.latest(security_ids, known_on)
        return {point.security_id: point for point in points}

    async def latest_by_symbol(
        self, symbol: str, known_on: date
    ) -> tuple[Security | None, ShortInterestPoint | None]:
        """The security `symbol` names and its newest point, in one query."""
        return await self.repository.latest_by_symbol(symbol, known_on)


def _window(
    known_on: date, start: date | None, end: date | None, after: date | None, limit: int
) -> Window:
    """The rows a page of `limit` points reads (one more: whether another page follows)."""
    return Window(
        known_on, start or EARLIEST, end or LATEST, after or EARLIEST, cursors.fetch_size(limit)
    )
