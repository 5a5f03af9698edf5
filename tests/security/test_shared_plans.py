"""The fast executor's plans shared across a document's executions (service/graphql/execution.py)
and the child arguments `lookahead.child` remembers are process-wide caches fed by documents any
caller writes: bounded, whatever arrives."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from graphql import OperationDefinitionNode, parse

from service.graphql import lookahead
from service.graphql.execution import _SHARED_PLANS, FastExecutor
from service.graphql.schema import schema
from tests.graphql.test_executor_parity import run_document


def test_shared_plans_are_bounded() -> None:
    """Distinct documents cannot grow the shared plans past their bound (each entry keeps its
    document's nodes alive)."""
    for index in range(_SHARED_PLANS.size + 100):
        run_document(FastExecutor, parse(f'{{ p{index}: points(case: "plain") {{ count }} }}'))
    assert len(_SHARED_PLANS._items) == _SHARED_PLANS.size


def _child_of(document: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any], Any] | None:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return _child_in(operation, variables)


def _child_in(
    operation: OperationDefinitionNode, variables: dict[str, Any]
) -> tuple[str, dict[str, Any], Any] | None:
    node = operation.selection_set.selections[0]
    raw = SimpleNamespace(
        operation=operation,
        field_nodes=[node],
        return_type=schema._schema.type_map["Security"],
        variable_values=variables,
    )
    return lookahead.child(SimpleNamespace(_raw_info=raw), ("shortInterest",))  # type: ignore[arg-type]


def test_remembered_children_are_bounded() -> None:
    """`lookahead.child` remembers a document's child arguments per node when it declares no
    variables: bounded too."""
    for index in range(lookahead._SELECTIONS_LIMIT + 50):
        found = _child_of(
            f'{{ security(symbol: "S{index}") {{ shortInterest(first: {index % 90 + 1}) '
            "{ nodes { flags } } } }",
            {},
        )
        assert found is not None
        assert found[1]["first"] == index % 90 + 1
    assert len(lookahead._CHILDREN) <= lookahead._SELECTIONS_LIMIT


def test_children_with_variables_are_not_remembered() -> None:
    """The same document's node with other variables gives the other arguments."""
    operation = parse(
        'query ($f: Int) { security(symbol: "S") { shortInterest(first: $f) { nodes { flags } } } }'
    ).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    for first in (3, 7):
        found = _child_in(operation, {"f": first})
        assert found is not None
        assert found[1]["first"] == first
