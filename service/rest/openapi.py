"""`GET /openapi.json`: the OpenAPI 3.1 document of /v1, generated from the route declarations.

Paths and parameters come from the `Operation`s of service/rest/routes.py, response schemas from
the resource classes (`pydantic.TypeAdapter(...).json_schema()`), so the document cannot describe
a parameter or a field the code does not have. `shortflow export-schema` writes it to
schema/openapi.json, and tests/rest/test_openapi.py fails when that file is stale.

The document also describes what wraps every route: API keys (`Authorization: Bearer` or
`X-API-Key`, optional unless the deployment requires them), rate limits (429 with `Retry-After`
and `RateLimit-*` headers), conditional GET (ETag, 304) and 503 while Postgres is unavailable.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

import orjson
from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from service.rest.operations import SERVICE_VERSION, Operation
from service.rest.resources import Error, Resource
from service.rest.routes import OPERATIONS
from service.rest.serialize import csv_text

REF = "#/components/schemas/{model}"

DESCRIPTION = """\
Shortflow serves US short interest (FINRA, twice a month), Reg SHO daily short volume, prices,
ETF fund flows, index short exposure and a squeeze screen. Every metric has one definition,
shared with the GraphQL API at `/graphql` (field names here are the snake_case of the GraphQL
names, with the same units).

- **Representations**: JSON by default; CSV with `?format=csv` or `Accept: text/csv` (a header
  row, one row per item; nested objects become prefixed columns, flags are joined with `;`).
- **Lists**: `{"data": [...], "next_cursor": "..." | null}`. Paginated lists take `limit` and
  `cursor` and send `Link: <...>; rel="next"` while there is a next page; the date series return
  their whole range.
- **Errors**: `{"error": {"code", "message"}}`; a bad or unknown parameter is a 400 that names it.
- **Caching**: every 200 has an `ETag`; send it back as `If-None-Match` to get a 304. Data
  changes only when an ingest runs, so responses may be reused for 60 s
  (`Cache-Control: max-age=60, stale-while-revalidate=300`).
- **API keys**: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Optional unless the
  deployment sets `SHORTFLOW_REQUIRE_API_KEY=true`; without a key, a lower per-IP limit applies.
"""

SECURITY_SCHEMES = {
    "bearerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (`shortflow keys create`) as `Authorization: Bearer <key>`.",
    },
    "headerKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The same API key as `X-API-Key: <key>`.",
    },
}
# `{}` first: anonymous access is allowed unless the deployment requires a key (then 401).
SECURITY: list[dict[str, list[str]]] = [{}, {"bearerKey": []}, {"headerKey": []}]


def _header(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "schema": schema}


_INT = {"type": "integer"}
_STRING = {"type": "string"}
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": _header(
        "Strong validator of the representation; send it as If-None-Match to revalidate.",
        _STRING,
    ),
    "Cache-Control": _header(
        "public (private when API keys are required), max-age=60, stale-while-revalidate=300.",
        _STRING,
    ),
    "Vary": _header(
        "Accept: the representation depends on it (and Authorization, X-API-Key when the "
        "deployment requires API keys).",
        _STRING,
    ),
    "Link": _header(
        '`<url>; rel="next"` while a next page exists: a relative URL, or one under the '
        "deployment's public URL.",
        _STRING,
    ),
    "Retry-After": _header("Seconds to wait before retrying.", _INT),
    "RateLimit-Limit": _header("Requests allowed per minute for this caller.", _INT),
    "RateLimit-Remaining": _header("Requests left in the current window.", _INT),
    "RateLimit-Reset": _header("Seconds until the budget is full again.", _INT),
    "RateLimit-Policy": _header("The limit and its window, e.g. `600;w=60`.", _STRING),
}
_RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")


def _headers_ref(*names: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    for name in names:
        if name in required:
            refs[name] = {**HEADERS[name], "required": True}
        else:
            refs[name] = {"$ref": f"#/components/headers/{name}"}
    return refs


def _error_response(description: str, example: tuple[str, str], *headers: str) -> dict[str, Any]:
    code, message = example
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": REF.format(model="Error")},
                "example": {"error": {"code": code, "message": message}},
            }
        },
    }
    if headers:
        response["headers"] = _headers_ref(*headers, required=("Retry-After",))
    return response


RESPONSES = {
    "BadRequest": _error_response(
        "A parameter is invalid or unknown; the message names it and says what is allowed.",
        (
            "INVALID_PARAMETER",
            "parameter `limit`: '5000' is out of range; expected a whole number from 1 to 1000 "
            "(default 100)",
        ),
    ),
    "Unauthorized": _error_response(
        "No API key where one is required, or a malformed, unknown or revoked key.",
        (
            "UNAUTHORIZED",
            "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
        ),
    ),
    "NotAcceptable": _error_response(
        "The Accept header allows neither application/json nor text/csv.",
        ("NOT_ACCEPTABLE", "Accept: 'text/html' allows neither application/json nor text/csv"),
    ),
    "RateLimited": _error_response(
        "The caller's requests-per-minute budget is spent; retry after Retry-After seconds.",
        ("RATE_LIMITED", "rate limit of 600 requests per minute exceeded"),
        "Retry-After",
        *_RATE_HEADERS,
    ),
    "Unavailable": _error_response(
        "Postgres is unreachable or a query timed out; retry after Retry-After seconds.",
        ("DATABASE_UNAVAILABLE", "the database is unavailable; retry shortly"),
        "Retry-After",
    ),
    "NotModified": {
        "description": "The representation matching If-None-Match is still current (no body).",
        "headers": _headers_ref("ETag", "Cache-Control", "Vary", required=("ETag",)),
    },
}

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETag(s) of representations the caller has (or `*`): 304 when one is current.",
    "schema": {"type": "string"},
}


def _as_record(value: Any) -> Any:
    """An example JSON value read like a record (attributes), for the CSV example."""
    if isinstance(value, dict):
        return SimpleNamespace(**{key: _as_record(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_as_record(item) for item in value]
    return value


def _csv_example(operation: Operation) -> str:
    """The operation's JSON example as its CSV representation (first two rows)."""
    data = _as_record(operation.example["data"])
    records = data[:2] if isinstance(data, list) else [data]
    return csv_text(operation.shape, records, header=True)


def _operation(operation: Operation, schema_name: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": operation.envelope.__doc__ or "OK",
            "headers": _headers_ref(
                "ETag",
                "Cache-Control",
                "Vary",
                *(("Link",) if operation.paginated else ()),
                *_RATE_HEADERS,
                required=("ETag", "Cache-Control"),
            ),
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model=schema_name)},
                    "example": operation.example,
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": _csv_example(operation),
                },
            },
        },
        "304": {"$ref": "#/components/responses/NotModified"},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
    }
    if operation.not_found:
        when, message = operation.not_found
        responses["404"] = _error_response(when, ("NOT_FOUND", message))
    responses["406"] = {"$ref": "#/components/responses/NotAcceptable"}
    responses["429"] = {"$ref": "#/components/responses/RateLimited"}
    responses["503"] = {"$ref": "#/components/responses/Unavailable"}
    return {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
        "description": operation.description,
        "parameters": [p.openapi() for p in operation.all_params] + [IF_NONE_MATCH],
        "responses": responses,
        "security": SECURITY,
    }


def _schemas(models: list[type[Resource]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in models:
        schema = TypeAdapter(model).json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return dict(sorted(schemas.items()))


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /v1."""
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths[operation.path] = {"get": _operation(operation, operation.envelope.__name__)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shortflow REST API",
            "version": SERVICE_VERSION,
            "summary": "US short interest and ETF fund flows over HTTP.",
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/", "description": "This service."}],
        "tags": [
            {"name": "securities", "description": "Securities and their daily and FINRA series."},
            {"name": "funds", "description": "ETF fund flows."},
            {"name": "indexes", "description": "Indexes and their index-level short exposure."},
            {"name": "screens", "description": "Screens over the whole market or an index."},
            {"name": "calendar", "description": "FINRA's settlement and publication dates."},
        ],
        "paths": paths,
        "components": {
            "schemas": _schemas([*(op.envelope for op in OPERATIONS), Error]),
            "responses": RESPONSES,
            "headers": HEADERS,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


@cache
def openapi_json() -> bytes:
    """The document as served and exported: stable key order, two-space indents, final newline."""
    return orjson.dumps(openapi_document(), option=orjson.OPT_INDENT_2) + b"\n"


async def openapi_endpoint(request: Request) -> Response:
    return Response(openapi_json(), media_type="application/json")
