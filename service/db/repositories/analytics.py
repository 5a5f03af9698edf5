"""Reads behind the analytics: flows by period, index exposure, squeeze inputs, indexes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service.db import queries, rows
from service.db.pool import Database
from service.models import (
    FundFlow,
    FuturesPosition,
    IndexListing,
    IndexShortExposure,
    MarketIndex,
    Security,
    SqueezeInputs,
)

FLOWS = queries.load("flows")
EXPOSURE = queries.load("exposure")
FUTURES = queries.load("futures")
INDEXES = queries.load("indexes")
SQUEEZE = queries.load("squeeze")
SHORT_INTEREST = queries.load("short_interest")


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


class IndexRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_code(self, code: str) -> MarketIndex | None:
        found = rows.models(MarketIndex, await self.db.fetch(INDEXES.by_code, code))
        return found[0] if found else None

    async def page(self, after: str, limit: int, members_on: date) -> list[IndexListing]:
        """Indexes by code after `after`, with their members on `members_on`."""
        found = await self.db.fetch(INDEXES.page, after, limit, members_on)
        return rows.models(IndexListing, found)

    async def tracking_funds(self, code: str) -> list[Security]:
        return rows.models(Security, await self.db.fetch(INDEXES.tracking_funds, code))

    async def exposure(
        self, code: str, start: date, end: date, level_symbol: str | None
    ) -> list[IndexShortExposure]:
        """`level_symbol`: the price symbol of the index's level (its futures leg in dollars)."""
        found = await self.db.fetch(EXPOSURE.series, code, start, end, level_symbol)
        return rows.models(IndexShortExposure, found)

    async def futures(
        self, code: str, start: date, end: date, as_of: date, level_symbol: str | None
    ) -> list[FuturesPosition]:
        """Reports released on or before `as_of`, by report date and contract."""
        found = await self.db.fetch(FUTURES.positioning, code, start, end, as_of, level_symbol)
        return rows.models(FuturesPosition, found)


class SqueezeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def latest_settlement(self, known_on: date) -> date | None:
        latest: date | None = await self.db.fetchval(SHORT_INTEREST.latest_settlement, known_on)
        return latest

    async def inputs(
        self,
        known_on: date,
        settlement: date,
        index: str | None,
        volume_windows: tuple[date, date, date],
    ) -> list[SqueezeInputs]:
        """`volume_windows`: the first days of the short-volume ratio's window, of the trend's
        recent window and of its prior window."""
        found = await self.db.fetch(SQUEEZE.inputs, known_on, settlement, index, *volume_windows)
        return rows.models(SqueezeInputs, found)
