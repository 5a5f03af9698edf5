"""Stooq's answers as untrusted input: what a hostile or broken host could send instead of a file.

Built from the real IWM download (../shared/data/stooq), altered the way an attack would alter it.
Stooq's `No data` and hit-limit bodies are tried through the sync in tests/sync/test_sync_prices.py
(never kept, never parsed); here, what reaches the parser.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from service.sources.prices.sync import screen_stooq
from service.sync.download import NoData, Refused
from tests.conftest import shared_file


def ingest(database_url: str, path: Path) -> tuple[str, str | None, int]:
    async def run() -> tuple[str, str | None, int]:
        db = Database(database_url, min_size=1, max_size=2)
        await db.open()
        try:
            outcome = await ingest_file(db, path, "prices", IngestOptions(symbol="IWM"))
            stored = await db.fetchval("SELECT count(*) FROM price_daily")
            return outcome.status, outcome.error, stored
        finally:
            await db.close()

    return asyncio.run(run())


def test_an_oversized_line_fails_the_file(database_url: str, tmp_path: Path) -> None:
    real = shared_file("stooq/iwm_us_d.csv").read_bytes().split(b"\r\n")
    path = tmp_path / "iwm_us_d.csv"
    path.write_bytes(b"\r\n".join([real[0], real[1] + b"9" * 100_000, *real[2:]]))
    status, error, stored = ingest(database_url, path)
    assert status == "failed"
    assert "over the limit of 256 for a Stooq row" in (error or "")
    assert stored == 0  # nothing of the file, not even its good rows


def test_an_html_page_in_place_of_the_file_is_refused(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "iwm_us_d.csv"
    path.write_bytes(b"<html><body>Please enable JavaScript</body></html>\r\n")
    status, error, stored = ingest(database_url, path)
    assert status == "failed"
    assert "matches no known prices layout" in (error or "")
    assert stored == 0


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        (b"No data", NoData),
        (b"No data\r\n", NoData),
        (b"Exceeded the daily hits limit", Refused),
        (
            b"<html>Przekroczony dzienny limit wywolan / Exceeded the daily hits limit</html>",
            Refused,
        ),
    ],
)
def test_stooq_messages_are_never_taken_for_a_file(body: bytes, raised: type[Exception]) -> None:
    with pytest.raises(raised):
        screen_stooq("https://stooq.com/q/d/l/?s=iwm.us&i=d", body)


def test_a_price_file_passes_the_screen() -> None:
    head = shared_file("stooq/iwm_us_d.csv").read_bytes()[:4096]
    screen_stooq("https://stooq.com/q/d/l/?s=iwm.us&i=d", head)  # no exception: it is a file
