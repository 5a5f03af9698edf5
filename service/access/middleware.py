"""Who is calling, may they, and at what rate: one ASGI middleware in front of /v1 and /graphql.

For every metered request (REST under /v1, GraphQL queries at /graphql; not the GraphiQL page,
static assets, probes, /metrics or the API documents) it

1. reads the API key the request presents (`Authorization: Bearer` or `X-API-Key`): a malformed,
   unknown or revoked key is 401 even when keys are optional, so a partner learns of a bad key;
2. refuses anonymous callers with 401 when `SHORTFLOW_REQUIRE_API_KEY=true`;
3. spends one token of the caller's budget (a key's own limit, or the anonymous per-IP limit):
   429 with `Retry-After` when it is spent;
4. leaves the `Caller` in the request state (GraphQL spends its query cost through it) and adds
   `RateLimit-Limit/Remaining/Reset/Policy` to the response.

Errors are answered in the shape of the API asked: `{"error": {...}}` for REST, a GraphQL
response (`errors[].extensions.code`) for /graphql.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.access.keys import presented_key
from service.access.ratelimit import Decision
from service.db.repositories.keys import ApiKey
from service.errors import DatabaseUnavailable, RateLimited, ShortflowError, Unauthorized
from service.state import Services
from service.web import header

EXEMPT_PREFIXES = ("/graphql/static",)


@dataclass(slots=True)
class Caller:
    """The identity a request is metered under."""

    id: str
    tier: str
    limit: int
    services: Services
    key: ApiKey | None = None
    decision: Decision | None = None

    async def spend(self, tokens: int) -> Decision:
        """Spend more of the caller's budget (a GraphQL query's cost); RateLimited when spent."""
        limiter = self.services.limiter
        decision = await limiter.spend(self.id, self.limit, tokens)
        if not limiter.enabled:
            return decision
        self.decision = decision
        if not decision.allowed:
            self.services.metrics.rate_limited.labels(self.tier).inc()
            raise RateLimited(
                f"rate limit of {self.limit} requests per minute exceeded "
                f"({'API key ' + self.key.prefix if self.key else 'anonymous, by IP'})",
                retry_after=decision.retry_after_s,
            )
        return decision


def metered(scope: Scope) -> bool:
    """Whether a request is subject to keys and limits."""
    path: str = scope["path"]
    if scope["method"] == "OPTIONS":
        return False
    if path.startswith("/v1/") or path == "/v1":
        return True
    if path != "/graphql":
        return False
    if scope["method"] == "GET" and b"query=" not in scope.get("query_string", b""):
        # The GraphiQL page (a browser without a query) is a static document.
        return "text/html" not in (header(scope, b"accept") or "")
    return True


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not metered(scope):
            await self.app(scope, receive, send)
            return
        services: Services = scope["state"]["shortflow"]
        try:
            caller = await identify(scope, services)
        except ShortflowError as exc:
            await reject(scope, send, exc, _retry_headers(exc, services))
            return
        try:
            await caller.spend(1)
        except RateLimited as exc:
            assert caller.decision is not None
            await reject(scope, send, exc, caller.decision.headers())
            return
        scope["state"]["caller"] = caller
        if not services.limiter.enabled:
            # No limit applies, so no RateLimit-* headers to add: skip the send wrapper.
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start" and caller.decision is not None:
                message["headers"] = [*message.get("headers", []), *caller.decision.headers()]
            await send(message)

        await self.app(scope, receive, send_with_limits)


async def identify(scope: Scope, services: Services) -> Caller:
    """The caller of a request (see module docstring); Unauthorized when not allowed in."""
    settings = services.settings
    authorization = key_header = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"x-api-key":
            key_header = value.decode("latin-1")
    key = presented_key(authorization, key_header)
    if key is not None:
        found = await services.keys.resolve(key)
        return Caller(f"key:{found.id}", "key", found.rate_limit_per_minute, services, found)
    if settings.require_api_key:
        raise Unauthorized(
            "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
        )
    client = scope.get("client")
    address = client[0] if client else "unknown"
    return Caller(f"ip:{address}", "anonymous", settings.anonymous_rate_limit, services)


def _retry_headers(exc: ShortflowError, services: Services) -> list[tuple[bytes, bytes]]:
    if isinstance(exc, Unauthorized):
        return [(b"www-authenticate", b'Bearer realm="shortflow"')]
    if isinstance(exc, DatabaseUnavailable):
        return [(b"retry-after", str(services.settings.retry_after_s).encode())]
    return []


async def reject(
    scope: Scope, send: Send, exc: ShortflowError, headers: list[tuple[bytes, bytes]]
) -> None:
    """Answer a refused request in the shape of the API it asked (REST or GraphQL)."""
    payload: dict[str, Any]
    if scope["path"] == "/graphql":
        payload = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
    else:
        payload = {"error": {"code": exc.code, "message": exc.message}}
    body = orjson.dumps(payload)
    start = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": exc.status, "headers": start})
    await send({"type": "http.response.body", "body": body})
