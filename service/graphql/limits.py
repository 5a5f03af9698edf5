"""Limits checked before a GraphQL operation runs: depth, aliases, operations, and cost.

Tokens are limited by the parser itself. Cost estimates the work an operation asks for before
executing it: every field costs 1, and a list multiplies the cost of what is selected under it by
its expected size: the `first` of a connection (or its default) for `edges`/`nodes`, the number of
days or periods a date range holds for daily series, a fixed estimate for the rest. An operation
over the budget is refused with its cost; the cost of every accepted one is reported in
`extensions.cost` (and spent from the caller's rate limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast,
)
from graphql.language import DocumentNode

from service.errors import ShortflowError


class QueryRejected(ShortflowError):
    """An operation refused before execution: too deep, too many aliases, too costly..."""

    status = 400

    def __init__(self, message: str, *, code: str, cost: dict[str, int] | None = None) -> None:
        super().__init__(message, code=code)
        self.cost = cost


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_operations: int = 10
    cost_budget: int = 50_000


TRADING_DAYS_PER_YEAR = 252
SETTLEMENTS_PER_YEAR = 24
DEFAULT_SPAN_YEARS = 10
# Expected sizes of list fields without `first`: per-field estimates for ten years of data.
LIST_ESTIMATES = {
    "shortVolume": ("days", TRADING_DAYS_PER_YEAR),
    "prices": ("days", TRADING_DAYS_PER_YEAR),
    "fundFlows": ("flows", TRADING_DAYS_PER_YEAR),
    "shortExposure": ("days", SETTLEMENTS_PER_YEAR),
    "settlementCalendar": ("fixed", 24),
    "trackingFunds": ("fixed", 10),
    "factors": ("fixed", 5),
    "datasets": ("fixed", 6),
    "excluded": ("fixed", 3),
}
PERIOD_DIVISOR = {"DAY": 1, "WEEK": 5, "MONTH": 21}


def check_document(document: DocumentNode, limits: Limits) -> None:
    """Operation count and aliases (whole document); raises QueryRejected."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) > limits.max_operations:
        raise QueryRejected(
            f"the document holds {len(operations)} operations; at most "
            f"{limits.max_operations} are accepted",
            code="TOO_MANY_OPERATIONS",
        )
    aliases = sum(
        _count_aliases(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    )
    if aliases > limits.max_aliases:
        raise QueryRejected(
            f"the document uses {aliases} aliases; at most {limits.max_aliases} are accepted",
            code="TOO_MANY_ALIASES",
        )


def _count_aliases(selection_set: SelectionSetNode | None) -> int:
    if selection_set is None:
        return 0
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.alias is not None:
            count += 1
        if isinstance(selection, FieldNode | InlineFragmentNode):
            count += _count_aliases(selection.selection_set)
    return count


class CostAnalysis:
    """Depth and cost of one operation, with fragments expanded and variables applied."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation = operation
        self.variables = variables

    def measure(self) -> tuple[int, int]:
        """(depth, cost) of the operation."""
        root = self.schema.query_type
        assert root is not None
        return self._selection(root, self.operation.selection_set, 1, {}, set())

    def _selection(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        depth: int,
        connection_args: dict[str, Any],
        seen_fragments: set[str],
    ) -> tuple[int, int]:
        deepest, cost = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                d, c = self._field(parent, selection, depth, connection_args, seen_fragments)
            elif isinstance(selection, InlineFragmentNode):
                d, c = self._selection(
                    parent, selection.selection_set, depth, connection_args, seen_fragments
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:
                    continue
                d, c = self._selection(
                    parent, fragment.selection_set, depth, connection_args, seen_fragments | {name}
                )
            else:  # pragma: no cover - no other selection kinds exist
                continue
            deepest, cost = max(deepest, d), cost + c
        return deepest, cost

    def _field(
        self,
        parent: GraphQLObjectType,
        node: FieldNode,
        depth: int,
        connection_args: dict[str, Any],
        seen_fragments: set[str],
    ) -> tuple[int, int]:
        name = node.name.value
        field = parent.fields.get(name)
        if field is None or node.selection_set is None:
            return depth, 1
        target = _named(field.type)
        if not isinstance(target, GraphQLObjectType):
            return depth, 1
        arguments = self._arguments(field, node)
        size = 1
        child_connection: dict[str, Any] = {}
        if "first" in arguments and target.name.endswith("Connection"):
            child_connection = {"first": arguments["first"]}
        elif _is_list(field.type):
            size = self._list_size(name, arguments, connection_args)
        child_depth, child_cost = self._selection(
            target, node.selection_set, depth + 1, child_connection, seen_fragments
        )
        return child_depth, 1 + size * child_cost

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, argument in field.args.items():
            given = next((a for a in node.arguments or () if a.name.value == name), None)
            value = (
                value_from_ast(given.value, argument.type, self.variables)
                if given is not None
                else argument.default_value
            )
            values[name] = value
        return values

    def _list_size(
        self, name: str, arguments: dict[str, Any], connection_args: dict[str, Any]
    ) -> int:
        if name in ("edges", "nodes") and connection_args:
            return int(connection_args.get("first") or 0)
        if isinstance(arguments.get("first"), int):
            return max(int(arguments["first"]), 0)
        kind, per_year = LIST_ESTIMATES.get(name, ("fixed", 100))
        if kind == "fixed":
            return per_year
        years = _span_years(arguments.get("from"), arguments.get("to"))
        size = max(1, round(years * per_year))
        if kind == "flows":
            period = arguments.get("period")
            period_name = getattr(period, "name", str(period or "DAY"))
            size = max(1, size // PERIOD_DIVISOR.get(period_name, 1))
        return size


def _span_years(start: Any, end: Any) -> float:
    if isinstance(start, date) and isinstance(end, date):
        return max((end - start).days, 0) / 365.25 + 1 / 365.25
    if isinstance(start, date):
        return max((date.today() - start).days, 0) / 365.25 + 1 / 365.25
    return DEFAULT_SPAN_YEARS


def _named(type_: GraphQLOutputType) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)
