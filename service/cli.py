"""The `shortflow` command.

Exit codes (PRODUCT.md section 3): 0 success; 1 failure, nothing applied; 2 usage error (bad
arguments or configuration); 3 ingested, but some rows were rejected.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import click

from service.embedded import EmbeddedServers, start_embedded
from service.errors import SettingsError, ShortflowError
from service.logs import configure_logging
from service.settings import Settings, load_settings

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; a ShortflowError becomes a message and exit code 1, not a traceback."""
    try:
        return asyncio.run(coro)
    except SettingsError as exc:
        fail(exc.message, EXIT_USAGE)
    except ShortflowError as exc:
        fail(exc.message)


class Environment:
    """Settings plus the embedded servers started for them, created on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._embedded: EmbeddedServers | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except SettingsError as exc:
                fail(exc.message, EXIT_USAGE)
        return self._settings

    def resolved(self) -> Settings:
        """Settings with DATABASE_URL/REDIS_URL pointing at embedded servers where unset."""
        if self._embedded is None:
            try:
                self._embedded = start_embedded(self.settings)
            except ShortflowError as exc:
                fail(exc.message)
        return self._embedded.apply(self.settings)

    @property
    def embedded(self) -> EmbeddedServers:
        self.resolved()
        assert self._embedded is not None
        return self._embedded

    def database_url(self) -> str:
        url = self.resolved().database_url
        assert url is not None
        return url


pass_env = click.make_pass_decorator(Environment, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shortflow")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Shortflow: US short interest and ETF fund flows over GraphQL and REST.

    Configuration comes from the environment: DATABASE_URL and REDIS_URL (unset: embedded
    Postgres and Redis under SHORTFLOW_HOME, default ./.shortflow), SHORTFLOW_REQUIRE_API_KEY,
    and the SHORTFLOW_* variables listed in docs/configuration.md.

    Exit codes: 0 success, 1 failure (nothing applied), 2 usage error, 3 ingested with rejected
    rows.
    """
    ctx.ensure_object(Environment)
    if os.environ.get("SHORTFLOW_LOG_FORMAT") is None:
        os.environ.setdefault("SHORTFLOW_LOG_FORMAT", "console")
    settings = ctx.obj.settings
    configure_logging(settings.log_level, settings.log_format)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Apply pending migrations before serving (safe with several replicas: advisory lock).",
)
@pass_env
def serve(env: Environment, host: str, port: int, workers: int, migrate: bool) -> None:
    """Serve the API (GraphQL at /graphql, REST at /v1) with uvicorn.

    With DATABASE_URL / REDIS_URL unset, starts embedded Postgres and Redis under SHORTFLOW_HOME
    first and stops them on exit.
    """
    import uvicorn

    from service.db.migrate import migrate as run_migrations

    resolved = env.resolved()
    os.environ.update(env.embedded.environment())
    if migrate:
        assert resolved.database_url is not None
        report = run_async(run_migrations(resolved.database_url))
        if report.applied:
            click.echo(f"applied migrations: {', '.join(report.applied)}")
    click.echo(f"serving on http://{host}:{port} (GraphQL /graphql, REST /v1, docs /docs)")
    uvicorn.run(
        "service.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=20,
    )


@main.command()
@pass_env
def migrate(env: Environment) -> None:
    """Apply pending database migrations (idempotent; safe to run from several processes)."""
    from service.db.migrate import migrate as run_migrations

    report = run_async(run_migrations(env.database_url()))
    if report.applied:
        click.echo(f"applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    else:
        click.echo(f"database is up to date ({report.already_applied} migrations applied)")
    click.echo(f"trading calendar: {report.calendar_days} NYSE sessions")


def not_yet(what: str, issue: int) -> Callable[..., NoReturn]:
    def command(**_: Any) -> NoReturn:
        fail(f"{what} is not implemented yet (tracked in issue {issue})")

    return command


@main.group()
def ingest() -> None:
    """Load files into the database (each file atomically; the same file twice is a no-op)."""


@main.group()
def fetch() -> None:
    """Download public files from FINRA (needs internet access)."""


@main.group()
def keys() -> None:
    """Manage partner API keys."""


@main.command()
def demo() -> None:
    """Load a generated demo dataset (deterministic from --seed)."""
    not_yet("shortflow demo", 5)()


for _name in (
    "short-interest",
    "short-volume",
    "holdings",
    "prices",
    "securities",
    "fund-flows",
    "index-members",
):
    ingest.command(_name, help=f"Ingest {_name} files.")(not_yet(f"ingest {_name}", 3))
for _name in ("finra-short-interest", "regsho"):
    fetch.command(_name, help=f"Download a {_name} file.")(not_yet(f"fetch {_name}", 3))
for _name in ("create", "list", "revoke"):
    keys.command(_name, help=f"API keys: {_name}.")(not_yet(f"keys {_name}", 6))

logging.getLogger("asyncio").setLevel(logging.WARNING)
