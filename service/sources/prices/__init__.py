"""Daily prices and volumes, in the Yahoo, OHLCV, long and Stooq layouts; synced from a price
provider (Stooq by default) for the days the metrics need (sync.py)."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.prices.format import PricesLong, PricesOhlcv, PricesStooq, PricesYahoo
from service.sources.prices.sync import PriceSync

SOURCE = Source(
    name="prices",
    kind="prices",
    formats=(PricesYahoo, PricesOhlcv, PricesLong, PricesStooq),
    help=(
        "Daily prices: date,symbol,open,high,low,close,volume; or one symbol per file (--symbol) "
        "in Yahoo (Date,...,Adj Close,Volume), timestamp,open,high,low,close,volume or Stooq "
        "(Date,Open,High,Low,Close,Volume) layout."
    ),
    options=(
        click.option("--symbol", help="Symbol of a one-symbol file (Yahoo, OHLCV or Stooq)."),
    ),
    sync=PriceSync(),
)
