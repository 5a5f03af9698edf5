"""The records the API serves, shared by GraphQL and REST.

Plain frozen dataclasses with slots: repositories build them from rows, analytics derives the
metrics on them, and both APIs read their attributes (GraphQL types declare fields with the same
names and read them directly; REST serialises them to snake_case JSON). One object, no copies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Security:
    id: int
    symbol: str
    name: str | None
    type: str
    market_class: str | None
