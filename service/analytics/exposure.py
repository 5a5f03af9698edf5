"""Index short exposure: the single-stock, ETF and futures legs per settlement date, with
records; and the index's futures positioning on CFTC's own weekly dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from service.analytics.calendar import EARLIEST, LATEST
from service.db.json_rows import JsonRows, Selection
from service.db.repositories.indexes import IndexRepository
from service.models import FuturesPosition, IndexShortExposure, MarketIndex


class ExposureService:
    def __init__(self, repository: IndexRepository, level_symbols: Mapping[str, str]) -> None:
        self.repository = repository
        self.level_symbols = dict(level_symbols)
        """Index code -> the price symbol of its level (SHORTFLOW_INDEX_LEVEL_SYMBOLS)."""

    async def series(
        self, code: str, start: date | None, end: date | None
    ) -> list[IndexShortExposure]:
        return await self.repository.exposure(
            code, start or EARLIEST, end or LATEST, self.level_symbols.get(code)
        )

    async def index_with_series(
        self, code: str, start: date | None, end: date | None
    ) -> tuple[MarketIndex | None, list[IndexShortExposure]]:
        """The index `code` names and its `series`, in one round trip (None for an unknown
        code)."""
        return await self.repository.by_code_with_exposure(
            code, start or EARLIEST, end or LATEST, self.level_symbols.get(code)
        )

    async def index_with_series_json(
        self, selection: Selection, code: str, start: date | None, end: date | None
    ) -> tuple[MarketIndex | None, JsonRows] | None:
        """`index_with_series` with the series as the JSON of `selection` (service/db/
        json_rows.py); None when Postgres cannot write it exactly (read `index_with_series`)."""
        found, series = await self.repository.by_code_with_exposure_json(
            selection, code, start or EARLIEST, end or LATEST, self.level_symbols.get(code)
        )
        return None if series is None else (found, series)

    async def futures(
        self, code: str, start: date | None, end: date | None, as_of: date
    ) -> list[FuturesPosition]:
        """The index's CFTC reports released on or before `as_of`, by report date."""
        return await self.repository.futures(
            code, start or EARLIEST, end or LATEST, as_of, self.level_symbols.get(code)
        )
