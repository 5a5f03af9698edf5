"""Every error code of service/errors.py, rendered by both renderers (service/error_responses)."""

from __future__ import annotations

import inspect

import httpx
import orjson
import pytest
from starlette.types import Message, Scope

from service import errors
from service.error_responses import error_for, send_error
from service.errors import RateLimited, SchemaNotMigrated, ShortflowError

ERROR_TYPES = sorted(
    (
        member
        for _, member in inspect.getmembers(errors, inspect.isclass)
        if issubclass(member, ShortflowError) and member.__module__ == errors.__name__
    ),
    key=lambda kind: kind.__name__,
)


def _instance(kind: type[ShortflowError]) -> ShortflowError:
    if kind is SchemaNotMigrated:
        return SchemaNotMigrated()
    if issubclass(kind, RateLimited):
        return kind("slow down", retry_after=2.0)
    return kind(f"what went wrong ({kind.__name__})")


def _scope(path: str, accept: str = "application/json") -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"accept", accept.encode())],
    }


def test_the_codes_are_distinct_and_every_type_is_covered() -> None:
    codes = [kind.code for kind in ERROR_TYPES]
    assert len(codes) == len(set(codes))
    # The ones a user meets most, so a broken enumeration (an empty list) fails here.
    assert {"BAD_REQUEST", "NOT_FOUND", "RATE_LIMITED", "PAYLOAD_TOO_LARGE"} <= set(codes)


@pytest.mark.parametrize("kind", ERROR_TYPES, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("path", ["/v1/securities", "/healthz"])
def test_rest_and_other_requests_get_the_rest_envelope(
    kind: type[ShortflowError], path: str
) -> None:
    exc = _instance(kind)
    response = error_for(_scope(path), exc.status, exc.code, exc.message, {"Retry-After": "5"})
    assert response.status_code == exc.status
    assert orjson.loads(response.body) == {"error": {"code": exc.code, "message": exc.message}}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-length"] == str(len(response.body))


@pytest.mark.parametrize("kind", ERROR_TYPES, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_graphql_requests_get_a_graphql_response(kind: type[ShortflowError], accept: str) -> None:
    exc = _instance(kind)
    response = error_for(_scope("/graphql", accept), exc.status, exc.code, exc.message)
    assert response.status_code == exc.status
    assert orjson.loads(response.body) == {
        "errors": [{"message": exc.message, "extensions": {"code": exc.code}}]
    }
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("kind", ERROR_TYPES, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("path", ["/v1/indexes", "/graphql"])
async def test_a_middleware_refusal_is_rendered_the_same_way(
    kind: type[ShortflowError], path: str
) -> None:
    exc = _instance(kind)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = _scope(path)
    await send_error(scope, send, exc, [(b"retry-after", b"7")])
    expected = error_for(_scope(path), exc.status, exc.code, exc.message)
    start, body = sent
    assert start["status"] == exc.status
    assert start["headers"] == [*expected.raw_headers, (b"retry-after", b"7")]
    assert body["body"] == expected.body
    shape = "errors" if path == "/graphql" else "error"
    assert shape in orjson.loads(body["body"])


async def test_a_graphql_request_refused_by_the_router_gets_a_graphql_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "PUT is not allowed on /graphql",
                "extensions": {"code": "METHOD_NOT_ALLOWED"},
            }
        ]
    }
    assert "POST" in response.headers["allow"]
    rest = await client.put("/v1/securities")
    assert rest.status_code == 405
    assert rest.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
