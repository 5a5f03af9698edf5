"""A real `shortflow serve` process on 127.0.0.1, for tests of the HTTP layer itself."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL, port and process (to signal it, or wait for its exit)."""

    base: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def live_server(
    database_url: str, redis_url: str, log_path: Path, **environment: str
) -> Iterator[str]:
    """Serve on a free port; yields the base URL; stops the server at the end."""
    with live_server_process(database_url, redis_url, log_path, **environment) as server:
        yield server.base


@contextmanager
def live_server_process(
    database_url: str,
    redis_url: str,
    log_path: Path,
    *,
    workers: int = 1,
    **environment: str,
) -> Iterator[LiveServer]:
    """Like `live_server`, with `--workers N`, yielding the process too.

    At the end the process is terminated unless the test already stopped it.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        # Its own Redis keys: rate-limit budgets and cached answers of other runs stay apart.
        "SHORTFLOW_REDIS_PREFIX": f"sfl:{secrets.token_hex(4)}:",
        **environment,
    }
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--no-migrate"]
    if workers != 1:
        command += ["--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not start: {log_path.read_text()}")
        yield LiveServer(base, port, process, log_path)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
