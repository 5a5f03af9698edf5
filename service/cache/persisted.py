"""Automatic persisted queries (Apollo's protocol): a client sends a query's SHA-256 instead of its
text, so a GET URL stays short enough for a CDN to cache.

1. The client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": H}` without `query`.
2. Known H: the query runs. Unknown: the answer is the error `PersistedQueryNotFound`
   (`extensions.code = PERSISTED_QUERY_NOT_FOUND`, HTTP 200, as Apollo's clients expect).
3. The client sends the hash with the query; the service checks that H is the query's SHA-256
   (`provided sha does not match query` otherwise, 400), runs it, and remembers it once it has
   passed validation: an invalid document is never stored.

The check happens before the response cache is asked (cache/middleware.py), so a cached answer
never hides a wrong hash. Queries are remembered in this process (an LRU) and in Redis for
TTL_S, shared by every process; without Redis the protocol still works, one process at a time.
What one caller can store is bounded: documents up to MAX_QUERY_BYTES, at most
MAX_REGISTRATIONS_PER_HOUR new hashes per caller (past it the query still runs, it is just not
remembered, and the client keeps sending the text).
"""

from __future__ import annotations

import hashlib
import re
import time

from service.errors import BadRequest
from service.lru import LRU
from service.redisclient import REDIS_ERRORS, RedisClient
from service.settings import DEFAULT_DOCUMENTS_REMEMBERED, PERSISTED_QUERIES_PER_DOCUMENT

TTL_S = 7 * 24 * 3600
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_QUERY_BYTES = 32_768
MAX_REGISTRATIONS_PER_HOUR = 200


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
    def __init__(
        self,
        redis: RedisClient,
        prefix: str,
        remembered: int = PERSISTED_QUERIES_PER_DOCUMENT * DEFAULT_DOCUMENTS_REMEMBERED,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self._local: LRU[str, str] = LRU(remembered)

    def _key(self, sha: str) -> str:
        return f"{self.prefix}apq:{sha}"

    async def lookup(self, sha: str, query: str | None) -> str:
        """The query text for a request naming `sha`: the `query` sent once its hash is checked
        (BadRequest when it does not match), or the stored text (PersistedQueryNotFound)."""
        if query is not None:
            check_hash(sha, query)
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

    async def register(self, sha: str, query: str, caller: str) -> bool:
        """Remember a validated query under its (checked) hash; False when it is not kept
        (too large, or the caller's hourly registrations are spent)."""
        if self._local.get(sha) is not None:
            return True
        if len(query.encode()) > MAX_QUERY_BYTES:
            return False
        try:
            # One round trip when another process stored it already (the common case: a known
            # query answered from the cache); only a new hash counts against the caller.
            if await self.redis.set(self._key(sha), query, ex=TTL_S, nx=True):
                counter = f"{self.prefix}apqreg:{{{caller}}}:{int(time.time() // 3600)}"
                count = int(await self.redis.incr(counter))
                if count == 1:
                    await self.redis.expire(counter, 3600)
                if count > MAX_REGISTRATIONS_PER_HOUR:
                    await self.redis.delete(self._key(sha))
                    return False
        except REDIS_ERRORS:
            pass  # without Redis it is remembered in this process only
        self._local.put(sha, query)
        return True


def check_hash(sha: str, query: str) -> None:
    """BadRequest unless `sha` is the SHA-256 of `query`."""
    if hashlib.sha256(query.encode()).hexdigest() != sha:
        raise BadRequest("provided sha does not match query", code="BAD_REQUEST")
