"""`shortflow migrate`: ordered, recorded, idempotent, checksummed, safe when run concurrently."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from service.db.migrate import MigrationError, discover, migrate, migrations_dir
from tests.conftest import DatabaseFactory


@pytest.fixture
def empty_database(db_factory: DatabaseFactory) -> str:
    return db_factory.create_empty()


async def test_migrate_applies_every_file_once_in_order(empty_database: str) -> None:
    first = await migrate(empty_database)
    assert first.applied == [m.file_name for m in discover()]
    second = await migrate(empty_database)
    assert second.applied == []
    assert second.already_applied == len(first.applied)
    conn = await asyncpg.connect(empty_database)
    try:
        versions = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY 1")
    finally:
        await conn.close()
    assert [row["version"] for row in versions] == [m.version for m in discover()]
    assert [row["checksum"] for row in versions] == [m.checksum for m in discover()]


async def test_concurrent_runners_apply_each_migration_once(empty_database: str) -> None:
    reports = await asyncio.gather(*(migrate(empty_database) for _ in range(3)))
    applied = [name for report in reports for name in report.applied]
    assert sorted(applied) == sorted(m.file_name for m in discover())


async def test_an_edited_migration_is_refused(empty_database: str, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(str(migrations_dir()), copy)
    await migrate(empty_database, copy)
    first = sorted(copy.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        await migrate(empty_database, copy)


async def test_a_database_newer_than_the_code_is_refused(
    empty_database: str, tmp_path: Path
) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(str(migrations_dir()), copy)
    (copy / "9999_future.sql").write_text("SELECT 1;")
    await migrate(empty_database, copy)
    with pytest.raises(MigrationError, match="9999_future"):
        await migrate(empty_database)


async def test_a_failing_migration_leaves_no_trace(empty_database: str, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(str(migrations_dir()), copy)
    (copy / "9998_broken.sql").write_text("CREATE TABLE half_done (x int); SELECT 1/0;")
    with pytest.raises(MigrationError, match=r"9998_broken\.sql failed"):
        await migrate(empty_database, copy)
    conn = await asyncpg.connect(empty_database)
    try:
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert await conn.fetchval("SELECT max(version) FROM schema_migrations") < 9998
    finally:
        await conn.close()


async def test_trading_calendar_follows_the_nyse(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        days = {
            row["date"]
            for row in await conn.fetch(
                "SELECT date FROM calendar_day "
                "WHERE trading AND date BETWEEN '2025-01-01' AND '2026-12-31'"
            )
        }
        window = await conn.fetchval(
            "SELECT price_window_start FROM calendar_day WHERE date = '2026-07-31'"
        )
    finally:
        await conn.close()
    assert date(2026, 7, 2) in days
    assert date(2026, 7, 3) not in days  # Independence Day observed
    assert date(2025, 1, 9) not in days  # national day of mourning (President Carter)
    assert date(2026, 7, 4) not in days  # Saturday
    assert len([d for d in days if d.year == 2026]) == 251
    # The price window of 2026-07-31 reaches back 5 trading days (July 3 was a holiday).
    assert window == date(2026, 7, 24)


def test_migration_files_are_discovered_from_the_repository() -> None:
    names = [m.file_name for m in discover()]
    assert names == sorted(names)
    assert names[0].startswith("0001_")
