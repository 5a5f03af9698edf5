"""GraphQL benchmark: req/s and latency for 24, 240 and 2,500-point series, uncached, one worker.

    python bench/graphql.py [--duration 10] [--connections 32]

Loads the demo dataset (600 stocks, 10 years) into a benchmark database (kept between runs), then
serves it twice on 127.0.0.1, each with one uvicorn worker and the response cache off:
Shortflow, and the same schema and resolvers behind Strawberry's stock ASGI view and executor
(bench/naive_app.py). wrk (one thread) loads each for each query; the answers are checked equal
first. Postgres: DATABASE_URL's server, else embedded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "sf_bench_graphql"
SHAPES = {
    "24 points (short interest, 1 year)": """{ security(symbol: "IWM") {
        shortInterest(first: 24, from: "2025-11-01") { nodes { settlementDate publishedDate
        shortInterest change changePercent daysToCover shortPercentOfFloat shortValueUsd flags
        } } } }""",
    "240 points (short interest, 10 years)": """{ security(symbol: "IWM") {
        shortInterest(first: 240) { nodes { settlementDate publishedDate shortInterest change
        changePercent daysToCover shortPercentOfFloat shortValueUsd flags } } } }""",
    "2,500 points (daily prices, 10 years)": """{ security(symbol: "IWM") {
        prices(from: "2016-11-01", to: "2026-10-30") { date open high low close volume } } }""",
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def prepare_database(server_url: str) -> str:
    url = with_database(server_url, DATABASE)
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if not exists:
            await conn.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await conn.close()
    return url


@contextmanager
def serve(command: list[str], port: int, env: dict[str, str]) -> Iterator[str]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(20)


def wrk(url: str, query: str, duration: int, connections: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of POSTing `query` to `url`."""
    body = json.dumps({"query": query})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(script.name)
    output = result.stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    rate = float(found.group(1))
    return rate, _percentile(output, "50%"), _percentile(output, "99%")


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output)
    assert match is not None, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or `make tools`)")
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        from service.embedded import start_embedded
        from service.settings import load_settings

        embedded = start_embedded(load_settings(home=ROOT / ".shortflow" / "bench"))
        server_url = embedded.database_url
    assert server_url is not None
    url = asyncio.run(prepare_database(server_url))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        "SHORTFLOW_CACHE_ENABLED": "false",
        "SHORTFLOW_RATE_LIMIT_ENABLED": "false",
    }
    shortflow = [sys.executable, "-m", "service"]
    subprocess.run([*shortflow, "migrate"], env=env, check=True, capture_output=True)
    print("loading the demo dataset (first run only) ...", file=sys.stderr, flush=True)
    subprocess.run(
        [
            *shortflow,
            "demo",
            "--if-empty",
            "--stocks",
            "600",
            "--years",
            "10",
            "--short-volume-years",
            "0",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    ours_port, naive_port = free_port(), free_port()
    results = []
    with (
        serve(
            [*shortflow, "serve", "--port", str(ours_port), "--no-migrate"], ours_port, env
        ) as ours,
        serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.naive_app:app",
                "--port",
                str(naive_port),
                "--log-level",
                "warning",
            ],
            naive_port,
            {**env, "PYTHONPATH": str(ROOT)},
        ) as naive,
    ):
        for label, query in SHAPES.items():
            a = httpx.post(f"{ours}/graphql", json={"query": query}, timeout=30).json()
            b = httpx.post(f"{naive}/graphql", json={"query": query}, timeout=30).json()
            assert a["data"] == b["data"], f"different answers for {label}"
            points = len(
                next(iter(next(iter(a["data"]["security"].values())).values()))
                if isinstance(next(iter(a["data"]["security"].values())), dict)
                else next(iter(a["data"]["security"].values()))
            )
            for name, base in (("shortflow", ours), ("strawberry stock", naive)):
                rate, p50, p99 = wrk(f"{base}/graphql", query, args.duration, args.connections)
                results.append((label, points, name, rate, p50, p99))
                print(f"{label:<40} {name:<17} {rate:>8.0f} req/s", file=sys.stderr, flush=True)
    print(
        f"\n{'query':<40} {'points':>6} {'server':<17} {'req/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}"
    )
    for index, (label, points, name, rate, p50, p99) in enumerate(results):
        baseline = results[index - index % 2 + 1][3]
        print(
            f"{label:<40} {points:>6} {name:<17} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f} "
            f"{rate / baseline:>5.2f}x"
        )


if __name__ == "__main__":
    main()
