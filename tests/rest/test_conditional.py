"""ETag, If-None-Match and Cache-Control: service/conditional.py and the /v1 responses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import httpx
import pytest

from service.conditional import (
    cache_control,
    etag_of,
    is_not_modified,
    request_key,
    versioned_etag,
)
from service.models import PriceBar
from service.rest.resources import Price
from service.rest.serialize import CSV_CHUNK_ROWS, Shape, csv_chunks
from tests.conftest import Servers, app_client, make_settings

SI = "/v1/securities/IWM/short-interest"


def test_etag_is_a_strong_quoted_digest_of_the_bytes() -> None:
    tag = etag_of(b'{"data":[]}')
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) == 34
    assert tag == etag_of(b'{"data":[]}')
    assert tag != etag_of(b'{"data":[1]}')


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),  # If-None-Match uses the weak comparison
        ('"x", "abc"', True),
        ('"x",W/"abc" , "y"', True),
        ("*", True),
        (" * ", True),
        ('"ab"', False),
        ('"abc,"', False),  # a comma inside a tag is part of it
        ("abc", False),  # not an entity tag
        ('"x", "y"', False),
    ],
)
def test_if_none_match_follows_rfc_9110(header: str | None, expected: bool) -> None:
    assert is_not_modified(header, '"abc"') is expected


def test_versioned_etag_changes_with_any_version_or_request() -> None:
    key = request_key("/v1/x", [("b", "2"), ("a", "1")], representation="text/csv", context=["d"])
    assert key == request_key(
        "/v1/x", [("a", "1"), ("b", "2")], representation="text/csv", context=["d"]
    )
    base = versioned_etag({"prices": 3, "flows": 1}, key)
    assert base == versioned_etag({"flows": 1, "prices": 3}, key)
    assert base != versioned_etag({"prices": 4, "flows": 1}, key)
    assert base != versioned_etag({"prices": 3, "flows": 1}, key.replace("/v1/x", "/v1/y"))


def test_cache_control_is_private_when_keys_are_required() -> None:
    assert cache_control(shared=True) == "public, max-age=60, stale-while-revalidate=300"
    assert cache_control(shared=False).startswith("private, ")


async def test_csv_is_streamed_in_chunks_of_rows() -> None:
    shape = Shape(Price, {})
    day = date(2026, 7, 31)
    bars = [PriceBar(day, 1.0, 1.0, 1.0, 1.0, i) for i in range(CSV_CHUNK_ROWS * 2 + 1)]
    chunks = [chunk async for chunk in csv_chunks(shape, bars)]
    assert len(chunks) == 4  # the header, then three chunks of rows
    assert chunks[0] == b"date,open,high,low,close,volume\r\n"
    assert b"".join(chunks).count(b"\r\n") == len(bars) + 1


@pytest.fixture
async def uncached(
    rest_sample_url: str, servers: Servers, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """No response cache in front, so every response is computed by the route itself."""
    settings = make_settings(rest_sample_url, servers.redis_url, redis_prefix, cache_enabled=False)
    async with app_client(settings) as client:
        yield client


async def test_json_etag_and_if_none_match_give_a_304(uncached: httpx.AsyncClient) -> None:
    first = await uncached.get(SI)
    etag = first.headers["etag"]
    assert etag == etag_of(first.content)
    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
    again = await uncached.get(SI, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    weak = await uncached.get(SI, headers={"if-none-match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    other = await uncached.get(SI, params={"limit": 1}, headers={"if-none-match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


async def test_every_route_sends_an_etag(uncached: httpx.AsyncClient) -> None:
    for url in (
        "/v1/securities?limit=2",
        "/v1/securities/IWM",
        SI,
        "/v1/securities/IWM/short-volume",
        "/v1/securities/IWM/prices",
        "/v1/funds/IWM/flows",
        "/v1/indexes/R2000/short-exposure",
        "/v1/indexes/R2000/futures-positioning",
        "/v1/screens/squeeze?as_of=2026-08-20&limit=1",
    ):
        for params in ({}, {"format": "csv"}):
            response = await uncached.get(url, params=params)
            assert response.status_code == 200, url
            assert response.headers["etag"].startswith('"'), url
            revalidated = await uncached.get(
                url, params=params, headers={"if-none-match": response.headers["etag"]}
            )
            assert revalidated.status_code == 304, url


async def test_a_csv_revalidation_reads_no_data(uncached: httpx.AsyncClient) -> None:
    first = await uncached.get(SI, params={"format": "csv"})
    assert first.headers["server-timing"].endswith('desc="3 queries"')  # versions, symbol, rows
    again = await uncached.get(
        SI, params={"format": "csv"}, headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["server-timing"].endswith('desc="1 queries"')  # the versions only
    # The same request with its parameters in another order is the same representation.
    reordered = await uncached.get(
        f"{SI}?to=2026-12-31&format=csv&from=2026-01-01",
        headers={"if-none-match": first.headers["etag"]},
    )
    assert reordered.status_code == 200
    ordered = await uncached.get(f"{SI}?from=2026-01-01&format=csv&to=2026-12-31")
    assert reordered.headers["etag"] == ordered.headers["etag"]


async def test_csv_etag_changes_when_an_ingest_changes_a_dataset(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(database_url, servers.redis_url, redis_prefix, cache_enabled=False)
    async with app_client(settings) as client:
        before = await client.get("/v1/securities", params={"format": "csv"})
        same = await client.get("/v1/securities", params={"format": "csv"})
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(
                "UPDATE dataset_version SET version = version + 1 WHERE dataset = 'prices'"
            )
        finally:
            await conn.close()
        after = await client.get(
            "/v1/securities",
            params={"format": "csv"},
            headers={"if-none-match": before.headers["etag"]},
        )
    assert before.headers["etag"] == same.headers["etag"]
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
