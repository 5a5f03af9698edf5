"""Parse, validate, limit and execute GraphQL operations, with caches for the first two.

The HTTP endpoint (http.py) calls `prepare` then `execute`. Parsing and validation results are
kept per document text (an LRU), so a frontend's repeated query skips both, and so is the cost
of an operation that declares no variables (its cost cannot change). Execution uses
graphql-core directly with the fast executor (execution.py); resolvers are Strawberry's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.executor import Executor
from graphql.execution.values import get_variable_values
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry import Schema
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from service.cursors import MAX_FIRST
from service.errors import BadRequest, ShortflowError
from service.graphql.execution import FastExecutor
from service.graphql.limits import CostAnalysis, Limits, QueryRejected, check_document
from service.graphql.messages import bounded
from service.lru import LRU

log = logging.getLogger(__name__)

MAX_VALIDATION_ERRORS = 50


class RequestError(ShortflowError):
    """A GraphQL request error: nothing was executed (syntax, validation, variables, limits)."""

    status = 400

    def __init__(
        self, message: str, *, code: str, errors: list[GraphQLError] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.errors = errors or [GraphQLError(message)]


class MethodNotAllowed(ShortflowError):
    code = "METHOD_NOT_ALLOWED"
    status = 405


@dataclass
class Checked:
    """What a process remembers of a document text: its validation errors, and the (depth,
    cost) of each of its operations without variables once measured, by operation name."""

    errors: list[GraphQLError]
    costs: dict[str | None, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    checked: Checked


class GraphQLEngine:
    def __init__(
        self,
        schema: Schema,
        limits: Limits | None = None,
        *,
        introspection: bool = True,
        remembered: int = 1024,
    ) -> None:
        self.schema = schema
        self.graphql_schema = schema._schema
        self.limits = limits or Limits()
        self.introspection = introspection
        # Strawberry's own rules (maybe-null, one-of) after the specification's.
        rules: list[type[ASTValidationRule]] = [
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        ]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._documents: LRU[str, DocumentNode] = LRU(remembered)
        self._validated: LRU[str, Checked] = LRU(remembered)

    def prepare(self, query: str, operation_name: str | None, *, method: str) -> Prepared:
        """Parse and validate `query` and pick its operation; RequestError when it cannot run."""
        document = self._parse(query)
        check_document(document, self.limits)
        operation = _operation(document, operation_name)
        if method == "GET" and operation.operation != OperationType.QUERY:
            raise MethodNotAllowed(f"{operation.operation.value}s are only accepted over POST")
        checked = self._validated.get(query)
        if checked is None:
            errors = validate(
                self.graphql_schema,
                document,
                self.rules,
                max_errors=MAX_VALIDATION_ERRORS,
                # "Did you mean ...?" would reveal the schema that disabled introspection hides.
                hide_suggestions=not self.introspection,
            )
            checked = Checked(errors)
            self._validated.put(query, checked)
        if checked.errors:
            errors = checked.errors
            raise RequestError(
                errors[0].message, code="GRAPHQL_VALIDATION_FAILED", errors=list(errors)
            )
        return Prepared(document, operation, checked)

    def _parse(self, query: str) -> DocumentNode:
        document = self._documents.get(query)
        if document is None:
            try:
                document = parse(
                    query, max_tokens=self.limits.max_tokens, allow_empty_selection_sets=False
                )
            except GraphQLSyntaxError as exc:
                too_long = "tokens. Parsing aborted" in exc.message
                code = "TOO_MANY_TOKENS" if too_long else "GRAPHQL_PARSE_FAILED"
                raise RequestError(exc.message, code=code, errors=[exc]) from None
            self._documents.put(query, document)
        return document

    def coerce(self, prepared: Prepared, variables: dict[str, Any]) -> dict[str, Any]:
        """The variables coerced to their declared types (dates as dates, ints in range...);
        RequestError (BAD_USER_INPUT) when one does not fit, before anything is measured or run.
        """
        definitions = prepared.operation.variable_definitions or ()
        coerced = get_variable_values(
            self.graphql_schema,
            definitions,
            variables,
            max_errors=10,
            hide_suggestions=not self.introspection,
        )
        if isinstance(coerced, list):
            raise RequestError(coerced[0].message, code="BAD_USER_INPUT", errors=coerced)
        return coerced.coerced

    def cost(self, prepared: Prepared, variables: dict[str, Any]) -> dict[str, int]:
        """The operation's estimated cost (`requested`, `budget`) for coerced `variables`;
        QueryRejected when too deep, over budget, or a page size is out of range. Measured
        once per document for an operation without variables (about 2 % of a small uncached
        request: docs/benchmarks.md, run 4); a refused one is measured again each time."""
        operation = prepared.operation
        costs = prepared.checked.costs
        constant = not operation.variable_definitions
        name = _name(operation)
        measured = costs.get(name) if constant else None
        if measured is None or measured[1] > self.limits.cost_budget:  # the budget may be lowered
            measured = CostAnalysis(
                self.graphql_schema,
                prepared.document,
                operation,
                variables,
                budget=self.limits.cost_budget,
                max_first=MAX_FIRST,
            ).measure()
            if constant:
                costs[name] = measured
        depth, cost = measured
        if depth > self.limits.max_depth:
            raise QueryRejected(
                f"the query is {depth} levels deep; at most {self.limits.max_depth} are accepted",
                code="QUERY_TOO_DEEP",
            )
        return {"requested": cost, "budget": self.limits.cost_budget}

    async def execute(
        self, prepared: Prepared, variables: dict[str, Any] | None, context: Any
    ) -> ExecutionResult:
        executor = FastExecutor.build(
            self.graphql_schema,
            prepared.document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=_name(prepared.operation),
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard in spirit
        )
        if isinstance(executor, list):
            return ExecutionResult(None, errors=executor)
        try:
            result = executor.execute_operation()
            if optimized_is_awaitable(result):
                result = await result  # type: ignore[misc]
        finally:
            _release(executor)
        assert isinstance(result, ExecutionResult)
        return result


def _release(executor: Executor[Any]) -> None:
    """Break the executor's reference cycles once its answer is built, so that reference
    counting frees the request's objects at once (service/collector.py). graphql-core's
    executor holds its own bound methods (`async_helpers`): a cycle through everything it
    references. Work still running in the background keeps it whole."""
    if not executor.background_futures and not executor.pending_incremental_futures:
        executor.__dict__.clear()


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise RequestError("the document has no operation", code="GRAPHQL_VALIDATION_FAILED")
    if name is None:
        if len(operations) > 1:
            raise RequestError(
                "the document has several operations: give operationName",
                code="OPERATION_NAME_REQUIRED",
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise RequestError(f"the document has no operation named {name!r}", code="UNKNOWN_OPERATION")


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name is not None else None


def error_body(error: GraphQLError) -> dict[str, Any]:
    """The response form of an error: message, locations, path, extensions.code; never a
    traceback or a driver message (unexpected errors are logged and masked)."""
    original = error.original_error
    if isinstance(original, ShortflowError):
        message, code = original.message, _code(original)
    elif original is not None and not isinstance(original, GraphQLError):
        log.error("error in a resolver", exc_info=original)
        message, code = "an internal error occurred; it has been logged", "INTERNAL_SERVER_ERROR"
    else:
        message, code = error.message, (error.extensions or {}).get("code", "BAD_USER_INPUT")
    body: dict[str, Any] = {"message": bounded(message)}
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        body["path"] = error.path
    body["extensions"] = {"code": code}
    return body


def _code(error: ShortflowError) -> str:
    return "BAD_USER_INPUT" if isinstance(error, BadRequest) else error.code
