"""Index short exposure: the single-stock and ETF legs per settlement date, with records."""

from __future__ import annotations

from datetime import date

from service.analytics.calendar import EARLIEST, LATEST
from service.db.repositories.analytics import IndexRepository
from service.models import IndexShortExposure


class ExposureService:
    def __init__(self, repository: IndexRepository) -> None:
        self.repository = repository

    async def series(
        self, code: str, start: date | None, end: date | None
    ) -> list[IndexShortExposure]:
        rows = await self.repository.exposure(code, start or EARLIEST, end or LATEST)
        return [
            IndexShortExposure(
                settlement_date=row["settlement_date"],
                single_stock_short_interest=row["single_stock_short_interest"],
                single_stock_short_value_usd=row["single_stock_short_value_usd"],
                etf_short_interest=row["etf_short_interest"],
                etf_short_value_usd=row["etf_short_value_usd"],
                total_short_value_usd=row["total_short_value_usd"],
                constituents=row["constituents"],
                constituents_reporting=row["constituents_reporting"],
                constituents_priced=row["constituents_priced"],
                etfs_reporting=row["etfs_reporting"],
                etfs_priced=row["etfs_priced"],
                single_stock_leg_known=row["single_stock_leg_known"],
                etf_leg_known=row["etf_leg_known"],
                is_record=row["is_record"],
            )
            for row in rows
        ]
