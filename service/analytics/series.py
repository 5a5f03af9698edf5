"""Daily series of a security: Reg SHO short volume (with its ratio) and prices."""

from __future__ import annotations

from datetime import date

from service.analytics.calendar import EARLIEST, LATEST
from service.db.json_rows import JsonRows, Selection
from service.db.repositories.market_data import MarketDataRepository
from service.errors import BadRequest
from service.models import PriceBar, ShortVolumeDay

FACILITIES = ("CNMS", "FNSQ", "FNQC", "FNYX", "FNRA", "FORF")


class SeriesService:
    def __init__(self, repository: MarketDataRepository) -> None:
        self.repository = repository

    async def short_volume(
        self, security_id: int, start: date | None, end: date | None, facility: str = "CNMS"
    ) -> list[ShortVolumeDay]:
        """Daily short volume of one facility (CNMS: FINRA's consolidated file), oldest first."""
        if facility not in FACILITIES:
            raise BadRequest(f"facility must be one of {', '.join(FACILITIES)}")
        return await self.repository.short_volume(
            security_id, facility, start or EARLIEST, end or LATEST
        )

    async def prices(
        self, security_id: int, start: date | None, end: date | None
    ) -> list[PriceBar]:
        return await self.repository.prices(security_id, start or EARLIEST, end or LATEST)

    async def prices_json(
        self, selection: Selection, security_id: int, start: date | None, end: date | None
    ) -> JsonRows | None:
        """`prices` as the JSON of `selection` (service/db/json_rows.py); None when Postgres
        cannot write it exactly (read `prices` then)."""
        return await self.repository.prices_json(
            selection, security_id, start or EARLIEST, end or LATEST
        )
