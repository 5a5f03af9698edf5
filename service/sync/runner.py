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
from service.ingest.pipeline import ingest_file
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
            for index, item in enumerate(todo, 1):
                if not await self._one(source, item, politeness, state, tally):
                    tally.stopped = True
                    break
                if on_progress is not None:
                    on_progress(index, len(todo))
        return tally

    async def _one(
        self,
        source: SyncSource,
        item: Item,
        politeness: Politeness,
        state: SyncRepository,
        tally: Tally,
    ) -> bool:
        """Fetch and ingest one file; False when the source must stop (an unreadable file, a
        host refusing further requests)."""
        relative = f"{source.name}/{item.relative}"
        try:
            stored = await self._obtain(item, relative, politeness)
        except NoData as exc:
            tally.no_data += 1
            await state.record(source.name, item.key, "no_data", item.url, error=exc.message)
            return True
        except NotPublished as exc:
            tally.not_published += 1
            await state.record(source.name, item.key, "not_published", item.url, error=exc.message)
            return True
        except FetchError as exc:
            tally.failed += 1
            tally.reasons.append(f"{item.key}: {exc.message}")
            await state.record(source.name, item.key, "failed", item.url, error=exc.message)
            return not isinstance(exc, Refused)
        try:
            path = await asyncio.to_thread(self._unpack, item, stored)
        except FetchError as exc:
            return await self._unreadable(source, item, stored, exc.message, state, tally)
        outcome = await ingest_file(
            self.db, path, item.kind, item.options, after_commit=self.publish
        )
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


def downloads_root(settings: Settings) -> Path:
    return settings.home.expanduser() / "downloads"
