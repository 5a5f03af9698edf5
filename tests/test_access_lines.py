"""The access line's JSON template writes what a JSON encoder of the same fields writes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from service.logs import ACCESS_LOGGER, AccessLines
from service.request_context import RequestContextMiddleware

HOSTILE_PATHS = [
    "/graphql",
    '/v1/securities/"quoted"',
    "/v1/securities/back\\slash",
    "/x\nERROR forged",
    "/tab\there\r",
    "/nul\x00\x1f\x7f\x9f",
    "/unicode/é/漢字/🙂",
    "/separators/\u2028\u2029",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
@pytest.mark.parametrize("request_id", [None, "abcDEF-0123._x"])
def test_the_template_line_is_the_json_of_its_fields(path: str, request_id: str | None) -> None:
    entry = (1_700_000_000.25, "GET", path, "/v1/securities/{symbol}", 404, "MISS", 0.012345, 3,
             request_id)  # fmt: skip
    line = AccessLines._json("2023-11-14 22:13:20,250", entry)
    assert line.endswith("\n")
    assert line.count("\n") == 1, "one line, whatever the path holds"
    assert "\u2028" not in line
    assert "\u2029" not in line
    assert json.loads(line) == {
        "time": "2023-11-14 22:13:20,250",
        "level": "INFO",
        "logger": ACCESS_LOGGER,
        "message": f"GET {path} 404",
        "request_id": request_id,
        "method": "GET",
        "path": path,
        "route": "/v1/securities/{symbol}",
        "status": 404,
        "cache": "MISS",
        "duration_ms": 12.35,
        "db_queries": 3,
    }


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("req-0123456789", True), ("abcdefgh\n", False), ("abcdefgh\r", False), ("short", False)],
)
async def test_only_a_whole_match_is_kept_as_the_request_id(sent: str, kept: bool) -> None:
    # The access line writes the id unescaped: `$` alone would let a trailing newline through.
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent_headers: list[tuple[bytes, bytes]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent_headers.extend(message["headers"])

    middleware = RequestContextMiddleware(app, access_log="errors")
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [
        (b"x-request-id", sent.encode())]}  # fmt: skip
    await middleware(scope, None, send)  # type: ignore[arg-type]
    chosen = dict(sent_headers)[b"x-request-id"].decode()
    assert (chosen == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9._\-]{8,128}", chosen)
