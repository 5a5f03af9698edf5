"""SIGTERM drains: a request in flight gets its whole answer, new connections are refused, exit 0.

This is what a Kubernetes rollout or `docker compose down` does to a pod: after the preStop sleep
(deploy/k8s/deployment.yaml) the process gets SIGTERM with requests still running.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import pytest

from service.cli.server import GRACEFUL_SHUTDOWN_S
from tests.conftest import Servers
from tests.support.live import live_server_process

QUERY = json.dumps({"query": "{ __typename }"}).encode()


def _open_request(port: int) -> socket.socket:
    """A POST /graphql the server has started to handle and that waits for its body.

    `Expect: 100-continue` makes the server say when the application first asks for the body,
    so the test knows the request is in flight rather than guessing with a sleep.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"POST /graphql HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{port}\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + b"Expect: 100-continue\r\n"
        + f"Content-Length: {len(QUERY)}\r\n\r\n".encode()
    )
    interim = b""
    while b"\r\n\r\n" not in interim:
        chunk = sock.recv(1024)
        assert chunk, f"the server closed the connection before 100 Continue: {interim!r}"
        interim += chunk
    assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one response to the end (the server closes the connection after it when draining)."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert "chunked" not in headers.get("transfer-encoding", ""), "expected a sized body"
    return int(status_line.split()[1]), headers, body


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_the_request_in_flight_then_exits_zero(
    workers: int, database_url: str, servers: Servers, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with live_server_process(database_url, servers.redis_url, log, workers=workers) as server:
        sock = _open_request(server.port)
        with sock:
            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)

            # New connections are refused while the old one is still open.
            deadline = signalled + 10
            while not _refused(server.port):
                assert time.monotonic() < deadline, "still accepting connections 10 s after SIGTERM"
                time.sleep(0.05)
            refused_after = time.monotonic() - signalled

            # A slow client: the body arrives a second later, and the server waits for it.
            time.sleep(1)
            assert server.process.poll() is None, "exited with a request in flight"

            # The request in flight completes, body sent after the signal, answer whole.
            sock.sendall(QUERY)
            status, headers, body = _read_response(sock)
            answered_after = time.monotonic() - signalled

        assert status == 200, body
        assert int(headers["content-length"]) == len(body)
        assert json.loads(body)["data"] == {"__typename": "Query"}
        assert headers.get("connection") == "close"

        returncode = server.process.wait(GRACEFUL_SHUTDOWN_S + 5)
        exited_after = time.monotonic() - signalled
    print(
        f"workers={workers}: refused new connections {refused_after:.2f} s after SIGTERM, "
        f"answered the request in flight at {answered_after:.2f} s, exit {returncode} at "
        f"{exited_after:.2f} s (grace {GRACEFUL_SHUTDOWN_S} s)"
    )
    assert returncode == 0, log.read_text()
    assert exited_after < GRACEFUL_SHUTDOWN_S
