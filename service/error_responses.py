"""How an error leaves the service: one renderer per API, chosen by the kind of the request.

- REST (and everything that is not GraphQL: probes, documents, the web pages):
  `{"error": {"code", "message"}}`, `application/json` (`rest_error`).
- GraphQL: `{"errors": [{"message", "extensions": {"code"}}]}`, with `Cache-Control: no-store`
  since an error depends on the moment or the request and no cache may keep it
  (`graphql_error`).

Every producer renders through these: the exception handlers and the last-resort 500 of
service/request_context.py, the refusals of the access middleware and the request deadline, the
413 of the
response cache, the GraphQL endpoint. `error_for` chooses the renderer by the kind
service/request_kind.py decided, so a GraphQL client never gets a REST envelope (nor the reverse),
whichever layer refused its request. The app's exception handlers (`EXCEPTION_HANDLERS`: a
`ShortflowError` keeps its code and status, Starlette's 404/405 become NOT_FOUND and
METHOD_NOT_ALLOWED) and the Retry-After of failures that pass with time are here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from service.errors import (
    ECHO_LIMIT,
    DatabaseBusy,
    DatabaseUnavailable,
    QueryTimeout,
    RateLimited,
    RequestTimeout,
    ShortflowError,
)
from service.request_kind import Kind, request_kind
from service.settings import DEFAULT_RETRY_AFTER_S

JSON = "application/json"
INTERNAL_ERROR_MESSAGE = "an internal error occurred; it has been logged"
"""The whole message of an unexpected failure: its details go to the log only."""


def rest_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The REST error: `{"error": {"code", "message"}}` with `status` and `headers`."""
    body = orjson.dumps({"error": {"code": code, "message": message}})
    return Response(body, status, headers=headers, media_type=JSON)


def graphql_error_entry(message: str, code: str) -> dict[str, Any]:
    """One entry of a GraphQL `errors` list: the message and `extensions.code`."""
    return {"message": message, "extensions": {"code": code}}


def graphql_response(
    payload: Mapping[str, Any],
    status: int,
    *,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A GraphQL response body as sent; one carrying errors (or not a 200) is never stored."""
    if status != 200 or "errors" in payload:
        # Errors depend on the moment (limits, outages) or the request: never kept by a cache.
        headers = {"Cache-Control": "no-store", **(headers or {})}
    return Response(orjson.dumps(payload), status, headers=headers, media_type=media_type)


def graphql_error(
    status: int,
    errors: Sequence[Mapping[str, Any]],
    *,
    extensions: Mapping[str, Any] | None = None,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The GraphQL error: `{"errors": [...]}` (entries as `graphql_error_entry` builds them),
    with the response-level `extensions` (a refused query's cost) when there are any."""
    payload: dict[str, Any] = {"errors": list(errors)}
    if extensions is not None:
        payload["extensions"] = extensions
    return graphql_response(payload, status, media_type=media_type, headers=headers)


def error_for(
    scope: Scope, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The error in the shape of the API the request in `scope` asked."""
    if request_kind(scope) in (Kind.GRAPHQL, Kind.GRAPHIQL_PAGE):
        return graphql_error(status, [graphql_error_entry(message, code)], headers=headers)
    return rest_error(status, code, message, headers)


async def send_error(
    scope: Scope,
    send: Send,
    exc: ShortflowError,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Answer `exc` from a middleware (no route ran), in the shape of the API asked, with
    `headers` (raw ASGI pairs: Retry-After, RateLimit-*, WWW-Authenticate) added."""
    response = error_for(scope, exc.status, exc.code, exc.message)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": [*response.raw_headers, *headers],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


# -- The app's exception handlers and Retry-After --------------------------------------------

_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def retry_headers(exc: ShortflowError, retry_after_s: int) -> dict[str, str]:
    """Retry-After for failures that pass with time."""
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(max(1, round(exc.retry_after + 0.5)))}
    if isinstance(exc, DatabaseUnavailable | DatabaseBusy | QueryTimeout | RequestTimeout):
        return {"Retry-After": str(retry_after_s)}
    return {}


def retry_header_pairs(exc: ShortflowError, retry_after_s: int) -> list[tuple[bytes, bytes]]:
    """`retry_headers` as raw ASGI header pairs, for answers sent by middleware."""
    return [(k.lower().encode(), v.encode()) for k, v in retry_headers(exc, retry_after_s).items()]


def retry_after_setting(scope: Scope) -> int:
    """The configured Retry-After for 503s (its default before the lifespan built the settings)."""
    services = scope.get("state", {}).get("shortflow")
    return services.settings.retry_after_s if services is not None else DEFAULT_RETRY_AFTER_S


async def handle_shortflow_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShortflowError)
    headers = retry_headers(exc, retry_after_setting(request.scope))
    return error_for(request.scope, exc.status, exc.code, exc.message, headers)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
    message = exc.detail if isinstance(exc.detail, str) else code
    path = request.url.path
    if len(path) > ECHO_LIMIT:
        path = f"{path[:ECHO_LIMIT]}... ({len(path):,} characters)"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route for {path}"
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = f"{request.method} is not allowed on {path}"
    return error_for(request.scope, exc.status_code, code, message, dict(exc.headers or {}))


EXCEPTION_HANDLERS = {
    ShortflowError: handle_shortflow_error,
    HTTPException: handle_http_exception,
}
