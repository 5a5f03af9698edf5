"""Automatic persisted queries (Apollo's protocol): a client sends a query's SHA-256 instead of its
text, so a GET URL stays short enough for a CDN to cache.

1. The client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": H}` without `query`.
2. Known H: the query runs. Unknown: the answer is the error `PersistedQueryNotFound`
   (`extensions.code = PERSISTED_QUERY_NOT_FOUND`, HTTP 200, as Apollo's clients expect).
3. The client sends the hash with the query; the service checks that H is the query's SHA-256
   (`provided sha does not match query` otherwise, 400), remembers it, and runs it.

Queries are remembered in this process (an LRU) and in Redis for 30 days, shared by every
process; without Redis the protocol still works, one process at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import re

from service.errors import BadRequest
from service.lru import LRU
from service.redisclient import REDIS_ERRORS, RedisClient

TTL_S = 30 * 24 * 3600
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_QUERY_BYTES = 100_000


class PersistedQueryNotFound(BadRequest):
    """The hash is not known yet: the client should send the query with it."""

    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


def requested_hash(extensions: dict[str, object]) -> str | None:
    """The persisted query hash a request names, or None; BadRequest when malformed."""
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadRequest(
            "extensions.persistedQuery must be {version: 1, sha256Hash}",
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise BadRequest("sha256Hash must be 64 lowercase hex digits", code="BAD_REQUEST")
    return sha


class PersistedQueries:
    def __init__(self, redis: RedisClient, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._local: LRU[str, str] = LRU(4096)

    def _key(self, sha: str) -> str:
        return f"{self.prefix}apq:{sha}"

    async def resolve(self, sha: str, query: str | None) -> str:
        """The query text for a request naming `sha` (and sending `query` or not)."""
        if query is not None:
            if hashlib.sha256(query.encode()).hexdigest() != sha:
                raise BadRequest("provided sha does not match query", code="BAD_REQUEST")
            if self._local.get(sha) is None:
                self._local.put(sha, query)
                if len(query) <= MAX_QUERY_BYTES:
                    # Without Redis it is remembered here; other processes ask for the text.
                    with contextlib.suppress(*REDIS_ERRORS):
                        await self.redis.set(self._key(sha), query, ex=TTL_S)
            return query
        found = self._local.get(sha)
        if found is not None:
            return found
        try:
            stored = await self.redis.get(self._key(sha))
        except REDIS_ERRORS:
            stored = None
        if stored is None:
            raise PersistedQueryNotFound
        text = stored.decode() if isinstance(stored, bytes) else str(stored)
        self._local.put(sha, text)
        return text
