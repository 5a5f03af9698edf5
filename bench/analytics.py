"""Analytics latency: how long each question of PRODUCT.md takes to answer, uncached.

    python -m bench.analytics [--requests 50]

One Shortflow server (one worker, response cache off) on the demo dataset of bench/graphql.py
(600 stocks, 10 years, database sf_bench_graphql); each query is sent --requests times in a row
by one client (after two warm-up requests) and the client-side latency printed: p50, p95, max,
with the size of the answer. Ten years of R2000 exposure is the target of issue 5 (< 50 ms).
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from bench.support import SHORTFLOW, demo_database, free_port, serve

DATABASE = "sf_bench_graphql"
QUERIES = {
    "R2000 short exposure, 10 years": """{ index(code: "R2000") { shortExposure {
        settlementDate singleStockShortInterest singleStockShortValueUsd etfShortInterest
        etfShortValueUsd totalShortValueUsd constituentsReporting constituentsPriced isRecord
        } } }""",
    "IWM weekly flows, 10 years, with records": """{ security(symbol: "IWM") {
        fundFlows(period: WEEK) { periodStart periodEnd flowUsd isRecordInflow isRecordOutflow }
        flowRecords(period: WEEK) { largestOutflow { periodEnd flowUsd } } } }""",
    "IWM monthly flows, 10 years": """{ security(symbol: "IWM") {
        fundFlows(period: MONTH) { periodEnd flowUsd isRecordOutflow } } }""",
    "weekly outflow leaders, newest week": """{ fundFlowLeaders(period: WEEK,
        direction: OUTFLOW, first: 10) { symbol periodEnd flowUsd isRecordOutflow } }""",
    "squeeze screen, R2000 members, top 25": """{ squeezeScreen(index: "R2000", first: 25) {
        evaluated excluded { reason count }
        candidates { security { symbol } score
        factors { name value weight contribution } } } }""",
    "settlement calendar 2026": (
        "{ settlementCalendar(year: 2026) { settlementDate publicationDate } }"
    ),
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    env = demo_database(DATABASE)[1]
    port = free_port()
    rows = []
    with (
        serve([*SHORTFLOW, "serve", "--port", str(port), "--no-migrate"], port, env) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        for label, query in QUERIES.items():
            timings = []
            size = 0
            for index in range(args.requests + 2):
                started = time.perf_counter()
                response = client.post("/graphql", json={"query": query})
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                body = response.json()
                if "errors" in body:
                    raise RuntimeError(f"{label}: {body['errors']}")
                size = len(response.content)
                if index >= 2:
                    timings.append(elapsed * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)))]
            rows.append((label, statistics.median(timings), p95, timings[-1], size))
    print(
        f"\n{'query (uncached, one worker)':<44} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'bytes':>9}"
    )
    for label, p50, p95, worst, size in rows:
        print(f"{label:<44} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f} {size:>9,}")


if __name__ == "__main__":
    main()
