"""HTTP benchmark of the response cache: one uvicorn worker per server, wrk on 127.0.0.1.

    python -m bench.http [--quick] [--rounds 3] [--duration 10] [--connections 32]

Servers, all started side by side on 127.0.0.1 and loaded one at a time with the same wrk:

- `cached`: Shortflow with the response cache (rate limits off, as for a trusted network);
- `uncached`: Shortflow with SHORTFLOW_CACHE_ENABLED=false;
- `keyed`: Shortflow with the cache and rate limits on, called with an API key (10M/min);
- `logged`: `cached` with the default logging (INFO, an access line per request);
- `bare`: a bare Starlette app returning the same bytes as the hot query (bench/bare_app.py).

Part 1, one hot query (a 24-point short-interest series, POST /graphql): req/s, p50 and p99 of
each server and its ratio to the bare app, the median of --rounds interleaved rounds (each round
loads every server once, so a busy moment of the machine hits all of them); plus the same series
over REST (cached).
Part 2, a mixed run: Zipf(1.1) over 2,000 symbols and 12 query shapes (GraphQL and REST), a
warm-up run, then the measured run, cached against uncached: median latency ratio and the
cache's hit ratio (from /metrics).

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
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import httpx

from bench.support import (
    ROOT,
    SHORTFLOW,
    Load,
    free_port,
    load_demo,
    post_script,
    prepare_database,
    serve,
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
    ("POST", '{ security(symbol: "{s}") { shortInterest(first: 24, from: "2025-11-01") '
     f"{{ nodes {{ {SI_FIELDS} }} }} }} }}"),
    ("POST", '{ security(symbol: "{s}") { shortInterest(first: 240) '
     "{ nodes { settlementDate shortInterest changePercent shortValueUsd } totalCount } } }"),
    ("POST", '{ security(symbol: "{s}") { prices(from: "2025-11-01") { date close volume } } }'),
    ("POST", '{ security(symbol: "{s}") { sharesOutstanding floatShares } }'),
    ("POST", '{ securities(search: "{s}", first: 10) { nodes { symbol name } totalCount } }'),
    ("POST", '{ index(code: "R2000") { shortExposure(from: "2025-01-01") '
     "{ settlementDate totalShortValueUsd constituentsReporting isRecord } } }"),
    ("POST", "{ squeezeCandidates(first: 25) { security { symbol } score shortPercentOfFloat } }"),
    ("POST", "{ fundFlowLeaders(period: WEEK, direction: OUTFLOW) { symbol periodEnd flowUsd } }"),
    ("GET", "/v1/securities/{s}"),
    ("GET", "/v1/securities/{s}/short-interest?limit=24"),
    ("GET", "/v1/securities/{s}/prices?from=2026-06-01"),
]  # fmt: skip

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
    """`count` requests: symbols by Zipf(1.1) rank, shapes uniformly, deterministic."""
    rng = random.Random(seed)
    weights = [1 / rank**1.1 for rank in range(1, len(symbols) + 1)]
    chosen = rng.choices(symbols, weights=weights, k=count)
    requests = []
    for symbol in chosen:
        method, template = rng.choice(SHAPES)
        text = template.replace("{s}", symbol)
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


def row(name: str, load: Load, bare: Load | None) -> str:
    ratio = f"{load.rate / bare.rate:>6.2f}" if bare else "      "
    return f"{name:<46} {load.rate:>9,.0f} {load.p50_ms:>8.2f} {load.p99_ms:>8.2f} {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--mixed-requests", type=int, default=20_000)
    parser.add_argument(
        "--quick", action="store_true", help="Only the hot query: bare, cached and keyed."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Interleaved rounds of the hot-query runs (bare, cached, logged, keyed); medians.",
    )
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
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
    key = subprocess.run(
        [*SHORTFLOW, "keys", "create", "--name", "bench", "--rate-limit", "10000000/min"],
        env=base_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
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
    with ExitStack() as stack:
        bases = {}
        for name, extra in servers.items():
            port = free_port()
            command = [*SHORTFLOW, "serve", "--port", str(port), "--no-migrate"]
            log = work / f"{name}.log" if name == "logged" else None
            bases[name] = stack.enter_context(serve(command, port, {**base_env, **extra}, log))
        reference = httpx.post(
            f"{bases['uncached']}/graphql",
            content=hot_body,
            timeout=30,
            headers={"Content-Type": "application/json"},
        )
        reference.raise_for_status()
        body_file = work / "hot.json"
        body_file.write_bytes(reference.content)
        bare_port = free_port()
        bases["bare"] = stack.enter_context(
            serve(
                [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port",
                 str(bare_port), "--log-level", "warning"],
                bare_port,
                {**base_env, "PYTHONPATH": str(ROOT), "BARE_BODY_FILE": str(body_file)},
            )
        )  # fmt: skip
        cached_answer = httpx.post(f"{bases['cached']}/graphql", content=hot_body, timeout=30,
                                   headers={"Content-Type": "application/json"})  # fmt: skip
        assert cached_answer.content == reference.content, "the cache changed the answer"
        print(f"hot query answer: {len(reference.content):,} bytes", file=sys.stderr)

        def measure(name: str, base: str, script: str, path: str = "/graphql") -> Load:
            wrk(f"{base}{path}", script, 2, args.connections)  # warm-up
            load = wrk(f"{base}{path}", script, args.duration, args.connections)
            print(f"  {name}: {load.rate:,.0f} req/s", file=sys.stderr, flush=True)
            return load

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
        rounds: dict[str, list[Load]] = {name: [] for name, _, _ in hot_runs}
        for _ in range(args.rounds):
            for name, server, script in hot_runs:
                rounds[name].append(measure(name, bases[server], script))
        medians = {name: sorted(loads, key=lambda x: x.rate)[len(loads) // 2]
                   for name, loads in rounds.items()}  # fmt: skip
        bare = medians["bare Starlette app, same bytes"]
        results = list(medians.items())
        if args.quick:
            print(f"\n{args.rounds} interleaved rounds, medians; "
                  f"wrk -t1 -c{args.connections} -d{args.duration}s")  # fmt: skip
            for name, load in results:
                print(row(name, load, bare))
            return
        results += [
            ("GraphQL hot query, uncached", measure("uncached", bases["uncached"], hot)),
            ("REST same series, cached", measure("rest cached", bases["cached"], rest_script, "")),
            ("REST same series, uncached", measure(
                "rest uncached", bases["uncached"], rest_script, "")),
        ]  # fmt: skip

        requests_file = work / "mixed.tsv"
        mixed = zipf_requests(symbols, args.mixed_requests)
        requests_file.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in mixed))
        script = MIXED_SCRIPT % json.dumps(str(requests_file))
        distinct = len(set(mixed))
        wrk(bases["cached"], script, args.duration, args.connections)  # warm-up
        hits_before, lookups_before = cache_counts(bases["cached"])
        mixed_cached = wrk(bases["cached"], script, args.duration, args.connections)
        hits_after, lookups_after = cache_counts(bases["cached"])
        wrk(bases["uncached"], script, 2, args.connections)  # warm-up
        mixed_uncached = wrk(bases["uncached"], script, args.duration, args.connections)
    shutil.rmtree(work, ignore_errors=True)

    print(
        f"\none uvicorn worker per server, wrk -t1 -c{args.connections} -d{args.duration}s, "
        f"hot answer {len(reference.content):,} bytes"
    )
    print(f"{'run':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'/bare':>6}")
    for name, load in results:
        print(row(name, load, bare))
    hit_ratio = (hits_after - hits_before) / max(1.0, lookups_after - lookups_before)
    print(
        f"\nmixed run: {args.mixed_requests:,} requests cycled ({distinct:,} distinct), Zipf(1.1) "
        f"over {len(symbols):,} symbols x {len(SHAPES)} shapes, after a warm-up run"
    )
    print(f"{'run':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    print(row("mixed, cached", mixed_cached, None))
    print(row("mixed, uncached", mixed_uncached, None))
    print(
        f"median latency uncached / cached: {mixed_uncached.p50_ms / mixed_cached.p50_ms:.1f}x; "
        f"cache hit ratio during the measured run: {hit_ratio:.1%}"
    )


if __name__ == "__main__":
    main()
