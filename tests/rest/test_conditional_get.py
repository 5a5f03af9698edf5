"""Conditional GET of /v1, JSON and CSV, with the response cache on, off and bypassed.

One implementation answers it (service/conditional.py); these fail if any of these cases loses it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.conditional import etag_of
from tests.conftest import Servers, app_client, make_settings

SI = "/v1/securities/IWM/short-interest"
LIST = "/v1/securities?limit=2"


@pytest.fixture(params=[True, False], ids=["cache-on", "cache-off"])
async def api(
    request: pytest.FixtureRequest, rest_sample_url: str, servers: Servers, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        rest_sample_url, servers.redis_url, redis_prefix, cache_enabled=request.param
    )
    async with app_client(settings) as client:
        yield client


# `no-cache`: the request asks for a fresh answer, so a cache that is on is bypassed.
FRESHNESS = pytest.mark.parametrize("fresh", [{}, {"cache-control": "no-cache"}], ids=["", "fresh"])


@FRESHNESS
@pytest.mark.parametrize("url", [SI, LIST])
async def test_a_json_answer_is_revalidated_with_a_304(
    api: httpx.AsyncClient, url: str, fresh: dict[str, str]
) -> None:
    first = await api.get(url, headers=fresh)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag == etag_of(first.content)
    for _ in range(2):  # a miss, then (cache on) a hit
        again = await api.get(url, headers={**fresh, "if-none-match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert again.headers["vary"] == first.headers["vary"]
    changed = await api.get(url, headers={**fresh, "if-none-match": '"not-this-one"'})
    assert changed.status_code == 200
    assert changed.content == first.content


@FRESHNESS
@pytest.mark.parametrize("url", [SI, LIST])
async def test_a_csv_answer_is_revalidated_with_a_304(
    api: httpx.AsyncClient, url: str, fresh: dict[str, str]
) -> None:
    first = await api.get(url, params={"format": "csv"}, headers=fresh)
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/csv; charset=utf-8"
    etag = first.headers["etag"]
    again = await api.get(url, params={"format": "csv"}, headers={**fresh, "if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    other = await api.get(url, params={"format": "csv"}, headers={"if-none-match": '"x"'})
    assert other.status_code == 200
    assert other.content == first.content


@pytest.mark.parametrize("params", [{}, {"format": "csv"}], ids=["json", "csv"])
async def test_head_has_the_get_validator_and_is_revalidated(
    api: httpx.AsyncClient, params: dict[str, str]
) -> None:
    got = await api.get(SI, params=params)
    head = await api.head(SI, params=params)
    assert head.status_code == 200
    assert head.headers["etag"] == got.headers["etag"]
    again = await api.head(SI, params=params, headers={"if-none-match": got.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == got.headers["etag"]
