"""The failures a user can act on, each with a stable code and the HTTP status it maps to.

REST renders them as `{"error": {"code", "message"}}`, GraphQL as `extensions.code` (both in
service/error_responses.py), the CLI as a message and an exit code. Anything else that escapes
is a bug: it is logged with its traceback and answered as `INTERNAL_ERROR` without internals.
"""

from __future__ import annotations

ECHO_LIMIT = 100
"""Most characters of a caller's input an error message quotes back."""


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """`value` for an error message (text quoted, anything else as its repr), cut to `limit`
    characters: the message still says what was wrong, without sending a 5,000-byte input back
    (or into the logs)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class ShortflowError(Exception):
    """Base class: `code` is part of the public API; `status` is the HTTP status."""

    code = "INTERNAL_ERROR"
    status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SettingsError(ShortflowError):
    """The environment holds a value the service cannot start with."""

    code = "BAD_CONFIGURATION"


class BadRequest(ShortflowError):
    """A parameter or body the caller sent is invalid."""

    code = "BAD_REQUEST"
    status = 400


class NotFound(ShortflowError):
    """The symbol, index, fund or route does not exist."""

    code = "NOT_FOUND"
    status = 404


class PayloadTooLarge(ShortflowError):
    """The request body is larger than SHORTFLOW_MAX_BODY_BYTES."""

    code = "PAYLOAD_TOO_LARGE"
    status = 413


class Unauthorized(ShortflowError):
    """No API key where one is required, or an unknown/revoked key."""

    code = "UNAUTHORIZED"
    status = 401


class RateLimited(ShortflowError):
    """The caller spent its budget; `retry_after` says when to come back."""

    code = "RATE_LIMITED"
    status = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailable(ShortflowError):
    """Postgres cannot be reached right now; the request may be retried."""

    code = "DATABASE_UNAVAILABLE"
    status = 503


class DatabaseBusy(ShortflowError):
    """Every database connection stayed busy for as long as a request may queue for one.

    Not an outage: Postgres is up and the breaker stays closed; retrying after a moment works."""

    code = "DATABASE_BUSY"
    status = 503


class RequestTimeout(ShortflowError):
    """The request ran past its deadline (SHORTFLOW_REQUEST_TIMEOUT_S) without an answer;
    whatever it was waiting for (a hung database) was abandoned and its connection released."""

    code = "REQUEST_TIMEOUT"
    status = 503


class SchemaNotMigrated(ShortflowError):
    """The database lacks tables or functions of this version: migrations were not applied."""

    code = "SCHEMA_NOT_MIGRATED"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "the database schema is missing or older than this version of Shortflow: "
            "run `shortflow migrate`"
        )


class QueryTimeout(ShortflowError):
    """A query ran past the statement timeout."""

    code = "QUERY_TIMEOUT"
    status = 503


class IngestError(ShortflowError):
    """A file cannot be ingested at all (unknown layout, unreadable, wrong kind)."""

    code = "INGEST_FAILED"
    status = 400


class UnknownFormat(IngestError):
    """The header of a file matches none of the known layouts."""

    code = "UNKNOWN_FORMAT"


class FetchError(ShortflowError):
    """A download from a public source failed or the file is not published yet."""

    code = "FETCH_FAILED"
    status = 502
