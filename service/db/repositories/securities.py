"""Securities: lookups by symbol and lists."""

from __future__ import annotations

from service.db import queries
from service.db.pool import Database
from service.models import Security

Q = queries.load("securities")


class SecurityRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_symbol(self, symbol: str) -> Security | None:
        """The security `symbol` names today, or named before a rename."""
        row = await self.db.fetchrow(Q.by_symbol, symbol)
        return Security(**row) if row is not None else None
