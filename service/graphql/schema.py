"""The GraphQL schema (contract: ../shared/contract.graphql)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from service.graphql.context import Context


@strawberry.enum(description="What kind of security this is.")
class SecurityType(Enum):
    STOCK = "stock"
    ETF = "etf"


@strawberry.type(description="A US-listed or OTC security, identified by its current symbol.")
class Security:
    symbol: str = strawberry.field(description="Current ticker symbol (case-sensitive).")
    name: str | None = strawberry.field(description="Issue name as the latest source gave it.")
    type: SecurityType = strawberry.field(description="STOCK or ETF.")
    market_class: str | None = strawberry.field(
        description="Market class code FINRA reports (NYSE, NNM, SC, ARCA, BZX, AMEX, OTC, ...)."
    )


@strawberry.type
class Query:
    @strawberry.field(description="One security by symbol (current, or a former symbol).")
    async def security(self, info: Info[Context, None], symbol: str) -> Security | None:
        found = await info.context.securities.by_symbol(symbol)
        if found is None:
            return None
        return Security(
            symbol=found.symbol,
            name=found.name,
            type=SecurityType(found.type),
            market_class=found.market_class,
        )


schema = strawberry.Schema(query=Query)
