"""Ingest benchmark: rows per second and peak memory, printed.

    python bench/ingest.py [--rows 5000000] [--small-rows 1000000]

- the full-market FINRA file (real sample, ../shared/data) into an empty database, then the next
  one (securities already known);
- generated Reg SHO files of --small-rows and --rows rows (CNMS layout, 10,000 symbols a day, in
  date order like FINRA's files), each into a fresh database, to show the rate on a big file and
  that memory does not grow with file size.

Each ingest runs in its own process (`shortflow ingest`), so peak RSS is that of one ingest.
Postgres: DATABASE_URL's server (a database is created and dropped per run), else embedded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "finra-short-interest"


def generate_regsho(path: Path, rows: int, symbols: int = 10_000) -> None:
    """A CNMS-layout file in date order, written directly (fast) rather than via dataclasses."""
    rng = random.Random(20210604)
    names = [f"S{i:05d}" for i in range(symbols)]
    day = date(2015, 1, 2)
    written = 0
    with path.open("w", newline="") as out:
        out.write("Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\r\n")
        while written < rows:
            if day.weekday() < 5:
                stamp = f"{day:%Y%m%d}"
                batch = []
                for name in names[: rows - written]:
                    total = rng.randint(1_000, 5_000_000)
                    short = rng.randint(0, total)
                    batch.append(f"{stamp}|{name}|{short}|{short // 60}|{total}|B,Q,N\r\n")
                out.write("".join(batch))
                written += len(batch)
            day += timedelta(days=1)
        out.write(f"{written}\r\n")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def ingest_child(database_url: str, kind: str, path: Path) -> dict[str, float]:
    """Run one ingest in a child process; return its timing and peak memory."""
    result = subprocess.run(
        # As a module from the repository: run as a script, bench/ would shadow the standard
        # library's `http` with bench/http.py.
        [sys.executable, "-m", "bench.ingest", "--child", kind, str(path)],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def child(kind: str, path: Path) -> None:
    from service.db.pool import Database
    from service.ingest.pipeline import ingest_file

    async def go() -> dict[str, float]:
        db = Database(os.environ["DATABASE_URL"], min_size=1, max_size=2, statement_timeout_ms=0)
        await db.open()
        started = time.perf_counter()
        outcome = await ingest_file(db, path, kind)
        seconds = time.perf_counter() - started
        await db.close()
        assert outcome.status == "applied", outcome.error
        return {"rows": outcome.rows_accepted, "seconds": seconds}

    measured = asyncio.run(go())
    measured["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(measured))


async def fresh_database(server_url: str, label: str) -> str:
    from service.db.migrate import migrate

    name = f"sf_bench_{os.getpid()}_{label}"
    await admin(server_url, f"DROP DATABASE IF EXISTS {name}")
    await admin(server_url, f"CREATE DATABASE {name}")
    url = with_database(server_url, name)
    await migrate(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--small-rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    embedded = None
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        from service.embedded import start_embedded
        from service.settings import load_settings

        embedded = start_embedded(load_settings(home=Path(tempfile.mkdtemp()) / "home"))
        server_url = embedded.database_url
    assert server_url is not None
    results: list[tuple[str, int, float, float]] = []
    created: list[str] = []

    url = asyncio.run(fresh_database(server_url, "finra"))
    created.append(url)
    for label, name in (
        ("FINRA full market, empty database", "shrt20260715.csv"),
        ("FINRA full market, next date", "shrt20260731.csv"),
    ):
        measured = ingest_child(url, "short-interest", SHARED / name)
        results.append((label, int(measured["rows"]), measured["seconds"], measured["peak_rss_mb"]))

    with tempfile.TemporaryDirectory() as directory:
        for rows in (args.small_rows, args.rows):
            path = Path(directory) / "CNMSshvol20150102.txt"
            print(f"generating a {rows:,}-row Reg SHO file ...", file=sys.stderr, flush=True)
            generate_regsho(path, rows)
            url = asyncio.run(fresh_database(server_url, f"regsho{rows}"))
            created.append(url)
            measured = ingest_child(url, "short-volume", path)
            label = f"Reg SHO generated, {rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB)"
            results.append(
                (label, int(measured["rows"]), measured["seconds"], measured["peak_rss_mb"])
            )
            path.unlink()

    print(f"\n{'file':<48} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
    for label, rows, seconds, rss in results:
        print(f"{label:<48} {rows:>10,} {seconds:>8.2f} {rows / seconds:>10,.0f} {rss:>12.0f}")
    for url in created:
        name = urlsplit(url).path.lstrip("/")
        asyncio.run(admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


if __name__ == "__main__":
    main()
