"""`shortflow serve` and `shortflow migrate`."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import tempfile
from types import FrameType

import click
from uvicorn.supervisors import Multiprocess

from service.cli.base import Environment, fail, pass_env, run_async

GRACEFUL_SHUTDOWN_S = 20
"""How long SIGTERM waits for requests in flight; the grace periods in deploy/ allow for it."""


def check_port(host: str, port: int) -> None:
    """Exit 1 with what to do when `host:port` cannot be listened on, before anything starts
    (uvicorn would report it only after "serving on", and exit with 3, our "rejected rows")."""
    if port == 0:
        return  # any free port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        fail(f"cannot listen on {host}: {exc.strerror}; check --host")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # As uvicorn binds: a port left in TIME_WAIT by the last run is free to use.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} is in use; choose another with --port")
            if exc.errno == errno.EACCES:
                fail(f"port {port} needs privileges to listen on; choose another with --port")
            fail(f"cannot listen on {host}:{port}: {exc.strerror}")


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class _DrainingMultiprocess(Multiprocess):
    """uvicorn's worker supervisor, closing its listening socket before it stops the workers.

    Each worker closes its copy when it starts draining, but the supervisor's copy would keep the
    port listening: the kernel would go on accepting connections that nobody serves until the last
    worker exits. Closed first, new connections are refused at once and clients go elsewhere.
    """

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


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
    from service.httpserver import HeadLimits, LimitedConfig

    check_port(host, port)
    # Workers are separate processes: they find embedded servers through the environment.
    os.environ.update(env.embedded.environment())
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker writes its metrics here and /metrics sums them (service/metrics.py).
        metrics_dir = tempfile.mkdtemp(prefix="shortflow-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    if migrate:
        report = run_async(run_migrations(env.database_url()))
        if report.applied:
            click.echo(f"applied migrations: {', '.join(report.applied)}")
    click.echo(f"serving on http://{host}:{port} (GraphQL /graphql, REST /v1, docs /docs)")
    settings = env.settings
    config = LimitedConfig(
        "service.app:app_from_environment",
        # Limits uvicorn lacks (size, count and read time of request heads): service/httpserver.py.
        head_limits=HeadLimits(
            max_header_bytes=settings.max_header_bytes,
            max_headers=settings.max_headers,
            header_timeout_s=settings.header_timeout_s,
        ),
        timeout_keep_alive=settings.keepalive_timeout_s,
        # Connections plus requests in flight per worker; past it uvicorn answers 503.
        limit_concurrency=settings.max_connections,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        # Forwarding headers are read by service/access/client.py, only from trusted proxies.
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    # SIGTERM drains (stop accepting, finish the requests in flight, close the pool). uvicorn then
    # re-raises the signal to the handler that was there before; the default one would end the
    # process as killed by SIGTERM (exit 143) and skip atexit, where the embedded servers stop.
    # A drained stop is a clean exit (tests/deploy/test_shutdown.py).
    signal.signal(signal.SIGTERM, _stopped)
    try:
        if workers > 1:
            _DrainingMultiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server = uvicorn.Server(config)
            server.run()
            if not server.started:
                # uvicorn's own code for this is 3, which `shortflow` means "rows rejected".
                fail("the server did not start (the reason is logged above)")
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


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
