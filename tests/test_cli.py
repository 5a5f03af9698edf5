"""The `shortflow` command as a user runs it (subprocesses, real servers)."""

from __future__ import annotations

import os
import socket
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
    # A clean start and stop says what a user needs, and nothing that reads like an error.
    assert "Running commandline" not in output, "pgserver's command log reached the user"
    assert "initdb" not in output
    assert "shutdown failed" not in output.lower()
    assert "Traceback" not in output
    # One line per migration on a first start; beyond those, a short start and stop.
    assert len([x for x in output.splitlines() if "applied migration " not in x]) < 16, output
    # A bare `shortflow serve` logs console lines (docs/configuration.md), not JSON.
    line = next(line for line in output.splitlines() if "using embedded Postgres" in line)
    assert not line.startswith("{")
    assert " INFO " in line


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


def test_serve_on_a_busy_port_says_so_and_exits_1(db_factory: DatabaseFactory) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), env={"DATABASE_URL": db_factory.create()})
    assert result.returncode == 1, result.stderr
    assert f"port {port} is in use; choose another with --port" in result.stderr
    assert "serving on" not in result.stdout


def test_runs_show_of_an_unknown_run_is_an_error(db_factory: DatabaseFactory) -> None:
    result = run("runs", "show", "9999", env={"DATABASE_URL": db_factory.create()})
    assert result.returncode == 1
    assert "no run 9999" in result.stderr
    assert result.stdout == ""


def test_binary_input_is_escaped_and_cut_in_messages(
    db_factory: DatabaseFactory, tmp_path: Path
) -> None:
    binary = tmp_path / "shrt20260731.csv"
    binary.write_bytes(b"\x7fELF\x02\x01\x00\x00\x1b[2J\x1b]0;owned\x07" + bytes(range(256)) * 40)
    result = subprocess.run(
        [*SHORTFLOW, "ingest", "short-interest", str(binary)],
        capture_output=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": db_factory.create()},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert b"FAILED, nothing applied" in output
    # No byte of the file reaches the terminal as it is: escapes instead, and a bounded line.
    assert b"\x1b" not in output
    assert b"\x00" not in output
    assert b"\x07" not in output
    assert b"\\x1b[2J" in output or b"\\x00" in output
    assert max(len(line) for line in output.splitlines()) < 600


def test_runs_show_escapes_the_rows_it_prints(db_factory: DatabaseFactory, tmp_path: Path) -> None:
    url = db_factory.create()
    securities = tmp_path / "securities.csv"
    securities.write_text(
        "symbol,name,type,market_class,shares_outstanding,float_shares,as_of\n"
        "AAA,Good,stock,NYSE,100,90,2026-06-30\n"
        "BBB,Bad [bold]x[/bold],\x1b[31mweird,NYSE,100,90,2026-06-30\n"
    )
    ingested = run("ingest", "securities", str(securities), env={"DATABASE_URL": url})
    assert ingested.returncode == 3, ingested.stderr
    run_id = ingested.stderr.rsplit("run ", 1)[1].split()[0]
    shown = run("runs", "show", run_id, env={"DATABASE_URL": url})
    assert shown.returncode == 0, shown.stderr
    assert f"run {run_id}: securities securities.csv, applied" in shown.stdout
    assert "line 3:" in shown.stdout
    assert "\x1b" not in shown.stdout
    assert "BBB,Bad [bold]x[/bold],\\x1b[31mweird" in shown.stdout
    assert "[bold]" in ingested.stderr, "the file's text is printed, not read as markup"
