"""iShares funds: the fund download's daily NAV and shares outstanding (flows derived from them),
and, through the holdings source's format, holdings as the members of the tracked index."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.ishares.format import IsharesFundHistory
from service.sources.ishares.sync import IsharesSync

SOURCE = Source(
    name="ishares",
    kind="ishares-fund",
    formats=(IsharesFundHistory,),
    help="An iShares fund download (XML Spreadsheet 2003): its Historical worksheet's daily "
    "NAV and shares outstanding, with flows derived from them.",
    options=(click.option("--fund", required=True, help="Symbol of the fund (e.g. IWM)."),),
    sync=IsharesSync(),
)
