"""SEC EDGAR: which companies `shortflow sync` fetches share counts for."""

from __future__ import annotations

from service.db import queries
from service.db.pool import Database

Q = queries.load("sec")


class SecRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def companies_with_short_interest(self) -> list[int]:
        """CIKs of the companies whose common stock is one security with short interest."""
        async with self.db.connection() as conn:  # the primary: the tickers were just ingested
            rows = await conn.fetch(Q.companies_with_short_interest)
        return [row["cik"] for row in rows]
