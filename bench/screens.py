"""Market screen benchmark: the short interest screen of one full-market date, uncached, printed.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.screens [--rounds 15]

FINRA's real 2026-07-15 and 2026-07-31 files (../shared/data, 22,341 securities on 07-31) are
ingested into a fresh database (created and dropped); then each screen below is asked `--rounds`
times straight from the repository (no HTTP, no cache: the database work and the row decoding a
cache miss costs), a page of 50, and the median and the slowest are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date
from pathlib import Path

from bench.ingest import admin, fresh_database
from bench.support import server_url
from service.db.pool import Database
from service.db.repositories.screens import ScreenQuery, ScreenRepository
from service.ingest.pipeline import ingest_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "finra-short-interest"
TODAY = date(2026, 12, 1)
CASES = {
    "shares short, descending (the default)": ScreenQuery(as_of=TODAY),
    "change % desc, NNM, at least 1M short": ScreenQuery(
        as_of=TODAY,
        market_classes=["NNM"],
        minimum={"short_interest": 1e6},
        order=[("change_percent", True)],
    ),
    "days to cover desc, undefined left out": ScreenQuery(
        as_of=TODAY, exclude_flags=["DAYS_TO_COVER_UNDEFINED"], order=[("days_to_cover", True)]
    ),
}


async def run(rounds: int) -> None:
    server = server_url()
    url = await fresh_database(server, "screens")
    db = Database(url, statement_timeout_ms=60_000)
    await db.open()
    try:
        for name in ("shrt20260715.csv", "shrt20260731.csv"):
            outcome = await ingest_file(db, SHARED / name, "short-interest")
            if outcome.status != "applied":
                raise SystemExit(f"{name}: {outcome.error}")
        async with db.connection() as conn:
            await conn.execute("ANALYZE")
        repository = ScreenRepository(db)
        print(
            f"\n{'screen (2026-07-31, a page of 50)':<42} {'rows':>7} {'p50 ms':>8} {'max ms':>8}"
        )
        for label, query in CASES.items():
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                page = await repository.short_interest(query, 0, 51)
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"{label:<42} {page.total:>7,} {statistics.median(times):>8.1f} {max(times):>8.1f}"
            )
    finally:
        await db.close()
        await admin(server, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15, choices=range(1, 101), metavar="1-100")
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
