"""The sources `shortflow sync` knows, in the order it syncs them (securities before the data
that names them, when such sources are added)."""

from __future__ import annotations

from service.sync.finra import FinraRegSho, FinraShortInterest
from service.sync.runner import SyncSource

SYNC_SOURCES: tuple[SyncSource, ...] = (FinraShortInterest(), FinraRegSho())


def by_name(names: tuple[str, ...]) -> tuple[SyncSource, ...]:
    """The named sources, in registry order (all of them when `names` is empty)."""
    if not names:
        return SYNC_SOURCES
    return tuple(source for source in SYNC_SOURCES if source.name in names)
