"""Handlers of the /v1 routes: resolve what the path names, call the analytics layer.

A handler gets typed arguments (`Call`) and returns records (`Result`); HTTP is done once for all
routes in service/rest/operations.py. Handlers only resolve what the path names (404 when it
names nothing), translate arguments and call the analytics layer GraphQL uses
(`service/analytics`): every metric is computed there (or in the SQL metric functions it runs),
never here. Cursors are the GraphQL ones (service/cursors.py), so a page is the same keyset
whichever API walks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service import cursors
from service.analytics import calendar, screens
from service.analytics.fund_kinds import FundKind, check_fund_kinds
from service.analytics.squeeze import Floors, check_floors
from service.errors import BadRequest, NotFound
from service.models import (
    SCREEN_FIELDS,
    VOLUME_SCREEN_FIELDS,
    MarketIndex,
    Security,
    SettlementDate,
    ShortInterestPoint,
)
from service.rest.operations import Call, Result
from service.rest.params import InvalidParameter

SECURITY_CURSOR = "sec"
INDEX_CURSOR = "idx"
POINT_CURSOR = "si"


def _bad_cursor(raw: str) -> InvalidParameter:
    return InvalidParameter(
        f"parameter `cursor`: {raw[:40]!r} is not a cursor of this list; pass the `next_cursor` "
        "of a previous page of the same route, or omit it"
    )


def _after_key(kind: str, raw: str | None) -> str:
    try:
        return "" if raw is None else cursors.decode(kind, raw)
    except BadRequest:
        raise _bad_cursor(raw or "") from None


def _after_date(raw: str | None) -> date | None:
    try:
        return None if raw is None else cursors.decode_date(POINT_CURSOR, raw)
    except BadRequest:
        raise _bad_cursor(raw or "") from None


def _security_cursor(security: Security) -> str:
    return cursors.encode(SECURITY_CURSOR, security.symbol)


def _index_cursor(index: MarketIndex) -> str:
    return cursors.encode(INDEX_CURSOR, index.code)


def _point_cursor(point: ShortInterestPoint) -> str:
    return cursors.encode(POINT_CURSOR, point.settlement_date.isoformat())


async def _security(call: Call) -> Security:
    symbol: str = call.args["symbol"]
    found = await call.reads.securities.by_symbol(symbol)
    if found is None:
        raise NotFound(f"no security with symbol {symbol!r} (symbols are case-sensitive)")
    return found


# -- securities -----------------------------------------------------------------------------


async def list_securities(call: Call) -> Result:
    args = call.args
    index: str | None = args["index"]
    if index is not None:
        await call.reads.index(index)
    limit: int = args["limit"]
    found = await call.reads.securities.page(
        search=args["search"] or None,
        type_=args["type"],
        index=index,
        members_on=call.today,
        after=_after_key(SECURITY_CURSOR, args["cursor"]),
        limit=cursors.fetch_size(limit),
    )
    page = cursors.page_of(found, limit)
    return Result(page.items, page.next_cursor(_security_cursor))


@dataclass(slots=True)
class Profile:
    """A security with today's share counts and newest short interest (SecurityDetail)."""

    symbol: str
    name: str | None
    type: str
    market_class: str | None
    type_source: str
    listing_exchange: str | None
    shares_outstanding: int | None
    float_shares: int | None
    latest_short_interest: ShortInterestPoint | None


async def get_security(call: Call) -> Result:
    security = await _security(call)
    counts = await call.reads.securities.share_counts([security.id], call.today)
    shares, float_shares = counts.get(security.id, (None, None))
    latest = await call.reads.short_interest.latest([security.id], call.today)
    return Result(
        Profile(
            symbol=security.symbol,
            name=security.name,
            type=security.type,
            market_class=security.market_class,
            type_source=security.type_source,
            listing_exchange=security.listing_exchange,
            shares_outstanding=shares,
            float_shares=float_shares,
            latest_short_interest=latest.get(security.id),
        )
    )


async def short_interest(call: Call) -> Result:
    security = await _security(call)
    args = call.args
    points, has_next = await call.reads.short_interest.series(
        security.id,
        known_on=args["as_of"] or call.today,
        start=args["from"],
        end=args["to"],
        after=_after_date(args["cursor"]),
        limit=args["limit"],
    )
    page = cursors.Page(points, has_next)
    return Result(points, page.next_cursor(_point_cursor))


async def short_volume(call: Call) -> Result:
    security = await _security(call)
    args = call.args
    days = await call.reads.series.short_volume(
        security.id, args["from"], args["to"], args["facility"]
    )
    return Result(days)


async def prices(call: Call) -> Result:
    security = await _security(call)
    bars = await call.reads.series.prices(security.id, call.args["from"], call.args["to"])
    return Result(bars)


# -- funds, indexes, screens ----------------------------------------------------------------


async def fund_flows(call: Call) -> Result:
    fund = await _security(call)
    if fund.type != "etf":
        raise NotFound(f"{fund.symbol!r} is a {fund.type}, not a fund: flows exist for ETFs only")
    args = call.args
    flows = await call.reads.flows.flows(fund, args["period"], args["from"], args["to"], call.today)
    return Result(flows)


async def index_short_exposure(call: Call) -> Result:
    index = await call.reads.index(call.args["code"])
    series = await call.reads.exposure.series(index.code, call.args["from"], call.args["to"])
    return Result(series)


async def index_futures_positioning(call: Call) -> Result:
    index = await call.reads.index(call.args["code"])
    args = call.args
    as_of: date = args["as_of"] or call.today
    found = await call.reads.exposure.futures(index.code, args["from"], args["to"], as_of)
    return Result(found)


async def list_indexes(call: Call) -> Result:
    limit: int = call.args["limit"]
    after = _after_key(INDEX_CURSOR, call.args["cursor"])
    found = await call.reads.indexes.page(after, cursors.fetch_size(limit), call.today)
    page = cursors.page_of(found, limit)
    return Result(
        page.items, page.next_cursor(lambda index: cursors.encode(INDEX_CURSOR, index.code))
    )


async def settlement_calendar(call: Call) -> Result:
    dates = calendar.settlement_calendar(call.args["year"])
    return Result([SettlementDate(settlement_date=s, publication_date=p) for s, p in dates])


async def squeeze_screen(call: Call) -> Result:
    args = call.args
    index: str | None = args["index"]
    if index is not None:
        await call.reads.index(index)
    as_of: date = args["as_of"] or call.today
    floors = Floors(args["min_market_cap_usd"], args["min_average_dollar_volume_usd"])
    check_floors(floors)
    kinds = check_fund_kinds([FundKind(kind) for kind in args["exclude_fund_kinds"] or ()])
    screen = await call.reads.squeeze.screen(index, as_of, args["limit"], floors, kinds)
    extra: dict[str, Any] = {
        "as_of": screen.as_of,
        "evaluated": screen.evaluated,
        "excluded": [
            {"reason": reason, "count": count} for reason, count in sorted(screen.excluded.items())
        ],
    }
    return Result(list(screen.candidates), None, extra)


async def short_interest_screen(call: Call) -> Result:
    args = call.args
    if args["index"] is not None:
        await call.reads.index(args["index"])
    order = [(key.lstrip("-"), key.startswith("-")) for key in args["order_by"] or ()]
    query, start = screens.screen_query(
        as_of=args["as_of"] or call.today,
        settlement_date=args["settlement_date"],
        types=args["types"],
        market_classes=args["market_classes"],
        index=args["index"],
        minimum={name: args[f"min_{name}"] for name in SCREEN_FIELDS},
        maximum={name: args[f"max_{name}"] for name in SCREEN_FIELDS},
        include_flags=args["include_flags"],
        exclude_flags=args["exclude_flags"],
        order=order,
        after=args["cursor"],
        spell="rest",
    )
    limit: int = args["limit"]
    page = await call.reads.screens.short_interest(query, start, cursors.fetch_size(limit))
    rows = cursors.page_of(page.rows, limit)
    next_cursor = rows.next_cursor(lambda row: screens.cursor(page.settlement_date, row.rank))
    extra = {"settlement_date": page.settlement_date, "total_count": page.total}
    return Result(rows.items, next_cursor, extra)


async def short_volume_screen(call: Call) -> Result:
    args = call.args
    if args["index"] is not None:
        await call.reads.index(args["index"])
    order = [(key.lstrip("-"), key.startswith("-")) for key in args["order_by"] or ()]
    query, start = screens.volume_screen_query(
        day=args["date"],
        facility=args["facility"],
        today=call.today,
        types=args["types"],
        market_classes=args["market_classes"],
        index=args["index"],
        minimum={name: args[f"min_{name}"] for name in VOLUME_SCREEN_FIELDS},
        maximum={name: args[f"max_{name}"] for name in VOLUME_SCREEN_FIELDS},
        order=order,
        after=args["cursor"],
        spell="rest",
    )
    limit: int = args["limit"]
    page = await call.reads.screens.short_volume(query, start, cursors.fetch_size(limit))
    rows = cursors.page_of(page.rows, limit)
    next_cursor = rows.next_cursor(
        lambda row: screens.volume_cursor(page.date, page.facility, row.rank)
    )
    extra = {"date": page.date, "facility": page.facility, "total_count": page.total}
    return Result(rows.items, next_cursor, extra)
