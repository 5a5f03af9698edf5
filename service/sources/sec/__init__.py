"""SEC EDGAR: the ticker -> CIK map and companies' cover-page shares outstanding (XBRL).

Two sources, because the second needs what the first stored: `sec-company-tickers`
(`company_tickers.json`) and `sec-companyfacts` (a company's `companyfacts`, of which only
`dei:EntityCommonStockSharesOutstanding` is read). Their formats and rules: `format.py`; how
`shortflow sync` fetches them: `sync.py`; docs/sources.md.
"""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.sec.format import CompanyFacts, CompanyTickers
from service.sources.sec.sync import SecShares, SecTickers

TICKERS_SOURCE = Source(
    name="sec-company-tickers",
    kind="sec-company-tickers",
    formats=(CompanyTickers,),
    sync=SecTickers(),
    help="SEC's ticker -> CIK map (https://www.sec.gov/files/company_tickers.json).",
)

SHARES_SOURCE = Source(
    name="sec-companyfacts",
    kind="sec-companyfacts",
    formats=(CompanyFacts,),
    sync=SecShares(),
    help="A company's SEC companyfacts JSON (CIK##########.json): its cover-page shares "
    "outstanding, as of the filing date. Needs the ticker map (sec-company-tickers) first.",
)
