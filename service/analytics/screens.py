"""Market screens: what both APIs check and decide the same way before a screen is asked.

The arguments arrive typed from either API (GraphQL inputs, REST parameters); `screen_query`
validates the cross-field rules (a bound pair in order, at most three order keys, a settlement
date not after the point in time, a cursor of the same date) and builds the repository's
`ScreenQuery`. A cursor holds the settlement date and the rank of the last row, so the next page
stays on the date of the first even when FINRA publishes a newer one in between.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from service import cursors
from service.analytics.series import FACILITIES
from service.db.repositories.screens import ALL_FACILITIES, ScreenQuery, VolumeScreenQuery
from service.errors import BadRequest, shown
from service.models import SCREEN_FIELDS, VOLUME_SCREEN_FIELDS

MAX_ORDER_KEYS = 3
MAX_MARKET_CLASSES = 20
MAX_MARKET_CLASS_CHARS = 10
CURSOR_KIND = "sis"
VOLUME_CURSOR_KIND = "svs"
DEFAULT_ORDER = (("short_interest", True),)
VOLUME_DEFAULT_ORDER = (("short_volume_ratio", True),)
VOLUME_FACILITIES = (ALL_FACILITIES, *FACILITIES)


def camel(name: str) -> str:
    """`short_interest` -> `ShortInterest` (the GraphQL spelling of a bound's field)."""
    return "".join(part.capitalize() for part in name.split("_"))


def cursor(day: date | None, rank: int) -> str:
    return cursors.encode(CURSOR_KIND, f"{day}:{rank}")


def volume_cursor(day: date | None, facility: str, rank: int) -> str:
    return cursors.encode(VOLUME_CURSOR_KIND, f"{day}:{facility}:{rank}")


def _decode(kind: str, after: str, parts: int) -> tuple[date, list[str], int]:
    """A screen cursor's date, middle parts and rank; BadRequest when it is not one of `kind`."""
    fields = cursors.decode(kind, after).split(":")
    day = None
    if len(fields) == parts:
        try:
            day = date.fromisoformat(fields[0])
        except ValueError:
            day = None
    if day is None or not fields[-1].isdigit():
        raise BadRequest(f"{shown(after)} is not a cursor of this screen")
    return day, fields[1:-1], int(fields[-1])


def _check_common(
    *,
    fields: Sequence[str],
    minimum: Mapping[str, float | None],
    maximum: Mapping[str, float | None],
    market_classes: Sequence[str] | None,
    order: Sequence[tuple[str, bool]],
    spell: str,
) -> None:
    """The rules every market screen shares: order keys, bound pairs, market classes."""
    if len(order) > MAX_ORDER_KEYS:
        raise BadRequest(f"orderBy takes at most {MAX_ORDER_KEYS} keys, not {len(order)}")
    for name in fields:
        low, high = minimum.get(name), maximum.get(name)
        if low is not None and high is not None and low > high:
            lower, upper = (
                (f"min{camel(name)}", f"max{camel(name)}")
                if spell == "graphql"
                else (f"min_{name}", f"max_{name}")
            )
            raise BadRequest(f"filter: {lower} ({low}) is above {upper} ({high})")
    if market_classes is not None and (
        len(market_classes) > MAX_MARKET_CLASSES
        or any(len(c) > MAX_MARKET_CLASS_CHARS for c in market_classes)
    ):
        raise BadRequest(
            f"marketClasses takes at most {MAX_MARKET_CLASSES} classes of at most "
            f"{MAX_MARKET_CLASS_CHARS} characters (FINRA's are NNM, NYSE, ARCA, OTC, ...)"
        )


def screen_query(
    *,
    as_of: date,
    settlement_date: date | None,
    types: Sequence[str] | None,
    market_classes: Sequence[str] | None,
    index: str | None,
    minimum: Mapping[str, float | None],
    maximum: Mapping[str, float | None],
    include_flags: Sequence[str] | None,
    exclude_flags: Sequence[str] | None,
    order: Sequence[tuple[str, bool]],
    after: str | None,
    spell: str = "graphql",
) -> tuple[ScreenQuery, int]:
    """The query and the rank to start after; BadRequest naming the argument otherwise.
    `spell`: how messages name the bounds (`minShortInterest` or `min_short_interest`)."""
    if settlement_date is not None and settlement_date > as_of:
        raise BadRequest(
            f"the settlement date {settlement_date} is after the as-of date {as_of}: nothing "
            "of it is known then"
        )
    start = 0
    if after is not None:
        day, _, start = _decode(CURSOR_KIND, after, 2)
        if settlement_date not in (None, day):
            raise BadRequest(f"{shown(after)} is not a cursor of this screen")
        settlement_date = day
    _check_common(
        fields=SCREEN_FIELDS,
        minimum=minimum,
        maximum=maximum,
        market_classes=market_classes,
        order=order,
        spell=spell,
    )
    query = ScreenQuery(
        as_of=as_of,
        settlement_date=settlement_date,
        types=types,
        market_classes=market_classes,
        index=index,
        minimum={n: v for n, v in minimum.items() if v is not None},
        maximum={n: v for n, v in maximum.items() if v is not None},
        include_flags=include_flags,
        exclude_flags=exclude_flags,
        order=list(order) or list(DEFAULT_ORDER),
    )
    return query, start


def volume_screen_query(
    *,
    day: date | None,
    facility: str,
    today: date,
    types: Sequence[str] | None,
    market_classes: Sequence[str] | None,
    index: str | None,
    minimum: Mapping[str, float | None],
    maximum: Mapping[str, float | None],
    order: Sequence[tuple[str, bool]],
    after: str | None,
    spell: str = "graphql",
) -> tuple[VolumeScreenQuery, int]:
    """The short volume screen's query and the rank to start after; BadRequest otherwise."""
    if facility not in VOLUME_FACILITIES:
        raise BadRequest(f"facility must be one of {', '.join(VOLUME_FACILITIES)}")
    if day is not None and day > today:
        raise BadRequest(f"the date {day} is after today ({today}): no volume is known for it")
    start = 0
    if after is not None:
        pinned, middle, start = _decode(VOLUME_CURSOR_KIND, after, 3)
        if day not in (None, pinned) or middle != [facility]:
            raise BadRequest(f"{shown(after)} is not a cursor of this screen")
        day = pinned
    _check_common(
        fields=VOLUME_SCREEN_FIELDS,
        minimum=minimum,
        maximum=maximum,
        market_classes=market_classes,
        order=order,
        spell=spell,
    )
    query = VolumeScreenQuery(
        day=day,
        facility=facility,
        types=types,
        market_classes=market_classes,
        index=index,
        minimum={n: v for n, v in minimum.items() if v is not None},
        maximum={n: v for n, v in maximum.items() if v is not None},
        order=list(order) or list(VOLUME_DEFAULT_ORDER),
    )
    return query, start
