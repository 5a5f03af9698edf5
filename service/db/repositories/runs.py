"""Ingest runs, their rejected rows, and the dataset versions they bump."""

from __future__ import annotations

import asyncpg

from service.db import queries
from service.db.pool import Database

Q = queries.load("ingest")


class RunRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent(self, limit: int) -> list[asyncpg.Record]:
        return await self.db.fetch(Q.recent_runs, limit)

    async def get(self, run_id: int) -> asyncpg.Record | None:
        """One run (the columns of `recent`), or None when there is no such run."""
        return await self.db.fetchrow(Q.run_by_id, run_id)

    async def rejects(self, run_id: int, limit: int) -> list[asyncpg.Record]:
        return await self.db.fetch(Q.run_rejects, run_id, limit)

    async def datasets(self) -> list[asyncpg.Record]:
        """Each dataset's version (bumped by every ingest that changes it) and its time."""
        return await self.db.fetch(Q.dataset_status)

    async def counts(self) -> list[asyncpg.Record]:
        """Runs by kind and status with the newest finish time (for /metrics)."""
        return await self.db.fetch(Q.run_counts)

    async def cache_versions(self) -> dict[str, int]:
        """Dataset versions and the database's epoch: the data part of every cache key.

        Read on the primary, then replicas are held to the primary's current position: answers
        keyed under these versions must never be computed on a replica still behind them."""
        async with self.db.connection() as conn:
            rows = await conn.fetch(Q.cache_versions)
        await self.db.sync_with_primary()
        return {row["name"]: row["version"] for row in rows}
