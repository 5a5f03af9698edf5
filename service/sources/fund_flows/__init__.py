"""ETF daily fund flows (shares outstanding, NAV, net flows)."""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.fund_flows.format import FundFlows

SOURCE = Source(
    name="fund-flows",
    kind="fund-flows",
    formats=(FundFlows,),
    help=(
        "ETF flows: date,symbol and flow_usd and/or shares_outstanding with nav (columns by name)."
    ),
)
