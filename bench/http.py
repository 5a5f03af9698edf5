"""HTTP benchmark of the response cache: uvicorn servers on 127.0.0.1, loaded by wrk.

    python -m bench.http [--quick] [--rounds 3] [--duration 10] [--connections 32] [--workers 1]

Servers, all started side by side on 127.0.0.1 and loaded one at a time with the same wrk, each
with `--workers` worker processes (default 1):

- `cached`: Shortflow with the response cache (rate limits off, as for a trusted network);
- `uncached`: Shortflow with SHORTFLOW_CACHE_ENABLED=false;
- `keyed`: Shortflow with the cache and rate limits on, called with an API key (10M/min);
- `logged`: `cached` with the default logging (INFO, an access line per request), written to a
  file as a container runtime would;
- `bare`: a bare Starlette app returning the same bytes as the hot query (bench/bare_app.py).

Part 1, one hot query (a 24-point short-interest series, POST /graphql): req/s, p50 and p99 of
each server and its ratio to the bare app, the median of --rounds interleaved rounds (each round
loads every server once, so a busy moment of the machine hits all of them), and the CPU split:
the share of the machine's cores the server's processes and wrk used during the run. Then (not
with --quick) the uncached hot query and the same series over REST.
Part 2, a mixed run with misses: Zipf(1.1) over 2,000 symbols, 12 query shapes (GraphQL and
REST), 6 of the shapes with 48 dates: over half a million distinct requests, far more than a
run sends, in a
list of --mixed-requests that no run gets through, so requests are first seen in the run as they
would be in service. The cached server is warmed first with a different draw of the same
distribution (a running service's cache is warm with the popular keys); then both servers take
the same list. Reported: req/s, median and p99 of cached and uncached, and the share of the
cached run's requests that were first seen (computed, not answered from either cache tier),
from /metrics.

The data is the demo dataset (2,000 stocks, 3 years) in database sf_bench_http on DATABASE_URL's
server (else embedded), loaded once and kept.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from bench.support import (
    ROOT,
    SHORTFLOW,
    Load,
    bench_key,
    cpu_seconds,
    free_port,
    load_demo,
    post_script,
    prepare_database,
    process_tree,
    running,
    server_url,
    wrk,
)

DATABASE = "sf_bench_http"
SI_FIELDS = (
    "settlementDate publishedDate shortInterest change changePercent daysToCover "
    "shortPercentOfFloat shortValueUsd flags"
)
HOT_QUERY = (
    '{ security(symbol: "IWM") { shortInterest(first: 24, from: "2025-11-01") '
    f"{{ nodes {{ {SI_FIELDS} }} }} }} }}"
)
HOT_REST = "/v1/securities/IWM/short-interest?from=2025-11-01&limit=24"

# The mixed run's shapes: (method, path or GraphQL document with {s} for the symbol).
SHAPES = [
    ("POST", '{ security(symbol: "{s}") { symbol name type marketClass latestShortInterest '
     "{ settlementDate shortInterest changePercent shortPercentOfFloat daysToCover } } }"),
    ("POST", '{ security(symbol: "{s}") { shortInterest(first: 24, from: "{d}") '
     f"{{ nodes {{ {SI_FIELDS} }} }} }} }}"),
    ("POST", '{ security(symbol: "{s}") { shortInterest(first: 240, to: "{d}") '
     "{ nodes { settlementDate shortInterest changePercent shortValueUsd } totalCount } } }"),
    ("POST", '{ security(symbol: "{s}") { prices(from: "{d}") { date close volume } } }'),
    ("POST", '{ security(symbol: "{s}") { sharesOutstanding floatShares } }'),
    ("POST", '{ securities(search: "{s}", first: 10) { nodes { symbol name } totalCount } }'),
    # Market-wide shapes, one key each: hot for every user alike.
    ("POST", '{ index(code: "R2000") { shortExposure(from: "2025-01-01") '
     "{ settlementDate totalShortValueUsd constituentsReporting isRecord } } }"),
    ("POST", "{ squeezeCandidates(first: 25) { security { symbol } score shortPercentOfFloat } }"),
    ("POST", "{ fundFlowLeaders(period: WEEK, direction: OUTFLOW) { symbol periodEnd flowUsd } }"),
    ("GET", "/v1/securities/{s}"),
    ("GET", "/v1/securities/{s}/short-interest?limit=24&from={d}"),
    ("GET", "/v1/securities/{s}/prices?from={d}"),
]  # fmt: skip
DATES = [f"{year}-{month:02d}-01" for year in (2023, 2024, 2025, 2026) for month in range(1, 13)]
"""The dates `{d}` of the mixed run's per-security shapes: 48 months of the demo's three years
and the current one."""

MIXED_SCRIPT = """
local requests = {}
for line in io.lines(%s) do
  local method, path, body = line:match("^(%%u+)\\t([^\\t]*)\\t(.*)$")
  table.insert(requests, {method, path, body})
end
local i = 0
request = function()
  i = i %% #requests + 1
  local r = requests[i]
  if r[1] == "POST" then
    return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, r[3])
  end
  return wrk.format("GET", r[2])
end
"""


def zipf_requests(symbols: list[str], count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """`count` requests: symbols by Zipf(1.1) rank, shapes and dates uniformly, deterministic."""
    rng = random.Random(seed)
    weights = [1 / rank**1.1 for rank in range(1, len(symbols) + 1)]
    chosen = rng.choices(symbols, weights=weights, k=count)
    requests = []
    for symbol in chosen:
        method, template = rng.choice(SHAPES)
        text = template.replace("{s}", symbol).replace("{d}", rng.choice(DATES))
        if method == "POST":
            requests.append(("POST", "/graphql", json.dumps({"query": text})))
        else:
            requests.append(("GET", text, ""))
    return requests


async def stock_symbols(url: str, count: int) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT symbol FROM security WHERE type = 'stock' ORDER BY id LIMIT $1", count
        )
    finally:
        await conn.close()
    return [row["symbol"] for row in rows]


def cache_counts(base: str) -> tuple[float, float]:
    """(hits in either tier, requests looked up) so far, from the server's /metrics. Every
    cacheable request looks up the memory tier once; its misses go on to Redis."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    counts = {
        (tier, result): float(value)
        for result, tier, value in re.findall(
            r'shortflow_cache_lookups_total\{result="(\w+)",tier="(\w+)"\} ([\d.e+]+)', text
        )
    }
    hits = counts.get(("memory", "hit"), 0.0) + counts.get(("redis", "hit"), 0.0)
    lookups = counts.get(("memory", "hit"), 0.0) + counts.get(("memory", "miss"), 0.0)
    return hits, lookups


def row(name: str, load: Load, bare: Load | None, cpu: str = "") -> str:
    ratio = f"{load.rate / bare.rate:>6.2f}" if bare else "      "
    return f"{name:<46} {load.rate:>9,.0f} {load.p50_ms:>8.2f} {load.p99_ms:>8.2f} {ratio}{cpu}"


@dataclass(frozen=True)
class Run:
    """One wrk run and the CPU it cost: the server's processes and wrk, in core-seconds."""

    load: Load
    seconds: float
    server_cpu_s: float

    def split(self) -> str:
        """The share of the machine's cores the server and wrk used, e.g. `  98% / 61%`."""
        cores = os.cpu_count() or 1
        server = self.server_cpu_s / self.seconds / cores
        client = self.load.wrk_cpu_s / self.seconds / cores
        return f" {server:>6.0%} {client:>6.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--mixed-requests",
        type=int,
        default=300_000,
        help="Length of the mixed run's request list (more than a run gets through).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="Only the hot query: bare, cached, logged, keyed."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Interleaved rounds of the hot-query runs (bare, cached, logged, keyed); medians.",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Worker processes of every server (1 to 8)."
    )
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if not 1 <= args.workers <= 8:
        parser.error("--workers must be between 1 and 8")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 1_000 <= args.mixed_requests <= 2_000_000:
        parser.error("--mixed-requests must be between 1,000 and 2,000,000")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or `make tools`)")
    url = asyncio.run(prepare_database(server_url(), DATABASE))
    base_env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        "SHORTFLOW_REDIS_PREFIX": f"sfb:{os.getpid()}:",
    }
    load_demo(base_env, "--stocks", "2000", "--years", "3", "--short-volume-years", "0")
    key = bench_key(base_env)
    symbols = asyncio.run(stock_symbols(url, 2000))
    work = Path(tempfile.mkdtemp(prefix="sf-bench-http-"))
    hot_body = json.dumps({"query": HOT_QUERY})
    servers = {
        "cached": {"SHORTFLOW_RATE_LIMIT_ENABLED": "false"},
        "uncached": {"SHORTFLOW_RATE_LIMIT_ENABLED": "false", "SHORTFLOW_CACHE_ENABLED": "false"},
        "keyed": {},
        # The default logging: INFO, an access line per request (SHORTFLOW_ACCESS_LOG=all).
        "logged": {"SHORTFLOW_RATE_LIMIT_ENABLED": "false", "SHORTFLOW_LOG_LEVEL": "INFO"},
    }
    workers = ["--workers", str(args.workers)]
    with ExitStack() as stack:
        bases: dict[str, str] = {}
        pids: dict[str, int] = {}

        def start(name: str, command: list[str], env: dict[str, str], log: Path | None) -> None:
            port = free_port()
            process = stack.enter_context(running([*command, "--port", str(port)], port, env, log))
            bases[name], pids[name] = f"http://127.0.0.1:{port}", process.pid

        for name, extra in servers.items():
            log = work / f"{name}.log" if name == "logged" else None
            command = [*SHORTFLOW, "serve", "--no-migrate", *workers]
            start(name, command, {**base_env, **extra}, log)
        reference = httpx.post(
            f"{bases['uncached']}/graphql",
            content=hot_body,
            timeout=30,
            headers={"Content-Type": "application/json"},
        )
        reference.raise_for_status()
        body_file = work / "hot.json"
        body_file.write_bytes(reference.content)
        start(
            "bare",
            [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--log-level", "warning",
             *workers],
            {**base_env, "PYTHONPATH": str(ROOT), "BARE_BODY_FILE": str(body_file)},
            None,
        )  # fmt: skip
        cached_answer = httpx.post(f"{bases['cached']}/graphql", content=hot_body, timeout=30,
                                   headers={"Content-Type": "application/json"})  # fmt: skip
        assert cached_answer.content == reference.content, "the cache changed the answer"
        print(f"hot query answer: {len(reference.content):,} bytes", file=sys.stderr)

        def measure(name: str, server: str, script: str, path: str = "/graphql") -> Run:
            base = bases[server]
            wrk(f"{base}{path}", script, 2, args.connections)  # warm-up
            tree = process_tree(pids[server])
            cpu, started = cpu_seconds(tree), time.monotonic()
            load = wrk(f"{base}{path}", script, args.duration, args.connections)
            run = Run(load, time.monotonic() - started, cpu_seconds(tree) - cpu)
            print(f"  {name}: {load.rate:,.0f} req/s", file=sys.stderr, flush=True)
            return run

        hot = post_script(hot_body)
        keyed_script = post_script(hot_body, {"X-API-Key": key})
        rest_script = f'wrk.path = "{HOT_REST}"\n'
        # The hot-query runs interleaved, round after round, so that a machine whose load
        # changes during the run moves every server alike; each row is its median round.
        hot_runs = [
            ("bare Starlette app, same bytes", "bare", hot),
            ("GraphQL hot query, cached", "cached", hot),
            ("GraphQL hot query, cached, access line each", "logged", hot),
            ("GraphQL hot query, cached, API key + limits", "keyed", keyed_script),
        ]
        rounds: dict[str, list[Run]] = {name: [] for name, _, _ in hot_runs}
        for _ in range(args.rounds):
            for name, server, script in hot_runs:
                rounds[name].append(measure(name, server, script))
        medians = {name: sorted(runs, key=lambda x: x.load.rate)[len(runs) // 2]
                   for name, runs in rounds.items()}  # fmt: skip
        results = list(medians.items())
        if not args.quick:
            results += [
                ("GraphQL hot query, uncached", measure("uncached", "uncached", hot)),
                ("REST same series, cached", measure("rest cached", "cached", rest_script, "")),
                ("REST same series, uncached", measure(
                    "rest uncached", "uncached", rest_script, "")),
            ]  # fmt: skip
            mixed = mixed_runs(args, symbols, work, bases, measure)
    shutil.rmtree(work, ignore_errors=True)

    bare = medians["bare Starlette app, same bytes"].load
    rounds_text = f"{args.rounds} interleaved rounds, medians; " if args.rounds > 1 else ""
    print(
        f"\n{rounds_text}{args.workers} worker process(es) per server, "
        f"wrk -t1 -c{args.connections} -d{args.duration}s, hot answer "
        f"{len(reference.content):,} bytes, {os.cpu_count()} cores"
    )
    print(f"{'run':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'/bare':>6} {'server':>6} "
          f"{'wrk':>6}")  # fmt: skip
    for name, run in results:
        print(row(name, run.load, bare, run.split()))
    print("(server, wrk: the share of all cores each used during the run)")
    if not args.quick:
        print_mixed(args, *mixed)


def mixed_runs(
    args: argparse.Namespace,
    symbols: list[str],
    work: Path,
    bases: dict[str, str],
    measure: Callable[[str, str, str, str], Run],
) -> tuple[Run, Run, float, int]:
    """The mixed run (module docstring, part 2): cached and uncached over the same list."""

    def script(requests: list[tuple[str, str, str]], name: str) -> str:
        path = work / f"{name}.tsv"
        path.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in requests))
        return MIXED_SCRIPT % json.dumps(str(path))

    measured = zipf_requests(symbols, args.mixed_requests, seed=7)
    warm = script(zipf_requests(symbols, args.mixed_requests, seed=8), "warm")
    wrk(bases["cached"], warm, args.duration, args.connections)
    hits_before, lookups_before = cache_counts(bases["cached"])
    cached = measure("mixed cached", "cached", script(measured, "measured"), "")
    hits_after, lookups_after = cache_counts(bases["cached"])
    uncached = measure("mixed uncached", "uncached", script(measured, "measured"), "")
    looked_up = lookups_after - lookups_before
    first_seen = 1 - (hits_after - hits_before) / max(1.0, looked_up)
    distinct = len(set(measured[: max(cached.load.requests, uncached.load.requests)]))
    return cached, uncached, first_seen, distinct


def print_mixed(
    args: argparse.Namespace, cached: Run, uncached: Run, first_seen: float, distinct: int
) -> None:
    dated = sum("{d}" in template for _, template in SHAPES)
    space = 2000 * (dated * len(DATES) + len(SHAPES) - dated)
    print(
        f"\nmixed run with misses: Zipf(1.1) over 2,000 symbols x {len(SHAPES)} shapes, "
        f"{dated} of them x {len(DATES)} dates (up to {space:,} distinct requests); a list of "
        f"{args.mixed_requests:,}, {distinct:,} distinct among the requests sent; "
        "the cached server warmed with another draw first"
    )
    print(f"{'run':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'':>6} {'server':>6} {'wrk':>6}")
    print(row("mixed, cached", cached.load, None, cached.split()))
    print(row("mixed, uncached", uncached.load, None, uncached.split()))
    print(
        f"cached / uncached: median latency {cached.load.p50_ms / uncached.load.p50_ms:.2f}x, "
        f"p99 {cached.load.p99_ms / uncached.load.p99_ms:.2f}x; requests first seen in the "
        f"cached run (computed, not from either cache tier): {first_seen:.1%}"
    )


if __name__ == "__main__":
    main()
