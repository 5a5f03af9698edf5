"""The one ingest pipeline every format goes through.

    detect the layout from the header -> parse and validate rows (streaming) -> COPY into a staging
    table -> reject duplicates -> create securities as first seen, resolve symbols -> the format's
    set-based upsert -> record rejects, counts and the run -> bump dataset versions -> commit

All of it runs in one transaction per file, so a file is applied whole or not at all: an error, a
`--strict` rejection or a killed process leaves the database as it was. An advisory lock on the
file's identity (kind, sha256, options) makes a concurrent second ingest of the same file wait and
then report "already ingested".
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import asyncpg

from service.db.pool import Connection, Database
from service.db.replicas import current_wal_lsn
from service.db.repositories.ingest import IngestStore
from service.errors import IngestError, ShortflowError
from service.ingest.base import Format, Head, IngestOptions, Rejects, SourceFile
from service.ingest.detect import detect
from service.ingest.results import Rejection

log = logging.getLogger(__name__)

Status = Literal["applied", "already", "failed"]


@dataclass
class IngestOutcome:
    """What happened to one file (the CLI prints it; tests assert on it)."""

    path: Path
    kind: str
    status: Status
    format: str | None = None
    run_id: int | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    rejects: list[Rejection] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    lsn: str | None = None
    """The primary's WAL position right after the commit: replicas that have replayed this far
    have the file (published with `versions`; None when it could not be read)."""
    error: str | None = None


class _StrictFailure(Exception):
    pass


class Withdrawn(Exception):
    """Raised by a `before_apply` hook to call the file off: its transaction is rolled back and
    nothing about it is recorded (`ingest_file` lets it through to the caller)."""


def _identify(path: Path) -> tuple[str, Head]:
    """The file's sha256 and first lines (blocking file reads, run in a thread)."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    return file_sha256(path), Head.read(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def ingest_file(
    db: Database,
    path: Path,
    kind: str,
    options: IngestOptions | None = None,
    *,
    strict: bool = False,
    on_progress: Callable[[int], None] | None = None,
    after_commit: Callable[[dict[str, int], str | None], Awaitable[None]] | None = None,
    ingest_date: date | None = None,
    before_apply: Callable[[], Awaitable[None]] | None = None,
) -> IngestOutcome:
    """Ingest one file as `kind`; never raises for bad input (the outcome says what failed).

    `after_commit(versions, lsn)` runs once the file is committed, with the new dataset versions
    and the WAL position of the commit (see `IngestOutcome.lsn`).

    `before_apply()` is awaited inside the transaction once the file is parsed and staged, before
    the first statement that writes shared tables (securities, the format's upsert, versions):
    `shortflow sync` parses the next file while the previous one is being applied and waits
    there for it to commit, so files are still applied one after the other, in order. Raising
    `Withdrawn` there rolls the file back and leaves no trace of it.
    """
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    outcome = IngestOutcome(path=path, kind=kind, status="failed")
    try:
        sha256, head = await asyncio.to_thread(_identify, path)
        format_type = detect(head, kind)
        fmt = format_type(path, options or IngestOptions())
    except ShortflowError as exc:
        outcome.error = exc.message
        return outcome
    except OSError as exc:
        outcome.error = f"{path}: {exc.strerror or exc}"
        return outcome
    outcome.format = fmt.name
    run_options = fmt.run_options()
    rejects = Rejects()
    async with db.connection() as conn:
        store = IngestStore(conn, ingest_date=ingest_date or date.today())
        try:
            applied = await _apply(
                store,
                fmt,
                path,
                sha256,
                run_options,
                rejects,
                strict,
                started_at,
                on_progress,
                outcome,
                before_apply,
            )
        except (_StrictFailure, ShortflowError, asyncpg.PostgresError, OSError) as exc:
            outcome.error = _describe(exc, rejects)
            outcome.rows_read = fmt.counters.read
            outcome.rows_rejected = len(rejects)
            outcome.rejects = rejects.items
            async with conn.transaction():
                await store.failed_run(
                    kind,
                    fmt.name,
                    path.name,
                    sha256,
                    run_options,
                    fmt.counters.read,
                    len(rejects),
                    fmt.counters.skipped,
                    started_at,
                    outcome.error,
                )
                if isinstance(exc, _StrictFailure):
                    await store.save_rejects(rejects.items)
            outcome.run_id = store.run_id
            outcome.seconds = time.perf_counter() - started
            return outcome
        if applied:
            outcome.lsn = await _commit_position(conn)
    outcome.seconds = time.perf_counter() - started
    if applied and after_commit is not None:
        try:
            await after_commit(outcome.versions, outcome.lsn)
        except Exception:  # the data is committed; a failed notification must not hide that
            log.warning("could not publish the new dataset versions", exc_info=True)
    return outcome


async def _apply(
    store: IngestStore,
    fmt: Format,
    path: Path,
    sha256: str,
    run_options: dict[str, str],
    rejects: Rejects,
    strict: bool,
    started_at: datetime,
    on_progress: Callable[[int], None] | None,
    outcome: IngestOutcome,
    before_apply: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """The transaction of one file. Returns False when the file was already ingested."""
    already = await store.applied_run(fmt.kind, sha256, run_options)
    if already is not None:
        outcome.status, outcome.run_id = "already", already
        return False
    async with store.conn.transaction():
        await store.lock_file(fmt.kind, sha256, run_options)
        already = await store.applied_run(fmt.kind, sha256, run_options)
        if already is not None:
            outcome.status, outcome.run_id = "already", already
            return False
        await store.start_run(fmt.kind, fmt.name, path.name, sha256, run_options, started_at)
        columns = fmt.staging_columns()
        await store.create_staging(columns)
        rows = fmt.records(SourceFile(path, rejects, on_progress))
        with _no_cyclic_gc():
            if fmt.copy_format == "text":
                staged = await store.copy_staging_text(columns, rows)
            else:
                staged = await store.copy_staging(columns, rows)
        duplicates = [] if fmt.resolves_itself else await store.take_duplicates()
        rejects.items.extend(duplicates)
        rejects.items.sort(key=lambda r: r.line)
        if strict and rejects:
            raise _StrictFailure
        if before_apply is not None:
            await before_apply()
        if not fmt.resolves_itself:
            await store.analyze_staging()
        await fmt.prepare(store)
        created = await store.upsert_securities()
        if not fmt.resolves_itself:
            await store.resolve_securities()
        result = await fmt.apply(store)
        context = await store.refresh_context() if fmt.affects_context else 0
        exposure = await store.refresh_exposure(result)
        accepted = fmt.accepted(staged - len(duplicates))
        summary: dict[str, Any] = {
            "securities_created": created,
            **result.changed,
            "context_rows": context,
            "exposure_rows": exposure,
        }
        await store.save_rejects(rejects.items)
        await store.finish_run(
            fmt.counters.read, accepted, len(rejects), fmt.counters.skipped, summary
        )
        outcome.versions = await store.bump_versions(fmt.datasets)
        if missing := set(fmt.datasets) - outcome.versions.keys():
            # A dataset without its row would leave cached answers stale: a migration must seed it.
            raise IngestError(f"{fmt.name}: no dataset_version row for {sorted(missing)}")
    outcome.status, outcome.run_id = "applied", store.run_id
    outcome.rows_read, outcome.rows_accepted = fmt.counters.read, accepted
    outcome.rows_rejected, outcome.rows_skipped = len(rejects), fmt.counters.skipped
    outcome.summary, outcome.rejects = summary, rejects.items
    return True


async def _commit_position(conn: Connection) -> str | None:
    """The WAL position after our COMMIT, on the same connection (so it cannot be earlier)."""
    try:
        return await current_wal_lsn(conn)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        # Committed all the same; replicas then catch up through the API's periodic re-read.
        log.warning("could not read the WAL position after the commit: %s", exc)
        return None


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a file is parsed.

    Parsing allocates millions of short-lived tuples while a month of rows sits in memory; the
    collector would rescan that buffer over and over for cycles that cannot exist (measured: a
    third of the parse time of a Reg SHO file). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _describe(exc: BaseException, rejects: Rejects) -> str:
    if isinstance(exc, _StrictFailure):
        return f"--strict: {len(rejects)} row(s) rejected, nothing applied"
    if isinstance(exc, ShortflowError):
        return exc.message
    if isinstance(exc, asyncpg.PostgresError):
        return f"the database refused the file: {exc}"
    if isinstance(exc, OSError):
        return f"cannot read the file: {exc.strerror or exc}"
    return str(exc)
