"""`create_app(settings)`: the Starlette application: its layers, its routes, its lifespan.

The lifespan starts the process's services (service/lifespan.py: embedded servers when
`DATABASE_URL`/`REDIS_URL` are unset, the Postgres pool, Redis, the cache's subscription), yields
them as `request.state.shortflow`, and stops them on shutdown. Nothing is created at import time,
so tests build as many apps as they like.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from service.access.middleware import AccessMiddleware
from service.cache.middleware import CacheMiddleware
from service.collector import tune_for_serving
from service.deadline import Deadlines
from service.error_responses import EXCEPTION_HANDLERS
from service.graphql.http import graphql_endpoint
from service.health import healthz, readyz
from service.lifespan import running_services
from service.logs import AccessLines
from service.metrics import Metrics, metrics_endpoint
from service.request_context import RequestContextMiddleware
from service.rest import rest_routes
from service.settings import Settings, load_settings
from service.state import Services
from service.webapp.routes import webapp_routes

log = logging.getLogger(__name__)


class ShortflowApp(Starlette):
    """Starlette without its outermost ServerErrorMiddleware.

    RequestContextMiddleware (service/request_context.py), our outermost layer, already logs an
    unexpected error once, with its traceback, and answers the bare INTERNAL_ERROR body;
    Starlette's layer above it would only add a second wrapper (and a second send wrapper) to
    every request.
    """

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if isinstance(stack, ServerErrorMiddleware) and self.user_middleware:
            return stack.app
        return stack


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Starlette:
    """Build the ASGI app. `settings` defaults to the environment. `serving`: this process is a
    server worker, and its cycle collector is tuned once its services have started
    (service/collector.py); tests, which build many apps in one process, leave it alone."""
    settings = settings or load_settings()
    metrics = Metrics()
    lines = AccessLines(settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Services]]:
        try:
            async with running_services(settings, metrics) as services:
                if serving:
                    tune_for_serving()
                yield {"shortflow": services}
        finally:
            lines.flush()
            metrics.flush()

    middleware = [
        Middleware(
            RequestContextMiddleware,
            metrics=metrics,
            access_log=settings.access_log,
            lines=lines,
            # Every request's deadline (service/deadline.py), kept by the outermost layer.
            deadlines=Deadlines(settings.request_timeout_s),
        )
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
                expose_headers=[
                    "X-Request-ID",
                    "X-Cache",
                    "ETag",
                    "Retry-After",
                    "Link",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "RateLimit-Reset",
                    "RateLimit-Policy",
                ],
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
        *webapp_routes(),
    ]
    return ShortflowApp(
        routes=routes,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """Entry point of `shortflow serve` workers: logging and settings from the environment."""
    from service.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings, serving=True)
