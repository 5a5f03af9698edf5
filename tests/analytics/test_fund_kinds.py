"""Fund kinds read from names, checked on the real Nasdaq Trader directory (2025 snapshot)."""

from __future__ import annotations

import pytest

from service.analytics.fund_kinds import FundKind, fund_kind
from tests.conftest import shared_file


def _etfs() -> dict[str, str]:
    """Symbol -> name of every ETF line of both directory files."""
    names: dict[str, str] = {}
    for file, etf_column in (("nasdaqlisted.txt", 6), ("otherlisted.txt", 4)):
        for line in shared_file(f"nasdaqtrader/{file}").read_text().splitlines()[1:]:
            fields = line.split("|")
            if len(fields) > etf_column and fields[etf_column] == "Y":
                names[fields[0]] = fields[1]
    return names


LEVERAGED_INVERSE = (
    "SQQQ TQQQ SOXL SOXS TNA TZA SPXU SH PSQ QID SDS RWM TWM SRTY URTY UWM UVXY SVXY"
)
COMMODITY = "GLD IAU SLV USO UNG DBC PDBC GBTC BITO PPLT PSLV BNO VIXY"
NEITHER = "IWM VTWO SPY QQQ GDX XOP FTXN CRAK BITQ FDIG JPST SHV EWJ"  # funds of companies or bonds


@pytest.mark.parametrize(
    ("symbols", "kind"),
    [
        (LEVERAGED_INVERSE, FundKind.LEVERAGED_INVERSE),
        (COMMODITY, FundKind.COMMODITY_TRUST),
        (NEITHER, None),
    ],
)
def test_known_products_on_the_real_directory(symbols: str, kind: FundKind | None) -> None:
    names = _etfs()
    assert {s: fund_kind("etf", names[s]) for s in symbols.split()} == dict.fromkeys(
        symbols.split(), kind
    )


def test_only_etfs_have_a_kind() -> None:
    # A company named like a commodity is not a commodity trust.
    assert fund_kind("stock", "Gold Fields Ltd") is None
    assert fund_kind("stock", "ProShares UltraPro Short QQQ") is None
    assert fund_kind("etf", None) is None


def test_the_rule_leaves_most_funds_alone() -> None:
    kinds = [fund_kind("etf", name) for name in _etfs().values()]
    # 4,344 ETF lines: 381 leveraged or inverse, 131 commodity products, the rest neither.
    assert (len(kinds), kinds.count(FundKind.LEVERAGED_INVERSE)) == (4344, 381)
    assert kinds.count(FundKind.COMMODITY_TRUST) == 131


def test_a_trust_the_directory_does_not_flag_as_an_etf_keeps_no_kind() -> None:
    # Nasdaq lists IBIT (a bitcoin trust) with ETF flag N: it is typed stock, so it has no kind
    # (docs/squeeze.md names this limit).
    listed = shared_file("nasdaqtrader/nasdaqlisted.txt").read_text().splitlines()
    ibit = next(line.split("|") for line in listed if line.startswith("IBIT|"))
    assert ibit[6] == "N"
    assert "IBIT" not in _etfs()
