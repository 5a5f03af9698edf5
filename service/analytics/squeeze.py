"""The squeeze screen: a 0-100 score from seven factors, each returned with value and weight.

The model (docs/squeeze.md explains it and its limits). For each security reporting on the newest
settlement date published by `asOf`, each factor's value is mapped onto 0..1 by a capped linear
scale, multiplied by its weight, and the weighted sum is scaled to 0..100:

| factor | value | 0 at | 1 at | weight |
|---|---|---:|---:|---:|
| short_percent_of_float | short interest / float x 100 | 0 | 40 | 0.25 |
| or short_percent_of_shares_outstanding | the same, when no float is known | 0 | 40 | 0.25 |
| days_to_cover | FINRA's days to cover (its 999.99 cap: top of the scale) | 0 | 10 | 0.15 |
| short_interest_change_percent | change from the previous settlement, % | 0 | 50 | 0.15 |
| short_volume_ratio | CNMS short / total volume, 20 trading days to asOf, % | 40 | 70 | 0.10 |
| short_volume_trend | that ratio, last 10 trading days minus the 60 before, pp | 0 | 10 | 0.10 |
| price_change_since_settlement | close on asOf / close on settlement date - 1, % | 0 | 30 | 0.15 |
| fails_to_deliver | mean SEC fails, 20 trading days known on asOf, % of shares | 0 | 0.5 | 0.10 |

A factor without data (no short volume, no price, no fails file) contributes 0 and is returned
with a null value.
No free source publishes float shares, so a stock whose float is unknown is ranked on short % of
shares outstanding instead, and its first factor is named so (a lower bound of short % of float:
the float is at most the shares outstanding). Securities with unusable data are left out and
counted: neither a float nor shares outstanding (`no_share_count`), a position above twice the
base (`short_exceeds_twice_float` / `short_exceeds_twice_shares_outstanding`, almost always a bad
count), and no trading volume (`no_volume`, days to cover undefined: unknown, not high). On request,
leveraged/inverse funds and commodity trusts are left out too (`FundKind`, read from the fund's
name: service/analytics/fund_kinds.py). Only what was published by `asOf` is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from service.analytics import calendar
from service.analytics.fund_kinds import FundKind, fund_kind
from service.db.repositories.squeeze import SqueezeRepository
from service.errors import BadRequest
from service.models import ScoreFactor, SqueezeCandidate, SqueezeInputs, SqueezeScreen

VOLUME_WINDOW_TRADING_DAYS = 20
TREND_RECENT_TRADING_DAYS = 10
TREND_PRIOR_TRADING_DAYS = 60
"""The short-volume trend compares the ratio over the last 10 trading days to asOf with the ratio
over the 60 trading days before them (NULL unless 5 and 30 of those days have volume)."""


def _scale(low: float, high: float) -> Callable[[float], float]:
    def normalise(value: float) -> float:
        return min(1.0, max(0.0, (value - low) / (high - low)))

    return normalise


@dataclass(frozen=True)
class Factor:
    name: str
    weight: float
    normalise: Callable[[float], float]


SHORT_PERCENT_OF_FLOAT = Factor("short_percent_of_float", 0.25, _scale(0, 40))
SHORT_PERCENT_OF_SHARES_OUTSTANDING = Factor(
    "short_percent_of_shares_outstanding", 0.25, _scale(0, 40)
)
"""Stands in for short % of float when no float is known (same weight and scale)."""

FACTORS = (
    SHORT_PERCENT_OF_FLOAT,
    Factor("days_to_cover", 0.15, _scale(0, 10)),
    Factor("short_interest_change_percent", 0.15, _scale(0, 50)),
    Factor("short_volume_ratio", 0.10, _scale(40, 70)),
    Factor("short_volume_trend", 0.10, _scale(0, 10)),
    Factor("price_change_since_settlement", 0.15, _scale(0, 30)),
    Factor("fails_to_deliver", 0.10, _scale(0, 0.5)),
)


FACTORS_WITHOUT_FLOAT = (SHORT_PERCENT_OF_SHARES_OUTSTANDING, *FACTORS[1:])

FACTOR_NAMES = tuple(dict.fromkeys(f.name for f in (*FACTORS, *FACTORS_WITHOUT_FLOAT)))
"""Every factor name a candidate can carry (the CSV has a column group for each)."""


def score(
    values: dict[str, float | None], factor_set: tuple[Factor, ...] = FACTORS
) -> tuple[float, tuple[ScoreFactor, ...]]:
    """The 0-100 score and the factor breakdown for factor values (None: no data)."""
    factors = []
    for factor in factor_set:
        value = values.get(factor.name)
        contribution = 0.0 if value is None else 100 * factor.weight * factor.normalise(value)
        factors.append(ScoreFactor(factor.name, value, factor.weight, round(contribution, 4)))
    return round(sum(f.contribution for f in factors), 2), tuple(factors)


def factors_for(row: SqueezeInputs) -> tuple[Factor, ...]:
    """The float-based factors when a float is known, else those on shares outstanding."""
    return FACTORS if row.float_value else FACTORS_WITHOUT_FLOAT


@dataclass(frozen=True)
class Floors:
    """Liquidity floors of a screen, USD (None: no floor). A security below one, or whose value
    is unknown (no close or share count), is left out and counted."""

    market_cap_usd: float | None = None
    average_dollar_volume_usd: float | None = None


MAX_FLOOR_USD = 1e13
"""Above any company's market cap or any security's daily dollar volume."""


def check_floors(floors: Floors) -> None:
    """BadRequest for a floor outside 0..MAX_FLOOR_USD (both APIs)."""
    for name, floor in (
        ("minMarketCapUsd", floors.market_cap_usd),
        ("minAverageDollarVolumeUsd", floors.average_dollar_volume_usd),
    ):
        if floor is not None and not 0 <= floor <= MAX_FLOOR_USD:
            raise BadRequest(f"{name} must be between 0 and {MAX_FLOOR_USD:,.0f}, not {floor}")


def below_floor(row: SqueezeInputs, floors: Floors) -> str | None:
    """The floor a security does not reach (or cannot show it reaches), or None."""
    for name, floor in (
        ("market_cap_usd", floors.market_cap_usd),
        ("average_dollar_volume_usd", floors.average_dollar_volume_usd),
    ):
        value = row.value(name)
        if floor is not None and (value is None or value < floor):
            return f"below_min_{name}"
    return None


def exclusion(row: SqueezeInputs, excluded_kinds: frozenset[FundKind]) -> str | None:
    """Why a security cannot be scored, or else why it is left out on request (its fund kind:
    counted only among the securities that could be scored), or None."""
    if row.float_value:
        base, named = row.float_value, "float"
    elif row.shares_outstanding:
        base, named = row.shares_outstanding, "shares_outstanding"
    else:
        return "no_share_count"
    if row.short_interest > 2 * base:
        return f"short_exceeds_twice_{named}"
    if row.average_daily_volume == 0:
        return "no_volume"
    kind = fund_kind(row.type, row.name) if excluded_kinds else None
    return kind.value if kind is not None and kind in excluded_kinds else None


class SqueezeService:
    def __init__(self, repository: SqueezeRepository) -> None:
        self.repository = repository

    async def screen(
        self,
        index: str | None,
        as_of: date,
        first: int,
        floors: Floors | None = None,
        excluded_kinds: frozenset[FundKind] = frozenset(),
    ) -> SqueezeScreen:
        settlement = await self.repository.latest_settlement(as_of)
        if settlement is None:
            return SqueezeScreen(as_of, (), 0, {})
        last_day = calendar.trading_day_on_or_before(as_of)
        recent_from = calendar.add_trading_days(last_day, -(TREND_RECENT_TRADING_DAYS - 1))
        windows = (
            calendar.add_trading_days(last_day, -(VOLUME_WINDOW_TRADING_DAYS - 1)),
            recent_from,
            calendar.add_trading_days(recent_from, -TREND_PRIOR_TRADING_DAYS),
        )
        rows = await self.repository.inputs(as_of, settlement, index, windows)
        excluded: dict[str, int] = {}
        candidates = []
        for row in rows:
            reason = exclusion(row, excluded_kinds)
            if reason is None and floors:
                reason = below_floor(row, floors)
            if reason is not None:
                excluded[reason] = excluded.get(reason, 0) + 1
                continue
            # The inputs query computes each factor's value with the metric functions.
            factor_set = factors_for(row)
            values = {factor.name: row.value(factor.name) for factor in factor_set}
            total, factors = score(values, factor_set)
            candidates.append(
                SqueezeCandidate(
                    security=row.security,
                    as_of=as_of,
                    settlement_date=settlement,
                    score=total,
                    factors=factors,
                    short_percent_of_float=row.short_percent_of_float,
                    short_percent_of_shares_outstanding=row.short_percent_of_shares_outstanding,
                    days_to_cover=values["days_to_cover"],
                )
            )
        candidates.sort(key=lambda c: (-c.score, c.security.symbol))
        return SqueezeScreen(as_of, tuple(candidates[:first]), len(rows), excluded)
