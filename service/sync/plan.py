"""What a sync source declares: the files it publishes in a date window, and how to treat its host.

A source folder (`service/sources/<name>/sync.py`) implements `SyncSource`; its `Source` names it
(`Source.sync`), which is all it takes for `shortflow sync` and `shortflow sources` to know it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from service.db.pool import Database
from service.settings import Settings
from service.sync.download import Politeness

if TYPE_CHECKING:  # service.ingest.base names SyncSource: a load-time import would be a cycle
    from service.ingest.base import IngestOptions


@dataclass(frozen=True)
class Item:
    """One file a source publishes."""

    key: str
    """Unique within the source and sortable in publication order ("2026-08-14 CNMS")."""
    url: str
    relative: str
    """Where the file is kept, below `downloads/<source>/` (chosen by the source, never by the
    server)."""
    kind: str
    """The ingest kind its file is read as (`shortflow ingest <kind>`)."""
    published: date
    """When the source publishes it, by its calendar: after today, it is not asked for."""
    options: IngestOptions | None = None
    """How the file is read (`shortflow ingest <kind> --symbol ...`), for files that do not
    name everything themselves (a one-symbol price file, a fund's holdings)."""
    member: str | None = None
    """For a zip archive: the pattern (fnmatch) of its one data file, unpacked beside it with
    that pattern's extension (`service/sync/archive.py`) and ingested instead of the archive."""


@dataclass(frozen=True)
class Window:
    since: date
    until: date
    full_history: bool = False
    """`--full-history`: a source that fetches only what the metrics need (prices around
    settlement dates) fetches everything its host has instead."""


class SyncSource(Protocol):
    """What a data source gives the sync: its files in a window, and how to treat its host."""

    @property
    def name(self) -> str:
        """The source's name in `--source`, the download directory and table sync_item."""
        ...

    @property
    def feeds(self) -> str:
        """What it feeds, in a few words (`shortflow sources`)."""
        ...

    @property
    def schedule(self) -> str:
        """When to sync it to keep current: a cron expression in US Eastern time
        (service/sync/schedule.py; the deploy's CronJobs are derived from it)."""
        ...

    def earliest(self) -> date:
        """The first date Shortflow fetches the source from."""
        ...

    def default_since(self, today: date) -> date:
        """Where a sync without `--since` starts (the whole archive, or a recent stretch)."""
        ...

    def base_url(self, settings: Settings) -> str: ...

    def politeness(self, settings: Settings) -> Politeness: ...

    async def items(self, settings: Settings, window: Window, db: Database) -> Sequence[Item]:
        """Every file of the window, in publication order, whether published yet or not.

        `db` is for sources whose files depend on what is stored (prices for the symbols and
        settlement dates short interest has, share counts for the companies it knows); it is
        read only. Called when the source's turn comes, so that what earlier sources of the same
        run ingested is seen."""
        ...
