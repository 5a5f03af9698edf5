"""`shortflow sync`: for each source, work out what is due and missing, download it, ingest it.

A source (`SyncSource`, service/sync/plan.py) says which files exist for a date window and when
each is published; the runner does the rest the same way for all of them:

1. take the source's advisory lock (a second sync of the same source skips it and says so);
2. split the source's files into not yet published (by its calendar: no request made), already
   ingested (table sync_item), and due;
3. download each due file (`service/sync/download.py`; `--offline`: the kept copy), unpack an
   archive's data file (`service/sync/archive.py`), and ingest it through the ingest pipeline
   (one transaction per file, idempotent by checksum), then record it.

A "no such file" answer is recorded as not published and asked again next time; a "no data for
this" answer (NoData) is recorded as no_data and not asked again for the same item. A download that
still fails after its retries is recorded as failed and the source goes on with its next file. A
file the pipeline cannot read (a changed layout) or a host refusing further requests (Refused, a
daily quota) stops that source: a file stays in the download directory for inspection, and the
other sources go on. So does a source that cannot be asked at all as configured (SEC without its
required User-Agent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from service.db.pool import Database
from service.db.repositories.sync import SyncRepository
from service.errors import FetchError, SettingsError
from service.ingest.pipeline import Withdrawn, ingest_file
from service.settings import Settings
from service.sync.archive import extract_member
from service.sync.download import Downloader, NoData, NotPublished, Politeness, Refused, Stored
from service.sync.plan import Item, SyncSource, Window


@dataclass
class Tally:
    """What one source's sync did."""

    source: str
    planned: list[Item] = field(default_factory=list)
    fetched: int = 0
    had: int = 0
    not_published: int = 0
    no_data: int = 0
    """Items the host has nothing for (a symbol unknown to the price provider)."""
    failed: int = 0
    rejected_rows: int = 0
    reasons: list[str] = field(default_factory=list)
    busy: bool = False
    """Another process was syncing this source: nothing was done here."""
    stopped: bool = False
    """A file could not be read (layout drift): the source's remaining files were left."""

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.stopped


PIPELINE_CONNECTIONS = 4
"""Connections the overlap of two files needs (the source lock, the file being applied, the next
one staged meanwhile, the bookkeeping); on a smaller pool the files go one after the other."""

Publish = Callable[[dict[str, int], str | None], Awaitable[None]]
Progress = Callable[[int, int], None]


@dataclass
class SyncRun:
    """One `shortflow sync` over some sources."""

    db: Database
    settings: Settings
    downloader: Downloader
    today: date
    offline: bool = False
    dry_run: bool = False
    publish: Publish | None = None

    async def source(
        self, source: SyncSource, window: Window, on_progress: Progress | None = None
    ) -> Tally:
        tally = Tally(source.name)
        state = SyncRepository(self.db)
        items = list(await source.items(self.settings, window, self.db))
        future = [i for i in items if i.published > self.today]
        tally.not_published += len(future)
        due = [i for i in items if i.published <= self.today]
        if self.dry_run:
            done = await state.ingested(source.name, [i.key for i in due])
            tally.had = len(done)
            tally.planned = [i for i in due if i.key not in done]
            return tally
        try:
            politeness = source.politeness(self.settings)
        except SettingsError as exc:  # e.g. SEC's required User-Agent: this source cannot run
            tally.stopped = True
            tally.reasons.append(exc.message)
            return tally
        async with state.source_lock(source.name) as held:
            if not held:
                tally.busy = True
                tally.reasons.append("another sync is running this source; skipped")
                return tally
            done = await state.ingested(source.name, [i.key for i in due])
            tally.had = len(done)
            todo = [i for i in due if i.key not in done]
            misses = _Misses(state, source.name)
            try:
                if not await self._pipeline(source, todo, politeness, misses, tally, on_progress):
                    tally.stopped = True
            finally:
                await misses.flush()
        return tally

    async def _pipeline(
        self,
        source: SyncSource,
        todo: list[Item],
        politeness: Politeness,
        misses: _Misses,
        tally: Tally,
        on_progress: Progress | None,
    ) -> bool:
        """`_one` for each item, overlapped by one: the next item is downloaded, parsed and
        staged while the current one is applied, then waits for it to commit (`_Turn`), so files
        are applied and recorded one at a time, in order, each in its own transaction as before.
        At most two ingests are open at once (one applying, one staged and waiting). False when
        an item stopped the source; the items after it are called off unapplied."""
        previous: asyncio.Task[bool] | None = None
        tasks: list[asyncio.Task[bool]] = []
        overlap = self.db.max_connections >= PIPELINE_CONNECTIONS
        try:
            for index, item in enumerate(todo, 1):
                if previous is not None and previous.done() and not previous.result():
                    return False
                turn = _Turn(previous)
                task = asyncio.create_task(self._one(source, item, politeness, misses, tally, turn))
                tasks.append(task)
                if on_progress is not None:
                    task.add_done_callback(_progress(on_progress, index, len(todo)))
                if overlap:
                    released = asyncio.create_task(turn.released.wait())
                    await asyncio.wait({task, released}, return_when=asyncio.FIRST_COMPLETED)
                    released.cancel()
                else:
                    await asyncio.wait({task})
                previous = task
            return previous is None or await previous
        finally:
            for task in tasks:  # only after a stop or an error: call off what is still open
                if not task.done():
                    task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(
        self,
        source: SyncSource,
        item: Item,
        politeness: Politeness,
        misses: _Misses,
        tally: Tally,
        turn: _Turn,
    ) -> bool:
        """Fetch and ingest one file; False when the source must stop (an unreadable file, a
        host refusing further requests) or stopped at an earlier item. Everything that writes
        (the file's apply, its sync_item, the tally) waits for `turn`: the previous item done."""
        relative = f"{source.name}/{item.relative}"
        state = misses.state
        try:
            try:
                stored = await self._obtain(item, relative, politeness)
            except FetchError as exc:
                if not isinstance(exc, Refused):  # nothing to apply: the next may start now
                    turn.release()
                if not await turn.wait():
                    return False
                return await self._missed(source, item, exc, misses, tally)
            try:
                path = await asyncio.to_thread(self._unpack, item, stored)
            except FetchError as exc:
                if not await turn.wait():
                    return False
                return await self._unreadable(source, item, stored, exc.message, state, tally)

            async def my_turn() -> None:
                if not await turn.wait():
                    raise Withdrawn
                turn.release()

            try:
                outcome = await ingest_file(
                    self.db,
                    path,
                    item.kind,
                    item.options,
                    after_commit=self.publish,
                    before_apply=my_turn,
                )
            except Withdrawn:
                return False
            if not await turn.wait():  # a file that never reached its apply (already, failed)
                return False
            if outcome.status == "failed":
                return await self._unreadable(source, item, stored, outcome.error, state, tally)
            tally.rejected_rows += outcome.rows_rejected
            if outcome.status == "applied":
                tally.fetched += 1
            else:
                tally.had += 1
            await state.record(
                source.name,
                item.key,
                "ingested",
                item.url,
                sha256=stored.sha256,
                run_id=outcome.run_id,
            )
            return True
        finally:
            turn.release()

    async def _missed(
        self, source: SyncSource, item: Item, exc: FetchError, misses: _Misses, tally: Tally
    ) -> bool:
        """Record a file that could not be had; False when the host refuses further requests."""
        state = misses.state
        if isinstance(exc, NoData):
            tally.no_data += 1
            await state.record(source.name, item.key, "no_data", item.url, error=exc.message)
            return True
        if isinstance(exc, NotPublished):
            tally.not_published += 1
            # Asked again next run whatever is recorded: kept in memory and written in batches.
            await misses.add(item.key, item.url, exc.message)
            return True
        tally.failed += 1
        tally.reasons.append(f"{item.key}: {exc.message}")
        await state.record(source.name, item.key, "failed", item.url, error=exc.message)
        return not isinstance(exc, Refused)

    async def _unreadable(
        self,
        source: SyncSource,
        item: Item,
        stored: Stored,
        error: str | None,
        state: SyncRepository,
        tally: Tally,
    ) -> bool:
        """Record a downloaded file that cannot be read (kept for inspection); False: stop."""
        tally.failed += 1
        reason = f"{item.key}: {error} (file kept: {stored.path})"
        tally.reasons.append(reason)
        await state.record(
            source.name, item.key, "failed", item.url, sha256=stored.sha256, error=reason
        )
        return False

    def _unpack(self, item: Item, stored: Stored) -> Path:
        """The file to ingest: the download itself, or its archive's data file."""
        if item.member is None:
            return stored.path
        target = stored.path.with_suffix(PurePosixPath(item.member).suffix)
        return extract_member(stored.path, item.member, target, max_bytes=self.downloader.max_bytes)

    async def _obtain(self, item: Item, relative: str, politeness: Politeness) -> Stored:
        if self.offline:
            stored = self.downloader.stored(relative)
            if stored is None:
                raise FetchError(f"--offline: no whole copy of {item.url} under {relative}")
            return stored
        return await self.downloader.fetch(item.url, relative, politeness)


def _progress(
    on_progress: Progress, index: int, total: int
) -> Callable[[asyncio.Task[bool]], None]:
    """A done-callback reporting `index` of `total` when its item went through."""

    def done(task: asyncio.Task[bool]) -> None:
        if not task.cancelled() and task.exception() is None and task.result():
            on_progress(index, total)

    return done


class _Turn:
    """An item's place in the pipeline: `wait` for the previous item to finish (True: go on,
    False: it stopped the source), `release` to let the next item start downloading."""

    def __init__(self, previous: asyncio.Task[bool] | None) -> None:
        self._previous = previous
        self._go: bool | None = None
        self.released = asyncio.Event()

    async def wait(self) -> bool:
        if self._go is None:
            # shield: a cancelled waiter must not cancel the item it waits for
            self._go = True if self._previous is None else await asyncio.shield(self._previous)
        return self._go

    def release(self) -> None:
        self.released.set()


class _Misses:
    """ "Not published" answers of one source, recorded in batches rather than one autocommit
    each (a year of Reg SHO asks 1,250 facility files that answer 403). Nothing depends on them
    being stored: a not-published item is asked again on the next run whether it was recorded
    or not, so a kill that loses the batch in memory loses only the `attempts` count."""

    BATCH = 200

    def __init__(self, state: SyncRepository, source: str) -> None:
        self.state = state
        self.source = source
        self._items: list[tuple[str, str, str]] = []

    async def add(self, key: str, url: str, error: str) -> None:
        self._items.append((key, url, error))
        if len(self._items) >= self.BATCH:
            await self.flush()

    async def flush(self) -> None:
        items, self._items = self._items, []
        if items:
            await self.state.record_many(self.source, "not_published", items)


def downloads_root(settings: Settings) -> Path:
    return settings.home.expanduser() / "downloads"
