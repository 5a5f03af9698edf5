"""How an error leaves the service: one renderer per API, chosen by the kind of the request.

- REST (and everything that is not GraphQL: probes, documents, the web pages):
  `{"error": {"code", "message"}}`, `application/json` (`rest_error`).
- GraphQL: `{"errors": [{"message", "extensions": {"code"}}]}`, with `Cache-Control: no-store`
  since an error depends on the moment or the request and no cache may keep it
  (`graphql_error`).

Every producer renders through these: the exception handlers and the last-resort 500 of
service/web.py, the refusals of the access middleware and the request deadline, the 413 of the
response cache, the GraphQL endpoint. `error_for` chooses the renderer by the kind
service/request_kind.py decided, so a GraphQL client never gets a REST envelope (nor the reverse),
whichever layer refused its request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Scope, Send

from service.errors import ShortflowError

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
    # Imported here: request_kind reads headers with service.web, which renders through here.
    from service.request_kind import Kind, request_kind

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
