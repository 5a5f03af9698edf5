"""The outermost layer of every request: its id, deadline, query accounting, metrics, access line.

`RequestContextMiddleware` gives each request an id (kept from `X-Request-ID` when sane) that every
log line of the request carries, starts its deadline (service/deadline.py), counts its queries
(`Server-Timing`), adds the headers every answer gets (`X-Request-ID`, `nosniff`, `no-store` on
refusals and failures, a metered caller's `RateLimit-*`), records its metrics and queues its
access line (service/logs.py). It is also the last resort for an unexpected exception: logged
once with its traceback and answered as a bare INTERNAL_ERROR (service/error_responses.py renders
it), never with the traceback or a driver message. `route_label` names the route template a
request matched, for metrics and access lines.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import time
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.asgi import header
from service.db.pool import track_queries
from service.error_responses import INTERNAL_ERROR_MESSAGE, error_for
from service.logs import AccessLines, request_id_var
from service.metrics import Metrics
from service.state import request_caller

if TYPE_CHECKING:
    from service.deadline import Deadlines

log = logging.getLogger("service.http")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._\-]{8,128}")
"""A request id a caller may choose (matched whole with `fullmatch`: `$` would also accept a
trailing newline, and the access line writes the id as it is)."""
_NEVER_STORED = frozenset({401, 429})
"""Statuses answered with `Cache-Control: no-store` (besides every 5xx), whoever built them."""


SLOW_REQUEST_S = 1.0
"""With SHORTFLOW_ACCESS_LOG=errors, answers slower than this are logged too."""
ROUTE_KEY = "shortflow.route"
"""Scope key where a layer that answers before routing (the response cache) names the route."""


def route_label(scope: Scope) -> str:
    """The route *template* a request matched (a metrics label), `unmatched` when none did."""
    named = scope.get(ROUTE_KEY)
    if named is not None:
        return str(named)
    route = scope.get("route")
    if route is None:
        # Answered before routing (a refused key, a rate limit): find what it would have matched.
        app = scope.get("app")
        router = getattr(app, "router", None)
        return _matching(router.routes, scope) if router is not None else "unmatched"
    if isinstance(route, Mount):
        # The mount already moved its prefix into root_path.
        return f"{scope.get('root_path', '')}/{{path}}"
    return f"{scope.get('root_path', '')}{getattr(route, 'path', '')}"


def _matching(routes: list[BaseRoute], scope: Scope) -> str:
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        inner = {**scope, **child}
        if isinstance(route, Mount):
            nested = getattr(route, "routes", None)
            if nested:
                return _matching(list(nested), inner)
            return f"{inner.get('root_path', '')}/{{path}}"
        return f"{inner.get('root_path', '')}{getattr(route, 'path', '')}"
    return "unmatched"


class RequestContextMiddleware:
    """Request id in and out, per-request query accounting, metrics, one access log line."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics | None = None,
        access_log: str = "all",
        lines: AccessLines | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self.app = app
        self.deadlines = deadlines
        # Generated request ids: 16 random hex digits per app (each worker builds its own),
        # then a counter; unique like 32 random digits, at a fifth of the cost per request.
        self._id_prefix = os.urandom(8).hex()
        self._ids = itertools.count(1)
        self.metrics = metrics
        self.access_log = access_log
        self.lines = lines if lines is not None else AccessLines()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        if incoming and _REQUEST_ID.fullmatch(incoming):
            request_id = incoming
        else:
            request_id = f"{self._id_prefix}{next(self._ids):016x}"
        token = request_id_var.set(request_id)
        stats = track_queries()
        started = time.perf_counter()
        status = 500
        cache = "none"
        response_started = False
        deadlines = self.deadlines
        running = deadlines.watch() if deadlines is not None else None

        async def send_with_context(message: Message) -> None:
            nonlocal status, response_started, cache
            if message["type"] == "http.response.start":
                response_started = True
                if running is not None and deadlines is not None:
                    # The answer is on its way: let it finish, however long it streams.
                    deadlines.release(running)
                status = message["status"]
                headers = list(message.get("headers", []))
                sniffing_set = False
                for key, value in headers:
                    if key == b"x-cache":
                        cache = value.decode("latin-1")
                    elif key == b"x-content-type-options":
                        sniffing_set = True
                if status in _NEVER_STORED or status >= 500:
                    # A refusal or a failure describes this moment for this caller: no cache
                    # (a CDN, a browser) may keep it and serve it later or to someone else.
                    headers = [(k, v) for k, v in headers if k != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                if not sniffing_set:
                    # A browser must not guess that a JSON error echoing input is HTML.
                    headers.append((b"x-content-type-options", b"nosniff"))
                caller = request_caller(scope)
                if caller is not None and caller.decision is not None:
                    # A metered caller's RateLimit-* (and on a 429 Retry-After) headers, as its
                    # budget stands now (service/access/middleware.py leaves the caller here).
                    headers += caller.decision.headers()
                headers.append((b"x-request-id", request_id.encode()))
                if stats.count:
                    timing = f'db;dur={stats.seconds * 1000:.2f};desc="{stats.count} queries"'
                    headers.append((b"server-timing", timing.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except asyncio.CancelledError:
            if deadlines is None or running is None or not running.expired or response_started:
                raise  # cancelled by someone else (a client gone, a shutdown): not ours
            await deadlines.answer_timeout(running, scope, send_with_context)
        except Exception:
            # The one place an unexpected error is logged (with its traceback) and answered
            # without internals; Starlette's ServerErrorMiddleware would log it a second time.
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not response_started:
                response = error_for(scope, 500, "INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE)
                await response(scope, receive, send_with_context)
        finally:
            if running is not None and deadlines is not None:
                deadlines.release(running)
            seconds = time.perf_counter() - started
            route = route_label(scope)
            if self.metrics is not None:
                self.metrics.observe(route, scope["method"], status, cache, seconds)
            if self._wants_line(status, seconds) and self.lines.enabled():
                self.lines.add(
                    scope["method"],
                    scope["path"],
                    route,
                    status,
                    cache,
                    seconds,
                    stats.count,
                    request_id,
                )
            request_id_var.reset(token)

    def _wants_line(self, status: int, seconds: float) -> bool:
        if self.access_log == "all":
            return True
        return self.access_log == "errors" and (status >= 400 or seconds >= SLOW_REQUEST_S)
