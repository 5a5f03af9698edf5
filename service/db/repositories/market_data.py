"""Daily series: Reg SHO short volume and prices."""

from __future__ import annotations

from datetime import date

import asyncpg

from service.db import queries
from service.db.pool import Database

Q = queries.load("market_data")


class MarketDataRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def short_volume(
        self, security_id: int, facility: str, start: date, end: date
    ) -> list[asyncpg.Record]:
        return await self.db.fetch(Q.short_volume, security_id, facility, start, end)

    async def prices(self, security_id: int, start: date, end: date) -> list[asyncpg.Record]:
        return await self.db.fetch(Q.prices, security_id, start, end)
