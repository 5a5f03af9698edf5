"""Fixtures for ingest tests: an opened Database on a fresh database, and a one-call ingest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import IngestOutcome, ingest_file

Ingest = Callable[..., Awaitable[IngestOutcome]]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, min_size=1, max_size=4, statement_timeout_ms=600_000)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def ingest(db: Database) -> Ingest:
    """`await ingest(path, kind, strict=False, **options)` -> IngestOutcome."""

    async def run(path: Path, kind: str, *, strict: bool = False, **options: Any) -> IngestOutcome:
        return await ingest_file(db, path, kind, IngestOptions(**options), strict=strict)

    return run
