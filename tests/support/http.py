"""A local HTTP server replaying recorded responses (loopback only, stops with the test)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Replay:
    """Routes from a cassette (`responses.json`), plus failures queued by a test."""

    def __init__(self, cassette: Path) -> None:
        self.directory = cassette.parent
        self.routes: dict[str, dict[str, object]] = json.loads(cassette.read_text())
        self.failures: dict[str, list[int]] = {}
        self.requests: list[str] = []

    def fail_next(self, path: str, *statuses: int) -> None:
        self.failures.setdefault(path, []).extend(statuses)

    def response(self, path: str) -> tuple[int, str, bytes]:
        self.requests.append(path)
        queued = self.failures.get(path)
        if queued:
            return queued.pop(0), "text/plain", b"temporarily unavailable"
        route = self.routes.get(path) or self.routes["*"]
        body = (self.directory / str(route["body"])).read_bytes()
        return int(str(route["status"])), str(route["content_type"]), body


@contextmanager
def replay_server(cassette: Path) -> Iterator[tuple[str, Replay]]:
    replay = Replay(cassette)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name is http.server's API
            status, content_type, body = replay.response(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", replay
    finally:
        server.shutdown()
        server.server_close()
