"""Short-interest points with their metrics: what both APIs serve for a security.

The metrics are computed by SQL functions in the queries (migration 0010), the one place each is
defined; this module pages through the points and builds the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from service.analytics.calendar import EARLIEST, LATEST
from service.db.repositories.short_interest import ShortInterestRepository
from service.models import ShortInterestPoint


def build_point(row: asyncpg.Record) -> ShortInterestPoint:
    """A point from a row of view short_interest_point (columns in field order)."""
    return ShortInterestPoint(*row)


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
        rows = await self.repository.series(
            security_id, known_on, start or EARLIEST, end or LATEST, after or EARLIEST, limit + 1
        )
        return [build_point(row) for row in rows[:limit]], len(rows) > limit

    async def count(
        self, security_id: int, *, known_on: date, start: date | None, end: date | None
    ) -> int:
        return await self.repository.count(security_id, known_on, start or EARLIEST, end or LATEST)

    async def latest(
        self, security_ids: Sequence[int], known_on: date
    ) -> dict[int, ShortInterestPoint]:
        rows = await self.repository.latest(security_ids, known_on)
        return {row["security_id"]: build_point(row) for row in rows}
