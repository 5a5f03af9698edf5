"""A GraphQL request leaves no reference cycles of its own behind.

A served process collects the youngest generation every 10,000 net allocations and never walks
what startup built (service/collector.py). That is only cheap while a request's objects die by
reference counting: a cycle through the executor or the context kept every row of the answer
alive until the collector came, and was most of its work (docs/benchmarks.md, "Garbage").
"""

from __future__ import annotations

import gc

import pytest

from service import collector
from tests.conftest import Servers, app_client, make_settings

QUERIES = (
    # The Postgres-built JSON path, fetched along with its parent.
    '{ security(symbol: "IWM") { symbol shortInterest(first: 4) { nodes { settlementDate '
    "shortInterest daysToCover flags } pageInfo { hasNextPage endCursor } } } }",
    # The standard path: edges, a batched loader, a nested object.
    '{ a: security(symbol: "IWM") { name latestShortInterest { shortInterest flags } } '
    'b: security(symbol: "VTWO") { shortInterest(first: 2) { edges { cursor node { change } } } '
    'prices(from: "2026-01-01") { date close } } }',
    # A field error: the errors' own objects are the executor's to keep until answered.
    '{ security(symbol: "NO SUCH") { symbol } index(code: "R2000") { shortExposure { '
    "settlementDate totalShortValueUsd } } }",
)

OURS = ("service.", "graphql.execution", "strawberry.")


@pytest.mark.parametrize("query", QUERIES)
async def test_a_request_leaves_no_cycles_of_its_own(
    query: str, sample_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(sample_url, servers.redis_url, redis_prefix, cache_enabled=False)
    async with app_client(settings) as client:
        warm = await client.post("/graphql", json={"query": query})  # parsed, validated, planned
        assert warm.status_code == 200
        assert warm.json().get("data"), warm.text
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for _ in range(3):
                response = await client.post("/graphql", json={"query": query})
                assert response.status_code == 200
                assert response.json().get("data"), response.text
            gc.collect()
            cyclic = sorted(
                {
                    f"{type(o).__module__}.{type(o).__qualname__}"
                    for o in gc.garbage
                    if type(o).__module__.startswith(OURS)
                }
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert cyclic == []


def test_serving_freezes_startup_and_raises_the_youngest_threshold() -> None:
    before = gc.get_threshold()
    try:
        collector.tune_for_serving()
        assert gc.get_threshold() == collector.THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
