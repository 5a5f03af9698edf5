"""The squeeze screen's inputs, as known on a date."""

from __future__ import annotations

from datetime import date

from service.db import queries, rows
from service.db.pool import Database
from service.models import SqueezeInputs

SQUEEZE = queries.load("squeeze")
SHORT_INTEREST = queries.load("short_interest")


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
