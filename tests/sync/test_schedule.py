"""The keep-current schedule: derived from the sources, fired in Eastern time, stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.sync.schedule import EASTERN, Job, due, jobs
from service.sync.sources import SYNC_SOURCES


@dataclass(frozen=True)
class Named:
    name: str
    schedule: str


def test_sources_that_share_a_cron_run_together_in_registry_order() -> None:
    found = jobs([Named("a", "0 7 * * *"), Named("b", "30 18 * * 1-5"), Named("c", "0 7 * * *")])  # type: ignore[list-item]
    assert found == (Job("0 7 * * *", ("a", "c")), Job("30 18 * * 1-5", ("b",)))
    assert found[0].args == ["sync", "--source", "a", "--source", "c"]


def test_an_invalid_cron_is_refused_with_the_source_named() -> None:
    with pytest.raises(ValueError, match="sync source bad: invalid cron"):
        jobs([Named("bad", "61 * * * *")])  # type: ignore[list-item]


def test_every_registered_source_has_a_valid_schedule() -> None:
    names = [name for job in jobs(SYNC_SOURCES) for name in job.sources]
    assert sorted(names) == sorted(source.name for source in SYNC_SOURCES)


def test_a_weekday_evening_job_skips_the_weekend_in_eastern_time() -> None:
    job = Job("30 18 * * 1-5", ("finra-regsho",))
    friday_night = datetime(2026, 11, 27, 23, 45, tzinfo=UTC)  # 18:45 EST on a Friday
    monday = job.next_run(friday_night)
    assert (monday.date().isoformat(), monday.hour, monday.minute) == ("2026-11-30", 18, 30)
    assert monday.utcoffset() == EASTERN.utcoffset(datetime(2026, 11, 30))
    # Across the change to daylight time the job keeps 18:30 on the wall clock.
    summer = job.next_run(datetime(2026, 3, 6, 23, 45, tzinfo=UTC))
    assert (summer.hour, summer.minute, summer.astimezone(UTC).hour) == (18, 30, 22)


def test_jobs_that_fire_at_the_same_minute_are_due_together() -> None:
    a, b = Job("0 7 * * *", ("a",)), Job("0 7 * * 1-5", ("b",))
    at, firing = due([a, b, Job("30 18 * * *", ("c",))], datetime(2026, 12, 1, 11, tzinfo=UTC))
    assert (at.hour, firing) == (7, (a, b))


def test_schedule_prints_the_jobs_and_the_runner_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "SHORTFLOW_HOME": str(tmp_path)}
    listed = subprocess.run(
        [sys.executable, "-m", "service", "schedule"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "COLUMNS": "200"},
    )
    assert listed.returncode == 0, listed.stderr
    for job in jobs(SYNC_SOURCES):
        assert job.schedule in listed.stdout
    runner = subprocess.Popen(
        [sys.executable, "-m", "service", "schedule", "--run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    heartbeat = tmp_path / "schedule.alive"
    deadline = time.monotonic() + 60
    while not heartbeat.exists() and time.monotonic() < deadline and runner.poll() is None:
        time.sleep(0.1)
    assert heartbeat.exists(), "the runner writes its heartbeat once it waits"
    runner.send_signal(signal.SIGTERM)
    output, _ = runner.communicate(timeout=30)
    assert runner.returncode == 0, output
    assert "schedule: next run" in output
    assert "schedule: stopped" in output
