"""The hot path's memory of key headers (`KeyCache.known_header`) never outlives what it stands
for: a revocation, the lookup's time-to-live, an unknown or a malformed key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.access import keys as keys_module
from service.access.keys import KeyCache, hash_key
from service.db.repositories.keys import ApiKey

LIVE = "sfk_0123abcd_" + "s" * 43
LIVE_KEY = ApiKey(1, "partner", "0123abcd", 600, datetime.now(UTC), None, None)


class Repository:
    """The key table of one live key; counts lookups."""

    def __init__(self) -> None:
        self.lookups = 0

    async def by_hash(self, digest: bytes) -> ApiKey | None:
        self.lookups += 1
        return LIVE_KEY if digest == hash_key(LIVE) else None

    async def touch(self, ids: Any) -> None:
        return None


async def _presented(cache: KeyCache, value: bytes, now: float) -> ApiKey | None:
    found = cache.known_header(b"x-api-key", value, now)
    if found is None:
        found = await cache.resolve(value.decode(), (b"x-api-key", value))  # as the middleware
    return found


async def test_a_known_header_skips_the_lookup_until_forgotten() -> None:
    repository = Repository()
    cache = KeyCache(repository)  # type: ignore[arg-type]
    assert await _presented(cache, LIVE.encode(), 0.0) == LIVE_KEY
    assert cache.known_header(b"x-api-key", LIVE.encode(), 1.0) == LIVE_KEY
    assert repository.lookups == 1
    cache.forget()  # a revocation announced on Redis
    assert cache.known_header(b"x-api-key", LIVE.encode(), 1.0) is None


async def test_a_known_header_expires_with_its_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(keys_module.time, "monotonic", lambda: clock[0])
    cache = KeyCache(Repository())  # type: ignore[arg-type]
    await _presented(cache, LIVE.encode(), clock[0])
    later = clock[0] + keys_module.FOUND_TTL_S
    assert cache.known_header(b"x-api-key", LIVE.encode(), later - 0.001) == LIVE_KEY
    assert cache.known_header(b"x-api-key", LIVE.encode(), later) is None


async def test_unknown_keys_and_other_headers_are_never_remembered_as_live() -> None:
    cache = KeyCache(Repository())  # type: ignore[arg-type]
    unknown = b"sfk_ffffffff_" + b"u" * 43
    with pytest.raises(Exception, match="not valid"):
        await _presented(cache, unknown, 0.0)
    cache.remember_header(b"x-api-key", unknown, unknown.decode())
    assert cache.known_header(b"x-api-key", unknown, 0.0) is None
    await _presented(cache, LIVE.encode(), 0.0)
    # The same key under the other header name is a different header: looked up on its own.
    assert cache.known_header(b"authorization", LIVE.encode(), 0.0) is None
    assert cache.known_header(b"authorization", b"Bearer " + LIVE.encode(), 0.0) is None


async def test_padded_spellings_of_a_live_key_work_but_are_not_remembered() -> None:
    # Each would be an entry of up to a whole header's size: a caller with one valid key could
    # fill the process's memory with `Bearer<N spaces><key>` for every N.
    repository = Repository()
    cache = KeyCache(repository)  # type: ignore[arg-type]
    for padding in range(1, 50):
        value = b"Bearer" + b" " * padding + LIVE.encode() + b" " * padding
        found = cache.known_header(b"authorization", value, 0.0)
        if found is None:
            found = await cache.resolve(LIVE)
            cache.remember_header(b"authorization", value, LIVE)
        assert found == LIVE_KEY
    assert cache._by_header == {}
    cache.remember_header(b"authorization", b"Bearer " + LIVE.encode(), LIVE)
    assert list(cache._by_header) == [(b"authorization", b"Bearer " + LIVE.encode())]
    assert repository.lookups == 1  # the digest lookup served every spelling
