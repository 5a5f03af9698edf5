"""The HTTP/1.1 protocol `shortflow serve` runs: uvicorn's httptools protocol plus the limits on
the request head that uvicorn does not have.

uvicorn (0.54) with httptools reads a request head of any size (llhttp has no limit, and
`h11_max_incomplete_event_size` applies to h11 only) and for any time: its keep-alive timer runs
only between requests, so a client that connects and trickles a header byte every few seconds
holds the connection, and its memory, forever (slowloris). Here:

- the head (request line and header fields) is limited to `max_header_bytes`: past it the answer
  is 431 Request Header Fields Too Large (414 URI Too Long when the URL alone is too long) and the
  connection is closed; at most `max_headers` header fields, else 431;
- the head must be complete within `header_timeout_s` of the connection opening (first request)
  or of the first byte of the request (later requests on a keep-alive connection): else 408
  Request Timeout, or a silent close when the client has sent nothing at all (an idle
  preconnection is not an error), and the connection is closed.

Those answers are written here, before any ASGI app runs: plain text with `Connection: close`.
Bodies are not this layer's job: POST bodies are bounded by SHORTFLOW_MAX_BODY_BYTES (413) and
their reading by the request deadline (service/deadline.py).

A response's head and its first body bytes go out in one write (`_HeadWithBody`): uvicorn
writes the head as soon as the app starts its response, then the body, two system calls where
one does (a write on a TCP socket is ~5 % of a small answer's CPU: docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState


@dataclass(frozen=True)
class HeadLimits:
    """Limits on a request head; the defaults are the settings' defaults."""

    max_header_bytes: int = 32_768
    max_headers: int = 100
    header_timeout_s: float = 10.0


class LimitedConfig(Config):
    """uvicorn's Config carrying the head limits to every worker (it is pickled to them)."""

    def __init__(self, app: Any, *, head_limits: HeadLimits, **kwargs: Any) -> None:
        super().__init__(app, http=LimitedHttpToolsProtocol, **kwargs)
        self.head_limits = head_limits


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a head that broke a limit."""


# Status line, reason shown in the body.
_REFUSALS = {
    408: "request head not received in time",
    414: "request URL too long",
    431: "request header fields too large or too many",
}


_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _HeadWithBody:
    """The transport a response cycle writes to: its first write (the response head) is held
    and written with the next one (the body's first bytes), or on its own at the latest in the
    loop's next iteration (a streaming body whose first chunk takes longer), or before the
    transport closes. A `100 Continue` line is never held: the client waits for it."""

    __slots__ = ("_flush", "_head", "_loop", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None
        self._flush: asyncio.Handle | None = None
        self._started = False

    def write(self, data: bytes) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            assert self._flush is not None
            self._flush.cancel()
            self._transport.write(head + data)
        elif self._started or data == _CONTINUE:
            self._transport.write(data)
        else:
            self._started = True
            self._head = data
            self._flush = self._loop.call_soon(self._write_head)

    def _write_head(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self._write_head()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with a size, count and time limit on each request head."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = getattr(config, "head_limits", None)
        self.limits = limits if isinstance(limits, HeadLimits) else HeadLimits()
        self._in_head = True  # between a request's first byte (or the connection) and its head end
        self._head_started = False  # a byte of the current head has arrived
        self._head_bytes = 0  # URL and complete header fields of the current head
        self._pending_bytes = 0  # received bytes of the current head the callbacks have not seen
        self._head_fields = 0
        self._chunk_seen = 0  # bytes of the chunk being parsed that callbacks reported
        self._refusal = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_since = 0.0  # loop time the current head began (or the connection opened)

    # -- connection ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's own data_received, with our refusals told apart from malformed requests.
        self._unset_keepalive_if_required()
        self._chunk_seen = 0
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._refusal:
                self._refuse(self._refusal)
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        if self._in_head:
            # A header field still in progress is buffered by the parser, unseen by the
            # callbacks: count what arrived that no callback reported (the URL, header fields
            # and a previous request's body are reported). When the field completes, its
            # callback reports bytes counted here already, which takes them back off.
            self._pending_bytes = max(0, self._pending_bytes + len(data) - self._chunk_seen)
            if self._head_bytes + self._pending_bytes > self.limits.max_header_bytes:
                self._refuse(431)

    # -- parser callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_started = True
        self._head_bytes = self._pending_bytes = self._head_fields = 0
        self._head_since = self.loop.time()
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._chunk_seen += len(url)
        self._head_bytes += len(url)
        if self._head_bytes > self.limits.max_header_bytes:
            self._stop(414)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        size = len(name) + len(value) + 4  # ": " and CRLF
        self._chunk_seen += size
        self._head_fields += 1
        self._head_bytes += size
        if self._head_fields > self.limits.max_headers:
            self._stop(431)
        if self._head_bytes > self.limits.max_header_bytes:
            self._stop(431)
        super().on_header(name, value)

    def on_body(self, body: bytes) -> None:
        self._chunk_seen += len(body)
        super().on_body(body)

    def on_headers_complete(self) -> None:
        # The head timer is left running: cancelling and arming one per request of a keep-alive
        # connection cost more than the check it does when it fires (see _head_timeout).
        self._in_head = self._head_started = False
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous:  # a request's cycle (not an upgrade)
            # Its task has not run yet: it writes through the holder from its first byte.
            self.cycle.transport = _HeadWithBody(self.transport, self.loop)  # type: ignore[assignment]

    # -- refusals --------------------------------------------------------------------------

    def _stop(self, status: int) -> None:
        self._refusal = status
        raise _Refused(status)

    def _arm_head_timer(self, delay: float | None = None) -> None:
        if delay is None:
            self._head_since = self.loop.time()
            delay = self.limits.header_timeout_s
        self._head_timer = self.loop.call_later(delay, self._head_timeout)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if not self._in_head:
            return  # between heads: the next one arms the timer again (on_message_begin)
        left = self._head_since + self.limits.header_timeout_s - self.loop.time()
        if left > 0:
            self._arm_head_timer(left)  # a later head than the one the timer was armed for
            return
        answering = self.cycle is not None and not self.cycle.response_complete
        if self._head_started and not answering:
            self._refuse(408)
        else:
            # Nothing sent yet (an idle connection), or a response is being written on it: a
            # status line now would be no answer to anything.
            self.transport.close()

    def _refuse(self, status: int) -> None:
        self._cancel_head_timer()
        if self.transport.is_closing():
            return
        reason = _REFUSALS[status]
        self.logger.warning("refused a request head: %s (%d)", reason, status)
        body = reason.encode("ascii")
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"x-content-type-options: nosniff\r\n",
                b"cache-control: no-store\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
