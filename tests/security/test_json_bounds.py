"""Downloaded JSON is untrusted input (SEC's companyfacts, company_tickers.json): a document too
large or nested too deep fails with a clear error, never a RecursionError, a stack trace or all
the memory; the sync refuses an oversized body (a gzip bomb) while it unpacks it."""

from __future__ import annotations

import asyncio
import gzip
import sys
from pathlib import Path

import pytest

from service.db.pool import Database
from service.errors import IngestError
from service.ingest.jsonfile import deepest, read_json
from service.ingest.pipeline import ingest_file
from tests.sync import conftest as replay
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import scalar, shortflow
from tests.sync.test_sync_sec import FACTS, SEC, SNOW_CIK, ingest_short_interest, serve_sec

host = replay.host  # the replay server fixture of tests/sync

HEAD = b'{"cik":1640147,"entityName":"X","facts":{"dei":'


async def test_a_json_bomb_of_nesting_is_refused_before_it_is_parsed(
    database_url: str, tmp_path: Path
) -> None:
    depth = sys.getrecursionlimit() * 100  # deep enough to crash a recursive decoder
    path = tmp_path / "deep.json"
    path.write_bytes(HEAD + b"[" * depth + b"]" * depth + b"}}")
    db = Database(database_url, min_size=1, max_size=2)
    await db.open()
    try:
        outcome = await ingest_file(db, path, "sec-companyfacts")
    finally:
        await db.close()
    assert outcome.status == "failed"
    assert outcome.error == f"deep.json: JSON nested {depth + 2} levels deep (limit 32)"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert deepest('{"a": "[[[[{{{{", "b": ["\\"]]]"]}') == 2


def test_a_document_over_the_size_limit_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"x": "' + b"a" * 2048 + b'"}')
    with pytest.raises(IngestError, match="larger than the limit of 1,024 bytes"):
        read_json(path, max_bytes=1024)
    assert read_json(path, max_bytes=4096) == {"x": "a" * 2048}


def test_a_gzip_bomb_of_companyfacts_is_refused_while_it_unpacks(
    database_url: str,
    host: tuple[str, Script],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, script = host
    for name in ("SHORTFLOW_SEC_WWW_BASE_URL", "SHORTFLOW_SEC_DATA_BASE_URL"):
        monkeypatch.setenv(name, base)
    monkeypatch.setenv("SHORTFLOW_SEC_USER_AGENT", "Shortflow tests tests@example.org")
    monkeypatch.setenv("SHORTFLOW_SYNC_MAX_DOWNLOAD_MB", "1")
    ingest_short_interest(database_url, base, tmp_path)
    serve_sec(script)
    huge = HEAD + b'{"x":"' + b"a" * (2 << 20) + b'"}}}'
    # Gzipped to a few kB: the limit holds on what it unpacks to, not on what is declared.
    bomb = gzip.compress(huge)
    assert len(bomb) < 10_000
    script.on(FACTS.format(SNOW_CIK), Answer(body=bomb, headers={"Content-Encoding": "gzip"}))
    result = shortflow(database_url, base, tmp_path, "sync", *SEC)
    assert result.returncode == 1
    assert "sync: 1 files ingested, 1 failed" in result.stdout  # the tickers; not the facts
    error = "SELECT error FROM sync_item WHERE source = 'sec-shares'"
    assert "more than the limit of 1,048,576 bytes" in str(asyncio.run(scalar(database_url, error)))
    kept = tmp_path / "downloads" / "sec-shares" / "companyfacts" / f"CIK{SNOW_CIK:010d}.json"
    assert not kept.exists()
