"""Partner API keys: create, list, revoke, and the lookup behind every authenticated request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.db import queries, rows
from service.db.pool import Database

Q = queries.load("keys")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key's public record (never the key itself, which is shown once at creation)."""

    id: int
    name: str
    prefix: str
    rate_limit_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _key(row: asyncpg.Record) -> ApiKey:
    return rows.models(ApiKey, [row])[0]


class KeyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, name: str, prefix: str, key_hash: bytes, per_minute: int) -> ApiKey:
        async with self.db.transaction() as conn:
            row = await conn.fetchrow(Q.create, name, prefix, key_hash, per_minute)
        assert row is not None
        return _key(row)

    async def list(self) -> list[ApiKey]:
        return rows.models(ApiKey, await self.db.fetch(Q.list))

    async def revoke(self, key_id: int) -> ApiKey | None:
        async with self.db.transaction() as conn:
            row = await conn.fetchrow(Q.revoke, key_id)
        return None if row is None else _key(row)

    async def by_hash(self, key_hash: bytes) -> ApiKey | None:
        """The live (not revoked) key with this hash. Reads the primary: a key created a moment
        ago must work at once, replica lag or not."""
        async with self.db.connection() as conn:
            row = await conn.fetchrow(Q.by_hash, key_hash)
        return None if row is None else _key(row)

    async def touch(self, key_ids: Sequence[int]) -> None:
        if key_ids:
            async with self.db.transaction() as conn:
                await conn.execute(Q.touch, list(key_ids))
