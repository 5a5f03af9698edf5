"""The JSON resources of /v1: field names, types, units and definitions, in one place.

Each class describes one representation. The OpenAPI document takes its schemas from these
classes (`pydantic.TypeAdapter(...).json_schema()`), and `service/rest/serialize.py` takes the
field list from them, so a field is documented exactly when it is served. They are never
instantiated on the request path: serialisation reads the `service.models` records directly.

Names are the snake_case of the GraphQL fields (service/graphql/types.py) with the same units and
definitions (PRODUCT.md section 2); internal ids are not part of any resource.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

SecurityType = Literal["stock", "etf"]
FlowSource = Literal["reported", "derived", "mixed"]

TypeSource = Literal["source", "guess"]
ListingExchange = Literal["Nasdaq", "NYSE", "NYSE American", "NYSE Arca", "Cboe BZX", "IEX"]
DataFlag = Literal[
    "EXTREME_CHANGE",
    "DAYS_TO_COVER_UNDEFINED",
    "DAYS_TO_COVER_CAPPED",
    "EXCEEDS_FLOAT",
    "SPLIT",
    "REVISED",
    "STALE_FLOAT",
]


class Resource(BaseModel):
    """Base: every field is always present (null when unknown), nothing else is."""

    model_config = ConfigDict(extra="forbid")


Shares = Annotated[int, Field(ge=0)]


class Security(Resource):
    """A US-listed or OTC security, identified by its current symbol."""

    symbol: str = Field(description="Current ticker symbol (case-sensitive).")
    name: str | None = Field(description="Issue name as the newest source gave it.")
    type: SecurityType = Field(description="stock or etf.")
    market_class: str | None = Field(
        description="Market class FINRA reports: NYSE, NNM (Nasdaq), SC, ARCA, BZX, AMEX, OTC..."
    )
    type_source: TypeSource = Field(
        description="Where type comes from: source (a file stated it, e.g. the ETF flag of "
        "Nasdaq Trader's symbol directory) or guess (inferred from the name in FINRA's files)."
    )
    listing_exchange: ListingExchange | None = Field(
        description="The exchange listing the security in the newest Nasdaq Trader symbol "
        "directory snapshot that showed it. Null when no snapshot listed it (OTC securities)."
    )


class ShortInterest(Resource):
    """One settlement date's short interest of a security, with its metrics."""

    settlement_date: datetime.date = Field(
        description="Settlement date the position was measured at (15th or end of month)."
    )
    published_date: datetime.date | None = Field(
        description="Date this value became public: FINRA's publication date (7th trading day "
        "after settlement), or for a revision the publication date of the file revising it."
    )
    short_interest: Shares = Field(description="Shares sold short and not covered.")
    previous_short_interest: Shares | None = Field(
        description="Shares short on the previous settlement date, as reported with this value."
    )
    change: int | None = Field(description="short_interest - previous_short_interest, in shares.")
    change_percent: float | None = Field(
        description="(current - previous) / previous x 100, rounded to 2 decimals; null when the "
        "previous value is 0 or unknown."
    )
    average_daily_volume: Shares | None = Field(
        description="Average daily share volume over the settlement cycle, as FINRA reports it."
    )
    days_to_cover: float | None = Field(
        description="Days to cover as FINRA reports it (short_interest / average_daily_volume, "
        "at least 1.00, 2 decimals); 999.99 is FINRA's cap (at least that, flag "
        "DAYS_TO_COVER_CAPPED); null when average daily volume is 0 (flag "
        "DAYS_TO_COVER_UNDEFINED)."
    )
    short_percent_of_float: float | None = Field(
        description="short_interest / float x 100, in percent to 4 decimals. Float: the latest "
        "known on or before the settlement date (for ETFs: shares outstanding). Null when unknown."
    )
    short_percent_of_shares_outstanding: float | None = Field(
        description="short_interest / shares outstanding x 100, in percent to 4 decimals (latest "
        "shares outstanding on or before the settlement date). Null when unknown."
    )
    short_value_usd: float | None = Field(
        description="short_interest x close, in US dollars to cents. Close: the last close on or "
        "before the settlement date, at most 5 trading days back. Null without such a close."
    )
    revised: bool = Field(
        description="True when this value replaced an earlier published value of the same date."
    )
    flags: list[DataFlag] = Field(
        description="Data-quality flags (may be empty): EXTREME_CHANGE (|change_percent| >= 90), "
        "DAYS_TO_COVER_UNDEFINED (no volume: days_to_cover null, unknown), DAYS_TO_COVER_CAPPED "
        "(FINRA's 999.99 cap with volume: at least that), EXCEEDS_FLOAT (short > float), SPLIT "
        "(FINRA split flag), REVISED, STALE_FLOAT (float more than 180 days older than the date)."
    )
    float_shares: Shares | None = Field(
        description="The float used for short_percent_of_float, in shares."
    )
    float_as_of: datetime.date | None = Field(
        description="Date of the float used (on or before the settlement date)."
    )
    shares_outstanding: Shares | None = Field(
        description="Shares outstanding used for short_percent_of_shares_outstanding."
    )
    close_price: float | None = Field(description="Close used for short_value_usd, in US dollars.")
    close_date: datetime.date | None = Field(description="Date of that close.")


class SecurityDetail(Security):
    """A security with today's share counts and its newest short interest."""

    shares_outstanding: Shares | None = Field(
        description="Shares outstanding, latest known on or before today."
    )
    float_shares: Shares | None = Field(
        description="Float (shares available to trade), latest known on or before today; for an "
        "ETF, its shares outstanding."
    )
    latest_short_interest: ShortInterest | None = Field(
        description="The newest settlement date's short interest known today; null when none."
    )


class ShortVolume(Resource):
    """Reg SHO daily short sale volume of one reporting facility."""

    date: datetime.date = Field(description="Trading day.")
    facility: str = Field(
        description="Reporting facility: CNMS (FINRA's consolidated file), FNSQ, FNQC, FNYX, "
        "FNRA or FORF."
    )
    short_volume: Shares = Field(
        description="Shares sold short that day (includes exempt volume); fractional volumes are "
        "rounded to whole shares."
    )
    short_exempt_volume: Shares = Field(
        description="Shares sold short under an exemption (part of short_volume)."
    )
    total_volume: Shares = Field(description="All shares traded that day.")
    short_volume_ratio: float | None = Field(
        description="short_volume / total_volume x 100, in percent to 4 decimals (from exact "
        "volumes). Short volume is not short interest: most short sales are closed the same day."
    )
    market: str = Field(description="Market codes FINRA lists for the row, e.g. B,Q,N.")


class Price(Resource):
    """A daily price bar (unadjusted)."""

    date: datetime.date = Field(description="Trading day.")
    open: float | None = Field(description="Opening price, US dollars.")
    high: float | None = Field(description="High, US dollars.")
    low: float | None = Field(description="Low, US dollars.")
    close: float = Field(description="Closing price, US dollars.")
    volume: Shares | None = Field(description="Shares traded.")


class FundFlow(Resource):
    """A fund's net flow over a day, a week (Monday to Friday) or a calendar month."""

    symbol: str = Field(description="The fund's symbol.")
    period_start: datetime.date = Field(description="First trading day of the period.")
    period_end: datetime.date = Field(description="Last trading day of the period (its label).")
    flow_usd: float = Field(
        description="Net flow in US dollars (to cents): daily as reported, else (shares "
        "outstanding - previous trading day's) x NAV; weeks and months sum the days with data."
    )
    source: FlowSource = Field(
        description="reported (published as a flow), derived (from share counts: shares "
        "outstanding - previous trading day's, x NAV) or, for a week or month holding both, mixed."
    )
    shares_outstanding: Shares | None = Field(
        description="Shares outstanding at the end of the period."
    )
    nav: float | None = Field(description="NAV per share at the end of the period, US dollars.")
    is_record_inflow: bool = Field(
        description="flow_usd > 0 and higher than every earlier period of this fund and length "
        "(a fund's first period is not a record: nothing earlier to beat)."
    )
    is_record_outflow: bool = Field(
        description="flow_usd < 0 and lower than every earlier period of this fund and length "
        "(a fund's first period is not a record)."
    )
    days_reported: int = Field(
        description="Days with a flow in the period (missing days are missing, not zero)."
    )
    trading_days: int = Field(description="NYSE trading days in the period.")
    complete: bool = Field(
        description="The period is over: its last trading day is on or before today and the "
        "fund's newest flow date. False: flow_usd sums only the days so far (see days_reported)."
    )


class IndexShortExposure(Resource):
    """Index short exposure on one settlement date: the members' leg and the tracking ETFs'."""

    settlement_date: datetime.date = Field(description="FINRA settlement date.")
    single_stock_short_interest: Shares = Field(
        description="Sum of shares short over the index's members on that date."
    )
    single_stock_short_value_usd: float = Field(
        description="Sum of members' short value (shares short x close), US dollars to cents; "
        "members without a close are left out (see constituents_priced)."
    )
    etf_short_interest: Shares = Field(
        description="Sum of shares short over the ETFs tracking the index."
    )
    etf_short_value_usd: float = Field(
        description="Sum of those ETFs' short value, US dollars to cents (see etfs_priced)."
    )
    total_short_value_usd: float = Field(
        description="single_stock_short_value_usd + etf_short_value_usd, US dollars to cents."
    )
    constituents: int = Field(description="Members of the index on that date.")
    constituents_reporting: int = Field(
        description="Members with a short-interest value on that date."
    )
    constituents_priced: int = Field(
        description="Reporting members with a close (the single-stock dollar leg covers these)."
    )
    etfs_reporting: int = Field(description="Tracking ETFs with a value on that date.")
    etfs_priced: int = Field(description="Reporting tracking ETFs with a close.")
    single_stock_leg_known: bool = Field(
        description="The members' leg is known: membership is known on that date and at least "
        "one member reports short interest with a close. False: the single-stock figures are 0 "
        "because nothing is known, not because nothing is short."
    )
    etf_leg_known: bool = Field(
        description="The ETF leg is known: at least one tracking ETF reports short interest with "
        "a close. False: the ETF figures are 0 for want of data."
    )
    is_record: bool = Field(
        description="total_short_value_usd is higher than on every earlier date: only dates "
        "whose legs are all known (single_stock_leg_known, and etf_leg_known when funds track "
        "the index) count, and the first such date is not a record (nothing earlier to beat)."
    )
    futures_report_date: datetime.date | None = Field(
        description="The CFTC report (positions as of that Tuesday) the futures leg uses: the "
        "newest released on or before the settlement date, never a later one; null: none."
    )
    futures_index_level: float | None = Field(
        description="The index's close on futures_report_date (index points), from the price "
        "symbol configured for it (SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored."
    )
    futures_leveraged_funds_short_contracts: float | None = Field(
        description="Leveraged funds' (hedge funds: CFTC's Leveraged Money) short positions in the "
        "index's futures on futures_report_date, in E-mini contracts (a micro counts as 0.01); "
        "null without a CFTC report known by then."
    )
    futures_leveraged_funds_short_usd: float | None = Field(
        description="That short in US dollars to cents: contracts x multiplier (USD per index "
        "point) x futures_index_level; null without that level."
    )
    futures_leveraged_funds_net_contracts: float | None = Field(
        description="Leveraged funds' (hedge funds: CFTC's Leveraged Money) futures long minus "
        "short, E-mini contracts (negative: net short)."
    )
    futures_leveraged_funds_net_usd: float | None = Field(
        description="Leveraged funds' (hedge funds: CFTC's Leveraged Money) futures long minus "
        "short, US dollars to cents (negative: net short)."
    )
    futures_asset_managers_short_contracts: float | None = Field(
        description="Asset managers' short positions in the index's futures on "
        "futures_report_date, in E-mini contracts (a micro counts as 0.01); null without a CFTC "
        "report known by then."
    )
    futures_asset_managers_short_usd: float | None = Field(
        description="That short in US dollars to cents: contracts x multiplier (USD per index "
        "point) x futures_index_level; null without that level."
    )
    futures_asset_managers_net_contracts: float | None = Field(
        description="Asset managers' futures long minus short, E-mini contracts (negative: net "
        "short)."
    )
    futures_asset_managers_net_usd: float | None = Field(
        description="Asset managers' futures long minus short, US dollars to cents (negative: net "
        "short)."
    )
    futures_dealers_short_contracts: float | None = Field(
        description="Dealers' short positions in the index's futures on futures_report_date, in "
        "E-mini contracts (a micro counts as 0.01); null without a CFTC report known by then."
    )
    futures_dealers_short_usd: float | None = Field(
        description="That short in US dollars to cents: contracts x multiplier (USD per index "
        "point) x futures_index_level; null without that level."
    )
    futures_dealers_net_contracts: float | None = Field(
        description="Dealers' futures long minus short, E-mini contracts (negative: net short)."
    )
    futures_dealers_net_usd: float | None = Field(
        description="Dealers' futures long minus short, US dollars to cents (negative: net short)."
    )
    futures_leg_known: bool = Field(
        description="A CFTC report and the index level of its date are known: the futures dollar "
        "figures are there. False: they are null for want of data."
    )
    total_with_futures_short_value_usd: float | None = Field(
        description="total_short_value_usd + futures_leveraged_funds_short_usd, US dollars to "
        "cents; null when futures_leg_known is false."
    )
    single_stock_is_record: bool = Field(
        description="single_stock_short_value_usd is higher than on every earlier date whose "
        "single-stock leg is known (the first such date is not a record)."
    )
    etf_is_record: bool = Field(
        description="etf_short_value_usd is higher than on every earlier date whose ETF leg is "
        "known (the first such date is not a record)."
    )
    futures_is_record: bool = Field(
        description="futures_leveraged_funds_short_usd is higher than on every earlier date whose "
        "futures leg is known (the first such date is not a record)."
    )
    total_with_futures_is_record: bool = Field(
        description="total_with_futures_short_value_usd is higher than on every earlier date whose "
        "legs are all known, futures included (the first such date is not a record)."
    )


class FuturesPosition(Resource):
    """One CFTC Traders in Financial Futures report (futures only) of one index futures contract:
    positions in contracts as of the report date's close."""

    report_date: datetime.date = Field(
        description="Positions as of this date's close: a Tuesday, or the Monday of a holiday week."
    )
    release_date: datetime.date = Field(
        description="When CFTC published the report (the Friday after, or the next business day "
        "after a federal holiday): as_of answers see it from then on."
    )
    contract_code: str = Field(
        description="CFTC contract market code, e.g. 239742 (Russell 2000 E-mini); contracts are "
        "mapped to indexes by it, not by name."
    )
    contract_name: str = Field(description="Market and exchange name as CFTC printed it then.")
    contract_units: str = Field(
        description="CFTC's contract-units text, e.g. (RUSSEL 2000 INDEX X $50)."
    )
    multiplier: float = Field(
        description="US dollars per index point of one contract, read from contract_units."
    )
    emini_equivalent: float = Field(
        description="One contract in the index's E-mini contracts (1; a micro is 0.01)."
    )
    open_interest: Shares = Field(description="Open interest, contracts.")
    dealers_long: Shares = Field(description="Dealers' long positions, contracts.")
    dealers_short: Shares = Field(description="Dealers' short positions, contracts.")
    dealers_spread: Shares = Field(description="Dealers' spreading, contracts.")
    asset_managers_long: Shares = Field(description="Asset managers' long positions, contracts.")
    asset_managers_short: Shares = Field(description="Asset managers' short positions, contracts.")
    asset_managers_spread: Shares = Field(description="Asset managers' spreading, contracts.")
    leveraged_funds_long: Shares = Field(
        description="Leveraged funds' (CFTC's Leveraged Money: hedge funds) long positions, "
        "contracts."
    )
    leveraged_funds_short: Shares = Field(
        description="Leveraged funds' short positions, contracts."
    )
    leveraged_funds_spread: Shares = Field(description="Leveraged funds' spreading, contracts.")
    other_reportables_long: Shares = Field(
        description="Other reportable traders' long positions, contracts."
    )
    other_reportables_short: Shares = Field(
        description="Other reportable traders' short positions, contracts."
    )
    other_reportables_spread: Shares = Field(
        description="Other reportable traders' spreading, contracts."
    )
    index_level: float | None = Field(
        description="The index's close on report_date (index points), from its configured price "
        "symbol (SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored for that day."
    )
    leveraged_funds_short_usd: float | None = Field(
        description="leveraged_funds_short x multiplier x index_level, US dollars to cents; null "
        "without index_level."
    )
    leveraged_funds_short_is_record: bool = Field(
        description="leveraged_funds_short is higher than in every earlier report of this "
        "contract known on as_of (the first report is not a record)."
    )
    leveraged_funds_short_usd_is_record: bool = Field(
        description="leveraged_funds_short_usd is higher than in every earlier report of this "
        "contract with a level known on as_of (the first is not a record)."
    )


class Index(Resource):
    """A market index: its members today and the funds tracking it."""

    code: str = Field(description="Index code, e.g. R2000 (the `{code}` of its routes).")
    name: str | None = Field(description="Index name, e.g. Russell 2000; null when unknown.")
    constituents: int = Field(
        description="Members today (an index-member file or the newest holdings snapshot: "
        "docs/data-model.md, Index membership)."
    )
    tracking_funds: list[str] = Field(
        description="Symbols of the ETFs tracking the index (its exposure's ETF leg)."
    )


class SettlementDate(Resource):
    """A FINRA settlement date and the date its short interest is published."""

    settlement_date: datetime.date = Field(
        description="The 15th (or the trading day before), or the last trading day of a month."
    )
    publication_date: datetime.date = Field(
        description="FINRA publishes that date's short interest on the 7th trading day after."
    )


class ScoreFactor(Resource):
    """One factor of a squeeze score."""

    name: str = Field(
        description="short_percent_of_float (or short_percent_of_shares_outstanding), "
        "days_to_cover, short_interest_change_percent, short_volume_ratio, "
        "price_change_since_settlement or fails_to_deliver (SEC fails, % of shares "
        "outstanding; docs/squeeze.md)."
    )
    value: float | None = Field(description="The factor's value; null without data.")
    weight: float = Field(description="Weight in the score (weights sum to 1).")
    contribution: float = Field(
        description="Points this factor adds to the score: 100 x weight x scaled value."
    )


class SqueezeCandidate(Resource):
    """A security ranked by the squeeze screen, with its factors."""

    security: Security = Field(description="The security.")
    as_of: datetime.date = Field(description="The date the screen was run as of.")
    settlement_date: datetime.date = Field(
        description="Settlement date of the short interest used (newest published by as_of)."
    )
    score: float = Field(description="0-100: sum of the factors' contributions.")
    factors: list[ScoreFactor] = Field(
        description="Each factor's value, weight and points. The first is short_percent_of_float, "
        "or short_percent_of_shares_outstanding when no float is known (docs/squeeze.md)."
    )
    short_percent_of_float: float | None = Field(
        description="Short % of float (ETFs: of shares outstanding); null when no float is known."
    )
    short_percent_of_shares_outstanding: float | None = Field(
        description="Short % of shares outstanding; null when unknown."
    )
    days_to_cover: float | None = Field(description="Days to cover (FINRA).")


class ExclusionCount(Resource):
    """Why securities were left out of a screen, and how many."""

    reason: str = Field(
        description="no_share_count, short_exceeds_twice_float, "
        "short_exceeds_twice_shares_outstanding, no_volume, or below a liquidity floor asked "
        "for: below_min_market_cap_usd, below_min_average_dollar_volume_usd."
    )
    count: int = Field(description="Securities left out for this reason.")


NEXT_CURSOR = (
    'Cursor of the next page: pass it as `cursor` (or follow the `Link: rel="next"` header); '
    "null on the last page."
)
WHOLE_RANGE = "Always null: the date range is the page (the whole range is returned)."


class SecurityPage(Resource):
    """A page of securities, by symbol."""

    data: list[Security] = Field(description="The securities, by symbol.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SecurityResponse(Resource):
    """One security."""

    data: SecurityDetail = Field(description="The security.")


class ShortInterestPage(Resource):
    """A page of short-interest points, oldest settlement date first."""

    data: list[ShortInterest] = Field(description="Points in settlement-date order.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ShortVolumeList(Resource):
    """Daily short volume, oldest first."""

    data: list[ShortVolume] = Field(description="One item per trading day with data.")
    next_cursor: None = Field(description=WHOLE_RANGE)


class PriceList(Resource):
    """Daily prices, oldest first."""

    data: list[Price] = Field(description="One bar per trading day with data.")
    next_cursor: None = Field(description=WHOLE_RANGE)


class FundFlowList(Resource):
    """Fund flows per period, oldest first."""

    data: list[FundFlow] = Field(description="One item per period with at least one flow.")
    next_cursor: None = Field(description=WHOLE_RANGE)


class IndexShortExposureList(Resource):
    """Index short exposure per settlement date, oldest first."""

    data: list[IndexShortExposure] = Field(description="One item per settlement date.")
    next_cursor: None = Field(description=WHOLE_RANGE)


class FuturesPositionList(Resource):
    """CFTC futures positioning of an index, by report date and contract, oldest first."""

    data: list[FuturesPosition] = Field(description="One item per report date and contract.")
    next_cursor: None = Field(description=WHOLE_RANGE)


class IndexPage(Resource):
    """A page of indexes, by code."""

    data: list[Index] = Field(description="The indexes, by code.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SettlementCalendar(Resource):
    """FINRA's settlement dates of a year, in order."""

    data: list[SettlementDate] = Field(description="24 settlement dates, oldest first.")
    next_cursor: None = Field(description="Always null: a year is one page.")


class SqueezeScreen(Resource):
    """A squeeze screen run: ranked candidates and what was left out."""

    data: list[SqueezeCandidate] = Field(description="Candidates, highest score first.")
    next_cursor: None = Field(description="Always null: a screen returns its top `limit`.")
    as_of: datetime.date = Field(description="Point in time of the screen.")
    evaluated: int = Field(description="Securities reporting on the settlement date used.")
    excluded: list[ExclusionCount] = Field(description="Securities left out, by reason.")


class ShortInterestScreenRow(Resource):
    """One security's point in the short interest screen, with its rank."""

    rank: int = Field(description="Position under the screen's order (1 = first).")
    security: Security = Field(description="The security.")
    point: ShortInterest = Field(description="Its short interest on the settlement date.")
    average_dollar_volume_usd: float | None = Field(
        description="average_daily_volume x close_price, USD."
    )
    market_cap_usd: float | None = Field(
        description="shares_outstanding x close_price, USD; null where either is unknown."
    )


class ShortInterestScreenPage(Resource):
    """A page of the short interest screen: the securities passing the filter, in its order."""

    data: list[ShortInterestScreenRow] = Field(description="The ranked rows of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
    settlement_date: datetime.date | None = Field(
        description="The settlement date screened (null: nothing published as of as_of)."
    )
    total_count: int = Field(description="Securities passing the filter (all pages).")


class ShortVolumeScreenPoint(Resource):
    """A security's Reg SHO short volume on the screened day, against its own 20-day average."""

    date: datetime.date = Field(description="Trading day.")
    facility: str = Field(
        description="The facility screened: a code, or ALL (CNMS + FORF: every facility once)."
    )
    short_volume: Shares = Field(
        description="Shares sold short that day (includes exempt volume), summed over the "
        "facility's files; whole shares."
    )
    short_exempt_volume: Shares = Field(
        description="Shares sold short under an exemption (part of short_volume)."
    )
    total_volume: Shares = Field(description="All shares traded that day.")
    short_volume_ratio: float | None = Field(
        description="short_volume / total_volume x 100, percent to 4 decimals; null when nothing "
        "traded."
    )
    average_short_volume_ratio: float | None = Field(
        description="Mean of the daily short volume ratios over the 20 NYSE trading days before "
        "date (the days with volume; see average_days), percent; null without any."
    )
    average_days: int = Field(
        description="Trading days of the 20 before date with volume: the average's sample."
    )
    short_volume_ratio_change: float | None = Field(
        description="short_volume_ratio - average_short_volume_ratio, percentage points."
    )


class ShortVolumeScreenRow(Resource):
    """One security in the short volume screen, with its rank."""

    rank: int = Field(description="Position under the screen's order (1 = first).")
    security: Security = Field(description="The security.")
    point: ShortVolumeScreenPoint = Field(description="Its short volume on the day.")


class ShortVolumeScreenPage(Resource):
    """A page of the short volume screen: the securities passing the filter, in its order."""

    data: list[ShortVolumeScreenRow] = Field(description="The ranked rows of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
    date: datetime.date | None = Field(
        description="The trading day screened (null: no Reg SHO volume stored)."
    )
    facility: str = Field(description="The facility screened (a code, or ALL).")
    total_count: int = Field(description="Securities passing the filter (all pages).")


class ErrorDetail(Resource):
    """What went wrong."""

    code: str = Field(
        description="Stable, machine-readable code: INVALID_PARAMETER, UNKNOWN_PARAMETER, "
        "NOT_FOUND, NOT_ACCEPTABLE, METHOD_NOT_ALLOWED, UNAUTHORIZED, RATE_LIMITED, "
        "DATABASE_UNAVAILABLE, QUERY_TIMEOUT, INTERNAL_ERROR..."
    )
    message: str = Field(
        description="For people: which parameter, what is wrong, and what is allowed."
    )


class Error(Resource):
    """Every error response of the service has this shape."""

    error: ErrorDetail = Field(description="The error.")
