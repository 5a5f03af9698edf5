"""GraphQL benchmark: req/s and latency for 24, 240 and 2,500-point series, uncached, one worker.

    python bench/graphql.py [--duration 10] [--connections 32]

Loads the demo dataset (600 stocks, 10 years) into a benchmark database (kept between runs), then
serves it three times on 127.0.0.1, each with one uvicorn worker and the response cache off:
Shortflow; the same schema and resolvers behind Strawberry's stock ASGI view and executor
(bench/naive_app.py); and that stock view with Shortflow's limits as extensions and its leaf
executor as `execution_context_class` (bench/tuned_app.py). The three run side by side in one
run, so CPU contention weighs on all alike; ratios are to the stock view. wrk (one thread) loads
each for each query; the answers are checked equal first. A server that times out under load
is reported as such. Postgres: DATABASE_URL's server, else embedded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys

import httpx

from bench.support import (
    ROOT,
    SHORTFLOW,
    demo_database,
    free_port,
    post_script,
    serve,
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
    env = demo_database(DATABASE)[1]
    ours_port, naive_port, tuned_port = free_port(), free_port(), free_port()
    results = []
    with (
        serve(
            [*SHORTFLOW, "serve", "--port", str(ours_port), "--no-migrate"], ours_port, env
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
        serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.tuned_app:app",
                "--port",
                str(tuned_port),
                "--log-level",
                "warning",
            ],
            tuned_port,
            {**env, "PYTHONPATH": str(ROOT)},
        ) as tuned,
    ):
        servers = (("shortflow", ours), ("strawberry stock", naive), ("strawberry tuned", tuned))
        for label, query in SHAPES.items():
            a = httpx.post(f"{ours}/graphql", json={"query": query}, timeout=60).json()
            for other in (naive, tuned):
                b = httpx.post(f"{other}/graphql", json={"query": query}, timeout=60).json()
                assert a["data"] == b["data"], f"different answers for {label}"
            points = len(
                next(iter(next(iter(a["data"]["security"].values())).values()))
                if isinstance(next(iter(a["data"]["security"].values())), dict)
                else next(iter(a["data"]["security"].values()))
            )
            rates: dict[str, float] = {}
            rows = []
            for name, base in servers:
                body = json.dumps({"query": query})
                try:
                    load = wrk(
                        f"{base}/graphql", post_script(body), args.duration, args.connections
                    )
                except RuntimeError:
                    rows.append(f"{label:<40} {points:>6} {name:<17} failed under load (timeouts)")
                    print(f"{label:<40} {name:<17} timed out", file=sys.stderr, flush=True)
                    continue
                rates[name] = load.rate
                rows.append(
                    f"{label:<40} {points:>6} {name:<17} {load.rate:>8.0f} "
                    f"{load.p50_ms:>8.2f} {load.p99_ms:>8.2f}"
                )
                line = f"{label:<40} {name:<17} {load.rate:>8.0f} req/s"
                print(line, file=sys.stderr, flush=True)
            baseline = rates.get("strawberry stock")
            for row, (name, _) in zip(rows, servers, strict=True):
                ratio = f" {rates[name] / baseline:>5.2f}x" if baseline and name in rates else ""
                results.append(row + ratio)
    print(
        f"\n{'query':<40} {'points':>6} {'server':<17} {'req/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}"
    )
    for row in results:
        print(row)


if __name__ == "__main__":
    main()
