"""`shortflow sync` (download what is due and missing, then ingest it) and `shortflow sources`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from service.cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_REJECTED,
    Environment,
    fail,
    parse_date,
    pass_env,
    run_async,
)
from service.cli.ingest import console, ingest_database, invalidation_publisher
from service.db.repositories.sync import SyncRepository
from service.sync.download import Downloader
from service.sync.plan import SyncSource, Window
from service.sync.runner import PIPELINE_CONNECTIONS, SyncRun, Tally, downloads_root
from service.sync.runner import Progress as OnProgress
from service.sync.schedule import EASTERN, TIMEZONE, Job, due, jobs
from service.sync.sources import SYNC_SOURCES, by_name

listing = Console(highlight=False, soft_wrap=True)
"""Where `shortflow sources` and `shortflow schedule` print their tables: standard output (they
are the command's answer; progress and summaries of `sync` go to standard error)."""

EARLIEST_SINCE = date(2000, 1, 1)
NEXT_DUE_HORIZON = timedelta(days=45)


@click.command()
@click.option("--since", callback=parse_date, help="First date (YYYY-MM-DD). Default: per source.")
@click.option("--until", callback=parse_date, help="Last date (YYYY-MM-DD). Default: today.")
@click.option(
    "--source",
    "names",
    multiple=True,
    type=click.Choice([s.name for s in SYNC_SOURCES]),
    help="Only this source; repeat for several. Default: all (see `shortflow sources`).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be fetched; fetch nothing.")
@click.option(
    "--offline", is_flag=True, help="Ingest kept downloads only (SHORTFLOW_HOME/downloads)."
)
@click.option(
    "--full-history",
    is_flag=True,
    help="Prices: every close the provider has for each symbol, not only the days around "
    "settlement dates that the metrics need.",
)
@pass_env
def sync(
    env: Environment,
    since: date | None,
    until: date | None,
    names: tuple[str, ...],
    dry_run: bool,
    offline: bool,
    full_history: bool,
) -> None:
    """Download every file that is published and not stored yet, and ingest it.

    Works out, per source, the files of the window from the source's publication calendar,
    skips those already ingested and those not published yet, downloads the rest politely
    (retries on 5xx/429, a per-host pace) into SHORTFLOW_HOME/downloads with checksums, and
    ingests each in its own transaction. Safe to re-run (a second run fetches nothing new), to
    kill (the next run resumes) and to run twice at once (the second skips busy sources).

    Exit codes: 0 all done, 1 a file failed, 2 usage error, 3 done with rejected rows.
    """
    today = date.today()
    until = until or today
    if until > today:
        fail(f"--until {until} is after today ({today}): nothing is published yet", 2)
    if since is not None and (since > until or since < EARLIEST_SINCE):
        fail(f"--since must be between {EARLIEST_SINCE} and --until ({until})", 2)
    sources = by_name(names)
    tallies = run_async(_sync(env, sources, since, until, today, dry_run, offline, full_history))
    if dry_run:
        _print_plan(tallies)
        raise SystemExit(EXIT_OK)
    console.print(_summary(tallies))
    fetched = sum(t.fetched for t in tallies)
    failed = sum(t.failed for t in tallies)
    console.print(f"sync: {fetched:,} files ingested, {failed:,} failed, {len(tallies)} sources")
    if failed or any(t.stopped for t in tallies):
        raise SystemExit(EXIT_FAILURE)
    raise SystemExit(EXIT_REJECTED if any(t.rejected_rows for t in tallies) else EXIT_OK)


async def _sync(
    env: Environment,
    sources: tuple[SyncSource, ...],
    since: date | None,
    until: date,
    today: date,
    dry_run: bool,
    offline: bool,
    full_history: bool,
) -> list[Tally]:
    db = await ingest_database(env, connections=PIPELINE_CONNECTIONS)
    settings = env.settings
    tallies: list[Tally] = []
    try:
        async with Downloader(
            downloads_root(settings), max_bytes=settings.sync_max_download_mb << 20
        ) as downloader:
            run = SyncRun(
                db,
                settings,
                downloader,
                today,
                offline=offline,
                dry_run=dry_run,
                publish=None if dry_run else invalidation_publisher(env),
            )
            with Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                disable=not console.is_terminal or dry_run,
            ) as progress:
                for source in sources:
                    task = progress.add_task(source.name, total=None)
                    window = Window(since or source.default_since(today), until, full_history)
                    tallies.append(await run.source(source, window, _advance(progress, task)))
    finally:
        await db.close()
    return tallies


def _advance(progress: Progress, task: TaskID) -> OnProgress:
    return lambda done, total: progress.update(task, completed=done, total=total)


def _summary(tallies: list[Tally]) -> Table:
    table = Table(title="shortflow sync")
    for column in ("source", "fetched", "already had", "not published yet", "failed", "notes"):
        table.add_column(column, justify="left" if column in ("source", "notes") else "right")
    for t in tallies:
        notes = "; ".join(t.reasons[:3]) + (
            f" (+{len(t.reasons) - 3} more)" if len(t.reasons) > 3 else ""
        )
        if t.no_data:
            notes = "; ".join(filter(None, (f"{t.no_data:,} answered no data", notes)))
        if t.stopped:
            notes = "stopped: " + notes
        table.add_row(
            t.source, f"{t.fetched:,}", f"{t.had:,}", f"{t.not_published:,}", f"{t.failed:,}", notes
        )
    return table


def _print_plan(tallies: list[Tally]) -> None:
    for t in tallies:
        if t.busy:
            console.print(f"{t.source}: another sync is running it")
            continue
        console.print(
            f"{t.source}: {len(t.planned):,} to fetch, {t.had:,} already had, "
            f"{t.not_published:,} not published yet"
        )
        for item in t.planned:
            console.print(f"  {item.key}  {item.url}")


@click.command()
@pass_env
def sources(env: Environment) -> None:
    """List the sources `shortflow sync` fetches: what each feeds, where from, the last file
    stored and the next one due."""
    rows = run_async(_sources(env))
    table = Table(title="shortflow sources")
    for column in ("source", "feeds", "base URL", "last stored", "next due"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    listing.print(table)


async def _sources(env: Environment) -> list[tuple[str, str, str, str, str]]:
    db = await ingest_database(env)
    settings = env.settings
    today = date.today()
    out: list[tuple[str, str, str, str, str]] = []
    try:
        state = SyncRepository(db)
        last = await state.last_ingested()
        for source in SYNC_SOURCES:
            items = await source.items(
                settings, Window(source.default_since(today), today + NEXT_DUE_HORIZON), db
            )
            done = await state.ingested(source.name, [i.key for i in items])
            upcoming = next((i for i in items if i.key not in done), None)
            due = "-" if upcoming is None else f"{upcoming.key} (published {upcoming.published})"
            out.append(
                (
                    source.name,
                    source.feeds,
                    source.base_url(settings),
                    last.get(source.name, "-"),
                    due,
                )
            )
    finally:
        await db.close()
    return out


@click.command()
@click.option(
    "--run",
    "forever",
    is_flag=True,
    help="Stay running and sync each job's sources when it fires (stops on SIGTERM or Ctrl-C).",
)
@pass_env
def schedule(env: Environment, forever: bool) -> None:
    """Print when each source is synced to keep current (cron, US Eastern time), or run it.

    The schedule is derived from the sources (each declares its cron expression); sources that
    share one run together, in registry order. The Kubernetes CronJobs in
    deploy/k8s/sync-cronjobs.yaml hold the same jobs; the compose service `sync` runs
    `shortflow schedule --run`. A run syncs each source's default window, like `shortflow sync`.
    """
    all_jobs = jobs(SYNC_SOURCES)
    now = datetime.now(EASTERN)
    table = Table(title=f"shortflow schedule ({TIMEZONE})")
    for column in ("job", "cron", "sources", "next run"):
        table.add_column(column)
    for job in all_jobs:
        table.add_row(
            job.name, job.schedule, ", ".join(job.sources), f"{job.next_run(now):%Y-%m-%d %H:%M %Z}"
        )
    listing.print(table)
    if forever:
        run_async(_run_schedule(env, all_jobs))


HEARTBEAT_S = 30.0
"""How often `shortflow schedule --run` touches SHORTFLOW_HOME/schedule.alive (the compose
healthcheck reads its age), also while a sync runs."""


async def _run_schedule(env: Environment, all_jobs: tuple[Job, ...]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    heartbeat = asyncio.create_task(_heartbeat(env.settings.home.expanduser() / "schedule.alive"))
    try:
        while not stop.is_set():
            at, firing = due(all_jobs, datetime.now(EASTERN))
            names = ", ".join(j.name for j in firing)
            console.print(f"schedule: next run {at:%Y-%m-%d %H:%M %Z}: {names}")
            wait_s = max(0.0, (at - datetime.now(EASTERN)).total_seconds())
            if await _stopped_within(stop, asyncio.sleep(wait_s)):
                break
            today = date.today()
            for job in firing:
                run = _sync(env, by_name(job.sources), None, today, today, False, False, False)
                tallies: list[Tally] = []
                if await _stopped_within(stop, _collect(run, tallies)):
                    break  # the file being ingested rolls back; the next run resumes there
                console.print(_summary(tallies))
    finally:
        heartbeat.cancel()
    console.print("schedule: stopped")


async def _collect(run: Awaitable[list[Tally]], into: list[Tally]) -> None:
    into.extend(await run)


async def _stopped_within(stop: asyncio.Event, work: Awaitable[None]) -> bool:
    """Run `work` unless `stop` is set first (then cancel it and say so)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return True
    task.result()
    return stop.is_set()


async def _heartbeat(path: Path) -> None:
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    while True:
        await asyncio.to_thread(path.touch)
        await asyncio.sleep(HEARTBEAT_S)


COMMANDS = (sync, sources, schedule)
