"""Attacks on the GraphQL endpoint (issue 12 items 1, 2, 3, 5, 7, 12), as an attacker sends them."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from graphql import OperationDefinitionNode, parse

from service.graphql.engine import GraphQLEngine
from service.graphql.limits import MAX_VISITS, ROUND_TRIP_COST, CostAnalysis, QueryRejected
from service.graphql.schema import schema
from tests.conftest import Servers, app_client, make_settings

GR = "application/graphql-response+json"
BROWSER = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
QUERY = '{ security(symbol: "AAA") { symbol name } }'


def fragment_bomb(levels: int, leaf: str = "datasets { name }") -> str:
    """`F1` spreads `F2` twice, `F2` spreads `F3` twice...: 2^levels expansions if re-expanded."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(1, levels)]
    fragments.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "query { ...F1 }\n" + "\n".join(fragments)


@pytest.fixture
async def keyed(listed_url: str, servers: Servers, redis_prefix: str) -> Any:
    """The app with API keys required."""
    settings = make_settings(listed_url, servers.redis_url, redis_prefix, require_api_key=True)
    async with app_client(settings) as client:
        yield client


@pytest.fixture
async def open_client(listed_url: str, servers: Servers, redis_prefix: str) -> Any:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        yield client


# 1. Key check and rate limit on GET /graphql ---------------------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        f"query={quote(QUERY)}",
        f"%71uery={quote(QUERY)}",  # percent-encoded name: the endpoint decodes it to `query`
        f"qu%65ry={quote(QUERY)}",
        f"%71%75%65%72%79={quote(QUERY)}",
        "extensions=" + quote('{"persistedQuery":{"version":1,"sha256Hash":"' + "a" * 64 + '"}}'),
        "%65xtensions=" + quote('{"persistedQuery":{"version":1,"sha256Hash":"' + "a" * 64 + '"}}'),
        "variables=%7B%7D",
        "operationName=X",
        "query=",
    ],
)
async def test_every_graphql_get_but_the_bare_page_needs_a_key(
    keyed: httpx.AsyncClient, query_string: str
) -> None:
    """With keys required, a browser-looking GET carrying any GraphQL parameter, however it is
    spelled, is an API call: 401, no data, never the GraphiQL page."""
    response = await keyed.get(f"/graphql?{query_string}", headers={"accept": BROWSER})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


async def test_the_bare_graphiql_page_is_still_served(keyed: httpx.AsyncClient) -> None:
    page = await keyed.get("/graphql", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    unrelated = await keyed.get("/graphql?theme=dark", headers={"accept": BROWSER})
    assert unrelated.status_code == 200, "a parameter GraphQL does not read is not a query"


async def test_an_encoded_query_is_metered_like_a_plain_one(
    open_client: httpx.AsyncClient,
) -> None:
    """Without required keys the encoded form runs, but it is metered: RateLimit headers."""
    response = await open_client.get(
        f"/graphql?%71uery={quote(QUERY)}", headers={"accept": BROWSER}
    )
    assert response.status_code == 200
    assert response.json()["data"]["security"]["symbol"] == "AAA"
    assert "ratelimit-remaining" in response.headers


# 2. Fragment bomb -------------------------------------------------------------------------------


def test_the_cost_analysis_of_a_fragment_bomb_is_linear() -> None:
    """30 levels of doubling spreads: each fragment is measured once, not 2^30 times."""
    engine = GraphQLEngine(schema)
    prepared = engine.prepare(fragment_bomb(30, "__typename"), None, method="POST")
    analysis = CostAnalysis(
        engine.graphql_schema,
        prepared.document,
        prepared.operation,
        {},
        budget=10**12,
        max_first=1000,
    )
    _, cost = analysis.measure()
    assert cost == 2**29, "the cost is still the work the query would cause"
    assert analysis.visits <= 100


def test_a_resolver_that_may_query_costs_a_round_trip_though_not_a_coroutine() -> None:
    """`Security.shortInterest` answers at once when `security` fetched its points along, else
    queries (`queries_database`): either way it is charged a round trip, as before it could
    answer at once (the cost is in every answer: it must not change with that)."""
    document = parse('{ security(symbol: "IWM") { shortInterest(first: 2) { nodes { flags } } } }')
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    analysis = CostAnalysis(schema._schema, document, operation, {}, budget=10**12, max_first=1000)
    # security and shortInterest a round trip each, nodes 1 + 2 items x flags 1.
    assert analysis.measure() == (4, ROUND_TRIP_COST * 2 + 1 + 2)


def test_an_operation_without_variables_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its cost cannot change, so it is kept with the validated document; an operation with
    variables is measured per request, and a lowered budget still refuses."""
    engine = GraphQLEngine(schema)
    measured: list[OperationDefinitionNode] = []
    measure = CostAnalysis.measure

    def counted(analysis: CostAnalysis) -> tuple[int, int]:
        measured.append(analysis.operation)
        return measure(analysis)

    monkeypatch.setattr(CostAnalysis, "measure", counted)
    series = 'security(symbol: "AAA") { shortInterest(first: FIRST) { nodes { shortInterest } } }'
    plain = "{ " + series.replace("FIRST", "24") + " }"
    costs = [engine.cost(engine.prepare(plain, None, method="POST"), {}) for _ in range(3)]
    assert len(measured) == 1
    assert costs == [costs[0]] * 3
    varied = "query ($n: Int) { " + series.replace("FIRST", "$n") + " }"
    prepared = engine.prepare(varied, None, method="POST")
    requested = [
        engine.cost(prepared, engine.coerce(prepared, {"n": n}))["requested"] for n in (1, 24)
    ]
    assert requested[0] < requested[1] == costs[0]["requested"]
    assert len(measured) == 3
    engine.limits = dataclasses.replace(engine.limits, cost_budget=10)
    with pytest.raises(QueryRejected):
        engine.cost(engine.prepare(plain, None, method="POST"), {})


@pytest.mark.parametrize("levels", [23, 30, 60])
async def test_a_fragment_bomb_is_refused_at_once_and_charged(
    open_client: httpx.AsyncClient, levels: int
) -> None:
    """Refused as too costly (not frozen for minutes), and charged like the budget it asked for."""
    started = time.monotonic()
    probe = asyncio.create_task(open_client.get("/healthz"))
    response = await open_client.post(
        "/graphql", json={"query": fragment_bomb(levels)}, headers={"accept": GR}
    )
    await probe
    assert time.monotonic() - started < 5, "minutes before the fix; milliseconds now"
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "data" not in body
    remaining = int(response.headers["ratelimit-remaining"])
    assert remaining <= 120 - 1 - 50, "a refusal spends the budget's worth of tokens"


def test_the_analysis_bounds_the_selections_it_visits() -> None:
    """A wide fragment under many page sizes (each measured anew) cannot make the walk
    unbounded: past MAX_VISITS selections it stops."""
    spreads = " ".join(f"a{i}: securities(first: {i}) {{ ...C }}" for i in range(1, 30))
    fields = " ".join(["totalCount"] * 1000)
    document = parse(f"query {{ {spreads} }} fragment C on SecurityConnection {{ {fields} }}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    analysis = CostAnalysis(schema._schema, document, operation, {}, budget=10**12, max_first=1000)
    with pytest.raises(QueryRejected) as raised:
        analysis.measure()
    assert raised.value.code == "QUERY_TOO_COMPLEX"
    assert analysis.visits == MAX_VISITS + 1


# 3. Negative or oversized page sizes; 5. wrongly typed variables ------------------------------

NESTED = (
    'query ($f: Int) { security(symbol: "AAA") { shortInterest(first: $f) { nodes { '
    "shortInterest } } } }"
)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ security(symbol: "AAA") { shortInterest(first: -15100000) { totalCount } } }', {}),
        ("{ securities(first: -1) { totalCount } }", {}),
        ("{ securities(first: 1001) { totalCount } }", {}),
        (NESTED, {"f": -15100000}),
        (NESTED, {"f": 1001}),
        ("query ($f: Int) { securities(first: $f) { totalCount } }", {"f": -5}),
    ],
)
async def test_page_sizes_out_of_range_are_refused_before_running(
    open_client: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    response = await open_client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"accept": GR}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body, "nothing was executed"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must be between 0 and 1000" in body["errors"][0]["message"]


async def test_a_negative_page_cannot_cancel_out_a_costly_one(
    open_client: httpx.AsyncClient,
) -> None:
    """The reported attack: a negative `first` beside five heavy lists ran with a negative cost."""
    heavy = " ".join(
        f"h{i}: securities(first: 1000) {{ nodes {{ shortInterest(first: 1000) {{ nodes {{ "
        "shortInterest } } } } }"
        for i in range(5)
    )
    query = (
        '{ neg: security(symbol: "AAA") { shortInterest(first: -15100000) { nodes { '
        f"shortInterest }} }} }} {heavy} }}"
    )
    response = await open_client.post("/graphql", json={"query": query}, headers={"accept": GR})
    assert response.status_code == 400
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "value", ["abc", [1], 1e300, 10**30, {"a": 1}, True, 1.5, "", None, -(2**31) - 1]
)
async def test_wrongly_typed_variables_are_bad_user_input(
    open_client: httpx.AsyncClient, value: Any
) -> None:
    query = "query ($f: Int!) { securities(first: $f) { totalCount } }"
    response = await open_client.post(
        "/graphql", json={"query": query, "variables": {"f": value}}, headers={"accept": GR}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in body


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", 20260101, ["2026-01-01"]])
async def test_wrongly_typed_date_variables_are_bad_user_input(
    open_client: httpx.AsyncClient, value: Any
) -> None:
    query = (
        'query ($d: Date) { security(symbol: "AAA") { shortInterest(from: $d) { totalCount } } }'
    )
    response = await open_client.post(
        "/graphql", json={"query": query, "variables": {"d": value}}, headers={"accept": GR}
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_cost_counts_database_round_trips(open_client: httpx.AsyncClient) -> None:
    """1,000 securities each asking for their own short interest is 1,000 queries: refused,
    though the same number of plain fields would pass."""
    per_security = (
        "{ securities(first: 1000) { nodes { shortInterest(first: 47) { nodes { shortInterest } } "
        "} } }"
    )
    response = await open_client.post(
        "/graphql", json={"query": per_security}, headers={"accept": GR}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    plain = (
        "{ securities(first: 1000) { nodes { "
        + " ".join(f"s{i}: symbol" for i in range(25))
        + " } } }"
    )
    allowed = await open_client.post("/graphql", json={"query": plain}, headers={"accept": GR})
    assert allowed.status_code == 200, allowed.text


async def test_the_cost_extension_reports_round_trips_and_the_callers_budget(
    open_client: httpx.AsyncClient,
) -> None:
    response = await open_client.post("/graphql", json={"query": QUERY})
    cost = response.json()["extensions"]["cost"]
    assert cost["requested"] > 0
    assert cost["budget"] == 50_000
    assert cost["actualQueries"] >= 1
    refused = await open_client.post("/graphql", json={"query": fragment_bomb(30)})
    throttle = refused.json()["extensions"]["cost"]["throttleStatus"]
    assert throttle["maximumAvailable"] == 120
    assert 0 <= throttle["currentlyAvailable"] <= 120 - 50
    assert throttle["restoreRate"] == 2.0
    assert int(refused.headers["ratelimit-remaining"]) == throttle["currentlyAvailable"]


# 7. Automatic persisted queries ----------------------------------------------------------------


def apq(query: str | None, sha: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}
    if query is not None:
        body["query"] = query
    return body


def sha_of(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


async def test_a_wrong_hash_is_refused_even_when_the_answer_is_cached(
    open_client: httpx.AsyncClient,
) -> None:
    first = await open_client.post("/graphql", json={"query": QUERY})
    again = await open_client.post("/graphql", json={"query": QUERY})
    assert again.headers["x-cache"] == "HIT"
    wrong = await open_client.post("/graphql", json=apq(QUERY, "0" * 64))
    assert first.status_code == 200
    assert wrong.headers["x-cache"] != "HIT"
    assert wrong.json()["errors"][0]["message"] == "provided sha does not match query"


async def test_a_query_answered_from_the_cache_is_still_registered(
    open_client: httpx.AsyncClient,
) -> None:
    query = '{ security(symbol: "BBB") { symbol } }'
    await open_client.post("/graphql", json={"query": query})
    with_hash = await open_client.post("/graphql", json=apq(query, sha_of(query)))
    assert with_hash.headers["x-cache"] == "HIT"
    by_hash = await open_client.post("/graphql", json=apq(None, sha_of(query)))
    assert by_hash.status_code == 200
    assert by_hash.json()["data"]["security"]["symbol"] == "BBB"


@pytest.mark.parametrize(
    "query",
    [
        "{ notAField }",
        "{ securities(first: 1001) { totalCount } }" + " " * 10,
        "query { " + "x" * 40_000 + " }",
        "{ " + " ".join(f"s{i}: datasets {{ name }}" for i in range(5)) + " }" + " " * 40_000,
    ],
)
async def test_invalid_or_oversized_documents_are_never_stored(
    open_client: httpx.AsyncClient, query: str
) -> None:
    await open_client.post("/graphql", json=apq(query, sha_of(query)))
    by_hash = await open_client.post("/graphql", json=apq(None, sha_of(query)))
    assert by_hash.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_registrations_per_caller_are_capped(
    open_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cache import persisted

    monkeypatch.setattr(persisted, "MAX_REGISTRATIONS_PER_HOUR", 3)
    queries = [f'{{ security(symbol: "AAA") {{ s{i}: symbol }} }}' for i in range(5)]
    for query in queries:
        response = await open_client.post("/graphql", json=apq(query, sha_of(query)))
        assert response.status_code == 200, "the query still runs"
    found = []
    for query in queries:
        answer = await open_client.post("/graphql", json=apq(None, sha_of(query)))
        found.append("data" in answer.json())
    assert found == [True, True, True, False, False]


# 12. Concurrency per caller --------------------------------------------------------------------


async def test_one_caller_cannot_hold_more_than_its_share_in_flight(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(
        listed_url, servers.redis_url, redis_prefix, max_concurrent_per_caller=2
    )
    body = {"query": "{ securities(first: 100) { totalCount nodes { symbol name } } }"}
    async with app_client(settings) as client:
        answers = await asyncio.gather(
            *(
                client.post("/graphql", json=body, headers={"cache-control": "no-cache"})
                for _ in range(12)
            )
        )
        statuses = sorted(answer.status_code for answer in answers)
        busy = [answer for answer in answers if answer.status_code == 429]
        assert busy, statuses
        assert set(statuses) == {200, 429}
        assert "in flight at once" in busy[0].json()["errors"][0]["message"]
        assert int(busy[0].headers["retry-after"]) >= 1
        later = await client.post("/graphql", json=body)
        assert later.status_code == 200, "the slots are given back"


async def test_aliased_lookups_batch_into_one_query(open_client: httpx.AsyncClient) -> None:
    """30 aliases of `security` (the most a document may hold) cost one round trip, not 30."""
    symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "NOPE"] * 5
    query = (
        "{ "
        + " ".join(f'a{i}: security(symbol: "{s}") {{ symbol }}' for i, s in enumerate(symbols))
        + " }"
    )
    response = await open_client.post("/graphql", json={"query": query})
    body = response.json()
    assert [body["data"][f"a{i}"] for i in range(6)] == [
        {"symbol": "AAA"},
        {"symbol": "BBB"},
        {"symbol": "CCC"},
        {"symbol": "DDD"},
        {"symbol": "EEE"},
        None,
    ]
    assert body["extensions"]["cost"]["actualQueries"] == 1
