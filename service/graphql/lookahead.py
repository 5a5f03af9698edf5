"""What a resolver can know of the fields selected under it, to fetch them with its own query.

`security(symbol) { shortInterest(...) { ... } }` is two round trips when each field queries
on its own: the security by symbol, then its series. A parent resolver that sees the one child
it can fetch along (`child`) runs one statement for both and leaves the child's rows in the
request's context; the child's resolver takes them from there instead of querying
(docs/benchmarks.md, "Uncached GraphQL against PostGraphile"). Only a plain child counts: a
field selected once, directly (not through a fragment), without directives; anything else is
left to the children's own queries.

`json_items` looks further: at the fields selected under a list's items, which Postgres can
write as JSON when they are all plain leaves (service/db/json_rows.py, and the executor's
check in service/graphql/execution.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from typing import Any, Generic, TypeVar

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types import Info

from service.db.json_rows import Selection
from service.graphql.execution import FieldSpec, json_leaves, leaf_spec, signature
from service.lru import LRU

T = TypeVar("T")

PAGE_FIELDS = frozenset(("pageInfo", "totalCount", "__typename"))
"""What a connection may select beside its items for them to be built as JSON (not `edges`,
whose items are records)."""


def child(
    info: Info[Any, Any], names: Collection[str]
) -> tuple[str, dict[str, Any], FieldNode] | None:
    """The one field of `names` selected under this field, its arguments as the child's
    resolver gets them (GraphQL names, variables and defaults applied) and its node; None when
    none of `names` is, or more than one, or one is not plain, or its arguments do not coerce
    (the child then reports that itself). Remembered per node in a document without
    variables (its arguments cannot change)."""
    raw = info._raw_info
    if raw.operation.variable_definitions or len(raw.field_nodes) != 1:
        return _child(raw, names)
    found = _CHILDREN.get(raw.field_nodes[0], tuple(names), lambda: _child(raw, names))
    return None if found is None else (found[0], dict(found[1]), found[2])


def _child(
    raw: GraphQLResolveInfo[Any], names: Collection[str]
) -> tuple[str, dict[str, Any], FieldNode] | None:
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
    return found.name.value, arguments, found


def _plain(node: FieldNode) -> list[FieldNode] | None:
    """The fields selected under `node` when all are plain (no fragment, no directive)."""
    if node.selection_set is None:
        return None
    selected: list[FieldNode] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        selected.append(selection)
    return selected


def json_items(
    nodes: Sequence[FieldNode], field_type: GraphQLOutputType, through: str | None = None
) -> Selection | None:
    """The selection under the items of a list field (`field_type`, selected once as `nodes`),
    or of a connection's `through` list, when Postgres can build it as JSON: every field plain
    and a plain leaf of the items' type (a connection selecting nothing but its items and
    PAGE_FIELDS). None otherwise: the standard path builds it. Remembered per node (a cached
    document's nodes are the same objects on every request)."""
    if len(nodes) != 1:
        return None
    # The type belongs to the schema (lives as long as the process): its id is enough.
    extra = (through, id(field_type))
    return _SELECTIONS.get(nodes[0], extra, lambda: _json_items(nodes[0], field_type, through))


class _ByNode(Generic[T]):
    """Answers remembered per field node and what else they depend on (`extra`): a cached
    document's nodes are the same objects on every request. Bounded (the project's LRU), since
    any caller writes documents; each entry keeps its node alive, so that the node's id cannot
    be another node's while the entry is here."""

    def __init__(self, size: int) -> None:
        self._remembered: LRU[tuple[int, Hashable], tuple[FieldNode, T]] = LRU(size)

    def get(self, node: FieldNode, extra: Hashable, compute: Callable[[], T]) -> T:
        key = (id(node), extra)
        known = self._remembered.get(key)
        if known is not None and known[0] is node:
            return known[1]
        found = compute()
        self._remembered.put(key, (node, found))
        return found

    def __len__(self) -> int:
        return len(self._remembered)


_SELECTIONS_LIMIT = 1024
_SELECTIONS: _ByNode[Selection | None] = _ByNode(_SELECTIONS_LIMIT)
_CHILDREN: _ByNode[tuple[str, dict[str, Any], FieldNode] | None] = _ByNode(_SELECTIONS_LIMIT)


def _json_items(
    node: FieldNode, field_type: GraphQLOutputType, through: str | None
) -> Selection | None:
    items = get_named_type(field_type)
    if through is not None:
        selected = _plain(node)
        if selected is None or not isinstance(items, GraphQLObjectType):
            return None
        inner = [s for s in selected if s.name.value == through]
        if len(inner) != 1 or any(
            s.name.value not in PAGE_FIELDS for s in selected if s is not inner[0]
        ):
            return None
        node, items = inner[0], get_named_type(items.fields[through].type)
    selected = _plain(node)
    if selected is None or not isinstance(items, GraphQLObjectType) or items.is_type_of:
        return None
    fields: dict[str, FieldSpec] = {}
    for selection in selected:
        key = selection.alias.value if selection.alias else selection.name.value
        if key in fields:
            continue  # the same field again (validation refuses another under the same key)
        spec = leaf_spec(items, key, selection)
        if spec is None:
            return None
        fields[key] = spec
    specs = list(fields.values())
    leaves = json_leaves(items, specs)
    return None if leaves is None else (signature(items, specs), leaves)


def json_own_items(info: Info[Any, Any], through: str | None = None) -> Selection | None:
    """`json_items` of the field being resolved (None unless the executor writes JSON lists)."""
    if not info.context.json_lists:
        return None
    raw = info._raw_info
    return json_items(raw.field_nodes, raw.return_type, through)


def json_child_items(
    info: Info[Any, Any], node: FieldNode, through: str | None = None
) -> Selection | None:
    """`json_items` of a child field of the field being resolved (`node`, from `child`)."""
    if not info.context.json_lists:
        return None
    parent = get_named_type(info._raw_info.return_type)
    if not isinstance(parent, GraphQLObjectType) or node.name.value not in parent.fields:
        return None
    return json_items([node], parent.fields[node.name.value].type, through)
