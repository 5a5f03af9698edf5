"""Accept headers (RFC 9110 12.5.1): the ranges a client accepts and the quality of a type.

Both APIs choose their representation with these: REST between JSON and CSV
(service/rest/formats.py), GraphQL between application/json and
application/graphql-response+json (service/graphql/http.py).
"""

from __future__ import annotations


def accept_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their qualities (q clamped to 0..1)."""
    ranges = []
    for part in accept.split(","):
        media, _, parameters = part.partition(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def quality(media_type: str, ranges: list[tuple[str, float]], *, wildcards: bool = True) -> float:
    """The quality `ranges` give `media_type`: that of the most specific range matching it
    (`type/subtype` over `type/*` over `*/*`), 0 when none does. `wildcards=False`: only a
    range naming the type exactly counts (a type a client must ask for by name)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None  # (specificity, quality)
    for media, q in ranges:
        if media == media_type:
            specificity = 2
        elif not wildcards:
            continue
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0
