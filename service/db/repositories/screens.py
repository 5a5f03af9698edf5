"""Market-wide screens: every security's point on one date, filtered, ordered, ranked, paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import asyncpg

from service.db import queries, rows
from service.db.pool import Database
from service.models import (
    SCREEN_FIELDS,
    VOLUME_SCREEN_FIELDS,
    ScreenedPoint,
    ScreenedVolume,
    ScreenPage,
    Security,
    ShortInterestPoint,
    VolumeScreenPage,
    VolumeScreenPoint,
)

Q = queries.load("screens")
SHORT_INTEREST = queries.load("short_interest")

SECURITY_COLUMNS = slice(4, 4 + len(rows.field_names(Security)))
POINT_COLUMNS = slice(SECURITY_COLUMNS.stop, None)
LEADING = ("rank", "total", "average_dollar_volume_usd", "market_cap_usd")
VOLUME_SECURITY = slice(2, 2 + len(rows.field_names(Security)))
VOLUME_POINT = slice(VOLUME_SECURITY.stop, None)
ALL_FACILITIES = "ALL"
ALL_MEANS = ("CNMS", "FORF")
"""What ALL sums: CNMS (FINRA's consolidation of FNQC, FNSQ, FNYX and FNRA) and FORF (OTC)."""


@dataclass(frozen=True, slots=True)
class ScreenQuery:
    """What a short interest screen asks for; values already validated by the API layer."""

    as_of: date
    settlement_date: date | None = None
    types: Sequence[str] | None = None
    market_classes: Sequence[str] | None = None
    index: str | None = None
    minimum: dict[str, float] | None = None
    maximum: dict[str, float] | None = None
    include_flags: Sequence[str] | None = None
    exclude_flags: Sequence[str] | None = None
    order: Sequence[tuple[str, bool]] = (("short_interest", True),)
    """(field of SCREEN_FIELDS, descending), at most three."""


@dataclass(frozen=True, slots=True)
class VolumeScreenQuery:
    """What a short volume screen asks for; values already validated by the API layer."""

    day: date | None = None
    """The trading day; None: the newest stored for the facility."""
    facility: str = ALL_FACILITIES
    types: Sequence[str] | None = None
    market_classes: Sequence[str] | None = None
    index: str | None = None
    minimum: dict[str, float] | None = None
    maximum: dict[str, float] | None = None
    order: Sequence[tuple[str, bool]] = (("short_volume_ratio", True),)
    """(field of VOLUME_SCREEN_FIELDS, descending), at most three."""

    @property
    def facilities(self) -> list[str]:
        return facilities_of(self.facility)


def facilities_of(facility: str) -> list[str]:
    """The facilities whose rows a screen of `facility` sums."""
    return list(ALL_MEANS) if facility == ALL_FACILITIES else [facility]


def _check_columns(
    found: Sequence[asyncpg.Record], leading: Sequence[str], parts: Sequence[tuple[type, slice]]
) -> None:
    """A screen's columns, once per result: the leading ones by name, then each model's part."""
    columns = list(found[0].keys())
    if tuple(columns[: len(leading)]) != tuple(leading):
        raise TypeError(f"screen columns {columns[: len(leading)]} are not {tuple(leading)}")
    for model, part in parts:
        rows.check_columns(model, columns[part])


def _bounds(
    values: dict[str, float] | None, names: Sequence[str] = SCREEN_FIELDS
) -> list[float | None] | None:
    """Per field of `names` its bound or None; None when there is none at all."""
    if not values:
        return None
    return [values.get(name) for name in names]


def _order(order: Sequence[tuple[str, bool]], names: Sequence[str]) -> tuple[list[int], list[int]]:
    """The order keys as positions in the query's `vals` array (1-based) and directions."""
    return [names.index(n) + 1 for n, _ in order], [-1 if desc else 1 for _, desc in order]


class ScreenRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def latest_settlement(self, as_of: date) -> date | None:
        found: date | None = await self.db.fetchval(SHORT_INTEREST.latest_settlement, as_of)
        return found

    async def short_interest(self, query: ScreenQuery, after: int, limit: int) -> ScreenPage:
        """The rows ranked after `after` (at most `limit`), on the query's settlement date (the
        newest published as of `as_of` when it names none)."""
        day = query.settlement_date or await self.latest_settlement(query.as_of)
        if day is None:
            return ScreenPage(None, [], 0)
        positions, directions = _order(query.order, SCREEN_FIELDS)
        found = await self.db.fetch(
            Q.short_interest,
            query.as_of,
            day,
            _list(query.types),
            _list(query.market_classes),
            query.index,
            _bounds(query.minimum),
            _bounds(query.maximum),
            _list(query.include_flags),
            _list(query.exclude_flags),
            positions,
            directions,
            after,
            limit,
        )
        if not found:
            if after > 0:  # past the last page: the count still comes from the first
                first = await self.short_interest(query, 0, 1)
                return ScreenPage(day, [], first.total)
            return ScreenPage(day, [], 0)
        _check_columns(
            found, LEADING, [(Security, SECURITY_COLUMNS), (ShortInterestPoint, POINT_COLUMNS)]
        )
        page = [
            ScreenedPoint(
                rank=row[0],
                security=Security(*row[SECURITY_COLUMNS]),
                point=ShortInterestPoint(*row[POINT_COLUMNS]),
                average_dollar_volume_usd=row[2],
                market_cap_usd=row[3],
            )
            for row in found
        ]
        return ScreenPage(day, page, found[0]["total"])

    async def latest_volume_day(self, facility: str) -> date | None:
        found: date | None = await self.db.fetchval(Q.latest_volume_day, facilities_of(facility))
        return found

    async def short_volume(
        self, query: VolumeScreenQuery, after: int, limit: int
    ) -> VolumeScreenPage:
        """The rows ranked after `after` (at most `limit`) on the query's day (the newest
        stored for its facility when it names none)."""
        day = query.day or await self.latest_volume_day(query.facility)
        if day is None:
            return VolumeScreenPage(None, query.facility, [], 0)
        positions, directions = _order(query.order, VOLUME_SCREEN_FIELDS)
        found = await self.db.fetch(
            Q.short_volume,
            day,
            query.facilities,
            _list(query.types),
            _list(query.market_classes),
            query.index,
            _bounds(query.minimum, VOLUME_SCREEN_FIELDS),
            _bounds(query.maximum, VOLUME_SCREEN_FIELDS),
            positions,
            directions,
            after,
            limit,
            query.facility,
        )
        if not found:
            if after > 0:  # past the last page: the count still comes from the first
                first = await self.short_volume(replace(query, day=day), 0, 1)
                return VolumeScreenPage(day, query.facility, [], first.total)
            return VolumeScreenPage(day, query.facility, [], 0)
        _check_columns(
            found,
            ("rank", "total"),
            [(Security, VOLUME_SECURITY), (VolumeScreenPoint, VOLUME_POINT)],
        )
        page = [
            ScreenedVolume(
                rank=row[0],
                security=Security(*row[VOLUME_SECURITY]),
                point=VolumeScreenPoint(*row[VOLUME_POINT]),
            )
            for row in found
        ]
        return VolumeScreenPage(day, query.facility, page, found[0]["total"])


def _list(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)
