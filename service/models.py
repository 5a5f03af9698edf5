"""The records the API serves, shared by GraphQL and REST.

Dataclasses with slots: repositories build them from rows, `service/analytics` derives the metrics
on them, and both APIs read their attributes (GraphQL types declare fields with the same names and
read them directly; REST serialises them to snake_case JSON). One object, no copies. They are not
`frozen`: a frozen dataclass costs 2.5x more to build (measured 12.7 vs 4.9 us for 20 fields
here), and series build thousands of them per request; nothing mutates them after construction.

Metrics are computed in SQL (migration 0010: one function per metric, used by every query), so
these records only carry values; repositories build them with `service.db.rows.models` (columns
checked by name, then built positionally; tests/db/test_query_columns.py checks every query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(slots=True)
class Security:
    id: int
    symbol: str
    name: str | None
    type: str
    market_class: str | None
    type_source: str
    """'source' when a file stated the type (the symbol directory, a securities or holdings
    file), 'guess' when it was inferred from a name."""
    listing_exchange: str | None


@dataclass(slots=True)
class ShortInterestPoint:
    """A settlement date's short interest as known on some date, with its metrics (the columns of
    view short_interest_point, in this order)."""

    security_id: int
    settlement_date: date
    published_date: date
    short_interest: int
    previous_short_interest: int | None
    change: int | None
    change_percent: float | None
    average_daily_volume: int | None
    days_to_cover: float | None
    short_percent_of_float: float | None
    short_percent_of_shares_outstanding: float | None
    short_value_usd: float | None
    revised: bool
    flags: list[str]
    float_shares: int | None
    float_as_of: date | None
    shares_outstanding: int | None
    shares_outstanding_as_of: date | None
    close_price: float | None
    close_date: date | None


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


@dataclass(slots=True)
class ScreenedPoint:
    """One row of a market screen: its rank under the screen's order, the security, its point."""

    rank: int
    security: Security
    point: ShortInterestPoint
    average_dollar_volume_usd: float | None
    """averageDailyVolume x closePrice, USD."""
    market_cap_usd: float | None
    """sharesOutstanding x closePrice, USD (where both are known)."""


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


@dataclass(slots=True)
class VolumeScreenPoint:
    """A security's Reg SHO short volume on the screened day, against its 20-day average (the
    point columns of screens.sql short_volume, in order)."""

    date: date
    facility: str
    """A facility code, or ALL (CNMS + FORF: every facility once)."""
    short_volume: int
    short_exempt_volume: int
    total_volume: int
    short_volume_ratio: float | None
    average_short_volume_ratio: float | None
    """Mean of the daily ratios over the 20 trading days before `date` that had volume."""
    average_days: int
    """How many of those 20 trading days had volume (the average's sample)."""
    short_volume_ratio_change: float | None
    """short_volume_ratio - average_short_volume_ratio, percentage points."""


@dataclass(slots=True)
class ScreenedVolume:
    """One row of the short volume screen: its rank, the security and its day."""

    rank: int
    security: Security
    point: VolumeScreenPoint


@dataclass(slots=True)
class VolumeScreenPage:
    """A page of the short volume screen and the number of rows passing its filter."""

    date: date | None
    facility: str
    rows: list[ScreenedVolume]
    total: int


@dataclass(slots=True)
class ShortVolumeDay:
    """Reg SHO volume of one day and facility (the columns of market_data.sql, in order)."""

    date: date
    facility: str
    short_volume: int
    short_exempt_volume: int
    total_volume: int
    short_volume_ratio: float | None
    market: str


@dataclass(slots=True)
class PriceBar:
    date: date
    open: float | None
    high: float | None
    low: float | None
    close: float
    volume: int | None


@dataclass(slots=True)
class FundFlow:
    """A fund's flow over a day, a week (Mon-Fri) or a month, with record flags."""

    symbol: str
    period: str
    period_start: date
    period_end: date
    flow_usd: float
    source: str
    """'reported' (the issuer's or the file's flow), 'derived' (from share counts) or, for a
    week or month holding both, 'mixed'."""
    shares_outstanding: int | None
    nav: float | None
    is_record_inflow: bool
    is_record_outflow: bool
    days_reported: int
    trading_days: int
    complete: bool


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


@dataclass(slots=True)
class IndexShortExposure:
    settlement_date: date
    single_stock_short_interest: int
    single_stock_short_value_usd: float
    etf_short_interest: int
    etf_short_value_usd: float
    total_short_value_usd: float
    constituents: int
    constituents_reporting: int
    constituents_priced: int
    etfs_reporting: int
    etfs_priced: int
    single_stock_leg_known: bool
    etf_leg_known: bool
    is_record: bool
    futures_report_date: date | None
    futures_index_level: float | None
    futures_leveraged_funds_short_contracts: float | None
    futures_leveraged_funds_short_usd: float | None
    futures_leveraged_funds_net_contracts: float | None
    futures_leveraged_funds_net_usd: float | None
    futures_asset_managers_short_contracts: float | None
    futures_asset_managers_short_usd: float | None
    futures_asset_managers_net_contracts: float | None
    futures_asset_managers_net_usd: float | None
    futures_dealers_short_contracts: float | None
    futures_dealers_short_usd: float | None
    futures_dealers_net_contracts: float | None
    futures_dealers_net_usd: float | None
    futures_leg_known: bool
    total_with_futures_short_value_usd: float | None
    single_stock_is_record: bool
    etf_is_record: bool
    futures_is_record: bool
    total_with_futures_is_record: bool


@dataclass(slots=True)
class FuturesPosition:
    """One CFTC report of one index futures contract (the columns of futures.sql, in order)."""

    report_date: date
    release_date: date
    contract_code: str
    contract_name: str
    contract_units: str
    multiplier: float
    emini_equivalent: float
    open_interest: int
    dealers_long: int
    dealers_short: int
    dealers_spread: int
    asset_managers_long: int
    asset_managers_short: int
    asset_managers_spread: int
    leveraged_funds_long: int
    leveraged_funds_short: int
    leveraged_funds_spread: int
    other_reportables_long: int
    other_reportables_short: int
    other_reportables_spread: int
    index_level: float | None
    leveraged_funds_short_usd: float | None
    leveraged_funds_short_is_record: bool
    leveraged_funds_short_usd_is_record: bool


@dataclass(slots=True)
class ScoreFactor:
    name: str
    value: float | None
    weight: float
    contribution: float


@dataclass(slots=True)
class SqueezeCandidate:
    security: Security
    as_of: date
    settlement_date: date
    score: float
    factors: tuple[ScoreFactor, ...]
    short_percent_of_float: float | None
    short_percent_of_shares_outstanding: float | None
    days_to_cover: float | None


@dataclass(slots=True)
class SqueezeScreen:
    as_of: date
    candidates: tuple[SqueezeCandidate, ...]
    evaluated: int
    excluded: dict[str, int]


@dataclass(slots=True)
class SettlementDate:
    settlement_date: date
    publication_date: date


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
