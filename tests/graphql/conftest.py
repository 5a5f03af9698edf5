"""GraphQL test fixtures: a database with the real samples, and a query helper.

Every query sent through `gql` also runs, uncached, through the fast executor with the direct
resolvers (service/graphql/resolvers.py) and through graphql-core's standard executor with
Strawberry's own resolver chains (`standard_answer`), and the two answers must be equal: the
suite's query shapes are the executor parity corpus (with tests/graphql/test_executor_parity.py
for the fallback cases).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.graphql import engine, resolvers
from service.graphql import schema as graphql_schema
from tests.conftest import Servers, app_client, make_settings

Query = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def gql(
    sample_client: httpx.AsyncClient,
    sample_url: str,
    servers: Servers,
    redis_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Query]:
    """`await gql(query, **variables)` -> the response body; fails on HTTP errors, and when the
    fast and the standard executor answer the query differently."""
    # Its own Redis keys: its requests must not count in the rate limits the tests observe.
    prefix = f"{redis_prefix}parity:"
    settings = make_settings(sample_url, servers.redis_url, prefix, cache_enabled=False)
    async with app_client(settings) as uncached:

        async def run(query: str, **variables: Any) -> dict[str, Any]:
            request = {"query": query, "variables": variables}
            response = await sample_client.post("/graphql", json=request)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            fast = (await uncached.post("/graphql", json=request)).json()
            standard = (await standard_answer(uncached, request, monkeypatch)).json()
            assert fast == standard, f"the executors differ on {query}"
            return body

        yield run


async def standard_answer(
    client: httpx.AsyncClient, request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> httpx.Response:
    """The answer of graphql-core's standard executor with Strawberry's own resolver chains:
    the reference the fast path (FastExecutor, the direct resolvers) is compared with."""
    with (
        monkeypatch.context() as patch,
        resolvers.strawberry_chains(graphql_schema.STRAWBERRY_CHAINS),
    ):
        patch.setattr(engine, "FastExecutor", StrawberryGraphQLCoreExecutionContext)
        return await client.post("/graphql", json=request)


def sample_dir() -> Path:
    return Path(__file__).parent
