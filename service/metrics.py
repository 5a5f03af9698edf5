"""Prometheus metrics: requests, latency, cache results, rate limiting, the pool, ingest runs.

Each app owns its metric objects in its own registry (tests build many apps). With several uvicorn
workers, `shortflow serve` sets `PROMETHEUS_MULTIPROC_DIR` so every worker writes its samples to
shared files and whichever worker answers `GET /metrics` reports the sum over all of them.

Labels stay low-cardinality: the route is the path *template* (`/v1/securities/{symbol}`), never
the raw path; unmatched paths are `unmatched`.
"""

from __future__ import annotations

import asyncio
import math
import os
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response

from service.errors import ShortflowError
from service.later import FlushLater
from service.state import services

if TYPE_CHECKING:
    from service.db.pool import Database

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
)  # fmt: skip
_UPPER_BOUNDS = (*LATENCY_BUCKETS, math.inf)
"""The latency histogram's buckets as prometheus_client keeps them (with +Inf last)."""
INGEST_QUERY_TIMEOUT_S = 1.0
MAX_LABEL_SETS = 10_000
FLUSH_S = 1.0
"""How long a request's counts may wait before they reach the metrics a scrape reads."""


@dataclass(slots=True)
class _Pending:
    """One label set's requests since the last flush: count, summed seconds, bucket counts."""

    count: int = 0
    seconds: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(_UPPER_BOUNDS))


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """The service's metric objects (see module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "shortflow_http_requests",
            "HTTP requests answered, by route template, method, status and cache result.",
            ["route", "method", "status", "cache"],
            registry=registry,
        )
        self.latency = Histogram(
            "shortflow_http_request_duration_seconds",
            "Time to answer a request, by route template and cache result (HIT, MISS, BYPASS, "
            "or none for uncached routes).",
            ["route", "cache"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.cache = Counter(
            "shortflow_cache_lookups",
            "Response cache lookups by tier (memory: in-process, redis) and result (hit, miss).",
            ["tier", "result"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "shortflow_rate_limited_requests",
            "Requests refused with 429, by caller tier (key, anonymous).",
            ["tier"],
            registry=registry,
        )
        self.pool = Gauge(
            "shortflow_db_pool_connections",
            "Postgres connections of the API processes: open, in use, the maximum, and queries "
            "waiting for one.",
            ["state"],
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_wait = Histogram(
            "shortflow_db_pool_wait_seconds",
            "Time a query waited for a free Postgres connection (all in use): queueing, not an "
            "outage; past SHORTFLOW_POOL_WAIT_S the request is answered 503 DATABASE_BUSY.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ingest_runs = Gauge(
            "shortflow_ingest_runs",
            "Ingest runs recorded in the database, by kind and status (applied, failed).",
            ["kind", "status"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}
        self._cache_children: dict[tuple[str, str], Counter] = {}
        self._pending: dict[tuple[str, str, int, str], _Pending] = {}
        self._pending_lookups: dict[tuple[str, str], int] = {}
        self._later = FlushLater(FLUSH_S, self.flush)
        self.ingest_last = Gauge(
            "shortflow_ingest_last_finished_timestamp_seconds",
            "When the newest applied ingest of each kind finished (Unix time).",
            ["kind"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )

    def observe(self, route: str, method: str, status: int, cache: str, seconds: float) -> None:
        """Count one answered request and its latency (applied to the metrics by `flush`)."""
        key = (route, method, status, cache)
        pending = self._pending.get(key)
        if pending is None:
            if len(self._pending) >= MAX_LABEL_SETS:
                self.flush()
            pending = self._pending[key] = _Pending()
        pending.count += 1
        pending.seconds += seconds
        pending.buckets[bisect_left(_UPPER_BOUNDS, seconds)] += 1
        self._later.arm()

    def cache_lookup(self, tier: str, result: str) -> None:
        """Count one lookup of a cache tier (applied to the metrics by `flush`)."""
        key = (tier, result)
        self._pending_lookups[key] = self._pending_lookups.get(key, 0) + 1
        self._later.arm()

    def flush(self) -> None:
        """Apply the counts gathered since the last flush to the metric objects.

        A request pays a dict update here instead of four locked increments of prometheus_client
        values (a request counter, a latency histogram's sum and bucket, a cache lookup): those
        were about a sixth of a cached answer's Python (docs/benchmarks.md). Flushed by `render`
        (so a scrape of this process sees every request it answered), by a timer FLUSH_S after
        the first pending count (so with several workers, where another process may answer the
        scrape, a count is at most that late), and when the app stops.
        """
        self._later.disarm()
        pending, self._pending = self._pending, {}
        for key, counts in pending.items():
            requests, latency = self._request_children(key)
            requests.inc(counts.count)
            # Histogram.observe per request would redo this sample by sample: its sum and the
            # one bucket each value falls in (prometheus_client 0.2x keeps them as `_sum` and
            # `_buckets`; pinned in pyproject, tests/test_metrics_batching.py compares the output).
            latency._sum.inc(counts.seconds)
            for index, count in enumerate(counts.buckets):
                if count:
                    latency._buckets[index].inc(count)
        lookups, self._pending_lookups = self._pending_lookups, {}
        for (tier, result), count in lookups.items():
            child = self._cache_children.get((tier, result))
            if child is None:
                child = self._cache_children[(tier, result)] = self.cache.labels(tier, result)
            child.inc(count)

    def _request_children(self, key: tuple[str, str, int, str]) -> tuple[Counter, Histogram]:
        children = self._children.get(key)
        if children is None:
            route, method, status, cache = key
            children = (
                self.requests.labels(route, method, str(status), cache),
                self.latency.labels(route, cache),
            )
            if len(self._children) < MAX_LABEL_SETS:
                self._children[key] = children
        return children

    def record_pool(self, db: Database) -> None:
        size, in_use, maximum = db.pool_usage()
        self.pool.labels("open").set(size)
        self.pool.labels("in_use").set(in_use)
        self.pool.labels("max").set(maximum)
        self.pool.labels("waiting").set(db.pool_waiting)

    def render(self) -> bytes:
        self.flush()
        if multiprocess():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
            return bytes(generate_latest(registry))
        return bytes(generate_latest(self.registry))


async def metrics_endpoint(request: Request) -> Response:
    """`GET /metrics`: Prometheus text format. Ingest figures are read from Postgres at scrape
    time (ingests run in other processes); when it is down they are left as last seen."""
    app = services(request)
    metrics = app.metrics
    metrics.record_pool(app.db)
    try:
        rows = await asyncio.wait_for(app.reads.runs.counts(), INGEST_QUERY_TIMEOUT_S)
    except (ShortflowError, TimeoutError, asyncpg.PostgresError):
        rows = None  # a scrape must answer while Postgres is away
    if rows is not None:
        for row in rows:
            metrics.ingest_runs.labels(row.kind, row.status).set(row.runs)
            if row.last_finished is not None and row.status == "applied":
                metrics.ingest_last.labels(row.kind).set(row.last_finished.timestamp())
    return Response(
        metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    )
