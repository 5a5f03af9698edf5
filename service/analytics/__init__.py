"""Derived metrics and the services both APIs call (one computation per metric).

`ReadServices` holds the repositories and services over one Database that both APIs read through;
the app builds it once at start-up and both the GraphQL resolvers and the REST routes use it, so a
metric has exactly one implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.analytics.exposure import ExposureService
from service.analytics.flows import FlowService
from service.analytics.series import SeriesService
from service.analytics.short_interest import ShortInterestService
from service.analytics.squeeze import SqueezeService
from service.db.pool import Database
from service.db.repositories.flows import FlowRepository
from service.db.repositories.indexes import IndexRepository
from service.db.repositories.market_data import MarketDataRepository
from service.db.repositories.runs import RunRepository
from service.db.repositories.screens import ScreenRepository
from service.db.repositories.securities import SecurityRepository
from service.db.repositories.short_interest import ShortInterestRepository
from service.db.repositories.squeeze import SqueezeRepository
from service.errors import NotFound, shown
from service.models import MarketIndex


@dataclass(frozen=True)
class ReadServices:
    """The repositories and analytics services both APIs read through (`Services.analytics`)."""

    securities: SecurityRepository
    indexes: IndexRepository
    short_interest: ShortInterestService
    series: SeriesService
    flows: FlowService
    exposure: ExposureService
    squeeze: SqueezeService
    runs: RunRepository
    screens: ScreenRepository

    async def index(self, code: str) -> MarketIndex:
        """The index with this code, or NotFound: both APIs answer an unknown index with an
        error (GraphQL NOT_FOUND, REST 404), never with an empty list that reads as "none"."""
        found = await self.indexes.by_code(code)
        if found is None:
            raise NotFound(f"no index with code {shown(code)}")
        return found

    @classmethod
    def over(
        cls, db: Database, index_level_symbols: Mapping[str, str] | None = None
    ) -> ReadServices:
        """The services over `db`; `index_level_symbols` (index code -> price symbol of its
        level, SHORTFLOW_INDEX_LEVEL_SYMBOLS) turns futures contracts into dollars: an index
        without one has null dollar futures figures."""
        indexes = IndexRepository(db)
        levels = index_level_symbols or {}
        return cls(
            securities=SecurityRepository(db, index_levels=levels.values()),
            indexes=indexes,
            short_interest=ShortInterestService(ShortInterestRepository(db)),
            series=SeriesService(MarketDataRepository(db)),
            flows=FlowService(FlowRepository(db)),
            exposure=ExposureService(indexes, levels),
            squeeze=SqueezeService(SqueezeRepository(db)),
            runs=RunRepository(db),
            screens=ScreenRepository(db),
        )
