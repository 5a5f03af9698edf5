"""Fund flows by period, and the newest flow date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service.db import queries, rows
from service.db.pool import Database
from service.models import FundFlow

FLOWS = queries.load("flows")


class FlowRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def periods(
        self, fund_ids: Sequence[int] | None, kind: str, today: date, bucket: date | None = None
    ) -> list[FundFlow]:
        """Every period of the funds (all funds when None), with record flags and whether it is
        over on `today`, oldest first; only the period starting on `bucket` (a day, a Monday, a
        1st) when given."""
        found = await self.db.fetch(
            FLOWS.periods, None if fund_ids is None else list(fund_ids), kind, bucket, today
        )
        return rows.models(FundFlow, found)

    async def latest_date(self) -> date | None:
        latest: date | None = await self.db.fetchval(FLOWS.latest_flow_date)
        return latest
