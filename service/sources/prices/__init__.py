"""Daily prices and volumes, in the Yahoo, OHLCV and long layouts."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.prices.format import PricesLong, PricesOhlcv, PricesYahoo

SOURCE = Source(
    name="prices",
    kind="prices",
    formats=(PricesYahoo, PricesOhlcv, PricesLong),
    help=(
        "Daily prices: date,symbol,open,high,low,close,volume; or one symbol per file (--symbol) "
        "in Yahoo (Date,...,Adj Close,Volume) or timestamp,open,high,low,close,volume layout."
    ),
    options=(
        click.option("--symbol", help="Symbol of a one-symbol file (Yahoo or OHLCV layout)."),
    ),
)
