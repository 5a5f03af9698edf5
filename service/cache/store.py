"""Cached responses and the two places they live: this process's memory, and Redis.

An `Entry` is a response as the handler produced it (status, the headers that belong to the
answer rather than to one request, body, entity tag), plus the rate-limit tokens a GraphQL query
spends and the route it answered, so a hit can be metered and labelled like the original.

`MemoryTier` is a byte-bounded LRU, the hot tier: a hit costs a dict lookup. `RedisTier` is shared
by every process and pod; every call has a short timeout, and after a failure Redis is left alone
for a moment (a circuit breaker), so a slow or dead Redis costs requests nothing but the cache.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

import orjson

from service.redisclient import REDIS_ERRORS, RedisClient

log = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 1 << 20
"""Larger answers (long CSV exports) are streamed and not cached."""
BREAKER_SECONDS = 1.0
LOCK_SECONDS = 5.0
WAIT_STEPS_S = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1)

# Deletes the lock only if it is still ours (a slow leader must not free a successor's lock).
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(slots=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    tokens: int
    route: str
    expires_at: float = 0.0
    hit_headers: list[tuple[bytes, bytes]] | None = None
    """The headers of a HIT answer, built on the first hit (a hit then copies nothing)."""

    @property
    def size(self) -> int:
        return len(self.body) + 64 * len(self.headers) + 200

    def encode(self) -> bytes:
        head = {
            "s": self.status,
            "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers],
            "e": self.etag.decode("latin-1"),
            "t": self.tokens,
            "r": self.route,
        }
        return orjson.dumps(head) + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes, expires_at: float) -> Entry | None:
        head_raw, separator, body = raw.partition(b"\n")
        if not separator:
            return None
        try:
            head = orjson.loads(head_raw)
            return cls(
                status=int(head["s"]),
                headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in head["h"]],
                body=body,
                etag=str(head["e"]).encode("latin-1"),
                tokens=int(head["t"]),
                route=str(head["r"]),
                expires_at=expires_at,
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


class MemoryTier:
    """A least-recently-used map of entries, bounded in bytes (see module docstring)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, now: float) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= now:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one answer must not flush the tier
        if key in self._entries:
            self._drop(key)
        self._entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes and self._entries:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self.bytes -= entry.size


class RedisTier:
    """Entries in Redis, shared by all processes, with a circuit breaker (module docstring)."""

    def __init__(self, redis: RedisClient, prefix: str, ttl_s: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_s = ttl_s
        self._open_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._open_until

    def _failed(self, exc: BaseException) -> None:
        if self.available:
            log.warning("response cache: Redis unavailable (%s); serving without it", exc)
        self._open_until = time.monotonic() + BREAKER_SECONDS

    def entry_key(self, key: str) -> str:
        return f"{self.prefix}c:{key}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}l:{key}"

    async def get(self, key: str) -> Entry | None:
        if not self.available:
            return None
        try:
            raw = await self.redis.get(self.entry_key(key))
        except REDIS_ERRORS as exc:
            self._failed(exc)
            return None
        if not isinstance(raw, bytes):
            return None
        return Entry.decode(raw, time.monotonic() + self.ttl_s)

    async def put(self, key: str, entry: Entry) -> None:
        if not self.available:
            return
        try:
            await self.redis.set(self.entry_key(key), entry.encode(), ex=self.ttl_s)
        except REDIS_ERRORS as exc:
            self._failed(exc)

    async def lock(self, key: str) -> str | None:
        """Take the single-flight lock of `key`: its token, or None when another process holds it
        (or Redis is away: then everyone computes, as without a cache)."""
        if not self.available:
            return ""
        token = secrets.token_hex(8)
        try:
            taken = await self.redis.set(
                self._lock_key(key), token, nx=True, px=int(LOCK_SECONDS * 1000)
            )
        except REDIS_ERRORS as exc:
            self._failed(exc)
            return ""
        return token if taken else None

    async def unlock(self, key: str, token: str) -> None:
        if not token or not self.available:
            return
        try:
            await self.redis.eval(_UNLOCK, 1, self._lock_key(key), token)
        except REDIS_ERRORS as exc:
            self._failed(exc)

    async def wait(self, key: str) -> Entry | None:
        """Wait for another process computing `key` (bounded by the lock's lifetime)."""
        deadline = time.monotonic() + LOCK_SECONDS
        step = 0
        while time.monotonic() < deadline and self.available:
            await asyncio.sleep(WAIT_STEPS_S[min(step, len(WAIT_STEPS_S) - 1)])
            step += 1
            entry = await self.get(key)
            if entry is not None:
                return entry
            try:
                if not await self.redis.exists(self._lock_key(key)):
                    # The leader stores its answer, then unlocks: both may have landed between
                    # our read and this check, so read once more before computing again.
                    # None now: the leader gave up (an uncacheable answer), compute.
                    return await self.get(key)
            except REDIS_ERRORS as exc:
                self._failed(exc)
                return None
        return None
