"""`/graphql` over HTTP, following the GraphQL-over-HTTP specification.

- POST with a JSON body (`application/json`), or GET with the request in the query string
  (queries only: a mutation over GET is 405). Any other request body type is 415.
- Responses are `application/graphql-response+json` when the client asks for it, where a
  request error (syntax, validation, variables, limits) is a 4xx; otherwise (`application/json`,
  `*/*` or no Accept header) `application/json`, where well-formed GraphQL requests answer 200
  and carry their errors in the body. A client accepting neither gets 406.
- A browser (Accept: text/html) without a query gets GraphiQL, served from the service itself.
- Postgres unavailable during execution: 503 with Retry-After; the body is still GraphQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from service.accept import accept_ranges, quality
from service.access.ratelimit import tokens_for_cost
from service.cache.middleware import COST_TOKENS_HEADER
from service.cache.persisted import PersistedQueryNotFound, requested_hash
from service.conditional import cache_control, vary
from service.db.pool import current_query_stats
from service.error_responses import (
    graphql_error,
    graphql_error_entry,
    graphql_response,
    retry_headers,
)
from service.errors import BadRequest, RateLimited, ShortflowError
from service.graphql.context import Context
from service.graphql.engine import GraphQLEngine, MethodNotAllowed, RequestError, error_body
from service.graphql.graphiql import graphiql_page
from service.graphql.limits import QueryRejected
from service.request_kind import Kind, request_kind
from service.state import Services, request_caller, services

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when nothing fits (406).

    application/graphql-response+json only when the client names it (a wildcard means the
    long-standing application/json), and it wins a tie with application/json, as the
    GraphQL-over-HTTP specification prefers."""
    if not accept or not accept.strip():
        return JSON
    ranges = accept_ranges(accept)
    graphql_q = quality(GRAPHQL_RESPONSE, ranges, wildcards=False)
    json_q = quality(JSON, ranges)
    if graphql_q <= 0 and json_q <= 0:
        return None
    return GRAPHQL_RESPONSE if graphql_q >= json_q else JSON


def _params(request: Request, body: bytes) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):
            if params.get(key):
                try:
                    params[key] = orjson.loads(params[key])
                except orjson.JSONDecodeError:
                    raise _HTTPError(400, f"`{key}` is not valid JSON") from None
            else:
                params.pop(key, None)
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise _HTTPError(415, "POST /graphql takes a JSON body (Content-Type: application/json)")
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _HTTPError(400, "the body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise _HTTPError(400, "the body must be a JSON object (batching is not supported)")
    return parsed


def _check(
    params: dict[str, Any],
) -> tuple[str | None, str | None, dict[str, Any], dict[str, Any]]:
    query = params.get("query")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise _HTTPError(400, "`query` must be a non-empty GraphQL document")
    name = params.get("operationName")
    if name is not None and not isinstance(name, str):
        raise _HTTPError(400, "`operationName` must be a string or null")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise _HTTPError(400, "`variables` must be an object or null")
    extensions = params.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _HTTPError(400, "`extensions` must be an object or null")
    return query, name or None, variables or {}, extensions or {}


async def _document(app: Services, query: str | None, sha: str | None) -> str:
    """The document to run: the query sent, or the persisted query its hash names."""
    if sha is not None:
        return await app.persisted.lookup(sha, query)
    if query is None:
        raise _HTTPError(400, "a GraphQL request needs a non-empty `query` string")
    return query


def _caller_id(request: Request) -> str:
    caller = request_caller(request.scope)
    return caller.id if caller is not None else "anonymous"


def _error(
    status: int,
    media: str,
    errors: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
    cost: dict[str, Any] | None = None,
) -> Response:
    extensions = {"cost": cost} if cost is not None else None
    return graphql_error(
        status, errors, extensions=extensions, media_type=f"{media}; charset=utf-8", headers=headers
    )


async def graphql_endpoint(request: Request) -> Response:
    app = services(request)
    settings = app.settings
    if request_kind(request.scope) is Kind.GRAPHIQL_PAGE:
        if settings.graphiql:
            return HTMLResponse(graphiql_page(), headers=GRAPHIQL_HEADERS)
        return _error(404, JSON, [graphql_error_entry("GraphiQL is disabled", "NOT_FOUND")])
    media = negotiate(request.headers.get("accept"))
    if media is None:
        return Response(
            b"Accept application/graphql-response+json or application/json",
            406,
            media_type="text/plain",
        )
    body = await request.body() if request.method == "POST" else b""
    cost: dict[str, Any] | None = None
    try:
        sent, name, variables, extensions = _check(_params(request, body))
        sha = requested_hash(extensions)
        query = await _document(app, sent, sha)
        engine: GraphQLEngine = app.graphql
        prepared = engine.prepare(query, name, method=request.method)
        coerced = engine.coerce(prepared, variables)
        try:
            cost = engine.cost(prepared, coerced)
        except QueryRejected as exc:
            # A refusal is charged like the largest query that would have run: the budget.
            if exc.cost is not None:
                await _spend_cost(request, min(exc.cost["requested"], exc.cost["budget"]))
            raise
        await _spend_cost(request, cost["requested"])
        if sha is not None and sent is not None:
            # Remembered only once it is known to be a valid document, within the limits.
            await app.persisted.register(sha, sent, _caller_id(request))
        context = Context(reads=app.reads, today=date.today())
        stats = current_query_stats()
        before = stats.count if stats is not None else 0
        try:
            result = await engine.execute(prepared, variables, context)
        finally:
            context.release()
        if stats is not None:
            # The round trips the query actually made, beside the estimate it was charged.
            cost["actualQueries"] = stats.count - before
    except _HTTPError as exc:
        entry = graphql_error_entry(exc.message, "BAD_REQUEST")
        return _error(exc.status, media, [entry], exc.headers)
    except RateLimited as exc:
        throttle = _with_throttle(request, cost)
        headers = retry_headers(exc, settings.retry_after_s)
        return _error(429, media, [graphql_error_entry(exc.message, exc.code)], headers, throttle)
    except MethodNotAllowed as exc:
        entry = graphql_error_entry(exc.message, exc.code)
        return _error(405, media, [entry], {"Allow": "POST"})
    except PersistedQueryNotFound as exc:
        # Apollo's clients expect this one with 200, whatever the media type: they then resend
        # the query with its hash.
        return _error(200, media, [graphql_error_entry(exc.message, exc.code)])
    except BadRequest as exc:
        status = 400 if media == GRAPHQL_RESPONSE else 200
        return _error(status, media, [graphql_error_entry(exc.message, exc.code)])
    except (RequestError, QueryRejected) as exc:
        status = 400 if media == GRAPHQL_RESPONSE else 200
        if isinstance(exc, RequestError):
            bodies = [error_body(error) for error in exc.errors]
            for body_ in bodies:
                body_["extensions"] = {"code": exc.code}
            return _error(status, media, bodies)
        refused = _with_throttle(request, exc.cost) if exc.cost is not None else None
        return _error(status, media, [graphql_error_entry(exc.message, exc.code)], cost=refused)
    assert cost is not None
    response = _result(result, cost, media, settings.retry_after_s)
    if response.status_code == 200 and not result.errors:
        tokens = tokens_for_cost(cost["requested"])
        if tokens:
            # What a cached copy of this answer must spend too (read by the response cache).
            response.headers[COST_TOKENS_HEADER.decode()] = str(tokens)
        if request.method == "GET":
            response.headers["Cache-Control"] = cache_control(shared=not settings.require_api_key)
            response.headers["Vary"] = vary(keyed=settings.require_api_key)
    return response


def _with_throttle(request: Request, cost: dict[str, Any] | None) -> dict[str, Any]:
    """A refusal's cost report with the caller's budget (as Shopify's `throttleStatus`), in
    rate-limit tokens: what a client needs to know when to try again. Refusals are never
    cached, so this is the caller's own state; successful answers may be shared from the cache
    and carry the same figures in their RateLimit-* headers instead."""
    report: dict[str, Any] = dict(cost or {})
    caller = request_caller(request.scope)
    if caller is not None and caller.decision is not None and caller.decision.limit:
        report["throttleStatus"] = {
            "maximumAvailable": caller.limit,
            "currentlyAvailable": max(0, caller.decision.remaining),
            "restoreRate": round(caller.limit / 60, 4),
        }
    return report


async def _spend_cost(request: Request, cost: int) -> None:
    """Spend the query's cost from the caller's rate-limit budget (RateLimited when spent)."""
    caller = request_caller(request.scope)
    tokens = tokens_for_cost(cost)
    if caller is not None and tokens:
        await caller.spend(tokens)


def _result(
    result: ExecutionResult, cost: dict[str, Any], media: str, retry_after: int
) -> Response:
    payload: dict[str, Any] = {}
    headers: dict[str, str] = {}
    status = 200
    if result.errors:
        payload["errors"] = [error_body(error) for error in result.errors]
        unavailable = [
            e.original_error
            for e in result.errors
            if isinstance(e.original_error, ShortflowError) and e.original_error.status == 503
        ]
        if unavailable:
            status = 503
            headers = retry_headers(unavailable[0], retry_after)
        elif result.data is None and all(not error.path for error in result.errors):
            # Variables that do not fit their types: a request error, nothing was executed.
            for error in payload["errors"]:
                error["extensions"]["code"] = "BAD_USER_INPUT"
            status = 400 if media == GRAPHQL_RESPONSE else 200
    if result.data is not None or status == 200:
        payload["data"] = result.data
    payload["extensions"] = {"cost": cost}
    return graphql_response(payload, status, media_type=f"{media}; charset=utf-8", headers=headers)


GRAPHIQL_HEADERS = {
    # Everything the page loads comes from this service: no CDN, no outside connection.
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; script-src 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
}
