"""Downloads: politeness, retries, "not published", size limits, atomic files with checksums."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path

import pytest

from service.errors import FetchError
from service.sync.download import USER_AGENT, Downloader, NotPublished, Politeness, safe_relative
from tests.sync.conftest import Answer, Script

FAST = Politeness(requests_per_second=1000, backoff_s=0.01, attempts=3)


async def fetch(
    root: Path, base: str, path: str, politeness: Politeness = FAST, max_bytes: int = 1 << 20
) -> object:
    async with Downloader(root, max_bytes=max_bytes) as downloader:
        return await downloader.fetch(base + path, "finra/file.csv", politeness)


async def test_a_download_is_kept_with_its_checksum_and_names_shortflow(
    host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on("/f.csv", Answer(body=b"a|b\n1|2\n"))
    async with Downloader(tmp_path, max_bytes=1 << 20) as downloader:
        stored = await downloader.fetch(base + "/f.csv", "finra/f.csv", FAST)
        assert stored.path == tmp_path / "finra" / "f.csv"
        assert stored.path.read_bytes() == b"a|b\n1|2\n"
        assert stored.sha256 == hashlib.sha256(b"a|b\n1|2\n").hexdigest()
        sidecar = (tmp_path / "finra" / "f.csv.sha256").read_text()
        assert sidecar == f"{stored.sha256}  f.csv\n"
        again = downloader.stored("finra/f.csv")
        assert again is not None
        assert again.sha256 == stored.sha256
    assert script.requests[0][1]["User-Agent"] == USER_AGENT
    assert sorted(p.name for p in (tmp_path / "finra").iterdir()) == ["f.csv", "f.csv.sha256"]


async def test_a_source_may_send_its_own_user_agent(
    host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on("/f.csv", Answer(body=b"x"))
    sec = Politeness(requests_per_second=1000, user_agent="Shortflow ops@example.com")
    await fetch(tmp_path, base, "/f.csv", sec)
    assert script.requests[0][1]["User-Agent"] == "Shortflow ops@example.com"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_transient_failures_are_retried(
    host: tuple[str, Script], tmp_path: Path, status: int
) -> None:
    base, script = host
    script.on("/f.csv", Answer(status, b"busy"), Answer(status, b"busy"), Answer(body=b"ok"))
    stored = await fetch(tmp_path, base, "/f.csv")
    assert script.paths() == ["/f.csv"] * 3
    assert stored.path.read_bytes() == b"ok"  # type: ignore[attr-defined]


async def test_a_host_that_stays_down_fails_after_the_attempts(
    host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on("/f.csv", Answer(503, b"down"))
    with pytest.raises(FetchError, match=r"HTTP 503 after 3 attempts"):
        await fetch(tmp_path, base, "/f.csv")
    assert len(script.requests) == 3
    assert not (tmp_path / "finra" / "file.csv").exists()


@pytest.mark.parametrize("status", [403, 404])
async def test_no_such_file_is_not_published_and_not_retried(
    host: tuple[str, Script], tmp_path: Path, status: int
) -> None:
    base, script = host
    script.on("/f.csv", Answer(status, b"<Error>AccessDenied</Error>"))
    with pytest.raises(NotPublished, match="not published yet"):
        await fetch(tmp_path, base, "/f.csv")
    assert len(script.requests) == 1
    assert list((tmp_path / "finra").iterdir()) == []


@pytest.mark.parametrize("status", [400, 401, 410, 451])
async def test_other_client_errors_fail_at_once(
    host: tuple[str, Script], tmp_path: Path, status: int
) -> None:
    base, script = host
    script.on("/f.csv", Answer(status, b"no"))
    with pytest.raises(FetchError, match=f"unexpected HTTP {status}"):
        await fetch(tmp_path, base, "/f.csv")
    assert len(script.requests) == 1


async def test_a_body_over_the_limit_is_refused(host: tuple[str, Script], tmp_path: Path) -> None:
    base, script = host
    script.on("/big.csv", Answer(body=b"x" * 5000))
    with pytest.raises(FetchError, match="over the limit of 4,096"):
        await fetch(tmp_path, base, "/big.csv", max_bytes=4096)
    assert list((tmp_path / "finra").iterdir()) == []


async def test_a_compressed_body_is_bounded_by_what_it_inflates_to(
    host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    bomb = gzip.compress(b"\0" * 2_000_000)
    assert len(bomb) < 4096
    script.on("/bomb.csv", Answer(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="more than the limit of 100,000 bytes"):
        await fetch(tmp_path, base, "/bomb.csv", max_bytes=100_000)
    assert list((tmp_path / "finra").iterdir()) == []


async def test_a_cut_connection_is_retried_and_never_leaves_a_partial_file(
    host: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = host
    script.on("/f.csv", Answer(body=b"half", headers={"Content-Length": "100"}))
    with pytest.raises(FetchError, match="after 3 attempts"):
        await fetch(tmp_path, base, "/f.csv")
    assert len(script.requests) == 3
    assert list((tmp_path / "finra").iterdir()) == []


async def test_requests_to_one_host_are_paced(host: tuple[str, Script], tmp_path: Path) -> None:
    base, script = host
    script.on("/f.csv", Answer(body=b"x"))
    polite = Politeness(requests_per_second=20)
    started = time.perf_counter()
    async with Downloader(tmp_path, max_bytes=1024) as downloader:
        for n in range(5):
            await downloader.fetch(base + "/f.csv", f"s/f{n}.csv", polite)
    # Five requests at 20/s need at least four intervals of 50 ms.
    assert time.perf_counter() - started >= 0.19


def test_a_kept_file_that_does_not_match_its_checksum_is_not_trusted(tmp_path: Path) -> None:
    downloader = Downloader(tmp_path, max_bytes=1024)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "f.csv").write_bytes(b"changed")
    assert downloader.stored("s/f.csv") is None  # no checksum beside it
    (tmp_path / "s" / "f.csv.sha256").write_text(hashlib.sha256(b"original").hexdigest() + "  f\n")
    assert downloader.stored("s/f.csv") is None
    (tmp_path / "s" / "f.csv.sha256").write_text(hashlib.sha256(b"changed").hexdigest() + "  f\n")
    assert downloader.stored("s/f.csv") is not None


@pytest.mark.parametrize(
    "relative", ["../x.csv", "/etc/passwd", "a/../../b", "", ".hidden", "a//b/..", "a/b c", "a\\b"]
)
def test_a_download_path_stays_below_the_download_directory(relative: str) -> None:
    with pytest.raises(ValueError, match="unsafe download path"):
        safe_relative(relative)
