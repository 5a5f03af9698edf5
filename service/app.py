"""`create_app(settings)`: the Starlette application and the lifespan that owns its resources.

The lifespan opens the Postgres pool and the Redis client (starting embedded servers first when
`DATABASE_URL`/`REDIS_URL` are unset), yields them as `request.state.shortflow`, and closes them on
shutdown. Nothing is created at import time, so tests build as many apps as they like.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from service.access.keys import KeyCache, revocation_channel
from service.access.middleware import AccessMiddleware
from service.access.ratelimit import RateLimiter
from service.analytics import Analytics
from service.cache.datasets import DatasetVersions
from service.cache.events import EventListener
from service.cache.middleware import CacheMiddleware
from service.cache.persisted import PersistedQueries
from service.cache.runtime import ResponseCache
from service.cache.store import RedisTier
from service.cache.versions import invalidation_channel
from service.db.pool import Database
from service.db.repositories.keys import KeyRepository
from service.db.repositories.runs import RunRepository
from service.embedded import start_embedded
from service.graphql.engine import GraphQLEngine
from service.graphql.http import graphql_endpoint
from service.graphql.limits import Limits
from service.graphql.schema import schema
from service.health import healthz, readyz
from service.metrics import Metrics, metrics_endpoint
from service.redisclient import RedisClient, create_redis
from service.rest import rest_routes
from service.settings import Settings, load_settings
from service.state import Services
from service.web import EXCEPTION_HANDLERS, RequestContextMiddleware

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI app. `settings` defaults to the environment."""
    settings = settings or load_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Services]]:
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
        )
        await db.open()
        replica_health = asyncio.create_task(db.watch_replicas(), name="shortflow-replicas")
        redis = create_redis(resolved.redis_url)
        engine = GraphQLEngine(
            schema,
            Limits(cost_budget=resolved.query_cost_budget, max_depth=resolved.query_max_depth),
            introspection=resolved.introspection,
        )
        services = Services(
            settings=resolved,
            db=db,
            redis=redis,
            embedded=embedded,
            analytics=Analytics.over(db),
            graphql=engine,
            metrics=metrics,
            keys=KeyCache(KeyRepository(db)),
            limiter=RateLimiter(redis, resolved.redis_prefix, enabled=resolved.rate_limit_enabled),
            cache=_response_cache(resolved, db, redis, metrics),
            persisted=PersistedQueries(redis, resolved.redis_prefix),
        )
        cache = services.cache
        services.events = cache.events = EventListener(
            resolved.redis_url,
            {
                revocation_channel(resolved.redis_prefix): lambda _: services.keys.forget(),
                invalidation_channel(resolved.redis_prefix): cache.versions.apply_message,
            },
            on_connect=cache.versions.resync,
        )
        services.events.start()
        cache.versions.start_polling()
        # Serve from the cache from the first request when Redis is there (bounded wait).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(services.events.connected.wait(), EVENTS_STARTUP_WAIT_S)
        try:
            yield {"shortflow": services}
        finally:
            await cache.versions.stop()
            await services.events.stop()
            await redis.aclose()
            replica_health.cancel()
            await asyncio.gather(replica_health, return_exceptions=True)
            await db.close()

    middleware = [Middleware(RequestContextMiddleware, metrics=metrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
                expose_headers=["X-Request-ID", "X-Cache", "ETag", "Retry-After", "Link"],
                max_age=600,
            )
        )
    # Keys and rate limits apply to what CORS lets through (preflights are answered above).
    middleware.append(Middleware(AccessMiddleware))
    # Inside the access check: a cached answer is still authorised and metered.
    middleware.append(Middleware(CacheMiddleware))
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Mount(
            "/graphql/static",
            StaticFiles(packages=[("service.graphql", "static")]),
            name="graphql-static",
        ),
        *rest_routes(),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


EVENTS_STARTUP_WAIT_S = 1.0


def _response_cache(
    settings: Settings, db: Database, redis: RedisClient, metrics: Metrics
) -> ResponseCache:
    cache: ResponseCache
    versions = DatasetVersions(
        RunRepository(db).cache_versions,
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


def app_from_environment() -> Starlette:
    """Entry point of `shortflow serve` workers: logging and settings from the environment."""
    from service.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
