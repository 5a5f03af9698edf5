"""What the steps of an ingest hand back: a rejected row, and what a format's `apply` changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    raw: str
    reason: str


@dataclass
class ApplyResult:
    """What `apply` changed, and which derived data must be refreshed because of it."""

    changed: dict[str, int] = field(default_factory=dict)
    settlement_dates: set[date] = field(default_factory=set)
    price_range: tuple[date, date] | None = None
    index_codes: set[str] = field(default_factory=set)
