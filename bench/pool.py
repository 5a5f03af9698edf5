"""The client CPU of one pooled read: `Database.fetchval("SELECT 1")`, this tree against another.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.pool \
        [--fetches 4000] [--rounds 3] [--baseline REVISION]

Every request that reads Postgres goes through the pool's lease (a slot, asyncpg's acquire and
release, the error translation): this measures that path alone, without HTTP or GraphQL. A pool
of 10 connections (the benchmarks' size) serves `--fetches` reads from 1, then 32 concurrent
tasks (32: the slots are taken and requests queue, as under wrk -c32); the figure is this
process's CPU time (`time.process_time`) per read, the best of `--rounds`. With `--baseline`, the
same run in a second process whose `service` package is that commit's (`git archive`, as in
bench/peers.py), alternating with this tree's. Postgres: DATABASE_URL's server, else embedded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

import uvloop

from bench.peers import baseline_tree
from bench.support import server_url
from service.db.pool import Database

CONCURRENCY = (1, 32)


async def measure(url: str, fetches: int, rounds: int) -> dict[int, float]:
    """Client CPU microseconds per read, by concurrency (the best of `rounds`)."""
    db = Database(url, min_size=10, max_size=10)
    await db.open()
    try:

        async def reads(count: int) -> None:
            for _ in range(count):
                await db.fetchval("SELECT 1")

        best: dict[int, float] = {}
        for tasks in CONCURRENCY:
            runs = []
            for _ in range(rounds):
                started = time.process_time()
                await asyncio.gather(*[reads(fetches // tasks) for _ in range(tasks)])
                runs.append((time.process_time() - started) / fetches * 1e6)
            best[tasks] = min(runs)
        return best
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fetches", type=int, default=4000, choices=range(100, 100_001), metavar="100-100000"
    )
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 21), metavar="1-20")
    parser.add_argument("--baseline", help="a commit to measure beside this tree")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = server_url()
    if args.child:
        print(json.dumps(uvloop.run(measure(url, args.fetches, args.rounds))))
        return
    trees = {"this tree": None}
    if args.baseline:
        trees[f"baseline {args.baseline}"] = str(baseline_tree(args.baseline))
    results: dict[str, list[dict[int, float]]] = {name: [] for name in trees}
    for _ in range(2):  # each tree twice, alternating
        for name, tree in trees.items():
            env = {**os.environ, "DATABASE_URL": url}
            command = [
                sys.executable,
                "-m",
                "bench.pool",
                "--child",
                "--fetches",
                str(args.fetches),
                "--rounds",
                str(args.rounds),
            ]
            if tree is not None:
                env["PYTHONPATH"] = f"{tree}{os.pathsep}{os.getcwd()}"
                command.insert(1, "-P")
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            results[name].append({int(k): v for k, v in json.loads(out.stdout).items()})
    print(
        f"\nclient CPU per `SELECT 1` read, microseconds (best of {args.rounds} x "
        f"{args.fetches} reads, each tree run twice)\n"
    )
    print("| tree | " + " | ".join(f"{tasks} concurrent" for tasks in CONCURRENCY) + " |")
    print("|---|" + "---:|" * len(CONCURRENCY))
    for name, runs in results.items():
        cells = [f"{min(run[tasks] for run in runs):.1f}" for tasks in CONCURRENCY]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
