"""A graphql-core executor that completes leaf-only objects without per-field resolvers.

A 240-point short-interest history is 240 objects of a dozen scalar fields each. The standard
executor resolves every field through its own resolver call, info object and completion step
(measured here: ~9 us per field, most of a request's time). For an object type whose selected
fields are all plain leaves (scalars, enums or lists of them) read straight from attributes, the
result can be built by one function: attribute reads, exact-type checks, one dict.

Such a function is generated once per selection shape (type and response keys) for the process,
and only when it is safe: no field has a resolver, arguments or an @defer; anything unexpected
(a null in a non-null field, a value the scalar refuses) falls back to the standard path, which
raises the spec's error for it. Lists of such objects complete in one comprehension.

An object whose selection also holds objects is planned too (`_ObjectPlan`), step by step, when
each of those is one of: a list of leaf-only objects read from an attribute (a list Postgres
built as JSON is written as is), an object read from an attribute, or an object a resolver that
is not a coroutine function returns (its arguments coerced once with the plan). The resolver is
called as graphql-core calls it (the same info, path and arguments); an awaitable answer, an
exception or a null where none may be makes the whole object take the standard path, which
resolves it again and reports what it must. `security(symbol) { shortInterest { nodes } }`
then completes below `security` without the executor's per-field steps (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from math import isfinite
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.db.json_rows import KINDS, JsonRows, Leaf, Leaves
from service.lru import LRU

Serialiser = Callable[[Any], Any]
Completer = Callable[[Any], dict[str, Any]]
"""Builds the response object of one source object for one selection (a compiled plan)."""

MAX_INT = 2**31
_COMPILED: dict[tuple[Any, ...], Completer] = {}
_COMPILED_LIMIT = 2048


_SHARED_PLANS: LRU[tuple[Any, ...], tuple[tuple[Any, ...], Plan | None]] = LRU(4096)
"""The plans of selections in documents without variables, by type and selected field nodes
(kept alive with their plan, so that their ids cannot be reused): a cached document's
selections are planned once for the process, not once per request (~3 % of a 24-point
request: docs/benchmarks.md)."""


class _Fallback(Exception):
    pass


def _expression(leaf: GraphQLScalarType | GraphQLEnumType, value: str, coerce: str) -> str:
    """Python source completing `value` as `leaf`: an exact-type check for the values our
    models hold (a float is a Float, an in-range int is an Int...), else the type's own output
    coercion (which also raises the errors the standard path would)."""
    name = leaf.name
    if name == "Float":
        return f"({value} if type({value}) is float and isfinite({value}) else {coerce}({value}))"
    if name == "Int":
        in_range = f"-{MAX_INT} <= {value} < {MAX_INT}"
        return f"({value} if type({value}) is int and {in_range} else {coerce}({value}))"
    if name in ("String", "ID"):
        return f"({value} if type({value}) is str else {coerce}({value}))"
    if name == "Boolean":
        return f"({value} if type({value}) is bool else {coerce}({value}))"
    if name == "BigInt":
        return f"({value} if type({value}) is int else {coerce}({value}))"
    if name == "Date":
        return f"({value}.isoformat() if type({value}) is date else {coerce}({value}))"
    if isinstance(leaf, GraphQLEnumType):
        # A name by its value from the table the coercion reads; anything else: the coercion.
        return f"({coerce}_names.get({value}) or {coerce}({value}))"
    return f"{coerce}({value})"


def _leaf_field(
    field_type: GraphQLOutputType, value: str, coerce: str
) -> tuple[str, bool, GraphQLScalarType | GraphQLEnumType, bool] | None:
    """(completion source, nullable, leaf type, a list) for a leaf or list-of-leaves field, or
    None. A list's source expects a list or tuple (anything else is the standard path's)."""
    nullable = not isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return _expression(inner, value, coerce), nullable, inner, False
    if isinstance(inner, GraphQLList) and isinstance(inner.of_type, GraphQLNonNull):
        leaf = inner.of_type.of_type
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            # An empty list (most flag lists) skips the comprehension's call.
            each = f"[{_expression(leaf, 'x', coerce)} for x in {value}]"
            return f"([] if not {value} else {each})", nullable, leaf, True
    return None


FieldSpec = tuple[str, str | None, GraphQLOutputType | None]
"""(response key, attribute or None for __typename, field type)."""
Plan = tuple[Callable[..., dict[str, Any]], tuple[Any, ...] | None]
"""A selection's completer and its signature (`signature`): a compiled completer of leaves, or
an `_ObjectPlan` (called with the object's path and the executor), whose signature is None."""


def _compile(type_name: str, fields: list[FieldSpec]) -> Completer:
    """Generate the completer of a selection: straight-line attribute reads and checks."""
    lines = ["def complete(s):", "    try:"]
    items = []
    namespace: dict[str, Any] = {"date": date, "isfinite": isfinite, "Fallback": _Fallback}
    for index, (response_key, attribute, field_type) in enumerate(fields):
        if attribute is None:
            items.append(f"{response_key!r}: {type_name!r}")
            continue
        assert field_type is not None
        value, coerce = f"v{index}", f"c{index}"
        compiled = _leaf_field(field_type, value, coerce)
        assert compiled is not None
        source, nullable, leaf, is_list = compiled
        namespace[coerce] = leaf.coerce_output_value
        if isinstance(leaf, GraphQLEnumType):
            # graphql-core's own table of the coercion (first name per value).
            namespace[f"{coerce}_names"] = leaf._value_lookup
        lines.append(f"        {value} = s.{attribute}")
        if is_list:
            # A string or a mapping is iterable but no list: the standard path refuses it.
            sequence = f"type({value}) is list or type({value}) is tuple"
            unless_null = f"{value} is not None and " if nullable else ""
            lines.append(f"        if {unless_null}not ({sequence}): raise Fallback")
        if nullable:
            items.append(f"{response_key!r}: None if {value} is None else {source}")
        else:
            lines.append(f"        if {value} is None: raise Fallback")
            items.append(f"{response_key!r}: {source}")
    lines.append("        return {" + ", ".join(items) + "}")
    lines.append("    except Fallback: raise")
    lines.append("    except Exception: raise Fallback from None")
    exec("\n".join(lines), namespace)
    completer: Completer = namespace["complete"]
    return completer


def _discard(answer: Any) -> None:
    """Leave an awaitable a planned resolver returned, unawaited (the standard path resolves the
    field again): a coroutine is closed before it runs, a future's outcome is retrieved so that
    it is not reported as never retrieved."""
    if isinstance(answer, Coroutine):
        answer.close()
    elif hasattr(answer, "add_done_callback"):
        answer.add_done_callback(lambda done: done.cancelled() or done.exception())


@dataclass(frozen=True, slots=True)
class _Step:
    """One selected field of a planned object: how its value is read and completed. `kind`:
    "leaves" (its compiled completer), "list" or "object" (read from `attribute`), "resolved"
    (`field`'s resolver called with `nodes` and `args`)."""

    kind: str
    key: str
    child: Plan
    nullable: bool
    attribute: str | None = None
    field: GraphQLField | None = None
    nodes: list[FieldNode] | None = None
    args: dict[str, Any] | None = None


class _ObjectPlan:
    """The completer of an object whose selection holds objects (see the module docstring):
    its steps in the selection's order. Raises (anything) where the standard path must run."""

    __slots__ = ("parent", "steps")

    def __init__(self, parent: GraphQLObjectType, steps: list[_Step]) -> None:
        self.parent = parent
        self.steps = steps

    def __call__(self, source: Any, path: Path, executor: FastExecutor) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for step in self.steps:
            kind = step.kind
            if kind == "leaves":
                out.update(step.child[0](source))
                continue
            child_path = path.add_key(step.key, self.parent.name)
            if kind == "resolved":
                assert step.field is not None
                assert step.field.resolve is not None
                info = executor.build_resolve_info(step.field, step.nodes, self.parent, child_path)  # type: ignore[arg-type]
                value = step.field.resolve(source, info, **step.args)  # type: ignore[arg-type]
                if executor.is_awaitable(value):
                    _discard(value)
                    raise _Fallback
            else:
                value = getattr(source, step.attribute)  # type: ignore[arg-type]
            if value is None:
                if not step.nullable:
                    raise _Fallback
                out[step.key] = None
                continue
            complete, signature_ = step.child
            if kind == "list":
                if type(value) is JsonRows:
                    if value.signature != signature_:
                        raise _Fallback
                    out[step.key] = value.fragment()
                elif type(value) is list or type(value) is tuple:
                    out[step.key] = [complete(item) for item in value]
                else:
                    raise _Fallback
            elif signature_ is None:
                out[step.key] = complete(value, child_path, executor)
            else:
                out[step.key] = complete(value)
        return out


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor plus the leaf-object fast path (see module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hasattr(self.context_value, "json_lists"):
            self.context_value.json_lists = True  # this executor writes JsonRows (below)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, Plan | None]] = {}
        # Without variables, what a selection collects is the document's, the same each time.
        self._share_plans = not self.operation.variable_definitions

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        # A list of leaf-only objects (a series) completes in one comprehension, skipping the
        # per-item completion of the standard path.
        item_type = return_type.of_type
        if type(result) is JsonRows:
            # Built by Postgres for this selection (service/db/json_rows.py): written as is.
            if not isinstance(item_type, GraphQLNonNull):
                raise TypeError("a list built by Postgres needs non-null items")
            items = item_type.of_type
            plan = (
                self._plan(items, field_details_list)
                if isinstance(items, GraphQLObjectType)
                else None
            )
            if plan is None or result.signature != plan[1]:
                raise TypeError("a list built by Postgres for another selection")
            return result.fragment()  # type: ignore[return-value]  # orjson writes it verbatim
        if isinstance(item_type, GraphQLNonNull) and isinstance(
            item_type.of_type, GraphQLObjectType
        ):
            plan = self._plan(item_type.of_type, field_details_list)
            if plan is not None and plan[1] is not None and isinstance(result, list | tuple):
                complete = plan[0]
                try:
                    return [complete(item) for item in result]
                except (_Fallback, AttributeError):
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            complete, signature_ = plan
            if signature_ is not None:
                try:
                    return complete(result)
                except (_Fallback, AttributeError):
                    pass
            else:
                try:
                    return complete(result, path, self)
                except Exception:  # the standard path reports it (module docstring)
                    pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan(self, return_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        key = (return_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        nodes: tuple[Any, ...] | None = None
        if self._share_plans and all(
            d.defer_usage is None and d.fragment_variable_values is None for d in field_details_list
        ):
            nodes = tuple(d.node for d in field_details_list)
            shared_key = (return_type, *map(id, nodes))
            shared = _SHARED_PLANS.get(shared_key)
            if shared is not None:
                self._plans[key] = (field_details_list, shared[1])
                return shared[1]
        plan = self._make_plan(return_type, field_details_list)
        # Keep the list alive with its plan so its id cannot be reused (as graphql-core does).
        self._plans[key] = (field_details_list, plan)
        if nodes is not None:
            _SHARED_PLANS.put(shared_key, (nodes, plan))
        return plan

    def _make_plan(self, return_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        if return_type.is_type_of is not None:
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(return_type, field_details_list)
        if new_defer_usages:
            return None
        # In selection order: each leaf's spec, or an object field's step.
        parts: list[FieldSpec | _Step] = []
        for response_key, details in grouped.items():
            part = leaf_spec(return_type, response_key, details[0].node) or self._object_step(
                return_type, response_key, details
            )
            if part is None:
                return None
            parts.append(part)
        specs = [part for part in parts if isinstance(part, tuple)]
        if len(specs) == len(parts):
            return _leaves(return_type, specs)
        # Each run of leaves between object fields is one compiled completer (one dict).
        steps: list[_Step] = []
        run: list[FieldSpec] = []
        for part in [*parts, None]:
            if isinstance(part, tuple):
                run.append(part)
                continue
            if run:
                steps.append(_Step("leaves", run[0][0], _leaves(return_type, run), nullable=True))
                run = []
            if part is not None:
                steps.append(part)
        return _ObjectPlan(return_type, steps), None

    def _object_step(
        self, parent: GraphQLObjectType, response_key: str, details: Any
    ) -> _Step | None:
        """The step of a selected field that is an object or a list of them, when it can be
        planned (see the module docstring), else None."""
        node = details[0].node
        field = parent.fields.get(node.name.value)
        definition = field.extensions.get("strawberry-definition") if field is not None else None
        if field is None or definition is None or definition.extensions:
            return None
        nullable = not isinstance(field.type, GraphQLNonNull)
        inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        resolver = definition.base_resolver
        if resolver is None:
            if node.arguments or field.args:
                return None
            attribute = definition.python_name
            if isinstance(inner, GraphQLList):
                item = inner.of_type
                if not isinstance(item, GraphQLNonNull) or not isinstance(
                    item.of_type, GraphQLObjectType
                ):
                    return None
                items = self._plan(item.of_type, details)
                if items is None or items[1] is None:  # lists of leaf-only objects only
                    return None
                return _Step("list", response_key, items, nullable=nullable, attribute=attribute)
            if not isinstance(inner, GraphQLObjectType):
                return None
            child = self._plan(inner, details)
            if child is None:
                return None
            return _Step("object", response_key, child, nullable=nullable, attribute=attribute)
        if resolver.is_async or not isinstance(inner, GraphQLObjectType):
            return None
        child = self._plan(inner, details)
        if child is None:
            return None
        first = details[0]
        try:
            args = (
                get_argument_values(
                    field,
                    node,
                    self.variable_values,
                    first.fragment_variable_values,
                    self.hide_suggestions,
                )
                if field.args or node.arguments
                else {}
            )
        except GraphQLError:
            return None
        nodes = [d.node for d in details]
        return _Step(
            "resolved", response_key, child, nullable=nullable, field=field, nodes=nodes, args=args
        )


def _leaves(return_type: GraphQLObjectType, fields: list[FieldSpec]) -> Plan:
    """The compiled completer of leaf-only `fields` (compiled once per selection shape for the
    whole process, not per request) and its signature."""
    key = signature(return_type, fields)
    completer = _COMPILED.get(key)
    if completer is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        completer = _COMPILED[key] = _compile(return_type.name, fields)
    return completer, key


def leaf_spec(return_type: GraphQLObjectType, response_key: str, node: Any) -> FieldSpec | None:
    """The FieldSpec of a selected field of `return_type` when it is a plain leaf read from an
    attribute (no resolver, arguments or extensions; a leaf or a list of leaves), else None."""
    name = node.name.value
    if name == "__typename":
        return response_key, None, None
    field = return_type.fields.get(name)
    if field is None or node.arguments or field.args:
        return None
    definition = field.extensions.get("strawberry-definition")
    if definition is None or definition.base_resolver is not None or definition.extensions:
        return None
    if _leaf_field(field.type, "v", "c") is None:
        return None
    return response_key, definition.python_name, field.type


def signature(return_type: GraphQLObjectType, fields: list[FieldSpec]) -> tuple[Any, ...]:
    """What identifies a selection's completion: the type and its (response key, attribute)s."""
    return (return_type.name, tuple((k, a) for k, a, _ in fields))


def json_leaves(return_type: GraphQLObjectType, fields: list[FieldSpec]) -> Leaves | None:
    """The selection as service/db/json_rows.py leaves (its JSON built by Postgres), or None
    when a field's value is not one that module builds (a scalar of another kind, an enum
    whose values are not strings, a list of anything but strings or enums)."""
    leaves: list[Leaf] = []
    for response_key, attribute, field_type in fields:
        if attribute is None:
            leaves.append(Leaf(response_key, None, "Typename", constant=return_type.name))
            continue
        assert field_type is not None
        compiled = _leaf_field(field_type, "v", "c")
        assert compiled is not None
        _, nullable, leaf, is_list = compiled
        kind = "String" if leaf.name == "ID" else leaf.name
        names: tuple[tuple[str, str], ...] = ()
        if isinstance(leaf, GraphQLEnumType):
            kind = "Enum"
            lookup = leaf._value_lookup
            if not all(type(v) is str for v in lookup):
                return None
            names = tuple(lookup.items())
        if kind not in KINDS or (is_list and kind not in ("String", "Enum")):
            return None
        leaves.append(Leaf(response_key, attribute, kind, nullable, is_list, names))
    return tuple(leaves)
