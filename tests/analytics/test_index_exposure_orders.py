"""Index short exposure over the real files: no empty date counted, no false record, and the
same answers whatever order the files are ingested in (docs/data-model.md, index exposure)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.analytics import ReadServices
from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import SHARED_DATA, DatabaseFactory, shared_file
from tests.support.datasets import SECURITIES

File = tuple[Path, str, dict[str, str]]
TODAY = date(2026, 12, 1)
MEMBERS = (170.72, 14.89, 320.0)
"""Closes of BE, CRDO and FN on 2026-07-31."""


def _files(directory: Path) -> list[File]:
    """The FINRA bulk files, every web export, the R2000 member list, a securities file marking
    IWM and VTWO as tracking R2000, the IWM and VTWO prices, and (generated: the samples have
    none) closes of three members on the two 2026 settlement dates, so that those dates have a
    known single-stock leg."""
    shared_file("finra-short-interest/web-export")  # skips when the samples are absent
    securities = write_csv(directory / "securities.csv", SECURITIES[0], SECURITIES[1:])
    closes = write_csv(
        directory / "member_closes.csv",
        ["date", "symbol", "open", "high", "low", "close", "volume"],
        [
            [day, symbol, None, None, None, close, None]
            for day, prices in (("2026-07-15", (150.0, 14.0, 300.0)), ("2026-07-31", MEMBERS))
            for symbol, close in zip(("BE", "CRDO", "FN"), prices, strict=True)
        ],
    )
    exports = sorted((SHARED_DATA / "finra-short-interest/web-export").glob("*.csv"))
    return [
        (shared_file("index/russell2000_members_2026-05-05.csv"), "index-members", {}),
        (securities, "securities", {}),
        (shared_file("finra-short-interest/shrt20260715.csv"), "short-interest", {}),
        (shared_file("finra-short-interest/shrt20260731.csv"), "short-interest", {}),
        *((path, "short-interest", {}) for path in exports),
        (shared_file("prices/IWM_2026_daily.csv"), "prices", {"symbol": "IWM"}),
        (shared_file("prices/yahoo/VTWO.csv"), "prices", {"symbol": "VTWO"}),
        (closes, "prices", {}),
    ]


async def _answers(url: str, files: list[File]) -> dict[str, Any]:
    db = Database(url, min_size=1, max_size=2, statement_timeout_ms=600_000)
    await db.open()
    try:
        for path, kind, options in files:
            outcome = await ingest_file(db, path, kind, IngestOptions(**options))
            assert outcome.status == "applied", (path.name, outcome.error)
        analytics = ReadServices.over(db)
        series = await analytics.exposure.series("R2000", None, None)
        return {
            "exposure": [asdict(point) for point in series],
            "indexes": [asdict(i) for i in await analytics.indexes.page("", 100, TODAY)],
            "members_2026_07_31": [
                s.symbol
                for s in await analytics.securities.page(
                    search=None,
                    type_=None,
                    index="R2000",
                    members_on=date(2026, 7, 31),
                    after="",
                    limit=5000,
                )
            ],
        }
    finally:
        await db.close()


ORDERS = {
    "as listed": lambda files: files,
    "reversed": lambda files: files[::-1],
    "shuffled": lambda files: random.Random(13).sample(files, len(files)),
}


@pytest.fixture(scope="module")
def answers(
    db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    files = _files(tmp_path_factory.mktemp("orders"))
    return {
        name: asyncio.run(_answers(db_factory.create(), order(files)))
        for name, order in ORDERS.items()
    }


def test_every_order_gives_the_same_answers(answers: dict[str, dict[str, Any]]) -> None:
    first = answers["as listed"]
    assert first["exposure"], "the R2000 series is empty"
    for name, other in answers.items():
        assert other == first, f"ingested {name}, the answers differ"


def test_dates_without_members_are_not_records_and_say_so(
    answers: dict[str, dict[str, Any]],
) -> None:
    series = answers["as listed"]["exposure"]
    empty = [p for p in series if p["constituents"] == 0]
    assert len(series) == 188
    assert len(empty) == 186  # 2017-2025: the ETF leg only
    assert all(
        not p["single_stock_leg_known"] and p["single_stock_short_value_usd"] == 0 for p in empty
    )
    assert {p["settlement_date"].year for p in empty} == set(range(2017, 2026))
    first = series[0]
    assert first["settlement_date"] == date(2017, 12, 29)
    assert not first["is_record"]
    assert not any(p["is_record"] for p in series if not p["single_stock_leg_known"])


def test_a_record_beats_an_earlier_complete_date(answers: dict[str, dict[str, Any]]) -> None:
    complete = [
        p
        for p in answers["as listed"]["exposure"]
        if p["single_stock_leg_known"] and p["etf_leg_known"]
    ]
    assert [p["settlement_date"] for p in complete] == [date(2026, 7, 15), date(2026, 7, 31)]
    assert [p["constituents_priced"] for p in complete] == [3, 3]
    assert not complete[0]["is_record"]  # the first complete date: nothing earlier to beat
    for index, point in enumerate(complete):
        earlier = [p["total_short_value_usd"] for p in complete[:index]]
        assert point["is_record"] == (
            bool(earlier) and point["total_short_value_usd"] > max(earlier)
        )


def test_the_index_is_listed_by_name(answers: dict[str, dict[str, Any]]) -> None:
    listed = answers["as listed"]["indexes"]
    assert listed == [
        {
            "code": "R2000",
            "name": "Russell 2000",
            "constituents": 1920,
            "tracking_funds": ["IWM", "VTWO"],
        }
    ]
