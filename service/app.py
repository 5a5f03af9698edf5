"""`create_app(settings)`: the Starlette application and the lifespan that owns its resources.

The lifespan opens the Postgres pool and the Redis client (starting embedded servers first when
`DATABASE_URL`/`REDIS_URL` are unset), yields them as `request.state.shortflow`, and closes them on
shutdown. Nothing is created at import time, so tests build as many apps as they like.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from service.analytics import Analytics
from service.db.pool import Database
from service.embedded import start_embedded
from service.graphql.engine import GraphQLEngine
from service.graphql.http import graphql_endpoint
from service.graphql.limits import Limits
from service.graphql.schema import schema
from service.health import healthz, readyz
from service.redisclient import create_redis
from service.settings import Settings, load_settings
from service.state import Services
from service.web import EXCEPTION_HANDLERS, RequestContextMiddleware

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI app. `settings` defaults to the environment."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Services]]:
        embedded = start_embedded(settings)
        resolved = embedded.apply(settings)
        assert resolved.database_url is not None
        assert resolved.redis_url is not None
        db = Database(
            resolved.database_url,
            min_size=resolved.pool_min_size,
            max_size=resolved.pool_max_size,
            statement_timeout_ms=resolved.statement_timeout_ms,
            connect_timeout_s=resolved.connect_timeout_s,
        )
        await db.open()
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
        )
        try:
            yield {"shortflow": services}
        finally:
            await redis.aclose()
            await db.close()

    middleware = [Middleware(RequestContextMiddleware)]
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
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Mount(
            "/graphql/static",
            StaticFiles(packages=[("service.graphql", "static")]),
            name="graphql-static",
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )


def app_from_environment() -> Starlette:
    """Entry point of `shortflow serve` workers: logging and settings from the environment."""
    from service.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
