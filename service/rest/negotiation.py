"""Content negotiation of /v1: JSON or CSV, from `?format=` or the Accept header (RFC 9110 12.5.1).

`?format=json|csv` wins when given (a browser link or a spreadsheet import cannot set headers).
Otherwise each representation gets the quality of the most specific Accept range that matches it
(`text/csv` over `text/*` over `*/*`), the higher quality wins, JSON on a tie, and a header that
gives both a quality of 0 is a 406.
"""

from __future__ import annotations

from service.errors import ShortflowError

JSON = "application/json"
CSV = "text/csv"
_FORMATS = {"json": JSON, "csv": CSV}


class NotAcceptable(ShortflowError):
    """The Accept header allows neither JSON nor CSV."""

    code = "NOT_ACCEPTABLE"
    status = 406


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, _, parameters = part.partition(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None  # (specificity, quality)
    for media, quality in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return best[1] if best else 0.0


def negotiate(format_: str | None, accept: str | None) -> str:
    """The media type to answer with: JSON or CSV; NotAcceptable when neither is acceptable."""
    if format_ is not None:
        return _FORMATS[format_]
    if not accept or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    json_q, csv_q = _quality(JSON, ranges), _quality(CSV, ranges)
    if json_q <= 0 and csv_q <= 0:
        raise NotAcceptable(
            f"Accept: {accept[:100]!r} allows neither application/json nor text/csv; accept "
            "one of them (or pass ?format=json or ?format=csv)"
        )
    return CSV if csv_q > json_q else JSON
