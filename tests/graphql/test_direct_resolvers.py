"""Direct resolvers (service/graphql/resolvers.py): which fields get one, and that they answer
as Strawberry's chains do. The suite's GraphQL queries compare the two on every query (the
`gql` fixture's `standard_answer` runs Strawberry's chains)."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.permission import BasePermission

from service.graphql import resolvers
from service.graphql.schema import STRAWBERRY_CHAINS, schema


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.input
class Window:
    days: int


class Nobody(BasePermission):
    message = "nobody"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Query:
    @strawberry.field
    def plain(
        self, info: strawberry.Info, name: str, day: datetime.date, count: int | None = 3
    ) -> str:
        return f"{name} {day.isoformat()} {count} {type(info).__name__}"

    @strawberry.field
    async def later(self, text_value: str) -> str:
        return text_value.upper()

    @strawberry.field
    def coloured(self, colour: Colour) -> str:
        return colour.value

    @strawberry.field
    def windowed(self, window: Window) -> int:
        return window.days

    @strawberry.field
    def listed(self, names: list[str]) -> int:
        return len(names)

    @strawberry.field(permission_classes=[Nobody])
    def guarded(self) -> str | None:
        return "secret"

    @strawberry.field
    def parent(self, root: Any) -> str:
        return "root"

    basic: str = "basic"


def direct_fields(built: strawberry.Schema) -> set[str]:
    return {
        f"{definition.origin.__name__}.{definition.python_name}"
        for _, definition in resolvers._fields(built)
        if resolvers.direct_resolver(built, definition) is not None
    }


def test_only_fields_whose_chain_passes_arguments_through_are_resolved_directly() -> None:
    built = strawberry.Schema(query=Query)
    assert direct_fields(built) == {"Query.plain", "Query.later"}


@strawberry.type
class Oops:
    message: str


class Handler(strawberry.ExceptionHandler[ValueError, Oops]):
    def handle(self, exception: ValueError, *, field: Any, info: Any) -> Oops:
        return Oops(message=str(exception))


def test_a_schema_with_exception_handlers_keeps_every_chain() -> None:
    handled = strawberry.Schema(query=Query, types=[Oops], exception_handlers=[Handler()])
    assert direct_fields(handled) == set()


async def test_direct_resolvers_answer_as_strawberrys_chains() -> None:
    built = strawberry.Schema(query=Query)
    document = (
        '{ plain(name: "a", day: "2026-07-31") other: plain(name: "b", day: "2026-01-02", '
        'count: null) later(textValue: "x") coloured(colour: RED) windowed(window: {days: 2}) '
        'listed(names: ["a", "b"]) guarded parent basic }'
    )
    chains = await built.execute(document, root_value=Query())
    replaced = resolvers.install(built)
    assert len(replaced) == 2
    direct = await built.execute(document, root_value=Query())
    with resolvers.strawberry_chains(replaced):
        restored = await built.execute(document, root_value=Query())
    assert direct.data == chains.data == restored.data
    assert direct.data is not None
    assert direct.data["plain"] == "a 2026-07-31 3 Info"
    assert [e.message for e in direct.errors or ()] == ["nobody"]
    assert [e.message for e in chains.errors or ()] == ["nobody"]


def test_the_service_schema_resolves_its_hot_fields_directly() -> None:
    replaced = [graphql_field for graphql_field, _ in STRAWBERRY_CHAINS]
    resolved = {
        f"{definition.origin.__name__}.{definition.python_name}"
        for graphql_field, definition in resolvers._fields(schema)
        if any(graphql_field is field for field in replaced)
    }
    assert {"Query.security", "Query.index", "Security.short_interest", "Security.prices"} <= (
        resolved
    )
    # An enum argument keeps Strawberry's conversion.
    assert "Query.securities" not in resolved
