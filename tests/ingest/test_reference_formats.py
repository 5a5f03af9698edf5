"""Holdings, securities, prices, fund flows and index members: the real samples and edge cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from service.db.pool import Database
from service.demo.files import ShortInterestRow, write_csv, write_finra_bulk
from tests.conftest import shared_file
from tests.ingest.conftest import Ingest
from tests.support.datasets import POINTS_DIFFERENCE, SCREEN_VALUES_DIFFERENCE


async def test_holdings_snapshot_defines_members_shares_and_prices(
    db: Database, ingest: Ingest
) -> None:
    path = shared_file("etf/holdings_sample_ishares_layout.csv")
    outcome = await ingest(path, "holdings", index="R2000", fund="IWM")
    assert (outcome.status, outcome.rows_read, outcome.rows_accepted, outcome.rows_skipped) == (
        "applied",
        16,
        13,
        3,
    )
    fund = await db.fetchrow(
        "SELECT id, type, type_source, name FROM security WHERE symbol = 'IWM'"
    )
    assert (fund["type"], fund["type_source"], fund["name"]) == (
        "etf",
        "source",
        "iShares Russell 2000 ETF",
    )
    shares = await db.fetchval(
        "SELECT shares_outstanding FROM share_count "
        "WHERE security_id = $1 AND as_of = '2026-07-31'",
        fund["id"],
    )
    assert shares == 279_450_000
    members = await db.fetch(
        "SELECT s.symbol, m.valid_from, m.valid_to FROM index_membership m "
        "JOIN security s ON s.id = m.security_id WHERE m.index_code = 'R2000' ORDER BY 1"
    )
    assert len(members) == 13
    assert {m["valid_from"] for m in members} == {date(2026, 7, 31)}
    assert "XTSLA" not in {m["symbol"] for m in members}
    assert (
        await db.fetchval(
            "SELECT close FROM price_daily p JOIN security s ON s.id = p.security_id "
            "WHERE s.symbol = 'BE' AND p.date = '2026-07-31'"
        )
        == 170.72
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM etf_index WHERE index_code = 'R2000' AND etf_id = $1", fund["id"]
        )
        == 1
    )


async def test_successive_holdings_snapshots_make_membership_intervals(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    from service.demo.files import Holding, write_ishares_holdings

    def snapshot(day: date, tickers: list[str]) -> Path:
        return write_ishares_holdings(
            tmp_path / f"IWM_{day}.csv",
            "iShares Russell 2000 ETF",
            day,
            1_000_000,
            [Holding(t, f"{t} INC", 100, 10.0, 1.0) for t in tickers],
        )

    for day, tickers in [
        (date(2026, 1, 30), ["AAA", "BBB"]),
        (date(2026, 2, 27), ["AAA", "CCC"]),
        (date(2026, 3, 31), ["AAA", "BBB"]),
    ]:
        assert (
            await ingest(snapshot(day, tickers), "holdings", index="R2000", fund="IWM")
        ).status == "applied"
    rows = await db.fetch(
        "SELECT s.symbol, m.valid_from, m.valid_to FROM index_membership m "
        "JOIN security s ON s.id = m.security_id ORDER BY 1, 2"
    )
    # asyncpg reads the open end ('infinity') as date.max.
    assert [(r["symbol"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("AAA", date(2026, 1, 30), date.max),
        ("BBB", date(2026, 1, 30), date(2026, 2, 27)),
        ("BBB", date(2026, 3, 31), date.max),
        ("CCC", date(2026, 2, 27), date(2026, 3, 31)),
    ]


async def test_securities_file_states_types_share_counts_and_tracking(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "securities.csv",
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
        [
            [
                "VTWO",
                "Vanguard Russell 2000 ETF",
                "etf",
                "NNM",
                97_150_000,
                None,
                "2026-07-31",
                "R2000",
            ],
            ["ACME", "Acme Corp", "stock", "NYSE", 50_000_000, 42_000_000, "2026-06-30", None],
            ["BAD", "Bad Float", "stock", "NYSE", 100, 200, "2026-06-30", None],
            ["WHAT", "Unknown", "bond", "NYSE", None, None, None, None],
        ],
    )
    outcome = await ingest(path, "securities")
    assert (outcome.rows_accepted, outcome.rows_rejected) == (2, 2)
    assert [r.reason for r in outcome.rejects] == [
        "float_shares 200 exceeds shares_outstanding 100",
        "type: 'bond' is neither 'stock' nor 'etf'",
    ]
    vtwo = await db.fetchrow(
        "SELECT id, type, type_source, market_class FROM security WHERE symbol = 'VTWO'"
    )
    assert (vtwo["type"], vtwo["type_source"]) == ("etf", "source")
    assert (
        await db.fetchval("SELECT index_code FROM etf_index WHERE etf_id = $1", vtwo["id"])
        == "R2000"
    )
    acme = await db.fetchrow(
        "SELECT shares_outstanding, float_shares FROM share_count c "
        "JOIN security s ON s.id = c.security_id "
        "WHERE s.symbol = 'ACME'"
    )
    assert dict(acme) == {"shares_outstanding": 50_000_000, "float_shares": 42_000_000}


async def test_a_guess_never_overrides_what_a_source_said(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    await ingest(
        write_csv(tmp_path / "s.csv", ["symbol", "type"], [["SPYX", "stock"]]), "securities"
    )
    write_finra_bulk(
        tmp_path / "shrt20260630.csv",
        date(2026, 6, 30),
        [ShortInterestRow("SPYX", "Something ETF Trust", "ARCA", 10, 5, 100)],
    )
    await ingest(tmp_path / "shrt20260630.csv", "short-interest")
    row = await db.fetchrow("SELECT type, type_source, name FROM security WHERE symbol = 'SPYX'")
    assert dict(row) == {"type": "stock", "type_source": "source", "name": "Something ETF Trust"}


async def test_a_symbol_change_keeps_one_history(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    # Data arrives under the old symbol, then under the new one as if it were another security,
    # then a securities file links them: one security with both histories, old rows still found.
    write_finra_bulk(
        tmp_path / "shrt20260615.csv",
        date(2026, 6, 15),
        [ShortInterestRow("OLDCO", "Old Co", "NNM", 100, 90, 10)],
    )
    write_finra_bulk(
        tmp_path / "shrt20260630.csv",
        date(2026, 6, 30),
        [ShortInterestRow("NEWCO", "New Co", "NNM", 120, 100, 10)],
    )
    await ingest(tmp_path / "shrt20260615.csv", "short-interest")
    await ingest(tmp_path / "shrt20260630.csv", "short-interest")
    assert await db.fetchval("SELECT count(*) FROM security") == 2
    link = write_csv(
        tmp_path / "rename.csv",
        ["symbol", "previous_symbol", "as_of", "name"],
        [["NEWCO", "OLDCO", "2026-06-22", "New Co"]],
    )
    assert (await ingest(link, "securities")).status == "applied"
    assert await db.fetchval("SELECT count(*) FROM security") == 1
    history = await db.fetch(
        "SELECT si.settlement_date, si.short_interest FROM short_interest si "
        "JOIN security s ON s.id = si.security_id WHERE s.symbol = 'NEWCO' ORDER BY 1"
    )
    assert [(r["settlement_date"], r["short_interest"]) for r in history] == [
        (date(2026, 6, 15), 100),
        (date(2026, 6, 30), 120),
    ]
    # The stored points and the screen's values moved with the merged history (0024, 0026).
    assert await db.fetchval(POINTS_DIFFERENCE) == 0
    assert await db.fetchval(SCREEN_VALUES_DIFFERENCE) == 0
    assert await db.fetchval("SELECT count(*) FROM short_interest_point") == 2
    assert await db.fetchval("SELECT count(*) FROM short_interest_screen_value") == 2
    # A late file still using the old symbol for a date before the change finds the same security.
    write_finra_bulk(
        tmp_path / "shrt20260529.csv",
        date(2026, 5, 29),
        [ShortInterestRow("OLDCO", "Old Co", "NNM", 90, 80, 10)],
    )
    await ingest(tmp_path / "shrt20260529.csv", "short-interest")
    assert await db.fetchval("SELECT count(*) FROM security") == 1
    assert await db.fetchval("SELECT count(*) FROM short_interest") == 3


async def test_price_layouts_and_vendor_null_rows(db: Database, ingest: Ingest) -> None:
    riot = await ingest(shared_file("prices/yahoo/RIOT.csv"), "prices", symbol="RIOT")
    assert (riot.format, riot.rows_rejected, riot.rows_skipped) == ("prices-yahoo", 0, 4)
    iwm = await ingest(shared_file("prices/IWM_2026_daily.csv"), "prices", symbol="IWM")
    assert (iwm.format, iwm.rows_accepted) == ("prices-ohlcv", 100)
    close = await db.fetchval(
        "SELECT close FROM price_daily p JOIN security s ON s.id = p.security_id "
        "WHERE s.symbol = 'IWM' AND p.date = '2026-07-31'"
    )
    assert close == 291.20
    old = await ingest(shared_file("prices/yahoo/IWM_2000_2022.csv"), "prices", symbol="IWM")
    assert old.rows_accepted == 5658  # years before the pre-created partitions are made on demand
    assert await db.fetchval("SELECT count(*) FROM price_daily_2000") > 0


async def test_long_price_layout_and_symbol_option_errors(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "prices.csv",
        ["date", "symbol", "open", "high", "low", "close", "volume"],
        [["2026-07-30", "AAA", 1, 2, 0.5, 1.5, 100], ["2026-07-31", "AAA", 1, 2, 0.5, 0, 100]],
    )
    needs = await ingest(shared_file("prices/yahoo/VTWO.csv"), "prices")
    assert "pass --symbol" in (needs.error or "")
    extra = await ingest(path, "prices", symbol="AAA")
    assert "--symbol is for one-symbol files" in (extra.error or "")
    outcome = await ingest(path, "prices")
    assert (outcome.rows_accepted, [r.reason for r in outcome.rejects]) == (
        1,
        ["close: '0' must be positive"],
    )


async def test_fund_flows_reported_derived_and_missing(db: Database, ingest: Ingest) -> None:
    reported = await ingest(shared_file("etf/daily_flows_2026q1.csv"), "fund-flows")
    assert reported.rows_rejected == 0
    assert reported.rows_skipped > 0  # NaN or empty flows: missing, not zero
    iwm = dict(
        await db.fetch(
            "SELECT f.date, f.flow_usd FROM fund_flow f JOIN security s ON s.id = f.fund_id "
            "WHERE s.symbol = 'IWM' AND f.date BETWEEN '2026-01-16' AND '2026-01-20'"
        )
    )
    assert iwm == {date(2026, 1, 16): 265410000.00000003, date(2026, 1, 20): -558020000.0}
    derived = await ingest(shared_file("etf/shares_nav_EWJ_EWY_EWZ.csv"), "fund-flows")
    assert derived.summary["derived_flows"] > 0
    flows = dict(
        await db.fetch(
            "SELECT f.date, f.flow_usd FROM fund_flow f JOIN security s ON s.id = f.fund_id "
            "WHERE s.symbol = 'EWJ' AND f.date BETWEEN '2026-03-02' AND '2026-03-04' "
            "AND f.flow_usd IS NOT NULL"
        )
    )
    # 2026-03-03 has no NAV, so no flow; 03-04 = (222.9M - 219.6M) shares x 85.61 NAV.
    assert date(2026, 3, 3) not in flows
    assert round(flows[date(2026, 3, 4)]) == round((222_900_000 - 219_600_000) * 85.61)


async def test_index_members_with_inclusive_end_dates(
    db: Database, ingest: Ingest, tmp_path: Path
) -> None:
    real = await ingest(shared_file("index/russell2000_members_2026-05-05.csv"), "index-members")
    assert (real.rows_accepted, real.rows_rejected) == (1920, 0)
    path = write_csv(
        tmp_path / "members.csv",
        ["index", "symbol", "start_date", "end_date", "weight"],
        [
            ["SP5", "AAA", "2026-01-01", "2026-03-31", "0.5"],
            ["SP5", "BBB", "2026-04-01", "2026-03-01", ""],
        ],
    )
    outcome = await ingest(path, "index-members")
    assert [r.reason for r in outcome.rejects] == [
        "end_date 2026-03-01 is before start_date 2026-04-01"
    ]
    assert await db.fetchval(
        "SELECT valid_to FROM index_membership WHERE index_code = 'SP5'"
    ) == date(2026, 4, 1)
