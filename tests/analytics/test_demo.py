"""The demo dataset: deterministic from its seed, and loadable through the pipeline."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from service.demo.generate import DemoPlan, generate

SMALL = DemoPlan(seed=3, stocks=600, years=1, short_volume_years=0, end=date(2026, 7, 31))


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "a")
    generate(SMALL, tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    generate(
        DemoPlan(seed=4, stocks=600, years=1, short_volume_years=0, end=SMALL.end), tmp_path / "c"
    )
    assert digests(tmp_path / "a") != digests(tmp_path / "c")


@pytest.mark.slow
async def test_demo_loads_and_a_second_run_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHORTFLOW_HOME": str(tmp_path),
        "SHORTFLOW_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "service",
        "demo",
        "--stocks",
        "600",
        "--years",
        "1",
        "--short-volume-years",
        "1",
    ]
    # A blocking child process is the point of this test; run it off the event loop.
    first = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=600
    )
    assert first.returncode == 0, first.stderr
    assert "demo: " in first.stderr
    assert "FAILED" not in first.stderr
    conn = await asyncpg.connect(database_url)
    try:
        counts = dict(
            await conn.fetchrow(
                """SELECT (SELECT count(*) FROM security) AS securities,
                      (SELECT count(DISTINCT settlement_date) FROM short_interest) AS dates,
                      (SELECT count(*) FROM index_short_exposure
                        WHERE index_code = 'R2000') AS exposure,
                      (SELECT count(*) FROM fund_flow WHERE flow_source = 'derived') AS flows,
                      (SELECT count(*) FROM short_interest WHERE revised) AS revisions"""
            )
        )
        skipped = await conn.fetchval("SELECT count(*) FROM ingest_run")
    finally:
        await conn.close()
    assert counts["securities"] == 610
    assert counts["dates"] >= 24
    assert counts["exposure"] == counts["dates"]
    assert counts["flows"] > 2000
    again = await asyncio.to_thread(
        subprocess.run,
        [*command, "--if-empty"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0
    assert "already holds data" in again.stderr
    assert skipped > 0
