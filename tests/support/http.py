"""A local HTTP server replaying recorded responses (loopback only, stops with the test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.sync.replay import Answer, serving


class Replay:
    """Routes from a cassette (`responses.json`), plus failures queued by a test."""

    def __init__(self, cassette: Path) -> None:
        self.directory = cassette.parent
        self.routes: dict[str, dict[str, object]] = json.loads(cassette.read_text())
        self.failures: dict[str, list[int]] = {}
        self.requests: list[str] = []

    def fail_next(self, path: str, *statuses: int) -> None:
        self.failures.setdefault(path, []).extend(statuses)

    def respond(self, path: str, headers: dict[str, str]) -> Answer:
        self.requests.append(path)
        queued = self.failures.get(path)
        if queued:
            return Answer(queued.pop(0), b"temporarily unavailable", {"Content-Type": "text/plain"})
        route = self.routes.get(path) or self.routes["*"]
        body = (self.directory / str(route["body"])).read_bytes()
        return Answer(int(str(route["status"])), body, {"Content-Type": str(route["content_type"])})


@contextmanager
def replay_server(cassette: Path) -> Iterator[tuple[str, Replay]]:
    replay = Replay(cassette)
    with serving(replay) as base:
        yield base, replay
