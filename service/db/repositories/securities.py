"""Securities: lookups by symbol and id, filtered lists with keyset pagination, share counts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from service.db import queries
from service.db.pool import Database
from service.models import Security

Q = queries.load("securities")


class SecurityRepository:
    def __init__(self, db: Database, index_levels: Collection[str] = ()) -> None:
        """`index_levels`: the symbols holding index levels (SHORTFLOW_INDEX_LEVEL_SYMBOLS,
        `^RUT`): price series stored under a symbol, left out of security lists and counts (a
        lookup by symbol still finds them)."""
        self.db = db
        self.index_levels = sorted(index_levels)

    async def by_symbol(self, symbol: str) -> Security | None:
        """The security `symbol` names today, or named before a rename."""
        return (await self.by_symbols([symbol])).get(symbol)

    async def by_symbols(self, symbols: Sequence[str]) -> dict[str, Security]:
        """{symbol: the security it names today, or named before a rename}, in one query."""
        rows = await self.db.fetch(Q.by_symbols, list(symbols))
        return {
            row["wanted"]: Security(**{k: v for k, v in row.items() if k != "wanted"})
            for row in rows
        }

    async def page(
        self,
        *,
        search: str | None,
        type_: str | None,
        index: str | None,
        members_on: date,
        after: str,
        limit: int,
    ) -> list[Security]:
        rows = await self.db.fetch(
            Q.page, search, type_, index, members_on, after, limit, self.index_levels
        )
        return [Security(**row) for row in rows]

    async def count(
        self, *, search: str | None, type_: str | None, index: str | None, members_on: date
    ) -> int:
        total: int = await self.db.fetchval(
            Q.count, search, type_, index, members_on, self.index_levels
        )
        return total

    async def share_counts(
        self, ids: Sequence[int], on: date
    ) -> dict[int, tuple[int | None, int | None]]:
        """{security id: (shares outstanding, float)} as of `on`, the float as the metrics define
        it (an ETF's float is its shares outstanding)."""
        rows = await self.db.fetch(Q.share_counts, list(ids), on)
        return {
            row["security_id"]: (row["shares_outstanding"], row["float_shares"]) for row in rows
        }
