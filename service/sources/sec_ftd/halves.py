"""SEC's half-month fails-to-deliver files: which file covers a date, and when it counts as known.

SEC splits each month in two: the `a` file holds settlement dates 1-15, the `b` file 16 to the
month's end. SEC publishes no calendar for them; they have appeared about two weeks after their
half-month ends. Shortflow therefore says a file's rows are known from the day it first stored
them, or from its half-month's end + `KNOWN_AFTER_DAYS` when that is earlier (a backfill of old
files would otherwise make them unknown for every past date); docs/sources.md.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

KNOWN_AFTER_DAYS = 30
"""A file is taken as known at the latest this many days after its half-month ends: longer than
SEC's usual delay, so that a backfill does not see a file before SEC could have posted it."""

ASK_AFTER_DAYS = 7
"""The sync asks for a file from a week after its half-month ends (a 403/404 before SEC posts it
is "not published", asked again the next day)."""


def half_start(day: date) -> date:
    """The first day of the half-month holding `day`."""
    return day.replace(day=1 if day.day <= 15 else 16)


def half_end(day: date) -> date:
    """The last day of the half-month holding `day`."""
    if day.day <= 15:
        return day.replace(day=15)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def half_letter(day: date) -> str:
    return "a" if day.day <= 15 else "b"


def next_half(day: date) -> date:
    """The first day of the half-month after the one holding `day`."""
    return half_end(day) + timedelta(days=1)


def known_from(latest_settlement: date, ingested_on: date) -> date:
    """When a file whose newest settlement date is `latest_settlement` became known, stored on
    `ingested_on`: that day, or its half-month's end + KNOWN_AFTER_DAYS if earlier (never before
    the settlement date itself)."""
    conservative = half_end(latest_settlement) + timedelta(days=KNOWN_AFTER_DAYS)
    return max(latest_settlement, min(ingested_on, conservative))
