"""The baseline of bench/graphql.py: the same schema and resolvers behind Strawberry's own ASGI
view and executor (no leaf fast path, no parse/validation caches, no cost analysis)."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from strawberry.asgi import GraphQL

from service.analytics import ReadServices
from service.db.pool import Database
from service.graphql.context import Context
from service.graphql.schema import schema

_db = Database(os.environ["DATABASE_URL"], min_size=2, max_size=10)
_analytics = ReadServices.over(_db)


class NaiveGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        if _db._pool is None:
            await _db.open()
        return Context(reads=_analytics, today=date.today())


app = NaiveGraphQL(schema)
