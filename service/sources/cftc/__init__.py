"""CFTC Traders in Financial Futures (futures only): weekly positions in index futures.

The futures leg of an index's short exposure: per contract and report date, open interest and
the long, short and spread positions of dealers, asset managers, leveraged funds and other
reportables. `shortflow sync --source cftc-tff` downloads the files (sync.py);
`shortflow ingest cftc-tff FILE` reads a yearly `FinFutYY.txt` (unpacked) or `FinFutWk.txt`.
"""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.cftc.format import TffWeekly, TffYearly
from service.sources.cftc.sync import CftcTff

SOURCE = Source(
    name="cftc-tff",
    kind="cftc-tff",
    formats=(TffYearly, TffWeekly),
    sync=CftcTff(),
    help="CFTC Traders in Financial Futures, futures only: a yearly FinFutYY.txt (header row) "
    "or the weekly FinFutWk.txt (no header). Index futures only (Russell 2000, S&P 500, "
    "Nasdaq-100).",
)
