"""A Postgres that accepts connections and never answers (issue 12.6): every process of a
private cluster is stopped with SIGSTOP, so sockets stay open and nothing replies.

What a caller must see: 503 with Retry-After within the request deadline (or the client-side
command timeout), never a request left hanging, and the pool's connections given back so the
service answers again as soon as Postgres does. The cluster is the test's own (the machine's
shared Postgres is never stopped).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.db.migrate import migrate
from tests.conftest import Servers, app_client, make_settings
from tests.support.servers import TempPostgres

pytestmark = pytest.mark.slow

QUERY = {"query": '{ security(symbol: "IWM") { symbol } }'}
FRESH = {"Cache-Control": "no-cache"}  # computed now: the cache must not answer for Postgres


class Frozen:
    """SIGSTOP / SIGCONT for the postmaster and every backend of one private cluster."""

    def __init__(self, server: TempPostgres) -> None:
        self.server = server
        self.stopped: list[int] = []

    def _pids(self) -> list[int]:
        postmaster = int((self.server.data / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Field 4 (after the parenthesised command, which may hold spaces) is the parent.
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
        return [postmaster, *children]

    def stop(self) -> None:
        self.stopped = self._pids()
        for pid in self.stopped:
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.stopped = []


@pytest.fixture
def hung_postgres(tmp_path: Path) -> Iterator[tuple[TempPostgres, Frozen]]:
    server = TempPostgres(tmp_path / "pg").initdb()
    server.start()
    frozen = Frozen(server)
    yield server, frozen
    frozen.resume()
    server.stop("immediate")


def _in_use(metrics: str) -> float:
    match = re.search(r'^shortflow_db_pool_connections\{state="in_use"\} (\S+)$', metrics, re.M)
    assert match is not None, "the pool gauge is missing from /metrics"
    return float(match.group(1))


async def _first_success(client: httpx.AsyncClient, within: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        if (await client.post("/graphql", json=QUERY, headers=FRESH)).status_code == 200:
            return time.perf_counter() - started
        await asyncio.sleep(0.2)
    return None


async def test_requests_to_a_hung_postgres_end_at_the_deadline_and_release_the_pool(
    hung_postgres: tuple[TempPostgres, Frozen], servers: Servers, redis_prefix: str
) -> None:
    server, frozen = hung_postgres
    await migrate(server.url)
    settings = make_settings(server.url, servers.redis_url, redis_prefix, request_timeout_s=1.5)
    settings = settings.model_copy(update={"pool_max_size": 2})
    async with app_client(settings) as client:
        assert (await client.post("/graphql", json=QUERY, headers=FRESH)).status_code == 200
        await asyncio.to_thread(frozen.stop)
        started = time.perf_counter()
        # More requests than connections: two hang on Postgres, the rest queue behind them.
        answers = await asyncio.gather(
            *(client.post("/graphql", json=QUERY, headers=FRESH) for _ in range(4)),
            client.get("/v1/securities/IWM", headers=FRESH),
        )
        elapsed = time.perf_counter() - started
        in_use = _in_use((await client.get("/metrics")).text)
        await asyncio.to_thread(frozen.resume)
        recovered = await _first_success(client, within=15)

    assert [a.status_code for a in answers] == [503] * 5
    assert all(a.headers["retry-after"] == "5" for a in answers)
    assert all(a.headers["cache-control"] == "no-store" for a in answers)
    graphql_error = answers[0].json()["errors"][0]
    assert graphql_error["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "longer than 1.5 s" in graphql_error["message"]
    assert answers[4].json()["error"]["code"] == "REQUEST_TIMEOUT"
    assert elapsed < 3.0, f"answers took {elapsed:.1f} s with a 1.5 s deadline"
    assert in_use == 0, "a request past its deadline still holds a pooled connection"
    assert recovered is not None, "the service did not answer again after Postgres resumed"


async def test_a_query_the_server_never_answers_ends_at_the_client_timeout(
    hung_postgres: tuple[TempPostgres, Frozen], servers: Servers, redis_prefix: str
) -> None:
    # A deadline far away: the client-side command timeout (statement_timeout + 1 s) ends it.
    server, frozen = hung_postgres
    await migrate(server.url)
    settings = make_settings(
        server.url,
        servers.redis_url,
        redis_prefix,
        statement_timeout_ms=500,
        request_timeout_s=30,
    )
    async with app_client(settings) as client:
        assert (await client.post("/graphql", json=QUERY, headers=FRESH)).status_code == 200
        await asyncio.to_thread(frozen.stop)
        started = time.perf_counter()
        answer = await client.post("/graphql", json=QUERY, headers=FRESH)
        elapsed = time.perf_counter() - started
        in_use = _in_use((await client.get("/metrics")).text)
        await asyncio.to_thread(frozen.resume)

    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert 1.0 < elapsed < 4.0, f"the hung query was answered after {elapsed:.1f} s"
    assert in_use == 0
