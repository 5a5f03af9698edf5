"""`shortflow sync` of FINRA's files against a local server holding the real samples at FINRA's
paths (../shared/data: the 2026-07-15/31 short-interest files, the Reg SHO files of 2021-06-04)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from service.db.pool import Database
from service.db.repositories.sync import SyncRepository
from tests.conftest import shared_file
from tests.sync.conftest import Answer, Script

SI = "/equity/otcmarket/biweekly/shrt{}.csv"
REGSHO = "/equity/regsho/daily/{}shvol20210604.txt"
FACILITIES = ("CNMS", "FNQC", "FNSQ", "FNYX", "FNRA", "FORF")
DENIED = Answer(
    403, b"<Error><Code>AccessDenied</Code></Error>", {"Content-Type": "application/xml"}
)


def serve_short_interest(script: Script) -> None:
    for day in ("20260715", "20260731"):
        body = shared_file(f"finra-short-interest/shrt{day}.csv").read_bytes()
        script.on(SI.format(day), Answer(body=body, headers={"Content-Type": "text/csv"}))


def shortflow(
    database_url: str, base: str, home: Path, *args: str, wait: bool = True
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHORTFLOW_FINRA_BASE_URL": base,
        "SHORTFLOW_HOME": str(home),
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        "SHORTFLOW_SYNC_REQUESTS_PER_SECOND": "200",
        "SHORTFLOW_SYNC_RETRY_BACKOFF_S": "0.05",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "service", *args]
    if not wait:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    # The command reports on stderr (as ingest does); both streams are read together here.
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180, env=env
    )


async def scalar(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


SI_WINDOW = ("--since", "2026-07-15", "--until", "2026-07-31", "--source", "finra-short-interest")


def test_sync_backfills_short_interest_then_fetches_nothing_the_second_time(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    serve_short_interest(script)
    first = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert first.returncode == 0, first.stdout
    assert script.paths() == [SI.format("20260715"), SI.format("20260731")]
    assert "sync: 2 files ingested, 0 failed, 1 sources" in first.stdout
    points = asyncio.run(
        scalar(
            database_url,
            "SELECT short_interest FROM short_interest si JOIN security s ON s.id = si.security_id"
            " WHERE s.symbol = 'IWM' AND settlement_date = '2026-07-31'",
        )
    )
    assert points == 72786177  # FINRA's figure for IWM, to the share
    assert (tmp_path / "downloads" / "finra-short-interest" / "shrt20260731.csv.sha256").exists()

    second = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert second.returncode == 0, second.stdout
    assert len(script.requests) == 2  # nothing fetched again
    assert "sync: 0 files ingested, 0 failed" in second.stdout


def test_dry_run_prints_the_plan_and_fetches_nothing(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    result = shortflow(database_url, base, tmp_path, "sync", "--dry-run", *SI_WINDOW)
    assert result.returncode == 0, result.stdout
    assert "finra-short-interest: 2 to fetch, 0 already had, 0 not published yet" in result.stdout
    assert f"2026-07-31  {base}{SI.format('20260731')}" in result.stdout
    assert script.requests == []


def test_every_reg_sho_facility_of_a_day(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    for facility in FACILITIES:
        body = shared_file(f"regsho/{facility}shvol20210604.txt").read_bytes()
        script.on(REGSHO.format(facility), Answer(body=body))
    args = ("--since", "2021-06-04", "--until", "2021-06-04", "--source", "finra-regsho")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 0, result.stdout
    assert sorted(script.paths()) == sorted(REGSHO.format(f) for f in FACILITIES)
    assert "sync: 6 files ingested, 0 failed" in result.stdout


def test_a_date_not_published_is_recorded_and_asked_again_next_time(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on(SI.format("20260715"), DENIED)
    body = shared_file("finra-short-interest/shrt20260731.csv").read_bytes()
    script.on(SI.format("20260731"), Answer(body=body))
    first = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert first.returncode == 0, first.stdout
    assert "sync: 1 files ingested, 0 failed" in first.stdout
    second = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert script.paths()[-1] == SI.format("20260715")  # asked again; the other one was not
    assert script.paths().count(SI.format("20260731")) == 1
    assert second.returncode == 0


def test_a_source_failing_for_a_while_is_retried_and_the_sync_goes_on(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    body = shared_file("finra-short-interest/shrt20260715.csv").read_bytes()
    script.on(SI.format("20260715"), Answer(503, b"busy"), Answer(body=body))
    script.on(SI.format("20260731"), Answer(500, b"down"))  # down for good
    result = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert result.returncode == 1
    assert script.paths().count(SI.format("20260715")) == 2
    assert script.paths().count(SI.format("20260731")) == 4  # every attempt
    assert "2026-07-31" in result.stdout
    assert "HTTP 500 after 4 attempts" in result.stdout
    assert "sync: 1 files ingested, 1 failed" in result.stdout


def test_a_changed_layout_stops_the_source_and_keeps_the_file(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on(
        SI.format("20260715"), Answer(body=b"Symbol,Short Position,Renamed Column\nIWM,1,2\n")
    )
    script.on(SI.format("20260731"), Answer(body=b"unused"))
    result = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert result.returncode == 1
    assert script.paths() == [SI.format("20260715")]  # the source stopped at the unreadable file
    kept = tmp_path / "downloads" / "finra-short-interest" / "shrt20260715.csv"
    assert kept.read_bytes().startswith(b"Symbol,Short Position,Renamed Column")
    assert "stopped" in result.stdout
    assert "file kept" in result.stdout


def test_offline_reingests_the_kept_downloads_without_a_request(
    database_url: str, db_factory: object, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    serve_short_interest(script)
    assert shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW).returncode == 0
    fresh = db_factory.create()  # type: ignore[attr-defined]
    result = shortflow(fresh, base, tmp_path, "sync", "--offline", *SI_WINDOW)
    assert result.returncode == 0, result.stdout
    assert len(script.requests) == 2  # only the first sync's
    assert "sync: 2 files ingested" in result.stdout


def test_a_second_sync_of_a_busy_source_skips_it(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    serve_short_interest(script)

    async def hold_and_run() -> subprocess.CompletedProcess[str]:
        db = Database(database_url, min_size=1, max_size=2)
        await db.open()
        try:
            async with SyncRepository(db).source_lock("finra-short-interest") as held:
                assert held
                return await asyncio.to_thread(
                    shortflow, database_url, base, tmp_path, "sync", *SI_WINDOW
                )  # type: ignore[return-value]
        finally:
            await db.close()

    result = asyncio.run(hold_and_run())
    assert result.returncode == 0, result.stdout
    assert "another sync is running this source" in result.stdout
    assert script.requests == []


def test_a_killed_sync_resumes_with_nothing_half_applied(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    serve_short_interest(script)
    slow = script.answers[SI.format("20260731")][0]
    script.on(SI.format("20260731"), Answer(body=slow.body, delay_s=30))
    process = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW, wait=False)
    assert isinstance(process, subprocess.Popen)
    count = "SELECT count(*) FROM ingest_run WHERE status = 'applied'"
    deadline = time.monotonic() + 60
    # The sync downloads the next file while it applies the current one: kill it once the first
    # file is committed and the second is in flight.
    while time.monotonic() < deadline:
        if SI.format("20260731") in script.paths() and asyncio.run(scalar(database_url, count)):
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("the sync never applied the first file and asked for the second")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert asyncio.run(scalar(database_url, count)) == 1  # the first file, whole
    script.on(SI.format("20260731"), Answer(body=slow.body))
    result = shortflow(database_url, base, tmp_path, "sync", *SI_WINDOW)
    assert result.returncode == 0, result.stdout
    assert "sync: 1 files ingested" in result.stdout
    assert asyncio.run(scalar(database_url, count)) == 2
    dates = "SELECT count(DISTINCT settlement_date) FROM short_interest"
    assert asyncio.run(scalar(database_url, dates)) == 2


def test_reg_sho_days_overlapped_are_applied_and_recorded_in_order(
    database_url: str, host: tuple[str, Script], tmp_path: Path
) -> None:
    # The sync stages the next file while it applies the current one (service/sync/runner.py):
    # the files must still be applied one after the other, in date order, each whole.
    base, script = host
    real = shared_file("regsho/CNMSshvol20210604.txt").read_bytes()
    days = ("20210601", "20210602", "20210603", "20210604")
    for day in days:
        script.on(
            f"/equity/regsho/daily/CNMSshvol{day}.txt",
            Answer(body=real.replace(b"20210604|", day.encode() + b"|")),
        )
    args = ("--since", "2021-06-01", "--until", "2021-06-04", "--source", "finra-regsho")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 0, result.stdout
    assert "sync: 4 files ingested, 0 failed" in result.stdout

    async def check() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            runs = await conn.fetch(
                "SELECT file_name, started_at, finished_at FROM ingest_run "
                "WHERE status = 'applied' ORDER BY id"
            )
            assert [r["file_name"] for r in runs] == [f"CNMSshvol{d}.txt" for d in days]
            for earlier, later in itertools.pairwise(runs):
                assert earlier["finished_at"] <= later["finished_at"]
            months = await conn.fetch(
                "SELECT days, cardinality(short_volume) AS n FROM short_volume_month "
                "WHERE facility = 'CNMS'"
            )
            assert len(months) == 9661
            assert all(m["days"] == [1, 2, 3, 4] and m["n"] == 4 for m in months)
            items = await conn.fetch(
                "SELECT status, count(*) AS n FROM sync_item GROUP BY status ORDER BY status"
            )
            assert {r["status"]: r["n"] for r in items} == {"ingested": 4, "not_published": 20}
        finally:
            await conn.close()

    asyncio.run(check())
    again = shortflow(database_url, base, tmp_path, "sync", *args)
    assert "sync: 0 files ingested, 0 failed" in again.stdout
