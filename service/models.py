"""The records the API serves, shared by GraphQL and REST.

Dataclasses with slots: repositories build them from rows, `service/analytics` derives the metrics
on them, and both APIs read their attributes (GraphQL fields have the same names and read them
directly; REST serialises them to snake_case JSON). One object, no copies. They are not
`frozen`: a frozen dataclass costs 2.5x more to build (measured 12.7 vs 4.9 us for 20 fields
here), and series build thousands of them per request; nothing mutates them after construction.

Metrics are computed in SQL (migration 0010: one function per metric, used by every query), so
these records only carry values; repositories build them with `service.db.rows.models` (columns
checked by name, then built positionally; tests/db/test_query_columns.py checks every query).

They are also the catalogue of public fields (service/catalogue.py): a field declared with
`public(...)` (description, unit, example) is served by both APIs under its name, with that
text; the GraphQL types, REST resources, OpenAPI examples and docs/fields.md are generated from
it. Internal fields (ids, dates not served) are plain. `{field_name}` in a text is the field's
name in each API's spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from service.catalogue import Choice, Choices, catalogued, facilities, public, public_record

DATA_FLAGS = Choices(
    "DataFlag",
    "Data-quality flags on a short-interest point.",
    (
        Choice(
            "EXTREME_CHANGE",
            "EXTREME_CHANGE",
            "|{change_percent}| >= 90: check for a split or a data error.",
        ),
        Choice(
            "DAYS_TO_COVER_UNDEFINED",
            "DAYS_TO_COVER_UNDEFINED",
            "Average daily volume was 0 (FINRA reports 999.99 as a sentinel), or unknown with "
            "FINRA's 999.99; {days_to_cover} is null: unknown, not large.",
        ),
        Choice(
            "DAYS_TO_COVER_CAPPED",
            "DAYS_TO_COVER_CAPPED",
            "FINRA's cap: 999.99 reported with average daily volume above 0; {days_to_cover} is "
            "999.99 and the true figure is at least that.",
        ),
        Choice("EXCEEDS_FLOAT", "EXCEEDS_FLOAT", "Short interest is larger than the float."),
        Choice("SPLIT", "SPLIT", "FINRA flagged a stock split in this settlement cycle."),
        Choice(
            "REVISED", "REVISED", "This value replaced an earlier published value of the same date."
        ),
        Choice(
            "STALE_FLOAT",
            "STALE_FLOAT",
            "The float used is more than 180 days older than the date.",
        ),
    ),
)

FLOW_SOURCES = Choices(
    "FlowSource",
    "Where a flow comes from.",
    (
        Choice(
            "REPORTED", "reported", "Published as a flow (by the issuer, or given in the file)."
        ),
        Choice(
            "DERIVED",
            "derived",
            "(shares outstanding - previous trading day's) x NAV of the day, from the share "
            "counts the issuer published.",
        ),
        Choice("MIXED", "mixed", "A week or month whose days are partly reported, partly derived."),
    ),
)


SECURITY_TYPES = Choices(
    "SecurityType",
    "What kind of security this is.",
    (
        Choice("STOCK", "stock", "An operating company's share class."),
        Choice("ETF", "etf", "An exchange-traded fund; its float is its shares outstanding."),
    ),
)

TYPE_SOURCES = Choices(
    "TypeSource",
    "Where a security's type comes from.",
    (
        Choice(
            "SOURCE",
            "source",
            "A file stated it: Nasdaq Trader's symbol directory (its ETF flag), a securities "
            "file or a fund's holdings.",
        ),
        Choice(
            "GUESS",
            "guess",
            "Inferred from the issue name in FINRA's files (ETF when the name says so); no "
            "source has stated the type yet.",
        ),
    ),
)

LISTING_EXCHANGES = ("Nasdaq", "NYSE", "NYSE American", "NYSE Arca", "Cboe BZX", "IEX")
"""The exchanges Nasdaq Trader's symbol directory names (service/sources/symbol_directory/
format.py): REST's literal; GraphQL serves a String."""


@catalogued("Security", "A US-listed or OTC security, identified by its current symbol.")
class Security:
    id: int
    symbol: str = public("Current ticker symbol (case-sensitive).", unit="code", example="IWM")
    name: str | None = public(
        "Issue name as the newest source gave it.",
        unit="text",
        example="iShares Russell 2000 ETF",
    )
    type: str = public("A stock or an ETF.", unit="code", example="etf", choices=SECURITY_TYPES)
    market_class: str | None = public(
        "Market class FINRA reports: NYSE, NNM (Nasdaq), SC, ARCA, BZX, AMEX, OTC...",
        unit="code",
        example="ARCA",
    )
    type_source: str = public(
        "Where {type} comes from: a file stated it (e.g. the ETF flag of Nasdaq Trader's symbol "
        "directory), or it was inferred from the name in FINRA's files.",
        unit="code",
        example="source",
        choices=TYPE_SOURCES,
    )
    listing_exchange: str | None = public(
        "The exchange listing the security in the newest Nasdaq Trader symbol directory "
        "snapshot that showed it: Nasdaq, NYSE, NYSE American, NYSE Arca, Cboe BZX or IEX. "
        "Null when no snapshot listed it (OTC securities).",
        unit="code",
        example=None,
        values=LISTING_EXCHANGES,
    )


@catalogued(
    "ShortInterest", "One settlement date's short interest of a security, with its metrics."
)
class ShortInterestPoint:
    """A settlement date's short interest as known on some date, with its metrics (the columns of
    table short_interest_point, migration 0026, in this order)."""

    security_id: int
    settlement_date: date = public(
        "Settlement date the position was measured at (15th or end of month).",
        unit="date",
        example=date(2026, 7, 31),
    )
    published_date: date = public(
        "Date this value became public: FINRA's publication date (7th trading day after "
        "settlement), or for a revision the publication date of the file revising it.",
        unit="date",
        example=date(2026, 8, 11),
        nullable=True,
    )
    short_interest: int = public(
        "Shares sold short and not covered.", unit="shares", example=72786177
    )
    previous_short_interest: int | None = public(
        "Shares short on the previous settlement date, as reported with this value.",
        unit="shares",
        example=79811318,
    )
    change: int | None = public(
        "{short_interest} - {previous_short_interest}, in shares.",
        unit="shares",
        example=-7025141,
        signed=True,
    )
    change_percent: float | None = public(
        "(current - previous) / previous x 100, rounded to 2 decimals; null when the previous "
        "value is 0 or unknown.",
        unit="percent",
        example=-8.8,
    )
    average_daily_volume: int | None = public(
        "Average daily share volume over the settlement cycle, as FINRA reports it.",
        unit="shares",
        example=23504634,
    )
    days_to_cover: float | None = public(
        "Days to cover as FINRA reports it ({short_interest} / {average_daily_volume}, at least "
        "1.00, 2 decimals); 999.99 is FINRA's cap (at least that, see DAYS_TO_COVER_CAPPED); "
        "null when average daily volume is 0 (see DAYS_TO_COVER_UNDEFINED).",
        unit="days",
        example=3.1,
    )
    short_percent_of_float: float | None = public(
        "{short_interest} / float x 100, in percent to 4 decimals. Float: the latest known on or "
        "before the settlement date (for ETFs: shares outstanding). Null when unknown.",
        unit="percent",
        example=25.8749,
    )
    short_percent_of_shares_outstanding: float | None = public(
        "{short_interest} / shares outstanding x 100, in percent to 4 decimals (latest shares "
        "outstanding on or before the settlement date). Null when unknown.",
        unit="percent",
        example=25.8749,
    )
    short_value_usd: float | None = public(
        "{short_interest} x close, in US dollars to cents. Close: the last close on or before "
        "the settlement date, at most 5 trading days back. Null without such a close.",
        unit="USD",
        example=21195334742.4,
    )
    revised: bool = public(
        "True when this value replaced an earlier published value of the same date.",
        unit="boolean",
        example=False,
    )
    flags: list[str] = public(
        "Data-quality flags (may be empty).", unit="flags", example=[], choices=DATA_FLAGS
    )
    float_shares: int | None = public(
        "The float used for {short_percent_of_float}, in shares.",
        unit="shares",
        example=281300000,
    )
    float_as_of: date | None = public(
        "Date of the float used (on or before the settlement date).",
        unit="date",
        example=date(2026, 7, 1),
    )
    shares_outstanding: int | None = public(
        "Shares outstanding used for {short_percent_of_shares_outstanding}.",
        unit="shares",
        example=281300000,
    )
    shares_outstanding_as_of: date | None
    close_price: float | None = public(
        "Close used for {short_value_usd}, in US dollars.", unit="USD", example=291.2
    )
    close_date: date | None = public("Date of that close.", unit="date", example=date(2026, 7, 31))


SCREEN_FIELDS = (
    "short_interest",
    "change",
    "change_percent",
    "days_to_cover",
    "short_percent_of_float",
    "short_percent_of_shares_outstanding",
    "short_value_usd",
    "close_price",
    "average_daily_volume",
    "average_dollar_volume_usd",
    "market_cap_usd",
)
"""The numeric fields a market screen filters (min/max) and orders by, in the order of the
`vals` array of screens.sql."""


RANK = "Position under the screen's order (1 = first)."


@catalogued(
    "ShortInterestScreenRow", "One security's point in the short interest screen, with its rank."
)
class ScreenedPoint:
    """One row of a market screen: its rank under the screen's order, the security, its point."""

    rank: int = public(RANK, unit="count", example=1)
    security: Security = public_record("The security.")
    point: ShortInterestPoint = public_record("Its short interest on the settlement date.")
    average_dollar_volume_usd: float | None = public(
        "{average_daily_volume} x {close_price}, USD.", unit="USD", example=6844549420.8
    )
    market_cap_usd: float | None = public(
        "{shares_outstanding} x {close_price}, USD; null where either is unknown.",
        unit="USD",
        example=81914560000.0,
    )


@dataclass(slots=True)
class ScreenPage:
    """A page of a market screen and the number of rows passing its filter (all pages)."""

    settlement_date: date | None
    rows: list[ScreenedPoint]
    total: int


VOLUME_SCREEN_FIELDS = (
    "short_volume",
    "short_exempt_volume",
    "total_volume",
    "short_volume_ratio",
    "average_short_volume_ratio",
    "short_volume_ratio_change",
)
"""The numeric fields the short volume screen filters and orders by, in the order of the `vals`
array of screens.sql (short_volume)."""


@catalogued(
    "ShortVolumeScreenPoint",
    "A security's Reg SHO short volume on the screened day, against its own 20-day average.",
)
class VolumeScreenPoint:
    """A security's Reg SHO short volume on the screened day, against its 20-day average (the
    point columns of screens.sql short_volume, in order)."""

    date: date = public("Trading day.", unit="date", example=date(2021, 6, 4))
    facility: str = public(
        "The facility screened: a code, or ALL (CNMS + FORF: every facility once).",
        unit="code",
        example="CNMS",
    )
    short_volume: int = public(
        "Shares sold short that day (includes exempt volume), summed over the facility's "
        "files; whole shares.",
        unit="shares",
        example=70464495,
    )
    short_exempt_volume: int = public(
        "Shares sold short under an exemption (part of {short_volume}).",
        unit="shares",
        example=3915340,
    )
    total_volume: int = public("All shares traded that day.", unit="shares", example=150636414)
    short_volume_ratio: float | None = public(
        "{short_volume} / {total_volume} x 100, percent to 4 decimals; null when nothing traded.",
        unit="percent",
        example=46.7779,
    )
    average_short_volume_ratio: float | None = public(
        "Mean of the daily short volume ratios over the 20 NYSE trading days before date (the "
        "days with volume; see {average_days}), percent; null without any.",
        unit="percent",
        example=37.0371,
    )
    average_days: int = public(
        "Trading days of the 20 before date with volume: the average's sample.",
        unit="count",
        example=17,
    )
    short_volume_ratio_change: float | None = public(
        "{short_volume_ratio} - {average_short_volume_ratio}, percentage points: positive when "
        "short selling is above its usual share of trading.",
        unit="percentage points",
        example=9.7408,
    )


@catalogued("ShortVolumeScreenRow", "One security in the short volume screen, with its rank.")
class ScreenedVolume:
    """One row of the short volume screen: its rank, the security and its day."""

    rank: int = public(RANK, unit="count", example=1)
    security: Security = public_record("The security.")
    point: VolumeScreenPoint = public_record("Its short volume on the day.")


@dataclass(slots=True)
class VolumeScreenPage:
    """A page of the short volume screen and the number of rows passing its filter."""

    date: date | None
    facility: str
    rows: list[ScreenedVolume]
    total: int


@catalogued("ShortVolume", "Reg SHO daily short sale volume of one reporting facility.")
class ShortVolumeDay:
    """Reg SHO volume of one day and facility (the columns of market_data.sql, in order)."""

    date: date = public("Trading day.", unit="date", example=date(2021, 6, 4))
    facility: str = public(f"Reporting facility: {facilities()}.", unit="code", example="CNMS")
    short_volume: int = public(
        "Shares sold short that day (includes exempt volume); fractional volumes are rounded "
        "to whole shares.",
        unit="shares",
        example=2913403,
    )
    short_exempt_volume: int = public(
        "Shares sold short under an exemption (part of {short_volume}).",
        unit="shares",
        example=3067,
    )
    total_volume: int = public("All shares traded that day.", unit="shares", example=5441061)
    short_volume_ratio: float | None = public(
        "{short_volume} / {total_volume} x 100, in percent to 4 decimals (from exact volumes). "
        "Short volume is not short interest: most short sales are closed the same day.",
        unit="percent",
        example=53.5448,
    )
    market: str = public(
        "Market codes FINRA lists for the row, e.g. B,Q,N.", unit="code", example="B,Q,N"
    )


@catalogued("Price", "A daily price bar (unadjusted).")
class PriceBar:
    date: date = public("Trading day.", unit="date", example=date(2026, 7, 31))
    open: float | None = public("Opening price, US dollars.", unit="USD", example=293.56)
    high: float | None = public("High, US dollars.", unit="USD", example=293.95)
    low: float | None = public("Low, US dollars.", unit="USD", example=287.83)
    close: float = public("Closing price, US dollars.", unit="USD", example=291.2)
    volume: int | None = public("Shares traded.", unit="shares", example=28350651)


@catalogued(
    "FundFlow", "A fund's net flow over a day, a week (Monday to Friday) or a calendar month."
)
class FundFlow:
    """A fund's flow over a day, a week (Mon-Fri) or a month, with record flags."""

    symbol: str = public("The fund's symbol.", unit="code", example="IWM")
    period: str
    period_start: date = public(
        "First trading day of the period.", unit="date", example=date(2026, 1, 5)
    )
    period_end: date = public(
        "Last trading day of the period (its label).", unit="date", example=date(2026, 1, 9)
    )
    flow_usd: float = public(
        "Net flow in US dollars (to cents): daily as reported, else (shares outstanding - "
        "previous trading day's) x NAV; weeks and months sum the days with data.",
        unit="USD",
        example=-2150590000.0,
    )
    source: str = public(
        "Reported or derived from share counts (mixed: a period holding both).",
        unit="code",
        example="reported",
        choices=FLOW_SOURCES,
    )
    """'reported' (the issuer's or the file's flow), 'derived' (from share counts) or, for a
    week or month holding both, 'mixed'."""
    shares_outstanding: int | None = public(
        "Shares outstanding at the end of the period.", unit="shares", example=None
    )
    nav: float | None = public(
        "NAV per share at the end of the period, USD.", unit="USD", example=None
    )
    is_record_inflow: bool = public(
        "{flow_usd} > 0 and higher than every earlier period of this fund and length (a fund's "
        "first period is not a record: nothing earlier to beat).",
        unit="boolean",
        example=False,
    )
    is_record_outflow: bool = public(
        "{flow_usd} < 0 and lower than every earlier period of this fund and length (a fund's "
        "first period is not a record).",
        unit="boolean",
        example=True,
    )
    days_reported: int = public(
        "Days with a flow in the period (missing days are missing, not zero).",
        unit="count",
        example=5,
    )
    trading_days: int = public("NYSE trading days in the period.", unit="count", example=5)
    complete: bool = public(
        "The period is over: its last trading day is on or before today and the fund's newest "
        "flow date. False: {flow_usd} sums only the days so far (see {days_reported}).",
        unit="boolean",
        example=True,
    )


@dataclass(slots=True)
class FlowRecords:
    largest_inflow: FundFlow | None
    largest_outflow: FundFlow | None


@dataclass(slots=True)
class MarketIndex:
    code: str
    name: str | None


@dataclass(slots=True)
class IndexListing(MarketIndex):
    """An index with its member count on a date and the symbols of the funds tracking it."""

    constituents: int
    tracking_funds: list[str]


@catalogued(
    "IndexShortExposure",
    "Index short exposure on one settlement date: the members' leg and the tracking ETFs'.",
)
class IndexShortExposure:
    settlement_date: date = public("FINRA settlement date.", unit="date", example=date(2026, 7, 15))
    single_stock_short_interest: int = public(
        "Sum of shares short over the index's members on that date.",
        unit="shares",
        example=14858803554,
    )
    single_stock_short_value_usd: float = public(
        "Sum of members' short value (shares short x close), USD to cents; members without a "
        "close are left out (see {constituents_priced}).",
        unit="USD",
        example=0.0,
    )
    etf_short_interest: int = public(
        "Sum of shares short over the ETFs tracking the index.", unit="shares", example=88942322
    )
    etf_short_value_usd: float = public(
        "Sum of those ETFs' short value, USD to cents (see {etfs_priced}).",
        unit="USD",
        example=23605793524.86,
    )
    total_short_value_usd: float = public(
        "{single_stock_short_value_usd} + {etf_short_value_usd}, USD to cents.",
        unit="USD",
        example=23605793524.86,
    )
    constituents: int = public("Members of the index on that date.", unit="count", example=1920)
    constituents_reporting: int = public(
        "Members with a short-interest value on that date.", unit="count", example=1871
    )
    constituents_priced: int = public(
        "Reporting members with a close (the single-stock dollar leg covers these).",
        unit="count",
        example=0,
    )
    etfs_reporting: int = public(
        "Tracking ETFs with a value on that date.", unit="count", example=2
    )
    etfs_priced: int = public("Reporting tracking ETFs with a close.", unit="count", example=1)
    single_stock_leg_known: bool = public(
        "The members' leg is known: membership is known on that date and at least one member "
        "reports short interest with a close. False: {single_stock_short_interest} and "
        "{single_stock_short_value_usd} are 0 because nothing is known, not because nothing is "
        "short.",
        unit="boolean",
        example=False,
    )
    etf_leg_known: bool = public(
        "The ETF leg is known: at least one tracking ETF reports short interest with a close. "
        "False: {etf_short_interest} and {etf_short_value_usd} are 0 for want of data.",
        unit="boolean",
        example=True,
    )
    is_record: bool = public(
        "{total_short_value_usd} is higher than on every earlier date: only dates whose legs are "
        "all known ({single_stock_leg_known}, and {etf_leg_known} when funds track the index) "
        "count, and the first such date is not a record (nothing earlier to beat).",
        unit="boolean",
        example=False,
    )
    futures_report_date: date | None = public(
        "The CFTC report (positions as of this Tuesday) the futures leg uses: the newest one "
        "released on or before the settlement date, never a later one. Null: none.",
        unit="date",
        example=None,
    )
    futures_index_level: float | None = public(
        "The index's close on {futures_report_date} (index points), from the price symbol "
        "configured for the index (SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored.",
        unit="index points",
        example=None,
    )
    futures_leveraged_funds_short_contracts: float | None = public(
        "Leveraged funds' (hedge funds, CFTC's Leveraged Money) short positions in the index's "
        "futures on {futures_report_date}, in E-mini contracts (a micro counts as 0.01); null "
        "without a CFTC report known by then.",
        unit="E-mini contracts",
        example=None,
    )
    futures_leveraged_funds_short_usd: float | None = public(
        "Leveraged funds' futures short in USD to cents: contracts x multiplier (USD per index "
        "point) x {futures_index_level}; null without that level.",
        unit="USD",
        example=None,
    )
    futures_leveraged_funds_net_contracts: float | None = public(
        "Leveraged funds' futures long minus short, E-mini contracts (negative: net short).",
        unit="E-mini contracts",
        example=None,
    )
    futures_leveraged_funds_net_usd: float | None = public(
        "Leveraged funds' futures long minus short in USD to cents (negative: net short).",
        unit="USD",
        example=None,
    )
    futures_asset_managers_short_contracts: float | None = public(
        "Asset managers' short positions in the index's futures on {futures_report_date}, in "
        "E-mini contracts (a micro counts as 0.01); null without a CFTC report known by then.",
        unit="E-mini contracts",
        example=None,
    )
    futures_asset_managers_short_usd: float | None = public(
        "Asset managers' futures short in USD to cents: contracts x multiplier (USD per index "
        "point) x {futures_index_level}; null without that level.",
        unit="USD",
        example=None,
    )
    futures_asset_managers_net_contracts: float | None = public(
        "Asset managers' futures long minus short, E-mini contracts (negative: net short).",
        unit="E-mini contracts",
        example=None,
    )
    futures_asset_managers_net_usd: float | None = public(
        "Asset managers' futures long minus short in USD to cents (negative: net short).",
        unit="USD",
        example=None,
    )
    futures_dealers_short_contracts: float | None = public(
        "Dealers' short positions in the index's futures on {futures_report_date}, in "
        "E-mini contracts (a micro counts as 0.01); null without a CFTC report known by then.",
        unit="E-mini contracts",
        example=None,
    )
    futures_dealers_short_usd: float | None = public(
        "Dealers' futures short in USD to cents: contracts x multiplier (USD per index point) x "
        "{futures_index_level}; null without that level.",
        unit="USD",
        example=None,
    )
    futures_dealers_net_contracts: float | None = public(
        "Dealers' futures long minus short, E-mini contracts (negative: net short).",
        unit="E-mini contracts",
        example=None,
    )
    futures_dealers_net_usd: float | None = public(
        "Dealers' futures long minus short in USD to cents (negative: net short).",
        unit="USD",
        example=None,
    )
    futures_leg_known: bool = public(
        "A CFTC report and the index level of its date are known: the futures dollar figures "
        "are there. False: they are null for want of data.",
        unit="boolean",
        example=False,
    )
    total_with_futures_short_value_usd: float | None = public(
        "{total_short_value_usd} + {futures_leveraged_funds_short_usd}, USD to cents: the stock, "
        "ETF and hedge funds' futures short legs together; null when {futures_leg_known} is "
        "false.",
        unit="USD",
        example=None,
    )
    single_stock_is_record: bool = public(
        "{single_stock_short_value_usd} is higher than on every earlier date whose single-stock "
        "leg is known (the first such date is not a record).",
        unit="boolean",
        example=False,
    )
    etf_is_record: bool = public(
        "{etf_short_value_usd} is higher than on every earlier date whose ETF leg is known (the "
        "first such date is not a record).",
        unit="boolean",
        example=False,
    )
    futures_is_record: bool = public(
        "{futures_leveraged_funds_short_usd} is higher than on every earlier date whose futures "
        "leg is known (the first such date is not a record).",
        unit="boolean",
        example=False,
    )
    total_with_futures_is_record: bool = public(
        "{total_with_futures_short_value_usd} is higher than on every earlier date whose legs "
        "are all known, futures included (the first such date is not a record).",
        unit="boolean",
        example=False,
    )


@catalogued(
    "FuturesPosition",
    "One CFTC Traders in Financial Futures report (futures only) of one index futures "
    "contract: positions in contracts as of the report date's close.",
)
class FuturesPosition:
    """One CFTC report of one index futures contract (the columns of futures.sql, in order)."""

    report_date: date = public(
        "Positions as of this date's close: a Tuesday, or the Monday of a holiday week.",
        unit="date",
        example=date(2026, 9, 29),
    )
    release_date: date = public(
        "When CFTC published the report (the Friday after, or the next business day after a "
        "federal holiday): {as_of} answers see it from then on.",
        unit="date",
        example=date(2026, 10, 2),
    )
    contract_code: str = public(
        "CFTC contract market code, e.g. 239742 (Russell 2000 E-mini); contracts are mapped to "
        "indexes by it, not by name.",
        unit="code",
        example="239742",
    )
    contract_name: str = public(
        "Market and exchange name as CFTC printed it that week (names change).",
        unit="text",
        example="RUSSELL E-MINI - CHICAGO MERCANTILE EXCHANGE",
    )
    contract_units: str = public(
        "CFTC's contract-units text, e.g. (RUSSEL 2000 INDEX X $50).",
        unit="text",
        example="(RUSSEL 2000 INDEX X $50)",
    )
    multiplier: float = public(
        "USD per index point of one contract, read from {contract_units} and checked.",
        unit="USD per index point",
        example=50.0,
    )
    emini_equivalent: float = public(
        "One contract in the index's E-mini contracts (1; a micro is 0.01).",
        unit="E-mini contracts",
        example=1.0,
    )
    open_interest: int = public("Open interest, contracts.", unit="contracts", example=428048)
    dealers_long: int = public(
        "Dealers' long positions, contracts.", unit="contracts", example=120936
    )
    dealers_short: int = public(
        "Dealers' short positions, contracts.", unit="contracts", example=43245
    )
    dealers_spread: int = public("Dealers' spreading, contracts.", unit="contracts", example=3536)
    asset_managers_long: int = public(
        "Asset managers' long positions, contracts.", unit="contracts", example=151227
    )
    asset_managers_short: int = public(
        "Asset managers' short positions, contracts.", unit="contracts", example=111459
    )
    asset_managers_spread: int = public(
        "Asset managers' spreading, contracts.", unit="contracts", example=29543
    )
    leveraged_funds_long: int = public(
        "Leveraged funds' (CFTC's Leveraged Money: hedge funds) long positions, contracts.",
        unit="contracts",
        example=78186,
    )
    leveraged_funds_short: int = public(
        "Leveraged funds' short positions, contracts.", unit="contracts", example=192740
    )
    leveraged_funds_spread: int = public(
        "Leveraged funds' spreading, contracts.", unit="contracts", example=11977
    )
    other_reportables_long: int = public(
        "Other reportable traders' long positions, contracts.", unit="contracts", example=2616
    )
    other_reportables_short: int = public(
        "Other reportable traders' short positions, contracts.", unit="contracts", example=12749
    )
    other_reportables_spread: int = public(
        "Other reportable traders' spreading, contracts.", unit="contracts", example=0
    )
    index_level: float | None = public(
        "The index's close on {report_date} (index points), from its configured price symbol "
        "(SHORTFLOW_INDEX_LEVEL_SYMBOLS); null when not stored for that day.",
        unit="index points",
        example=None,
    )
    leveraged_funds_short_usd: float | None = public(
        "{leveraged_funds_short} x {multiplier} x {index_level}, USD to cents; null without "
        "{index_level}.",
        unit="USD",
        example=None,
    )
    leveraged_funds_short_is_record: bool = public(
        "{leveraged_funds_short} is higher than in every earlier report of this contract known "
        "on {as_of} (the first report is not a record).",
        unit="boolean",
        example=False,
    )
    leveraged_funds_short_usd_is_record: bool = public(
        "{leveraged_funds_short_usd} is higher than in every earlier report of this contract "
        "with a level known on {as_of} (the first is not a record).",
        unit="boolean",
        example=False,
    )


@catalogued("ScoreFactor", "One factor of a squeeze score.")
class ScoreFactor:
    name: str = public(
        "Factor name (see the squeeze screen model, docs/squeeze.md): e.g. fails_to_deliver, "
        "SEC's mean daily fails as % of shares outstanding.",
        unit="code",
        example="short_percent_of_float",
    )
    value: float | None = public(
        "The factor's value; null without data.", unit="per factor", example=25.8749
    )
    weight: float = public("Weight in the score (weights sum to 1).", unit="weight", example=0.25)
    contribution: float = public(
        "Points this factor adds to the score: 100 x weight x scaled value.",
        unit="points",
        example=16.1718,
    )


@catalogued("SqueezeCandidate", "A security ranked by the squeeze screen, with its factors.")
class SqueezeCandidate:
    security: Security = public_record("The security.")
    as_of: date = public(
        "The date the screen was run as of.", unit="date", example=date(2026, 8, 20)
    )
    settlement_date: date = public(
        "Settlement date of the short interest used (newest published by {as_of}).",
        unit="date",
        example=date(2026, 7, 31),
    )
    score: float = public(
        "0-100 points: sum of the factors' contributions.", unit="points", example=21.93
    )
    factors: tuple[ScoreFactor, ...] = public_record(
        "Each factor's value, weight and points. The first is short_percent_of_float, or "
        "short_percent_of_shares_outstanding when no float is known (docs/squeeze.md)."
    )
    short_percent_of_float: float | None = public(
        "Short % of float (ETFs: of shares outstanding); null when no float is known.",
        unit="percent",
        example=25.8749,
    )
    short_percent_of_shares_outstanding: float | None = public(
        "Short % of shares outstanding; null when unknown.", unit="percent", example=25.8749
    )
    days_to_cover: float | None = public("Days to cover (FINRA).", unit="days", example=3.1)


@dataclass(slots=True)
class SqueezeScreen:
    as_of: date
    candidates: tuple[SqueezeCandidate, ...]
    evaluated: int
    excluded: dict[str, int]


@catalogued(
    "SettlementDate", "A FINRA settlement date and the date its short interest is published."
)
class SettlementDate:
    settlement_date: date = public(
        "The 15th (or the trading day before), or the last trading day of a month.",
        unit="date",
        example=date(2026, 1, 15),
    )
    publication_date: date = public(
        "The 7th NYSE trading day after settlement, when FINRA publishes.",
        unit="date",
        example=date(2026, 1, 27),
    )


# -- Rows the repositories return besides the served records (ingest runs, dataset versions,
# the squeeze screen's inputs): built with `service.db.rows.models` like the records above.


@dataclass(slots=True)
class IngestRun:
    """One ingest attempt (ingest.sql `recent_runs`, `run_by_id`)."""

    id: int
    kind: str
    format: str | None
    file_name: str
    status: str
    """'applied' or 'failed'."""
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_skipped: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None


@dataclass(slots=True)
class RejectedRow:
    """A line of an ingested file that was not accepted, and why (ingest.sql `run_rejects`)."""

    line_number: int
    raw: str
    reason: str


@dataclass(slots=True)
class DatasetStatus:
    """A dataset's version, bumped by every ingest that changes it (ingest.sql `dataset_status`)."""

    name: str
    version: int
    updated_at: datetime


@dataclass(slots=True)
class RunCount:
    """Ingest runs of a kind and status, and when the newest finished (ingest.sql `run_counts`)."""

    kind: str
    status: str
    runs: int
    last_finished: datetime | None


@dataclass(slots=True)
class SqueezeInputs(Security):
    """One security's inputs to the squeeze screen (squeeze.sql `inputs`): the security's columns,
    its position, and each factor's value computed by the metric functions (None: no data)."""

    short_interest: int
    average_daily_volume: int
    float_value: int | None
    short_percent_of_float: float | None
    shares_outstanding: int | None
    short_percent_of_shares_outstanding: float | None
    days_to_cover: float | None
    short_interest_change_percent: float | None
    short_volume_ratio: float | None
    short_volume_trend: float | None
    price_change_since_settlement: float | None
    fails_to_deliver: float | None
    average_dollar_volume_usd: float | None
    market_cap_usd: float | None

    @property
    def security(self) -> Security:
        """The security alone (the records served carry a `Security`, not these inputs)."""
        return Security(
            self.id,
            self.symbol,
            self.name,
            self.type,
            self.market_class,
            self.type_source,
            self.listing_exchange,
        )

    def value(self, name: str) -> float | None:
        """The value of the factor or floor column `name`."""
        found: float | None = getattr(self, name)
        return found
