"""The long-lived objects of a running service, owned by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection
from starlette.types import Scope

if TYPE_CHECKING:
    from service.access.keys import KeyCache
    from service.access.middleware import Caller
    from service.access.ratelimit import RateLimiter
    from service.analytics import ReadServices
    from service.cache.events import EventListener
    from service.cache.persisted import PersistedQueries
    from service.cache.response_cache import ResponseCache
    from service.db.pool import Database
    from service.embedded import EmbeddedServers
    from service.graphql.engine import GraphQLEngine
    from service.metrics import Metrics
    from service.redisclient import RedisClient
    from service.settings import Settings


@dataclass
class Services:
    """What the lifespan yields as `request.state.shortflow`."""

    settings: Settings
    db: Database
    redis: RedisClient
    embedded: EmbeddedServers
    reads: ReadServices
    graphql: GraphQLEngine
    metrics: Metrics
    keys: KeyCache
    limiter: RateLimiter
    cache: ResponseCache
    persisted: PersistedQueries
    events: EventListener | None = field(default=None)


def services(connection: HTTPConnection) -> Services:
    """The services of the app serving `connection` (a Request or WebSocket)."""
    found: Services = connection.state.shortflow
    return found


CALLER = "shortflow.caller"
"""Scope key of the request's metered caller (`service.access.middleware.Caller`), set by the
access middleware for every request it lets through and read by the layers inside it (the cache
spends a hit's query cost through it, GraphQL its query's) and outside it (RequestContextMiddleware
adds the caller's RateLimit-* headers). A scope key rather than `scope["state"]`: the ASGI spec
has servers copy `state` per request, but not every harness does (asgi-lifespan shares one dict),
and a caller must never outlive its request."""


def request_caller(scope: Scope) -> Caller | None:
    """The metered caller of the request in `scope`, None when it is not metered."""
    caller: Caller | None = scope.get(CALLER)
    return caller
