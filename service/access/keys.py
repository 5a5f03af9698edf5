"""API keys: their format, how a request presents one, and the per-process lookup cache.

A key is `sfk_<prefix>_<secret>`: the prefix (8 hex characters) names the key in listings and
logs, the secret is 256 random bits. Only the SHA-256 of the whole key is stored, so a database
leak reveals no usable key; a fast hash is enough because there is nothing to brute-force.

Requests present a key as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Looking a key up
costs a Postgres round trip, so each process remembers what it found for a short time
(`KeyCache`); `shortflow keys revoke` announces revocations on Redis so every process forgets at
once, and the time-to-live bounds how long a revoked key can work if that announcement is lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time

from service.db.repositories.keys import ApiKey, KeyRepository
from service.errors import Unauthorized
from service.redisclient import REDIS_ERRORS, create_redis

log = logging.getLogger(__name__)

KEY_PREFIX = "sfk_"
FOUND_TTL_S = 30.0
"""How long a process trusts a key it found (bounds a revocation missed on Redis)."""
MISSING_TTL_S = 5.0
"""How long a process remembers that a key does not exist (spares Postgres from bad keys)."""
TOUCH_EVERY_S = 60.0
MAX_KEY_LENGTH = 200


def revocation_channel(prefix: str) -> str:
    return f"{prefix}keys"


async def publish_key_revocation(redis_url: str, prefix: str, key_id: int) -> bool:
    """Tell running services to forget their key lookups; False when Redis is unreachable."""
    client = create_redis(redis_url, timeout=2.0)
    try:
        await client.publish(revocation_channel(prefix), str(key_id))
        return True
    except REDIS_ERRORS as exc:
        log.warning("could not announce the revocation of key %s: %s", key_id, exc)
        return False
    finally:
        await client.aclose()


def new_key() -> tuple[str, str, bytes]:
    """(key, prefix, sha256 of the key) for a new random key."""
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def presented_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key a request presents, None when it presents none; Unauthorized when malformed."""
    if authorization is not None:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthorized("the Authorization header must be `Bearer <api key>`")
        key = credentials.strip()
    elif x_api_key is not None:
        key = x_api_key.strip()
    else:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Unauthorized("the API key is not valid")
    return key


class KeyCache:
    """Key lookups of one process, remembered for a short time (see module docstring)."""

    def __init__(self, repository: KeyRepository) -> None:
        self.repository = repository
        self._known: dict[bytes, tuple[ApiKey | None, float]] = {}
        # The same lookups by the header as sent (`(name, value)`), for the hot path: a known
        # key's next request skips parsing the header and hashing the key. Only live keys are
        # kept here, with the expiry of their `_known` entry; `forget` empties both.
        self._by_header: dict[tuple[bytes, bytes], tuple[ApiKey, float]] = {}
        self._touched: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def known_header(self, name: bytes, value: bytes, now: float) -> ApiKey | None:
        """The live key this exact header presented before, while remembered; else None (the
        caller then parses the header and calls `resolve`)."""
        cached = self._by_header.get((name, value))
        if cached is None or cached[1] <= now:
            return None
        self._touch(cached[0].id, now)
        return cached[0]

    def remember_header(self, name: bytes, value: bytes, key: str) -> None:
        """Remember that this header presented `key` (just resolved to a live key), for as long
        as that lookup is remembered."""
        self._remember_header(name, value, key, hash_key(key))

    def _remember_header(self, name: bytes, value: bytes, key: str, digest: bytes) -> None:
        if value not in (key.encode(), b"Bearer " + key.encode()):
            # Only the plain spellings: padding or case variants of one live key would each be
            # an entry of up to a whole header's size (10,000 of 32 KiB: 330 MB per process).
            # They still work; they are looked up by digest like any first-seen header.
            return
        entry = self._known.get(digest)
        if entry is None or entry[0] is None:
            return
        if len(self._by_header) > 10_000:
            self._by_header.clear()  # a flood of distinct headers must not grow memory
        self._by_header[(name, value)] = (entry[0], entry[1])

    async def resolve(self, key: str, header: tuple[bytes, bytes] | None = None) -> ApiKey:
        """The live key, or Unauthorized (unknown or revoked); `header` (name, value), the
        request header that presented it, is remembered for it (`remember_header`)."""
        digest = hash_key(key)
        now = time.monotonic()
        cached = self._known.get(digest)
        if cached is not None and cached[1] > now:
            found = cached[0]
        else:
            found = await self.repository.by_hash(digest)
            ttl = FOUND_TTL_S if found is not None else MISSING_TTL_S
            if len(self._known) > 10_000:
                self._known.clear()  # a flood of random keys must not grow memory
            self._known[digest] = (found, now + ttl)
        if found is None:
            raise Unauthorized("the API key is not valid (unknown or revoked)")
        self._touch(found.id, now)
        if header is not None:
            self._remember_header(*header, key, digest)
        return found

    def forget(self) -> None:
        """Drop every remembered lookup (a key was revoked somewhere)."""
        self._known.clear()
        self._by_header.clear()

    def _touch(self, key_id: int, now: float) -> None:
        # last_used_at is informative: written in the background, at most once a minute per key.
        if now - self._touched.get(key_id, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
            return
        self._touched[key_id] = now
        task = asyncio.get_running_loop().create_task(self._write_touch(key_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_touch(self, key_id: int) -> None:
        try:
            await self.repository.touch([key_id])
        except Exception as exc:  # bookkeeping must never fail a request, whatever went wrong
            log.warning("could not record the use of API key %s: %s", key_id, exc)
