"""What a resolver can know of the fields selected under it, to fetch them with its own query.

`security(symbol) { shortInterest(...) { ... } }` is two round trips when each field queries
on its own: the security by symbol, then its series. A parent resolver that sees the one child
it can fetch along (`child`) runs one statement for both and leaves the child's rows in the
request's context; the child's resolver takes them from there instead of querying
(docs/benchmarks.md, "Uncached GraphQL against PostGraphile"). Only a plain child counts: a
field selected once, directly (not through a fragment), without directives; anything else is
left to the children's own queries.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLObjectType, get_named_type
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types import Info


def child(info: Info[Any, Any], names: Collection[str]) -> tuple[str, dict[str, Any]] | None:
    """The one field of `names` selected under this field, and its arguments as the child's
    resolver gets them (GraphQL names, variables and defaults applied); None when none of
    `names` is, or more than one, or one is not plain, or its arguments do not coerce (the child
    then reports that itself)."""
    raw = info._raw_info
    found: FieldNode | None = None
    for node in raw.field_nodes:
        if node.selection_set is None:
            return None
        for selection in node.selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value in names:
                if found is not None or selection.directives:
                    return None
                found = selection
    if found is None:
        return None
    parent = get_named_type(raw.return_type)
    if not isinstance(parent, GraphQLObjectType):
        return None
    definition = parent.fields[found.name.value]
    # Strawberry's resolve info holds the coerced variables' dict, not graphql-core's container
    # (their sources matter only for fragment variables, which a direct field cannot use).
    coerced: dict[str, Any] = raw.variable_values  # type: ignore[assignment]  # see above
    variables = VariableValues(sources={}, coerced=coerced)
    try:
        arguments = get_argument_values(definition, found, variables)
    except GraphQLError:
        return None
    return found.name.value, arguments
