"""A loopback stand-in for a source's host: answers by path, as scripted.

Pointed at by a source's base URL setting (`SHORTFLOW_FINRA_BASE_URL`, ...), it serves files at
the real host's paths, so `shortflow sync` runs end to end without the network: the sync tests
(tests/sync/conftest.py) script answers per path, and `bench/sync.py` replays a year of real
files. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Seconds to wait before answering (a slow host, to kill a sync mid-download)."""


class Responder(Protocol):
    def respond(self, path: str, headers: dict[str, str]) -> Answer:
        """The answer to a GET of `path` (with its query) carrying `headers`."""
        ...


@dataclass
class Script:
    """Per path, the answers to give in turn (the last one repeats); `missing` for the rest."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    missing: Answer = field(default_factory=lambda: Answer(404, b"not found"))
    closing: threading.Event = field(default_factory=threading.Event)
    """Set it when done (before the server stops): a delayed answer stops waiting."""

    def on(self, path: str, *answers: Answer) -> None:
        self.answers[path] = list(answers)

    def answer(self, path: str) -> Answer:
        queue = self.answers.get(path)
        if not queue:
            return self.missing
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def respond(self, path: str, headers: dict[str, str]) -> Answer:
        self.requests.append((path, headers))
        answer = self.answer(path)
        if answer.delay_s:
            self.closing.wait(answer.delay_s)
        return answer

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def serving(responder: Responder) -> Iterator[str]:
    """Serve `responder` on 127.0.0.1 (a free port) for the block; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name is http.server's API
            answer = responder.respond(self.path, dict(self.headers.items()))
            self.send_response(answer.status)
            headers = {"Content-Length": str(len(answer.body)), **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
