"""Short-interest points with their metrics: what both APIs serve for a security.

The metrics are computed by SQL functions in the queries (migration 0010), the one place each is
defined; this module pages through the points the repository builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service import cursors
from service.analytics.calendar import EARLIEST, LATEST
from service.db.repositories.short_interest import ShortInterestRepository
from service.models import Security, ShortInterestPoint


class ShortInterestService:
    """Series and latest points for both APIs (one computation of every metric)."""

    def __init__(self, repository: ShortInterestRepository) -> None:
        self.repository = repository

    async def series(
        self,
        security_id: int,
        *,
        known_on: date,
        start: date | None,
        end: date | None,
        after: date | None,
        limit: int,
    ) -> tuple[list[ShortInterestPoint], bool]:
        """Points in settlement order, and whether more follow."""
        points = await self.repository.series(
            security_id,
            known_on,
            start or EARLIEST,
            end or LATEST,
            after or EARLIEST,
            cursors.fetch_size(limit),
        )
        page = cursors.page_of(points, limit)
        return page.items, page.has_next

    async def series_by_symbol(
        self,
        symbol: str,
        *,
        known_on: date,
        start: date | None,
        end: date | None,
        after: date | None,
        limit: int,
    ) -> tuple[Security | None, list[ShortInterestPoint], bool]:
        """The security `symbol` names and `series` of it, in one query (GraphQL's
        `security(symbol) { shortInterest }`); (None, [], False) for an unknown symbol."""
        security, points = await self.repository.series_by_symbol(
            symbol, known_on, start or EARLIEST, end or LATEST, after or EARLIEST, limit + 1
        )
        return security, points[:limit], len(points) > limit

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
