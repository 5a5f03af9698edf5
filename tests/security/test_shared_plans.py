"""The fast executor's plans shared across a document's executions (service/graphql/execution.py)
are a process-wide cache fed by documents any caller writes: bounded, whatever arrives."""

from __future__ import annotations

from graphql import parse

from service.graphql.execution import _SHARED_PLANS, FastExecutor
from tests.graphql.test_executor_parity import run_document


def test_shared_plans_are_bounded() -> None:
    """Distinct documents cannot grow the shared plans past their bound (each entry keeps its
    document's nodes alive)."""
    for index in range(_SHARED_PLANS.size + 100):
        run_document(FastExecutor, parse(f'{{ p{index}: points(case: "plain") {{ count }} }}'))
    assert len(_SHARED_PLANS._items) == _SHARED_PLANS.size
