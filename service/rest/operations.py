"""A /v1 operation as declared (path, parameters, resource, docs) and the HTTP handling they share.

Each route is an `Operation`: its handler receives validated, typed arguments and returns records
(`Result`); everything HTTP is done here, once for all routes: parameter parsing, content
negotiation, JSON or streamed CSV (with the CSV's validator, known before its body; a JSON body's
`ETag` / `If-None-Match` is answered in front of the routes, see service/conditional.py),
`Cache-Control`, `Vary`, and the `Link: rel="next"` header of paginated lists. The OpenAPI
document (service/rest/openapi.py) is written from the same declarations.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from typing import Any, get_args, get_origin
from urllib.parse import quote, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from service import conditional
from service.analytics import ReadServices
from service.rest.formats import CSV, JSON, negotiate
from service.rest.params import FORMAT, Param, parse_request
from service.rest.resources import Resource
from service.rest.serialize import Shape, csv_chunks
from service.state import services


def _service_version() -> str:
    try:
        return version("shortflow")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0"


SERVICE_VERSION = _service_version()
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
"""What may stay unescaped in a path (RFC 3986 pchar and "/"); `<`, `>` and `"` may not, so a
path cannot break out of the `Link: <...>` syntax."""


@dataclass(frozen=True)
class Call:
    """What a handler gets: the analytics layer, typed arguments, and the date defaults use."""

    reads: ReadServices
    args: Mapping[str, Any]
    today: date


@dataclass
class Result:
    """What a handler returns: the record(s) of `data`, the next page's cursor, and any extra
    top-level fields of the JSON envelope (a screen's exclusion counts)."""

    data: Any
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Result]]


@dataclass(frozen=True)
class Operation:
    """One GET route of /v1, declared once for the router and the OpenAPI document."""

    path: str
    operation_id: str
    tag: str
    summary: str
    description: str
    params: tuple[Param, ...]
    envelope: type[Resource]
    handler: Handler
    example: dict[str, Any]
    not_found: tuple[str, str] | None = None
    """When the route answers 404, and an example message."""
    pivots: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        in_path = set(re.findall(r"{(\w+)}", self.path))
        declared = {p.name for p in self.params if p.location == "path"}
        if in_path != declared:
            raise ValueError(f"{self.path}: path parameters {in_path} declared as {declared}")

    @cached_property
    def item(self) -> type[Resource]:
        """The resource of `data` (the element type for a list)."""
        annotation = self.envelope.model_fields["data"].annotation
        inner = get_args(annotation)[0] if get_origin(annotation) is list else annotation
        if not (isinstance(inner, type) and issubclass(inner, Resource)):
            raise TypeError(f"{self.envelope.__name__}.data is not a resource or a list of one")
        return inner

    @cached_property
    def is_list(self) -> bool:
        return get_origin(self.envelope.model_fields["data"].annotation) is list

    @cached_property
    def paginated(self) -> bool:
        return any(p.name == "cursor" for p in self.params)

    @cached_property
    def shape(self) -> Shape:
        return Shape(self.item, self.pivots)

    @property
    def all_params(self) -> tuple[Param, ...]:
        return (*self.params, FORMAT)

    async def endpoint(self, request: Request) -> Response:
        """The Starlette endpoint of the route."""
        values = parse_request(
            self.all_params, request.path_params, request.query_params.multi_items()
        )
        media_type = negotiate(values.pop("format"), request.headers.get("accept"))
        app = services(request)
        keyed = app.settings.require_api_key
        headers = {
            "Cache-Control": conditional.cache_control(shared=not keyed),
            "Vary": conditional.vary(keyed=keyed),
        }
        call = Call(reads=app.reads, args=values, today=date.today())
        if media_type == CSV:
            return await self._csv(request, call, headers)
        result = await self.handler(call)
        body = orjson.dumps(self._envelope(result), option=orjson.OPT_NON_STR_KEYS)
        self._link(request, result, headers)
        # Its ETag and a 304 come from the response cache's relay, in front of every /v1 GET
        # whether the cache is on or off (service/conditional.py).
        return Response(body, headers=headers, media_type=JSON)

    async def _csv(self, request: Request, call: Call, headers: dict[str, str]) -> Response:
        # The validator comes from the dataset versions, so a revalidation costs one small query
        # and no data is read when the caller already has the current body.
        versions = {d.name: d.version for d in await call.reads.runs.datasets()}
        key = conditional.request_key(
            request.url.path,
            request.query_params.multi_items(),
            representation=CSV,
            context=(call.today.isoformat(), SERVICE_VERSION),
        )
        etag = conditional.versioned_etag(versions, key)
        if conditional.is_not_modified(request.headers.get("if-none-match"), etag):
            return conditional.not_modified(etag, headers)
        result = await self.handler(call)
        self._link(request, result, headers)
        records = result.data if self.is_list else [result.data]
        return StreamingResponse(
            csv_chunks(self.shape, records),
            media_type=f"{CSV}; charset=utf-8",
            headers={**headers, "ETag": etag},
        )

    def _envelope(self, result: Result) -> dict[str, Any]:
        if not self.is_list:
            return {"data": self.shape.json(result.data)}
        return {
            "data": [self.shape.json(record) for record in result.data],
            "next_cursor": result.next_cursor,
            **result.extra,
        }

    def _link(self, request: Request, result: Result, headers: dict[str, str]) -> None:
        if result.next_cursor is not None:
            url = next_page_url(request, result.next_cursor, services(request).settings.public_url)
            headers["Link"] = f'<{url}>; rel="next"'


def next_page_url(request: Request, cursor: str, public_url: str | None) -> str:
    """The URL of the next page: this request's path and parameters with `cursor` replaced.

    Relative, or under the configured public URL: never from the request's Host or X-Forwarded-*
    headers, which the response cache does not key on (one `Host: evil.example` request would
    otherwise put its link in every cached copy, and partners would send their keys there).
    """
    path = quote(request.scope.get("root_path", "") + request.scope["path"], safe=_PATH_SAFE)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    target = f"{path}?{urlencode([*params, ('cursor', cursor)])}"
    return f"{public_url}{target}" if public_url else target
