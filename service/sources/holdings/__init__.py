"""iShares ETF holdings files: index members, tracking fund and prices of a holdings date."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.holdings.format import IsharesHoldings

SOURCE = Source(
    name="holdings",
    kind="holdings",
    formats=(IsharesHoldings,),
    help="ETF holdings in the iShares layout; defines the index's members from the as-of date.",
    options=(
        click.option(
            "--index", required=True, help="Code of the index the fund tracks (e.g. R2000)."
        ),
        click.option("--fund", required=True, help="Symbol of the fund (e.g. IWM)."),
    ),
)
