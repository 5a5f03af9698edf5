"""`shortflow ingest` as users run it: exit codes, summaries, and a kill in the middle of a file."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from service.demo.files import ShortInterestRow, ShortVolumeRow, write_finra_bulk, write_regsho
from tests.conftest import shared_file

SHORTFLOW = [sys.executable, "-m", "service"]


def shortflow(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SHORTFLOW_LOG_LEVEL": "WARNING"}
    return subprocess.run([*SHORTFLOW, *args], capture_output=True, text=True, timeout=300, env=env)


def test_exit_codes_and_one_line_summaries(database_url: str, tmp_path: Path) -> None:
    good = shared_file("finra-short-interest/shrt20260715.csv")
    first = shortflow(database_url, "ingest", "short-interest", str(good))
    assert first.returncode == 0, first.stderr
    assert (
        "shrt20260715.csv: finra-bulk, 22,375 rows, 22,375 accepted, 0 rejected in" in first.stderr
    )
    assert "rows/s" in first.stderr
    again = shortflow(database_url, "ingest", "short-interest", str(good))
    assert again.returncode == 0
    assert "already ingested" in again.stderr

    bad = write_finra_bulk(
        tmp_path / "shrt20260630.csv",
        date(2026, 6, 30),
        [ShortInterestRow(f"B{i}", "B", "NNM", 10, 5, 1) for i in range(3)],
    )
    bad.write_text(bad.read_text().replace("|B1|B|R|NNM|10|", "|B1|B|R|NNM|-10|"))
    strict = shortflow(database_url, "ingest", "short-interest", "--strict", str(bad))
    assert strict.returncode == 1
    assert "FAILED, nothing applied: --strict: 1 row(s) rejected" in strict.stderr
    lenient = shortflow(database_url, "ingest", "short-interest", str(bad))
    assert lenient.returncode == 3
    assert "line 3: current short position: '-10' is negative" in lenient.stderr

    wrong = shortflow(database_url, "ingest", "prices", str(good))
    assert wrong.returncode == 1
    assert "looks like a short-interest file" in wrong.stderr
    assert "Traceback" not in wrong.stderr + strict.stderr + lenient.stderr


def _big_regsho(path: Path, rows: int) -> None:
    symbols = [f"K{i:05d}" for i in range(5000)]

    def generate() -> list[ShortVolumeRow]:
        out: list[ShortVolumeRow] = []
        day = date(2024, 1, 2)
        while len(out) < rows:
            if day.weekday() < 5:
                out.extend(ShortVolumeRow(day, s, 10, 1, 20) for s in symbols)
            day += timedelta(days=1)
        return out[:rows]

    write_regsho(path, generate())


async def _wait_for_copy(database_url: str, within: float) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            copying = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'COPY%staging%'"
            )
            if copying:
                return True
            await asyncio.sleep(0.02)
        return False
    finally:
        await conn.close()


async def _counts(database_url: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return (
            await conn.fetchval("SELECT count(*) FROM short_volume_month"),
            await conn.fetchval("SELECT count(*) FROM security"),
            await conn.fetchval("SELECT count(*) FROM ingest_run"),
        )
    finally:
        await conn.close()


@pytest.mark.slow
async def test_sigkill_mid_file_leaves_the_database_as_before(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "CNMSshvol20240102.txt"
    _big_regsho(path, 600_000)
    env = {**os.environ, "DATABASE_URL": database_url, "SHORTFLOW_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        *SHORTFLOW,
        "ingest",
        "short-volume",
        str(path),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert await _wait_for_copy(database_url, within=60), "the ingest never started its COPY"
        await asyncio.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    # The server ends the dead client's transaction; give it a moment to notice.
    for _ in range(100):
        if await _counts(database_url) == (0, 0, 0):
            break
        await asyncio.sleep(0.1)
    assert await _counts(database_url) == (0, 0, 0)

    rerun = await asyncio.to_thread(shortflow, database_url, "ingest", "short-volume", str(path))
    assert rerun.returncode == 0, rerun.stderr
    months, securities, runs = await _counts(database_url)
    assert (securities, runs) == (5000, 1)
    assert months > 0


def test_two_processes_ingesting_one_file_apply_it_once(database_url: str) -> None:
    path = shared_file("finra-short-interest/shrt20260731.csv")
    env = {**os.environ, "DATABASE_URL": database_url, "SHORTFLOW_LOG_LEVEL": "WARNING"}
    command = [*SHORTFLOW, "ingest", "short-interest", str(path)]
    processes = [
        subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    outputs = [(p.returncode, err) for p, err in zip(processes, errors, strict=True)]
    assert [code for code, _ in outputs] == [0, 0]
    assert sum("already ingested" in err for _, err in outputs) == 1
    assert sum("22,341 accepted" in err for _, err in outputs) == 1
