"""`shortflow ingest <kind> PATH...` and `shortflow runs`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from service.cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_REJECTED,
    Environment,
    fail,
    pass_env,
    printable,
    run_async,
)
from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import IngestOutcome, ingest_file
from service.sources import SOURCES

SHOWN_REJECTS = 10
# An ingest may run for minutes on a big file; the API's statement timeout does not apply.
INGEST_STATEMENT_TIMEOUT_MS = 3_600_000

console = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def describe(outcome: IngestOutcome) -> str:
    """The one-line summary of a file."""
    name = outcome.path.name
    if outcome.status == "already":
        return f"{name}: already ingested (run {outcome.run_id}), nothing changed"
    if outcome.status == "failed":
        return f"{name}: FAILED, nothing applied: {printable(outcome.error or 'unknown error')}"
    rate = outcome.rows_read / outcome.seconds if outcome.seconds else 0.0
    parts = [
        f"{outcome.rows_read:,} rows",
        f"{outcome.rows_accepted:,} accepted",
        f"{outcome.rows_rejected:,} rejected",
    ]
    if outcome.rows_skipped:
        parts.append(f"{outcome.rows_skipped:,} skipped (no data)")
    if off_days := outcome.summary.get("non_trading_share_counts"):
        parts.append(f"{off_days:,} share counts of non-trading days not used for flows")
    return (
        f"{name}: {outcome.format}, {', '.join(parts)} in {outcome.seconds:.2f} s "
        f"({rate:,.0f} rows/s), run {outcome.run_id}"
    )


def _report(outcome: IngestOutcome) -> None:
    style = {"applied": "green", "already": "cyan", "failed": "red"}[outcome.status]
    if outcome.status == "applied" and outcome.rows_rejected:
        style = "yellow"
    # markup=False: a file's text (a reason quoting a cell, a raw row) is printed, not styled.
    console.print(describe(outcome), style=style, markup=False)
    for reject in outcome.rejects[:SHOWN_REJECTS]:
        console.print(
            f"  line {reject.line}: {printable(reject.reason)}: {printable(repr(reject.raw), 120)}",
            markup=False,
        )
    if len(outcome.rejects) > SHOWN_REJECTS:
        more = len(outcome.rejects) - SHOWN_REJECTS
        console.print(f"  ... and {more:,} more (`shortflow runs show {outcome.run_id}`)")


def _advance(progress: Progress, task: TaskID) -> Callable[[int], None]:
    return lambda done: progress.update(task, completed=done)


def run_ingest(
    env: Environment, kind: str, paths: tuple[Path, ...], options: IngestOptions, strict: bool
) -> int:
    """Ingest each file in order; the exit code is the worst outcome's."""

    async def go() -> int:
        db = await ingest_database(env)
        publish = invalidation_publisher(env)
        code = EXIT_OK
        try:
            for path in paths:
                with _progress() as progress:
                    size = path.stat().st_size if path.is_file() else None
                    outcome = await ingest_file(
                        db,
                        path,
                        kind,
                        options,
                        strict=strict,
                        on_progress=_advance(progress, progress.add_task(path.name, total=size)),
                        after_commit=publish,
                    )
                _report(outcome)
                if outcome.status == "failed":
                    code = EXIT_FAILURE
                elif outcome.rows_rejected and code == EXIT_OK:
                    code = EXIT_REJECTED
        finally:
            await db.close()
        return code

    return run_async(go())


async def ingest_database(env: Environment, connections: int = 2) -> Database:
    """The connections an ingest runs on: the primary, without the API's statement timeout.

    `shortflow sync` asks for 4: its source lock, the file being applied, the next file being
    staged meanwhile (service/sync/runner.py) and the bookkeeping of sync_item."""
    db = Database(
        env.database_url(),
        min_size=1,
        max_size=connections,
        statement_timeout_ms=INGEST_STATEMENT_TIMEOUT_MS,
    )
    await db.open()
    return db


def invalidation_publisher(
    env: Environment,
) -> Callable[[dict[str, int], str | None], Awaitable[None]]:
    """After an ingest commits: tell running services which datasets changed (cache keys) and
    the WAL position replicas must reach before serving reads again."""
    from service.cache.announce import publish_versions

    async def publish(versions: dict[str, int], lsn: str | None) -> None:
        await publish_versions(env.redis_url(), env.settings.redis_prefix, versions, lsn)

    return publish


PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Any rejected row fails the whole file (exit 1, nothing applied).",
)


@click.group()
def ingest() -> None:
    """Load files into the database.

    Each file is applied in one transaction (whole or not at all); the same file twice is a no-op;
    rejected rows are stored with their line and reason. The layout is detected from the header.
    Exit codes: 0 all applied, 1 a file failed, 3 rows were rejected.
    """


def _command(kind: str, help_text: str, *extra: Callable[..., Any]) -> None:
    def command(env: Environment, paths: tuple[Path, ...], strict: bool, **options: Any) -> None:
        raise SystemExit(run_ingest(env, kind, paths, IngestOptions(**options), strict))

    command.__doc__ = help_text
    decorated: Callable[..., Any] = pass_env(command)
    for option in (STRICT, PATHS, *extra):
        decorated = option(decorated)
    ingest.command(kind)(decorated)


for source in SOURCES:
    _command(source.kind, source.help, *source.options)


@click.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def runs(ctx: click.Context, limit: int) -> None:
    """List recent ingest runs (`runs show ID` for one run's rejected rows)."""
    if ctx.invoked_subcommand is not None:
        return
    env = ctx.ensure_object(Environment)

    async def go() -> None:
        from service.db.repositories.runs import RunRepository

        db = Database(env.database_url(), min_size=0, max_size=1)
        await db.open()
        try:
            for run in await RunRepository(db).recent(limit):
                click.echo(
                    f"{run.id:>6}  {run.started_at:%Y-%m-%d %H:%M:%S}  {run.status:<7}  "
                    f"{run.kind:<14} {run.file_name}  read={run.rows_read} "
                    f"accepted={run.rows_accepted} rejected={run.rows_rejected}"
                    + (f"  error: {printable(run.error)}" if run.error else "")
                )
        finally:
            await db.close()

    run_async(go())


@runs.command("show")
@click.argument("run_id", type=int)
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 1_000_000))
@pass_env
def show_run(env: Environment, run_id: int, limit: int) -> None:
    """Print one run and its rejected rows: line, reason, raw text."""

    async def go() -> bool:
        from service.db.repositories.runs import RunRepository

        db = Database(env.database_url(), min_size=0, max_size=1)
        await db.open()
        try:
            runs = RunRepository(db)
            run = await runs.get(run_id)
            if run is None:
                return False
            click.echo(
                f"run {run.id}: {run.kind} {printable(run.file_name)}, {run.status}, "
                f"read={run.rows_read} accepted={run.rows_accepted} "
                f"rejected={run.rows_rejected}"
                + (f"  error: {printable(run.error)}" if run.error else "")
            )
            rejects = await runs.rejects(run_id, limit)
            if not rejects:
                click.echo("no rejected rows")
            for row in rejects:
                # Raw rows are the file's own bytes: escaped, so a NUL or an escape sequence
                # in a file cannot reach the terminal.
                click.echo(
                    f"line {row.line_number}: {printable(row.reason)}\n    {printable(row.raw)}"
                )
        finally:
            await db.close()
        return True

    if not run_async(go()):
        fail(f"no run {run_id} (`shortflow runs` lists them)")


COMMANDS = (ingest, runs)
