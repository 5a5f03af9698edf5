"""Dataset versions: the numbers that make cached answers unreachable after an ingest.

Postgres is the source of truth (`dataset_version`, bumped in each ingest's transaction). After
the commit, the ingest mirrors the new numbers into the Redis hash `{prefix}versions` (never
lowering a number, so concurrent ingests cannot go backwards) and publishes them on
`{prefix}invalidate`, so every API process drops its in-process cache at once. If Redis is down at
that moment, API processes still catch up from Postgres (see service/cache/known_versions.py).

The message is `{"versions": {"short_interest": 12, ...}, "lsn": "0/3000148"}`: `lsn` is the
primary's WAL position right after the ingest committed (null when unknown). A receiving process
passes it to `Database.observe_lsn` so its reads skip replicas that have not replayed the ingest
yet (docs/replicas.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Invalidation:
    """What one message on `{prefix}invalidate` says."""

    versions: dict[str, int]
    lsn: str | None


def encode_invalidation(versions: dict[str, int], lsn: str | None) -> bytes:
    return orjson.dumps({"versions": versions, "lsn": lsn})


def decode_invalidation(data: bytes | str) -> Invalidation:
    """Parse a message of the channel; ValueError when it is not one."""
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not an invalidation message: {exc}") from None
    versions = body.get("versions") if isinstance(body, dict) else None
    lsn = body.get("lsn") if isinstance(body, dict) else None
    if (
        not isinstance(versions, dict)
        or not all(isinstance(v, int) and isinstance(k, str) for k, v in versions.items())
        or not (lsn is None or isinstance(lsn, str))
    ):
        raise ValueError(f"not an invalidation message: {str(data)[:200]}")
    return Invalidation(versions=versions, lsn=lsn)


async def publish_versions(
    redis_url: str, prefix: str, versions: dict[str, int], lsn: str | None = None
) -> bool:
    """Mirror `versions` into Redis and announce them with the ingest's WAL position `lsn`;
    False (logged) when Redis is unreachable."""
    if not versions:
        return True
    client = create_redis(redis_url, timeout=2.0)
    try:
        arguments: list[str | int] = []
        for dataset, version in sorted(versions.items()):
            arguments += [dataset, version]
        await client.eval(RAISE_VERSIONS, 1, versions_key(prefix), *arguments)
        await client.publish(invalidation_channel(prefix), encode_invalidation(versions, lsn))
        return True
    except REDIS_ERRORS as exc:
        log.warning("could not announce new dataset versions to Redis: %s", exc)
        return False
    finally:
        await client.aclose()
