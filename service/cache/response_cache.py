"""The response cache of one process: its tiers, what it knows of the data, and misses in flight.

When may it answer from a tier? Only while it is sure it would hear of an ingest: the Redis
subscription is up and the dataset versions were re-read from Postgres since it (re)connected
(`trusted`). Otherwise every request goes to Postgres (`X-Cache: BYPASS`): an answer may be
slower, never stale. A Postgres outage alone does not stop the cache: no ingest can commit
without Postgres, so what it holds stays right.
"""

from __future__ import annotations

import asyncio

from service.cache.events import EventListener
from service.cache.known_versions import DatasetVersions
from service.cache.store import Entry, MemoryTier, RedisTier
from service.metrics import Metrics

MEMORY_TIER_BYTES = 64 << 20


class ResponseCache:
    def __init__(
        self,
        *,
        enabled: bool,
        redis: RedisTier,
        versions: DatasetVersions,
        metrics: Metrics,
        memory_bytes: int = MEMORY_TIER_BYTES,
    ) -> None:
        self.enabled = enabled
        self.redis = redis
        self.versions = versions
        self.metrics = metrics
        self.memory = MemoryTier(memory_bytes)
        self.events: EventListener | None = None
        self.inflight: dict[str, asyncio.Future[Entry | None]] = {}

    @property
    def trusted(self) -> bool:
        events = self.events
        return events is not None and events.healthy and self.versions.synced

    def versions_changed(self) -> None:
        # Older entries are unreachable (their keys hold older versions); free their memory.
        self.memory.clear()

    def count(self, tier: str, result: str) -> None:
        self.metrics.cache_lookup(tier, result)
