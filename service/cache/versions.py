"""Dataset versions: the numbers that make cached answers unreachable after an ingest.

Postgres is the source of truth (`dataset_version`, bumped in each ingest's transaction). After
the commit, the ingest mirrors the new numbers into the Redis hash `{prefix}versions` (never
lowering a number, so concurrent ingests cannot go backwards) and publishes them on
`{prefix}invalidate`, so every API process drops its in-process cache at once. If Redis is down at
that moment, API processes still catch up from Postgres (see service/cache/response.py).
"""

from __future__ import annotations

import logging

import orjson

from service.redisclient import REDIS_ERRORS, create_redis

log = logging.getLogger(__name__)

# HSET each field only upwards; returns the resulting versions as a flat list.
RAISE_VERSIONS = """
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return redis.call('HGETALL', KEYS[1])
"""


def versions_key(prefix: str) -> str:
    return f"{prefix}versions"


def invalidation_channel(prefix: str) -> str:
    return f"{prefix}invalidate"


async def publish_versions(redis_url: str, prefix: str, versions: dict[str, int]) -> bool:
    """Mirror `versions` into Redis and announce them; False (logged) when Redis is unreachable."""
    if not versions:
        return True
    client = create_redis(redis_url, timeout=2.0)
    try:
        arguments: list[str | int] = []
        for dataset, version in sorted(versions.items()):
            arguments += [dataset, version]
        await client.eval(RAISE_VERSIONS, 1, versions_key(prefix), *arguments)
        await client.publish(invalidation_channel(prefix), orjson.dumps(versions))
        return True
    except REDIS_ERRORS as exc:
        log.warning("could not announce new dataset versions to Redis: %s", exc)
        return False
    finally:
        await client.aclose()
