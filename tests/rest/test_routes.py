"""The /v1 routes over the real samples: values, pagination, CSV, and agreement with GraphQL."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from service.catalogue import camel, public_fields
from service.models import ShortInterestPoint
from tests.analytics.reference import percent, usd
from tests.conftest import shared_file

# IWM in FINRA's bulk file of 2026-07-31 (shared/data/finra-short-interest/shrt20260731.csv):
# 20260731|IWM|iShares Russell 2000 ETF|E|ARCA|72786177|79811318||23504634|3.10||-8.80|-7025141|...
IWM_JULY_31 = {
    "settlement_date": "2026-07-31",
    "published_date": "2026-08-11",
    "short_interest": 72_786_177,
    "previous_short_interest": 79_811_318,
    "change": -7_025_141,
    "change_percent": -8.8,
    "average_daily_volume": 23_504_634,
    "days_to_cover": 3.1,
    "revised": False,
    "flags": [],
}


async def _json(api: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    response = await api.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


async def _gql(api: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await api.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_iwm_short_interest_has_the_finra_values(api: httpx.AsyncClient) -> None:
    body = await _json(api, "/v1/securities/IWM/short-interest")
    assert body["next_cursor"] is None
    assert [p["settlement_date"] for p in body["data"]] == ["2026-07-15", "2026-07-31"]
    july_31 = body["data"][1]
    assert {k: july_31[k] for k in IWM_JULY_31} == IWM_JULY_31
    # Float of an ETF: its shares outstanding (281,300,000 as of 2026-07-01); close 291.20.
    assert july_31["float_shares"] == 281_300_000
    assert july_31["short_percent_of_float"] == percent(72_786_177 / 281_300_000 * 100)
    assert july_31["close_price"] == 291.2
    assert july_31["short_value_usd"] == 21195334742.4  # 72,786,177 x 291.20, to cents
    assert "security_id" not in july_31


async def test_fields_are_the_graphql_answer_in_snake_case(api: httpx.AsyncClient) -> None:
    rest = (await _json(api, "/v1/securities/IWM/short-interest"))["data"]
    # Every field the catalogue declares public (service/models.py), in GraphQL's spelling.
    selection = " ".join(camel(f.name) for f in public_fields(ShortInterestPoint))
    assert "shortValueUsd" in selection
    graphql = await _gql(
        api, f'{{ security(symbol: "IWM") {{ shortInterest {{ nodes {{ {selection} }} }} }} }}'
    )
    nodes = graphql["security"]["shortInterest"]["nodes"]
    assert rest == [{_snake(k): v for k, v in node.items()} for node in nodes]


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


async def test_point_in_time_hides_what_was_not_published_yet(api: httpx.AsyncClient) -> None:
    # 2026-07-31 is published on 2026-08-11: on the 10th only 2026-07-15 was known.
    before = await _json(api, "/v1/securities/IWM/short-interest", as_of="2026-08-10")
    on = await _json(api, "/v1/securities/IWM/short-interest", as_of="2026-08-11")
    assert [p["settlement_date"] for p in before["data"]] == ["2026-07-15"]
    assert [p["settlement_date"] for p in on["data"]] == ["2026-07-15", "2026-07-31"]


async def test_iwm_short_interest_as_csv(api: httpx.AsyncClient) -> None:
    by_param = await api.get("/v1/securities/IWM/short-interest", params={"format": "csv"})
    by_accept = await api.get("/v1/securities/IWM/short-interest", headers={"accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.startswith("settlement_date,published_date,short_interest,")
    assert by_param.text == by_accept.text
    rows = _rows(by_param.text)
    assert [r["settlement_date"] for r in rows] == ["2026-07-15", "2026-07-31"]
    assert rows[1]["short_interest"] == "72786177"
    assert rows[1]["previous_short_interest"] == "79811318"
    assert rows[1]["change_percent"] == "-8.8"
    assert rows[1]["revised"] == "false"
    assert rows[1]["flags"] == ""
    assert rows[1]["short_value_usd"] == "21195334742.4"


async def test_csv_joins_flags_and_leaves_nulls_empty(api: httpx.AsyncClient) -> None:
    # Securities with a split in the 2026-07-31 cycle carry the SPLIT flag (FINRA flag S).
    finra = shared_file("finra-short-interest/shrt20260731.csv").read_text().splitlines()
    split = next(line.split("|")[1] for line in finra[1:] if line.split("|")[7] == "S")
    response = await api.get(f"/v1/securities/{split}/short-interest", params={"format": "csv"})
    row = _rows(response.text)[-1]
    flags = row["flags"].split(";")
    assert "SPLIT" in flags
    json_point = (await _json(api, f"/v1/securities/{split}/short-interest"))["data"][-1]
    assert flags == json_point["flags"]
    assert (row["close_price"], json_point["close_price"]) == ("", None)


async def test_security_detail(api: httpx.AsyncClient) -> None:
    body = await _json(api, "/v1/securities/IWM")
    security = body["data"]
    assert {k: security[k] for k in ("symbol", "name", "type", "market_class")} == {
        "symbol": "IWM",
        "name": "iShares Russell 2000 ETF",
        "type": "etf",
        "market_class": "ARCA",
    }
    assert (security["shares_outstanding"], security["float_shares"]) == (281_300_000,) * 2
    latest = security["latest_short_interest"]
    assert {k: latest[k] for k in IWM_JULY_31} == IWM_JULY_31
    stock = (await _json(api, "/v1/securities/AA"))["data"]
    assert (stock["shares_outstanding"], stock["float_shares"]) == (258_900_000, 257_000_000)


async def test_security_detail_as_csv_flattens_the_latest_point(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/securities/IWM", params={"format": "csv"})
    [row] = _rows(response.text)
    assert row["symbol"] == "IWM"
    assert row["latest_short_interest_settlement_date"] == "2026-07-31"
    assert row["latest_short_interest_short_interest"] == "72786177"


async def test_pages_walk_every_security_once_with_next_cursor_and_link(
    api: httpx.AsyncClient,
) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"search": "iShares", "limit": 100}
    pages = 0
    while True:
        response = await api.get("/v1/securities", params=params)
        assert response.status_code == 200
        body = response.json()
        pages += 1
        seen += [s["symbol"] for s in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        link = response.headers["link"]
        assert link.endswith('>; rel="next"')
        next_url = httpx.URL(link[1 : link.index(">")])
        assert next_url.path == "/v1/securities"
        assert dict(next_url.params) == {"search": "iShares", "limit": "100", "cursor": cursor}
        params = dict(next_url.params)
    total = await _gql(api, '{ securities(search: "iShares") { totalCount } }')
    assert pages > 3
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == total["securities"]["totalCount"]


async def test_short_interest_pages_and_cursors_match_graphql(api: httpx.AsyncClient) -> None:
    first = await _json(api, "/v1/securities/IWM/short-interest", limit=1)
    assert [p["settlement_date"] for p in first["data"]] == ["2026-07-15"]
    second = await _json(
        api, "/v1/securities/IWM/short-interest", limit=1, cursor=first["next_cursor"]
    )
    assert [p["settlement_date"] for p in second["data"]] == ["2026-07-31"]
    assert second["next_cursor"] is None
    graphql = await _gql(
        api,
        '{ security(symbol: "IWM") { shortInterest(first: 1) { pageInfo { endCursor } } } }',
    )
    assert graphql["security"]["shortInterest"]["pageInfo"]["endCursor"] == first["next_cursor"]


async def test_filters_by_type_and_index(api: httpx.AsyncClient) -> None:
    etfs = await _json(api, "/v1/securities", type="etf", limit=1000)
    assert {s["type"] for s in etfs["data"]} == {"etf"}
    members = shared_file("index/russell2000_members_2026-05-05.csv").read_text().splitlines()
    first_members = sorted(line.split(",")[1] for line in members[1:])[:5]
    page = await _json(api, "/v1/securities", index="R2000", limit=5)
    assert [s["symbol"] for s in page["data"]] == first_members


async def test_short_volume_of_the_reg_sho_file(api: httpx.AsyncClient) -> None:
    # shared/data/regsho/CNMSshvol20210604.txt: 20210604|IWM|2913403|3067|5441061|B,Q,N
    body = await _json(api, "/v1/securities/IWM/short-volume", **{"from": "2021-06-01"})
    assert body == {
        "data": [
            {
                "date": "2021-06-04",
                "facility": "CNMS",
                "short_volume": 2_913_403,
                "short_exempt_volume": 3067,
                "total_volume": 5_441_061,
                "short_volume_ratio": percent(2_913_403 / 5_441_061 * 100),
                "market": "B,Q,N",
            }
        ],
        "next_cursor": None,
    }
    other = await _json(api, "/v1/securities/IWM/short-volume", facility="FNSQ")
    assert other["data"] == []


async def test_prices_in_a_range(api: httpx.AsyncClient) -> None:
    body = await _json(
        api, "/v1/securities/IWM/prices", **{"from": "2026-07-30", "to": "2026-07-31"}
    )
    assert [(p["date"], p["close"]) for p in body["data"]] == [
        ("2026-07-30", 292.59),
        ("2026-07-31", 291.2),
    ]


async def test_weekly_flows_and_record_outflow_flags_are_the_graphql_answer(
    api: httpx.AsyncClient,
) -> None:
    rest = await _json(
        api, "/v1/funds/IWM/flows", period="week", **{"from": "2026-01-01", "to": "2026-03-31"}
    )
    graphql = await _gql(
        api,
        """{ security(symbol: "IWM") { fundFlows(period: WEEK, from: "2026-01-01",
            to: "2026-03-31") { periodStart periodEnd flowUsd isRecordOutflow isRecordInflow
            daysReported tradingDays } } }""",
    )
    weeks = graphql["security"]["fundFlows"]
    assert len(weeks) > 10
    assert [
        {
            "period_start": w["period_start"],
            "period_end": w["period_end"],
            "flow_usd": w["flow_usd"],
            "is_record_outflow": w["is_record_outflow"],
            "is_record_inflow": w["is_record_inflow"],
            "days_reported": w["days_reported"],
            "trading_days": w["trading_days"],
        }
        for w in rest["data"]
    ] == [{_snake(k): v for k, v in w.items()} for w in weeks]
    records = [w for w in rest["data"] if w["is_record_outflow"]]
    assert records, "the sample has record weekly outflows"
    assert records[-1]["flow_usd"] == min(w["flow_usd"] for w in rest["data"])
    assert all(w["symbol"] == "IWM" for w in rest["data"])


async def test_flows_as_csv(api: httpx.AsyncClient) -> None:
    response = await api.get(
        "/v1/funds/IWM/flows", params={"period": "month", "format": "csv", "to": "2026-03-31"}
    )
    rows = _rows(response.text)
    assert [r["period_end"] for r in rows] == ["2026-01-30", "2026-02-27", "2026-03-31"]
    assert {r["is_record_outflow"] for r in rows} <= {"true", "false"}


async def test_index_short_exposure(api: httpx.AsyncClient) -> None:
    body = await _json(api, "/v1/indexes/R2000/short-exposure")
    assert [p["settlement_date"] for p in body["data"]] == ["2026-07-15", "2026-07-31"]
    july_31 = body["data"][1]
    assert july_31["etf_short_value_usd"] == usd(72_786_177 * 291.2)  # IWM; VTWO has no price
    assert july_31["constituents"] == 1920
    # No member has a close in the sample: the members' dollar leg is unknown, so no record.
    assert [p["single_stock_leg_known"] for p in body["data"]] == [False, False]
    assert [p["is_record"] for p in body["data"]] == [False, False]
    one = await _json(api, "/v1/indexes/R2000/short-exposure", **{"from": "2026-07-20"})
    assert one["data"] == [july_31]


async def test_squeeze_screen_with_factors_and_exclusions(api: httpx.AsyncClient) -> None:
    body = await _json(api, "/v1/screens/squeeze", as_of="2026-08-20", limit=3)
    answer = await _gql(
        api,
        """{ squeezeScreen(asOf: "2026-08-20", first: 3) { evaluated excluded { reason count }
            candidates { security { symbol } score } } }""",
    )
    graphql = answer["squeezeScreen"]
    assert body["as_of"] == "2026-08-20"
    assert body["evaluated"] == graphql["evaluated"] == 22341
    assert body["excluded"] == graphql["excluded"]
    assert [(c["security"]["symbol"], c["score"]) for c in body["data"]] == [
        (c["security"]["symbol"], c["score"]) for c in graphql["candidates"]
    ]
    for candidate in body["data"]:
        # The first factor is on float when one is known, else on shares outstanding (GME here).
        base = "float" if candidate["short_percent_of_float"] is not None else "shares_outstanding"
        assert [f["name"] for f in candidate["factors"]] == [
            f"short_percent_of_{base}",
            "days_to_cover",
            "short_interest_change_percent",
            "short_volume_ratio",
            "short_volume_trend",
            "price_change_since_settlement",
            "fails_to_deliver",
        ]


async def test_squeeze_csv_has_a_column_per_factor(api: httpx.AsyncClient) -> None:
    body = await _json(api, "/v1/screens/squeeze", as_of="2026-08-20", limit=2)
    response = await api.get(
        "/v1/screens/squeeze", params={"as_of": "2026-08-20", "limit": 2, "format": "csv"}
    )
    rows = _rows(response.text)
    assert len(rows) == len(body["data"]) == 2
    for row, candidate in zip(rows, body["data"], strict=True):
        assert row["security_symbol"] == candidate["security"]["symbol"]
        assert float(row["score"]) == candidate["score"]
        for factor in candidate["factors"]:
            prefix = f"factor_{factor['name']}"
            assert float(row[f"{prefix}_weight"]) == factor["weight"]
            assert float(row[f"{prefix}_contribution"]) == factor["contribution"]
            value = row[f"{prefix}_value"]
            assert (float(value) if value else None) == factor["value"]
