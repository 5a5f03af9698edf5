"""The squeeze screen's short-volume trend factor and its fund-kind exclusions, in both APIs.

The database holds the usual real samples (tests/support/datasets.py `load_sample`), two more ETFs
with generated share counts (SQQQ, a leveraged inverse fund, and GLD, a gold trust: both report
short interest in the real 2026-07-31 FINRA file), and 70 trading days of CNMS Reg SHO files up to
the screen's day, built from the real 2021-06-04 CNMS rows of the ranked symbols (EWJ, EWY and EWZ
are ranked on the share counts of their fund file): each day keeps
the real total volume, and its short volume is the real ratio times a factor that rises in the last
10 days. MLI has only 4 of those 10 days, so its trend is unknown. The expected trend is computed
here from the files written, independently of the SQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest

from service.analytics import calendar
from service.demo.files import write_csv
from tests.conftest import DatabaseFactory, shared_file
from tests.graphql.conftest import Query
from tests.support.datasets import SECURITIES, ingest_all, load_sample

AS_OF = date(2026, 8, 20)
RANKED = ("IWM", "VTWO", "AA", "MLI", "GME", "EWJ", "EWY", "EWZ", "SQQQ", "GLD")
EXTRA_SECURITIES = [
    ["SQQQ", "ProShares UltraPro Short QQQ", "etf", "NNM", 60_000_000, None, "2026-06-30", None],
    ["GLD", "SPDR Gold Trust", "etf", "ARCA", 300_000_000, None, "2026-06-30", None],
]
SCREEN = """query ($kinds: [FundKind!]) {
  squeezeScreen(asOf: "2026-08-20", first: 50, excludeFundKinds: $kinds) {
    excluded { reason count }
    candidates { security { symbol } score factors { name value weight contribution } } } }"""


def _days() -> list[date]:
    """The 70 trading days ending on the last one on or before AS_OF, oldest first."""
    day = calendar.trading_day_on_or_before(AS_OF)
    days = [day]
    for _ in range(69):
        day = calendar.previous_trading_day(day)
        days.append(day)
    return days[::-1]


def _build(directory: Path) -> dict[str, list[tuple[date, int, int]]]:
    """Write the CNMS files; return what each symbol's rows hold: (day, short, total)."""
    real = shared_file("regsho/CNMSshvol20210604.txt")
    header, *lines = real.read_text().splitlines()
    records = {r[1]: r for r in (line.split("|") for line in lines) if r[1:2] and r[1] in RANKED}
    assert set(records) == set(RANKED)
    held: dict[str, list[tuple[date, int, int]]] = {symbol: [] for symbol in RANKED}
    days = _days()
    for k, day in enumerate(days):
        recent = k >= len(days) - 10
        out = [header]
        for symbol, (_, _, short, exempt, total, market) in records.items():
            if symbol == "MLI" and recent and k % 5 != 0:
                continue  # 4 of the 10 recent days only: too few for a trend
            lift = 1.25 + 0.01 * (k % 3) if recent else 1.0 - 0.002 * (k % 5)
            shorted = min(round(int(short) * lift), int(total))
            out.append(f"{day:%Y%m%d}|{symbol}|{shorted}|{exempt}|{total}|{market}")
            held[symbol].append((day, shorted, int(total)))
        (directory / f"CNMSshvol{day:%Y%m%d}.txt").write_text("\n".join(out) + "\n")
    return held


def _expected_trend(rows: list[tuple[date, int, int]]) -> float | None:
    days = _days()
    recent = [r for r in rows if r[0] >= days[-10]]
    prior = [r for r in rows if r[0] < days[-10]]
    if len(recent) < 5 or len(prior) < 30:
        return None

    def ratio(part: list[tuple[date, int, int]]) -> float:
        return sum(r[1] for r in part) / sum(r[2] for r in part) * 100

    return round(ratio(recent) - ratio(prior), 4)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("trend")
    return directory, _build(directory)


@pytest.fixture(scope="module")
def sample_url(
    db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory, built: tuple[Path, dict]
) -> str:
    url = db_factory.create()
    directory = tmp_path_factory.mktemp("sample")
    load_sample(url, directory)
    extra = write_csv(directory / "extra.csv", SECURITIES[0], EXTRA_SECURITIES)
    files = [(extra, "securities"), *((p, "short-volume") for p in sorted(built[0].glob("*.txt")))]
    ingest_all(url, files)
    return url


def _factor(candidate: dict, name: str) -> dict:
    return next(f for f in candidate["factors"] if f["name"] == name)


async def test_the_trend_factor_is_the_recent_ratio_less_the_prior_one(
    gql: Query, built: tuple[Path, dict]
) -> None:
    screen = (await gql(SCREEN))["data"]["squeezeScreen"]
    by_symbol = {c["security"]["symbol"]: c for c in screen["candidates"]}
    assert set(by_symbol) == set(RANKED)
    held = built[1]
    for symbol in RANKED:
        trend = _factor(by_symbol[symbol], "short_volume_trend")
        expected = _expected_trend(held[symbol])
        assert trend["weight"] == 0.10
        if expected is None:
            assert symbol == "MLI"
            assert (trend["value"], trend["contribution"]) == (None, 0.0)
            continue
        assert trend["value"] == pytest.approx(expected, abs=1e-4), symbol
        points = 100 * 0.10 * min(1.0, max(0.0, expected / 10))
        assert trend["contribution"] == pytest.approx(points, abs=1e-3), symbol
        assert trend["value"] > 0  # the last 10 days were built with more short selling
    # The trend does not disturb the 20-day ratio: it is still over the last 20 trading days.
    gme = held["GME"][-20:]
    ratio = _factor(by_symbol["GME"], "short_volume_ratio")["value"]
    assert ratio == pytest.approx(sum(r[1] for r in gme) / sum(r[2] for r in gme) * 100, abs=1e-4)


async def test_fund_kinds_are_left_out_on_request_and_counted(gql: Query) -> None:
    both = (await gql(SCREEN, kinds=["LEVERAGED_INVERSE", "COMMODITY_TRUST"]))["data"]
    symbols = {c["security"]["symbol"] for c in both["squeezeScreen"]["candidates"]}
    assert symbols == set(RANKED) - {"SQQQ", "GLD"}
    excluded = {e["reason"]: e["count"] for e in both["squeezeScreen"]["excluded"]}
    assert (excluded["leveraged_inverse"], excluded["commodity_trust"]) == (1, 1)
    one = (await gql(SCREEN, kinds=["COMMODITY_TRUST"]))["data"]["squeezeScreen"]
    assert "SQQQ" in {c["security"]["symbol"] for c in one["candidates"]}
    assert "GLD" not in {c["security"]["symbol"] for c in one["candidates"]}
    unknown = await gql(SCREEN, kinds=["HEDGE_FUND"])
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = await gql(SCREEN, kinds=["COMMODITY_TRUST"] * 3)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 2" in too_many["errors"][0]["message"]


async def test_rest_takes_the_same_exclusions(sample_client: httpx.AsyncClient, gql: Query) -> None:
    graphql = (await gql(SCREEN, kinds=["LEVERAGED_INVERSE"]))["data"]["squeezeScreen"]
    response = await sample_client.get(
        "/v1/screens/squeeze",
        params={"as_of": "2026-08-20", "limit": 50, "exclude_fund_kinds": "leveraged_inverse"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["security"]["symbol"] for c in body["data"]] == [
        c["security"]["symbol"] for c in graphql["candidates"]
    ]
    assert {"reason": "leveraged_inverse", "count": 1} in body["excluded"]
    bad = await sample_client.get(
        "/v1/screens/squeeze", params={"exclude_fund_kinds": "leveraged_inverse,hedge_fund"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] in {"INVALID_PARAMETER", "BAD_REQUEST"}
