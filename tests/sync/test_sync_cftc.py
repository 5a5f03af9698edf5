"""`shortflow sync --source cftc-tff` against a local server holding CFTC's files at CFTC's paths.

The yearly archives are built here from the real rows in ../shared/data/cftc (the header and every
Russell row of 2017 and 2018, zipped as CFTC does: one `FinFutYY.txt` per `fut_fin_txt_YYYY.zip`);
the weekly file is the real seven rows of 2026-09-29, served as they are.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import shared_file
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import scalar, shortflow

YEARLY = "/files/dea/history/fut_fin_txt_{}.zip"
WEEKLY = "/dea/newcot/FinFutWk.txt"
ONLY_2017 = ("--since", "2017-01-01", "--until", "2017-12-30", "--source", "cftc-tff")
WINDOW = ("--since", "2017-01-01", "--until", "2026-10-02", "--source", "cftc-tff")


def zipped(member: str, body: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, body)
    return buffer.getvalue()


def serve_cftc(script: Script) -> None:
    for year in (2017, 2018):
        text = shared_file(f"cftc/FinFut{year % 100}_header_and_russell_rows.txt").read_bytes()
        script.on(YEARLY.format(year), Answer(body=zipped(f"FinFut{year % 100}.txt", text)))
    body = shared_file("cftc/FinFutWk_20260929_equity_index_rows.txt").read_bytes()
    script.on(WEEKLY, Answer(body=body, headers={"Content-Type": "text/plain"}))


@pytest.fixture
def cftc(host: tuple[str, Script], monkeypatch: pytest.MonkeyPatch) -> tuple[str, Script]:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_CFTC_BASE_URL", base)
    return base, script


def test_sync_stores_the_yearly_archives_and_the_current_week(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    serve_cftc(script)
    result = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert result.returncode == 0, result.stdout
    # every year's archive (2019-2026 answer 404: not published here), then the week
    assert script.paths() == [YEARLY.format(y) for y in range(2017, 2027)] + [WEEKLY]
    assert "sync: 3 files ingested, 0 failed" in result.stdout
    short = "SELECT leveraged_funds_short FROM futures_position WHERE contract_code = '239742'"
    week = asyncio.run(scalar(database_url, f"{short} AND report_date = '2026-09-29'"))
    assert week == 192740
    old = asyncio.run(scalar(database_url, f"{short} AND report_date = '2017-12-26'"))
    assert old == 129220
    kept = tmp_path / "downloads" / "cftc-tff"
    assert (kept / "fut_fin_txt_2017.zip.sha256").exists()
    assert (kept / "fut_fin_txt_2017.txt").read_bytes().startswith(b'"Market_and_Exchange_Names"')

    again = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert again.returncode == 0, again.stdout
    # the files ingested are not asked again; the years not published yet are
    assert YEARLY.format(2017) not in script.paths()[11:]
    assert WEEKLY not in script.paths()[11:]


def test_a_weekly_file_with_another_column_count_fails_and_is_kept(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    body = shared_file("cftc/FinFutWk_20260929_equity_index_rows.txt").read_bytes()
    shifted = b"\n".join(line + b',"new column"' for line in body.splitlines()) + b"\n"
    script.on(WEEKLY, Answer(body=shifted))
    args = ("--since", "2026-09-29", "--until", "2026-10-02", "--source", "cftc-tff")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 1
    assert "88 columns where the known layout has 87" in result.stdout
    assert "file kept" in result.stdout
    count = "SELECT count(*) FROM futures_position"
    assert asyncio.run(scalar(database_url, count)) == 0


def test_an_archive_that_is_not_a_zip_fails_the_source_with_the_file_kept(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = cftc
    script.on(YEARLY.format(2017), Answer(body=b"<html>maintenance</html>"))
    args = ("--since", "2017-01-01", "--until", "2017-12-31", "--source", "cftc-tff")
    result = shortflow(database_url, base, tmp_path, "sync", *args)
    assert result.returncode == 1
    assert "not a zip archive" in result.stdout
    assert (tmp_path / "downloads" / "cftc-tff" / "fut_fin_txt_2017.zip").exists()


def test_a_zip_bomb_is_stopped_at_the_download_limit(
    database_url: str, cftc: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = cftc
    monkeypatch.setenv("SHORTFLOW_SYNC_MAX_DOWNLOAD_MB", "1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("FinFut17.txt", b"0" * (64 << 20))  # 64 MB of zeros in about 64 KB
    assert len(buffer.getvalue()) < 1 << 20
    script.on(YEARLY.format(2017), Answer(body=buffer.getvalue()))
    result = shortflow(database_url, base, tmp_path, "sync", *ONLY_2017)
    assert result.returncode == 1
    assert "over the limit of 1,048,576" in result.stdout
    assert not (tmp_path / "downloads" / "cftc-tff" / "fut_fin_txt_2017.txt").exists()


def test_a_member_named_to_escape_the_download_directory_lands_under_our_own_name(
    database_url: str,
    cftc: tuple[str, Script],
    tmp_path: Path,
) -> None:
    base, script = cftc
    text = shared_file("cftc/FinFut17_header_and_russell_rows.txt").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../escaped/FinFut17.txt", text)
    script.on(YEARLY.format(2017), Answer(body=buffer.getvalue()))
    home = tmp_path / "home"
    result = shortflow(database_url, base, home, "sync", *ONLY_2017)
    assert result.returncode == 0, result.stdout
    assert (home / "downloads" / "cftc-tff" / "fut_fin_txt_2017.txt").read_bytes() == text
    assert not list(tmp_path.rglob("escaped"))
    stored = "SELECT count(*) FROM futures_position WHERE report_date < '2018-01-01'"
    assert asyncio.run(scalar(database_url, stored)) == 72  # 20 CME and 52 ICE Russell rows
