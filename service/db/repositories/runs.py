"""Ingest runs, their rejected rows, and the dataset versions they bump."""

from __future__ import annotations

from service.db import queries, rows
from service.db.pool import Database
from service.models import DatasetStatus, IngestRun, RejectedRow, RunCount

Q = queries.load("ingest")


class RunRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent(self, limit: int) -> list[IngestRun]:
        return rows.models(IngestRun, await self.db.fetch(Q.recent_runs, limit))

    async def get(self, run_id: int) -> IngestRun | None:
        """One run, or None when there is no such run."""
        found = rows.models(IngestRun, await self.db.fetch(Q.run_by_id, run_id))
        return found[0] if found else None

    async def rejects(self, run_id: int, limit: int) -> list[RejectedRow]:
        return rows.models(RejectedRow, await self.db.fetch(Q.run_rejects, run_id, limit))

    async def datasets(self) -> list[DatasetStatus]:
        """Each dataset's version (bumped by every ingest that changes it) and its time."""
        return rows.models(DatasetStatus, await self.db.fetch(Q.dataset_status))

    async def counts(self) -> list[RunCount]:
        """Runs by kind and status with the newest finish time (for /metrics)."""
        return rows.models(RunCount, await self.db.fetch(Q.run_counts))

    async def cache_versions(self) -> dict[str, int]:
        """Dataset versions and the database's epoch: the data part of every cache key.

        Read on the primary, then replicas are held to the primary's current position: answers
        keyed under these versions must never be computed on a replica still behind them."""
        async with self.db.connection() as conn:
            found = await conn.fetch(Q.cache_versions)
        await self.db.sync_with_primary()
        return {row["name"]: row["version"] for row in found}
