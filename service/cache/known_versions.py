"""What this process knows of the dataset versions, the part of every cache key that ingest moves.

Postgres holds the truth (`dataset_version`, bumped in every ingest's transaction). A process
learns of changes three ways, fastest first:

1. the ingest's announcement on Redis pub/sub (`apply_message`), milliseconds after its commit;
2. a re-read from Postgres whenever the subscription (re)connects, since announcements sent while
   it was away are lost;
3. a re-read from Postgres every few seconds (`poll`), a backstop for an announcement that was
   never sent (Redis down at the moment an ingest committed).

Versions only ever go up. When they change, `on_change` runs (the in-process tier drops its
entries, the database learns the WAL position replicas must have reached).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import orjson

from service.errors import ShortflowError

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0

Loader = Callable[[], Awaitable[Mapping[str, int]]]


class DatasetVersions:
    def __init__(
        self,
        load: Loader,
        on_change: Callable[[], None] | None = None,
        on_lsn: Callable[[str], None] | None = None,
    ) -> None:
        self._load = load
        self._on_change = on_change
        self._on_lsn = on_lsn
        self.versions: dict[str, int] = {}
        self.token = ""
        self.synced = False
        self._task: asyncio.Task[None] | None = None

    def apply(self, versions: Mapping[str, int]) -> bool:
        """Raise the known versions to `versions`; True when anything changed."""
        changed = False
        for name, version in versions.items():
            if version > self.versions.get(name, -1):
                self.versions[name] = int(version)
                changed = True
        if changed:
            self.token = ".".join(f"{v}" for _, v in sorted(self.versions.items()))
            if self._on_change is not None:
                self._on_change()
        return changed

    def apply_message(self, payload: bytes) -> None:
        """An ingest's announcement: `{"versions": {...}, "lsn": "0/..."}` (or bare versions)."""
        try:
            message = orjson.loads(payload)
        except orjson.JSONDecodeError:
            log.warning("ignored a malformed invalidation message: %r", payload[:200])
            return
        if not isinstance(message, dict):
            return
        versions = message.get("versions", message)
        lsn = message.get("lsn")
        if isinstance(lsn, str) and self._on_lsn is not None:
            # Replicas first: once the versions move, reads must already see the new data.
            try:
                self._on_lsn(lsn)
            except ValueError:
                log.warning("ignored a malformed WAL position in an invalidation: %r", lsn)
        if isinstance(versions, dict):
            self.apply({k: v for k, v in versions.items() if isinstance(v, int)})

    async def refresh(self) -> bool:
        """Re-read the versions from Postgres; False when it cannot be reached. A success makes
        the versions trustworthy (`synced`) until the next reconnection."""
        try:
            self.apply(await self._load())
        except (ShortflowError, OSError, TimeoutError) as exc:
            log.warning("could not read dataset versions: %s", exc)
            return False
        self.synced = True
        return True

    async def resync(self) -> None:
        """After the subscription (re)connects: trust nothing until Postgres was read."""
        self.synced = False
        await self.refresh()

    def start_polling(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._poll(), name="shortflow-versions")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            await self.refresh()
