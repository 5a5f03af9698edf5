"""The fair baseline of bench/graphql.py: Strawberry's own ASGI view and executor pipeline with
the same limits as Shortflow's engine (depth, aliases, tokens, cost) as schema extensions, its
parser and validation caches, and the leaf fast path as `execution_context_class`."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql import OperationDefinitionNode
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from bench.naive_app import NaiveGraphQL
from service.cursors import MAX_FIRST
from service.graphql.execution import FastExecutor
from service.graphql.limits import CostAnalysis, Limits
from service.graphql.scalars import SCALAR_MAP
from service.graphql.schema import DataFlag, Query

LIMITS = Limits()


class Cost(SchemaExtension):
    """Shortflow's cost analysis before execution (QueryRejected over budget)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        CostAnalysis(
            context.schema._schema,
            document,
            operation,
            context.variables or {},
            budget=LIMITS.cost_budget,
            max_first=MAX_FIRST,
        ).measure()
        yield


schema = strawberry.Schema(
    query=Query,
    types=[DataFlag],
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    execution_context_class=FastExecutor,
    extensions=[
        QueryDepthLimiter(max_depth=LIMITS.max_depth),
        MaxAliasesLimiter(max_alias_count=LIMITS.max_aliases),
        MaxTokensLimiter(max_token_count=LIMITS.max_tokens),
        ParserCache(maxsize=1024),
        ValidationCache(maxsize=1024),
        Cost,
    ],
)

app = NaiveGraphQL(schema)
