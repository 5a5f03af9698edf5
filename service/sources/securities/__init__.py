"""The securities reference file: names, types and listings."""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.securities.format import Securities

SOURCE = Source(
    name="securities",
    kind="securities",
    formats=(Securities,),
    help=(
        "Securities: symbol,name,type,market_class,shares_outstanding,float_shares,as_of"
        "[,tracks_index][,previous_symbol]."
    ),
)
