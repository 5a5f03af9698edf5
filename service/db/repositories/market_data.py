"""Daily series: Reg SHO short volume and prices."""

from __future__ import annotations

from datetime import date

from service.db import queries, rows
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
