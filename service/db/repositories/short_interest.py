"""Short-interest versions with what their metrics need (share counts, close), in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service.db import queries, rows
from service.db.pool import Database
from service.models import Security, ShortInterestPoint

Q = queries.load("short_interest")


class ShortInterestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def series(
        self,
        security_id: int,
        known_on: date,
        start: date,
        end: date,
        after: date,
        limit: int,
    ) -> list[ShortInterestPoint]:
        """Versions known on `known_on`, settlement dates in [start, end] after `after`."""
        found = await self.db.fetch(Q.series, security_id, known_on, start, end, after, limit)
        return rows.models(ShortInterestPoint, found)

    async def series_by_symbol(
        self,
        symbol: str,
        known_on: date,
        start: date,
        end: date,
        after: date,
        limit: int,
    ) -> tuple[Security | None, list[ShortInterestPoint]]:
        """The security `symbol` names (as `SecurityRepository.by_symbol`) and its `series`, in
        one round trip; (None, []) for an unknown symbol."""
        found = await self.db.fetch(Q.by_symbol, symbol, known_on, start, end, after, limit, False)
        return rows.joined(Security, ShortInterestPoint, found)

    async def count(self, security_id: int, known_on: date, start: date, end: date) -> int:
        count: int = await self.db.fetchval(Q.series_count, security_id, known_on, start, end)
        return count

    async def latest(self, security_ids: Sequence[int], known_on: date) -> list[ShortInterestPoint]:
        """Each security's newest version known on `known_on` (securities without one omitted)."""
        found = await self.db.fetch(Q.latest, list(security_ids), known_on)
        return rows.models(ShortInterestPoint, found)

    async def latest_by_symbol(
        self, symbol: str, known_on: date
    ) -> tuple[Security | None, ShortInterestPoint | None]:
        """The security `symbol` names and its newest version known on `known_on`, in one
        round trip; (None, None) for an unknown symbol."""
        found = await self.db.fetch(Q.by_symbol, symbol, known_on, None, None, None, None, True)
        security, points = rows.joined(Security, ShortInterestPoint, found)
        return security, points[0] if points else None

    async def any(self) -> bool:
        """Whether the database holds any short interest at all."""
        found: bool = await self.db.fetchval(Q.any)
        return found
