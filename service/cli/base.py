"""What every `shortflow` command shares: exit codes, error messages, running a coroutine, and
the settings and embedded servers of one invocation.

Exit codes (docs/product.md section 3): 0 success; 1 failure, nothing applied; 2 usage error (bad
arguments or configuration); 3 ingested, but some rows were rejected.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

import asyncpg
import click

from service.embedded import EmbeddedServers, start_embedded
from service.errors import SettingsError, ShortflowError
from service.settings import Settings, load_settings

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3

MESSAGE_LIMIT = 300
"""Most characters of one message the command prints (a binary file's "header" is megabytes)."""


def printable(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` safe for a terminal: control characters (a file's NULs and escape sequences, which
    would otherwise reach the terminal as they are) and U+FFFD (bytes that were not text) are
    shown as escapes, and anything past `limit` characters is cut, saying how much was."""
    shown = "".join(
        ch
        if ch.isprintable() and ch != "\ufffd"
        else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in text[:limit]
    )
    if len(text) > limit:
        return f"{shown}... ({len(text):,} characters)"
    return shown


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    click.secho(f"error: {printable(message)}", fg="red", err=True)
    sys.exit(code)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; a ShortflowError becomes a message and exit code 1, not a traceback."""
    try:
        return asyncio.run(coro)
    except SettingsError as exc:
        fail(exc.message, EXIT_USAGE)
    except ShortflowError as exc:
        fail(exc.message)
    except (OSError, asyncpg.PostgresError) as exc:
        # Not ours to explain in detail: say what failed in one line (the traceback at DEBUG).
        logging.getLogger("service.cli").debug("command failed", exc_info=exc)
        fail(f"{type(exc).__name__}: {exc}")


class Environment:
    """Settings plus the embedded servers started for them, created on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._embedded: EmbeddedServers | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except SettingsError as exc:
                fail(exc.message, EXIT_USAGE)
        return self._settings

    def resolved(self) -> Settings:
        """Settings with DATABASE_URL/REDIS_URL pointing at embedded servers where unset."""
        if self._embedded is None:
            try:
                self._embedded = start_embedded(self.settings)
            except ShortflowError as exc:
                fail(exc.message)
        return self._embedded.apply(self.settings)

    @property
    def embedded(self) -> EmbeddedServers:
        self.resolved()
        assert self._embedded is not None
        return self._embedded

    def database_url(self) -> str:
        url = self.resolved().database_url
        assert url is not None
        return url

    def redis_url(self) -> str:
        url = self.resolved().redis_url
        assert url is not None
        return url


pass_env = click.make_pass_decorator(Environment, ensure=True)


def parse_date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    """click callback of a YYYY-MM-DD option (None stays None: the option was not given)."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
