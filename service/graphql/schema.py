"""The GraphQL schema: Query, and the types whose fields take arguments (contract names exactly).

Resolvers return `service.models` objects (see types.py) and call the same analytics services as
the REST API. `self` in a resolver is the model object the parent field returned. The catalogued
records served here (Security, SqueezeCandidate, the screens' rows and points) are generated
from their models' declarations, as in types.py; Security's stand-in adds its fields with
arguments.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from graphql import FieldNode
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from service import catalogue, cursors, models
from service.analytics import calendar, screens
from service.analytics.fund_kinds import FUND_KIND_TEXT, check_fund_kinds
from service.analytics.fund_kinds import FundKind as FundKindModel
from service.analytics.squeeze import Floors, check_floors
from service.catalogue_graphql import object_type
from service.db.json_rows import JsonRows
from service.errors import BadRequest
from service.graphql import lookahead, resolvers
from service.graphql.context import Context
from service.graphql.limits import queries_database
from service.graphql.scalars import SCALAR_MAP, BigInt
from service.graphql.types import (
    AFTER,
    AS_OF,
    ENUMS,
    FIRST,
    FROM,
    TO,
    DataFlag,
    Dataset,
    ExclusionCount,
    FlowDirection,
    FlowPeriod,
    FlowRecords,
    FundFlow,
    FuturesPosition,
    IndexShortExposure,
    PageInfo,
    Price,
    SecurityType,
    SettlementDate,
    ShortInterest,
    ShortInterestConnection,
    ShortVolume,
)
from service.models import SCREEN_FIELDS, VOLUME_SCREEN_FIELDS, MarketIndex
from service.models import IndexShortExposure as IndexShortExposureModel
from service.models import Security as SecurityModel
from service.models import ShortInterestPoint as ShortInterestPointModel
from service.models import SqueezeScreen as SqueezeScreenModel

GraphQLInfo = Info[Context, None]


# The arguments many fields share, declared once (GraphQL name, type, description).
FromDate = Annotated[datetime.date | None, strawberry.argument(name="from", description=FROM)]
ToDate = Annotated[datetime.date | None, strawberry.argument(description=TO)]
AsOfDate = Annotated[datetime.date | None, strawberry.argument(description=AS_OF)]
AfterCursor = Annotated[str | None, strawberry.argument(description=AFTER)]
MinMarketCap = Annotated[
    float | None,
    strawberry.argument(
        description="Liquidity floor: only securities whose shares outstanding x close on the "
        "settlement date is at least this many USD (unknown: left out, counted as "
        "below_min_market_cap_usd)."
    ),
]
MinDollarVolume = Annotated[
    float | None,
    strawberry.argument(
        description="Liquidity floor: only securities whose FINRA average daily volume x close "
        "is at least this many USD a day (unknown: left out, counted as "
        "below_min_average_dollar_volume_usd)."
    ),
]

_FUND_KINDS: Any = Enum(  # type: ignore[misc]
    "FundKind",
    {k.name: strawberry.enum_value(k.value, description=t) for k, t in FUND_KIND_TEXT.items()},
)
FundKind = strawberry.enum(
    _FUND_KINDS,
    description="Exchange-traded products the squeeze screen can leave out, told by their names "
    "(a documented heuristic: docs/squeeze.md).",
)
ExcludeFundKinds = Annotated[
    list[FundKind] | None,  # type: ignore[valid-type]
    strawberry.argument(
        description="Leave these fund kinds out (counted under their names, e.g. "
        "leveraged_inverse). At most one of each."
    ),
]


def _value(member: Enum) -> str:
    """The model value of a GraphQL enum member ("etf" for SecurityType.ETF)."""
    return str(member.value)


def _as_of(info: GraphQLInfo, as_of: datetime.date | None) -> datetime.date:
    """The point in time of an `asOf` argument: today when omitted. Every `asOf` passes here.

    A date after today is refused: nothing is known from the future, and answering as of then
    would quietly mean "today" for some data and not for others (prices, published files)."""
    today = info.context.today
    if as_of is None:
        return today
    if as_of > today:
        raise BadRequest(
            f"asOf: {as_of} is after today ({today}); give a date on or before today, "
            "or omit asOf for today"
        )
    return as_of


@object_type(SecurityModel, ENUMS)
class Security(SecurityModel):
    """The catalogued fields (service/models.py), then the fields with arguments."""

    @strawberry.field(description="Shares outstanding, latest known on or before asOf.")
    async def shares_outstanding(
        self,
        info: GraphQLInfo,
        as_of: AsOfDate = None,
    ) -> BigInt | None:
        shares, _ = await info.context.share_counts.load((self.id, _as_of(info, as_of)))
        return None if shares is None else BigInt(shares)

    @strawberry.field(
        description="Float (shares available to trade), latest known on or before asOf; for "
        "an ETF, its shares outstanding."
    )
    async def float_shares(
        self,
        info: GraphQLInfo,
        as_of: AsOfDate = None,
    ) -> BigInt | None:
        _, float_shares = await info.context.share_counts.load((self.id, _as_of(info, as_of)))
        return None if float_shares is None else BigInt(float_shares)

    @strawberry.field(
        description="Short interest by settlement date, oldest first (paginated).",
        graphql_type=ShortInterestConnection,
    )
    @queries_database
    def short_interest(
        self,
        info: GraphQLInfo,
        from_: FromDate = None,
        to: ToDate = None,
        as_of: AsOfDate = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 100,
        after: AfterCursor = None,
    ) -> ShortInterestConnection | Awaitable[ShortInterestConnection]:
        # Not a coroutine when `Query.security` fetched the points along (the usual case): the
        # executor then completes this field without awaiting anything (docs/benchmarks.md).
        window = _series_window(info, from_, to, as_of, first, after)
        built = info.context.fetched_along.get(("shortInterest", self.id, window))
        has_previous = after is not None
        if built is not None:
            return _series_connection(info, self.id, window, *built, has_previous=has_previous)
        return _fetch_series(info, self.id, window, has_previous=has_previous)

    @strawberry.field(
        description="The newest settlement date's short interest known on asOf.",
        graphql_type=ShortInterest | None,
    )
    @queries_database
    def latest_short_interest(
        self,
        info: GraphQLInfo,
        as_of: AsOfDate = None,
    ) -> ShortInterest | Awaitable[ShortInterest | None] | None:
        # At once when `Query.security` fetched the point along (the loader holds it), as
        # `short_interest`; else the loader's batch query.
        loaded = info.context.latest_short_interest.load((self.id, _as_of(info, as_of)))
        if isinstance(loaded, asyncio.Future) and loaded.done():
            return cast(ShortInterest | None, loaded.result())
        return cast(Awaitable[ShortInterest | None], loaded)

    @strawberry.field(description="Reg SHO daily short sale volume, oldest first.")
    async def short_volume(
        self,
        info: GraphQLInfo,
        from_: FromDate = None,
        to: ToDate = None,
        facility: Annotated[
            str,
            strawberry.argument(description=catalogue.FACILITY),
        ] = "CNMS",
    ) -> list[ShortVolume]:
        cursors.check_range(from_, to)
        days = await info.context.reads.series.short_volume(self.id, from_, to, facility)
        return cast(list[ShortVolume], days)

    @strawberry.field(description="Daily prices (unadjusted), oldest first.")
    async def prices(
        self,
        info: GraphQLInfo,
        from_: FromDate = None,
        to: ToDate = None,
    ) -> list[Price]:
        cursors.check_range(from_, to)
        series = info.context.reads.series
        if (selection := lookahead.json_own_items(info)) is not None:
            built = await series.prices_json(selection, self.id, from_, to)
            if built is not None:
                return cast(list[Price], built)
        return cast(list[Price], await series.prices(self.id, from_, to))

    @strawberry.field(description="Net fund flows per day, week or month, oldest first (ETFs).")
    async def fund_flows(
        self,
        info: GraphQLInfo,
        from_: FromDate = None,
        to: ToDate = None,
        period: Annotated[
            FlowPeriod | None,
            strawberry.argument(description="Period length (DAY, WEEK Mon-Fri, MONTH)."),
        ] = FlowPeriod.DAY,
    ) -> list[FundFlow]:
        cursors.check_range(from_, to)
        flows = await info.context.reads.flows.flows(
            cast(SecurityModel, self),
            _value(period or FlowPeriod.DAY),
            from_,
            to,
            info.context.today,
        )
        return cast(list[FundFlow], flows)

    @strawberry.field(description="The fund's largest inflow and outflow for a period length.")
    async def flow_records(
        self,
        info: GraphQLInfo,
        period: Annotated[FlowPeriod, strawberry.argument(description="Period length.")],
    ) -> FlowRecords | None:
        records = await info.context.reads.flows.records(
            cast(SecurityModel, self), _value(period), info.context.today
        )
        return cast(FlowRecords, records)


@strawberry.type(description="An edge of a security connection.")
class SecurityEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: Security = strawberry.field(description="The security.")


@strawberry.type(description="A page of securities, by symbol.")
class SecurityConnection:
    nodes: list[Security] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Items with cursors.")
    def edges(self) -> list[SecurityEdge]:
        return [SecurityEdge(cursor=_security_cursor(n), node=n) for n in self.nodes]

    @strawberry.field(description="Number of securities matching (all pages).")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(description="A market index (e.g. R2000), its members and the funds tracking it.")
class Index:
    code: str = strawberry.field(description="Index code, e.g. R2000.")
    name: str | None = strawberry.field(description="Index name, when known.")

    @strawberry.field(description="Members of the index on asOf (default today), by symbol.")
    async def constituents(
        self,
        info: GraphQLInfo,
        as_of: Annotated[
            datetime.date | None,
            strawberry.argument(
                description="Membership date. Omitted: today. A date after today is an error."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 100,
        after: AfterCursor = None,
    ) -> SecurityConnection:
        return await _securities_page(
            info,
            search=None,
            type_=None,
            index=self.code,
            on=_as_of(info, as_of),
            first=cursors.check_first(first, 100),
            after=after,
        )

    @strawberry.field(description="ETFs tracking the index (the ETF leg of its short exposure).")
    async def tracking_funds(self, info: GraphQLInfo) -> list[Security]:
        funds = await info.context.reads.indexes.tracking_funds(self.code)
        return cast(list[Security], funds)

    @strawberry.field(
        description="Short exposure per settlement date, oldest first: members' shares short "
        "and their dollar value, plus the tracking ETFs', with records."
    )
    async def short_exposure(
        self,
        info: GraphQLInfo,
        from_: FromDate = None,
        to: ToDate = None,
    ) -> list[IndexShortExposure]:
        cursors.check_range(from_, to)
        exposure = info.context.reads.exposure
        series = info.context.fetched_along.get(("shortExposure", self.code, (from_, to)))
        if series is None and (selection := lookahead.json_own_items(info)) is not None:
            built = await exposure.index_with_series_json(selection, self.code, from_, to)
            series = None if built is None else built[1]
        if series is None:
            series = await exposure.series(self.code, from_, to)
        return cast(list[IndexShortExposure], series)

    @strawberry.field(
        description="CFTC Traders in Financial Futures on its own weekly dates, oldest first: "
        "one row per report date and index futures contract (E-mini, micro), in contracts, "
        "with the index level and leveraged funds' short in USD, and records."
    )
    async def futures_positioning(
        self,
        info: GraphQLInfo,
        from_: Annotated[
            datetime.date | None,
            strawberry.argument(
                name="from", description="First report date (inclusive). Omitted: the first."
            ),
        ] = None,
        to: Annotated[
            datetime.date | None,
            strawberry.argument(description="Last report date (inclusive). Omitted: the newest."),
        ] = None,
        as_of: Annotated[
            datetime.date | None,
            strawberry.argument(
                description="Point in time: only reports CFTC had released by this date "
                "(releaseDate <= asOf). Omitted: today. A date after today is an error."
            ),
        ] = None,
    ) -> list[FuturesPosition]:
        cursors.check_range(from_, to)
        found = await info.context.reads.exposure.futures(self.code, from_, to, _as_of(info, as_of))
        return cast(list[FuturesPosition], found)


@object_type(models.SqueezeCandidate, ENUMS)
class SqueezeCandidate(models.SqueezeCandidate): ...


@strawberry.type(description="A squeeze screen run: ranked candidates and what was left out.")
class SqueezeScreen:
    as_of: datetime.date = strawberry.field(description="Point in time of the screen.")
    candidates: list[SqueezeCandidate] = strawberry.field(description="Highest score first.")
    evaluated: int = strawberry.field(description="Securities reporting on the settlement date.")

    @strawberry.field(description="Securities left out, by reason.")
    def excluded(self) -> list[ExclusionCount]:
        counts = cast(SqueezeScreenModel, self).excluded
        return [ExclusionCount(reason=r, count=n) for r, n in sorted(counts.items())]


SeriesWindow = tuple[
    datetime.date, datetime.date | None, datetime.date | None, datetime.date | None, int
]
"""A short interest series' arguments as its query takes them: known on, from, to, after the
cursor's date, page size."""


async def _fetch_series(
    info: GraphQLInfo, security_id: int, window: SeriesWindow, *, has_previous: bool
) -> ShortInterestConnection:
    """`Security.shortInterest` of a security fetched without its points: their query."""
    known_on, start, end, after, size = window
    service = info.context.reads.short_interest
    built: tuple[list[ShortInterestPointModel] | JsonRows, bool] | None = None
    if (selection := lookahead.json_own_items(info, "nodes")) is not None:
        built = await service.series_json(
            selection, security_id, known_on=known_on, start=start, end=end, after=after, limit=size
        )
    if built is None:
        built = await service.series(
            security_id, known_on=known_on, start=start, end=end, after=after, limit=size
        )
    return _series_connection(info, security_id, window, *built, has_previous=has_previous)


def _series_connection(
    info: GraphQLInfo,
    security_id: int,
    window: SeriesWindow,
    points: list[ShortInterestPointModel] | JsonRows,
    has_next: bool,
    *,
    has_previous: bool,
) -> ShortInterestConnection:
    """The connection of a series page (its page info and total count computed when asked)."""
    known_on, start, end, _, _ = window
    service = info.context.reads.short_interest

    async def count() -> int:
        return await service.count(security_id, known_on=known_on, start=start, end=end)

    return ShortInterestConnection(
        nodes=cast(list[ShortInterest], points),
        page=functools.partial(_series_page_info, points, has_next, has_previous=has_previous),
        count=count,
        cursor_of=_point_cursor,
    )


def _series_window(
    info: GraphQLInfo,
    from_: datetime.date | None,
    to: datetime.date | None,
    as_of: datetime.date | None,
    first: int | None,
    after: str | None,
) -> SeriesWindow:
    """`Security.shortInterest`'s arguments checked (BadRequest) and resolved."""
    size = cursors.check_first(first, 100)
    cursors.check_range(from_, to)
    known_on = _as_of(info, as_of)
    after_date = cursors.decode_date("si", after) if after else None
    return known_on, from_, to, after_date, size


_FETCHED_ALONG = ("shortInterest", "latestShortInterest")
"""The fields of Security that `Query.security` fetches in its own query when one is the only
one of them selected (service/graphql/lookahead.py): one round trip instead of two."""


async def _security_with(
    info: GraphQLInfo, symbol: str, field: str, arguments: dict[str, Any], node: FieldNode
) -> SecurityModel | None:
    """The security `symbol` names, fetched with its `field` (GraphQL arguments `arguments`,
    selected as `node`), which is left for that field's resolver (BadRequest when the
    arguments are refused): its points as JSON built by Postgres where the selection allows
    (service/db/json_rows.py)."""
    context = info.context
    service = context.reads.short_interest
    if field == "shortInterest":
        window = _series_window(
            info,
            arguments.get("from"),
            arguments.get("to"),
            arguments.get("asOf"),
            arguments.get("first"),
            arguments.get("after"),
        )
        known_on, start, end, after, size = window
        built: tuple[SecurityModel | None, list[ShortInterestPointModel] | JsonRows, bool] | None
        built = None
        if (selection := lookahead.json_child_items(info, node, "nodes")) is not None:
            built = await service.series_by_symbol_json(
                selection, symbol, known_on=known_on, start=start, end=end, after=after, limit=size
            )
        if built is None:
            built = await service.series_by_symbol(
                symbol, known_on=known_on, start=start, end=end, after=after, limit=size
            )
        security, points, has_next = built
        if security is not None:
            context.fetched_along[(field, security.id, window)] = (points, has_next)
        return security
    known_on = _as_of(info, arguments.get("asOf"))
    security, point = await service.latest_by_symbol(symbol, known_on)
    if security is not None:
        context.prime("latest_short_interest", (security.id, known_on), point)
    return security


async def _index_with_exposure(
    info: GraphQLInfo, code: str, arguments: dict[str, Any], node: FieldNode
) -> MarketIndex | None:
    """The index `code` names, fetched with its `shortExposure` (GraphQL arguments
    `arguments`, selected as `node`), which is left for that field's resolver (BadRequest when
    the arguments are refused), as `_security_with` does for a security."""
    start, end = arguments.get("from"), arguments.get("to")
    cursors.check_range(start, end)
    exposure = info.context.reads.exposure
    built: tuple[MarketIndex | None, list[IndexShortExposureModel] | JsonRows] | None = None
    if (selection := lookahead.json_child_items(info, node)) is not None:
        built = await exposure.index_with_series_json(selection, code, start, end)
    if built is None:
        built = await exposure.index_with_series(code, start, end)
    found, series = built
    if found is not None:
        info.context.fetched_along[("shortExposure", found.code, (start, end))] = series
    return found


def _point_cursor(point: ShortInterest) -> str:
    return _date_cursor(point.settlement_date)


def _date_cursor(day: datetime.date) -> str:
    return cursors.encode("si", day.isoformat())


def _series_page_info(
    points: list[ShortInterestPointModel] | JsonRows, has_next: bool, *, has_previous: bool
) -> PageInfo:
    """A series page's pagination state, from its records or its JSON rows' dates."""
    if isinstance(points, JsonRows):
        page = cursors.Page(points.keys, has_next)
        return _page_info(page, _date_cursor, has_previous=has_previous)
    nodes = cast(list[ShortInterest], points)
    return _page_info(cursors.Page(nodes, has_next), _point_cursor, has_previous=has_previous)


def _security_cursor(security: Security) -> str:
    return cursors.encode("sec", security.symbol)


def _page_info(
    page: cursors.Page[Any], cursor_of: Callable[[Any], str], *, has_previous: bool
) -> PageInfo:
    """Pagination state of a page: its first and last cursors (none when empty)."""
    start, end = page.edge_cursors(cursor_of)
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=has_previous,
        start_cursor=start,
        end_cursor=end,
    )


async def _securities_page(
    info: GraphQLInfo,
    *,
    search: str | None,
    type_: SecurityType | None,
    index: str | None,
    on: datetime.date,
    first: int,
    after: str | None,
) -> SecurityConnection:
    repository = info.context.reads.securities
    after_symbol = cursors.decode("sec", after) if after else ""
    type_value = _value(type_) if type_ is not None else None
    found = await repository.page(
        search=search or None,
        type_=type_value,
        index=index,
        members_on=on,
        after=after_symbol,
        limit=cursors.fetch_size(first),
    )
    page = cursors.page_of(cast(list[Security], found), first)

    async def count() -> int:
        return await repository.count(
            search=search or None, type_=type_value, index=index, members_on=on
        )

    return SecurityConnection(
        nodes=page.items,
        page_info=_page_info(page, _security_cursor, has_previous=after is not None),
        count=count,
    )


SCREEN_FIELD_TEXT = {
    "short_interest": "shares short",
    "change": "change in shares short from the previous settlement date",
    "change_percent": "changePercent (capped and undefined as their flags say)",
    "days_to_cover": "daysToCover (999.99 when capped: DAYS_TO_COVER_CAPPED; null when "
    "undefined, left out by a bound on it)",
    "short_percent_of_float": "short % of float",
    "short_percent_of_shares_outstanding": "short % of shares outstanding",
    "short_value_usd": "shares short x close, USD",
    "close_price": "the close that values the position, USD",
    "average_daily_volume": "FINRA's average daily volume, shares",
    "average_dollar_volume_usd": "averageDailyVolume x close, USD",
    "market_cap_usd": "shares outstanding x close, USD (where both are known)",
}


# One member per SCREEN_FIELDS name (SHORT_INTEREST = "short_interest", ...), described once.
_ORDER_FIELDS: Any = Enum(  # type: ignore[misc]
    "ShortInterestOrderField",
    {
        name.upper(): strawberry.enum_value(name, description=text)
        for name, text in SCREEN_FIELD_TEXT.items()
    },
)
ShortInterestOrderField = strawberry.enum(
    _ORDER_FIELDS, description="A numeric field a market screen orders by (nulls last)."
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest first (nulls last).")
    DESC = strawberry.enum_value("desc", description="Largest first (nulls last).")


@strawberry.input(description="One key of a screen's order: a field and a direction.")
class ShortInterestOrder:
    field: ShortInterestOrderField = strawberry.field(  # type: ignore[valid-type]
        description="The field to order by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="ASC or DESC (default); nulls sort last."
    )


def _bound(name: str, side: str, texts: dict[str, str] = SCREEN_FIELD_TEXT) -> Any:
    return strawberry.field(
        default=None,
        name=f"{side}{screens.camel(name)}",
        description=f"{'At least' if side == 'min' else 'At most'} this {texts[name]}; "
        "a security without a value is left out.",
    )


@strawberry.input(
    description="Which securities a short interest screen keeps. Every condition given must "
    "hold; min/max bounds are inclusive."
)
class ShortInterestFilter:
    types: list[SecurityType] | None = strawberry.field(
        default=None, description="Only these security types."
    )
    market_classes: list[str] | None = strawberry.field(
        default=None, description="Only these FINRA market classes (e.g. NNM, NYSE, ARCA, OTC)."
    )
    index: str | None = strawberry.field(
        default=None,
        description="Only members of this index (e.g. R2000) on the settlement date; an "
        "unknown code is a NOT_FOUND error.",
    )
    min_short_interest: float | None = _bound("short_interest", "min")
    max_short_interest: float | None = _bound("short_interest", "max")
    min_change: float | None = _bound("change", "min")
    max_change: float | None = _bound("change", "max")
    min_change_percent: float | None = _bound("change_percent", "min")
    max_change_percent: float | None = _bound("change_percent", "max")
    min_days_to_cover: float | None = _bound("days_to_cover", "min")
    max_days_to_cover: float | None = _bound("days_to_cover", "max")
    min_short_percent_of_float: float | None = _bound("short_percent_of_float", "min")
    max_short_percent_of_float: float | None = _bound("short_percent_of_float", "max")
    min_short_percent_of_shares_outstanding: float | None = _bound(
        "short_percent_of_shares_outstanding", "min"
    )
    max_short_percent_of_shares_outstanding: float | None = _bound(
        "short_percent_of_shares_outstanding", "max"
    )
    min_short_value_usd: float | None = _bound("short_value_usd", "min")
    max_short_value_usd: float | None = _bound("short_value_usd", "max")
    min_close_price: float | None = _bound("close_price", "min")
    max_close_price: float | None = _bound("close_price", "max")
    min_average_daily_volume: float | None = _bound("average_daily_volume", "min")
    max_average_daily_volume: float | None = _bound("average_daily_volume", "max")
    min_average_dollar_volume_usd: float | None = _bound("average_dollar_volume_usd", "min")
    max_average_dollar_volume_usd: float | None = _bound("average_dollar_volume_usd", "max")
    min_market_cap_usd: float | None = _bound("market_cap_usd", "min")
    max_market_cap_usd: float | None = _bound("market_cap_usd", "max")
    include_flags: list[DataFlag] | None = strawberry.field(
        default=None, description="Only points with at least one of these flags."
    )
    exclude_flags: list[DataFlag] | None = strawberry.field(
        default=None, description="Only points with none of these flags."
    )


@object_type(models.ScreenedPoint, ENUMS)
class ShortInterestScreenRow(models.ScreenedPoint): ...


@strawberry.type(description="An edge of a short interest screen.")
class ShortInterestScreenEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: ShortInterestScreenRow = strawberry.field(description="The ranked point.")


@strawberry.type(
    description="A page of a short interest screen: every security's point on one settlement "
    "date that passes the filter, in the screen's order."
)
class ShortInterestScreenConnection:
    settlement_date: datetime.date | None = strawberry.field(
        description="The settlement date screened (null: nothing published as of asOf)."
    )
    nodes: list[ShortInterestScreenRow] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Securities passing the filter (all pages).")

    @strawberry.field(description="Items with cursors.")
    def edges(self) -> list[ShortInterestScreenEdge]:
        day = self.settlement_date
        return [
            ShortInterestScreenEdge(cursor=screens.cursor(day, n.rank), node=n) for n in self.nodes
        ]


VOLUME_FIELD_TEXT = {
    "short_volume": "short sale volume of the day, shares",
    "short_exempt_volume": "short exempt volume of the day, shares",
    "total_volume": "total volume of the day, shares",
    "short_volume_ratio": "short volume ratio of the day, percent",
    "average_short_volume_ratio": "mean daily short volume ratio over the 20 trading days "
    "before, percent",
    "short_volume_ratio_change": "short volume ratio minus its 20-day average, percentage points",
}

_VOLUME_ORDER_FIELDS: Any = Enum(  # type: ignore[misc]
    "ShortVolumeOrderField",
    {
        name.upper(): strawberry.enum_value(name, description=text)
        for name, text in VOLUME_FIELD_TEXT.items()
    },
)
ShortVolumeOrderField = strawberry.enum(
    _VOLUME_ORDER_FIELDS, description="A numeric field the short volume screen orders by."
)


@strawberry.input(description="One key of the short volume screen's order.")
class ShortVolumeOrder:
    field: ShortVolumeOrderField = strawberry.field(  # type: ignore[valid-type]
        description="The field to order by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="ASC or DESC (default); nulls sort last."
    )


def _volume_bound(name: str, side: str) -> Any:
    return _bound(name, side, VOLUME_FIELD_TEXT)


@strawberry.input(
    description="Which securities the short volume screen keeps. Every condition given must "
    "hold; min/max bounds are inclusive."
)
class ShortVolumeFilter:
    types: list[SecurityType] | None = strawberry.field(
        default=None, description="Only these security types."
    )
    market_classes: list[str] | None = strawberry.field(
        default=None, description="Only these FINRA market classes (e.g. NNM, NYSE, ARCA, OTC)."
    )
    index: str | None = strawberry.field(
        default=None,
        description="Only members of this index on the day; an unknown code is a NOT_FOUND error.",
    )
    min_short_volume: float | None = _volume_bound("short_volume", "min")
    max_short_volume: float | None = _volume_bound("short_volume", "max")
    min_short_exempt_volume: float | None = _volume_bound("short_exempt_volume", "min")
    max_short_exempt_volume: float | None = _volume_bound("short_exempt_volume", "max")
    min_total_volume: float | None = _volume_bound("total_volume", "min")
    max_total_volume: float | None = _volume_bound("total_volume", "max")
    min_short_volume_ratio: float | None = _volume_bound("short_volume_ratio", "min")
    max_short_volume_ratio: float | None = _volume_bound("short_volume_ratio", "max")
    min_average_short_volume_ratio: float | None = _volume_bound(
        "average_short_volume_ratio", "min"
    )
    max_average_short_volume_ratio: float | None = _volume_bound(
        "average_short_volume_ratio", "max"
    )
    min_short_volume_ratio_change: float | None = _volume_bound("short_volume_ratio_change", "min")
    max_short_volume_ratio_change: float | None = _volume_bound("short_volume_ratio_change", "max")


@object_type(models.VolumeScreenPoint, ENUMS)
class ShortVolumeScreenPoint(models.VolumeScreenPoint): ...


@object_type(models.ScreenedVolume, ENUMS)
class ShortVolumeScreenRow(models.ScreenedVolume): ...


@strawberry.type(description="An edge of the short volume screen.")
class ShortVolumeScreenEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: ShortVolumeScreenRow = strawberry.field(description="The ranked row.")


@strawberry.type(
    description="A page of the short volume screen: every security with Reg SHO volume on one "
    "trading day that passes the filter, in the screen's order."
)
class ShortVolumeScreenConnection:
    date: datetime.date | None = strawberry.field(
        description="The trading day screened (null: no Reg SHO volume stored)."
    )
    facility: str = strawberry.field(description="The facility screened (a code, or ALL).")
    nodes: list[ShortVolumeScreenRow] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Securities passing the filter (all pages).")

    @strawberry.field(description="Items with cursors.")
    def edges(self) -> list[ShortVolumeScreenEdge]:
        return [
            ShortVolumeScreenEdge(
                cursor=screens.volume_cursor(self.date, self.facility, n.rank), node=n
            )
            for n in self.nodes
        ]


async def _short_volume_screen(
    info: GraphQLInfo,
    day: datetime.date | None,
    facility: str,
    filter_: ShortVolumeFilter | None,
    order_by: list[ShortVolumeOrder] | None,
    first: int | None,
    after: str | None,
) -> ShortVolumeScreenConnection:
    size = cursors.check_first(first, 50)
    criteria = filter_ or ShortVolumeFilter()
    query, start = screens.volume_screen_query(
        day=day,
        facility=facility,
        today=info.context.today,
        types=None if criteria.types is None else [_value(t) for t in criteria.types],
        market_classes=criteria.market_classes,
        index=criteria.index,
        minimum={n: getattr(criteria, f"min_{n}") for n in VOLUME_SCREEN_FIELDS},
        maximum={n: getattr(criteria, f"max_{n}") for n in VOLUME_SCREEN_FIELDS},
        order=[(_value(o.field), o.direction is OrderDirection.DESC) for o in order_by or []],
        after=after,
    )
    page = await info.context.reads.screens.short_volume(query, start, cursors.fetch_size(size))
    if criteria.index is not None and page.total == 0:
        await info.context.reads.index(criteria.index)  # NOT_FOUND for an unknown code
    rows = cursors.page_of(cast(list[ShortVolumeScreenRow], page.rows), size)
    cursor_of = functools.partial(screens.volume_cursor, page.date, page.facility)
    return ShortVolumeScreenConnection(
        date=page.date,
        facility=page.facility,
        nodes=rows.items,
        page_info=_page_info(rows, lambda row: cursor_of(row.rank), has_previous=start > 0),
        total_count=page.total,
    )


async def _short_interest_screen(
    info: GraphQLInfo,
    settlement_date: datetime.date | None,
    as_of: datetime.date | None,
    filter_: ShortInterestFilter | None,
    order_by: list[ShortInterestOrder] | None,
    first: int | None,
    after: str | None,
) -> ShortInterestScreenConnection:
    size = cursors.check_first(first, 50)
    criteria = filter_ or ShortInterestFilter()
    query, start = screens.screen_query(
        as_of=_as_of(info, as_of),
        settlement_date=settlement_date,
        types=None if criteria.types is None else [_value(t) for t in criteria.types],
        market_classes=criteria.market_classes,
        index=criteria.index,
        minimum={n: getattr(criteria, f"min_{n}") for n in SCREEN_FIELDS},
        maximum={n: getattr(criteria, f"max_{n}") for n in SCREEN_FIELDS},
        include_flags=None
        if criteria.include_flags is None
        else [_value(f) for f in criteria.include_flags],
        exclude_flags=None
        if criteria.exclude_flags is None
        else [_value(f) for f in criteria.exclude_flags],
        order=[(_value(o.field), o.direction is OrderDirection.DESC) for o in order_by or []],
        after=after,
    )
    page = await info.context.reads.screens.short_interest(query, start, cursors.fetch_size(size))
    if criteria.index is not None and page.total == 0:
        await info.context.reads.index(criteria.index)  # NOT_FOUND for an unknown code
    rows = cursors.page_of(cast(list[ShortInterestScreenRow], page.rows), size)
    day = page.settlement_date
    return ShortInterestScreenConnection(
        settlement_date=day,
        nodes=rows.items,
        page_info=_page_info(
            rows, lambda row: screens.cursor(day, row.rank), has_previous=start > 0
        ),
        total_count=page.total,
    )


@strawberry.type(description="Shortflow: US short interest and ETF fund flows.")
class Query:
    @strawberry.field(description="One security by symbol (its current one, or a former one).")
    async def security(
        self,
        info: GraphQLInfo,
        symbol: Annotated[
            str, strawberry.argument(description="Ticker symbol, e.g. IWM (case-sensitive).")
        ],
    ) -> Security | None:
        symbol = symbol.strip()
        along = lookahead.child(info, _FETCHED_ALONG)
        if along is not None:
            try:
                fetched = await _security_with(info, symbol, *along)
            except BadRequest:
                pass  # the child's arguments are refused: its resolver says so in its place
            else:
                info.context.prime("security_by_symbol", symbol, fetched)
                return cast(Security | None, fetched)
        found = await info.context.security_by_symbol.load(symbol)
        return cast(Security | None, found)

    @strawberry.field(description="Securities by symbol, filtered and paginated.")
    async def securities(
        self,
        info: GraphQLInfo,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Symbol prefix or part of the name (case-insensitive)."
            ),
        ] = None,
        type: Annotated[
            SecurityType | None, strawberry.argument(description="Only stocks or only ETFs.")
        ] = None,
        index: Annotated[
            str | None,
            strawberry.argument(
                description="Only members of this index (e.g. R2000) today; an unknown code "
                "is a NOT_FOUND error."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 50,
        after: AfterCursor = None,
    ) -> SecurityConnection:
        page = await _securities_page(
            info,
            search=search,
            type_=type,
            index=index,
            on=info.context.today,
            first=cursors.check_first(first, 50),
            after=after,
        )
        if index is not None and not page.nodes:
            # Only an empty page can hide an unknown index (NOT_FOUND, as REST's 404).
            await info.context.reads.index(index)
        return page

    @strawberry.field(description="One index by code, e.g. R2000.")
    async def index(
        self,
        info: GraphQLInfo,
        code: Annotated[str, strawberry.argument(description="Index code.")],
    ) -> Index | None:
        code = code.strip()
        along = lookahead.child(info, ("shortExposure",))
        if along is not None:
            try:
                fetched = await _index_with_exposure(info, code, *along[1:])
            except BadRequest:
                pass  # the child's arguments are refused: its resolver says so in its place
            else:
                return cast(Index | None, fetched)
        found: MarketIndex | None = await info.context.reads.indexes.by_code(code)
        return cast(Index | None, found)

    @strawberry.field(description="Every index, by code (e.g. R2000).")
    async def indexes(
        self,
        info: GraphQLInfo,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 100,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Only indexes whose code sorts after this one (the last code of "
                "the previous page). Omitted: from the first."
            ),
        ] = None,
    ) -> list[Index]:
        found = await info.context.reads.indexes.page(
            after or "", cursors.check_first(first, 100), info.context.today
        )
        return cast(list[Index], found)

    @strawberry.field(
        description="Funds with the largest inflows or outflows in one period (by default the "
        "newest complete period: one that is over, see FundFlow.complete), largest first."
    )
    async def fund_flow_leaders(
        self,
        info: GraphQLInfo,
        period: Annotated[FlowPeriod, strawberry.argument(description="Period length.")],
        direction: Annotated[FlowDirection, strawberry.argument(description="INFLOW or OUTFLOW.")],
        period_end: Annotated[
            datetime.date | None,
            strawberry.argument(
                description="Any date in the period wanted (answered even when the period is "
                "not over: see complete). Omitted: the newest complete period with data."
            ),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="How many funds (0 to 1000).")
        ] = 10,
    ) -> list[FundFlow]:
        leaders = await info.context.reads.flows.leaders(
            _value(period),
            _value(direction),
            period_end,
            cursors.check_first(first, 10),
            info.context.today,
        )
        return cast(list[FundFlow], leaders)

    @strawberry.field(
        description="Squeeze candidates, highest score first (see squeezeScreen for the "
        "securities left out and why)."
    )
    async def squeeze_candidates(
        self,
        info: GraphQLInfo,
        index: Annotated[
            str | None,
            strawberry.argument(
                description="Only members of this index on asOf; an unknown code is a "
                "NOT_FOUND error."
            ),
        ] = None,
        as_of: AsOfDate = None,
        first: Annotated[int | None, strawberry.argument(description="How many (0 to 1000).")] = 25,
        min_market_cap_usd: MinMarketCap = None,
        min_average_dollar_volume_usd: MinDollarVolume = None,
        exclude_fund_kinds: ExcludeFundKinds = None,
    ) -> list[SqueezeCandidate]:
        floors = Floors(min_market_cap_usd, min_average_dollar_volume_usd)
        screen = await _screen(info, index, as_of, first, floors, exclude_fund_kinds)
        return cast(list[SqueezeCandidate], list(screen.candidates))

    @strawberry.field(
        description="Every security's short interest on one settlement date, filtered, "
        "ordered (nulls last, then symbol) and ranked: the market-wide questions (most shorted "
        "small caps, biggest increases this cycle, highest days to cover among liquid names). "
        "A cursor belongs to its screen: pass it back with the same arguments."
    )
    async def short_interest_screen(
        self,
        info: GraphQLInfo,
        settlement_date: Annotated[
            datetime.date | None,
            strawberry.argument(
                description="The settlement date. Omitted: the newest published as of asOf."
            ),
        ] = None,
        as_of: AsOfDate = None,
        filter: Annotated[
            ShortInterestFilter | None,
            strawberry.argument(description="Which securities to keep. Omitted: all."),
        ] = None,
        order_by: Annotated[
            list[ShortInterestOrder] | None,
            strawberry.argument(
                description="Up to 3 keys, the first deciding first. Omitted: shortInterest "
                "descending."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 50,
        after: AfterCursor = None,
    ) -> ShortInterestScreenConnection:
        return await _short_interest_screen(
            info, settlement_date, as_of, filter, order_by, first, after
        )

    @strawberry.field(
        description="The short volume screen: every security's Reg SHO short sale volume on one "
        "trading day (all facilities, or one) with its ratio against its own 20-day average, "
        "filtered, ordered and ranked (docs/screens.md)."
    )
    async def short_volume_screen(
        self,
        info: GraphQLInfo,
        date: Annotated[
            datetime.date | None,
            strawberry.argument(
                description="The trading day. Omitted: the newest stored for the facility."
            ),
        ] = None,
        facility: Annotated[
            str,
            strawberry.argument(description=catalogue.SCREEN_FACILITY),
        ] = "ALL",
        filter: Annotated[
            ShortVolumeFilter | None,
            strawberry.argument(description="Which securities to keep. Omitted: all."),
        ] = None,
        order_by: Annotated[
            list[ShortVolumeOrder] | None,
            strawberry.argument(
                description="Up to 3 keys, the first deciding first. Omitted: shortVolumeRatio "
                "descending."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 50,
        after: AfterCursor = None,
    ) -> ShortVolumeScreenConnection:
        return await _short_volume_screen(info, date, facility, filter, order_by, first, after)

    @strawberry.field(description="The squeeze screen with its exclusions (see docs/squeeze.md).")
    async def squeeze_screen(
        self,
        info: GraphQLInfo,
        index: Annotated[
            str | None,
            strawberry.argument(
                description="Only members of this index on asOf; an unknown code is a "
                "NOT_FOUND error."
            ),
        ] = None,
        as_of: AsOfDate = None,
        first: Annotated[int | None, strawberry.argument(description="How many (0 to 1000).")] = 25,
        min_market_cap_usd: MinMarketCap = None,
        min_average_dollar_volume_usd: MinDollarVolume = None,
        exclude_fund_kinds: ExcludeFundKinds = None,
    ) -> SqueezeScreen:
        floors = Floors(min_market_cap_usd, min_average_dollar_volume_usd)
        screen = await _screen(info, index, as_of, first, floors, exclude_fund_kinds)
        return cast(SqueezeScreen, screen)

    @strawberry.field(description="Each dataset's version and last update (freshness).")
    async def datasets(self, info: GraphQLInfo) -> list[Dataset]:
        found = await info.context.reads.runs.datasets()
        return [Dataset(name=d.name, version=d.version, updated_at=d.updated_at) for d in found]

    @strawberry.field(description="FINRA's settlement and publication dates of a year.")
    def settlement_calendar(
        self,
        year: Annotated[int, strawberry.argument(description="Calendar year, 1980 to 2100.")],
    ) -> list[SettlementDate]:
        if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
            raise BadRequest(
                f"year must be between {calendar.FIRST_YEAR} and {calendar.LAST_YEAR}, not {year}"
            )
        return [
            SettlementDate(settlement_date=s, publication_date=p)
            for s, p in calendar.settlement_calendar(year)
        ]


async def _screen(
    info: GraphQLInfo,
    index: str | None,
    as_of: datetime.date | None,
    first: int | None,
    floors: Floors,
    fund_kinds: list[Enum] | None,
) -> SqueezeScreenModel:
    size = cursors.check_first(first, 25)
    known_on = _as_of(info, as_of)
    check_floors(floors)
    excluded = check_fund_kinds([FundKindModel(_value(k)) for k in fund_kinds or ()])
    screen = await info.context.reads.squeeze.screen(index, known_on, size, floors, excluded)
    if index is not None and not screen.candidates and not screen.evaluated:
        # Only an empty screen can hide an unknown index (NOT_FOUND, as REST's 404).
        await info.context.reads.index(index)
    return screen


schema = strawberry.Schema(
    query=Query,
    types=[DataFlag],
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
)
STRAWBERRY_CHAINS = resolvers.install(schema)
"""The resolver chains Strawberry built for the fields now resolved directly
(service/graphql/resolvers.py), kept for the parity tests."""
