"""Example responses of the OpenAPI document: real answers of the service over the real samples
(FINRA short interest of 2026-07-15 and 2026-07-31, the Reg SHO file of 2021-06-04, IWM prices
and flows; see tests/support/datasets.py), shortened to a few items.

tests/rest/test_openapi.py checks every example against its response schema.
"""

from __future__ import annotations

from typing import Any

IWM = {
    "symbol": "IWM",
    "name": "iShares Russell 2000 ETF",
    "type": "etf",
    "market_class": "ARCA",
    "type_source": "source",
    "listing_exchange": None,
}

IWM_2026_07_31: dict[str, Any] = {
    "settlement_date": "2026-07-31",
    "published_date": "2026-08-11",
    "short_interest": 72786177,
    "previous_short_interest": 79811318,
    "change": -7025141,
    "change_percent": -8.8,
    "average_daily_volume": 23504634,
    "days_to_cover": 3.1,
    "short_percent_of_float": 25.8749,
    "short_percent_of_shares_outstanding": 25.8749,
    "short_value_usd": 21195334742.4,
    "revised": False,
    "flags": [],
    "float_shares": 281300000,
    "float_as_of": "2026-07-01",
    "shares_outstanding": 281300000,
    "close_price": 291.2,
    "close_date": "2026-07-31",
}

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
        {
            "settlement_date": "2026-07-15",
            "published_date": "2026-07-24",
            "short_interest": 79811318,
            "previous_short_interest": 80125139,
            "change": -313821,
            "change_percent": -0.39,
            "average_daily_volume": 19145149,
            "days_to_cover": 4.17,
            "short_percent_of_float": 28.3723,
            "short_percent_of_shares_outstanding": 28.3723,
            "short_value_usd": 23605793524.86,
            "revised": False,
            "flags": [],
            "float_shares": 281300000,
            "float_as_of": "2026-07-01",
            "shares_outstanding": 281300000,
            "close_price": 295.77,
            "close_date": "2026-07-15",
        },
        IWM_2026_07_31,
    ],
    "next_cursor": None,
}

SHORT_VOLUME: dict[str, Any] = {
    "data": [
        {
            "date": "2021-06-04",
            "facility": "CNMS",
            "short_volume": 2913403,
            "short_exempt_volume": 3067,
            "total_volume": 5441061,
            "short_volume_ratio": 53.5448,
            "market": "B,Q,N",
        }
    ],
    "next_cursor": None,
}

PRICES: dict[str, Any] = {
    "data": [
        {
            "date": "2026-07-30",
            "open": 291.15,
            "high": 292.84,
            "low": 288.96,
            "close": 292.59,
            "volume": 22198835,
        },
        {
            "date": "2026-07-31",
            "open": 293.56,
            "high": 293.95,
            "low": 287.83,
            "close": 291.2,
            "volume": 28350651,
        },
    ],
    "next_cursor": None,
}

FUND_FLOWS: dict[str, Any] = {
    "data": [
        {
            "symbol": "IWM",
            "period_start": "2026-01-05",
            "period_end": "2026-01-09",
            "flow_usd": -2150590000.0,
            "source": "reported",
            "shares_outstanding": None,
            "nav": None,
            "is_record_inflow": False,
            "is_record_outflow": True,
            "days_reported": 5,
            "trading_days": 5,
            "complete": True,
        },
        {
            "symbol": "IWM",
            "period_start": "2026-01-12",
            "period_end": "2026-01-16",
            "flow_usd": 619020000.0,
            "source": "reported",
            "shares_outstanding": None,
            "nav": None,
            "is_record_inflow": True,
            "is_record_outflow": False,
            "days_reported": 5,
            "trading_days": 5,
            "complete": True,
        },
    ],
    "next_cursor": None,
}

NO_FUTURES_LEG: dict[str, Any] = {
    "futures_report_date": None,
    "futures_index_level": None,
    "futures_leveraged_funds_short_contracts": None,
    "futures_leveraged_funds_short_usd": None,
    "futures_leveraged_funds_net_contracts": None,
    "futures_leveraged_funds_net_usd": None,
    "futures_asset_managers_short_contracts": None,
    "futures_asset_managers_short_usd": None,
    "futures_asset_managers_net_contracts": None,
    "futures_asset_managers_net_usd": None,
    "futures_dealers_short_contracts": None,
    "futures_dealers_short_usd": None,
    "futures_dealers_net_contracts": None,
    "futures_dealers_net_usd": None,
    "futures_leg_known": False,
    "total_with_futures_short_value_usd": None,
    "single_stock_is_record": False,
    "etf_is_record": False,
    "futures_is_record": False,
    "total_with_futures_is_record": False,
}
"""The futures leg of a date without a CFTC report known by then (July 2026: the samples hold
the report of 2026-09-29 only)."""

EXPOSURE: dict[str, Any] = {
    "data": [
        {
            "settlement_date": "2026-07-15",
            "single_stock_short_interest": 14858803554,
            "single_stock_short_value_usd": 0.0,
            "etf_short_interest": 88942322,
            "etf_short_value_usd": 23605793524.86,
            "total_short_value_usd": 23605793524.86,
            "constituents": 1920,
            "constituents_reporting": 1871,
            "constituents_priced": 0,
            "etfs_reporting": 2,
            "etfs_priced": 1,
            "single_stock_leg_known": False,
            "etf_leg_known": True,
            "is_record": False,
            **NO_FUTURES_LEG,
        },
        {
            "settlement_date": "2026-07-31",
            "single_stock_short_interest": 14756053800,
            "single_stock_short_value_usd": 0.0,
            "etf_short_interest": 82026812,
            "etf_short_value_usd": 21195334742.4,
            "total_short_value_usd": 21195334742.4,
            "constituents": 1920,
            "constituents_reporting": 1862,
            "constituents_priced": 0,
            "etfs_reporting": 2,
            "etfs_priced": 1,
            "single_stock_leg_known": False,
            "etf_leg_known": True,
            "is_record": False,
            **NO_FUTURES_LEG,
        },
    ],
    "next_cursor": None,
}

FUTURES_POSITIONING: dict[str, Any] = {
    "data": [
        {
            "report_date": "2026-09-29",
            "release_date": "2026-10-02",
            "contract_code": "239742",
            "contract_name": "RUSSELL E-MINI - CHICAGO MERCANTILE EXCHANGE",
            "contract_units": "(RUSSEL 2000 INDEX X $50)",
            "multiplier": 50.0,
            "emini_equivalent": 1.0,
            "open_interest": 428048,
            "dealers_long": 120936,
            "dealers_short": 43245,
            "dealers_spread": 3536,
            "asset_managers_long": 151227,
            "asset_managers_short": 111459,
            "asset_managers_spread": 29543,
            "leveraged_funds_long": 78186,
            "leveraged_funds_short": 192740,
            "leveraged_funds_spread": 11977,
            "other_reportables_long": 2616,
            "other_reportables_short": 12749,
            "other_reportables_spread": 0,
            "index_level": None,
            "leveraged_funds_short_usd": None,
            "leveraged_funds_short_is_record": False,
            "leveraged_funds_short_usd_is_record": False,
        }
    ],
    "next_cursor": None,
}

SQUEEZE: dict[str, Any] = {
    "data": [
        {
            "security": IWM,
            "as_of": "2026-08-20",
            "settlement_date": "2026-07-31",
            "score": 21.93,
            "factors": [
                {
                    "name": "short_percent_of_float",
                    "value": 25.8749,
                    "weight": 0.25,
                    "contribution": 16.1718,
                },
                {"name": "days_to_cover", "value": 3.1, "weight": 0.15, "contribution": 4.65},
                {
                    "name": "short_interest_change_percent",
                    "value": -8.8,
                    "weight": 0.15,
                    "contribution": 0.0,
                },
                {"name": "short_volume_ratio", "value": None, "weight": 0.1, "contribution": 0.0},
                {"name": "short_volume_trend", "value": None, "weight": 0.1, "contribution": 0.0},
                {
                    "name": "price_change_since_settlement",
                    "value": 2.2218,
                    "weight": 0.15,
                    "contribution": 1.1109,
                },
                {"name": "fails_to_deliver", "value": None, "weight": 0.1, "contribution": 0.0},
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

SETTLEMENT_CALENDAR: dict[str, Any] = {
    "data": [
        {"settlement_date": "2026-01-15", "publication_date": "2026-01-27"},
        {"settlement_date": "2026-01-30", "publication_date": "2026-02-10"},
        {"settlement_date": "2026-07-15", "publication_date": "2026-07-24"},
        {"settlement_date": "2026-07-31", "publication_date": "2026-08-11"},
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
