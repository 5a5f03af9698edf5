"""`OneWriteResponseCycle` writes what uvicorn's own cycle writes, in fewer calls.

Both cycles answer the same ASGI messages over a recording transport; the bytes on the wire, the
errors raised and the connection's end state must be the same, for every shape of answer uvicorn
distinguishes: Content-Length or chunked, HEAD, 204/304, `Connection: close`, HTTP/1.0 without
keep-alive, several body pieces, invalid header names and values, and an app that stops after
its head.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from service.httpserver import OneWriteResponseCycle

DEFAULT_HEADERS = [(b"date", b"Fri, 04 Dec 2026 03:00:00 GMT")]


class Transport:
    """Records what is written; enough of asyncio.Transport for uvicorn's cycle."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None

    def get_write_buffer_size(self) -> int:
        return 0


def _cycle(kind: type[RequestResponseCycle], method: str, keep_alive: bool) -> Any:
    transport = Transport()
    cycle = kind(
        scope={"method": method, "type": "http"},  # type: ignore[typeddict-item]
        transport=transport,  # type: ignore[arg-type]
        flow=FlowControl(transport),  # type: ignore[arg-type]
        logger=logging.getLogger("test"),
        access_logger=logging.getLogger("test.access"),
        access_log=False,
        default_headers=list(DEFAULT_HEADERS),
        message_event=asyncio.Event(),
        expect_100_continue=False,
        keep_alive=keep_alive,
        on_response=lambda: None,
    )
    return cycle, transport


async def _answer(
    kind: type[RequestResponseCycle], messages: list[dict[str, Any]], method: str, keep_alive: bool
) -> tuple[bytes, str | None, tuple[bool, bool, bool], int]:
    cycle, transport = _cycle(kind, method, keep_alive)
    error = None
    try:
        for message in messages:
            await cycle.send(message)
    except RuntimeError as exc:
        error = str(exc)
    if not cycle.response_complete:
        cycle.transport.close()  # what uvicorn's run_asgi does with an unfinished answer
    return (
        b"".join(transport.writes),
        error,
        (cycle.response_complete, cycle.keep_alive, transport.closed),
        len(transport.writes),
    )


def _start(status: int, *headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": list(headers)}


def _body(data: bytes, more: bool = False) -> dict[str, Any]:
    return {"type": "http.response.body", "body": data, "more_body": more}


JSON = (b"content-type", b"application/json")
CASES: dict[str, tuple[list[dict[str, Any]], str, bool]] = {
    "content-length": ([_start(200, JSON, (b"content-length", b"2")), _body(b"{}")], "GET", True),
    "chunked, pieces": (
        [_start(200, JSON), _body(b"a,b\n", True), _body(b"c,d\n", True), _body(b"")],
        "GET",
        True,
    ),
    "HEAD": ([_start(200, JSON, (b"content-length", b"20")), _body(b"")], "HEAD", True),
    "304": ([_start(304, (b"etag", b'"x"')), _body(b"")], "GET", True),
    "204": ([_start(204), _body(b"")], "GET", True),
    "connection close": (
        [
            _start(200, (b"Connection", b"keep-alive, Close"), (b"content-length", b"1")),
            _body(b"x"),
        ],
        "GET",
        True,
    ),
    "HTTP/1.0": ([_start(200, (b"content-length", b"1")), _body(b"x")], "GET", False),
    "upper-case names": (
        [_start(201, (b"Content-Length", b"3"), (b"X-Cache", b"HIT")), _body(b"abc")],
        "POST",
        True,
    ),
    "invalid name": ([_start(200, (b"bad name", b"x")), _body(b"")], "GET", True),
    "invalid value": ([_start(200, (b"x-a", b"ok"), (b"x-b", b"a\r\nb")), _body(b"")], "GET", True),
    "longer than its length": (
        [_start(200, (b"content-length", b"1")), _body(b"xy")],
        "GET",
        True,
    ),
    "body first": ([_body(b"x")], "GET", True),
    "head only": ([_start(200, (b"content-length", b"0"))], "GET", True),
}


async def test_an_app_that_stops_after_its_head_still_sends_it_before_the_close() -> None:
    # uvicorn's run_asgi closes the connection of a response that never completes.
    for kind in (RequestResponseCycle, OneWriteResponseCycle):
        cycle, transport = _cycle(kind, "GET", True)
        await cycle.send(_start(200, (b"content-length", b"5")))
        cycle.transport.close()
        assert transport.closed
        assert b"".join(transport.writes).startswith(b"HTTP/1.1 200 OK\r\n"), kind


@pytest.mark.parametrize("case", CASES)
async def test_the_same_bytes_as_uvicorns_cycle(case: str) -> None:
    messages, method, keep_alive = CASES[case]
    stock = await _answer(RequestResponseCycle, messages, method, keep_alive)
    ours = await _answer(OneWriteResponseCycle, messages, method, keep_alive)
    assert ours[:3] == stock[:3]


async def test_a_small_answer_is_one_write() -> None:
    messages, method, keep_alive = CASES["content-length"]
    assert (await _answer(RequestResponseCycle, messages, method, keep_alive))[3] == 2
    assert (await _answer(OneWriteResponseCycle, messages, method, keep_alive))[3] == 1
