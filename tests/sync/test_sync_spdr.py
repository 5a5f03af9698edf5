"""`shortflow sync --source spdr` against a local server at State Street's path.

No real SPDR NAV history file exists in ../shared/data: the workbook served is BUILT BY THE TESTS
(`spdr_nav_history`, tests/support/workbooks.py) from the documented layout (fund name and ticker
above a `Date, NAV, Shares Outstanding, Total Net Assets` table), with made-up numbers; dates are
written both as text and as Excel serial days, the two ways a workbook can hold them."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Servers
from tests.support.workbooks import SPDR_DAYS, spdr_nav_history
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import shortflow
from tests.sync.test_sync_ishares import graphql

PATH = "/us/en/intermediary/library-content/products/fund-data/etfs/us/navhist-us-en-spy.xlsx"
WINDOW = ("--since", "2025-12-01", "--until", "2025-12-05", "--source", "spdr")


def sync(database_url: str, base: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SHORTFLOW_SPDR_BASE_URL", base)
    return shortflow(database_url, base, home, "sync", *WINDOW)


async def test_spy_flows_from_its_nav_history(
    database_url: str,
    host: tuple[str, Script],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: Servers,
    redis_prefix: str,
) -> None:
    base, script = host
    script.on(PATH, Answer(body=spdr_nav_history()))
    result = sync(database_url, base, tmp_path, monkeypatch)
    assert result.returncode == 0, result.stdout
    assert script.paths() == [PATH]
    data = await graphql(
        database_url,
        servers,
        redis_prefix,
        """{ security(symbol: "SPY") { type
            day: fundFlows(from: "2025-12-01", to: "2025-12-05") { periodEnd flowUsd source }
            week: fundFlows(from: "2025-12-01", to: "2025-12-05", period: WEEK) {
                flowUsd daysReported } } }""",
    )
    spy = data["security"]
    assert spy["type"] == "ETF"
    by_day = dict(sorted((d, (nav, shares)) for d, nav, shares in SPDR_DAYS))
    days = list(by_day)
    expected = {
        day.isoformat(): round((by_day[day][1] - by_day[before][1]) * by_day[day][0], 2)
        for before, day in pairwise(days)
    }
    served = {d["periodEnd"]: d["flowUsd"] for d in spy["day"]}
    assert served == pytest.approx(expected, abs=0.01)
    # Dec 3 has Dec 2's count at another NAV: a day without creations, a real zero flow.
    assert served["2025-12-03"] == 0
    assert {d["source"] for d in spy["day"]} == {"DERIVED"}
    assert spy["week"] == [
        {"flowUsd": pytest.approx(sum(expected.values()), abs=0.05), "daysReported": 4}
    ]


def test_a_history_of_another_fund_fails_loudly_and_is_kept(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    script.on(PATH, Answer(body=spdr_nav_history("VOO")))
    result = sync(database_url, base, tmp_path, monkeypatch)
    assert result.returncode == 1, result.stdout
    message = " ".join(result.stdout.split())
    assert "the file is 'VOO''s history, not --fund SPY" in message
    assert (tmp_path / "downloads" / "spdr" / "SPY" / "navhist_20251205.xlsx").exists()
