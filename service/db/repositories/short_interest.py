"""Short-interest versions with what their metrics need (share counts, close), in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from service.db import json_rows, queries, rows
from service.db.json_rows import JsonRows, Selection
from service.db.pool import Database
from service.models import Security, ShortInterestPoint

Q = queries.load("short_interest")
SECURITY_COLUMNS = json_rows.keep_columns(Security)
KEY = "settlement_date"


class Window(NamedTuple):
    """Which points of a series a query reads: the versions known on `known_on`, settlement
    dates in [start, end] after `after`, at most `limit` (the queries' parameters after the
    security, in order)."""

    known_on: date
    start: date
    end: date
    after: date
    limit: int


class ShortInterestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def series(self, security_id: int, window: Window) -> list[ShortInterestPoint]:
        """Versions known on `window.known_on`, settlement dates in [start, end] after `after`."""
        found = await self.db.fetch(Q.series, security_id, *window)
        return rows.models(ShortInterestPoint, found)

    async def series_by_symbol(
        self, symbol: str, window: Window
    ) -> tuple[Security | None, list[ShortInterestPoint]]:
        """The security `symbol` names (as `SecurityRepository.by_symbol`) and its `series`, in
        one round trip; (None, []) for an unknown symbol."""
        found = await self.db.fetch(Q.by_symbol, symbol, *window, False)
        return rows.joined(Security, ShortInterestPoint, found)

    async def series_json(
        self, selection: Selection, security_id: int, window: Window
    ) -> JsonRows | None:
        """`series` as the JSON of `selection` (service/db/json_rows.py); None when a row is
        not exact there (the caller then reads `series`)."""
        signature, leaves = selection
        sql = json_rows.query(Q, "series", "ShortInterestPoint", leaves, KEY)
        return json_rows.rows_of(signature, await self.db.fetch(sql, security_id, *window))

    async def series_by_symbol_json(
        self, selection: Selection, symbol: str, window: Window
    ) -> tuple[Security | None, JsonRows | None]:
        """`series_by_symbol` with the points as the JSON of `selection` (None when a row is
        not exact there: the caller then reads `series_by_symbol`)."""
        signature, leaves = selection
        sql = json_rows.query(Q, "by_symbol", "ShortInterestPoint", leaves, KEY, SECURITY_COLUMNS)
        found = await self.db.fetch(sql, symbol, *window, False)
        return json_rows.joined(Security, signature, found)

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
