"""The response cache in front of /v1 (GET) and /graphql (GET and POST queries).

    request -> in-process tier (exact bytes) -> Redis tier (normalised request) -> compute once

- A hit is answered here, without routing, parsing, validating or executing anything: the stored
  bytes go out with `X-Cache: HIT` (or a 304 when `If-None-Match` names their ETag). A GraphQL
  hit still spends the query's cost from the caller's rate limit, as the original did.
- A miss computes the answer once: concurrent misses of one key in this process wait for the
  first (a future), and other processes wait for the one holding a short Redis lock. The answer
  streams to the client as it is produced (`X-Cache: MISS`) and, when it is a 200 without
  `Cache-Control: no-store` and under 1 MB, is kept in both tiers.
- Conditional GET is answered here for every response (service/conditional.py), kept or not:
  a body sent whole gets an ETag and a 304 when `If-None-Match` names it. REST HEAD requests are
  never cached but pass the same relay (without `X-Cache`).
- `X-Cache: BYPASS`: the cache is off, the request asked for a fresh answer
  (`Cache-Control: no-cache`), the request cannot be keyed (malformed), or the cache cannot be
  sure it would hear of an ingest (response_cache.py): the answer comes straight from Postgres.

Every key ends with the dataset versions this process knows (datasets.py) and today's date, so
the first request after an ingest's announcement, or after midnight (an answer whose `asOf`
defaults to today changes with the day), computes a new answer; older entries expire by TTL.
Handlers mark what must not be kept with `Cache-Control: no-store`, and tell the cost a GraphQL
hit must spend in the internal header `x-shortflow-cost-tokens`, removed here.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.access.middleware import Caller
from service.cache import keys
from service.cache.persisted import check_hash, requested_hash
from service.cache.response_cache import ResponseCache
from service.cache.store import MAX_ENTRY_BYTES, Entry
from service.conditional import etag_of, is_not_modified, not_modified_headers
from service.error_responses import send_error
from service.errors import BadRequest, PayloadTooLarge, RateLimited
from service.request_context import ROUTE_KEY, route_label
from service.request_kind import Kind, request_kind
from service.state import Services, request_caller

COST_TOKENS_HEADER = b"x-shortflow-cost-tokens"
_NOT_STORED = {b"content-length", b"transfer-encoding", COST_TOKENS_HEADER}


def _headers(scope: Scope) -> dict[bytes, bytes]:
    wanted = (b"accept", b"content-type", b"cache-control", b"if-none-match", b"content-length")
    return {k: v for k, v in scope["headers"] if k in wanted}


_day = (0.0, "")  # (time.time() of the next local midnight, today's local date in ISO form)


def _today() -> str:
    """Today's local date, ISO: looked up again at each local midnight, not once a request."""
    global _day
    now = time.time()
    until, day = _day
    if now >= until:
        today = date.today()
        day = today.isoformat()
        midnight = datetime.combine(today + timedelta(days=1), datetime.min.time())
        _day = (midnight.timestamp(), day)
    return day


def _applies(scope: Scope) -> bool:
    kind = request_kind(scope)
    if kind is Kind.REST:
        return bool(scope["method"] == "GET")
    return kind is Kind.GRAPHQL and scope["method"] in ("GET", "POST")


class CacheMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _applies(scope):
            if request_kind(scope) is Kind.REST and scope["method"] == "HEAD":
                # Never cached, but conditional like the GET it mirrors (one 304 for both).
                await _forward(self.app, scope, receive, send, None, _headers(scope))
            else:
                await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        services: Services = scope["state"]["shortflow"]
        cache = services.cache
        body = b""
        if scope["method"] == "POST":
            limit = services.settings.max_body_bytes
            declared = headers.get(b"content-length", b"")
            if declared.isdigit() and int(declared) > limit:
                await _too_large(scope, send, limit)
                return
            body, complete = await _read_body(receive, limit)
            if not complete:
                await _too_large(scope, send, limit)
                return
            receive = _replay(body, receive)
            if not headers.get(b"content-type", b"").startswith(b"application/json"):
                await _forward(self.app, scope, receive, send, b"BYPASS", headers)
                return
        fresh = b"no-cache" in headers.get(b"cache-control", b"")
        if not cache.enabled or fresh or not cache.trusted:
            await _forward(self.app, scope, receive, send, b"BYPASS", headers)
            return
        caller = request_caller(scope)
        tier = caller.tier if caller is not None else "anonymous"
        accept = headers.get(b"accept", b"")[:200]
        # Answers default `asOf` to today, so a key made yesterday must not answer today.
        version = f"{cache.versions.token}:{_today()}"
        request = keys.exact_key(
            scope["method"], scope["path"], scope["query_string"], accept, tier, body
        )
        exact = f"{request}:{version}"
        entry = cache.memory.get(exact, time.monotonic())
        if entry is not None:
            cache.count("memory", "hit")
            await _answer(scope, send, entry, caller, headers, services)
            return
        cache.count("memory", "miss")
        params = _graphql_params(scope, body) if scope["path"] == "/graphql" else None
        normalised = _normalised(scope, params, accept, tier)
        try:
            sent_apq = _persisted_query_sent(params) if params is not None else None
        except BadRequest:
            sent_apq, normalised = None, None
        if normalised is None:
            # Malformed, or a persisted query whose hash does not match its text: the endpoint
            # answers the error; nothing is looked up or kept.
            await _forward(self.app, scope, receive, send, b"BYPASS", headers)
            return
        key = f"{normalised}:{version}"
        entry = await cache.redis.get(key)
        if entry is not None:
            cache.count("redis", "hit")
            cache.memory.put(exact, entry)
            if sent_apq is not None:
                # A kept answer means the document passed validation: remember its hash, as
                # the endpoint would have, so the client's next hash-only request finds it.
                await services.persisted.register(*sent_apq, caller.id if caller else "anonymous")
            await _answer(scope, send, entry, caller, headers, services)
            return
        cache.count("redis", "miss")
        await _compute_once(self.app, scope, receive, send, cache, key, exact, caller, headers)


def _graphql_params(scope: Scope, body: bytes) -> dict[str, object] | None:
    """A GraphQL request's parameters, decoded as the endpoint decodes them (None: malformed)."""
    if scope["method"] == "GET":
        return keys.graphql_get_params(scope["query_string"])
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return params if isinstance(params, dict) else None


def _normalised(
    scope: Scope, params: dict[str, object] | None, accept: bytes, tier: str
) -> str | None:
    if scope["path"] != "/graphql":
        return keys.rest_key(scope["path"], scope["query_string"], accept, tier)
    if params is None:
        return None
    return keys.graphql_key(params, accept, tier)


def _persisted_query_sent(params: dict[str, object]) -> tuple[str, str] | None:
    """(hash, text) of a persisted query sent with its text, checked; None without one (no
    extension, or a hash alone). BadRequest when the extension is malformed or the hash is not
    the text's."""
    extensions = params.get("extensions")
    if not isinstance(extensions, dict):
        return None
    sha = requested_hash(extensions)
    query = params.get("query")
    if sha is None or query is None:
        return None
    if not isinstance(query, str):
        raise BadRequest("`query` must be a string")
    check_hash(sha, query)
    return sha, query


async def _compute_once(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    cache: ResponseCache,
    key: str,
    exact: str,
    caller: Caller | None,
    headers: dict[bytes, bytes],
) -> None:
    services: Services = scope["state"]["shortflow"]
    # Our reads of both tiers were made before the last await: a request of this process may
    # have answered the question since, and unregistered (it keeps its answer first).
    entry: Entry | None = cache.memory.get(exact, time.monotonic())
    if entry is not None:
        await _answer(scope, send, entry, caller, headers, services)
        return
    pending = cache.inflight.get(key)
    if pending is not None:
        # The same question is being answered for another request of this process.
        shared = await asyncio.shield(pending)
        if shared is not None:
            await _answer(scope, send, shared, caller, headers, services)
        else:
            await _forward(app, scope, receive, send, b"MISS", headers)
        return
    future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
    cache.inflight[key] = future
    lock: str | None = ""
    try:
        lock = await cache.redis.lock(key)
        if lock is None:
            # Another process holds the lock: take its answer when it lands.
            entry = await cache.redis.wait(key)
        elif lock:
            # Another process may have stored its answer and unlocked between our read of
            # Redis and our lock (it stores first): read again before computing it twice.
            entry = await cache.redis.get(key)
        if entry is not None:
            cache.memory.put(exact, entry)
            await _answer(scope, send, entry, caller, headers, services)
            return
        entry = await _forward(app, scope, receive, send, b"MISS", headers, capture=True)
        if entry is not None:
            cache.memory.put(exact, entry)
            await cache.redis.put(key, entry)
    finally:
        future.set_result(entry)
        cache.inflight.pop(key, None)
        if lock:
            await cache.redis.unlock(key, lock)


async def _answer(
    scope: Scope,
    send: Send,
    entry: Entry,
    caller: Caller | None,
    headers: dict[bytes, bytes],
    services: Services,
) -> None:
    """Send a cached entry (or a 304), after spending the GraphQL cost it carries."""
    scope[ROUTE_KEY] = entry.route
    if entry.tokens and caller is not None:
        try:
            await caller.spend(entry.tokens)
        except RateLimited as exc:
            # The caller's RateLimit-* and Retry-After headers are added on the way out
            # (RequestContextMiddleware), as for every answer of a metered caller.
            await send_error(scope, send, exc, [])
            return
    if_none_match = headers.get(b"if-none-match")
    if (
        if_none_match
        and scope["method"] == "GET"
        and is_not_modified(if_none_match.decode("latin-1"), entry.etag.decode())
    ):
        kept = not_modified_headers(entry.headers)
        await send(
            {"type": "http.response.start", "status": 304, "headers": [*kept, (b"x-cache", b"HIT")]}
        )
        await send({"type": "http.response.body", "body": b""})
        return
    response_headers = entry.hit_headers
    if response_headers is None:
        response_headers = entry.hit_headers = [
            *entry.headers,
            (b"content-length", str(len(entry.body)).encode()),
            (b"x-cache", b"HIT"),
        ]
    # A copy: outer layers append their own headers (request id, rate limits) to the list.
    await send(
        {"type": "http.response.start", "status": entry.status, "headers": list(response_headers)}
    )
    await send({"type": "http.response.body", "body": entry.body})


async def _forward(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    label: bytes | None,
    headers: dict[bytes, bytes],
    *,
    capture: bool = False,
) -> Entry | None:
    """Run the app, labelling its response (`X-Cache`, unless `label` is None) and answering
    its conditional GET; with `capture`, return it as an entry to keep."""
    inm = headers.get(b"if-none-match", b"").decode("latin-1") or None
    relay = _Relay(send, label, inm if scope["method"] in ("GET", "HEAD") else None, capture)
    await app(scope, receive, relay)
    if not relay.storable or relay.status != 200:
        return None
    body = b"".join(relay.chunks)
    etag = relay.etag or etag_of(body).encode()
    stored = [(k, v) for k, v in relay.headers if k not in _NOT_STORED and k != b"etag"]
    cache: ResponseCache = scope["state"]["shortflow"].cache
    return Entry(
        status=relay.status,
        headers=[*stored, (b"etag", etag)],
        body=body,
        etag=etag,
        tokens=relay.tokens,
        route=route_label(scope),
        expires_at=time.monotonic() + cache.redis.ttl_s,
    )


class _Relay:
    """Relays an app's response to the client with `X-Cache`, and keeps a copy when asked.

    The start message is held until the first body message: a body sent whole gets an ETag when
    it has none, and a GET whose If-None-Match names it gets a 304; a streamed body goes out as
    it comes (and is kept only while under MAX_ENTRY_BYTES).
    """

    def __init__(
        self, send: Send, label: bytes | None, if_none_match: str | None, capture: bool
    ) -> None:
        self.send = send
        self.label = label
        self.if_none_match = if_none_match
        self.storable = capture
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.tokens = 0
        self.etag = b""
        self.chunks: list[bytes] = []
        self.size = 0
        self.started = False
        self.not_modified = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._hold(message)
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        chunk: bytes = message.get("body", b"")
        self._keep(chunk)
        if self.not_modified:
            return
        if not self.started:
            self.started = True
            whole = not message.get("more_body", False)
            if whole and not self.etag:
                self.etag = etag_of(chunk).encode()
                self.headers.append((b"etag", self.etag))
            if whole and self._matches():
                self.not_modified = True
                kept = not_modified_headers(self.headers)
                await self._start(304, kept)
                await self.send({"type": "http.response.body", "body": b""})
                return
            out = self.headers
            if whole:
                out = [(k, v) for k, v in out if k != b"content-length"]
                out.append((b"content-length", str(len(chunk)).encode()))
            await self._start(self.status, out)
        await self.send(message)

    def _hold(self, message: Message) -> None:
        self.status = message["status"]
        for name, value in message.get("headers", []):
            if name == COST_TOKENS_HEADER:
                self.tokens = int(value)
                continue
            if name == b"etag":
                self.etag = value
            elif name == b"cache-control" and b"no-store" in value:
                self.storable = False
            self.headers.append((name, value))
        self.storable = self.storable and self.status == 200

    def _matches(self) -> bool:
        return self.status == 200 and is_not_modified(self.if_none_match, self.etag.decode())

    async def _start(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        if self.label is not None:
            headers = [*headers, (b"x-cache", self.label)]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})

    def _keep(self, chunk: bytes) -> None:
        if not self.storable:
            return
        self.size += len(chunk)
        if self.size > MAX_ENTRY_BYTES:
            self.storable = False
            self.chunks.clear()
        else:
            self.chunks.append(chunk)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, and whether it arrived whole within `limit` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False
        chunk = message.get("body", b"")
        size += len(chunk)
        parts.append(chunk)
        if size > limit:
            return b"".join(parts), False
        if not message.get("more_body", False):
            return b"".join(parts), True


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the rest of the stream."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    """413 for a POST /graphql body over SHORTFLOW_MAX_BODY_BYTES, without reading the rest.
    (The only route that reads a body: this is where the limit is enforced.)"""
    too_large = PayloadTooLarge(f"the request body is larger than {limit:,} bytes")
    await send_error(scope, send, too_large, [(b"connection", b"close")])
