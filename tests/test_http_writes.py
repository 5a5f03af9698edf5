"""A response's head goes out with its body in one write (service/httpserver.py `_HeadWithBody`),
and never later than the loop's next iteration without one; over a real server too."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from service.httpserver import _CONTINUE, _HeadWithBody
from tests.conftest import DatabaseFactory, Servers
from tests.support.live import LiveServer, live_server_process

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class Recording:
    """A transport that records its writes and whether it was closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "a write after close"
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


def _holder() -> tuple[_HeadWithBody, Recording]:
    transport = Recording()
    return _HeadWithBody(transport, asyncio.get_running_loop()), transport  # type: ignore[arg-type]


async def test_the_head_and_the_body_are_one_write() -> None:
    holder, transport = _holder()
    holder.write(HEAD)
    assert transport.writes == []
    holder.write(b"{}")
    assert transport.writes == [HEAD + b"{}"]
    holder.write(b"more")  # later body chunks pass through
    await asyncio.sleep(0)
    assert transport.writes == [HEAD + b"{}", b"more"]


async def test_a_head_without_a_body_goes_out_in_the_next_iteration() -> None:
    # A HEAD request's answer, or a streaming body whose first chunk is not ready yet.
    holder, transport = _holder()
    holder.write(HEAD)
    assert transport.writes == []
    await asyncio.sleep(0)
    assert transport.writes == [HEAD]
    holder.write(b"{}")
    assert transport.writes == [HEAD, b"{}"]


async def test_continue_is_never_held() -> None:
    holder, transport = _holder()
    holder.write(_CONTINUE)
    assert transport.writes == [_CONTINUE]
    holder.write(HEAD)
    holder.write(b"{}")
    assert transport.writes == [_CONTINUE, HEAD + b"{}"]


async def test_closing_writes_a_held_head_first() -> None:
    holder, transport = _holder()
    holder.write(HEAD)
    holder.close()
    assert transport.writes == [HEAD]
    assert transport.closed
    assert holder.is_closing()
    await asyncio.sleep(0)  # the pending flush finds nothing left to write
    assert transport.writes == [HEAD]
    assert holder.get_extra_info("peername") == "extra peername"


@pytest.fixture(scope="module")
def live(
    db_factory: DatabaseFactory, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    log_path = tmp_path_factory.mktemp("writes") / "server.log"
    with live_server_process(db_factory.create(), servers.redis_url, log_path) as server:
        yield server


def _exchange(
    live: LiveServer, request: bytes, answers: int, *, bodies: bool = True
) -> list[bytes]:
    """Send `request` on one connection and read `answers` responses: each head, then its body
    (content-length bytes; none with `bodies` false, as for HEAD)."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        responses: list[bytes] = []
        while len(responses) < answers:
            chunk = sock.recv(65536)
            assert chunk, f"closed after {responses!r} and {data!r}"
            data += chunk
            while b"\r\n\r\n" in data and len(responses) < answers:
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if bodies and name.strip().lower() == b"content-length":
                        length = int(value)
                if len(rest) < length:
                    break
                responses.append(head + b"\r\n\r\n" + rest[:length])
                data = rest[length:]
        return responses


def test_keep_alive_and_pipelined_answers_arrive_whole(live: LiveServer) -> None:
    one = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    answers = _exchange(live, one * 3, 3)
    assert len(answers) == 3
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert answer.endswith(b'{"status":"ok"}')


def test_a_head_request_is_answered_without_a_body(live: LiveServer) -> None:
    answers = _exchange(live, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1, bodies=False)
    assert answers[0].startswith(b"HTTP/1.1 ")
    assert answers[0].endswith(b"\r\n\r\n")
