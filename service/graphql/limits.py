"""Limits checked before a GraphQL operation runs: depth, aliases, operations, and cost.

Tokens are limited by the parser itself. Cost estimates the work an operation asks for before
executing it: every field costs 1, and a list multiplies the cost of what is selected under it by
its expected size: the `first` of a connection (or its default) for `edges`/`nodes`, the number of
days or periods a date range holds for daily series, a fixed estimate for the rest. An operation
over the budget is refused with its cost; the cost of every accepted one is reported in
`extensions.cost` (and spent from the caller's rate limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

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

from service.cursors import GRAPHQL_FIRST
from service.errors import ShortflowError
from service.settings import DEFAULT_QUERY_COST_BUDGET, DEFAULT_QUERY_MAX_DEPTH


class QueryRejected(ShortflowError):
    """An operation refused before execution: too deep, too many aliases, too costly..."""

    status = 400

    def __init__(self, message: str, *, code: str, cost: dict[str, int] | None = None) -> None:
        super().__init__(message, code=code)
        self.cost = cost


@dataclass(frozen=True)
class Limits:
    """What one operation may ask for. The depth and the cost budget are settings
    (SHORTFLOW_QUERY_MAX_DEPTH, SHORTFLOW_QUERY_COST_BUDGET); the rest are fixed here."""

    max_depth: int = DEFAULT_QUERY_MAX_DEPTH
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_operations: int = 10
    cost_budget: int = DEFAULT_QUERY_COST_BUDGET


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


ROUND_TRIP_COST = 10
"""What a field that runs its own database query costs per time it is resolved (a plain field: 1).
A list of 1,000 securities each asking for its short interest is 1,000 round trips, not 1,000
fields: the cost follows the work."""
MAX_VISITS = 20_000
"""Selections the analysis may visit; fragments are measured once per parent type and page size,
so a valid document stays far below this (a document is at most 5,000 tokens)."""
PAGE_ARGUMENTS = ("first", "last")


class _Exceeded(Exception):
    """Raised inside the analysis as soon as the running cost passes the budget."""

    def __init__(self, cost: int) -> None:
        self.cost = cost


class CostAnalysis:
    """Depth and cost of one operation, with fragments applied and variables already coerced.

    Linear in the size of the document: each fragment is measured once per (parent type, page
    size) and reused at every spread, so `...F2 ...F2` nested 30 times is 60 spreads, not 2^30
    expansions. The walk stops as soon as the running cost passes the budget and after
    MAX_VISITS selections. Page sizes (`first`, `last`) outside cursors.GRAPHQL_FIRST are refused
    here, before anything runs, whether they come as literals or variables.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        *,
        budget: int,
        max_first: int,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation = operation
        self.variables = variables
        self.budget = budget
        self.max_first = max_first
        self._memo: dict[tuple[str, str, int | None], tuple[int, int]] = {}
        self._active: set[tuple[str, str, int | None]] = set()
        self.visits = 0

    def measure(self) -> tuple[int, int]:
        """(depth, cost) of the operation; QueryRejected when a page size is out of range, the
        cost passes the budget or the document is too complex to measure."""
        root = self.schema.query_type
        assert root is not None
        try:
            return self._selection(root, self.operation.selection_set, None)
        except _Exceeded as exc:
            raise QueryRejected(
                f"the query would cost more than {self.budget:,} (fields x list sizes, "
                f"{ROUND_TRIP_COST} per database round trip): ask for fewer items per page or "
                "shorter ranges",
                code="QUERY_TOO_COSTLY",
                cost={"requested": exc.cost, "budget": self.budget},
            ) from None

    def _selection(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode, page: int | None
    ) -> tuple[int, int]:
        """(height, cost) of a selection set under `parent`; `page` is the enclosing
        connection's page size (what `nodes`/`edges` hold)."""
        height, cost = 0, 0
        for selection in selection_set.selections:
            self.visits += 1
            if self.visits > MAX_VISITS:
                raise QueryRejected(
                    f"the query has more than {MAX_VISITS:,} selections once its fragments "
                    "are applied",
                    code="QUERY_TOO_COMPLEX",
                )
            if isinstance(selection, FieldNode):
                h, c = self._field(parent, selection, page)
            elif isinstance(selection, InlineFragmentNode):
                h, c = self._selection(
                    self._condition(parent, selection), selection.selection_set, page
                )
            elif isinstance(selection, FragmentSpreadNode):
                h, c = self._spread(parent, selection.name.value, page)
            else:  # pragma: no cover - no other selection kinds exist
                continue
            height, cost = max(height, h), cost + c
            if cost > self.budget:
                raise _Exceeded(cost)
        return height, cost

    def _spread(self, parent: GraphQLObjectType, name: str, page: int | None) -> tuple[int, int]:
        fragment = self.fragments.get(name)
        key = (name, parent.name, page)
        if fragment is None or key in self._active:
            return 0, 0  # unknown or cyclic: validation rejects both
        found = self._memo.get(key)
        if found is None:
            self._active.add(key)
            try:
                target = self._condition(parent, fragment)
                found = self._memo[key] = self._selection(target, fragment.selection_set, page)
            finally:
                self._active.discard(key)
        return found

    def _condition(
        self, parent: GraphQLObjectType, node: InlineFragmentNode | FragmentDefinitionNode
    ) -> GraphQLObjectType:
        condition = node.type_condition
        if condition is None:
            return parent
        named = self.schema.get_type(condition.name.value)
        return named if isinstance(named, GraphQLObjectType) else parent

    def _field(
        self, parent: GraphQLObjectType, node: FieldNode, page: int | None
    ) -> tuple[int, int]:
        name = node.name.value
        field = parent.fields.get(name)
        if field is None:
            return 1, 1
        arguments = self._arguments(field, node)
        own = ROUND_TRIP_COST if _queries_database(field) else 1
        target = _named(field.type)
        if node.selection_set is None or not isinstance(target, GraphQLObjectType):
            return 1, own
        size = 1
        child_page: int | None = None
        if "first" in field.args and ("nodes" in target.fields or "edges" in target.fields):
            # A page (a connection, by its shape, not its name): `first` multiplies what is
            # under its `nodes`/`edges`.
            child_page = _page_size(arguments.get("first"), field)
        elif _is_list(field.type):
            size = self._list_size(name, arguments, page, field)
        child_height, child_cost = self._selection(target, node.selection_set, child_page)
        return 1 + child_height, own + size * child_cost

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, argument in field.args.items():
            given = next((a for a in node.arguments or () if a.name.value == name), None)
            value = (
                value_from_ast(given.value, argument.type, self.variables)
                if given is not None
                else argument.default_value
            )
            if (
                name in PAGE_ARGUMENTS
                and isinstance(value, int)
                and not GRAPHQL_FIRST.minimum <= value <= self.max_first
            ):
                raise QueryRejected(
                    f"`{name}` must be between {GRAPHQL_FIRST.minimum} and {self.max_first}, "
                    f"not {value} (on `{node.name.value}`)",
                    code="BAD_USER_INPUT",
                )
            values[name] = value
        return values

    def _list_size(
        self, name: str, arguments: dict[str, Any], page: int | None, field: GraphQLField
    ) -> int:
        if name in ("edges", "nodes") and page is not None:
            return page
        if "first" in field.args:
            return _page_size(arguments.get("first"), field)
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


def _page_size(first: Any, field: GraphQLField) -> int:
    """The page a `first` asks for; an explicit null means the resolver's default, which the
    schema states as the argument's default value."""
    if isinstance(first, int):
        return max(first, GRAPHQL_FIRST.minimum)
    argument = field.args.get("first")
    default = argument.default_value if argument is not None else None
    return default if isinstance(default, int) else DEFAULT_PAGE_ESTIMATE


DEFAULT_PAGE_ESTIMATE = 100


F = TypeVar("F", bound=Callable[..., Any])


def queries_database(resolver: F) -> F:
    """Mark a resolver that is not a coroutine function but may run a query of its own (it
    returns its answer at once when a parent fetched it along, else an awaitable that queries):
    costed as an async resolver is."""
    resolver.queries_database = True  # type: ignore[attr-defined]
    return resolver


def _queries_database(field: GraphQLField) -> bool:
    """Whether resolving the field runs a query of its own (an async Strawberry resolver, or
    one marked `queries_database`)."""
    definition = field.extensions.get("strawberry-definition") if field.extensions else None
    resolver = getattr(definition, "base_resolver", None)
    if resolver is None:
        return False
    marked = getattr(resolver.wrapped_func, "queries_database", False)
    return bool(marked or getattr(resolver, "is_async", False))


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
