"""The Redis pub/sub listener of an API process: what other processes announce.

Two channels: `{prefix}invalidate` (an ingest committed: new dataset versions and the primary's
WAL position) and `{prefix}keys` (an API key was revoked). The listener runs for the app's
lifetime, reconnects with backoff when Redis goes away, and calls `on_connect` after every
(re)subscription, since messages published while it was away are lost: the owner then re-reads
what it may have missed. `healthy` is true only while subscribed, so the response cache can refuse
to trust its in-process tier when invalidations could be missed.

Classic PUBLISH reaches every node of a Redis Cluster, so with a cluster the listener subscribes
on one node (the first of the URL) through a plain connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from service.redisclient import REDIS_ERRORS, is_cluster_url

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Awaitable[None] | None]
RECONNECT_MIN_S = 0.1
RECONNECT_MAX_S = 5.0
POLL_S = 1.0


def _node_url(url: str) -> str:
    if is_cluster_url(url):
        parts = urlsplit(url)
        return urlunsplit(("redis", *parts[1:]))
    return url


class EventListener:
    """Subscribes to channels and calls their handlers (see module docstring)."""

    def __init__(
        self,
        redis_url: str,
        handlers: dict[str, Handler],
        on_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.redis_url = _node_url(redis_url)
        self.handlers = handlers
        self.on_connect = on_connect
        self.healthy = False
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="shortflow-events")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.healthy = False

    async def _run(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            # No retries inside the client: a dropped connection must end the subscription at
            # once (the cache stops trusting its memory), and this loop reconnects by itself.
            client = Redis.from_url(
                self.redis_url,
                socket_connect_timeout=1.0,
                socket_timeout=None,
                retry=Retry(NoBackoff(), 0),
            )
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(*self.handlers)
                    self.healthy = True
                    delay = RECONNECT_MIN_S
                    if self.on_connect is not None:
                        await self.on_connect()
                    self.connected.set()
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=POLL_S
                        )
                        if message is not None:
                            await self._dispatch(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except REDIS_ERRORS as exc:
                if self.healthy:
                    log.warning("lost the Redis event subscription: %s; reconnecting", exc)
            finally:
                self.healthy = False
                self.connected.clear()
                await client.aclose()
            await asyncio.sleep(delay)
            delay = min(RECONNECT_MAX_S, delay * 2)

    async def _dispatch(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        handler = self.handlers.get(name)
        if handler is None:
            return
        payload = data.encode() if isinstance(data, str) else data
        try:
            result = handler(payload)
            if result is not None:
                await result
        except Exception:
            # One bad message must not end the subscription of the whole process.
            log.exception("event handler for %s failed", name)
