"""Structured logs: one JSON object per line, each carrying the request id of its request.

The request id comes from the `X-Request-ID` header when a caller (or a proxy) sends a sane one, or
is generated; it is returned in `X-Request-ID` and stamped on every log line of the request through
a context variable, so one grep finds everything a request did.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time

import orjson
from pythonjsonlogger.json import JsonFormatter

from service.later import FlushLater

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "shortflow_request_id", default=None
)


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything a terminal
# or a log shipper could take as the end of a line or an escape sequence.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\u{ord(char):04x}")


class ConsoleFormatter(logging.Formatter):
    """One line per record: control characters in the message are escaped, so a path holding
    `%0A` cannot start a forged line (`GET /x\\nERROR ...`). A traceback, appended after the
    message, keeps its own lines. (JSON lines escape them by construction.)"""

    def formatMessage(self, record: logging.LogRecord) -> str:  # logging's name
        record.message = _CONTROL.sub(_escaped, record.message)
        return super().formatMessage(record)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Route the root logger (and uvicorn's) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(ConsoleFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our access line (service.http) carries route, status and timing; uvicorn's would repeat it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


ACCESS_LOGGER = "service.http"
ACCESS_FLUSH_S = 0.1
"""How long an access line may wait in memory before it is written (and lost on a SIGKILL)."""
ACCESS_MAX_PENDING = 1024
"""Lines kept before a write regardless of the timer, so a burst writes in bounded batches."""


_Entry = tuple[float, str, str, str, int, str, float, int, str | None]
"""An access line before formatting: (time, method, path, route, status, cache, seconds,
queries, request id)."""


class AccessLines:
    """The access log: one line per request, formatted and written off the request path.

    A line through `logging` (a LogRecord, the JSON formatter, a locked write and flush per
    line) cost a cached answer more than the answer itself: about 50 us beside 20 us
    (docs/benchmarks.md). A request here appends one tuple; every ACCESS_FLUSH_S (or every
    ACCESS_MAX_PENDING lines) the batch is formatted and written to stderr in one call, in the
    configured format and with the fields a `logging` line had (time, level, logger, message,
    request_id, method, path, route, status, cache, duration_ms, db_queries). The lifespan
    flushes what is left on shutdown. Lines are at INFO: they are written only while the
    `service.http` logger is enabled for INFO (SHORTFLOW_LOG_LEVEL).
    """

    def __init__(self, fmt: str = "json") -> None:
        self.fmt = fmt
        self._pending: list[_Entry] = []
        self._later = FlushLater(ACCESS_FLUSH_S, self.flush)
        self._logger = logging.getLogger(ACCESS_LOGGER)

    def enabled(self) -> bool:
        return self._logger.isEnabledFor(logging.INFO)

    def add(
        self,
        method: str,
        path: str,
        route: str,
        status: int,
        cache: str,
        seconds: float,
        queries: int,
        request_id: str | None,
    ) -> None:
        pending = self._pending
        pending.append(
            (time.time(), method, path, route, status, cache, seconds, queries, request_id)
        )
        if len(pending) >= ACCESS_MAX_PENDING:
            self.flush()
        else:
            self._later.arm()

    def flush(self) -> None:
        """Write the pending lines (one write), and stop the timer until the next line."""
        self._later.disarm()
        if not self._pending:
            return
        entries, self._pending = self._pending, []
        line = self._json if self.fmt == "json" else self._console
        stamps = _Stamps()
        text = "".join([line(stamps(entry[0]), entry) for entry in entries])
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed (a shutdown): nothing left to tell
            pass

    @staticmethod
    def _json(stamp: str, entry: _Entry) -> str:
        _, method, path, route, status, cache, seconds, queries, request_id = entry
        # One template rather than a dict through orjson per line. The path (and the message
        # holding it) comes from the caller as sent and goes through orjson's escaping each
        # time; the request id is ours or matched `[A-Za-z0-9._-]` (service/request_context.py),
        # so it needs
        # none; the other strings are few and repeat (method, route template, cache result), so
        # each is quoted once and remembered.
        rid = "null" if request_id is None else f'"{request_id}"'
        text = (
            f'{{"time":"{stamp}","level":"INFO","logger":"{ACCESS_LOGGER}","message":'
            f"{_json_string(f'{method} {path} {status}')},"
            f'"request_id":{rid},'
            f'"method":{_quoted(method)},'
            f'"path":{_json_string(path)},"route":{_quoted(route)},"status":{status},'
            f'"cache":{_quoted(cache)},"duration_ms":{round(seconds * 1000, 2)!r},'
            f'"db_queries":{queries}}}'
        )
        if "\u2028" in text or "\u2029" in text:
            # Valid raw in JSON, but a line break to Python's splitlines and some shippers.
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return text + "\n"

    @staticmethod
    def _console(stamp: str, entry: _Entry) -> str:
        method, path, status = entry[1], entry[2], entry[4]
        message = _CONTROL.sub(_escaped, f"{method} {path} {status}")
        return f"{stamp} INFO    {ACCESS_LOGGER}: {message}\n"


_QUOTED: dict[str | None, str] = {}


def _json_string(value: str | None) -> str:
    """`value` as a JSON string (or null), escaped by orjson."""
    return orjson.dumps(value).decode()


def _quoted(value: str | None) -> str:
    """`_json_string(value)`, remembered: for the few values that repeat on every line."""
    found = _QUOTED.get(value)
    if found is None:
        found = _json_string(value)
        if len(_QUOTED) < 4096:  # bounded, whatever a client sends as its method
            _QUOTED[value] = found
    return found


class _Stamps:
    """`logging`'s default time format (`2026-12-02 21:54:12,944`), strftime once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, at: float) -> str:
        second = int(at)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._prefix},{int((at - second) * 1000):03d}"
