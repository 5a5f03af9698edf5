"""Apply `migrations/NNNN_name.sql` in order, once each, safely from several processes at once.

- An advisory lock serialises runners: a second `shortflow migrate` (or a second pod) waits, then
  finds everything applied and does nothing.
- Each file runs in its own transaction together with its row in `schema_migrations`, so a failing
  file leaves no trace and the next run starts at that file again.
- Applied files are checksummed; a file edited after it was applied, or a database carrying a
  migration this code does not know, stops the runner with a message instead of guessing.
- After the SQL, the trading calendar table is refreshed from the NYSE calendar (idempotent).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import asyncpg

from service.analytics import calendar
from service.db import queries
from service.errors import ShortflowError

log = logging.getLogger(__name__)
Q = queries.load("migrate")

# pg_advisory_lock key: the bytes of "Shortflo" as a bigint, so it is unlikely to collide.
MIGRATION_LOCK_KEY = int.from_bytes(b"Shortflo", "big") & 0x7FFF_FFFF_FFFF_FFFF
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
CALENDAR_YEARS_AHEAD = 5


class MigrationError(ShortflowError):
    code = "MIGRATION_FAILED"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


@dataclass(frozen=True)
class MigrationReport:
    applied: list[str]
    already_applied: int
    calendar_days: int


def migrations_dir() -> Traversable:
    """`migrations/` of the source tree, or the copy a wheel ships as `service.migrations`."""
    checkout = Path(__file__).resolve().parents[2] / "migrations"
    if checkout.is_dir():
        return checkout
    return resources.files("service.migrations")


def discover(directory: Traversable | None = None) -> list[Migration]:
    """The migration files in order; a malformed or duplicate number is an error."""
    directory = directory or migrations_dir()
    found: dict[int, Migration] = {}
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"{entry.name}: migration files must be named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations numbered {version:04d}")
        found[version] = Migration(version, match.group(2), entry.read_text("utf-8"))
    return [found[version] for version in sorted(found)]


async def migrate(dsn: str, directory: Traversable | None = None) -> MigrationReport:
    """Bring the database at `dsn` up to date; returns what was done."""
    migrations = discover(directory)
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise MigrationError(f"cannot connect to the database: {exc}") from None
    try:
        await conn.execute(Q.lock, MIGRATION_LOCK_KEY)
        try:
            report = await _apply(conn, migrations)
        finally:
            await conn.execute(Q.unlock, MIGRATION_LOCK_KEY)
    finally:
        await conn.close()
    return report


async def _apply(conn: asyncpg.Connection, migrations: list[Migration]) -> MigrationReport:
    await conn.execute(Q.create_ledger)
    rows = await conn.fetch(Q.applied)
    applied = {row["version"]: row for row in rows}
    known = {m.version for m in migrations}
    unknown = sorted(set(applied) - known)
    if unknown:
        names = ", ".join(f"{v:04d}_{applied[v]['name']}" for v in unknown)
        raise MigrationError(
            f"the database has migrations this version of Shortflow does not know ({names}); "
            "upgrade Shortflow instead of running an older one against it"
        )
    for migration in migrations:
        row = applied.get(migration.version)
        if row is not None and row["checksum"] != migration.checksum:
            raise MigrationError(
                f"{migration.file_name} was changed after it was applied "
                f"(recorded checksum {row['checksum'][:12]}, file {migration.checksum[:12]}); "
                "add a new migration instead of editing an applied one"
            )
    done: list[str] = []
    for migration in migrations:
        if migration.version in applied:
            continue
        started = time.perf_counter()
        try:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    Q.record,
                    migration.version,
                    migration.name,
                    migration.checksum,
                    int((time.perf_counter() - started) * 1000),
                )
        except asyncpg.PostgresError as exc:
            raise MigrationError(f"{migration.file_name} failed: {exc}") from None
        log.info("applied migration %s", migration.file_name)
        done.append(migration.file_name)
    days = await sync_trading_calendar(conn)
    return MigrationReport(done, len(applied), days)


async def sync_trading_calendar(conn: asyncpg.Connection) -> int:
    """Make `calendar_day` match the NYSE calendar from 1980 to five years ahead.

    Returns the number of trading days. Rewrites only days whose facts changed (a new special
    closure in the `holidays` library), so a second run writes nothing.
    """
    first = date(calendar.FIRST_YEAR, 1, 1)
    last = date(date.today().year + CALENDAR_YEARS_AHEAD, 12, 31)
    days, trading, windows = [], [], []
    day = first
    while day <= last:
        days.append(day)
        trading.append(calendar.is_trading_day(day))
        windows.append(calendar.price_window_start(day))
        day += timedelta(days=1)
    async with conn.transaction():
        await conn.execute(Q.sync_calendar, days, trading, windows)
    return sum(trading)
