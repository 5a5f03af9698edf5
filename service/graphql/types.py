"""GraphQL object types (contract: ../shared/contract.graphql; definitions: PRODUCT.md section 2).

Types are views over `service.models`: a resolver returns the model object itself and fields read
its attributes by name (`short_percent_of_float` is `shortPercentOfFloat`). The types of the
catalogued records are generated from the models' field declarations (service/catalogue.py), so
their texts are REST's too. Fields with arguments resolve through the same services the REST API
uses. Every field and argument says its unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import strawberry

from service import catalogue, models
from service.catalogue_graphql import object_type
from service.cursors import MAX_FIRST

# The argument texts shared with REST (service/catalogue.py), in GraphQL's spelling.
FROM = catalogue.render(catalogue.FROM, "graphql")
TO = catalogue.render(catalogue.TO, "graphql")
AS_OF = catalogue.render(catalogue.AS_OF, "graphql")
FIRST = catalogue.page_size("items", 0, MAX_FIRST)
AFTER = catalogue.render(catalogue.after("items"), "graphql")


def _value(choices: catalogue.Choices, name: str) -> Any:
    """The enum member `name` of a catalogue value set, with its description."""
    (member,) = (m for m in choices.members if m.name == name)
    return strawberry.enum_value(member.value, description=catalogue.render(member.text, "graphql"))


@strawberry.enum(description=models.SECURITY_TYPES.text)
class SecurityType(Enum):
    STOCK = _value(models.SECURITY_TYPES, "STOCK")
    ETF = _value(models.SECURITY_TYPES, "ETF")


@strawberry.enum(description=models.TYPE_SOURCES.text)
class TypeSource(Enum):
    SOURCE = _value(models.TYPE_SOURCES, "SOURCE")
    GUESS = _value(models.TYPE_SOURCES, "GUESS")


@strawberry.enum(description="The length of the periods flows are summed over.")
class FlowPeriod(Enum):
    DAY = strawberry.enum_value("day", description="One trading day.")
    WEEK = strawberry.enum_value(
        "week", description="A calendar week, Monday to Friday, labelled by its last trading day."
    )
    MONTH = strawberry.enum_value("month", description="A calendar month.")


@strawberry.enum(description="Money into a fund (creations) or out of it (redemptions).")
class FlowDirection(Enum):
    INFLOW = strawberry.enum_value("inflow", description="Positive flows, largest first.")
    OUTFLOW = strawberry.enum_value("outflow", description="Negative flows, largest outflow first.")


@strawberry.enum(description=models.FLOW_SOURCES.text)
class FlowSource(Enum):
    REPORTED = _value(models.FLOW_SOURCES, "REPORTED")
    DERIVED = _value(models.FLOW_SOURCES, "DERIVED")
    MIXED = _value(models.FLOW_SOURCES, "MIXED")


@strawberry.enum(description=models.DATA_FLAGS.text)
class DataFlag(Enum):
    EXTREME_CHANGE = _value(models.DATA_FLAGS, "EXTREME_CHANGE")
    DAYS_TO_COVER_UNDEFINED = _value(models.DATA_FLAGS, "DAYS_TO_COVER_UNDEFINED")
    DAYS_TO_COVER_CAPPED = _value(models.DATA_FLAGS, "DAYS_TO_COVER_CAPPED")
    EXCEEDS_FLOAT = _value(models.DATA_FLAGS, "EXCEEDS_FLOAT")
    SPLIT = _value(models.DATA_FLAGS, "SPLIT")
    REVISED = _value(models.DATA_FLAGS, "REVISED")
    STALE_FLOAT = _value(models.DATA_FLAGS, "STALE_FLOAT")


ENUMS: dict[str, type[Enum]] = {
    "DataFlag": DataFlag,
    "FlowSource": FlowSource,
    "SecurityType": SecurityType,
    "TypeSource": TypeSource,
}
"""The strawberry enum of each catalogue value set (service/models.py)."""


@strawberry.type(description="Relay pagination state of a connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


# The types of the catalogued records (service/models.py): fields, types and descriptions are
# generated from the models' declarations. Each class is a stand-in subclassing its model, so
# that mypy sees the record the resolvers return (docs/decisions.md, "The field catalogue").


@object_type(models.ShortInterestPoint, ENUMS)
class ShortInterest(models.ShortInterestPoint): ...


@object_type(models.ShortVolumeDay, ENUMS)
class ShortVolume(models.ShortVolumeDay): ...


@object_type(models.PriceBar, ENUMS)
class Price(models.PriceBar): ...


@object_type(models.FundFlow, ENUMS)
class FundFlow(models.FundFlow): ...


@object_type(models.IndexShortExposure, ENUMS)
class IndexShortExposure(models.IndexShortExposure): ...


@object_type(models.FuturesPosition, ENUMS)
class FuturesPosition(models.FuturesPosition): ...


@object_type(models.ScoreFactor, ENUMS)
class ScoreFactor(models.ScoreFactor): ...


@object_type(models.SettlementDate, ENUMS)
class SettlementDate(models.SettlementDate): ...


@strawberry.type(description="An edge of a short-interest connection.")
class ShortInterestEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: ShortInterest = strawberry.field(description="The short-interest point.")


@strawberry.type(description="A page of short-interest points, oldest settlement date first.")
class ShortInterestConnection:
    nodes: list[ShortInterest] = strawberry.field(description="Items without cursors.")
    page: strawberry.Private[Callable[[], PageInfo]]
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    cursor_of: strawberry.Private[Callable[[ShortInterest], str]]

    @strawberry.field(description="Pagination state.")
    def page_info(self) -> PageInfo:
        # Built only when asked for, as `edges`: a chart reading `nodes` encodes no cursor.
        return self.page()

    @strawberry.field(description="Items with cursors.")
    def edges(self) -> list[ShortInterestEdge]:
        # Built only when asked for: a chart reading `nodes` pays no cursor encoding.
        return [ShortInterestEdge(cursor=self.cursor_of(n), node=n) for n in self.nodes]

    @strawberry.field(description="Number of settlement dates in the range (all pages).")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(description="A fund's largest inflow and outflow periods.")
class FlowRecords:
    largest_inflow: FundFlow | None = strawberry.field(description="Highest positive flow.")
    largest_outflow: FundFlow | None = strawberry.field(description="Lowest negative flow.")


@strawberry.type(description="Why securities were left out of a screen, and how many.")
class ExclusionCount:
    reason: str = strawberry.field(
        description="no_share_count, short_exceeds_twice_float, "
        "short_exceeds_twice_shares_outstanding, no_volume, or below a liquidity floor asked "
        "for: below_min_market_cap_usd, below_min_average_dollar_volume_usd."
    )
    count: int = strawberry.field(description="Securities left out for this reason.")


@strawberry.type(description="How fresh a dataset is: its version changes with every ingest.")
class Dataset:
    name: str = strawberry.field(
        description="securities, short_interest, short_volume, prices, flows, members or "
        "futures_positions."
    )
    version: int = strawberry.field(description="Bumped by every ingest that changes the data.")
    updated_at: datetime.datetime = strawberry.field(description="When it last changed.")
