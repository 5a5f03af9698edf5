"""Zip archives from the sources are untrusted: no zip-slip, no zip bomb, one expected member."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from service.errors import FetchError
from service.sync.archive import extract_member


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_the_member_is_written_where_the_caller_says(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "fut_fin_txt_2018.zip", {"FinFut18.txt": b"header\nrow\n"})
    out = extract_member(archive, "finfut*.txt", tmp_path / "out.txt", max_bytes=1024)
    assert out.read_bytes() == b"header\nrow\n"


def test_a_member_name_never_becomes_a_path(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    archive = make_zip(tmp_path / "a.zip", {"../../escaped.txt": b"payload"})
    out = extract_member(archive, "*.txt", tmp_path / "work" / "out.txt", max_bytes=1024)
    assert out.read_bytes() == b"payload"
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.zip", "out.txt", "work"]


def test_a_zip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"FinFut.txt": b"\0" * 5_000_000})
    assert archive.stat().st_size < 20_000
    with pytest.raises(FetchError, match="declares 5,000,000 bytes, over the limit"):
        extract_member(archive, "*.txt", tmp_path / "out.txt", max_bytes=1_000_000)
    assert not (tmp_path / "out.txt").exists()


def test_a_member_that_lies_about_its_size_stops_at_the_limit(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"FinFut.txt": b"\0" * 3_000_000})
    data = bytearray(archive.read_bytes())
    # Rewrite the uncompressed size in the central directory to claim 1,000 bytes.
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(FetchError):
        extract_member(archive, "*.txt", tmp_path / "out.txt", max_bytes=1_000_000)
    assert not (tmp_path / "out.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["liar.zip"]


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "locked.zip", {"FinFut.txt": b"secret"})
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    archive.write_bytes(bytes(data))
    with pytest.raises(FetchError, match="is encrypted"):
        extract_member(archive, "*.txt", tmp_path / "out.txt", max_bytes=1024)


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({}, "found 0"),
        ({"a.txt": b"1", "b.txt": b"2"}, "found 2"),
        ({"readme.pdf": b"1"}, "found 0"),
    ],
)
def test_an_archive_without_exactly_one_data_file_is_refused(
    tmp_path: Path, members: dict[str, bytes], reason: str
) -> None:
    archive = make_zip(tmp_path / "odd.zip", members)
    with pytest.raises(FetchError, match=reason):
        extract_member(archive, "*.txt", tmp_path / "out.txt", max_bytes=1024)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "page.zip").write_bytes(b"<html>maintenance</html>")
    with pytest.raises(FetchError, match="not a zip archive"):
        extract_member(tmp_path / "page.zip", "*.txt", tmp_path / "out.txt", max_bytes=1024)
