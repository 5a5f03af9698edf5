"""Market screen benchmark: the short interest screen of one full-market date, uncached, printed.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.screens [--rounds 15]

FINRA's real 2026-07-15 and 2026-07-31 files (../shared/data, 22,341 securities on 07-31) are
ingested into a fresh database (created and dropped), and for the short volume screen FINRA's real
Reg SHO CNMS and FORF files of 2021-06-04 (9,661 + 4,656 securities) with the 20 trading days
before it as the real CNMS file with its Date column rewritten (no real month of files is in
../shared/data); then each screen below is asked `--rounds` times straight from the repository
(no HTTP, no cache: the database work and the row decoding a cache miss costs), a page of 50, and
the median and the slowest are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from bench.ingest import admin, fresh_database
from bench.support import server_url
from service.analytics import calendar
from service.db.pool import Database
from service.db.repositories.screens import ScreenQuery, ScreenRepository, VolumeScreenQuery
from service.ingest.pipeline import ingest_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED = DATA / "finra-short-interest"
REGSHO_DAY = date(2021, 6, 4)
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

VOLUME_CASES = {
    "ALL (CNMS + FORF), ratio desc (default)": VolumeScreenQuery(),
    "CNMS, ratio change desc, >= 1M shares": VolumeScreenQuery(
        facility="CNMS",
        minimum={"total_volume": 1e6},
        order=[("short_volume_ratio_change", True)],
    ),
}


def regsho_files(directory: Path) -> list[Path]:
    """The real CNMS file rewritten to the 20 trading days before it, then the real day."""
    stamp = REGSHO_DAY.strftime("%Y%m%d")
    real = (DATA / "regsho" / f"CNMSshvol{stamp}.txt").read_text()
    paths = []
    day = REGSHO_DAY
    for _ in range(20):
        day = calendar.previous_trading_day(day)
        path = directory / f"CNMSshvol{day:%Y%m%d}.txt"
        path.write_text(real.replace(f"\n{stamp}|", f"\n{day:%Y%m%d}|"))
        paths.append(path)
    return [*sorted(paths), *(DATA / "regsho" / f"{f}shvol{stamp}.txt" for f in ("CNMS", "FORF"))]


async def timed(label: str, ask: Callable[[], Awaitable[int]], rounds: int) -> None:
    times = []
    total = 0
    for _ in range(rounds):
        started = time.perf_counter()
        total = await ask()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<42} {total:>7,} {statistics.median(times):>8.1f} {max(times):>8.1f}")


async def run(rounds: int) -> None:
    server = server_url()
    url = await fresh_database(server, "screens")
    db = Database(url, statement_timeout_ms=60_000)
    await db.open()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            files = [
                *((SHARED / n, "short-interest") for n in ("shrt20260715.csv", "shrt20260731.csv")),
                *((path, "short-volume") for path in regsho_files(Path(tmp))),
            ]
            for path, kind in files:
                outcome = await ingest_file(db, path, kind)
                if outcome.status != "applied":
                    raise SystemExit(f"{path.name}: {outcome.error}")
        async with db.connection() as conn:
            await conn.execute("ANALYZE")
        repository = ScreenRepository(db)
        print(
            f"\n{'screen (2026-07-31, a page of 50)':<42} {'rows':>7} {'p50 ms':>8} {'max ms':>8}"
        )
        for label, query in CASES.items():

            async def ask(query: ScreenQuery = query) -> int:
                return (await repository.short_interest(query, 0, 51)).total

            await timed(label, ask, rounds)
        print(f"\n{'short volume screen (2021-06-04, 50 rows)':<42}")
        for label, volume in VOLUME_CASES.items():

            async def ask_volume(query: VolumeScreenQuery = volume) -> int:
                return (await repository.short_volume(query, 0, 51)).total

            await timed(label, ask_volume, rounds)
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
