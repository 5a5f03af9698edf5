"""Which source defines an index's membership on a date (docs/data-model.md "Index membership"):
index-member files (intervals) and holdings snapshots (a whole list, valid until the next
snapshot). On each date the source with the newest statement defines the whole list: never
their union (the real member list of 1,920 plus a later snapshot of 13 is 13, not 1,923)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from service.analytics import ReadServices
from service.db.pool import Database
from service.demo.files import Holding, write_csv, write_ishares_holdings
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import DatabaseFactory, shared_file

File = tuple[Path, str, IngestOptions]
HOLDINGS = IngestOptions(index="R2000", fund="IWM")
# The equities of the real iShares-layout sample, as of 2026-07-31.
SNAPSHOT = ["BE", "CRDO", "FN", "IONQ", "HIMS", "SFM", "KTOS", "RIOT", "LNTH", "QLYS", "AMPG"]
SNAPSHOT += ["QUBT", "KOSS"]
DAYS = [
    date(2026, 5, 4),  # before anything: unknown
    date(2026, 5, 5),  # the member list starts
    date(2026, 7, 30),
    date(2026, 7, 31),  # the snapshot (newer than the list's start)
    date(2026, 8, 13),
    date(2026, 8, 14),  # a second snapshot
    date(2026, 8, 31),
    date(2026, 9, 1),  # the member file records a change: it is the newer statement again
    date(2026, 12, 1),
]


def _files(directory: Path) -> list[File]:
    later = write_ishares_holdings(
        directory / "IWM_holdings_2026-08-14.csv",
        "iShares Russell 2000 ETF",
        date(2026, 8, 14),
        279_000_000,
        [
            Holding("BE", "BLOOM ENERGY CLASS A CORP", 2_900_000, 171.0, 0.5),
            Holding("CRDO", "CREDO TECHNOLOGY GROUP HOLDING LTD", 600_000, 15.0, 0.6),
        ],
    )
    change = write_csv(
        directory / "r2000_addition.csv",
        ["index", "symbol", "start_date"],
        [["R2000", "ZZNEW", "2026-09-01"]],
    )
    return [
        (shared_file("index/russell2000_members_2026-05-05.csv"), "index-members", IngestOptions()),
        (shared_file("etf/holdings_sample_ishares_layout.csv"), "holdings", HOLDINGS),
        (later, "holdings", HOLDINGS),
        (change, "index-members", IngestOptions()),
    ]


async def _membership(url: str, files: list[File]) -> dict[date, set[str]]:
    db = Database(url, min_size=1, max_size=2, statement_timeout_ms=600_000)
    await db.open()
    try:
        for path, kind, options in files:
            outcome = await ingest_file(db, path, kind, options)
            assert outcome.status == "applied", (path.name, outcome.error)
        securities = ReadServices.over(db).securities
        return {
            day: {
                s.symbol
                for s in await securities.page(
                    search=None, type_=None, index="R2000", members_on=day, after="", limit=5000
                )
            }
            for day in DAYS
        }
    finally:
        await db.close()


@pytest.fixture(scope="module")
def by_order(
    db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[date, set[str]]]:
    files = _files(tmp_path_factory.mktemp("membership"))
    return {
        "members first": asyncio.run(_membership(db_factory.create(), files)),
        "holdings first": asyncio.run(_membership(db_factory.create(), files[1:3] + files[::3])),
    }


def test_the_newest_statement_defines_the_whole_membership(
    by_order: dict[str, dict[date, set[str]]],
) -> None:
    members = by_order["members first"]
    listed = {
        line.split(",")[1]
        for line in shared_file("index/russell2000_members_2026-05-05.csv")
        .read_text()
        .splitlines()[1:]
    }
    assert len(listed) == 1920
    assert members[date(2026, 5, 4)] == set()
    assert members[date(2026, 5, 5)] == members[date(2026, 7, 30)] == listed
    # From its date a snapshot is the membership: 13, not 1,920 + the 3 the list lacks.
    assert len(listed | set(SNAPSHOT)) == 1923
    assert members[date(2026, 7, 31)] == members[date(2026, 8, 13)] == set(SNAPSHOT)
    # Until the next snapshot only.
    assert members[date(2026, 8, 14)] == members[date(2026, 8, 31)] == {"BE", "CRDO"}
    # The member file's change of 2026-09-01 is newer than both snapshots: the file's
    # intervals define the list again (its 1,920 open-ended members and the addition).
    assert members[date(2026, 9, 1)] == members[date(2026, 12, 1)] == listed | {"ZZNEW"}


def test_the_order_of_ingest_does_not_matter(by_order: dict[str, dict[date, set[str]]]) -> None:
    assert by_order["holdings first"] == by_order["members first"]


def test_on_a_tie_the_member_file_wins(database_url: str, tmp_path: Path) -> None:
    snapshot = write_ishares_holdings(
        tmp_path / "IWM_holdings_2026-05-05.csv",
        "iShares Russell 2000 ETF",
        date(2026, 5, 5),
        281_300_000,
        [Holding("BE", "BLOOM ENERGY CLASS A CORP", 2_900_000, 120.0, 0.5)],
    )
    files: list[File] = [
        (snapshot, "holdings", HOLDINGS),
        (shared_file("index/russell2000_members_2026-05-05.csv"), "index-members", IngestOptions()),
    ]
    members = asyncio.run(_membership(database_url, files))
    assert len(members[date(2026, 5, 5)]) == 1920
    assert members[date(2026, 5, 4)] == set()
