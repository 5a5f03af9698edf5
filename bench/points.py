"""Postgres's CPU per statement of the series queries: stored points against computed ones.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.points \
        [--statements 3000] [--rounds 3]

A short series' cost in Postgres was mostly the view of migration 0010: each version joined to
its context and its metrics computed on every read. Migration 0026 stores the view's rows
(`short_interest_point`, the view renamed `short_interest_point_computed`). This runs the named
queries a series read uses (`series` and `by_symbol` of service/db/queries/short_interest.sql)
for IWM in the windows of bench/peers.py's 24- and 240-point shapes, over the demo dataset in
the benchmark database that bench/peers.py uses (`sf_bench_peers`), over each relation in turn,
on one connection, `--statements` times per round, alternating. The figure is the backend's CPU
(utime + stime from /proc) per statement, the median of `--rounds`; the answers are checked
equal first. The backend's CPU is read only when Postgres runs on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from datetime import date

import asyncpg

from bench.peers import DATABASE
from bench.support import cpu_seconds, demo_database
from service.analytics.calendar import EARLIEST, LATEST
from service.cursors import fetch_size
from service.db import queries
from service.db.repositories.short_interest import Window

Q = queries.load("short_interest")
STORED, COMPUTED = "short_interest_point", "short_interest_point_computed"


def over(sql: str, relation: str) -> str:
    """`sql` reading `relation` where it reads the stored points."""
    replaced = sql.replace(f"FROM {STORED}\n", f"FROM {relation}\n")
    if relation != STORED and replaced == sql:
        raise SystemExit(f"the query no longer reads {STORED}: {sql[:80]!r}")
    return replaced


async def run(url: str, statements: int, rounds: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        security = await conn.fetchval("SELECT id FROM security WHERE symbol = 'IWM'")
        # The windows of bench/peers.py's two series shapes (service/analytics/short_interest.py
        # `_window`: one row more than asked, the open ends as EARLIEST and LATEST).
        windows = {
            24: Window(date.today(), date(2025, 11, 1), LATEST, EARLIEST, fetch_size(24)),
            240: Window(date.today(), EARLIEST, LATEST, EARLIEST, fetch_size(240)),
        }
        shapes = [
            (f"{name}, {n} points", sql, (*lead, *window, *tail))
            for name, sql, lead, tail in (
                ("series", Q.series, (security,), ()),
                ("by_symbol", Q.by_symbol, ("IWM",), (False,)),
            )
            for n, window in windows.items()
        ]
        print(f"| query | rows | {COMPUTED} ms | {STORED} ms | ratio |")
        print("|---|---:|---:|---:|---:|")
        for label, sql, args in shapes:
            answers = [await conn.fetch(over(sql, r), *args) for r in (COMPUTED, STORED)]
            if answers[0] != answers[1]:
                raise SystemExit(f"{label}: the stored and computed points differ")
            per: dict[str, list[float]] = {COMPUTED: [], STORED: []}
            for _ in range(rounds):
                for relation in (COMPUTED, STORED):
                    text = over(sql, relation)
                    for _ in range(20):  # past the custom plans to the generic one
                        await conn.fetch(text, *args)
                    before = cpu_seconds([pid])
                    for _ in range(statements):
                        await conn.fetch(text, *args)
                    per[relation].append((cpu_seconds([pid]) - before) / statements * 1000)
            computed, stored = (statistics.median(per[r]) for r in (COMPUTED, STORED))
            print(
                f"| {label} | {len(answers[0])} | {computed:.3f} | {stored:.3f} "
                f"| {computed / stored:.2f} |",
                flush=True,
            )
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--statements", type=int, default=3000, choices=range(100, 100_001), metavar="100-100000"
    )
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11), metavar="1-10")
    args = parser.parse_args()
    url, _ = demo_database(DATABASE)
    asyncio.run(run(url, args.statements, args.rounds))


if __name__ == "__main__":
    main()
