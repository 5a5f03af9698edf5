"""Nasdaq Trader's symbol directory: every listed US security's name, listing exchange and ETF
flag, the security master's source of types (docs/sources.md, "Nasdaq Trader symbol directory")."""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.symbol_directory.format import NasdaqListed, OtherListed
from service.sources.symbol_directory.sync import NasdaqTraderDirectory

SOURCE = Source(
    name="symbol-directory",
    kind="symbol-directory",
    formats=(NasdaqListed, OtherListed),
    sync=NasdaqTraderDirectory(),
    help=(
        "Nasdaq Trader symbol directory: nasdaqlisted.txt or otherlisted.txt (names, listing "
        "exchange, ETF flag; dated by its File Creation Time trailer)."
    ),
)
