"""Daily series: Reg SHO short volume and prices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from service.db import json_rows, queries, rows
from service.db.json_rows import JsonRows, Selection
from service.db.pool import Database
from service.models import PriceBar, ShortVolumeDay

Q = queries.load("market_data")


class MarketDataRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def short_volume(
        self, security_id: int, facility: str, start: date, end: date
    ) -> list[ShortVolumeDay]:
        found = await self.db.fetch(Q.short_volume, security_id, facility, start, end)
        return rows.models(ShortVolumeDay, found)

    async def prices(self, security_id: int, start: date, end: date) -> list[PriceBar]:
        return rows.models(PriceBar, await self.db.fetch(Q.prices, security_id, start, end))

    async def prices_json(
        self, selection: Selection, security_id: int, start: date, end: date
    ) -> JsonRows | None:
        """`prices` as the JSON of `selection` (service/db/json_rows.py); None when a row is
        not exact there (the caller then reads `prices`)."""
        signature, leaves = selection
        sql = json_rows.query(Q, "prices", "PriceBar", leaves, "date")
        found = await self.db.fetch(sql, security_id, start, end)
        return json_rows.rows_of(signature, found)

    async def closes_missing(
        self, first: date, last: date, session: date, *, every: bool = False
    ) -> Sequence[asyncpg.Record]:
        """Per security with short interest in [first, last]: symbol, market_class, the symbol
        directory's spelling (`directory_symbol`, null if never listed) and the span
        of days (first, last) whose closes the metrics need and are not stored (`every`: all of
        the window's securities). Read on the primary: `shortflow sync` asks right after it
        ingested the short interest, which a replica may not have yet."""
        async with self.db.connection() as conn:
            return await conn.fetch(Q.closes_missing, first, last, session, every)
