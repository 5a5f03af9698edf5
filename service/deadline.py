"""The per-request deadline: no request waits longer than SHORTFLOW_REQUEST_TIMEOUT_S to start its
answer.

A database that accepts connections but never answers (hung, SIGSTOPped, a network path that
drops packets) would otherwise hold a request, and its pooled connection, for as long as the
client waits. Past the deadline the work below is cancelled (the pool drops the connection it held,
service/db/pool.py) and the caller gets 503 `REQUEST_TIMEOUT` with `Retry-After`, in the shape of
the API it called. Once an answer has started (a streamed export) the deadline no longer applies:
its status is sent and the client is receiving.

It sits just inside RequestContextMiddleware, which logs and counts the 503 like any other answer.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.access.middleware import reject
from service.errors import RequestTimeout
from service.state import Services
from service.web import retry_headers

log = logging.getLogger(__name__)


class DeadlineMiddleware:
    """Cancel a request that has not started its answer within `seconds` and answer 503."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.timeout(self.seconds)

        async def send_before_deadline(message: Message) -> None:
            if message["type"] == "http.response.start":
                deadline.reschedule(None)  # the answer is on its way: let it finish
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, send_before_deadline)
        except TimeoutError:
            if not deadline.expired():
                raise  # a timeout of something inside, not the deadline: not ours to answer
            exc = RequestTimeout(
                f"the request took longer than {self.seconds:g} s and was abandoned; retry shortly"
            )
            log.warning("request deadline passed on %s %s", scope["method"], scope["path"])
            services: Services | None = scope.get("state", {}).get("shortflow")
            retry_after = services.settings.retry_after_s if services is not None else 5
            headers = [
                (name.lower().encode(), value.encode())
                for name, value in retry_headers(exc, retry_after).items()
            ]
            await reject(scope, send, exc, [*headers, (b"cache-control", b"no-store")])
