"""FINRA's 999.99 on the real bulk files: a cap when there was volume, a sentinel without it.

Every point of both files is checked against the raw rows, then what a user sees of each kind
over GraphQL, REST (JSON and CSV) and in the squeeze screen.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import asyncpg
import httpx

from service.db.pool import Database
from service.demo.files import write_csv
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import Servers, app_client, make_settings, shared_file

FILES = ("finra-short-interest/shrt20260715.csv", "finra-short-interest/shrt20260731.csv")


def raw_days_to_cover() -> dict[tuple[str, date], tuple[int, str]]:
    """(symbol, settlement date) -> (average daily volume, days to cover text), from the files."""
    found = {}
    for name in FILES:
        for line in shared_file(name).read_text().splitlines()[1:]:
            cells = line.split("|")
            found[(cells[1], date.fromisoformat(cells[13]))] = (int(cells[8]), cells[9])
    return found


async def test_every_999_99_is_capped_with_volume_and_undefined_without(sample_url: str) -> None:
    raw = raw_days_to_cover()
    conn = await asyncpg.connect(sample_url)
    try:
        # The file's own values (revisions recompute days to cover from a revised position).
        rows = await conn.fetch(
            "SELECT s.symbol, p.settlement_date, p.days_to_cover, p.flags "
            "FROM short_interest_point p JOIN security s ON s.id = p.security_id "
            "WHERE NOT p.revised"
        )
    finally:
        await conn.close()
    served = {(r["symbol"], r["settlement_date"]): (r["days_to_cover"], r["flags"]) for r in rows}
    assert served.keys() == raw.keys()

    capped = {key for key, (volume, days) in raw.items() if days == "999.99" and volume > 0}
    no_volume = {key for key, (volume, _) in raw.items() if volume == 0}
    assert (len(capped), len(no_volume)) == (1617, 6208)
    for key, (days, flags) in served.items():
        if key in capped:
            assert (days, "DAYS_TO_COVER_CAPPED" in flags) == (999.99, True), key
        elif key in no_volume:
            assert (days, "DAYS_TO_COVER_UNDEFINED" in flags) == (None, True), key
        else:
            assert days == float(raw[key][1]), key
        assert not {"DAYS_TO_COVER_CAPPED", "DAYS_TO_COVER_UNDEFINED"} <= set(flags), key
    flagged_capped = {key for key, (_, flags) in served.items() if "DAYS_TO_COVER_CAPPED" in flags}
    flagged_undefined = {
        key for key, (_, flags) in served.items() if "DAYS_TO_COVER_UNDEFINED" in flags
    }
    assert (flagged_capped, flagged_undefined) == (capped, no_volume)


async def test_capped_and_undefined_as_both_apis_serve_them(
    sample_client: httpx.AsyncClient,
) -> None:
    query = """query ($symbol: String!) { security(symbol: $symbol) {
        latestShortInterest { averageDailyVolume daysToCover flags } } }"""
    answers = {}
    for symbol in ("AALBF", "AYURF"):
        response = await sample_client.post(
            "/graphql", json={"query": query, "variables": {"symbol": symbol}}
        )
        answers[symbol] = response.json()["data"]["security"]["latestShortInterest"]
    # AALBF 2026-07-31: 106 shares a day, 999.99 days: FINRA's cap.
    assert answers["AALBF"] == {
        "averageDailyVolume": 106,
        "daysToCover": 999.99,
        "flags": ["DAYS_TO_COVER_CAPPED"],
    }
    # AYURF 2026-07-31: no volume, 999.99: undefined.
    assert answers["AYURF"]["daysToCover"] is None
    assert "DAYS_TO_COVER_UNDEFINED" in answers["AYURF"]["flags"]

    rest = await sample_client.get(
        "/v1/securities/AALBF/short-interest", params={"from": "2026-07-31"}
    )
    assert [(p["days_to_cover"], p["flags"]) for p in rest.json()["data"]] == [
        (999.99, ["DAYS_TO_COVER_CAPPED"])
    ]
    table = await sample_client.get(
        "/v1/securities/AALBF/short-interest", params={"from": "2026-07-31", "format": "csv"}
    )
    row = next(csv.DictReader(io.StringIO(table.text)))
    assert (row["days_to_cover"], row["flags"]) == ("999.99", "DAYS_TO_COVER_CAPPED")


async def test_the_squeeze_screen_scores_a_cap_as_very_high_and_leaves_no_volume_out(
    database_url: str, servers: Servers, redis_prefix: str, tmp_path: Path
) -> None:
    floats = write_csv(
        tmp_path / "securities.csv",
        ["symbol", "type", "shares_outstanding", "float_shares", "as_of"],
        [
            ["AALBF", "stock", 110_000_000, 100_000_000, "2026-06-30"],
            ["AYURF", "stock", 10_000_000, 9_000_000, "2026-06-30"],
        ],
    )
    db = Database(database_url, min_size=1, max_size=2, statement_timeout_ms=600_000)
    await db.open()
    try:
        for path, kind in ((floats, "securities"), (shared_file(FILES[1]), "short-interest")):
            outcome = await ingest_file(db, path, kind, IngestOptions())
            assert outcome.status == "applied", outcome.error
    finally:
        await db.close()

    settings = make_settings(database_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.get("/v1/screens/squeeze", params={"as_of": "2026-08-11"})
    body = response.json()
    assert [c["security"]["symbol"] for c in body["data"]] == ["AALBF"]
    aalbf = body["data"][0]
    factor = next(f for f in aalbf["factors"] if f["name"] == "days_to_cover")
    assert (aalbf["days_to_cover"], factor["value"], factor["contribution"]) == (
        999.99,
        999.99,
        15.0,  # the whole weight (0.15): at least 999.99 days is far above the scale's 10
    )
    assert {"reason": "no_volume", "count": 1} in body["excluded"]  # AYURF: unknown, not high
