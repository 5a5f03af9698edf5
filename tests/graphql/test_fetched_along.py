"""`security(symbol) { shortInterest | latestShortInterest }` and `index(code) { shortExposure }`
in one round trip, answering what the two queries answer (service/graphql/lookahead.py).

The same selection under an inline fragment is not looked ahead at: it takes the two queries
(the security, then its series), so each case compares the two paths' answers.
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx
import pytest

from tests.graphql.conftest import Query

POINT = "settlementDate publishedDate shortInterest change daysToCover flags"
SERIES = f"shortInterest(ARGS) {{ nodes {{ {POINT} }} pageInfo {{ hasNextPage endCursor }} }}"
LATEST = f"latestShortInterest(ARGS) {{ {POINT} }}"


def _query(symbol: str, child: str, arguments: str, *, fragment: bool) -> str:
    selection = child.replace("(ARGS)", f"({arguments})" if arguments else "")
    if fragment:
        selection = f"... on Security {{ {selection} }}"
    declared = "($first: Int) " if "$first" in arguments else ""
    return f'query {declared}{{ security(symbol: "{symbol}") {{ symbol name {selection} }} }}'


async def _ask(client: httpx.AsyncClient, query: str, **variables: Any) -> tuple[Any, int]:
    """The response body and the round trips its execution made (Server-Timing)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    found = re.search(r'desc="(\d+) queries"', response.headers["server-timing"])
    assert found is not None
    return response.json(), int(found.group(1))


@pytest.fixture
async def renamed_and_empty(sample_url: str) -> None:
    """IWM's former symbol IWMX (until 2020), a security without short interest and an index
    without short exposure."""
    conn = await asyncpg.connect(sample_url)
    try:
        await conn.execute(
            "INSERT INTO security_symbol (security_id, symbol, valid_from, valid_to) "
            "SELECT id, 'IWMX', '2010-01-01', '2020-01-01' FROM security WHERE symbol = 'IWM' "
            "ON CONFLICT DO NOTHING"
        )
        await conn.execute(
            "INSERT INTO security (symbol, name) VALUES ('NOSI', 'No Short Interest Inc') "
            "ON CONFLICT DO NOTHING"
        )
        await conn.execute(
            "INSERT INTO market_index (code, name) VALUES ('NOEXP', 'No Exposure') "
            "ON CONFLICT DO NOTHING"
        )
    finally:
        await conn.close()


CASES = [
    ("IWM", SERIES, ""),
    ("IWM", SERIES, "first: 1"),
    ("IWM", SERIES, "first: $first"),
    ("IWM", SERIES, 'first: 5, from: "2026-07-20", to: "2026-12-31"'),
    ("IWM", SERIES, 'asOf: "2026-07-20"'),
    ("IWM", SERIES, "first: 0"),
    ("IWMX", SERIES, ""),
    ("NOSI", SERIES, ""),
    ("NOPE", SERIES, ""),
    ("IWM", LATEST, ""),
    ("IWM", LATEST, 'asOf: "2026-07-20"'),
    ("IWM", LATEST, 'asOf: "2000-01-01"'),
    ("IWMX", LATEST, ""),
    ("NOSI", LATEST, ""),
    ("NOPE", LATEST, ""),
]


@pytest.mark.usefixtures("renamed_and_empty")
@pytest.mark.parametrize(("symbol", "child", "arguments"), CASES)
async def test_one_round_trip_answers_what_two_answer(
    gql: Query, sample_client: httpx.AsyncClient, symbol: str, child: str, arguments: str
) -> None:
    along, trips = await _ask(
        sample_client, _query(symbol, child, arguments, fragment=False), first=1
    )
    apart, apart_trips = await _ask(
        sample_client, _query(symbol, child, arguments, fragment=True), first=1
    )
    assert "errors" not in along
    assert along["data"] == apart["data"]
    assert (trips, apart_trips) == (1, 1 if symbol == "NOPE" else 2)
    await gql(_query(symbol, child, arguments, fragment=False), first=1)  # executor parity
    if symbol == "NOPE":
        assert along["data"] == {"security": None}
    elif symbol == "IWMX":
        assert along["data"]["security"]["symbol"] == "IWM"


@pytest.mark.usefixtures("renamed_and_empty")
async def test_the_next_page_and_the_count_as_before(sample_client: httpx.AsyncClient) -> None:
    query = """query ($after: String) { security(symbol: "IWM") {
        shortInterest(first: 1, after: $after) { totalCount nodes { settlementDate }
            pageInfo { hasNextPage hasPreviousPage endCursor } } } }"""
    one, trips = await _ask(sample_client, query)
    page = one["data"]["security"]["shortInterest"]
    assert page["nodes"] == [{"settlementDate": "2026-07-15"}]
    assert page["pageInfo"]["hasNextPage"] is True
    assert trips == 2  # the security with its page, then the count
    two, _ = await _ask(sample_client, query, after=page["pageInfo"]["endCursor"])
    assert two["data"]["security"]["shortInterest"]["nodes"] == [{"settlementDate": "2026-07-31"}]
    assert two["data"]["security"]["shortInterest"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("arguments", "message", "path"),
    [
        # Refused before anything runs (page sizes are checked with the cost).
        ("first: -1", "`first` must be between 0 and 1000, not -1", None),
        ('after: "bm9wZQ"', "is not a cursor of this list", ["security", "shortInterest"]),
        ('from: "2026-08-01", to: "2026-07-01"', "is after `to`", ["security", "shortInterest"]),
        ('asOf: "2999-01-01"', "is after today", ["security", "shortInterest"]),
    ],
)
async def test_refused_arguments_are_the_same_error_in_the_same_place(
    sample_client: httpx.AsyncClient, arguments: str, message: str, path: list[str] | None
) -> None:
    along, apart = [
        (await sample_client.post("/graphql", json={"query": query})).json()
        for query in (_query("IWM", SERIES, arguments, fragment=flag) for flag in (False, True))
    ]
    for body in (along, apart):
        for error in body["errors"]:
            error.pop("locations", None)  # the fragment moves the field's column
    assert along == apart
    (error,) = along["errors"]
    assert message in error["message"]
    assert error.get("path") == path
    assert along.get("data", "not executed") == (
        "not executed" if path is None else {"security": None}
    )


async def test_two_series_of_one_security_are_each_their_own_query(
    sample_client: httpx.AsyncClient,
) -> None:
    query = """{ security(symbol: "IWM") { a: shortInterest(first: 1) { nodes { settlementDate } }
        b: shortInterest(first: 2) { nodes { settlementDate } } } }"""
    body, trips = await _ask(sample_client, query)
    assert [len(body["data"]["security"][key]["nodes"]) for key in "ab"] == [1, 2]
    assert trips == 3  # not looked ahead at: the security, then each series


EXPOSURE = (
    "shortExposure(ARGS) { settlementDate singleStockShortInterest etfShortValueUsd "
    "totalShortValueUsd isRecord futuresLegKnown totalWithFuturesIsRecord }"
)


def _index_query(code: str, arguments: str, *, fragment: bool) -> str:
    selection = EXPOSURE.replace("(ARGS)", f"({arguments})" if arguments else "")
    if fragment:
        selection = f"... on Index {{ {selection} }}"
    return f'{{ index(code: " {code} ") {{ code name {selection} }} }}'


@pytest.mark.usefixtures("renamed_and_empty")
@pytest.mark.parametrize(
    ("code", "arguments", "dates"),
    [
        ("R2000", "", 2),
        ("R2000", 'from: "2026-07-20"', 1),
        ("R2000", 'from: "2026-07-01", to: "2026-07-20"', 1),
        ("R2000", 'from: "2030-01-01"', 0),
        ("NOEXP", "", 0),
        ("NOPE", "", None),
    ],
)
async def test_an_index_with_its_exposure_in_one_round_trip(
    gql: Query, sample_client: httpx.AsyncClient, code: str, arguments: str, dates: int | None
) -> None:
    along, trips = await _ask(sample_client, _index_query(code, arguments, fragment=False))
    apart, apart_trips = await _ask(sample_client, _index_query(code, arguments, fragment=True))
    assert "errors" not in along
    assert along["data"] == apart["data"]
    assert (trips, apart_trips) == (1, 1 if code == "NOPE" else 2)
    await gql(_index_query(code, arguments, fragment=False))  # executor parity
    if dates is None:
        assert along["data"] == {"index": None}
    else:
        assert len(along["data"]["index"]["shortExposure"]) == dates


async def test_an_index_with_a_refused_range_is_the_same_error_in_the_same_place(
    sample_client: httpx.AsyncClient,
) -> None:
    arguments = 'from: "2026-08-01", to: "2026-07-01"'
    along, apart = [
        (await sample_client.post("/graphql", json={"query": query})).json()
        for query in (_index_query("R2000", arguments, fragment=flag) for flag in (False, True))
    ]
    for body in (along, apart):
        for error in body["errors"]:
            error.pop("locations", None)  # the fragment moves the field's column
    assert along == apart
    (error,) = along["errors"]
    assert "is after `to`" in error["message"]
    assert error["path"] == ["index", "shortExposure"]
    assert along["data"] == {"index": None}
