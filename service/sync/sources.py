"""The sources `shortflow sync` knows: every registered source with a `sync` (service/sources/),
in registry order."""

from __future__ import annotations

from service.sources import SOURCES
from service.sync.plan import SyncSource

SYNC_SOURCES: tuple[SyncSource, ...] = tuple(s.sync for s in SOURCES if s.sync is not None)


def by_name(names: tuple[str, ...]) -> tuple[SyncSource, ...]:
    """The named sources, in registry order (all of them when `names` is empty)."""
    if not names:
        return SYNC_SOURCES
    return tuple(source for source in SYNC_SOURCES if source.name in names)
