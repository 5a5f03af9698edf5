"""Content negotiation of /v1: JSON or CSV, from `?format=` or the Accept header (RFC 9110 12.5.1).

`?format=json|csv` wins when given (a browser link or a spreadsheet import cannot set headers).
Otherwise each representation gets the quality of the most specific Accept range that matches it
(`text/csv` over `text/*` over `*/*`), the higher quality wins, JSON on a tie, and a header that
gives both a quality of 0 is a 406.
"""

from __future__ import annotations

from service.accept import accept_ranges, quality
from service.errors import ShortflowError

JSON = "application/json"
CSV = "text/csv"
_FORMATS = {"json": JSON, "csv": CSV}


class NotAcceptable(ShortflowError):
    """The Accept header allows neither JSON nor CSV."""

    code = "NOT_ACCEPTABLE"
    status = 406


def negotiate(format_: str | None, accept: str | None) -> str:
    """The media type to answer with: JSON or CSV; NotAcceptable when neither is acceptable."""
    if format_ is not None:
        return _FORMATS[format_]
    if not accept or not accept.strip():
        return JSON
    ranges = accept_ranges(accept)
    json_q, csv_q = quality(JSON, ranges), quality(CSV, ranges)
    if json_q <= 0 and csv_q <= 0:
        raise NotAcceptable(
            f"Accept: {accept[:100]!r} allows neither application/json nor text/csv; accept "
            "one of them (or pass ?format=json or ?format=csv)"
        )
    return CSV if csv_q > json_q else JSON
