"""Exchange-traded products whose short interest says little about a squeeze, told by their names.

Leveraged and inverse funds rebalance daily and are shorted as hedges of their own exposure;
commodity trusts and pools hold metal, futures or crypto, not shares of a company, and are created
and redeemed against that holding. The squeeze screen can leave both out (`excludeFundKinds`).

No free source states a fund's structure (the Nasdaq Trader directory only says "ETF", SEC's
ticker map nothing), so the kind is read from the fund's registered name, the way issuers name
these products: "ProShares UltraPro Short QQQ", "Direxion Daily Semiconductor Bear 3x Shares",
"SPDR Gold Trust", "United States Oil Fund". The rule is a documented heuristic (docs/squeeze.md
lists the patterns and what they miss); it applies to securities typed ETF only, so a company
named "Gold Fields" is never touched. tests/analytics/test_fund_kinds.py runs it over the real
Nasdaq Trader directory.
"""

from __future__ import annotations

import enum
import re

from service.errors import BadRequest


class FundKind(enum.Enum):
    LEVERAGED_INVERSE = "leveraged_inverse"
    COMMODITY_TRUST = "commodity_trust"


FUND_KIND_TEXT = {
    FundKind.LEVERAGED_INVERSE: "A leveraged or inverse fund (2x, 3x, -1x, Ultra, Short, Bear, "
    "Bull 3X ...), read from its name.",
    FundKind.COMMODITY_TRUST: "A commodity trust or pool: metal, energy, crypto or VIX "
    "exposure, not a fund of companies (Gold Trust, Oil Fund, Bitcoin Trust ...), read from its "
    "name.",
}


def check_fund_kinds(kinds: list[FundKind] | tuple[FundKind, ...] | None) -> frozenset[FundKind]:
    """The kinds to leave out; BadRequest for a list longer than there are kinds (both APIs)."""
    if not kinds:
        return frozenset()
    if len(kinds) > len(FundKind):
        raise BadRequest(f"excludeFundKinds takes at most {len(FundKind)} kinds, not {len(kinds)}")
    return frozenset(kinds)


_LEVERAGED_INVERSE = re.compile(
    r"""
    (?<![\w.])-?\d(?:\.\d+)?\s?x(?=\b|sh)       # 2X, 3x, -1x, 1.5x, "2XShares"
    | \b(?:inverse|leveraged|ultrashort|ultrapro|bear)\b
    | ^proshares\s(?:trust\s)?(?:ultra|short)\b  # ProShares Ultra ..., ProShares Short ...
    | \bdaily\b.*\bbull\b                        # Direxion Daily ... Bull
    """,
    re.IGNORECASE | re.VERBOSE,
)

_COMMODITY = re.compile(
    r"\b(?:gold|silver|platinum|palladium|precious\smetals?|copper|crude\soil|oil|natural\sgas"
    r"|gasoline|commodity|commodities|bitcoin|ether|ethereum|crypto|vix)\b",
    re.IGNORECASE,
)
"""What the product holds (the metal, the futures, the coin)."""

_OPERATING_COMPANIES = re.compile(
    r"\b(?:miners?|mining|producers?|explorers?|equit(?:y|ies)|stocks?|companies|royalt(?:y|ies)"
    r"|services|explor\w*|produc\w*|refiners?|infrastructure|midstream|mlp|dividend|blockchain"
    r"|industr\w*|economy|thematic|innovators?|corporat\w*|convertible|adopters?"
    r"|digital\spayments|oil\s&\sgas)\b",
    re.IGNORECASE,
)
"""A fund of companies in the business ("Gold Miners ETF", "Oil Services ETF") holds shares."""


def fund_kind(security_type: str, name: str | None) -> FundKind | None:
    """The kind of a security typed `etf`, read from its name; None for anything else."""
    if security_type != "etf" or not name:
        return None
    if _LEVERAGED_INVERSE.search(name):
        return FundKind.LEVERAGED_INVERSE
    if _COMMODITY.search(name) and not _OPERATING_COMPANIES.search(name):
        return FundKind.COMMODITY_TRUST
    return None
