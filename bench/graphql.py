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
import shutil
import sys

import httpx

from bench.support import (
    ROOT,
    SHORTFLOW,
    free_port,
    load_demo,
    post_script,
    prepare_database,
    serve,
    server_url,
    wrk,
)

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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or `make tools`)")
    url = asyncio.run(prepare_database(server_url(), DATABASE))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        "SHORTFLOW_CACHE_ENABLED": "false",
        "SHORTFLOW_RATE_LIMIT_ENABLED": "false",
    }
    shortflow = SHORTFLOW
    load_demo(env, "--stocks", "600", "--years", "10", "--short-volume-years", "0")
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
                body = json.dumps({"query": query})
                load = wrk(f"{base}/graphql", post_script(body), args.duration, args.connections)
                rate, p50, p99 = load.rate, load.p50_ms, load.p99_ms
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
