"""`shortflow serve` and `shortflow migrate`."""

from __future__ import annotations

import os

import click

from service.cli import Environment, pass_env, run_async


@click.command()
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

    # Workers are separate processes: they find embedded servers through the environment.
    os.environ.update(env.embedded.environment())
    if migrate:
        report = run_async(run_migrations(env.database_url()))
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


@click.command()
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


COMMANDS = (serve, migrate)
