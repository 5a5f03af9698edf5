"""`shortflow sync --source sec-ftd` against a local server holding SEC's fails-to-deliver archives
at SEC's path (`/files/data/fails-deliver-data/cnsfailsYYYYMM{a,b}.zip`).

No real archive is in ../shared/data: the archives are built here, at test time, from the real
rows of ../shared/data/sec-ftd, zipped as SEC does (one `cnsfailsYYYYMMx.txt` per archive). The
first half of January 2021 holds the real first 2,999 rows of that file plus the real IWM and SPY
rows of its other days; the other four half-months hold their real IWM and SPY rows.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from service.db.pool import Database
from service.demo.files import ShortInterestRow, write_finra_bulk
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from service.settings import Settings
from tests.conftest import app_client, shared_file
from tests.sync import test_sync_sec
from tests.sync.conftest import Answer, Script
from tests.sync.test_sync_cftc import zipped
from tests.sync.test_sync_finra import scalar, shortflow
from tests.sync.test_sync_sec import CONTACT

PATH = "/files/data/fails-deliver-data/cnsfails{}.zip"
HALVES = ("202101a", "202101b", "202102a", "202102b", "202103a")
sec_env = test_sync_sec.sec_env  # SEC's base URLs and the required User-Agent

WINDOW = ("--since", "2021-01-01", "--until", "2021-04-01", "--source", "sec-ftd")


def half_of(settlement: str) -> str:
    return settlement[:6] + ("a" if int(settlement[6:]) <= 15 else "b")


def half_month_files() -> dict[str, bytes]:
    """The real rows per half-month file: {"202101a": text, ...}."""
    first = shared_file("sec-ftd/cnsfails202101a_first3000lines.txt").read_text().splitlines()
    header, january = first[0], first[1:]
    rows: dict[str, list[str]] = {half: [] for half in HALVES}
    rows["202101a"] += january
    seen = {tuple(line.split("|")[:2]) for line in january}
    iwm_spy = shared_file("sec-ftd/cnsfails_202101a-202103a_IWM_SPY_rows.txt").read_text()
    for line in iwm_spy.splitlines()[1:]:
        if tuple(line.split("|")[:2]) not in seen:
            rows[half_of(line[:8])].append(line)
    return {half: ("\n".join([header, *lines]) + "\n").encode() for half, lines in rows.items()}


def serve_ftd(script: Script) -> dict[str, bytes]:
    files = half_month_files()
    for half, text in files.items():
        script.on(PATH.format(half), Answer(body=zipped(f"cnsfails{half}.txt", text)))
    return files


def test_sync_stores_every_half_month_then_fetches_nothing_the_second_time(
    database_url: str, sec_env: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = sec_env
    files = serve_ftd(script)
    script.on(PATH.format("202103b"), Answer(403, b"<Error>AccessDenied</Error>"))
    result = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert result.returncode == 0, result.stdout
    # one request per half-month file of the window; the second half of March answers 403:
    # not published yet, not an error
    assert script.paths() == [PATH.format(h) for h in (*HALVES, "202103b")]
    assert "sync: 5 files ingested, 0 failed" in result.stdout
    assert all(headers["User-Agent"].startswith(CONTACT) for _, headers in script.requests)
    stored = asyncio.run(scalar(database_url, "SELECT count(*) FROM fails_to_deliver"))
    assert stored == sum(text.count(b"\n") - 1 for text in files.values())
    iwm = (
        "SELECT quantity FROM fails_to_deliver f JOIN security s ON s.id = f.security_id "
        "WHERE s.symbol = 'IWM' AND settlement_date = '2021-02-18'"
    )
    assert asyncio.run(scalar(database_url, iwm)) == 2_691_734
    status = "SELECT status FROM sync_item WHERE source = 'sec-ftd' AND item_key = '2021-03b'"
    assert asyncio.run(scalar(database_url, status)) == "not_published"
    kept = tmp_path / "downloads" / "sec-ftd"
    assert (kept / "cnsfails202101a.zip.sha256").exists()
    assert (kept / "cnsfails202101a.txt").read_bytes() == files["202101a"]

    requests = len(script.requests)
    script.on(PATH.format("202103b"))  # 404 this time: still not published
    again = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert again.returncode == 0, again.stdout
    # only the file not published yet is asked again
    assert script.paths()[requests:] == [PATH.format("202103b")]
    assert "sync: 0 files ingested, 0 failed" in again.stdout


def test_without_the_sec_user_agent_the_source_stops_alone(
    database_url: str, host: tuple[str, Script], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = host
    monkeypatch.setenv("SHORTFLOW_SEC_WWW_BASE_URL", base)
    monkeypatch.delenv("SHORTFLOW_SEC_USER_AGENT", raising=False)
    result = shortflow(database_url, base, tmp_path, "sync", *WINDOW)
    assert result.returncode == 1
    assert "SHORTFLOW_SEC_USER_AGENT is not set" in result.stdout
    assert script.paths() == []


SQUEEZE = """query ($asOf: Date) { squeezeScreen(asOf: $asOf, first: 10) {
  candidates { security { symbol } score factors { name value weight contribution } } } }"""
SHARES = {"IWM": 250_000_000, "SPY": 900_000_000}
"""Built share counts (no real 2021 count is in ../shared/data): inputs of the check, not facts."""
FEB_WINDOW = [
    *(f"202101{d:02d}" for d in (15, 19, 20, 21, 22, 25, 26, 27, 28, 29)),
    *(f"202102{d:02d}" for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)),
]
"""The 20 NYSE trading days ending 2021-02-12 (2021-01-18 was Martin Luther King Jr. Day)."""


def expected_fails(symbol: str, days: list[str]) -> float:
    """Mean daily fails over `days` (a day without a row: none) as % of shares outstanding,
    computed from the real rows, independently of the SQL."""
    text = shared_file("sec-ftd/cnsfails_202101a-202103a_IWM_SPY_rows.txt").read_text()
    cells = [line.split("|") for line in text.splitlines()[1:]]
    total = sum(int(c[3]) for c in cells if c[2] == symbol and c[0] in days)
    return round(total / len(days) / SHARES[symbol] * 100, 4)


async def test_the_squeeze_screen_scores_the_fails_known_on_its_date(
    database_url: str, sec_env: tuple[str, Script], tmp_path: Path, settings: Settings
) -> None:
    base, script = sec_env
    serve_ftd(script)
    synced = await asyncio.to_thread(shortflow, database_url, base, tmp_path, "sync", *WINDOW)
    assert synced.returncode == 0, synced.stdout
    securities = tmp_path / "securities.csv"
    securities.write_text(
        "symbol,type,shares_outstanding,as_of\n"
        + "".join(f"{s},etf,{n},2021-01-04\n" for s, n in SHARES.items())
    )
    interest = write_finra_bulk(
        tmp_path / "shrt20210212.csv",
        date(2021, 2, 12),
        [
            ShortInterestRow(
                "IWM", "iShares Russell 2000 ETF", "ARCA", 100_000_000, None, 30_000_000
            ),
            ShortInterestRow("SPY", "SPDR S&P 500 ETF Trust", "ARCA", 40_000_000, None, 70_000_000),
        ],
    )
    db = Database(database_url, min_size=1, max_size=2)
    await db.open()
    try:
        for path, kind in ((interest, "short-interest"), (securities, "securities")):
            outcome = await ingest_file(db, path, kind, IngestOptions())
            assert outcome.status == "applied", outcome.error
    finally:
        await db.close()

    # Known on 2021-03-20 (stored years later: each file from its half-month's end + 30 days):
    # January's two files and the first half of February, whose newest settlement date is
    # 2021-02-12. Known on 2021-03-01: the first half of January only (newest 2021-01-15).
    jan_window = [f"202012{d}" for d in (17, 18, 21, 22, 23, 24, 28, 29, 30, 31)] + [
        f"202101{d:02d}" for d in (4, 5, 6, 7, 8, 11, 12, 13, 14, 15)
    ]
    async with app_client(settings) as client:
        for as_of, days in (("2021-03-20", FEB_WINDOW), ("2021-03-01", jan_window)):
            answer = await client.post(
                "/graphql", json={"query": SQUEEZE, "variables": {"asOf": as_of}}
            )
            candidates = answer.json()["data"]["squeezeScreen"]["candidates"]
            rest = await client.get("/v1/screens/squeeze", params={"as_of": as_of})
            assert rest.status_code == 200, rest.text
            by_rest = {c["security"]["symbol"]: c for c in rest.json()["data"]}
            assert {c["security"]["symbol"] for c in candidates} == set(SHARES)
            for candidate in candidates:
                symbol = candidate["security"]["symbol"]
                fails = next(f for f in candidate["factors"] if f["name"] == "fails_to_deliver")
                value = expected_fails(symbol, days)
                assert fails == {
                    "name": "fails_to_deliver",
                    "value": value,
                    "weight": 0.1,
                    "contribution": round(100 * 0.1 * min(1.0, value / 0.5), 4),
                }, (as_of, symbol)
                assert fails in by_rest[symbol]["factors"]
                assert sum(f["weight"] for f in candidate["factors"]) == 1.0
        csv_answer = await client.get(
            "/v1/screens/squeeze", params={"as_of": "2021-03-20", "format": "csv"}
        )
        header = csv_answer.text.splitlines()[0].split(",")
        assert {"factor_fails_to_deliver_value", "factor_fails_to_deliver_weight"} <= set(header)
