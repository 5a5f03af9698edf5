"""GraphQL object types (contract: ../shared/contract.graphql; definitions: PRODUCT.md section 2).

Types are views over `service.models`: a resolver returns the model object itself and fields read
its attributes by name (`short_percent_of_float` is `shortPercentOfFloat`). Fields with arguments
resolve through the same services the REST API uses. Every field and argument says its unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from enum import Enum

import strawberry

from service.graphql.scalars import BigInt

FROM = "First date of the range (inclusive). Omitted: from the start of the data."
TO = "Last date of the range (inclusive). Omitted: up to the newest data."
AS_OF = (
    "Point in time: the view as known on this date (a value counts from its FINRA publication "
    "date; revisions published later are not visible). Omitted: today, i.e. everything known. "
    "A date after today is an error (BAD_USER_INPUT)."
)
FIRST = "Page size: how many items to return (0 to 1000)."
AFTER = "Opaque cursor (`endCursor` of the previous page): return the items after it."


@strawberry.enum(description="What kind of security this is.")
class SecurityType(Enum):
    STOCK = strawberry.enum_value("stock", description="An operating company's share class.")
    ETF = strawberry.enum_value(
        "etf", description="An exchange-traded fund; its float is its shares outstanding."
    )


@strawberry.enum(description="Where a security's type comes from.")
class TypeSource(Enum):
    SOURCE = strawberry.enum_value(
        "source",
        description="A file stated it: Nasdaq Trader's symbol directory (its ETF flag), a "
        "securities file or a fund's holdings.",
    )
    GUESS = strawberry.enum_value(
        "guess",
        description="Inferred from the issue name in FINRA's files (ETF when the name says "
        "so); no source has stated the type yet.",
    )


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


@strawberry.enum(description="Where a flow comes from.")
class FlowSource(Enum):
    REPORTED = strawberry.enum_value(
        "reported", description="Published as a flow (by the issuer, or given in the file)."
    )
    DERIVED = strawberry.enum_value(
        "derived",
        description="(shares outstanding - previous trading day's) x NAV of the day, from the "
        "share counts the issuer published.",
    )
    MIXED = strawberry.enum_value(
        "mixed", description="A week or month whose days are partly reported, partly derived."
    )


@strawberry.enum(description="Data-quality flags on a short-interest point.")
class DataFlag(Enum):
    EXTREME_CHANGE = strawberry.enum_value(
        "EXTREME_CHANGE", description="|changePercent| >= 90: check for a split or a data error."
    )
    DAYS_TO_COVER_UNDEFINED = strawberry.enum_value(
        "DAYS_TO_COVER_UNDEFINED",
        description="Average daily volume was 0 (FINRA reports 999.99 as a sentinel), or unknown "
        "with FINRA's 999.99; daysToCover is null: unknown, not large.",
    )
    DAYS_TO_COVER_CAPPED = strawberry.enum_value(
        "DAYS_TO_COVER_CAPPED",
        description="FINRA's cap: 999.99 reported with average daily volume above 0; daysToCover "
        "is 999.99 and the true figure is at least that.",
    )
    EXCEEDS_FLOAT = strawberry.enum_value(
        "EXCEEDS_FLOAT", description="Short interest is larger than the float."
    )
    SPLIT = strawberry.enum_value(
        "SPLIT", description="FINRA flagged a stock split in this settlement cycle."
    )
    REVISED = strawberry.enum_value(
        "REVISED", description="This value replaced an earlier published value of the same date."
    )
    STALE_FLOAT = strawberry.enum_value(
        "STALE_FLOAT", description="The float used is more than 180 days older than the date."
    )


@strawberry.type(description="Relay pagination state of a connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="One settlement date's short interest of a security, with metrics.")
class ShortInterest:
    settlement_date: datetime.date = strawberry.field(
        description="Settlement date the position was measured at (15th or end of month)."
    )
    published_date: datetime.date | None = strawberry.field(
        description="Date this value became public: FINRA's publication date (7th trading day "
        "after settlement), or for a revision the publication date of the file revising it."
    )
    short_interest: BigInt = strawberry.field(description="Shares sold short and not covered.")
    previous_short_interest: BigInt | None = strawberry.field(
        description="Shares short on the previous settlement date, as reported with this value."
    )
    change: BigInt | None = strawberry.field(
        description="shortInterest - previousShortInterest, in shares."
    )
    change_percent: float | None = strawberry.field(
        description="(current - previous) / previous x 100, rounded to 2 decimals; null when the "
        "previous value is 0 or unknown."
    )
    average_daily_volume: BigInt | None = strawberry.field(
        description="Average daily share volume over the settlement cycle, as FINRA reports it."
    )
    days_to_cover: float | None = strawberry.field(
        description="Days to cover as FINRA reports it (shortInterest / averageDailyVolume, at "
        "least 1.00, 2 decimals); 999.99 is FINRA's cap (at least that, see "
        "DAYS_TO_COVER_CAPPED); null when average daily volume is 0 (see "
        "DAYS_TO_COVER_UNDEFINED)."
    )
    short_percent_of_float: float | None = strawberry.field(
        description="shortInterest / float x 100, in percent to 4 decimals. Float: the latest "
        "known on or before the settlement date (for ETFs: shares outstanding). Null when unknown."
    )
    short_percent_of_shares_outstanding: float | None = strawberry.field(
        description="shortInterest / shares outstanding x 100, in percent to 4 decimals (latest "
        "shares outstanding on or before the settlement date). Null when unknown."
    )
    short_value_usd: float | None = strawberry.field(
        description="shortInterest x close, in US dollars to cents. Close: the last close on or "
        "before the settlement date, at most 5 trading days back. Null without such a close."
    )
    revised: bool = strawberry.field(
        description="True when this value replaced an earlier published value of the same date."
    )
    flags: list[DataFlag] = strawberry.field(description="Data-quality flags (may be empty).")
    float_shares: BigInt | None = strawberry.field(
        description="The float used for shortPercentOfFloat, in shares."
    )
    float_as_of: datetime.date | None = strawberry.field(
        description="Date of the float used (on or before the settlement date)."
    )
    shares_outstanding: BigInt | None = strawberry.field(
        description="Shares outstanding used for shortPercentOfSharesOutstanding."
    )
    close_price: float | None = strawberry.field(
        description="Close used for shortValueUsd, in US dollars."
    )
    close_date: datetime.date | None = strawberry.field(description="Date of that close.")


@strawberry.type(description="An edge of a short-interest connection.")
class ShortInterestEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: ShortInterest = strawberry.field(description="The short-interest point.")


@strawberry.type(description="A page of short-interest points, oldest settlement date first.")
class ShortInterestConnection:
    nodes: list[ShortInterest] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    cursor_of: strawberry.Private[Callable[[ShortInterest], str]]

    @strawberry.field(description="Items with cursors.")
    def edges(self) -> list[ShortInterestEdge]:
        # Built only when asked for: a chart reading `nodes` pays no cursor encoding.
        return [ShortInterestEdge(cursor=self.cursor_of(n), node=n) for n in self.nodes]

    @strawberry.field(description="Number of settlement dates in the range (all pages).")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(description="Reg SHO daily short sale volume of one reporting facility.")
class ShortVolume:
    date: datetime.date = strawberry.field(description="Trading day.")
    facility: str = strawberry.field(
        description="Reporting facility: CNMS (FINRA's consolidated file), FNSQ, FNQC, FNYX, "
        "FNRA or FORF."
    )
    short_volume: BigInt = strawberry.field(
        description="Shares sold short that day (includes exempt volume); fractional volumes are "
        "rounded to whole shares."
    )
    short_exempt_volume: BigInt = strawberry.field(
        description="Shares sold short under an exemption (part of shortVolume)."
    )
    total_volume: BigInt = strawberry.field(description="All shares traded that day.")
    short_volume_ratio: float | None = strawberry.field(
        description="shortVolume / totalVolume x 100, in percent to 4 decimals (from exact "
        "volumes). Short volume is not short interest: most short sales are closed the same day."
    )
    market: str = strawberry.field(description="Market codes FINRA lists for the row, e.g. B,Q,N.")


@strawberry.type(description="A daily price bar (unadjusted).")
class Price:
    date: datetime.date = strawberry.field(description="Trading day.")
    open: float | None = strawberry.field(description="Opening price, US dollars.")
    high: float | None = strawberry.field(description="High, US dollars.")
    low: float | None = strawberry.field(description="Low, US dollars.")
    close: float = strawberry.field(description="Closing price, US dollars.")
    volume: BigInt | None = strawberry.field(description="Shares traded.")


@strawberry.type(description="A fund's net flow over a day, week or month.")
class FundFlow:
    symbol: str = strawberry.field(description="The fund's symbol.")
    period_start: datetime.date = strawberry.field(description="First trading day of the period.")
    period_end: datetime.date = strawberry.field(
        description="Last trading day of the period (its label)."
    )
    flow_usd: float = strawberry.field(
        description="Net flow in US dollars (to cents): daily as reported, else (shares "
        "outstanding - previous trading day's) x NAV; weeks and months sum the days with data."
    )
    source: FlowSource = strawberry.field(
        description="Reported or derived from share counts (mixed: a period holding both)."
    )
    shares_outstanding: BigInt | None = strawberry.field(
        description="Shares outstanding at the end of the period."
    )
    nav: float | None = strawberry.field(description="NAV per share at the end of the period, USD.")
    is_record_inflow: bool = strawberry.field(
        description="flowUsd > 0 and higher than every earlier period of this fund and length "
        "(a fund's first period is not a record: nothing earlier to beat)."
    )
    is_record_outflow: bool = strawberry.field(
        description="flowUsd < 0 and lower than every earlier period of this fund and length "
        "(a fund's first period is not a record)."
    )
    days_reported: int = strawberry.field(
        description="Days with a flow in the period (missing days are missing, not zero)."
    )
    trading_days: int = strawberry.field(description="NYSE trading days in the period.")
    complete: bool = strawberry.field(
        description="The period is over: its last trading day is on or before today and the "
        "fund's newest flow date. False: flowUsd sums only the days so far (see daysReported)."
    )


@strawberry.type(description="A fund's largest inflow and outflow periods.")
class FlowRecords:
    largest_inflow: FundFlow | None = strawberry.field(description="Highest positive flow.")
    largest_outflow: FundFlow | None = strawberry.field(description="Lowest negative flow.")


@strawberry.type(description="Index short exposure on one settlement date.")
class IndexShortExposure:
    settlement_date: datetime.date = strawberry.field(description="FINRA settlement date.")
    single_stock_short_interest: BigInt = strawberry.field(
        description="Sum of shares short over the index's members on that date."
    )
    single_stock_short_value_usd: float = strawberry.field(
        description="Sum of members' short value (shares short x close), USD to cents; members "
        "without a close are left out (see constituentsPriced)."
    )
    etf_short_interest: BigInt = strawberry.field(
        description="Sum of shares short over the ETFs tracking the index."
    )
    etf_short_value_usd: float = strawberry.field(
        description="Sum of those ETFs' short value, USD to cents (see etfsPriced)."
    )
    total_short_value_usd: float = strawberry.field(
        description="singleStockShortValueUsd + etfShortValueUsd, USD to cents."
    )
    constituents_reporting: int = strawberry.field(
        description="Members with a short-interest value on that date."
    )
    is_record: bool = strawberry.field(
        description="totalShortValueUsd is higher than on every earlier date: only dates whose "
        "legs are all known (singleStockLegKnown, and etfLegKnown when funds track the index) "
        "count, and the first such date is not a record (nothing earlier to beat)."
    )
    single_stock_leg_known: bool = strawberry.field(
        description="The members' leg is known: membership is known on that date and at least "
        "one member reports short interest with a close. False: singleStockShortInterest and "
        "singleStockShortValueUsd are 0 because nothing is known, not because nothing is short."
    )
    etf_leg_known: bool = strawberry.field(
        description="The ETF leg is known: at least one tracking ETF reports short interest with "
        "a close. False: etfShortInterest and etfShortValueUsd are 0 for want of data."
    )
    constituents: int = strawberry.field(description="Members of the index on that date.")
    constituents_priced: int = strawberry.field(
        description="Reporting members with a close (the single-stock dollar leg covers these)."
    )
    etfs_reporting: int = strawberry.field(description="Tracking ETFs with a value on that date.")
    etfs_priced: int = strawberry.field(description="Reporting tracking ETFs with a close.")
    futures_report_date: datetime.date | None = strawberry.field(
        description="The CFTC report (positions as of this Tuesday) the futures leg uses: the "
        "newest one released on or before the settlement date, never a later one. Null: none."
    )
    futures_index_level: float | None = strawberry.field(
        description="The index's close on futuresReportDate (index points), from the price "
        "symbol configured for the index (SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored."
    )
    futures_leveraged_funds_short_contracts: float | None = strawberry.field(
        description="Leveraged funds' (hedge funds, CFTC's Leveraged Money) short positions in the"
        " index's futures on futuresReportDate, in E-mini contracts (a micro counts as"
        " 0.01); null without a CFTC report known by then."
    )
    futures_leveraged_funds_short_usd: float | None = strawberry.field(
        description="Leveraged funds' futures short in USD to cents: contracts x multiplier (USD "
        "per index point) x futuresIndexLevel; null without that level."
    )
    futures_leveraged_funds_net_contracts: float | None = strawberry.field(
        description="Leveraged funds' futures long minus short, E-mini contracts (negative: net "
        "short)."
    )
    futures_leveraged_funds_net_usd: float | None = strawberry.field(
        description="Leveraged funds' futures long minus short in USD to cents (negative: net "
        "short)."
    )
    futures_asset_managers_short_contracts: float | None = strawberry.field(
        description="Asset managers' short positions in the index's futures on futuresReportDate, "
        "in E-mini contracts (a micro counts as 0.01); null without a CFTC report "
        "known by then."
    )
    futures_asset_managers_short_usd: float | None = strawberry.field(
        description="Asset managers' futures short in USD to cents: contracts x multiplier (USD "
        "per index point) x futuresIndexLevel; null without that level."
    )
    futures_asset_managers_net_contracts: float | None = strawberry.field(
        description="Asset managers' futures long minus short, E-mini contracts (negative: net "
        "short)."
    )
    futures_asset_managers_net_usd: float | None = strawberry.field(
        description="Asset managers' futures long minus short in USD to cents (negative: net "
        "short)."
    )
    futures_dealers_short_contracts: float | None = strawberry.field(
        description="Dealers' short positions in the index's futures on futuresReportDate, in "
        "E-mini contracts (a micro counts as 0.01); null without a CFTC report known by then."
    )
    futures_dealers_short_usd: float | None = strawberry.field(
        description="Dealers' futures short in USD to cents: contracts x multiplier (USD per "
        "index point) x futuresIndexLevel; null without that level."
    )
    futures_dealers_net_contracts: float | None = strawberry.field(
        description="Dealers' futures long minus short, E-mini contracts (negative: net short)."
    )
    futures_dealers_net_usd: float | None = strawberry.field(
        description="Dealers' futures long minus short in USD to cents (negative: net short)."
    )
    futures_leg_known: bool = strawberry.field(
        description="A CFTC report and the index level of its date are known: the futures "
        "dollar figures are there. False: they are null for want of data."
    )
    total_with_futures_short_value_usd: float | None = strawberry.field(
        description="totalShortValueUsd + futuresLeveragedFundsShortUsd, USD to cents: the "
        "stock, ETF and hedge funds' futures short legs together; null when futuresLegKnown is "
        "false."
    )
    single_stock_is_record: bool = strawberry.field(
        description="singleStockShortValueUsd is higher than on every earlier date whose "
        "single-stock leg is known (the first such date is not a record)."
    )
    etf_is_record: bool = strawberry.field(
        description="etfShortValueUsd is higher than on every earlier date whose ETF leg is "
        "known (the first such date is not a record)."
    )
    futures_is_record: bool = strawberry.field(
        description="futuresLeveragedFundsShortUsd is higher than on every earlier date whose "
        "futures leg is known (the first such date is not a record)."
    )
    total_with_futures_is_record: bool = strawberry.field(
        description="totalWithFuturesShortValueUsd is higher than on every earlier date whose "
        "legs are all known, futures included (the first such date is not a record)."
    )


@strawberry.type(
    description="One CFTC Traders in Financial Futures report (futures only) of one index "
    "futures contract: positions in contracts as of the report date's close."
)
class FuturesPosition:
    report_date: datetime.date = strawberry.field(
        description="Positions as of this date's close: a Tuesday, or the Monday of a holiday week."
    )
    release_date: datetime.date = strawberry.field(
        description="When CFTC published the report (the Friday after, or the next business day "
        "after a federal holiday): asOf answers see it from then on."
    )
    contract_code: str = strawberry.field(
        description="CFTC contract market code, e.g. 239742 (Russell 2000 E-mini); contracts are "
        "mapped to indexes by it, not by name."
    )
    contract_name: str = strawberry.field(
        description="Market and exchange name as CFTC printed it that week (names change)."
    )
    contract_units: str = strawberry.field(
        description="CFTC's contract-units text, e.g. (RUSSEL 2000 INDEX X $50)."
    )
    multiplier: float = strawberry.field(
        description="USD per index point of one contract, read from contractUnits and checked."
    )
    emini_equivalent: float = strawberry.field(
        description="One contract in the index's E-mini contracts (1; a micro is 0.01)."
    )
    open_interest: BigInt = strawberry.field(description="Open interest, contracts.")
    dealers_long: BigInt = strawberry.field(description="Dealers' long positions, contracts.")
    dealers_short: BigInt = strawberry.field(description="Dealers' short positions, contracts.")
    dealers_spread: BigInt = strawberry.field(description="Dealers' spreading, contracts.")
    asset_managers_long: BigInt = strawberry.field(
        description="Asset managers' long positions, contracts."
    )
    asset_managers_short: BigInt = strawberry.field(
        description="Asset managers' short positions, contracts."
    )
    asset_managers_spread: BigInt = strawberry.field(
        description="Asset managers' spreading, contracts."
    )
    leveraged_funds_long: BigInt = strawberry.field(
        description="Leveraged funds' (CFTC's Leveraged Money: hedge funds) long positions, "
        "contracts."
    )
    leveraged_funds_short: BigInt = strawberry.field(
        description="Leveraged funds' short positions, contracts."
    )
    leveraged_funds_spread: BigInt = strawberry.field(
        description="Leveraged funds' spreading, contracts."
    )
    other_reportables_long: BigInt = strawberry.field(
        description="Other reportable traders' long positions, contracts."
    )
    other_reportables_short: BigInt = strawberry.field(
        description="Other reportable traders' short positions, contracts."
    )
    other_reportables_spread: BigInt = strawberry.field(
        description="Other reportable traders' spreading, contracts."
    )
    index_level: float | None = strawberry.field(
        description="The index's close on reportDate (index points), from its configured price "
        "symbol (SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored for that day."
    )
    leveraged_funds_short_usd: float | None = strawberry.field(
        description="leveragedFundsShort x multiplier x indexLevel, USD to cents; null without "
        "indexLevel."
    )
    leveraged_funds_short_is_record: bool = strawberry.field(
        description="leveragedFundsShort is higher than in every earlier report of this "
        "contract known on asOf (the first report is not a record)."
    )
    leveraged_funds_short_usd_is_record: bool = strawberry.field(
        description="leveragedFundsShortUsd is higher than in every earlier report of this "
        "contract with a level known on asOf (the first is not a record)."
    )


@strawberry.type(description="One factor of a squeeze score.")
class ScoreFactor:
    name: str = strawberry.field(
        description="Factor name (see the squeeze screen model, docs/squeeze.md): e.g. "
        "fails_to_deliver, SEC's mean daily fails as % of shares outstanding."
    )
    value: float | None = strawberry.field(description="The factor's value; null without data.")
    weight: float = strawberry.field(description="Weight in the score (weights sum to 1).")
    contribution: float = strawberry.field(
        description="Points this factor adds to the score: 100 x weight x scaled value."
    )


@strawberry.type(description="A FINRA settlement date and the date its data is published.")
class SettlementDate:
    settlement_date: datetime.date = strawberry.field(
        description="The 15th (or the trading day before), or the last trading day of a month."
    )
    publication_date: datetime.date = strawberry.field(
        description="The 7th NYSE trading day after settlement, when FINRA publishes."
    )


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
