"""Rate limits shared by every process and pod: GCRA in Redis, atomic in one Lua script.

Each caller (an API key, or a client IP without one) has a budget of N tokens per minute; a REST
call or a GraphQL request costs one token, and a GraphQL query additionally spends its estimated
cost (`tokens_for_cost`). The generic cell rate algorithm keeps one number per caller in Redis,
the theoretical arrival time (TAT): a request costing k tokens is allowed when
`TAT + k x interval - burst <= now`, and moves TAT forward by `k x interval`. The burst is a full
minute's budget, so "600 per minute" means what it says: 600 at once, then 10 per second.

A Redis round trip per request costs more than serving a cached answer (~150 us of Python), so
each process takes tokens in small leases and spends them locally. A lease starts at one token
(exact for slow callers and small limits), doubles while a caller spends leases quickly, is capped
at 1% of the caller's minute budget, expires after a second, and its unspent tokens are given
back with the next call to Redis. The global limit always holds: tokens are taken from Redis
before they are spent.

Redis down or slow: requests are allowed (fail open, data stays available), a warning is logged
at most every 30 s, and Redis is not asked again for 2 s (a circuit breaker), so an outage costs
requests nothing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from redis.exceptions import NoScriptError

from service.redisclient import REDIS_ERRORS, RedisClient

log = logging.getLogger(__name__)

# KEYS[1] the caller's TAT (microseconds, Redis clock). ARGV: 1 emission interval (us per token),
# 2 burst (tokens), 3 tokens wanted, 4 least tokens acceptable, 5 tokens given back.
# Returns {allowed, granted, remaining, retry_after_us, reset_us}.
GCRA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local least = tonumber(ARGV[4])
local refund = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if refund > 0 then tat = tat - refund * interval end
if tat < now then tat = now end
local available = math.floor((now + burst * interval - tat) / interval)
if available < least then
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
  return {0, 0, available, tat + least * interval - burst * interval - now, tat - now}
end
local granted = math.min(wanted, available)
tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return {1, granted, available - granted, 0, tat - now}
"""

COST_PER_TOKEN = 1_000
"""A GraphQL query spends one extra token per this much estimated cost (a 50,000 query: 50)."""
LEASE_SECONDS = 1.0
FAST_LEASE_SECONDS = 0.25
MAX_LEASE_SHARE = 0.01
MAX_LEASE = 1000
BREAKER_SECONDS = 2.0
WARN_EVERY_S = 30.0


def tokens_for_cost(cost: int) -> int:
    """Extra tokens a GraphQL query of this estimated cost spends (beyond the request's one)."""
    return cost // COST_PER_TOKEN


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of spending tokens, with what the RateLimit-* headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float
    retry_after_s: float = 0.0

    def headers(self) -> list[tuple[bytes, bytes]]:
        limit, policy = _limit_headers(self.limit)
        found = [
            limit,
            (b"ratelimit-remaining", str(max(0, self.remaining)).encode()),
            (b"ratelimit-reset", str(max(0, math.ceil(self.reset_s))).encode()),
            policy,
        ]
        if not self.allowed:
            found.append((b"retry-after", str(max(1, math.ceil(self.retry_after_s))).encode()))
        return found


_LIMIT_HEADERS: dict[int, tuple[tuple[bytes, bytes], tuple[bytes, bytes]]] = {}


def _limit_headers(limit: int) -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    """`RateLimit-Limit` and `RateLimit-Policy` of a limit: the same for every request of a
    caller, so built once per limit (a few distinct limits per process)."""
    found = _LIMIT_HEADERS.get(limit)
    if found is None:
        if len(_LIMIT_HEADERS) > 1_000:
            _LIMIT_HEADERS.clear()
        found = _LIMIT_HEADERS[limit] = (
            (b"ratelimit-limit", str(limit).encode()),
            (b"ratelimit-policy", f"{limit};w=60".encode()),
        )
    return found


UNLIMITED = Decision(True, 0, 0, 0.0)
"""What spending returns when limits are off (no headers are sent then)."""


@dataclass(slots=True)
class _Lease:
    tokens: int = 0
    size: int = 1
    granted_at: float = 0.0
    expires_at: float = 0.0
    remaining: int = 0
    reset_at: float = 0.0
    refill: asyncio.Future[None] | None = None


class RateLimiter:
    """Spends callers' tokens (see module docstring); one per process, shared by all requests."""

    def __init__(self, redis: RedisClient, prefix: str, *, enabled: bool = True) -> None:
        self.redis = redis
        self.prefix = prefix
        self.enabled = enabled
        self._leases: dict[str, _Lease] = {}
        self._sha: str | None = None
        self._skip_until = 0.0
        self._warned_at = -WARN_EVERY_S

    def key(self, caller: str) -> str:
        # The braces make the key its own Redis Cluster hash slot, whatever the prefix.
        return f"{self.prefix}rl:{{{caller}}}"

    async def spend(self, caller: str, limit: int, tokens: int = 1) -> Decision:
        """Spend `tokens` of `caller`'s per-minute budget `limit`."""
        if not self.enabled:
            return UNLIMITED
        now = time.monotonic()
        if tokens <= 0:
            return Decision(True, limit, limit, 0.0)
        lease = self._leases.get(caller)
        if lease is None:
            if len(self._leases) > 50_000:
                self._leases.clear()  # callers come and go; stale leases only cost their tokens
            lease = self._leases[caller] = _Lease()
        if lease.refill is not None and lease.tokens < tokens:
            # Another request of this caller is taking a lease: share it rather than ask too.
            # Once only: if others spent it first, this request asks for its own (a request that
            # kept waiting for leases others drain could wait forever).
            await asyncio.shield(lease.refill)
            now = time.monotonic()
        if lease.tokens >= tokens and now < lease.expires_at:
            lease.tokens -= tokens
            lease.remaining = max(0, lease.remaining - tokens)
            return Decision(True, limit, lease.remaining + lease.tokens, lease.reset_at - now)
        if now < self._skip_until:
            return self._fail_open(limit)
        refill = lease.refill = asyncio.get_running_loop().create_future()
        try:
            return await self._refill(caller, lease, limit, tokens, now)
        finally:
            refill.set_result(None)
            if lease.refill is refill:
                lease.refill = None

    async def _refill(
        self, caller: str, lease: _Lease, limit: int, tokens: int, now: float
    ) -> Decision:
        """Ask Redis for a new lease (`tokens` at least) and spend `tokens` of it."""
        # Whatever is left of the current lease goes back: a new lease replaces it.
        refund = lease.tokens
        lease.size = self._next_size(lease, now, limit)
        wanted = max(tokens, lease.size)
        try:
            reply = await self._call(caller, limit, wanted, tokens, refund)
        except REDIS_ERRORS as exc:
            self._skip_until = now + BREAKER_SECONDS
            if now - self._warned_at >= WARN_EVERY_S:
                self._warned_at = now
                log.warning("rate limits not enforced: Redis unavailable (%s)", exc)
            return self._fail_open(limit)
        allowed, granted, remaining, retry_us, reset_us = (int(x) for x in reply)
        lease.tokens = 0
        if not allowed:
            return Decision(False, limit, 0, reset_us / 1e6, retry_us / 1e6)
        lease.tokens = granted - tokens
        lease.granted_at = now
        lease.expires_at = now + LEASE_SECONDS
        lease.remaining = remaining
        lease.reset_at = now + reset_us / 1e6
        return Decision(True, limit, remaining + lease.tokens, reset_us / 1e6)

    def _next_size(self, lease: _Lease, now: float, limit: int) -> int:
        cap = max(1, min(MAX_LEASE, int(limit * MAX_LEASE_SHARE)))
        if lease.granted_at and now - lease.granted_at < FAST_LEASE_SECONDS:
            return min(cap, lease.size * 2)
        if now >= lease.expires_at and lease.tokens:
            return max(1, lease.size // 2)
        return min(cap, lease.size)

    async def _call(
        self, caller: str, limit: int, wanted: int, least: int, refund: int
    ) -> list[int]:
        interval_us = 60_000_000 / limit
        args = (interval_us, limit, wanted, least, refund)
        key = self.key(caller)
        if self._sha is None:
            self._sha = await self.redis.script_load(GCRA)
        try:
            reply = await self.redis.evalsha(self._sha, 1, key, *args)
        except NoScriptError:
            # The node owning the key lost its script cache (a restart, a failover, a slot moved
            # to another cluster node). redis-py strips the "NOSCRIPT" prefix from the message,
            # so the type is the only sign. EVAL runs it and caches it on that node again.
            reply = await self.redis.eval(GCRA, 1, key, *args)
        return list(reply)

    def _fail_open(self, limit: int) -> Decision:
        return Decision(True, limit, limit, 0.0)
