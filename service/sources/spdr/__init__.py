"""State Street SPDR funds: the NAV history download's daily NAV and shares outstanding, with
flows derived from them (service/sources/fund_flows/history.py, as for iShares)."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.spdr.format import SpdrNavHistory
from service.sources.spdr.sync import SpdrSync

SOURCE = Source(
    name="spdr",
    kind="spdr-navhist",
    formats=(SpdrNavHistory,),
    help="A State Street SPDR NAV history (.xlsx): daily NAV and shares outstanding, with flows "
    "derived from them.",
    options=(click.option("--fund", required=True, help="Symbol of the fund (e.g. SPY)."),),
    sync=SpdrSync(),
)
