"""SEC's fails-to-deliver archives as untrusted input: what a hostile or broken host could send.

Built from the real rows of ../shared/data/sec-ftd (zipped here, at test time, as SEC zips them),
altered the way an attack or a layout change would alter them, and served by the replay server at
SEC's path: a zip bomb, a member named to escape the download directory, an oversized line, a
renamed column.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import shared_file
from tests.sync import conftest as replay
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_cftc import zipped
from tests.sync.test_sync_finra import scalar, shortflow
from tests.sync.test_sync_sec import CONTACT
from tests.sync.test_sync_sec_ftd import PATH

host = replay.host  # the replay server fixture of tests/sync

ONLY = ("--since", "2021-01-01", "--until", "2021-01-20", "--source", "sec-ftd")
"""One file: the first half of January 2021."""
KEPT = Path("downloads") / "sec-ftd"
COUNT = "SELECT count(*) FROM fails_to_deliver"
ERROR = "SELECT error FROM sync_item WHERE source = 'sec-ftd' AND item_key = '2021-01a'"


def error_of(database_url: str) -> str:
    """The recorded reason (the summary table on stdout wraps long reasons over lines)."""
    return str(asyncio.run(scalar(database_url, ERROR)))


@pytest.fixture
def sec(monkeypatch: pytest.MonkeyPatch, host: tuple[str, Script]) -> tuple[str, Script]:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_SEC_WWW_BASE_URL", base)
    monkeypatch.setenv("SHORTFLOW_SEC_USER_AGENT", CONTACT)
    return base, script


def real() -> bytes:
    return shared_file("sec-ftd/cnsfails202101a_first3000lines.txt").read_bytes()


def test_a_zip_bomb_is_stopped_at_the_download_limit(
    database_url: str, sec: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = sec
    monkeypatch.setenv("SHORTFLOW_SYNC_MAX_DOWNLOAD_MB", "1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cnsfails202101a.txt", real() + b"0" * (64 << 20))  # 64 MB in ~64 KB
    assert len(buffer.getvalue()) < 1 << 20
    script.on(PATH.format("202101a"), Answer(body=buffer.getvalue()))
    result = shortflow(database_url, base, tmp_path, "sync", *ONLY)
    assert result.returncode == 1
    assert "over the limit of 1,048,576" in error_of(database_url)
    assert (tmp_path / KEPT / "cnsfails202101a.zip").exists()  # kept for inspection
    assert not (tmp_path / KEPT / "cnsfails202101a.txt").exists()
    assert asyncio.run(scalar(database_url, COUNT)) == 0


def test_a_member_named_to_escape_the_download_directory_lands_under_our_own_name(
    database_url: str, sec: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec
    script.on(PATH.format("202101a"), Answer(body=zipped("../../../escaped/x.txt", real())))
    home = tmp_path / "home"
    result = shortflow(database_url, base, home, "sync", *ONLY)
    assert result.returncode == 0, result.stdout
    assert (home / KEPT / "cnsfails202101a.txt").read_bytes() == real()
    assert not list(tmp_path.rglob("escaped"))
    assert asyncio.run(scalar(database_url, COUNT)) == 2999


def test_an_archive_with_two_data_files_is_refused(
    database_url: str, sec: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cnsfails202101a.txt", real())
        archive.writestr("other.txt", real())
    script.on(PATH.format("202101a"), Answer(body=buffer.getvalue()))
    result = shortflow(database_url, base, tmp_path, "sync", *ONLY)
    assert result.returncode == 1
    assert "expected one member matching '*.txt', found 2" in error_of(database_url)


def test_an_oversized_line_fails_the_file_before_it_is_split(
    database_url: str, sec: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec
    lines = real().splitlines()
    body = b"\n".join([lines[0], lines[1] + b"X" * 100_000, *lines[2:]]) + b"\n"
    script.on(PATH.format("202101a"), Answer(body=zipped("cnsfails202101a.txt", body)))
    result = shortflow(database_url, base, tmp_path, "sync", *ONLY)
    assert result.returncode == 1
    error = error_of(database_url)
    assert "over the limit of 1,024 for a fails-to-deliver row" in error
    assert "file kept" in error
    assert asyncio.run(scalar(database_url, COUNT)) == 0  # not even the good rows


@pytest.mark.parametrize(
    "header",
    [
        b"SETTLEMENT DATE|CUSIP|SYMBOL|QUANTITY|DESCRIPTION|PRICE",  # renamed
        b"SETTLEMENT DATE|SYMBOL|CUSIP|QUANTITY (FAILS)|DESCRIPTION|PRICE",  # swapped
        b"SETTLEMENT DATE|CUSIP|SYMBOL|QUANTITY (FAILS)|DESCRIPTION|PRICE|VENUE",  # added
    ],
)
def test_a_changed_header_fails_the_source_loudly_with_the_file_kept(
    database_url: str, sec: tuple[str, Script], tmp_path: Path, header: bytes
) -> None:
    base, script = sec
    body = b"\n".join([header, *real().splitlines()[1:]]) + b"\n"
    script.on(PATH.format("202101a"), Answer(body=zipped("cnsfails202101a.txt", body)))
    script.on(PATH.format("202101b"), Answer(body=zipped("cnsfails202101b.txt", real())))
    args = ("--since", "2021-01-01", "--until", "2021-02-05", "--source", "sec-ftd")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 1
    error = error_of(database_url)
    assert "matches no known sec-ftd layout" in error
    assert "file kept" in error
    assert (tmp_path / KEPT / "cnsfails202101a.txt").read_bytes() == body
    # the source stops there: the next half-month is not asked for
    assert script.paths() == [PATH.format("202101a")]
    assert asyncio.run(scalar(database_url, COUNT)) == 0
