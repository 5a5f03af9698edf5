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

import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from service.access.client import ClientResolver
from service.access.keys import presented_key
from service.access.ratelimit import Decision
from service.db.repositories.keys import ApiKey
from service.error_responses import retry_header_pairs, send_error
from service.errors import RateLimited, ShortflowError, Unauthorized
from service.request_kind import is_metered
from service.state import CALLER, Services


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


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._clients: ClientResolver | None = None
        self._in_flight: dict[str, int] = {}
        # Client buckets whose bad keys exhausted their budget, until when (monotonic): their
        # next keyed requests are refused here, without a Postgres lookup per guess.
        self._refused_until: dict[str, float] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_metered(scope):
            await self.app(scope, receive, send)
            return
        services: Services = scope["state"]["shortflow"]
        if self._clients is None:
            self._clients = ClientResolver(services.settings.trusted_proxies)
        client = self._clients.bucket(scope)
        try:
            caller = await self._identify(scope, services, client)
        except RateLimited as exc:
            await reject(scope, send, exc, _refusal_headers(exc, services))
            return
        except ShortflowError as exc:
            await reject(scope, send, exc, _refusal_headers(exc, services))
            return
        try:
            await caller.spend(1)
        except RateLimited as exc:
            assert caller.decision is not None
            await reject(scope, send, exc, caller.decision.headers())
            return
        if not services.limiter.enabled:
            # No limit applies: no concurrency cap, no RateLimit-* headers to add.
            scope[CALLER] = caller
            await self.app(scope, receive, send)
            return
        in_flight = self._in_flight.get(caller.id, 0)
        if in_flight >= services.settings.max_concurrent_per_caller:
            services.metrics.rate_limited.labels(caller.tier).inc()
            busy = RateLimited(
                f"at most {services.settings.max_concurrent_per_caller} requests of one caller "
                "may be in flight at once; wait for an answer before sending more",
                retry_after=1,
            )
            await reject(scope, send, busy, _refusal_headers(busy, services))
            return
        self._in_flight[caller.id] = in_flight + 1
        try:
            await self._call(scope, receive, send, caller, services)
        finally:
            left = self._in_flight.pop(caller.id, 1) - 1
            if left > 0:
                self._in_flight[caller.id] = left

    async def _call(
        self, scope: Scope, receive: Receive, send: Send, caller: Caller, services: Services
    ) -> None:
        # The caller's RateLimit-* headers (its decision when the answer starts, after a GraphQL
        # query spent its cost) are added by RequestContextMiddleware, which rewrites every
        # answer's headers anyway: one wrapper of `send` less per request.
        scope[CALLER] = caller
        await self.app(scope, receive, send)

    async def _identify(self, scope: Scope, services: Services, client: str) -> Caller:
        """The caller; a refused one (401) spends a token of its client's anonymous budget,
        so guessing keys is limited like any anonymous use (429 once it is spent)."""
        refused_until = self._refused_until.get(client)
        if refused_until is not None:
            wait = refused_until - time.monotonic()
            if wait <= 0:
                self._refused_until.pop(client, None)
            elif _presents_key(scope):
                raise _too_many_refusals(wait)
        try:
            return await identify(scope, services, client)
        except Unauthorized:
            anonymous = _anonymous(client, services)
            try:
                await anonymous.spend(1)
            except RateLimited as exc:
                if len(self._refused_until) > 50_000:
                    self._refused_until.clear()
                self._refused_until[client] = time.monotonic() + exc.retry_after
                raise _too_many_refusals(exc.retry_after) from None
            raise


def _presents_key(scope: Scope) -> bool:
    return any(name in (b"authorization", b"x-api-key") for name, _ in scope["headers"])


def _too_many_refusals(retry_after: float) -> RateLimited:
    return RateLimited(
        "too many requests with an invalid or missing API key from this address",
        retry_after=retry_after,
    )


async def identify(scope: Scope, services: Services, client: str) -> Caller:
    """The caller of a request (see module docstring); Unauthorized when not allowed in."""
    settings = services.settings
    authorization = key_header = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value
        elif name == b"x-api-key":
            key_header = value
    # The header that counts: Authorization first, as `presented_key` reads them.
    header = (
        (b"authorization", authorization)
        if authorization is not None
        else (b"x-api-key", key_header)
        if key_header is not None
        else None
    )
    if header is not None:
        keys = services.keys
        found = keys.known_header(*header, time.monotonic())
        if found is None:
            key = presented_key(
                authorization.decode("latin-1") if authorization is not None else None,
                key_header.decode("latin-1") if key_header is not None else None,
            )
            assert key is not None  # a header was sent: a key, or Unauthorized above
            found = await keys.resolve(key, header)
        return Caller(f"key:{found.id}", "key", found.rate_limit_per_minute, services, found)
    if settings.require_api_key:
        raise Unauthorized(
            "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
        )
    return _anonymous(client, services)


def _anonymous(client: str, services: Services) -> Caller:
    return Caller(f"ip:{client}", "anonymous", services.settings.anonymous_rate_limit, services)


def _refusal_headers(exc: ShortflowError, services: Services) -> list[tuple[bytes, bytes]]:
    if isinstance(exc, Unauthorized):
        return [(b"www-authenticate", b'Bearer realm="shortflow"')]
    return retry_header_pairs(exc, services.settings.retry_after_s)


async def reject(
    scope: Scope, send: Send, exc: ShortflowError, headers: list[tuple[bytes, bytes]]
) -> None:
    """Answer a refused request in the shape of the API it asked (REST or GraphQL)."""
    await send_error(scope, send, exc, headers)
