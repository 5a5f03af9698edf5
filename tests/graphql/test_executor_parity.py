"""The fast executor (service/graphql/execution.py) answers exactly as graphql-core's standard one.

Every query shape runs through both executors on the same schema and the results (data, and each
error's message, path and locations) must be equal: scalars, enums and lists of them, nested
lists, connections, aliases, fragments, variables, __typename, resolvers that fail, and the cases
the fast path hands back to the standard one (a null in a non-null field, an Int out of range, a
value its scalar refuses). The shapes use a small schema built from the contract's scalars (and
Decimal, whose str() would serialise a null), so each fallback has a case whose answer changes if
the fallback is removed.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import inspect
import json
import math
import re
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import DocumentNode, ExecutionResult, execute, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.graphql.execution import _SHARED_PLANS, FastExecutor, _ObjectPlan
from service.graphql.scalars import SCALAR_MAP, BigInt


@strawberry.enum
class Flag(enum.Enum):
    HIGH = "HIGH"
    STALE = "STALE"


@strawberry.type
class Point:
    day: datetime.date
    count: int
    ratio: float
    label: str
    ok: bool
    shares: BigInt
    price: Decimal
    flag: Flag
    flags: list[Flag]
    tags: list[str]
    maybe: int | None
    note: str | None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection:
    nodes: list[Point]
    page_info: PageInfo
    total: int


@strawberry.type
class Holder:
    name: str
    points: list[Point]

    @strawberry.field
    def failing(self) -> str | None:
        raise ValueError("resolver failed")

    @strawberry.field
    def failing_required(self) -> str:
        raise ValueError("required resolver failed")

    # Resolvers of objects that are not coroutine functions: planned (execution._ObjectPlan).
    @strawberry.field
    def pick(self, index: int) -> Point | None:
        return self.points[index] if index < len(self.points) else None

    @strawberry.field
    def required_pick(self, index: int) -> Point:
        return self.points[index] if index < len(self.points) else None  # type: ignore[return-value]

    @strawberry.field(graphql_type=Point | None)
    def later_pick(self, index: int) -> Any:
        # Not a coroutine function, but an awaitable answer: the standard path's.
        async def later() -> Point | None:
            return self.points[index] if index < len(self.points) else None

        return later()

    @strawberry.field
    def raising_pick(self) -> Point | None:
        raise ValueError("pick failed")

    @strawberry.field
    def again(self) -> Holder:
        return Holder(name=self.name + "'", points=self.points[:1])


def point(**changes: Any) -> Point:
    values: dict[str, Any] = {
        "day": datetime.date(2026, 7, 31),
        "count": 12,
        "ratio": 0.25,
        "label": "IWM",
        "ok": True,
        "shares": 3_000_000_000,
        "price": Decimal("1.5"),
        "flag": Flag.HIGH,
        "flags": [Flag.HIGH, Flag.STALE],
        "tags": ["a", "b"],
        "maybe": None,
        "note": "n",
    }
    values.update(changes)
    return Point(**values)


CASES: dict[str, list[Point]] = {
    "plain": [point(), point(count=-3, maybe=7, note=None, flags=[], tags=[])],
    "edges": [point(count=2**31 - 1), point(count=-(2**31))],
    "bigint": [point(shares=2**53 - 1), point(shares=-(2**40))],
    "null in non-null": [point(), point(count=None)],
    # Decimal serialises with str(), which accepts None: only the null check catches it.
    "null in non-null decimal": [point(price=None)],
    "null in non-null list item": [point(tags=["a", None])],
    "null non-null list": [point(flags=None)],
    "int above range": [point(), point(count=2**31)],
    "int below range": [point(count=-(2**31) - 1)],
    "nullable int out of range": [point(maybe=2**31)],
    "int not whole": [point(count=1.5)],
    "bool as int": [point(count=True)],
    "float not finite": [point(ratio=math.nan)],
    "float from int": [point(ratio=3)],
    "string from number": [point(label=5)],
    "bool from number": [point(ok=0)],
    "date not a date": [point(day="2026-07-31")],
    "enum not a member": [point(flag="NOPE")],
    "enum list not members": [point(flags=["HIGH"])],
    "enum list empty tuple": [point(flags=()), point(flags=(Flag.STALE,))],
    "enum list a string": [point(flags="")],
    "enum list a number": [point(flags=0)],
    "string list a string": [point(tags="ab")],
    "string list a set": [point(tags={"a"})],
    "bigint not whole": [point(shares="many")],
    "missing attribute": [object()],  # type: ignore[list-item]
}


@strawberry.type
class Query:
    @strawberry.field
    def points(self, case: str) -> list[Point]:
        return CASES[case]

    @strawberry.field
    def one(self, case: str) -> Point | None:
        return CASES[case][-1]

    @strawberry.field
    def required(self, case: str) -> Point:
        return CASES[case][-1]

    @strawberry.field
    async def later(self, case: str) -> list[Point]:
        return CASES[case]

    @strawberry.field
    def connection(self, case: str) -> Connection:
        return Connection(
            nodes=CASES[case], page_info=PageInfo(has_next_page=False, end_cursor=None), total=2
        )

    @strawberry.field
    def holders(self, case: str) -> list[Holder]:
        return [Holder(name="h", points=CASES[case]), Holder(name="i", points=[])]


schema = strawberry.Schema(query=Query, scalar_overrides=SCALAR_MAP)

ALL = "day count ratio label ok shares price flag flags tags maybe note"
SHAPES = {
    "scalars of a list": f"query($case: String!) {{ points(case: $case) {{ {ALL} }} }}",
    "nullable object": f"query($case: String!) {{ one(case: $case) {{ {ALL} }} }}",
    "non-null object": f"query($case: String!) {{ required(case: $case) {{ {ALL} }} }}",
    "async list": f"query($case: String!) {{ later(case: $case) {{ {ALL} }} }}",
    "aliases and typename": """query($case: String!) { points(case: $case) {
        __typename n: count c: count day kind: __typename f: flags } }""",
    "fragments": """query($case: String!) { points(case: $case) { ...P ... on Point { label } } }
        fragment P on Point { count shares maybe }""",
    "skip and include": """query($case: String!, $yes: Boolean!) { points(case: $case) {
        count @include(if: $yes) label @skip(if: $yes) ratio } }""",
    "connection": """query($case: String!) { connection(case: $case) {
        total pageInfo { hasNextPage endCursor } nodes { count day flags } } }""",
    "nested lists with resolvers": """query($case: String!) { holders(case: $case) {
        name failing points { count label } } }""",
    "failing non-null resolver": """query($case: String!) { holders(case: $case) {
        name failingRequired } }""",
    "same object twice": """query($case: String!) { a: points(case: $case) { count }
        b: points(case: $case) { count label } }""",
    "resolved objects": """query($case: String!) { holders(case: $case) { name
        pick(index: 1) { count label } requiredPick(index: 0) { count flags }
        again { name p: pick(index: 0) { day tags } } } }""",
    "resolved awaitable": """query($case: String!) { holders(case: $case) { name
        laterPick(index: 0) { day count } } }""",
    "resolved raising": """query($case: String!) { holders(case: $case) { name
        pick(index: 0) { count } raisingPick { count } } }""",
}


def run(executor: type[StrawberryGraphQLCoreExecutionContext], query: str, case: str) -> Any:
    return run_document(executor, parse(query), {"case": case, "yes": True})


def run_document(
    executor: type[StrawberryGraphQLCoreExecutionContext],
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
) -> Any:
    result = execute(schema._schema, document, variable_values=variables, executor_class=executor)
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    assert isinstance(result, ExecutionResult)
    errors = [
        (error.message, error.path, [(loc.line, loc.column) for loc in error.locations or ()])
        for error in result.errors or ()
    ]
    return result.data, sorted(errors, key=repr)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("shape", SHAPES)
def test_the_fast_executor_answers_as_the_standard_one(shape: str, case: str) -> None:
    query = SHAPES[shape]
    assert run(FastExecutor, query, case) == run(StrawberryGraphQLCoreExecutionContext, query, case)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("shape", SHAPES)
def test_plans_shared_by_documents_without_variables_answer_as_the_standard_executor(
    shape: str, case: str
) -> None:
    # The shape with its variables written in: one parsed document run twice (as the service
    # runs its cached documents), so the second run takes the plans the first one shared.
    for yes in ("true", "false"):
        query = re.sub(r"^query\([^)]*\)", "query", SHAPES[shape])
        document = parse(query.replace("$case", json.dumps(case)).replace("$yes", yes))
        _SHARED_PLANS._items.clear()
        first = run_document(FastExecutor, document)
        assert _SHARED_PLANS._items, "the first run shares its plans"
        again = run_document(FastExecutor, document)
        assert first == again == run_document(StrawberryGraphQLCoreExecutionContext, document)


def test_documents_with_variables_plan_each_execution_anew() -> None:
    document = parse(SHAPES["skip and include"])
    shared = len(_SHARED_PLANS._items)
    with_count = run_document(FastExecutor, document, {"case": "plain", "yes": True})
    without = run_document(FastExecutor, document, {"case": "plain", "yes": False})
    assert len(_SHARED_PLANS._items) == shared
    assert "count" in with_count[0]["points"][0]
    assert "count" not in without[0]["points"][0]
    assert "label" in without[0]["points"][0]


def test_the_cases_reach_both_paths() -> None:
    """The fallback cases do produce errors (else the parity above would prove little)."""
    query = SHAPES["scalars of a list"]
    _, errors = run(FastExecutor, query, "plain")
    assert errors == []
    refused = ("null in non-null", "null in non-null decimal", "int above range", "int below range")
    for case in (*refused, "enum not a member"):
        data, errors = run(FastExecutor, query, case)
        assert data is None, case
        assert errors, case
    data, errors = run(FastExecutor, query, "bigint")
    assert data["points"][0]["shares"] == 2**53 - 1
    assert errors == []


def test_objects_with_resolved_objects_take_their_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The "resolved objects" shape is completed by the object plans (else its parity above
    would not test them), and an awaitable answer sends its object to the standard path."""
    outcomes: list[str] = []
    call = _ObjectPlan.__call__

    def counted(plan: _ObjectPlan, *args: Any) -> Any:
        try:
            answer = call(plan, *args)
        except Exception:
            outcomes.append("fallback")
            raise
        outcomes.append("planned")
        return answer

    monkeypatch.setattr(_ObjectPlan, "__call__", counted)
    planned = """query($case: String!) { holders(case: $case) { name
        pick(index: 1) { count label } again { name p: pick(index: 0) { day tags } } } }"""
    data, errors = run(FastExecutor, planned, "plain")
    assert errors == []
    assert data["holders"][0]["again"]["p"]["tags"] == ["a", "b"]
    assert data["holders"][1]["pick"] is None
    assert outcomes.count("planned") == 4  # each holder and its `again`
    assert "fallback" not in outcomes
    assert run(StrawberryGraphQLCoreExecutionContext, planned, "plain") == (data, errors)
    outcomes.clear()
    data, errors = run(FastExecutor, SHAPES["resolved awaitable"], "plain")
    assert errors == []
    assert data["holders"][0]["laterPick"]["count"] == 12
    assert "fallback" in outcomes
