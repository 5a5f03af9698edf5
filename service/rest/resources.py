"""The JSON resources of /v1: field names, types, units and definitions, in one place.

Each class describes one representation. The OpenAPI document takes its schemas from these
classes (`pydantic.TypeAdapter(...).json_schema()`), and `service/rest/serialize.py` takes the
field list from them, so a field is documented exactly when it is served. They are never
instantiated on the request path: serialisation reads the `service.models` records directly.

Names are the snake_case of the GraphQL fields (service/graphql/types.py) with the same units and
definitions (PRODUCT.md section 2); internal ids are not part of any resource. The resources of
the catalogued records are generated from the models' field declarations (service/catalogue.py,
docs/fields.md), the same ones the GraphQL types are.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field

from service import models
from service.catalogue_rest import Shares, literal, resource

SecurityType = literal(models.SECURITY_TYPES)
FlowSource = literal(models.FLOW_SOURCES)
DataFlag = literal(models.DATA_FLAGS)


class Resource(BaseModel):
    """Base: every field is always present (null when unknown), nothing else is."""

    model_config = ConfigDict(extra="forbid")


# The resources of the catalogued records (service/models.py): fields, types and descriptions
# are generated from the models' declarations (service/catalogue_rest.py).


@resource(models.Security)
class Security(Resource): ...


@resource(models.ShortInterestPoint)
class ShortInterest(Resource): ...


@resource(models.ShortVolumeDay)
class ShortVolume(Resource): ...


@resource(models.PriceBar)
class Price(Resource): ...


@resource(models.FundFlow)
class FundFlow(Resource): ...


@resource(models.IndexShortExposure)
class IndexShortExposure(Resource): ...


@resource(models.FuturesPosition)
class FuturesPosition(Resource): ...


@resource(models.ScoreFactor)
class ScoreFactor(Resource): ...


@resource(models.SettlementDate)
class SettlementDate(Resource): ...


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


@resource(models.SqueezeCandidate)
class SqueezeCandidate(Resource): ...


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


@resource(models.ScreenedPoint)
class ShortInterestScreenRow(Resource): ...


class ShortInterestScreenPage(Resource):
    """A page of the short interest screen: the securities passing the filter, in its order."""

    data: list[ShortInterestScreenRow] = Field(description="The ranked rows of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
    settlement_date: datetime.date | None = Field(
        description="The settlement date screened (null: nothing published as of as_of)."
    )
    total_count: int = Field(description="Securities passing the filter (all pages).")


@resource(models.VolumeScreenPoint)
class ShortVolumeScreenPoint(Resource): ...


@resource(models.ScreenedVolume)
class ShortVolumeScreenRow(Resource): ...


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
