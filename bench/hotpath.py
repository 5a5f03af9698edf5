"""Microseconds of Python per cached request, by configuration: the app stack without a socket.

    DATABASE_URL=... REDIS_URL=... python -m bench.hotpath [--requests 20000] [--rounds 7]

What `bench.http` cannot tell apart on a busy machine: how much of a cache hit each layer adds.
Each configuration builds the real app (`service.app.create_app`, its lifespan, Postgres and
Redis from the environment, the demo data of `bench.http` in sf_bench_http) and is driven
directly as ASGI, with no HTTP server, socket or client in the loop: `--requests` sequential
POSTs of the hot query (the 24-point series of bench.http) per round, after a warm-up that puts
the answer in the cache. Time is this process's CPU time (`time.process_time`), not the wall
clock: a hit does no I/O (the answer is in the memory tier, a rate-limit lease lasts a thousand
requests), so waiting for a core another process holds does not count, and the figure holds on
a busy machine. Reported per configuration: the fastest round's CPU microseconds per request,
the median round's, and the difference to the plain cached configuration. Rounds are
interleaved (every configuration once per round).

Configurations:
- `cached`: response cache on, rate limits off, access lines off (SHORTFLOW_ACCESS_LOG=errors);
- `cached, access line each`: the default access log (`all`, INFO), written to /dev/null;
- `keyed`: rate limits on, with an API key (10M/min, leased tokens), access lines off;
- `keyed, default log`: the default configuration a partner meets: key, limits, access lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from bench.http import DATABASE, HOT_QUERY
from bench.support import bench_key, load_demo, prepare_database, server_url

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _scope(body: bytes, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _request(app: ASGI, state: dict[str, Any], scope: dict[str, Any], body: bytes) -> int:
    """One request through the app; its status (the answer's bytes are dropped)."""
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a client that stays connected
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app({**scope, "headers": list(scope["headers"]), "state": dict(state)}, receive, send)
    return status


async def _started(stack: AsyncExitStack, env: dict[str, str]) -> tuple[ASGI, dict[str, Any]]:
    """The app built from `env` (set for the duration of its construction), lifespan running."""
    from service.app import create_app
    from service.settings import load_settings

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        settings = load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    app = create_app(settings)
    state = await stack.enter_async_context(app.router.lifespan_context(app))
    return app, dict(state)


async def run(args: argparse.Namespace, base: dict[str, str], key: str) -> None:
    body = json.dumps({"query": HOT_QUERY}).encode()
    quiet = {"SHORTFLOW_ACCESS_LOG": "errors"}
    configurations = {
        "cached": ({**base, **quiet, "SHORTFLOW_RATE_LIMIT_ENABLED": "false"}, []),
        "cached, access line each": ({**base, "SHORTFLOW_RATE_LIMIT_ENABLED": "false"}, []),
        "keyed": ({**base, **quiet}, [(b"x-api-key", key.encode())]),
        "keyed, default log": (dict(base), [(b"x-api-key", key.encode())]),
    }
    logging.getLogger("service.http").setLevel(logging.INFO)
    async with AsyncExitStack() as stack:
        apps = {}
        for name, (env, headers) in configurations.items():
            app, state = await _started(stack, env)
            scope = _scope(body, headers)
            for _ in range(200):  # warm: the answer cached, the lease taken, the key resolved
                status = await _request(app, state, scope, body)
                if status != 200:
                    raise SystemExit(f"{name}: status {status}")
            apps[name] = (app, state, scope)
        timings: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(args.rounds):
            for name, (app, state, scope) in apps.items():
                started = time.process_time()
                for _ in range(args.requests):
                    await _request(app, state, scope, body)
                elapsed = time.process_time() - started
                timings[name].append(elapsed / args.requests * 1e6)
    best = {name: min(values) for name, values in timings.items()}
    print(
        f"\n{args.rounds} interleaved rounds of {args.requests:,} requests, in-process ASGI "
        f"(no server, no socket), CPU time; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'configuration':<28} {'best us':>8} {'median us':>10} {'+us vs cached':>14}")
    for name, values in timings.items():
        extra = best[name] - best["cached"]
        print(f"{name:<28} {best[name]:>8.1f} {statistics.median(values):>10.1f} {extra:>+14.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20_000, help="Requests per round.")
    parser.add_argument("--rounds", type=int, default=7, help="Interleaved rounds (1 to 50).")
    args = parser.parse_args()
    if not 1_000 <= args.requests <= 1_000_000:
        parser.error("--requests must be between 1,000 and 1,000,000")
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be between 1 and 50")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL must name a Redis server (the cache and the limits live there)")
    url = asyncio.run(prepare_database(server_url(), DATABASE))
    base = {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "SHORTFLOW_LOG_LEVEL": "INFO",
        "SHORTFLOW_REDIS_PREFIX": f"sfh:{os.getpid()}:",
    }
    env = {**os.environ, **base, "SHORTFLOW_LOG_LEVEL": "WARNING"}
    load_demo(env, "--stocks", "2000", "--years", "3", "--short-volume-years", "0")
    key = bench_key(env)
    with open(os.devnull, "w") as sink:  # the access lines' destination
        sys.stderr = sink
        try:
            asyncio.run(run(args, base, key))
        finally:
            sys.stderr = sys.__stderr__


if __name__ == "__main__":
    main()
