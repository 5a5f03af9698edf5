"""The `shortflow` command as a user runs it (subprocesses, real servers)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DatabaseFactory
from tests.support.servers import free_port

SHORTFLOW = [sys.executable, "-m", "service"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SHORTFLOW, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_help_lists_every_verb_of_the_contract() -> None:
    result = run("--help")
    assert result.returncode == 0
    for verb in ("serve", "migrate", "ingest", "fetch", "demo", "keys"):
        assert f"  {verb}" in result.stdout
    ingest = run("ingest", "--help").stdout
    for kind in (
        "short-interest",
        "short-volume",
        "holdings",
        "prices",
        "securities",
        "fund-flows",
        "index-members",
    ):
        assert kind in ingest
    assert "finra-short-interest" in run("fetch", "--help").stdout
    assert "regsho" in run("fetch", "--help").stdout
    keys = run("keys", "--help").stdout
    assert all(verb in keys for verb in ("create", "list", "revoke"))


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_bad_configuration_is_a_usage_error_with_the_variable_named() -> None:
    result = run("migrate", env={"DATABASE_URL": "mysql://x"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_twice_on_a_fresh_database(db_factory: DatabaseFactory) -> None:
    fresh = db_factory.create_empty()
    first = run("migrate", env={"DATABASE_URL": fresh})
    second = run("migrate", env={"DATABASE_URL": fresh})
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    assert "0001_core.sql" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout


def test_commands_on_an_unmigrated_database_say_to_migrate(db_factory: DatabaseFactory) -> None:
    fresh = db_factory.create_empty()
    result = run("keys", "list", env={"DATABASE_URL": fresh})
    assert result.returncode == 1
    assert "run `shortflow migrate`" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_against_an_unreachable_database_fails_cleanly() -> None:
    result = run("migrate", env={"DATABASE_URL": f"postgresql://x@127.0.0.1:{free_port()}/x"})
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serve_without_urls_runs_embedded_postgres_and_redis(tmp_path: Path) -> None:
    port = free_port()
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")
    }
    env["SHORTFLOW_HOME"] = str(tmp_path / "home")
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*SHORTFLOW, "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        ready = _wait_ready(f"http://127.0.0.1:{port}/readyz", timeout=60)
        query = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": '{ security(symbol: "IWM") { symbol } }'},
        )
    finally:
        process.terminate()
        process.wait(30)
    output = log_path.read_text()
    assert ready, output
    assert query.status_code == 200
    assert "DATABASE_URL is unset: using embedded Postgres" in output
    assert "REDIS_URL is unset: using embedded Redis" in output
    assert "applied migrations" in output
    assert (tmp_path / "home" / "postgres" / "PG_VERSION").exists()


def _wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False
