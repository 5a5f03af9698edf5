"""Direct resolvers: Strawberry's resolver chain left out where it passes arguments through.

For each field with a resolver, Strawberry's schema converter builds a chain run on every call:
an async wrapper awaiting the resolver through `await_maybe`, an `Info` object, and
`get_arguments`, which for each argument converts its name (camelCase to the Python name, per
call) and dispatches on its type (Maybe, Optional, list, leaf, enum, input object); then the
field's extensions folded over the call with `functools.reduce`. Measured with py-spy on a
24-point request (docs/benchmarks.md, "Direct resolvers"): ~8 % of the process's time, for three
resolver calls whose arguments are all strings, numbers and dates that reach the resolver as
graphql-core parsed them.

A field whose chain provably does nothing more gets a direct resolver instead: the Python
names mapped once, `Info` built as Strawberry builds it, the resolver called with them, its
result (a coroutine or a value) handed to graphql-core as is. A field qualifies only when all of
these hold, checked when the schema is built; any other keeps Strawberry's chain:

- it has a resolver, and the resolver asks for no `root` or `parent` parameter;
- it has no field extensions (permission classes are extensions) and the schema no exception
  handlers;
- every argument is a scalar Strawberry passes unchanged (not a GlobalID, an enum, a list, an
  input object or `Maybe`), optional or not.

The `gql` fixture (tests/graphql/conftest.py, `standard_answer`) compares every query of the
GraphQL suite with Strawberry's own chains; tests/graphql/test_direct_resolvers.py checks which
fields qualify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry import Schema
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

Resolve = Callable[..., Any]


def direct_resolver(schema: Schema, field: StrawberryField) -> Resolve | None:
    """A resolver calling `field`'s own without Strawberry's chain, or None when the chain
    may do something for this field (see the module docstring)."""
    resolver = field.base_resolver
    if resolver is None or field.extensions or schema.exception_handlers:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    registry = schema.schema_converter.scalar_registry
    names: dict[str, str] = {}
    for argument in field.arguments:
        kind = argument.type
        if isinstance(kind, StrawberryMaybe):
            return None
        if isinstance(kind, StrawberryOptional):
            kind = kind.of_type
        if kind is GlobalID or not is_scalar(kind, registry):
            return None
        assert argument.python_name
        names[schema.config.name_converter.from_argument(argument)] = argument.python_name
    call = resolver.wrapped_func
    if not callable(call):  # a staticmethod or classmethod Strawberry did not bind
        return None
    takes_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    info_class = schema.config.info_class

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        kwargs = {names[name]: value for name, value in arguments.items()}
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return call(source, **kwargs) if takes_self else call(**kwargs)

    return resolve


def _fields(schema: Schema) -> Iterator[tuple[GraphQLField, StrawberryField]]:
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for graphql_field in named.fields.values():
            definition = (graphql_field.extensions or {}).get(
                GraphQLCoreConverter.DEFINITION_BACKREF
            )
            if isinstance(definition, StrawberryField):
                yield graphql_field, definition


Replaced = list[tuple[GraphQLField, Resolve | None]]
"""Fields given a direct resolver, each with the resolver Strawberry had given it."""


def install(schema: Schema) -> Replaced:
    """Give each qualifying field of `schema` its direct resolver; the replaced resolvers (for
    `strawberry_chains`)."""
    replaced: Replaced = []
    for graphql_field, definition in _fields(schema):
        direct = direct_resolver(schema, definition)
        if direct is not None:
            replaced.append((graphql_field, graphql_field.resolve))
            graphql_field.resolve = direct
    return replaced


@contextmanager
def strawberry_chains(replaced: Replaced) -> Iterator[None]:
    """Strawberry's own chains back for the block (the parity tests' reference)."""
    directs = [graphql_field.resolve for graphql_field, _ in replaced]
    for graphql_field, chain in replaced:
        graphql_field.resolve = chain
    try:
        yield
    finally:
        for (graphql_field, _), direct in zip(replaced, directs, strict=True):
            graphql_field.resolve = direct
