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

from pythonjsonlogger.json import JsonFormatter

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
