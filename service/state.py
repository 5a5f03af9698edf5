"""The long-lived objects of a running service, owned by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from service.analytics import Analytics
    from service.db.pool import Database
    from service.embedded import EmbeddedServers
    from service.graphql.engine import GraphQLEngine
    from service.redisclient import RedisClient
    from service.settings import Settings


@dataclass
class Services:
    """What the lifespan yields as `request.state.shortflow`."""

    settings: Settings
    db: Database
    redis: RedisClient
    embedded: EmbeddedServers
    analytics: Analytics
    graphql: GraphQLEngine


def services(connection: HTTPConnection) -> Services:
    """The services of the app serving `connection` (a Request or WebSocket)."""
    found: Services = connection.state.shortflow
    return found
