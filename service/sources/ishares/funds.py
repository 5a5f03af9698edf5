"""The iShares funds Shortflow knows how to fetch, and the index each one tracks.

A fund's files live under `/us/products/{product_id}/{slug}/` on www.ishares.com; the fund
history is named after the fund (`{fund_file}_fund`), the holdings after its ticker. None of the
three can be worked out from the ticker, so they are configuration: the four funds below are known
out of the box (product pages checked on www.ishares.com; IWM's file names are those of the real
downloads in ../shared/data/ishares/), `SHORTFLOW_ISHARES_FUNDS` adds or overrides others.
"""

from __future__ import annotations

from service.errors import SettingsError
from service.settings import IsharesFund, Settings

KNOWN: dict[str, IsharesFund] = {
    "IWM": IsharesFund(
        product_id=239710,
        slug="ishares-russell-2000-etf",
        fund_file="iShares-Russell-2000-ETF",
        index="R2000",
    ),
    "IWV": IsharesFund(
        product_id=239714,
        slug="ishares-russell-3000-etf",
        fund_file="iShares-Russell-3000-ETF",
        index="R3000",
    ),
    "IJR": IsharesFund(
        product_id=239774,
        slug="ishares-core-sp-smallcap-etf",
        fund_file="iShares-Core-SP-Small-Cap-ETF",
        index="SP600",
    ),
    "IVV": IsharesFund(
        product_id=239726,
        slug="ishares-core-sp-500-etf",
        fund_file="iShares-Core-SP-500-ETF",
        index="SP500",
    ),
}


def configured(settings: Settings) -> dict[str, IsharesFund]:
    """Every fund the sync can fetch: the known ones, with SHORTFLOW_ISHARES_FUNDS over them."""
    return {**KNOWN, **settings.ishares_funds}


def synced(settings: Settings) -> dict[str, IsharesFund]:
    """The funds of SHORTFLOW_ISHARES_SYNC_FUNDS, in its order.

    A symbol that is not configured stops the sync with a message naming both settings: it may
    be an iShares fund nobody described yet, or another issuer's (SPY is State Street's: the
    spdr source), for which guessing an iShares URL would fetch someone else's numbers."""
    funds = configured(settings)
    unknown = [s for s in settings.ishares_sync_funds if s not in funds]
    if unknown:
        raise SettingsError(
            f"SHORTFLOW_ISHARES_SYNC_FUNDS: {', '.join(unknown)} not configured: describe it in "
            "SHORTFLOW_ISHARES_FUNDS (product id, slug, fund file, index; known: "
            f"{', '.join(KNOWN)}). SPDR funds: SHORTFLOW_SPDR_SYNC_FUNDS; other issuers: not "
            "supported yet"
        )
    return {symbol: funds[symbol] for symbol in settings.ishares_sync_funds}
