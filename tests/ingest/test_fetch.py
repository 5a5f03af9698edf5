"""`shortflow fetch`: downloads from FINRA's file host (a local server replaying its answers)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.errors import FetchError
from service.sources.short_interest import fetch as finra
from tests.support.http import Replay, replay_server

CASSETTE = Path(__file__).resolve().parents[1] / "fixtures" / "finra" / "responses.json"


@pytest.fixture
def finra_host() -> Iterator[tuple[str, Replay]]:
    with replay_server(CASSETTE) as server:
        yield server


def shortflow(
    database_url: str, base_url: str, home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHORTFLOW_FINRA_BASE_URL": base_url,
        "SHORTFLOW_HOME": str(home),
        "SHORTFLOW_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_fetch_short_interest_downloads_and_ingests(
    database_url: str, finra_host: tuple[str, Replay], tmp_path: Path
) -> None:
    base, replay = finra_host
    result = shortflow(
        database_url, base, tmp_path, "fetch", "finra-short-interest", "--date", "2026-08-14"
    )
    assert result.returncode == 0, result.stderr
    assert replay.requests == ["/equity/otcmarket/biweekly/shrt20260814.csv"]
    assert (tmp_path / "downloads" / "shrt20260814.csv").read_bytes() == (
        CASSETTE.parent / "shrt20260814.csv"
    ).read_bytes()
    assert "shrt20260814.csv: finra-bulk, 40 rows, 40 accepted, 0 rejected" in result.stderr


def test_fetch_regsho_downloads_and_ingests(
    database_url: str, finra_host: tuple[str, Replay], tmp_path: Path
) -> None:
    base, _ = finra_host
    result = shortflow(database_url, base, tmp_path, "fetch", "regsho", "--date", "2026-08-14")
    assert result.returncode == 0, result.stderr
    assert "CNMSshvol20260814.txt: regsho, 30 rows, 30 accepted" in result.stderr


def test_an_unpublished_date_is_a_clear_failure(
    database_url: str, finra_host: tuple[str, Replay], tmp_path: Path
) -> None:
    base, replay = finra_host
    result = shortflow(database_url, base, tmp_path, "fetch", "regsho", "--date", "2026-08-17")
    assert result.returncode == 1
    assert "no such file (HTTP 403)" in result.stderr
    assert "not published yet" in result.stderr
    assert replay.requests == ["/equity/regsho/daily/CNMSshvol20260817.txt"]  # 403 is not retried
    assert not list((tmp_path / "downloads").iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("finra-short-interest", "--date", "2026-08-13"), "not a FINRA settlement date"),
        (("finra-short-interest", "--date", "2099-01-15"), "in the future"),
        (("regsho", "--date", "2026-07-03"), "not an NYSE trading day"),
        (("regsho", "--date", "yesterday"), "is not a date"),
    ],
)
def test_impossible_dates_are_usage_errors(
    database_url: str,
    finra_host: tuple[str, Replay],
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    base, replay = finra_host
    result = shortflow(database_url, base, tmp_path, "fetch", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert replay.requests == []


async def test_transient_errors_are_retried(finra_host: tuple[str, Replay], tmp_path: Path) -> None:
    base, replay = finra_host
    path = "/equity/regsho/daily/CNMSshvol20260814.txt"
    replay.fail_next(path, 503, 500)
    result = await finra.download(
        finra.regsho_url(base, "CNMS", date(2026, 8, 14)), tmp_path, backoff=0.01
    )
    assert replay.requests == [path, path, path]
    assert result.bytes == (CASSETTE.parent / "CNMSshvol20260814.txt").stat().st_size


async def test_persistent_errors_give_up_with_the_reason(
    finra_host: tuple[str, Replay], tmp_path: Path
) -> None:
    base, replay = finra_host
    path = "/equity/regsho/daily/CNMSshvol20260814.txt"
    replay.fail_next(path, 503, 503, 503, 503)
    with pytest.raises(FetchError, match="HTTP 503 after 4 attempts"):
        await finra.download(
            finra.regsho_url(base, "CNMS", date(2026, 8, 14)), tmp_path, backoff=0.01
        )
    assert os.listdir(tmp_path) == []


def test_settlement_and_trading_day_checks() -> None:
    today = date(2026, 11, 23)
    finra.check_settlement_date(date(2026, 7, 31), today)
    # 2026-11-13 + 7 trading days: 16, 17, 18, 19, 20, 23, 24.
    with pytest.raises(FetchError, match="published on 2026-11-24, not yet"):
        finra.check_settlement_date(date(2026, 11, 13), date(2026, 11, 20))
    finra.check_trading_day(date(2026, 11, 20), today)
