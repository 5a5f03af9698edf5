"""HTTP hardening: request-head limits and the slowloris defence of `shortflow serve`, headers on
every answer, error messages that leak nothing, log lines that cannot be forged.

The head limits live in the HTTP protocol (service/httpserver.py), before any ASGI code, so they
are tested against a real `shortflow serve` process over raw sockets, as an attacker would send.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import socket
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from service.db.migrate import migrate
from service.graphql.messages import bounded
from service.logs import AccessLines, configure_logging
from tests.conftest import DatabaseFactory, Servers, app_client, make_settings
from tests.support.live import LiveServer, live_server_process
from tests.support.servers import TempPostgres

HEADER_TIMEOUT_S = 1.0
KEEPALIVE_S = 1
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 50


@pytest.fixture(scope="module")
def live(
    db_factory: DatabaseFactory, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One real server for the module, with small limits so the tests are quick, logging its
    access lines in the console format `shortflow` uses by default."""
    log_path = tmp_path_factory.mktemp("live") / "server.log"
    with live_server_process(
        db_factory.create(),
        servers.redis_url,
        log_path,
        SHORTFLOW_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
        SHORTFLOW_KEEPALIVE_TIMEOUT_S=str(KEEPALIVE_S),
        SHORTFLOW_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES),
        SHORTFLOW_MAX_HEADERS=str(MAX_HEADERS),
        SHORTFLOW_LOG_LEVEL="INFO",
        SHORTFLOW_LOG_FORMAT="console",
    ) as server:
        yield server


def _connect(live: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", live.port), timeout=10)


def _answer(sock: socket.socket) -> tuple[bytes, bool]:
    """What the server sends until it closes the connection: (bytes, closed by the server)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return data, False
    except ConnectionResetError:
        pass
    return data, True


def _one_response(sock: socket.socket) -> bytes:
    """One whole response (head and Content-Length body), leaving the connection open."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0


def _head(*headers: bytes, target: bytes = b"/healthz") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + b"".join(headers) + b"\r\n"


# -- request heads ------------------------------------------------------------------------------


def test_a_header_section_over_the_limit_is_431_at_once(live: LiveServer) -> None:
    with _connect(live) as sock:
        started = time.monotonic()
        sock.sendall(_head(b"Cookie: " + b"a" * (MAX_HEADER_BYTES + 1) + b"\r\n"))
        data, closed = _answer(sock)
    assert _status(data) == 431
    assert closed, "the connection stays open after a refused head"
    assert time.monotonic() - started < 0.5


def test_one_endless_header_line_is_431_without_waiting_for_its_end(live: LiveServer) -> None:
    # No CRLF ever comes: the parser buffers the field, so the protocol counts raw bytes.
    with _connect(live) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bomb: " + b"b" * 100_000)
        data, closed = _answer(sock)
    assert _status(data) == 431
    assert closed


def test_too_many_header_fields_are_431(live: LiveServer) -> None:
    fields = [b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS + 1)]
    with _connect(live) as sock:
        sock.sendall(_head(*fields))
        data, _ = _answer(sock)
    assert _status(data) == 431


def test_a_url_over_the_limit_is_414(live: LiveServer) -> None:
    with _connect(live) as sock:
        sock.sendall(_head(target=b"/v1/securities?search=" + b"a" * MAX_HEADER_BYTES))
        data, _ = _answer(sock)
    assert _status(data) == 414


def test_a_large_but_allowed_head_is_served(live: LiveServer) -> None:
    # Under the limits, split across packets, and followed by a second request on the same
    # connection: no false refusal.
    cookie = b"Cookie: " + b"c" * (MAX_HEADER_BYTES // 2) + b"\r\n"
    fields = [b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS - 5)]
    request = _head(cookie, *fields)
    with _connect(live) as sock:
        for start in range(0, len(request), 1000):
            sock.sendall(request[start : start + 1000])
            time.sleep(0.01)
        first = _one_response(sock)
        sock.sendall(_head(b"Connection: close\r\n"))
        second, _ = _answer(sock)
    assert _status(first) == 200
    assert _status(second) == 200


def test_slowloris_connections_are_cut_and_others_are_served(live: LiveServer) -> None:
    # 100 connections each trickling a never-ending head (one header line a byte at a time).
    attackers = [_connect(live) for _ in range(100)]
    try:
        for sock in attackers:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        deadline = time.monotonic() + HEADER_TIMEOUT_S + 1.5
        while time.monotonic() < deadline:
            for sock in attackers:
                with contextlib.suppress(OSError):  # already cut
                    sock.sendall(b"a")
            # A legitimate caller meanwhile is answered at once.
            started = time.monotonic()
            assert httpx.get(f"{live.base}/healthz", timeout=5).status_code == 200
            assert time.monotonic() - started < 0.5
            time.sleep(0.2)
        # What the attacker sees: every connection answered 408 and closed.
        statuses = []
        for sock in attackers:
            sock.settimeout(2)
            data, closed = _answer(sock)
            assert closed
            statuses.append(_status(data))
        assert statuses == [408] * len(attackers)
    finally:
        for sock in attackers:
            sock.close()


def test_a_slow_head_on_a_kept_alive_connection_is_cut_too(live: LiveServer) -> None:
    """The timer is not re-armed per request: a head trickled after a served request, on the
    same connection, still gets its 408 within the timeout of its own first byte."""
    with _connect(live) as sock:
        for _ in range(3):
            sock.sendall(_head())
            assert _status(_one_response(sock)) == 200
        time.sleep(HEADER_TIMEOUT_S / 2)  # the connection's first timer fires in the middle
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        sock.settimeout(0.2)
        closed = False
        data = b""
        while time.monotonic() - started < HEADER_TIMEOUT_S + 2 and not closed:
            with contextlib.suppress(OSError):
                sock.sendall(b"a")
            chunk, closed = _answer(sock)
            data += chunk
        waited = time.monotonic() - started
    assert closed
    assert _status(data) == 408
    assert HEADER_TIMEOUT_S - 0.3 < waited < HEADER_TIMEOUT_S + 1.5


def test_a_connection_that_never_sends_is_closed_silently(live: LiveServer) -> None:
    with _connect(live) as sock:
        started = time.monotonic()
        data, closed = _answer(sock)
    assert closed
    assert data == b""
    assert HEADER_TIMEOUT_S - 0.2 < time.monotonic() - started < HEADER_TIMEOUT_S + 2


def test_an_idle_keep_alive_connection_is_closed(live: LiveServer) -> None:
    with _connect(live) as sock:
        sock.sendall(_head())
        assert _status(_one_response(sock)) == 200
        started = time.monotonic()
        data, closed = _answer(sock)
    assert closed
    assert data == b""
    assert time.monotonic() - started < KEEPALIVE_S + 2


# -- logs ---------------------------------------------------------------------------------------


def test_a_newline_in_a_path_cannot_forge_a_log_line(live: LiveServer) -> None:
    forged = "/v1/x%0A2026-01-01 00:00:00,000 ERROR   service.http: database wiped%0D%1B[2J"
    assert httpx.get(f"{live.base}{forged}", timeout=5).status_code == 404
    time.sleep(0.3)
    lines = live.log_path.read_text().splitlines()
    assert not any(line.startswith("2026-01-01") for line in lines), lines[-5:]
    [line] = [line for line in lines if "database wiped" in line]
    # What an operator reads: one line, the control characters spelled out.
    assert "GET /v1/x\\n2026-01-01 00:00:00,000 ERROR" in line
    assert "\\r\\u001b[2J 404" in line


def test_json_log_lines_escape_control_characters_too(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        logging.getLogger("service.http").info("%s %s", "GET", "/x\nERROR forged")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "GET /x\nERROR forged"


def test_json_access_lines_escape_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    AccessLines("json").add("GET", "/x\nERROR forged\u2028", "unmatched", 404, "none", 0.0, 0, None)
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "GET /x\nERROR forged\u2028 404"


# -- headers on every answer --------------------------------------------------------------------


async def test_every_answer_says_nosniff(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/healthz"),
        await client.get("/v1/securities"),
        await client.get("/v1/securities", params={"limit": "x"}),
        await client.get("/v1/securities", params={"format": "csv"}),
        await client.get("/no/such/route"),
        await client.post("/v1/securities"),
        await client.get("/openapi.json"),
        await client.get("/docs"),
        await client.get("/graphql", headers={"Accept": "text/html"}),
        await client.post("/graphql", json={"query": "{ __typename }"}),
        await client.post("/graphql", json={"query": "{ nope }"}),
    ]
    again = await client.get("/v1/securities")
    assert again.headers["x-cache"] == "HIT"
    for response in [*answers, again]:
        assert response.headers.get_list("x-content-type-options") == ["nosniff"], (
            response.url,
            response.status_code,
        )


async def test_refusals_are_never_stored(servers: Servers, database_url: str) -> None:
    settings = make_settings(database_url, servers.redis_url, "sft:refusals:", require_api_key=True)
    async with app_client(settings) as client:
        for response in [
            await client.get("/v1/securities"),
            await client.get("/graphql", params={"query": "{ __typename }"}),
            await client.post("/graphql", json={"query": "{ __typename }"}),
            await client.get("/v1/securities", headers={"Authorization": "Bearer sf_nope"}),
        ]:
            assert response.status_code == 401
            assert response.headers.get_list("cache-control") == ["no-store"]


async def test_rate_limited_answers_are_never_stored(
    servers: Servers, database_url: str, redis_prefix: str
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix, anonymous_rate_limit=1)
    async with app_client(settings) as client:
        answers = [await client.get("/v1/securities") for _ in range(3)]
    assert answers[-1].status_code == 429
    assert answers[-1].headers.get_list("cache-control") == ["no-store"]


@pytest.mark.slow
async def test_an_outage_says_no_more_than_unavailable(
    own_postgres: TempPostgres, servers: Servers, redis_prefix: str
) -> None:
    await migrate(own_postgres.url)
    settings = make_settings(own_postgres.url, servers.redis_url, redis_prefix)
    fresh = {"Cache-Control": "no-cache"}
    async with app_client(settings) as client:
        await asyncio.to_thread(own_postgres.stop, "immediate")
        answers = [await client.get("/v1/securities", headers=fresh) for _ in range(3)]
        answers += [
            await client.post("/graphql", json={"query": "{ securities { totalCount } }"})
            for _ in range(2)
        ]
    messages = [answers[0].json()["error"]["message"], answers[-1].json()["errors"][0]["message"]]
    for response in answers:
        assert response.status_code == 503
        assert response.headers.get_list("cache-control") == ["no-store"]
        assert "Error" not in response.text  # ConnectionRefusedError, OSError...
    # The first request finds the outage, the others meet the open breaker: the same words.
    assert set(messages) == {"the database is unavailable; retry shortly"}


# -- error messages -----------------------------------------------------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/securities", {"limit": HUGE}),
        ("/v1/securities", {"type": HUGE}),
        ("/v1/securities", {"search": HUGE}),
        ("/v1/securities", {"cursor": HUGE}),
        ("/v1/securities/IWM/short-interest", {"from": HUGE}),
        ("/v1/securities/" + HUGE, {}),
        ("/" + HUGE, {}),
    ],
)
async def test_errors_do_not_echo_a_huge_input(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params)
    assert 400 <= response.status_code < 500
    message = response.json()["error"]["message"]
    # The attacker gets its first 100 characters back at most, and how long the input was.
    assert len(message) < 400, message
    assert "9" * 101 not in message


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($d: Date) { squeezeCandidates(asOf: $d) { score } }", {"d": HUGE}),
        ("query ($a: String) { securities(after: $a) { totalCount } }", {"a": HUGE}),
        # graphql-core's own enum message quotes the value in full: cut when rendered
        # (service.graphql.messages.bounded).
        ("query ($t: SecurityType) { securities(type: $t) { totalCount } }", {"t": HUGE}),
    ],
)
async def test_graphql_errors_do_not_echo_a_huge_input(
    client: httpx.AsyncClient, query: str, variables: dict[str, str]
) -> None:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    [error] = response.json()["errors"]
    assert len(error["message"]) < 400, error["message"]
    assert "9" * 101 not in error["message"]


SUGGESTIVE = [
    ('{ securty(symbol: "IWM") { name } }', {}),
    ('{ security(symbl: "IWM") { name } }', {}),
    ("{ securities(type: STOK) { totalCount } }", {}),
    ("query ($t: SecurityTyp) { securities(type: $t) { totalCount } }", {}),
    ("query ($t: SecurityType) { securities(type: $t) { totalCount } }", {"t": "STOK"}),
]


@pytest.mark.parametrize(("query", "variables"), SUGGESTIVE)
async def test_no_did_you_mean_when_introspection_is_off(
    database_url: str,
    servers: Servers,
    redis_prefix: str,
    query: str,
    variables: dict[str, str],
) -> None:
    payload = {"query": query, "variables": variables}
    open_settings = make_settings(database_url, servers.redis_url, redis_prefix)
    async with app_client(open_settings) as client:
        suggested = (await client.post("/graphql", json=payload)).json()["errors"]
    # With introspection on, the schema is public anyway and suggestions help...
    assert any("Did you mean" in error["message"] for error in suggested), suggested
    closed = make_settings(
        database_url, servers.redis_url, redis_prefix + "x:", introspection=False
    )
    async with app_client(closed) as client:
        errors = (await client.post("/graphql", json=payload)).json()["errors"]
    # ...with it off, the attacker learns that the request is wrong, not what is right.
    assert errors
    assert not any("Did you mean" in error["message"] for error in errors), errors


def test_library_messages_are_cut_where_they_quote_a_value() -> None:
    enum = f"Variable '$t' got invalid value: Value '{HUGE}' does not exist in 'SecurityType' enum."
    assert bounded(enum) == (
        f"Variable '$t' got invalid value: Value '{HUGE[:100]}'... (5,000 characters) "
        "does not exist in 'SecurityType' enum."
    )
    literal = f'String cannot represent a non string value: "{HUGE}"'
    assert bounded(literal).endswith(f'"{HUGE[:100]}"... (5,000 characters)')
    short = "Cannot query field 'securty' on type 'Query'."
    assert bounded(short) == short
