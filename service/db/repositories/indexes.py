"""Indexes: by code, pages with their members, tracking funds, short exposure and futures."""

from __future__ import annotations

from datetime import date

from service.db import json_rows, queries, rows
from service.db.json_rows import JsonRows, Selection
from service.db.pool import Database
from service.models import FuturesPosition, IndexListing, IndexShortExposure, MarketIndex, Security

EXPOSURE = queries.load("exposure")
FUTURES = queries.load("futures")
INDEXES = queries.load("indexes")
INDEX_COLUMNS = json_rows.keep_columns(MarketIndex)


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
        return (await self.by_code_with_exposure(code, start, end, level_symbol))[1]

    async def by_code_with_exposure(
        self, code: str, start: date, end: date, level_symbol: str | None
    ) -> tuple[MarketIndex | None, list[IndexShortExposure]]:
        """The index `code` names (as `by_code`) and its `exposure`, in one round trip;
        (None, []) for an unknown code."""
        found = await self.db.fetch(EXPOSURE.series, code, start, end, level_symbol)
        return rows.joined(MarketIndex, IndexShortExposure, found)

    async def by_code_with_exposure_json(
        self, selection: Selection, code: str, start: date, end: date, level_symbol: str | None
    ) -> tuple[MarketIndex | None, JsonRows | None]:
        """`by_code_with_exposure` with the series as the JSON of `selection` (service/db/
        json_rows.py; None when a row is not exact there: read `by_code_with_exposure`)."""
        signature, leaves = selection
        sql = json_rows.query(
            EXPOSURE, "series", "h.IndexShortExposure", leaves, "settlement_date", INDEX_COLUMNS
        )
        found = await self.db.fetch(sql, code, start, end, level_symbol)
        return json_rows.joined(MarketIndex, signature, found)

    async def futures(
        self, code: str, start: date, end: date, as_of: date, level_symbol: str | None
    ) -> list[FuturesPosition]:
        """Reports released on or before `as_of`, by report date and contract."""
        found = await self.db.fetch(FUTURES.positioning, code, start, end, as_of, level_symbol)
        return rows.models(FuturesPosition, found)
