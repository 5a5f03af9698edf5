"""What `shortflow sync` has done per source and file (table sync_item), and its per-source lock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from service.db import queries
from service.db.pool import Database

Q = queries.load("sync")


class SyncRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def source_lock(self, source: str) -> AsyncIterator[bool]:
        """Yields whether this process holds `source`'s sync lock (held until the block ends)."""
        async with self.db.connection() as conn:
            held: bool = await conn.fetchval(Q.try_lock, source)
            try:
                yield held
            finally:
                if held:
                    await conn.fetchval(Q.unlock, source)

    async def ingested(self, source: str, keys: Sequence[str]) -> set[str]:
        async with self.db.connection() as conn:  # the primary: a replica may be behind
            rows = await conn.fetch(Q.ingested_keys, source, list(keys))
        return {row["item_key"] for row in rows}

    async def record(
        self,
        source: str,
        key: str,
        status: str,
        url: str,
        *,
        sha256: str | None = None,
        run_id: int | None = None,
        error: str | None = None,
    ) -> None:
        async with self.db.connection() as conn:
            await conn.execute(Q.record, source, key, status, url, sha256, run_id, error)

    async def record_many(
        self, source: str, status: str, items: Sequence[tuple[str, str, str | None]]
    ) -> None:
        """`record` for many (key, url, error) of one status, in one transaction."""
        async with self.db.connection() as conn, conn.transaction():
            await conn.executemany(
                Q.record,
                [(source, key, status, url, None, None, error) for key, url, error in items],
            )

    async def last_ingested(self) -> dict[str, str]:
        """Each source's newest ingested file key."""
        return {row["source"]: row["item_key"] for row in await self.db.fetch(Q.last_ingested)}
