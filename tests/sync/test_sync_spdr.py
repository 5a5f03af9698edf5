"""`shortflow sync --source spdr` against a local server at State Street's path.

No real SPDR NAV history file exists in ../shared/data: the workbook here is BUILT BY THE TEST
from the documented layout (fund name and ticker above a `Date, NAV, Shares Outstanding, Total
Net Assets` table), with made-up numbers; dates are written both as text and as Excel serial days,
the two ways a workbook can hold them."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Servers
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_finra import shortflow
from tests.sync.test_sync_ishares import graphql

PATH = "/us/en/intermediary/library-content/products/fund-data/etfs/us/navhist-us-en-spy.xlsx"
WINDOW = ("--since", "2025-12-01", "--until", "2025-12-05", "--source", "spdr")
DAYS = [  # (date, NAV, shares outstanding), newest first as State Street lists them
    (date(2025, 12, 5), 685.21, 1_021_432_116),
    (date(2025, 12, 4), 683.89, 1_019_082_116),
    (date(2025, 12, 3), 684.10, 1_024_532_116),
    (date(2025, 12, 2), 681.53, 1_024_532_116),
    (date(2025, 12, 1), 679.12, 1_018_982_116),
]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: list[list[str | float]], prologue: str = "") -> bytes:
    """An .xlsx whose first sheet holds `rows` (str: shared strings, numbers: numbers)."""
    strings: list[str] = []
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            ref = f"{'ABCD'[column]}{number}"
            if isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}"><sheetData>'
        f"{''.join(xml_rows)}</sheetData></worksheet>"
    )
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">' + "".join(
        f"<si><t>{s}</t></si>" for s in strings
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("[Content_Types].xml", CONTENT_TYPES)
        bundle.writestr("xl/worksheets/sheet1.xml", sheet)
        bundle.writestr("xl/sharedStrings.xml", shared + "</sst>")
    return buffer.getvalue()


def nav_history(ticker: str = "SPY") -> bytes:
    rows: list[list[str | float]] = [
        ["Fund Name:", "SPDR S&amp;P 500 ETF Trust"],
        ["Ticker Symbol:", ticker],
        [],
        ["Date", "NAV", "Shares Outstanding", "Total Net Assets"],
    ]
    for index, (day, nav, shares) in enumerate(DAYS):
        # Even rows date as text ("05-Dec-2025"), odd rows as Excel serial days.
        written: str | float = (
            day.strftime("%d-%b-%Y") if index % 2 == 0 else (day - date(1899, 12, 30)).days
        )
        rows.append([written, nav, shares, round(nav * shares, 2)])
    return workbook(rows)


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
    script.on(PATH, Answer(body=nav_history()))
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
    by_day = dict(sorted((d, (nav, shares)) for d, nav, shares in DAYS))
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
    script.on(PATH, Answer(body=nav_history("VOO")))
    result = sync(database_url, base, tmp_path, monkeypatch)
    assert result.returncode == 1, result.stdout
    message = " ".join(result.stdout.split())
    assert "the file is 'VOO''s history, not --fund SPY" in message
    assert (tmp_path / "downloads" / "spdr" / "SPY" / "navhist_20251205.xlsx").exists()
