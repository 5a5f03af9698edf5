"""Lists built as JSON by Postgres (service/db/json_rows.py) answer byte for byte what the
standard path answers.

Two levels:
- the SQL of each leaf kind, over edge and random values, against orjson over the value asyncpg
  decodes: where a row says it is exact, its text is orjson's; where it is not, the caller
  falls back, so an inexact row only costs time;
- whole responses over the real samples (and edge prices), the fast executor (which writes
  JsonRows) against graphql-core's standard one (which never gets them), compared as bytes:
  value equality would let `12` pass for `12.0`.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from service.db import json_rows
from service.db.json_rows import Leaf, select_list
from service.db.pool import Database
from tests.conftest import Servers, app_client, make_settings
from tests.graphql.conftest import standard_answer

# -- the SQL of each kind ------------------------------------------------------------------


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection with the pool's session settings (extra_float_digits among them)."""
    db = Database(database_url, min_size=1, max_size=1)
    await db.open()
    try:
        async with db.connection() as connection:
            yield connection
    finally:
        await db.close()


async def _built(
    conn: asyncpg.Connection, leaf: Leaf, values: list[Any], sql_type: str
) -> list[Any]:
    """(value as asyncpg decodes it, JSON text, exact) per value, through select_list."""
    sql = (
        f"SELECT v, {select_list((leaf,), 'n')} "
        f"FROM unnest($1::{sql_type}[]) WITH ORDINALITY AS u (v, n) ORDER BY n"
    )
    return [(row["v"], row["json"], row["exact"]) for row in await conn.fetch(sql, values)]


def _edge_floats() -> list[float]:
    edges = [0.0, -0.0, 12.0, 291.2, 1e15, 9.99e14, 999999999999999.9, 1e-4, 9.9e-5, 0.1 + 0.2]
    edges += [math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, -1e-4, 1 / 3]
    rng = random.Random(20261204)
    edges += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 17) for _ in range(3000)]
    edges += [round(rng.uniform(0, 5000), 2) for _ in range(1000)]  # prices
    edges += [float(rng.randint(-(2**53), 2**53)) for _ in range(500)]
    return edges


async def test_floats_are_orjsons_where_exact(conn: asyncpg.Connection) -> None:
    leaf = Leaf("v", "v", "Float")
    built = await _built(conn, leaf, _edge_floats(), "float8")
    exact = 0
    for value, text, is_exact in built:
        if is_exact:
            exact += 1
            assert text == orjson.dumps({"v": value}).decode(), value
    assert exact > 3000  # most values are exact: the path is taken, not skipped
    by_value = {repr(v): e for v, _, e in built}
    for fixed in (
        "0.0",
        "-0.0",
        "12.0",
        "291.2",
        "999000000000000.0",
        "0.0001",
        "0.30000000000000004",
    ):
        assert by_value[fixed], fixed
    for inexact in ("nan", "inf", "-inf", "1000000000000000.0", "9.9e-05", "5e-324"):
        assert not by_value[inexact], inexact


async def test_nullable_floats_write_null(conn: asyncpg.Connection) -> None:
    leaf = Leaf("v", "v", "Float", nullable=True)
    built = await _built(conn, leaf, [None, 1.5, None], "float8")
    null, half = ('{"v":null}', True), ('{"v":1.5}', True)
    assert [(t, e) for _, t, e in built] == [null, half, null]
    not_null = await _built(conn, Leaf("v", "v", "Float"), [None], "float8")
    assert not_null[0][2] is False  # null in a non-null field: the standard path reports it


async def test_ints_within_32_bits_and_big_ints(conn: asyncpg.Connection) -> None:
    values = [0, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1, 2**53 + 1, -(2**63)]
    built = await _built(conn, Leaf("v", "v", "Int"), values, "int8")
    assert [e for _, _, e in built] == [True] * 4 + [False] * 4
    big = await _built(conn, Leaf("v", "v", "BigInt"), values, "int8")
    for value, text, is_exact in big:
        assert is_exact, value
        assert text == orjson.dumps({"v": value}).decode()


async def test_strings_escape_as_orjson(conn: asyncpg.Connection) -> None:
    values = [chr(c) for c in range(1, 0x80)]
    values += ["", "é", "€", "😀", "\u2028\u2029", 'a"b\\c/d', "\x7f", "line\nbreak\ttab", "'; --"]
    built = await _built(conn, Leaf("v", "v", "String"), values, "text")
    for value, text, is_exact in built:
        assert is_exact, repr(value)
        assert text == orjson.dumps({"v": value}).decode(), repr(value)


async def test_dates_booleans_enums_and_lists(conn: asyncpg.Connection) -> None:
    await conn.execute("SET DateStyle = 'SQL, DMY'")  # JSON's dates whatever the session's style
    days = [date(1999, 12, 31), date(2026, 7, 15)]
    for value, text, is_exact in await _built(conn, Leaf("d", "v", "Date"), days, "date"):
        assert is_exact
        assert text == orjson.dumps({"d": value}).decode()
    for value, text, _ in await _built(conn, Leaf("b", "v", "Boolean"), [True, False], "bool"):
        assert text == orjson.dumps({"b": value}).decode()
    enum = Leaf("e", "v", "Enum", names=(("etf", "ETF"), ("it's", "QUOTED")))
    built = await _built(conn, enum, ["etf", "it's", "stock"], "text")
    assert [(t, e) for _, t, e in built[:2]] == [('{"e":"ETF"}', True), ('{"e":"QUOTED"}', True)]
    assert built[2][2] is False  # a value without a name: the standard path's error

    strings = Leaf("l", "v", "String", is_list=True)
    sql = f"SELECT {select_list((strings,), 'n')} FROM (VALUES (1, $1::text[])) AS t (n, v)"
    for value, exact in ((["a", "b\n"], True), ([], True), (["a", None], False)):
        row = await conn.fetchrow(sql, value)
        assert row["exact"] is exact
        if exact:
            assert row["json"] == orjson.dumps({"l": value}).decode()
    flags = Leaf("l", "v", "Enum", is_list=True, names=(("stale", "stale"), ("revised", "revised")))
    sql = f"SELECT {select_list((flags,), 'n')} FROM (VALUES (1, $1::text[])) AS t (n, v)"
    assert (await conn.fetchrow(sql, ["stale", "revised"]))["exact"] is True
    assert (await conn.fetchrow(sql, ["stale", "other"]))["exact"] is False


# -- whole responses, fast against standard --------------------------------------------------

POINT = (
    "settlementDate publishedDate shortInterest previousShortInterest change changePercent "
    "averageDailyVolume daysToCover shortPercentOfFloat shortValueUsd revised flags floatShares "
    "closePrice closeDate __typename"
)
PRICE = "date open high low close volume __typename"


@pytest.fixture
async def edge_prices(sample_url: str) -> None:
    """A security EDGE with one price bar per edge value, a day each (a float the JSON path
    cannot write exactly sends that day's answer down the standard path)."""
    conn = await asyncpg.connect(sample_url)
    try:
        security = await conn.fetchval(
            "INSERT INTO security (symbol, name) VALUES ('EDGE', 'Edge \"Values\"\n Inc') "
            "ON CONFLICT (symbol) DO UPDATE SET name = excluded.name RETURNING id"
        )
        values = [12.0, 1e15, 9.99e14, 1e-4, 9.9e-5, math.nan, math.inf, 291.2, 0.1 + 0.2]
        await conn.executemany(
            "INSERT INTO price_daily (security_id, date, open, high, low, close, volume) "
            "VALUES ($1, $2, $3, NULL, -0.0, $4, $5) ON CONFLICT DO NOTHING",
            [
                (security, date(2021, 3, 1 + i), 0.0 if i % 2 else None, v, 2**40 + i)
                for i, v in enumerate(values)
            ],
        )
    finally:
        await conn.close()


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each JsonRows read came back exact (True) or sent its caller to the standard
    path (False), in order."""
    seen: list[bool] = []
    rows_of = json_rows.rows_of

    def counting(*args: Any) -> Any:
        found = rows_of(*args)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(json_rows, "rows_of", counting)
    return seen


@pytest.fixture
async def both(
    sample_url: str,
    servers: Servers,
    redis_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[bool],
) -> AsyncIterator[Any]:
    """`await both(query, **variables)` -> the body, asserting the fast path's and the
    standard one's answers (uncached, `standard_answer`) are the same bytes. A read that fell
    back costs one query more: the round trips reported (`actualQueries`) may differ then, and
    only then."""
    settings = make_settings(sample_url, servers.redis_url, redis_prefix, cache_enabled=False)
    async with app_client(settings) as client:

        async def run(query: str, **variables: Any) -> Any:
            request = {"query": query, "variables": variables}
            fast = await client.post("/graphql", json=request)
            standard = await standard_answer(client, request, monkeypatch)
            assert fast.status_code == standard.status_code == 200, fast.text
            fast_queries, standard_queries = _queries(fast.content), _queries(standard.content)
            assert _QUERIES.sub(b"", fast.content) == _QUERIES.sub(b"", standard.content), query
            assert fast_queries == standard_queries + taken.count(False)
            return fast.json()

        yield run


_QUERIES = re.compile(rb'"actualQueries":(\d+)')


def _queries(body: bytes) -> int:
    found = _QUERIES.search(body)
    assert found is not None, body
    return int(found.group(1))


async def _security(client: httpx.AsyncClient, symbol: str, selection: str) -> Any:
    return await client(f'{{ security(symbol: "{symbol}") {{ {selection} }} }}')


CASES = [
    f"shortInterest {{ nodes {{ {POINT} }} }}",
    f"symbol name shortInterest {{ totalCount nodes {{ {POINT} }} pageInfo {{ hasNextPage "
    "hasPreviousPage startCursor endCursor } }",
    "shortInterest(first: 2) { nodes { d: settlementDate settlementDate s: shortInterest "
    "shortInterest f: flags } pageInfo { hasNextPage endCursor } __typename }",
    'shortInterest(first: 1, after: "c2k6MjAyNi0wNy0xNQ") { nodes { settlementDate } '
    "pageInfo { hasNextPage endCursor } }",
    'shortInterest(asOf: "2026-07-20") { nodes { settlementDate shortInterest revised } }',
    'shortInterest(from: "2030-01-01") { nodes { settlementDate } pageInfo { endCursor } }',
    f"prices {{ {PRICE} }}",
    'prices(from: "2026-07-01", to: "2026-07-31") { c: close close date }',
]


@pytest.mark.parametrize("symbol", ["IWM", "DBA", "VTWO", "NOSUCH"])
@pytest.mark.parametrize("selection", CASES)
async def test_answers_are_the_same_bytes(
    both: Any, taken: list[bool], symbol: str, selection: str
) -> None:
    body = await _security(both, symbol, selection)
    assert "errors" not in body, body
    if symbol != "NOSUCH":
        assert taken[:1] == [True], "the fast executor read JSON rows"
    # the standard executor never asks for them: one read, by the fast one
    assert len(taken) <= 1


async def test_edge_prices_fall_back_where_inexact(
    both: Any, taken: list[bool], edge_prices: None
) -> None:
    answers = []
    for day in range(1, 10):
        taken.clear()
        body = await _security(
            both,
            "EDGE",
            f'name prices(from: "2021-03-{day:02}", to: "2021-03-{day:02}") {{ {PRICE} }}',
        )
        answers.append(taken[0])
        if day in (6, 7):  # NaN, Infinity: the specification's error for a Float
            assert "cannot represent" in body["errors"][0]["message"]
        else:
            assert body["data"]["security"]["name"] == 'Edge "Values"\n Inc'
    # 12.0, 9.99e14, 1e-4, 291.2 and 0.1 + 0.2 are written by Postgres; 1e15 and 9.9e-5 (an
    # exponent), NaN and Infinity by the standard path (which refuses the last two)
    assert answers == [True, False, True, True, False, False, False, True, True]


@pytest.mark.parametrize(
    "selection",
    [
        CASES[1],
        # nothing but nullable fields and a constant: the empty row still has a JSON text
        "shortInterest { nodes { __typename publishedDate changePercent } }",
    ],
)
async def test_a_security_without_points(
    both: Any, taken: list[bool], sample_url: str, selection: str
) -> None:
    conn = await asyncpg.connect(sample_url)
    try:
        await conn.execute(
            "INSERT INTO security (symbol, name) VALUES ('NOSI', 'No Short Interest Inc') "
            "ON CONFLICT DO NOTHING"
        )
    finally:
        await conn.close()
    body = await _security(both, "NOSI", selection)
    assert body["data"]["security"]["shortInterest"]["nodes"] == []
    assert taken == [True]


@pytest.mark.parametrize(
    "selection",
    [
        f"shortInterest {{ edges {{ node {{ {POINT} }} cursor }} }}",
        "shortInterest { nodes { settlementDate ... on ShortInterest { shortInterest } } }",
        "shortInterest { nodes { settlementDate @include(if: true) } }",
        "shortInterest { nodes { settlementDate } n: nodes { shortInterest } }",
        "prices { date ... on Price { close } }",
    ],
)
async def test_other_selections_take_the_standard_path(
    both: Any, taken: list[bool], selection: str
) -> None:
    body = await _security(both, "IWM", selection)
    assert "errors" not in body, body
    assert taken == []


EXPOSURE = (
    "settlementDate singleStockShortInterest singleStockShortValueUsd etfShortInterest "
    "etfShortValueUsd totalShortValueUsd constituents constituentsReporting constituentsPriced "
    "etfsReporting etfsPriced singleStockLegKnown etfLegKnown isRecord futuresReportDate "
    "futuresIndexLevel futuresLeveragedFundsShortContracts futuresLeveragedFundsShortUsd "
    "futuresLegKnown totalWithFuturesShortValueUsd totalWithFuturesIsRecord __typename"
)


@pytest.mark.parametrize("code", ["R2000", "NOEXP", "NOPE"])
@pytest.mark.parametrize(
    "selection",
    [
        f"code name shortExposure {{ {EXPOSURE} }}",
        f'shortExposure(from: "2026-07-20") {{ s: settlementDate {EXPOSURE} }}',
        # the index first, then its series (looked at in the series' own resolver)
        f"code ... on Index {{ shortExposure {{ {EXPOSURE} }} }}",
        "shortExposure { __typename futuresReportDate }",
    ],
)
async def test_an_index_exposure_is_the_same_bytes(
    both: Any, taken: list[bool], sample_url: str, code: str, selection: str
) -> None:
    conn = await asyncpg.connect(sample_url)
    try:
        await conn.execute(
            "INSERT INTO market_index (code, name) VALUES ('NOEXP', 'No Exposure') "
            "ON CONFLICT DO NOTHING"
        )
    finally:
        await conn.close()
    body = await both(f'{{ index(code: "{code}") {{ {selection} }} }}')
    assert "errors" not in body, body
    index = body["data"]["index"]
    if code == "NOPE":
        assert index is None
    else:
        dates = 0 if code == "NOEXP" else 1 + ("from" not in selection)
        assert len(index["shortExposure"]) == dates
        assert taken == [True]
