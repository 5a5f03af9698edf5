"""Sync benchmark: `shortflow sync` end to end against a local replay of FINRA's CDN, printed.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.sync [--days 250]

1. One full-market FINRA short-interest cycle: the real `shrt20260731.csv` (22,341 rows, from
   ../shared/data) served at `/equity/otcmarket/biweekly/`, synced into an empty database
   (download + ingest), then the same sync again (nothing to fetch).
2. A year of Reg SHO CNMS files: `--days` trading days of 2025, each the real CNMS file of
   2021-06-04 (9,661 rows) with its Date column rewritten to the day (built from the real file:
   no real year of files is in ../shared/data), served at `/equity/regsho/daily/`; the other
   five facilities answer 403 (FINRA's "no such file"), so their requests are counted but carry
   nothing.

Each sync is one `shortflow sync` process with the base URL pointing at the replay server and the
pace raised for a local mirror (`SHORTFLOW_SYNC_REQUESTS_PER_SECOND=1000`, the setting's bound).
That is the one setting that differs from a user's default run, and it has to: FINRA's default pace
(4 requests/s, kept for the real host) alone makes the 1,500 requests of a year take 375 s, so
on the real host a year is bound by the pace, not by Shortflow; the benchmark measures what
Shortflow itself costs (download handling, parsing, Postgres, bookkeeping). The wall time
includes the process start and the invalidation published on Redis after each file (REDIS_URL,
else an embedded Redis). A fresh database per case (created and dropped), DATABASE_URL's server
or an embedded one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.ingest import admin, fresh_database
from bench.support import SHORTFLOW, server_url
from service.analytics import calendar
from service.sync.replay import Answer, Script, serving

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def replay(files: dict[str, bytes]) -> Script:
    """Answers for the replay server: `files` by path and 403 for anything else (as FINRA)."""
    script = Script(missing=Answer(403))
    for path, body in files.items():
        script.on(path, Answer(body=body))
    return script


def run_sync(database_url: str, base: str, home: Path, *args: str) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHORTFLOW_FINRA_BASE_URL": base,
        "SHORTFLOW_SYNC_REQUESTS_PER_SECOND": "1000",
        "SHORTFLOW_HOME": str(home),
        "SHORTFLOW_LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [*SHORTFLOW, "sync", *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 3):
        raise SystemExit(f"sync failed ({result.returncode}):\n{result.stderr[-2000:]}")
    print(result.stderr.strip().splitlines()[-1], file=sys.stderr)
    return seconds


def regsho_year(days: int) -> tuple[dict[str, bytes], list[date]]:
    text = (SHARED / "regsho" / "CNMSshvol20210604.txt").read_bytes()
    trading = list(calendar.trading_days(date(2025, 1, 1), date(2025, 12, 31)))[:days]
    files = {}
    for day in trading:
        stamp = f"{day:%Y%m%d}".encode()
        files[f"/equity/regsho/daily/CNMSshvol{day:%Y%m%d}.txt"] = text.replace(
            b"20210604|", stamp + b"|"
        )
    return files, trading


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=250, help="Trading days of CNMS files.")
    args = parser.parse_args()
    server = server_url()
    rows: list[tuple[str, int, float]] = []
    finra = (SHARED / "finra-short-interest" / "shrt20260731.csv").read_bytes()
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        script = replay({"/equity/otcmarket/biweekly/shrt20260731.csv": finra})
        url = asyncio.run(fresh_database(server, "sync_finra"))
        window = (
            "--source",
            "finra-short-interest",
            "--since",
            "2026-07-31",
            "--until",
            "2026-07-31",
        )
        with serving(script) as base:
            seconds = run_sync(url, base, home / "a", *window)
            rows.append(("FINRA cycle 2026-07-31, empty database", len(script.requests), seconds))
            script.requests.clear()
            seconds = run_sync(url, base, home / "a", *window)
            rows.append(("the same sync again (nothing to fetch)", len(script.requests), seconds))
        asyncio.run(admin(server, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))

        files, trading = regsho_year(args.days)
        script = replay(files)
        url = asyncio.run(fresh_database(server, "sync_regsho"))
        window = (
            "--source",
            "finra-regsho",
            "--since",
            f"{trading[0]}",
            "--until",
            f"{trading[-1]}",
        )
        with serving(script) as base:
            seconds = run_sync(url, base, home / "b", *window)
        rows.append(
            (
                f"Reg SHO, {len(trading)} days of CNMS (+5 facilities 403)",
                len(script.requests),
                seconds,
            )
        )
        asyncio.run(admin(server, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))

    print(f"\n{'sync':<52} {'requests':>9} {'seconds':>8}")
    for label, requests, seconds in rows:
        print(f"{label:<52} {requests:>9,} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
