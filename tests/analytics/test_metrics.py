"""The SQL metric functions (migrations 0010, 0013) against the plain reference implementation."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.analytics import squeeze
from tests.analytics import reference
from tests.conftest import DatabaseFactory

Sql = Callable[..., Any]
shares = st.integers(min_value=0, max_value=10**12)
maybe_shares = st.one_of(st.none(), shares)
prices = st.one_of(st.none(), st.floats(min_value=0.01, max_value=1e5))
# FINRA's days to cover: 1.00 at least, 999.99 the cap (or, without volume, the sentinel).
reported_days = st.one_of(st.none(), st.just(999.99), st.floats(min_value=1, max_value=999.99))
checks = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def sql(db_factory: DatabaseFactory) -> Iterator[Sql]:
    """`sql(query, *args)` -> the first value of the first row, on one connection (a loop in a
    thread, so hypothesis can call it from plain test functions)."""
    url = db_factory.create()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    conn = asyncio.run_coroutine_threadsafe(asyncpg.connect(url), loop).result()

    def run(query: str, *args: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(conn.fetchval(query, *args), loop).result()

    yield run
    asyncio.run_coroutine_threadsafe(conn.close(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@checks
@given(shares, maybe_shares)
def test_change_and_change_percent(sql: Sql, current: int, previous: int | None) -> None:
    assert sql("SELECT metric_change($1, $2)", current, previous) == reference.change(
        current, previous
    )
    assert sql("SELECT metric_change_percent($1, $2)", current, previous) == (
        reference.change_percent(current, previous)
    )


@checks
@given(shares, maybe_shares)
def test_percent_of(sql: Sql, part: int, whole: int | None) -> None:
    assert sql("SELECT metric_percent_of($1, $2)", part, whole) == reference.percent_of(part, whole)


@checks
@given(reported_days, maybe_shares)
def test_days_to_cover(sql: Sql, reported: float | None, adv: int | None) -> None:
    assert sql("SELECT metric_days_to_cover($1, $2)", reported, adv) == (
        reference.days_to_cover(reported, adv)
    )


@pytest.mark.parametrize(
    ("reported", "volume", "days", "flags"),
    [
        (999.99, 0, None, ["DAYS_TO_COVER_UNDEFINED"]),  # no volume: FINRA's sentinel
        (999.99, 12, 999.99, ["DAYS_TO_COVER_CAPPED"]),  # volume: FINRA's cap, at least that
        (999.99, None, None, ["DAYS_TO_COVER_UNDEFINED"]),  # volume unknown: cannot tell
        (3.1, 23504634, 3.1, []),
        (1.0, 0, None, ["DAYS_TO_COVER_UNDEFINED"]),
    ],
)
def test_capped_and_undefined_days_to_cover_are_told_apart(
    sql: Sql, reported: float, volume: int | None, days: float | None, flags: list[str]
) -> None:
    assert sql("SELECT metric_days_to_cover($1, $2)", reported, volume) == days
    arguments = (None, volume, reported, 10, None, None, date(2026, 7, 31), False, False)
    assert sql("SELECT metric_flags($1, $2, $3, $4, $5, $6, $7, $8, $9)", *arguments) == flags


@checks
@given(st.floats(min_value=-1e13, max_value=1e13))
def test_usd_and_percent_precision(sql: Sql, value: float) -> None:
    assert sql("SELECT metric_usd($1)", value) == reference.usd(value)
    assert sql("SELECT metric_percent($1)", value) == reference.percent(value)


@pytest.mark.parametrize(
    ("query", "value", "shown"),
    [
        ("SELECT metric_usd($1)", 7526599694.549999, "7526599694.55"),
        ("SELECT metric_usd($1)", -85187999.99999999, "-85188000.0"),
        ("SELECT metric_usd($1)", 0.1 + 0.2, "0.3"),
        ("SELECT metric_percent($1)", 100 / 3, "33.3333"),
        ("SELECT metric_percent($1)", 2 / 3 * 100, "66.6667"),
    ],
)
def test_served_figures_read_as_a_person_writes_them(
    sql: Sql, query: str, value: float, shown: str
) -> None:
    assert repr(sql(query, value)) == shown


@checks
@given(shares, prices)
def test_short_value(sql: Sql, short: int, close: float | None) -> None:
    assert sql("SELECT metric_short_value_usd($1, $2)", short, close) == (
        reference.short_value_usd(short, close)
    )


# Volumes are whole or fractional shares: zero, or at least a thousandth of a share.
volumes = st.one_of(st.just(0.0), st.floats(min_value=0.001, max_value=1e12))


@checks
@given(volumes, volumes)
def test_short_volume_ratio(sql: Sql, short: float, total: float) -> None:
    assert sql("SELECT metric_short_volume_ratio($1, $2)", short, total) == (
        reference.short_volume_ratio(short, total)
    )


@checks
@given(prices, prices)
def test_price_change(sql: Sql, earlier: float | None, later: float | None) -> None:
    assert sql("SELECT metric_price_change_percent($1, $2)", earlier, later) == (
        reference.price_change_percent(earlier, later)
    )


@checks
@given(
    change=st.one_of(st.none(), st.floats(min_value=-1e4, max_value=1e4)),
    adv=maybe_shares,
    dtc=reported_days,
    short=shares,
    float_value=maybe_shares,
    age=st.integers(min_value=0, max_value=800),
    split=st.booleans(),
    revised=st.booleans(),
)
def test_flags(
    sql: Sql,
    change: float | None,
    adv: int | None,
    dtc: float | None,
    short: int,
    float_value: int | None,
    age: int,
    split: bool,
    revised: bool,
) -> None:
    settlement = date(2026, 7, 31)
    as_of = settlement - timedelta(days=age) if float_value is not None else None
    arguments = (change, adv, dtc, short, float_value, as_of, settlement, split, revised)
    query = "SELECT metric_flags($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    assert sql(query, *arguments) == reference.flags(*arguments)


def test_an_etf_float_is_its_shares_outstanding(sql: Sql) -> None:
    assert sql("SELECT metric_float_base('etf', 10, 99)") == 99
    assert sql("SELECT metric_float_base('stock', 10, 99)") == 10
    assert sql("SELECT metric_float_base('stock', NULL, 99)") is None


@given(
    st.dictionaries(
        st.sampled_from([f.name for f in squeeze.FACTORS]),
        st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)),
    )
)
def test_squeeze_score_is_the_weighted_sum_of_capped_factors(
    values: dict[str, float | None],
) -> None:
    total, factors = squeeze.score(values)
    assert 0 <= total <= 100
    assert abs(sum(f.weight for f in factors) - 1) < 1e-12
    for factor in factors:
        value = values.get(factor.name)
        assert factor.value == value
        if value is None:
            assert factor.contribution == 0
        else:
            assert 0 <= factor.contribution <= 100 * factor.weight + 1e-9
    assert abs(total - sum(f.contribution for f in factors)) < 0.01


def test_squeeze_factor_scales() -> None:
    total, factors = squeeze.score(
        {
            "short_percent_of_float": 20.0,
            "days_to_cover": 10.0,
            "short_interest_change_percent": -5.0,
            "short_volume_ratio": 55.0,
            "short_volume_trend": 2.5,
            "price_change_since_settlement": 60.0,
            "fails_to_deliver": 0.25,
        }
    )
    contributions = {f.name: f.contribution for f in factors}
    assert contributions == {
        "short_percent_of_float": 12.5,  # 20 of 40 -> half of 25 points
        "days_to_cover": 15.0,  # at the cap
        "short_interest_change_percent": 0.0,  # falling short interest adds nothing
        "short_volume_ratio": 5.0,  # (55 - 40) / 30 of 10 points
        "short_volume_trend": 2.5,  # 2.5 of 10 points of ratio rise -> a quarter of 10 points
        "price_change_since_settlement": 15.0,  # capped
        "fails_to_deliver": 5.0,  # 0.25% of shares outstanding: half of the 0.5% threshold
    }
    assert total == 55.0
    _, falling = squeeze.score({"short_volume_trend": -8.0})
    assert next(f for f in falling if f.name == "short_volume_trend").contribution == 0.0
