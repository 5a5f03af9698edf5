"""A database loaded with the real samples of ../shared/data plus small generated files.

Loaded through the real ingest pipeline, once per test module that asks for it.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import shared_file

# Share counts for the metric tests (generated: the samples carry none for these securities).
SECURITIES = [
    [
        "symbol",
        "name",
        "type",
        "market_class",
        "shares_outstanding",
        "float_shares",
        "as_of",
        "tracks_index",
    ],
    ["IWM", "iShares Russell 2000 ETF", "etf", "ARCA", 281_300_000, None, "2026-07-01", "R2000"],
    ["VTWO", "Vanguard Russell 2000 ETF", "etf", "NNM", 132_000_000, None, "2026-06-30", "R2000"],
    ["AA", "Alcoa Corporation", "stock", "NYSE", 258_900_000, 257_000_000, "2026-06-30", None],
    [
        "MLI",
        "Mueller Industries, Inc.",
        "stock",
        "NYSE",
        110_000_000,
        108_000_000,
        "2025-12-31",
        None,
    ],
    # A stock with shares outstanding and no float, as fetched data mostly is (SEC filings carry
    # shares outstanding; no free source publishes floats).
    ["GME", "GameStop Corp.", "stock", "NYSE", 447_000_000, None, "2026-06-30", None],
]


def stored_difference(view: str, table: str) -> str:
    """SQL counting the rows in which `table`, which stores the rows of `view`, and the view
    disagree (each compared as a multiset of whole rows)."""
    return f"""
SELECT count(*) FROM (
    (SELECT * FROM {view} EXCEPT ALL SELECT * FROM {table})
    UNION ALL
    (SELECT * FROM {table} EXCEPT ALL SELECT * FROM {view})
) d
"""


SCREEN_VALUES_DIFFERENCE = stored_difference(
    "short_interest_screen_point", "short_interest_screen_value"
)
"""Rows in which the stored screen values (migration 0024) and the view they store disagree."""
POINTS_DIFFERENCE = stored_difference("short_interest_point_computed", "short_interest_point")
"""Rows in which the stored points (migration 0026) and the view they store disagree."""


def load_sample(database_url: str, directory: Path) -> None:
    """Ingest members, both FINRA files, IWM prices, securities and fund flows."""
    securities = write_csv(directory / "securities.csv", SECURITIES[0], SECURITIES[1:])
    files = [
        (shared_file("index/russell2000_members_2026-05-05.csv"), "index-members", {}),
        (securities, "securities", {}),
        (shared_file("finra-short-interest/shrt20260715.csv"), "short-interest", {}),
        (shared_file("finra-short-interest/shrt20260731.csv"), "short-interest", {}),
        (shared_file("prices/IWM_2026_daily.csv"), "prices", {"symbol": "IWM"}),
        (shared_file("etf/daily_flows_2026q1.csv"), "fund-flows", {}),
        (shared_file("etf/shares_nav_EWJ_EWY_EWZ.csv"), "fund-flows", {}),
    ]
    ingest_all(database_url, files)


def ingest_all(
    database_url: str, files: list[tuple[Path, str]] | list[tuple[Path, str, dict[str, str | None]]]
) -> None:
    """Ingest (path, kind[, IngestOptions fields]) in order; each must be applied."""

    async def load() -> None:
        db = Database(database_url, min_size=1, max_size=2, statement_timeout_ms=600_000)
        await db.open()
        try:
            for path, kind, *options in files:
                fields = options[0] if options else {}
                outcome = await ingest_file(db, path, kind, IngestOptions(**fields))
                assert outcome.status == "applied", (path.name, outcome.error)
        finally:
            await db.close()

    asyncio.run(load())


REGSHO_DAY = "2021-06-04"
"""The trading day of FINRA's real Reg SHO sample files (every facility)."""
REGSHO_HISTORY_DAYS = 20


def regsho_history(directory: Path) -> list[Path]:
    """The 20 trading days before 2021-06-04 as CNMS files built from the real one: each day's
    short volume is the real one times 0.6 + 0.02 k (k = 0..19, capped at the total volume), and
    on each day every seventh symbol (shifted by k) has no row, so averages have gaps."""
    from service.analytics import calendar

    real = shared_file(f"regsho/CNMSshvol{REGSHO_DAY.replace('-', '')}.txt")
    header, *lines = real.read_text().splitlines()
    records = [line.split("|") for line in lines if line.count("|") == 5]
    day = date.fromisoformat(REGSHO_DAY)
    paths = []
    for k in range(REGSHO_HISTORY_DAYS):
        day = calendar.previous_trading_day(day)
        stamp = day.strftime("%Y%m%d")
        out = [header]
        for i, (_, symbol, short, exempt, total, market) in enumerate(records):
            if (i + k) % 7 == 0:
                continue
            scaled = min(round(float(short) * (0.6 + 0.02 * k)), round(float(total)))
            out.append(f"{stamp}|{symbol}|{scaled}|{exempt}|{total}|{market}")
        path = directory / f"CNMSshvol{stamp}.txt"
        path.write_text("\n".join(out) + "\n")
        paths.append(path)
    return sorted(paths)


def load_regsho(database_url: str, directory: Path) -> None:
    """The securities above, the real Reg SHO files of 2021-06-04 (CNMS, FNSQ, FORF) and the 20
    built days before it (`regsho_history`)."""
    securities = write_csv(directory / "securities.csv", SECURITIES[0], SECURITIES[1:])
    stamp = REGSHO_DAY.replace("-", "")
    files = [
        (securities, "securities"),
        *((path, "short-volume") for path in regsho_history(directory)),
        *(
            (shared_file(f"regsho/{facility}shvol{stamp}.txt"), "short-volume")
            for facility in ("CNMS", "FNSQ", "FORF")
        ),
    ]
    ingest_all(database_url, files)
