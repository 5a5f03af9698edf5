"""The services of one process, started and stopped in order (what the app's lifespan runs).

    embedded servers (when DATABASE_URL / REDIS_URL are unset) -> Postgres pool (+ replica health)
    -> Redis client -> analytics, GraphQL engine, keys, rate limiter, response cache
    -> Redis subscription (ingest announcements, key revocations) and the versions backstop

and the reverse on the way out. Nothing here runs at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from service.access.keys import KeyCache, revocation_channel
from service.access.ratelimit import RateLimiter
from service.analytics import ReadServices
from service.cache.announce import invalidation_channel
from service.cache.events import EventListener
from service.cache.keys import remember_documents
from service.cache.known_versions import DatasetVersions
from service.cache.persisted import PersistedQueries
from service.cache.response_cache import ResponseCache
from service.cache.store import RedisTier
from service.db.pool import Database
from service.db.repositories.keys import KeyRepository
from service.db.repositories.runs import RunRepository
from service.embedded import start_embedded
from service.graphql.engine import GraphQLEngine
from service.graphql.limits import Limits
from service.graphql.schema import schema
from service.metrics import Metrics
from service.redisclient import RedisClient, create_redis
from service.settings import Settings
from service.state import Services

EVENTS_STARTUP_WAIT_S = 1.0
"""How long start-up waits for the Redis subscription (the cache then serves from request one)."""


@asynccontextmanager
async def running_services(settings: Settings, metrics: Metrics) -> AsyncIterator[Services]:
    """Start everything a process serves with; stop it all, in reverse, when the block exits."""
    embedded = start_embedded(settings)
    resolved = embedded.apply(settings)
    assert resolved.database_url is not None
    assert resolved.redis_url is not None
    db = Database(
        resolved.database_url,
        replica_dsns=resolved.database_replica_urls,
        min_size=resolved.pool_min_size,
        max_size=resolved.pool_max_size,
        statement_timeout_ms=resolved.statement_timeout_ms,
        connect_timeout_s=resolved.connect_timeout_s,
        pool_wait_s=resolved.pool_wait_s,
        observe_pool_wait=metrics.pool_wait.observe,
    )
    await db.open()
    replica_health = asyncio.create_task(db.watch_replicas(), name="shortflow-replicas")
    redis = create_redis(resolved.redis_url, timeout=resolved.redis_timeout_s)
    services = Services(
        settings=resolved,
        db=db,
        redis=redis,
        embedded=embedded,
        reads=ReadServices.over(db, resolved.index_level_symbols),
        graphql=GraphQLEngine(
            schema,
            Limits(cost_budget=resolved.query_cost_budget, max_depth=resolved.query_max_depth),
            introspection=resolved.introspection,
            remembered=resolved.documents_remembered,
        ),
        metrics=metrics,
        keys=KeyCache(KeyRepository(db)),
        limiter=RateLimiter(redis, resolved.redis_prefix, enabled=resolved.rate_limit_enabled),
        cache=_response_cache(resolved, db, redis, metrics),
        persisted=PersistedQueries(
            redis, resolved.redis_prefix, remembered=resolved.persisted_queries_remembered
        ),
    )
    remember_documents(resolved.cache_key_documents_remembered)
    cache = services.cache
    events = services.events = cache.events = EventListener(
        resolved.redis_url,
        {
            revocation_channel(resolved.redis_prefix): lambda _: services.keys.forget(),
            invalidation_channel(resolved.redis_prefix): cache.versions.apply_message,
        },
        on_connect=cache.versions.resync,
    )
    events.start()
    cache.versions.start_polling()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(events.connected.wait(), EVENTS_STARTUP_WAIT_S)
    try:
        yield services
    finally:
        await cache.versions.stop()
        await events.stop()
        await redis.aclose()
        replica_health.cancel()
        await asyncio.gather(replica_health, return_exceptions=True)
        await db.close()


def _response_cache(
    settings: Settings, db: Database, redis: RedisClient, metrics: Metrics
) -> ResponseCache:
    cache: ResponseCache
    versions = DatasetVersions(
        RunRepository(db).cache_versions,
        # A new version makes older entries unreachable: free the memory tier's copies.
        on_change=lambda: cache.versions_changed(),
        on_lsn=db.observe_lsn,
    )
    cache = ResponseCache(
        enabled=settings.cache_enabled,
        redis=RedisTier(redis, settings.redis_prefix, settings.cache_ttl_s),
        versions=versions,
        metrics=metrics,
    )
    return cache
