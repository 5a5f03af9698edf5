"""Cache poisoning through request headers the cache does not key on.

The attack: one request with `Host: evil.example` (or X-Forwarded-Host, Forwarded) used to put
`Link: <http://evil.example/v1/...>; rel="next"` into the shared Redis tier for an hour; a partner
following `rel=next` then sent its Authorization header to the attacker. Now no response depends
on Host, X-Forwarded-*, Origin or Authorization unless the cache keys on it (or the header is
added outside the cache, per request, like CORS and RateLimit-*).
"""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request

from service.access.keys import new_key
from service.db.pool import Database
from service.db.repositories.keys import KeyRepository
from service.rest.operations import next_page_url
from tests.conftest import Servers, app_client, make_settings

FORGED = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "Forwarded": "host=evil.example;proto=https",
}


def _everything(response: httpx.Response) -> str:
    return "\n".join(f"{k}: {v}" for k, v in response.headers.items()) + "\n" + response.text


def _link_target(response: httpx.Response) -> str:
    link = response.headers["link"]
    assert link.endswith('>; rel="next"'), link
    return link[1 : link.index(">")]


async def test_a_forged_host_never_reaches_a_link_the_next_caller_gets(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        poisoned = await client.get("/v1/securities", params={"limit": 2}, headers=FORGED)
        assert poisoned.status_code == 200
        assert poisoned.headers["x-cache"] == "MISS"
        # The attacker sees a relative link: nothing of what it sent comes back.
        cursor = poisoned.json()["next_cursor"]
        assert _link_target(poisoned) == f"/v1/securities?limit=2&cursor={cursor}"
        assert "evil" not in _everything(poisoned)

        # The partner's request is answered from the entry the attacker's request stored...
        partner = await client.get("/v1/securities", params={"limit": 2})
        assert partner.headers["x-cache"] == "HIT"
        # ...and its next link stays on this service, wherever the partner reached it.
        assert _link_target(partner) == f"/v1/securities?limit=2&cursor={cursor}"
        assert "evil" not in _everything(partner)
        followed = await client.get(_link_target(partner))
        assert followed.status_code == 200
        assert followed.json()["data"][0]["symbol"] > partner.json()["data"][-1]["symbol"]


async def test_csv_pages_link_relatively_too(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.get(
            "/v1/securities", params={"limit": 3, "format": "csv"}, headers=FORGED
        )
        assert response.status_code == 200
        target = _link_target(response)
        assert target.startswith("/v1/securities?limit=3&format=csv&cursor=")
        assert "evil" not in _everything(response)


async def test_a_configured_public_url_is_the_only_absolute_base(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(
        listed_url, servers.redis_url, redis_prefix, public_url="https://api.example.com/"
    )
    async with app_client(settings) as client:
        response = await client.get("/v1/securities", params={"limit": 2}, headers=FORGED)
        cursor = response.json()["next_cursor"]
        assert _link_target(response) == (
            f"https://api.example.com/v1/securities?limit=2&cursor={cursor}"
        )
        assert "evil" not in _everything(response)


def test_a_path_cannot_break_out_of_the_link_syntax() -> None:
    # A symbol may hold `>`, `"` or `;` (the ingest allows them); the link quotes them.
    scope = {
        "type": "http",
        "method": "GET",
        "path": '/v1/securities/A>B";x/short-interest',
        "root_path": "",
        "query_string": b"limit=1&cursor=old",
        "headers": [(b"host", b"evil.example")],
    }
    url = next_page_url(Request(scope), "c2k6MjAyNi0wNy0xNQ", None)
    assert url == "/v1/securities/A%3EB%22;x/short-interest?limit=1&cursor=c2k6MjAyNi0wNy0xNQ"


@pytest.mark.parametrize("origin", ["https://evil.example", None])
async def test_one_origins_cors_answer_is_not_served_to_another(
    listed_url: str, servers: Servers, redis_prefix: str, origin: str | None
) -> None:
    settings = make_settings(
        listed_url, servers.redis_url, redis_prefix, cors_origins=["https://partner.example"]
    )
    async with app_client(settings) as client:
        allowed = await client.get(
            "/v1/securities", params={"limit": 2}, headers={"Origin": "https://partner.example"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://partner.example"
        assert "Origin" in allowed.headers["vary"]
        headers = {"Origin": origin} if origin else {}
        other = await client.get("/v1/securities", params={"limit": 2}, headers=headers)
        # The same cached body, but the other origin is not told it may read it; and a shared
        # cache downstream is told the answer depends on Origin.
        assert other.headers["x-cache"] == "HIT"
        assert "access-control-allow-origin" not in other.headers
        assert "Origin" in other.headers["vary"]


async def _create_key(database_url: str) -> str:
    db = Database(database_url, min_size=0, max_size=1)
    await db.open()
    try:
        key, prefix, digest = new_key()
        await KeyRepository(db).create("partner", prefix, digest, 600)
        return key
    finally:
        await db.close()


async def test_keyed_answers_vary_on_the_key_headers(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix, require_api_key=True)
    key = await _create_key(listed_url)
    async with app_client(settings) as client:
        keyed = await client.get("/v1/securities", headers={"Authorization": f"Bearer {key}"})
        assert keyed.status_code == 200
        assert keyed.headers["cache-control"].startswith("private")
        assert keyed.headers["vary"] == "Accept, Authorization, X-API-Key"
        revalidated = await client.get(
            "/v1/securities",
            headers={"X-API-Key": key, "If-None-Match": keyed.headers["etag"]},
        )
        assert revalidated.status_code == 304
        assert revalidated.headers["vary"] == "Accept, Authorization, X-API-Key"
        # Without a key: a 401 no cache may keep, not the keyed answer.
        anonymous = await client.get("/v1/securities")
        assert anonymous.status_code == 401
        assert anonymous.headers["cache-control"] == "no-store"


async def test_open_answers_are_shared_and_vary_on_accept_only(
    listed_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(listed_url, servers.redis_url, redis_prefix)
    async with app_client(settings) as client:
        response = await client.get("/v1/securities")
        assert response.headers["cache-control"].startswith("public")
        assert response.headers["vary"] == "Accept"
