"""GraphQL test fixtures: a database with the real samples, and a query helper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

Query = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(sample_client: httpx.AsyncClient) -> Query:
    """`await gql(query, **variables)` -> the response body; fails on HTTP errors."""

    async def run(query: str, **variables: Any) -> dict[str, Any]:
        response = await sample_client.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


def sample_dir() -> Path:
    return Path(__file__).parent
