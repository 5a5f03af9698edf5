"""Every flow period says whether it is over, in REST and GraphQL alike."""

from __future__ import annotations

import httpx


async def test_flow_periods_say_whether_they_are_complete(api: httpx.AsyncClient) -> None:
    rest = await api.get("/v1/funds/IWM/flows", params={"period": "week", "from": "2026-03-16"})
    assert rest.status_code == 200, rest.text
    weeks = rest.json()["data"]
    # IWM's flows end on 2026-03-31 (the file's April days are empty): the week ending
    # 2026-04-03 holds 2 of its 5 days and is past the end of IWM's data.
    assert [(w["period_end"], w["complete"], w["days_reported"]) for w in weeks] == [
        ("2026-03-20", True, 5),
        ("2026-03-27", True, 5),
        ("2026-04-02", False, 2),
    ]
    assert weeks[-1]["trading_days"] == 4  # Good Friday, 2026-04-03: the NYSE is closed
    first = (await api.get("/v1/funds/IWM/flows", params={"period": "week"})).json()["data"][0]
    assert not first["is_record_inflow"]
    assert not first["is_record_outflow"]
    query = """{ security(symbol: "IWM") { fundFlows(period: WEEK, from: "2026-03-16") {
        periodEnd complete daysReported tradingDays isRecordInflow isRecordOutflow } } }"""
    graphql = (await api.post("/graphql", json={"query": query})).json()
    assert [
        {
            "period_end": f["periodEnd"],
            "complete": f["complete"],
            "days_reported": f["daysReported"],
            "trading_days": f["tradingDays"],
            "is_record_inflow": f["isRecordInflow"],
            "is_record_outflow": f["isRecordOutflow"],
        }
        for f in graphql["data"]["security"]["fundFlows"]
    ] == [
        {
            key: m[key]
            for key in (
                "period_end",
                "complete",
                "days_reported",
                "trading_days",
                "is_record_inflow",
                "is_record_outflow",
            )
        }
        for m in weeks
    ]
    csv_text = (await api.get("/v1/funds/IWM/flows?period=week&format=csv")).text
    assert "complete" in csv_text.splitlines()[0].split(",")
