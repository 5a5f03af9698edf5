"""Example responses of the OpenAPI document: real answers of the service over the real samples
(FINRA short interest of 2026-07-15 and 2026-07-31, the Reg SHO file of 2021-06-04, IWM prices
and flows; see tests/support/datasets.py), shortened to a few items.

A record's values are the examples its fields declare in service/models.py (`example()`); a
second item of a list names only what differs from the first. tests/rest/test_openapi.py checks
every example against its response schema.
"""

from __future__ import annotations

from typing import Any

from service import models
from service.catalogue import example

IWM = {
    "symbol": "IWM",
    "name": "iShares Russell 2000 ETF",
    "type": "etf",
    "market_class": "ARCA",
    "type_source": "source",
    "listing_exchange": None,
}

IWM_2026_07_31: dict[str, Any] = example(models.ShortInterestPoint)

SECURITY_PAGE: dict[str, Any] = {
    "data": [
        {
            "symbol": "IRSTF",
            "name": "RUSSELL 2000 SOURCE ETF INVESC",
            "type": "etf",
            "market_class": "OTC",
            "type_source": "guess",
            "listing_exchange": None,
        },
        IWM,
    ],
    "next_cursor": "c2VjOklXTQ",
}

SECURITY: dict[str, Any] = {
    "data": {
        **IWM,
        "shares_outstanding": 281300000,
        "float_shares": 281300000,
        "latest_short_interest": IWM_2026_07_31,
    }
}

SHORT_INTEREST_PAGE: dict[str, Any] = {
    "data": [
        example(
            models.ShortInterestPoint,
            settlement_date="2026-07-15",
            published_date="2026-07-24",
            short_interest=79811318,
            previous_short_interest=80125139,
            change=-313821,
            change_percent=-0.39,
            average_daily_volume=19145149,
            days_to_cover=4.17,
            short_percent_of_float=28.3723,
            short_percent_of_shares_outstanding=28.3723,
            short_value_usd=23605793524.86,
            close_price=295.77,
            close_date="2026-07-15",
        ),
        IWM_2026_07_31,
    ],
    "next_cursor": None,
}

SHORT_VOLUME: dict[str, Any] = {"data": [example(models.ShortVolumeDay)], "next_cursor": None}

PRICES: dict[str, Any] = {
    "data": [
        example(
            models.PriceBar,
            date="2026-07-30",
            open=291.15,
            high=292.84,
            low=288.96,
            close=292.59,
            volume=22198835,
        ),
        example(models.PriceBar),
    ],
    "next_cursor": None,
}

FUND_FLOWS: dict[str, Any] = {
    "data": [
        example(models.FundFlow),
        example(
            models.FundFlow,
            period_start="2026-01-12",
            period_end="2026-01-16",
            flow_usd=619020000.0,
            is_record_inflow=True,
            is_record_outflow=False,
        ),
    ],
    "next_cursor": None,
}

# The second date's futures leg is as the first's: without a CFTC report known by then (July
# 2026: the samples hold the report of 2026-09-29 only).
EXPOSURE: dict[str, Any] = {
    "data": [
        example(models.IndexShortExposure),
        example(
            models.IndexShortExposure,
            settlement_date="2026-07-31",
            single_stock_short_interest=14756053800,
            etf_short_interest=82026812,
            etf_short_value_usd=21195334742.4,
            total_short_value_usd=21195334742.4,
            constituents_reporting=1862,
        ),
    ],
    "next_cursor": None,
}

FUTURES_POSITIONING: dict[str, Any] = {
    "data": [example(models.FuturesPosition)],
    "next_cursor": None,
}


def _factor(name: str, value: float | None, weight: float, contribution: float) -> Any:
    return example(
        models.ScoreFactor, name=name, value=value, weight=weight, contribution=contribution
    )


SQUEEZE: dict[str, Any] = {
    "data": [
        {
            "security": IWM,
            "as_of": "2026-08-20",
            "settlement_date": "2026-07-31",
            "score": 21.93,
            "factors": [
                example(models.ScoreFactor),
                _factor("days_to_cover", 3.1, 0.15, 4.65),
                _factor("short_interest_change_percent", -8.8, 0.15, 0.0),
                _factor("short_volume_ratio", None, 0.1, 0.0),
                _factor("short_volume_trend", None, 0.1, 0.0),
                _factor("price_change_since_settlement", 2.2218, 0.15, 1.1109),
                _factor("fails_to_deliver", None, 0.1, 0.0),
            ],
            "short_percent_of_float": 25.8749,
            "short_percent_of_shares_outstanding": 25.8749,
            "days_to_cover": 3.1,
        }
    ],
    "next_cursor": None,
    "as_of": "2026-08-20",
    "evaluated": 22341,
    "excluded": [{"reason": "no_share_count", "count": 22334}],
}

INDEX_PAGE: dict[str, Any] = {
    "data": [
        {
            "code": "R2000",
            "name": "Russell 2000",
            "constituents": 1920,
            "tracking_funds": ["IWM", "VTWO"],
        },
    ],
    "next_cursor": None,
}


def _settlement(settlement_date: str, publication_date: str) -> Any:
    return example(
        models.SettlementDate, settlement_date=settlement_date, publication_date=publication_date
    )


SETTLEMENT_CALENDAR: dict[str, Any] = {
    "data": [
        example(models.SettlementDate),
        _settlement("2026-01-30", "2026-02-10"),
        _settlement("2026-07-15", "2026-07-24"),
        _settlement("2026-07-31", "2026-08-11"),
    ],
    "next_cursor": None,
}

# GET /v1/screens/short-interest?types=etf&min_short_value_usd=20000000000 over the samples
# (tests/rest/test_screens.py checks it is the real answer).
SHORT_INTEREST_SCREEN: dict[str, Any] = {
    "data": [
        {
            "rank": 1,
            "security": IWM,
            "point": IWM_2026_07_31,
            "average_dollar_volume_usd": 6844549420.8,
            "market_cap_usd": 81914560000.0,
        }
    ],
    "next_cursor": None,
    "settlement_date": "2026-07-31",
    "total_count": 1,
}

# GET /v1/screens/short-volume?facility=CNMS&min_total_volume=150000000 over the real Reg SHO
# files of 2021-06-04 and the 20 days built before it (tests/support/datasets.py load_regsho;
# tests/rest/test_short_volume_screen.py checks it is the real answer).
SHORT_VOLUME_SCREEN: dict[str, Any] = {
    "data": [
        {
            "rank": 1,
            "security": {
                "symbol": "NAKD",
                "name": None,
                "type": "stock",
                "market_class": None,
                "type_source": "guess",
                "listing_exchange": None,
            },
            "point": {
                "date": "2021-06-04",
                "facility": "CNMS",
                "short_volume": 70464495,
                "short_exempt_volume": 3915340,
                "total_volume": 150636414,
                "short_volume_ratio": 46.7779,
                "average_short_volume_ratio": 37.0371,
                "average_days": 17,
                "short_volume_ratio_change": 9.7408,
            },
        },
        {
            "rank": 2,
            "security": {
                "symbol": "AMC",
                "name": None,
                "type": "stock",
                "market_class": None,
                "type_source": "guess",
                "listing_exchange": None,
            },
            "point": {
                "date": "2021-06-04",
                "facility": "CNMS",
                "short_volume": 65802637,
                "short_exempt_volume": 2626132,
                "total_volume": 170312090,
                "short_volume_ratio": 38.6365,
                "average_short_volume_ratio": 30.3183,
                "average_days": 17,
                "short_volume_ratio_change": 8.3182,
            },
        },
        {
            "rank": 3,
            "security": {
                "symbol": "SNDL",
                "name": None,
                "type": "stock",
                "market_class": None,
                "type_source": "guess",
                "listing_exchange": None,
            },
            "point": {
                "date": "2021-06-04",
                "facility": "CNMS",
                "short_volume": 86591306,
                "short_exempt_volume": 4387215,
                "total_volume": 230217197,
                "short_volume_ratio": 37.6129,
                "average_short_volume_ratio": 30.046,
                "average_days": 17,
                "short_volume_ratio_change": 7.5668,
            },
        },
    ],
    "next_cursor": None,
    "date": "2021-06-04",
    "facility": "CNMS",
    "total_count": 3,
}
