"""REST test fixtures: one database with the real samples for the whole package, and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import DatabaseFactory, Servers, app_client, make_settings, shared_file
from tests.support.datasets import load_sample

REGSHO = "regsho/CNMSshvol20210604.txt"


def _ingest(database_url: str, path: Path, kind: str) -> None:
    async def run() -> None:
        db = Database(database_url, min_size=1, max_size=2, statement_timeout_ms=600_000)
        await db.open()
        try:
            outcome = await ingest_file(db, path, kind, IngestOptions())
            assert outcome.status == "applied", outcome.error
        finally:
            await db.close()

    asyncio.run(run())


@pytest.fixture(scope="package")
def rest_sample_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The GraphQL tests' sample (FINRA short interest, members, IWM prices, flows) plus one Reg
    SHO day, loaded once for every REST test module (none of them writes to it)."""
    url = db_factory.create()
    load_sample(url, tmp_path_factory.mktemp("rest-sample"))
    _ingest(url, shared_file(REGSHO), "short-volume")
    return url


@pytest.fixture
async def api(
    rest_sample_url: str, servers: Servers, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of an app over the sample database."""
    settings = make_settings(rest_sample_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        yield client
