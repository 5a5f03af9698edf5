"""Attacks on keys and per-client limits (issue 12 items 8 and 9), as an attacker sends them."""

from __future__ import annotations

import pytest

from service.access.client import ClientResolver
from tests.access.test_access import create_key
from tests.conftest import Servers, app_client, make_settings

QUERY = {"query": "{ settlementCalendar(year: 2026) { settlementDate } }"}


async def test_guessing_keys_is_rate_limited_and_stops_reaching_postgres(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    """Bad keys are 401 and spend the client's anonymous budget: once spent, 429 with
    Retry-After, answered without a key lookup."""
    settings = make_settings(database_url, servers.redis_url, redis_prefix, anonymous_rate_limit=5)
    async with app_client(settings) as client:
        statuses = []
        for guess in range(12):
            response = await client.post(
                "/graphql", json=QUERY, headers={"x-api-key": f"sfk_{guess:032d}"}
            )
            statuses.append(response.status_code)
        assert statuses[:5] == [401] * 5
        assert set(statuses[5:]) == {429}
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["cache-control"] == "no-store"
        # While the address is locked out its requests are refused before any key lookup:
        # even a real key is not looked at until Retry-After has passed.
        real = await create_key(database_url, 600)
        locked = await client.get("/v1/securities", headers={"authorization": f"Bearer {real}"})
        assert locked.status_code == 429
        assert "invalid or missing API key" in locked.json()["error"]["message"]


async def test_missing_keys_count_against_the_client_when_keys_are_required(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    settings = make_settings(
        database_url,
        servers.redis_url,
        redis_prefix,
        anonymous_rate_limit=3,
        require_api_key=True,
    )
    async with app_client(settings) as client:
        statuses = [(await client.post("/graphql", json=QUERY)).status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]


async def test_a_forged_forwarded_for_does_not_buy_fresh_quota(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    """No trusted proxy configured: X-Forwarded-For is the caller's own words, ignored."""
    settings = make_settings(database_url, servers.redis_url, redis_prefix, anonymous_rate_limit=3)
    async with app_client(settings) as client:
        statuses = [
            (
                await client.post(
                    "/graphql",
                    json=QUERY,
                    headers={"x-forwarded-for": f"203.0.113.{n}", "cache-control": "no-cache"},
                )
            ).status_code
            for n in range(5)
        ]
    assert statuses == [200, 200, 200, 429, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(
    database_url: str, servers: Servers, redis_prefix: str
) -> None:
    """The in-process client connects from 127.0.0.1, configured as the proxy: the address it
    forwards is the client; what the client itself put before it is not believed."""
    settings = make_settings(
        database_url,
        servers.redis_url,
        redis_prefix,
        anonymous_rate_limit=2,
        trusted_proxies=["127.0.0.1/32"],
    )

    async def status(forwarded: str) -> int:
        response = await client.post(
            "/graphql",
            json=QUERY,
            headers={"x-forwarded-for": forwarded, "cache-control": "no-cache"},
        )
        return response.status_code

    async with app_client(settings) as client:
        first = [await status("198.51.100.1") for _ in range(3)]
        second = [await status("198.51.100.2") for _ in range(2)]
        # A spoofed left part does not move the bucket: the proxy appended the real address.
        spoofed = [await status(f"10.0.0.{n}, 198.51.100.1") for n in range(2)]
    assert first == [200, 200, 429]
    assert second == [200, 200]
    assert spoofed == [429, 429]


@pytest.mark.parametrize(
    ("peer", "forwarded", "bucket"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # not a trusted proxy: ignored
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),  # a chain of trusted proxies
        ("10.0.0.2", "not-an-address, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "garbage", "10.0.0.2"),  # nothing believable: the proxy itself
        ("2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", None, "2001:db8:1:2::/64"),  # same /64, same bucket
        ("::ffff:203.0.113.9", None, "203.0.113.9"),
    ],
)
def test_client_buckets(peer: str, forwarded: str | None, bucket: str) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    resolver = ClientResolver(["10.0.0.0/8"])
    assert resolver.bucket({"client": (peer, 5000), "headers": headers}) == bucket


def test_a_bad_trusted_proxy_setting_fails_at_start() -> None:
    from service.errors import SettingsError
    from service.settings import load_settings

    with pytest.raises(SettingsError, match="SHORTFLOW_TRUSTED_PROXIES"):
        load_settings(trusted_proxies="10.0.0.0/8,not-a-network")
