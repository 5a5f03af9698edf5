"""The /v1 routes of PRODUCT.md section 5, declared: path, parameters, resource, docs.

The router (service/rest/__init__.py) and the OpenAPI document (service/rest/openapi.py) are
both built from `OPERATIONS`; the handlers are in service/rest/handlers.py.
"""

from __future__ import annotations

from typing import get_args

from service import catalogue
from service.analytics import calendar, screens
from service.analytics.flows import PERIODS
from service.analytics.fund_kinds import FundKind
from service.analytics.series import FACILITIES
from service.analytics.squeeze import FACTOR_NAMES
from service.catalogue import render
from service.models import SCREEN_FIELDS, VOLUME_SCREEN_FIELDS
from service.rest import examples, handlers, resources
from service.rest import params as rules
from service.rest.operations import Operation
from service.rest.params import (
    Param,
    date_param,
    enum_param,
    limit_param,
    list_param,
    number_param,
    text_param,
    year_param,
)

FROM = date_param("from", render(catalogue.FROM, "rest"), "2026-01-01")
TO = date_param("to", render(catalogue.TO, "rest"), "2026-12-31")
AS_OF = date_param("as_of", render(catalogue.AS_OF, "rest"), "2026-08-20", not_after_today=True)
SYMBOL = text_param(
    "symbol",
    "Ticker symbol (case-sensitive), current or former, e.g. IWM.",
    "IWM",
    rules.SYMBOL,
    "path",
)
FUND = text_param("symbol", "Symbol of an ETF, e.g. IWM.", "IWM", rules.SYMBOL, "path")
INDEX_PATH = text_param("code", "Index code, e.g. R2000.", "R2000", rules.INDEX_CODE, "path")
INDEX_FILTER = text_param(
    "index",
    "Only members of this index today (code, e.g. R2000); an unknown code is a 404.",
    "R2000",
    rules.INDEX_CODE,
)


def _cursor_param(what: str) -> Param:
    return text_param("cursor", render(catalogue.after(what), "rest"), None, rules.CURSOR)


NO_SECURITY = "No security has this symbol (now or before a rename)."
NO_INDEX = "The index given as `index` does not exist."
SECURITY_404 = (NO_SECURITY, "no security with symbol 'NOPE' (symbols are case-sensitive)")
INDEX_404 = (NO_INDEX, "no index with code 'NOPE'")


FLAGS = get_args(resources.DataFlag)
BOUND_EXAMPLES = {
    "short_interest": 1_000_000,
    "change": 100_000,
    "change_percent": 20,
    "days_to_cover": 5,
    "short_percent_of_float": 20,
    "short_percent_of_shares_outstanding": 15,
    "short_value_usd": 100_000_000,
    "close_price": 5,
    "average_daily_volume": 500_000,
    "average_dollar_volume_usd": 5_000_000,
    "market_cap_usd": 300_000_000,
    "short_volume": 1_000_000,
    "short_exempt_volume": 10_000,
    "total_volume": 2_000_000,
    "short_volume_ratio": 60,
    "average_short_volume_ratio": 40,
    "short_volume_ratio_change": 10,
}


def _bounds(fields: tuple[str, ...]) -> tuple[Param, ...]:
    return tuple(
        number_param(
            f"{side}_{name}",
            f"{'At least' if side == 'min' else 'At most'} this {name} (inclusive); a security "
            "without a value for it is left out.",
            BOUND_EXAMPLES[name],
        )
        for name in fields
        for side in ("min", "max")
    )


def _order_by(fields: tuple[str, ...], default: str, example: str) -> Param:
    return list_param(
        "order_by",
        f"Up to {screens.MAX_ORDER_KEYS} comma-separated fields, the first deciding first; a "
        f"leading - orders descending. Nulls sort last, then symbol. Omitted: {default}.",
        example,
        screens.MAX_ORDER_KEYS,
        choices=tuple(key for name in fields for key in (name, f"-{name}")),
    )


def _screen_index(day: str) -> Param:
    return text_param(
        "index",
        f"Only members of this index on the {day} (code, e.g. R2000); an unknown code is a 404.",
        "R2000",
        rules.INDEX_CODE,
    )


SCREEN_TYPES = list_param(
    "types", "Only these security types, comma-separated.", "stock", 2, choices=("stock", "etf")
)
SCREEN_MARKET_CLASSES = list_param(
    "market_classes",
    "Only these FINRA market classes, comma-separated (e.g. NNM,NYSE).",
    "NNM,NYSE",
    screens.MAX_MARKET_CLASSES,
    rule=rules.MARKET_CLASS,
)
SCREEN_PARAMS = (
    date_param(
        "settlement_date",
        "The settlement date, YYYY-MM-DD. Omitted: the newest published as of as_of.",
        "2026-07-31",
    ),
    AS_OF,
    SCREEN_TYPES,
    SCREEN_MARKET_CLASSES,
    _screen_index("settlement date"),
    *_bounds(SCREEN_FIELDS),
    list_param(
        "include_flags",
        "Only points with at least one of these data flags, comma-separated.",
        "EXTREME_CHANGE",
        len(FLAGS),
        choices=FLAGS,
    ),
    list_param(
        "exclude_flags",
        "Only points with none of these data flags, comma-separated.",
        "DAYS_TO_COVER_UNDEFINED",
        len(FLAGS),
        choices=FLAGS,
    ),
    _order_by(SCREEN_FIELDS, "-short_interest", "-change_percent"),
    limit_param(50, "rows"),
    _cursor_param("rows"),
)
VOLUME_SCREEN_PARAMS = (
    date_param(
        "date",
        "The trading day, YYYY-MM-DD. Omitted: the newest stored for the facility. A date "
        "after today is a 400.",
        "2021-06-04",
        not_after_today=True,
    ),
    enum_param(
        "facility",
        catalogue.SCREEN_FACILITY,
        screens.VOLUME_FACILITIES,
        "ALL",
    ),
    SCREEN_TYPES,
    SCREEN_MARKET_CLASSES,
    _screen_index("day"),
    *_bounds(VOLUME_SCREEN_FIELDS),
    _order_by(VOLUME_SCREEN_FIELDS, "-short_volume_ratio", "-short_volume_ratio_change"),
    limit_param(50, "rows"),
    _cursor_param("rows"),
)


# -- declarations ---------------------------------------------------------------------------

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        path="/v1/securities",
        operation_id="listSecurities",
        tag="securities",
        summary="List securities",
        description="Securities by symbol, optionally filtered by a search term, a type or "
        "today's membership of an index; keyset-paginated (`limit`, `cursor`).",
        params=(
            text_param(
                "search",
                "Symbol prefix or part of the name (case-insensitive). Empty: no filter.",
                "iShares",
                rules.TEXT,
            ),
            enum_param("type", "Only stocks or only ETFs.", ("stock", "etf"), None),
            INDEX_FILTER,
            limit_param(50, "securities"),
            _cursor_param("securities"),
        ),
        envelope=resources.SecurityPage,
        handler=handlers.list_securities,
        example=examples.SECURITY_PAGE,
        not_found=INDEX_404,
    ),
    Operation(
        path="/v1/securities/{symbol}",
        operation_id="getSecurity",
        tag="securities",
        summary="One security",
        description="The security, its shares outstanding and float as of today, and its newest "
        "short interest known today (with every metric).",
        params=(SYMBOL,),
        envelope=resources.SecurityResponse,
        handler=handlers.get_security,
        example=examples.SECURITY,
        not_found=SECURITY_404,
    ),
    Operation(
        path="/v1/securities/{symbol}/short-interest",
        operation_id="getShortInterest",
        tag="securities",
        summary="Short interest by settlement date",
        description="FINRA short interest of the security, oldest settlement date first, with "
        "change, % of float, days to cover, dollar value and data-quality flags. `as_of` shows "
        "what was known on a date (point in time). Keyset-paginated.",
        params=(
            SYMBOL,
            FROM,
            TO,
            AS_OF,
            limit_param(100, "settlement dates"),
            _cursor_param("settlement dates"),
        ),
        envelope=resources.ShortInterestPage,
        handler=handlers.short_interest,
        example=examples.SHORT_INTEREST_PAGE,
        not_found=SECURITY_404,
    ),
    Operation(
        path="/v1/securities/{symbol}/short-volume",
        operation_id="getShortVolume",
        tag="securities",
        summary="Daily short sale volume (Reg SHO)",
        description="FINRA Reg SHO daily short sale volume of one reporting facility, oldest "
        "first, with the short-volume ratio. The whole range is returned.",
        params=(
            SYMBOL,
            FROM,
            TO,
            enum_param(
                "facility",
                catalogue.FACILITY,
                FACILITIES,
                "CNMS",
            ),
        ),
        envelope=resources.ShortVolumeList,
        handler=handlers.short_volume,
        example=examples.SHORT_VOLUME,
        not_found=SECURITY_404,
    ),
    Operation(
        path="/v1/securities/{symbol}/prices",
        operation_id="getPrices",
        tag="securities",
        summary="Daily prices",
        description="Unadjusted daily bars, oldest first. The whole range is returned.",
        params=(SYMBOL, FROM, TO),
        envelope=resources.PriceList,
        handler=handlers.prices,
        example=examples.PRICES,
        not_found=SECURITY_404,
    ),
    Operation(
        path="/v1/funds/{symbol}/flows",
        operation_id="getFundFlows",
        tag="funds",
        summary="Fund flows by day, week or month",
        description="Net flows of an ETF per trading day, calendar week (Monday to Friday, "
        "labelled by its last trading day) or month, oldest first, with record inflow/outflow "
        "flags computed over the fund's whole history. Periods overlapping [from, to] are "
        "returned.",
        params=(
            FUND,
            FROM,
            TO,
            enum_param("period", "Period length: day, week or month.", PERIODS, "day"),
        ),
        envelope=resources.FundFlowList,
        handler=handlers.fund_flows,
        example=examples.FUND_FLOWS,
        not_found=(
            "No security has this symbol, or it is not an ETF.",
            "'AA' is a stock, not a fund: flows exist for ETFs only",
        ),
    ),
    Operation(
        path="/v1/indexes",
        operation_id="listIndexes",
        tag="indexes",
        summary="List indexes",
        description="Every index by code, with its name, its members today and the funds "
        "tracking it; keyset-paginated (`limit`, `cursor`).",
        params=(limit_param(100, "indexes"), _cursor_param("indexes")),
        envelope=resources.IndexPage,
        handler=handlers.list_indexes,
        example=examples.INDEX_PAGE,
    ),
    Operation(
        path="/v1/indexes/{code}/short-exposure",
        operation_id="getIndexShortExposure",
        tag="indexes",
        summary="Index short exposure by settlement date",
        description="Shares short and their dollar value over the index's members on each "
        "settlement date (single-stock leg) and over the ETFs tracking it (ETF leg), their "
        "total, coverage counts and whether the total is a record.",
        params=(INDEX_PATH, FROM, TO),
        envelope=resources.IndexShortExposureList,
        handler=handlers.index_short_exposure,
        example=examples.EXPOSURE,
        not_found=("No index has this code.", "no index with code 'NOPE'"),
    ),
    Operation(
        path="/v1/indexes/{code}/futures-positioning",
        operation_id="getIndexFuturesPositioning",
        tag="indexes",
        summary="Index futures positioning (CFTC) by report date",
        description="CFTC Traders in Financial Futures (futures only) for the index's futures "
        "contracts (E-mini, micro), one item per report date and contract, oldest first: open "
        "interest and the long, short and spread positions of dealers, asset managers, "
        "leveraged funds and other reportables in contracts, the index level of the report "
        "date and leveraged funds' short in US dollars, with records. `as_of` sees a report "
        "only from its release date. `from`/`to` bound the report dates.",
        params=(INDEX_PATH, FROM, TO, AS_OF),
        envelope=resources.FuturesPositionList,
        handler=handlers.index_futures_positioning,
        example=examples.FUTURES_POSITIONING,
        not_found=("No index has this code.", "no index with code 'NOPE'"),
    ),
    Operation(
        path="/v1/settlement-calendar",
        operation_id="getSettlementCalendar",
        tag="calendar",
        summary="FINRA settlement calendar of a year",
        description="FINRA's 24 settlement dates of a year (the 15th, or the trading day before "
        "when it is not one, and the last trading day of each month) with the date each one's "
        "short interest is published (the 7th trading day after), on the NYSE calendar.",
        params=(
            year_param(
                f"Calendar year, {calendar.FIRST_YEAR} to {calendar.LAST_YEAR} (required).",
                2026,
                calendar.FIRST_YEAR,
                calendar.LAST_YEAR,
            ),
        ),
        envelope=resources.SettlementCalendar,
        handler=handlers.settlement_calendar,
        example=examples.SETTLEMENT_CALENDAR,
    ),
    Operation(
        path="/v1/screens/short-interest",
        operation_id="getShortInterestScreen",
        tag="screens",
        summary="Short interest screen: the market on one settlement date",
        description="Every security's short interest on one settlement date (each security's "
        "version known on as_of), filtered, ordered and ranked: the most shorted small caps, "
        "the biggest increases this cycle, the highest days to cover among liquid names. The "
        "same screen as GraphQL's shortInterestScreen (docs/screens.md). A cursor holds the "
        "settlement date and the rank: pass it back with the same parameters. In CSV, the "
        "security and the point are prefixed column groups.",
        params=SCREEN_PARAMS,
        envelope=resources.ShortInterestScreenPage,
        handler=handlers.short_interest_screen,
        example=examples.SHORT_INTEREST_SCREEN,
        not_found=INDEX_404,
    ),
    Operation(
        path="/v1/screens/short-volume",
        operation_id="getShortVolumeScreen",
        tag="screens",
        summary="Short volume screen: the market on one trading day",
        description="Every security's FINRA Reg SHO short sale volume on one trading day (all "
        "facilities, or one), with its short volume ratio against the mean of its daily ratios "
        "over the 20 trading days before, filtered, ordered and ranked: where is short volume "
        "spiking today. The same screen as GraphQL's shortVolumeScreen (docs/screens.md). A "
        "cursor holds the day, the facility and the rank: pass it back with the same parameters.",
        params=VOLUME_SCREEN_PARAMS,
        envelope=resources.ShortVolumeScreenPage,
        handler=handlers.short_volume_screen,
        example=examples.SHORT_VOLUME_SCREEN,
        not_found=INDEX_404,
    ),
    Operation(
        path="/v1/screens/squeeze",
        operation_id="getSqueezeScreen",
        tag="screens",
        summary="Squeeze screen",
        description="Securities ranked by a 0-100 squeeze score from seven documented factors "
        "(short % of float, days to cover, change in short interest, recent short-volume ratio "
        "and its trend, price move since settlement, SEC fails to deliver as % of shares "
        "outstanding), each with its value, weight and points, "
        "using only what was published by `as_of`; plus how many securities were left out and "
        "why. In CSV, each factor is a group of columns (`factor_<name>_value`, `_weight`, "
        "`_contribution`).",
        params=(
            text_param(
                "index",
                "Only members of this index on as_of (code, e.g. R2000); an unknown code is a 404.",
                "R2000",
                rules.INDEX_CODE,
            ),
            AS_OF,
            limit_param(25, "candidates"),
            number_param(
                "min_market_cap_usd",
                "Liquidity floor: shares outstanding x close on the settlement date, at least this "
                "many USD (unknown: left out as below_min_market_cap_usd).",
                300_000_000,
            ),
            number_param(
                "min_average_dollar_volume_usd",
                "Liquidity floor: FINRA's average daily volume x close, at least this many USD a "
                "day (unknown: left out as below_min_average_dollar_volume_usd).",
                5_000_000,
            ),
            list_param(
                "exclude_fund_kinds",
                "Leave these exchange-traded products out, comma-separated: leveraged_inverse "
                "(2x, 3x, inverse funds), commodity_trust (metal, energy, crypto, VIX products); "
                "told by their names (docs/squeeze.md), counted under their names.",
                "leveraged_inverse,commodity_trust",
                len(FundKind),
                choices=[kind.value for kind in FundKind],
            ),
        ),
        envelope=resources.SqueezeScreen,
        handler=handlers.squeeze_screen,
        example=examples.SQUEEZE,
        not_found=INDEX_404,
        pivots={"factors": list(FACTOR_NAMES)},
    ),
)
