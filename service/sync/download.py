"""Polite, atomic downloads from the public sources, kept with their checksums.

Every source downloads through one `Downloader`, which is what makes the rules hold everywhere:

- a User-Agent naming Shortflow (a source may require its own, such as SEC's contact address);
- a request rate per host (`aiolimiter`: SEC allows 10 requests/s, the others get less);
- retries with exponential backoff on 5xx, 429 and connection errors (`tenacity`), never on any
  other 4xx: a 403 or 404 is the source's answer for "not published", which the caller decides;
- a screen of the body for hosts that answer 200 with a message instead of a file (Stooq's
  `No data`, its daily hit limit): the message is never kept as a download;
- a size limit while streaming (`SHORTFLOW_SYNC_MAX_DOWNLOAD_MB`): a body larger than that is
  refused, whatever Content-Length said;
- the file written to a temporary name and renamed, with a `.sha256` beside it (sha256sum's
  format), under `SHORTFLOW_HOME/downloads/<source>/`: a file there is always whole, and
  `--offline` re-ingests it after checking it against its checksum.

Paths under the download directory are chosen by the source from what it asked for (a date, a
facility), never from anything the server sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx
from aiolimiter import AsyncLimiter
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from service.errors import FetchError

USER_AGENT = "Shortflow/0.1 (+https://github.com/shortflow/shortflow; open short-interest data)"
"""What every request says it is, unless a source needs more (SEC wants a contact)."""

CHUNK_BYTES = 1 << 16
SCREEN_BYTES = 4096
"""How much of a body `Politeness.screen` sees: a host's messages are short."""

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class NotPublished(FetchError):
    """The source answered that the file does not exist (yet): not an error of the sync."""

    code = "NOT_PUBLISHED"
    status = 404


class NoData(NotPublished):
    """The host has nothing for what was asked (Stooq's `No data` for an unknown symbol): done
    for that item, not an error, and not asked again for the same item."""

    code = "NO_DATA"


class Refused(FetchError):
    """The host refuses further requests (a daily quota): the source stops until the next run."""

    code = "REFUSED"
    status = 503


class _Transient(Exception):
    """A failure worth another attempt (5xx, 429, a dropped connection)."""


@dataclass(frozen=True)
class Politeness:
    """How one source's host is treated."""

    requests_per_second: float = 2.0
    user_agent: str = USER_AGENT
    attempts: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 60.0
    missing_statuses: tuple[int, ...] = (403, 404)
    """Statuses that mean "no such file": FINRA's CDN answers 403 for a date not published."""
    screen: Callable[[str, bytes], None] | None = None
    """Called with the URL and the first `SCREEN_BYTES` of a 200 body before it is kept; raises
    NoData or Refused for a host's message in place of a file."""


@dataclass(frozen=True)
class Stored:
    """A downloaded file: where it is, what it hashes to, where it came from."""

    url: str
    path: Path
    sha256: str
    bytes: int


def safe_relative(relative: str) -> PurePosixPath:
    """`relative` as a path below the download directory, or ValueError: plain names joined by
    "/", no "..", nothing absolute, nothing a shell or a file system reads specially."""
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or not all(_SAFE_PART.match(p) for p in path.parts):
        raise ValueError(f"unsafe download path {relative!r}")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Downloader:
    """Downloads of one sync run: one HTTP client, one rate limiter per host."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._client = httpx.AsyncClient(follow_redirects=True, transport=transport)
        self._limiters: dict[str, AsyncLimiter] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Downloader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def stored(self, relative: str) -> Stored | None:
        """The file kept under `relative` when it is whole (it matches its checksum), else None."""
        path = self.root / safe_relative(relative)
        checksum = path.with_name(path.name + ".sha256")
        if not path.is_file() or not checksum.is_file():
            return None
        expected = checksum.read_text("ascii", errors="replace").split(" ", 1)[0].strip()
        actual = sha256_of(path)
        if actual != expected:
            return None
        return Stored(url="", path=path, sha256=actual, bytes=path.stat().st_size)

    async def fetch(
        self,
        url: str,
        relative: str,
        politeness: Politeness,
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> Stored:
        """Download `url` to `relative` (atomically, with its checksum).

        NotPublished when the host answers one of `politeness.missing_statuses`; FetchError for
        anything else that is not a file, after the retries when it was transient."""
        target = self.root / safe_relative(relative)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        limiter = self._limiter(url, politeness)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(politeness.attempts),
            wait=wait_exponential(multiplier=politeness.backoff_s, max=60),
            retry=retry_if_exception_type((_Transient, httpx.TransportError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with limiter:
                        return await self._get(url, target, politeness, on_progress)
        except _Transient as exc:
            raise FetchError(f"{url}: {exc} after {politeness.attempts} attempts") from None
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise FetchError(f"{url}: {reason} after {politeness.attempts} attempts") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _limiter(self, url: str, politeness: Politeness) -> AsyncLimiter:
        host = urlsplit(url).netloc
        limiter = self._limiters.get(host)
        if limiter is None:
            # One request per 1/rate seconds, no bursts: the gentlest reading of a host's limit.
            limiter = AsyncLimiter(1, 1 / politeness.requests_per_second)
            self._limiters[host] = limiter
        return limiter

    async def _get(
        self,
        url: str,
        target: Path,
        politeness: Politeness,
        on_progress: Callable[[int, int | None], None] | None,
    ) -> Stored:
        headers = {"User-Agent": politeness.user_agent, "Accept-Encoding": "gzip"}
        async with self._client.stream(
            "GET", url, headers=headers, timeout=politeness.timeout_s
        ) as response:
            status = response.status_code
            if status in politeness.missing_statuses:
                raise NotPublished(f"{url}: no such file (HTTP {status}); not published yet")
            if status == 429 or status >= 500:
                raise _Transient(f"HTTP {status}")
            if status != 200:
                raise FetchError(f"{url}: unexpected HTTP {status}")
            declared = response.headers.get("content-length")
            total = int(declared) if declared and declared.isdigit() else None
            if total is not None and total > self.max_bytes:
                raise FetchError(f"{url}: {total:,} bytes is over the limit of {self.max_bytes:,}")
            return await self._write(url, response, target, total, politeness, on_progress)

    async def _write(
        self,
        url: str,
        response: httpx.Response,
        target: Path,
        total: int | None,
        politeness: Politeness,
        on_progress: Callable[[int, int | None], None] | None,
    ) -> Stored:
        digest = hashlib.sha256()
        received = 0
        head = b""
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                async for chunk in response.aiter_bytes(CHUNK_BYTES):
                    received += len(chunk)
                    if received > self.max_bytes:
                        raise FetchError(f"{url}: more than the limit of {self.max_bytes:,} bytes")
                    out.write(chunk)
                    digest.update(chunk)
                    if len(head) < SCREEN_BYTES:
                        head += chunk[: SCREEN_BYTES - len(head)]
                    if on_progress is not None:
                        on_progress(received, total)
            encoding = response.headers.get("content-encoding", "identity")
            if total is not None and encoding == "identity" and received != total:
                raise _Transient(f"connection closed after {received:,} of {total:,} bytes")
            if politeness.screen is not None:
                politeness.screen(url, head)
            checksum = target.with_name(target.name + ".sha256")
            # The data file is renamed into place first, its checksum last: a kill in between
            # leaves a file without a checksum, which `stored` does not trust.
            os.replace(temporary, target)
            checksum.write_text(f"{digest.hexdigest()}  {target.name}\n", "ascii")
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return Stored(url=url, path=target, sha256=digest.hexdigest(), bytes=received)
