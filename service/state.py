"""The long-lived objects of a running service, owned by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from service.access.keys import KeyCache
    from service.access.ratelimit import RateLimiter
    from service.analytics import ReadServices
    from service.cache.events import EventListener
    from service.cache.persisted import PersistedQueries
    from service.cache.runtime import ResponseCache
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
    analytics: ReadServices
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
