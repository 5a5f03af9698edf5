"""Which layout a file is in, told by its header (not its name)."""

from __future__ import annotations

from service.errors import IngestError, UnknownFormat
from service.ingest.base import Format, Head
from service.ingest.finra import FinraBulk, FinraWebExport
from service.ingest.flows import FundFlows
from service.ingest.holdings import IsharesHoldings
from service.ingest.members import IndexMembers
from service.ingest.prices import PricesLong, PricesOhlcv, PricesYahoo
from service.ingest.regsho import RegSho
from service.ingest.securities import Securities

# Order matters only where two layouts could share a header; the matchers are written so that
# none do (tests/ingest/test_detect.py checks every real sample against exactly one format).
FORMATS: tuple[type[Format], ...] = (
    FinraBulk,
    FinraWebExport,
    RegSho,
    IsharesHoldings,
    PricesYahoo,
    PricesOhlcv,
    PricesLong,
    FundFlows,
    IndexMembers,
    Securities,
)

KINDS = (
    "short-interest",
    "short-volume",
    "holdings",
    "prices",
    "securities",
    "fund-flows",
    "index-members",
)


def detect(head: Head, kind: str) -> type[Format]:
    """The format of a file expected to hold `kind` data; a clear error when it is not."""
    if not head.lines:
        raise UnknownFormat(f"{head.name}: the file is empty")
    matching = [fmt for fmt in FORMATS if fmt.matches(head)]
    for fmt in matching:
        if fmt.kind == kind:
            return fmt
    if matching:
        other = matching[0].kind
        raise IngestError(
            f"{head.name} looks like a {other} file ({matching[0].name}), not {kind}: "
            f"use `shortflow ingest {other}`"
        )
    expected = ", ".join(fmt.name for fmt in FORMATS if fmt.kind == kind) or "none yet"
    raise UnknownFormat(
        f"{head.name}: the header {head.first[:120]!r} matches no known {kind} layout "
        f"(known: {expected})"
    )
