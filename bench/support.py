"""What the HTTP benchmarks share: a benchmark database, servers on 127.0.0.1, and wrk runs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
SHORTFLOW = [sys.executable, "-m", "service"]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (all their threads), from /proc; a process gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a supervisor and its worker processes), from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in task.read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def server_url() -> str:
    """DATABASE_URL's server, else an embedded one under .shortflow/bench."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from service.embedded import start_embedded
    from service.settings import load_settings

    embedded = start_embedded(load_settings(home=ROOT / ".shortflow" / "bench"))
    assert embedded.database_url is not None
    return embedded.database_url


async def prepare_database(server: str, name: str) -> str:
    """The benchmark database `name` on `server` (created once, kept between runs)."""
    url = with_database(server, name)
    conn = await asyncpg.connect(server)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return url


def load_demo(env: dict[str, str], *demo_args: str) -> None:
    """Migrate and load the demo dataset unless the database already holds it."""
    subprocess.run([*SHORTFLOW, "migrate"], env=env, check=True, capture_output=True)
    print("loading the demo dataset (first run only) ...", file=sys.stderr, flush=True)
    subprocess.run(
        [*SHORTFLOW, "demo", "--if-empty", *demo_args], env=env, check=True, capture_output=True
    )


def bench_key(env: dict[str, str]) -> str:
    """A new API key with a limit no benchmark reaches (10M a minute), in `env`'s database."""
    return subprocess.run(
        [*SHORTFLOW, "keys", "create", "--name", "bench", "--rate-limit", "10000000/min"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def demo_database(name: str) -> tuple[str, dict[str, str]]:
    """The demo dataset (600 stocks, 10 years) in the benchmark database `name`, and the
    environment that serves it uncached: its URL, response cache and rate limits off."""
    url = asyncio.run(prepare_database(server_url(), name))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHORTFLOW_LOG_LEVEL": "WARNING",
        "SHORTFLOW_CACHE_ENABLED": "false",
        "SHORTFLOW_RATE_LIMIT_ENABLED": "false",
    }
    load_demo(env, "--stocks", "600", "--years", "10", "--short-volume-years", "0")
    return url, env


@contextmanager
def running(
    command: list[str], port: int, env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process on 127.0.0.1:port, up (answers /healthz or /) before it is yielded.

    Its output goes to `log` when given (a real file, as a container runtime's would be), else
    nowhere."""
    sink = log.open("ab") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited with {process.returncode}")
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{command} did not start")
        yield process
    finally:
        process.terminate()
        process.wait(30)
        if log is not None:
            sink.close()


@contextmanager
def serve(
    command: list[str], port: int, env: dict[str, str], log: Path | None = None
) -> Iterator[str]:
    """The base URL of a server `running` on 127.0.0.1:port."""
    with running(command, port, env, log):
        yield f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    wrk_cpu_s: float = 0.0
    """CPU seconds (user + system) wrk itself used: the load generator's share of the cores."""


def post_script(body: str, headers: dict[str, str] | None = None) -> str:
    """A wrk script POSTing one JSON body."""
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def wrk(url: str, script: str, duration: int, connections: int) -> Load:
    """Load `url` with wrk (one thread, `connections` connections) for `duration` seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 60,
        )
    finally:
        os.unlink(handle.name)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    output = result.stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    return Load(
        float(rate.group(1)),
        _percentile(output, "50%"),
        _percentile(output, "99%"),
        int(total.group(1)),
        wrk_cpu,
    )


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", output)
    if match is None:
        raise RuntimeError(f"wrk printed no {label} latency:\n{output}")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
