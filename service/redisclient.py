"""The Redis client of a process: a single node or a Redis Cluster, with short timeouts.

Redis only ever holds derived data here (cached responses, rate-limit counters, locks), so every
call site treats a Redis error as "carry on without it". The timeouts are short for the same
reason: a slow Redis must cost a request milliseconds, not seconds.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from service.settings import Settings

SOCKET_TIMEOUT_S: float = Settings.model_fields["redis_timeout_s"].default
"""SHORTFLOW_REDIS_TIMEOUT_S's default, for clients made without settings."""

RedisClient = Redis | RedisCluster
"""Both expose the commands Shortflow uses (GET/SET/EVALSHA/PUBLISH...) with the same API."""

REDIS_ERRORS: tuple[type[BaseException], ...] = (
    RedisError,
    # Not a RedisError: what RedisCluster raises when no node of the cluster can be reached.
    RedisClusterException,
    OSError,
    TimeoutError,
)
"""What a Redis call may raise when the server (or every node of a cluster) is away or slow."""


def is_cluster_url(url: str) -> bool:
    return urlsplit(url).scheme == "redis+cluster"


def create_redis(url: str, *, timeout: float = SOCKET_TIMEOUT_S, **kwargs: Any) -> RedisClient:
    """A client for `url`; `redis+cluster://host:port` names any node of a Redis Cluster."""
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        **kwargs,
    }
    if is_cluster_url(url):
        parts = urlsplit(url)
        return RedisCluster.from_url(urlunsplit(("redis", *parts[1:])), **options)
    return Redis.from_url(url, health_check_interval=10, **options)
