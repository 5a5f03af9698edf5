"""Per-request context of GraphQL resolvers: the repositories they may call."""

from __future__ import annotations

from dataclasses import dataclass

from service.db.repositories.securities import SecurityRepository
from service.state import Services


@dataclass
class Context:
    services: Services
    securities: SecurityRepository

    @classmethod
    def create(cls, services: Services) -> Context:
        return cls(services=services, securities=SecurityRepository(services.db))
