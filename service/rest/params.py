"""Declared parameters of the /v1 routes: one declaration parses a value and documents it.

A route lists its `Param`s; the same objects validate the request (`parse_request`) and write the
OpenAPI parameter objects (`Param.openapi`), so the documented constraints are exactly the
enforced ones. Every failure is a 400 naming the parameter, what is wrong and what is allowed;
a query parameter the route does not take is refused too (a typo such as `?form=2026-01-01` would
otherwise silently return everything).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from service.catalogue import page_size
from service.cursors import REST_LIMIT
from service.errors import BadRequest, shown

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"^\d+$")
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")


class InvalidParameter(BadRequest):
    """A parameter value that does not parse or is out of range."""

    code = "INVALID_PARAMETER"


class UnknownParameter(BadRequest):
    """A query parameter the route does not take."""

    code = "UNKNOWN_PARAMETER"


Kind = Literal["date", "integer", "number", "string", "enum", "list"]
Location = Literal["query", "path"]


@dataclass(frozen=True)
class TextRule:
    """What a text parameter may hold: a pattern, a length, and the same in words."""

    pattern: str
    max_length: int
    words: str


# Control characters have no place in a symbol, a code or a search term (and a NUL cannot even
# be sent to Postgres).
TEXT = TextRule(r"^[^\x00-\x1f\x7f]{0,100}$", 100, "at most 100 characters, no control characters")
# A ticker as the ingest accepts it (1 to 24 characters, no whitespace); "/" cannot be in a path
# segment.
SYMBOL = TextRule(
    r"^[^\s/\x00-\x1f\x7f]{1,24}$", 24, "1 to 24 characters, no spaces, control characters or /"
)
# An index code as the index-members ingest accepts it.
INDEX_CODE = TextRule(
    r"^[A-Za-z0-9_.\-]{1,32}$", 32, "1 to 32 letters, digits, '_', '.' or '-', e.g. R2000"
)
MARKET_CLASS = TextRule(r"^[A-Z0-9]{1,10}$", 10, "1 to 10 capital letters or digits, e.g. NNM")
CURSOR = TextRule(
    r"^[A-Za-z0-9_\-]{1,200}$", 200, "the `next_cursor` of a previous page of the same route"
)


@dataclass(frozen=True)
class Param:
    """One path or query parameter: how it parses and how it is documented."""

    name: str
    kind: Kind
    description: str
    example: str | int | float | None
    location: Location = "query"
    default: str | int | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    text: TextRule | None = None
    not_after_today: bool = False
    """A date that may not be later than today (a point in time: nothing is known from the
    future). Range ends may be (`to` in the future is just an open end)."""
    required: bool = False
    """A query parameter without a default that must be given (path parameters always are)."""
    max_items: int = 1
    """A list: at most this many comma-separated values, each one of `choices` (or matching
    `text`)."""
    _compiled: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.text is not None:
            object.__setattr__(self, "_compiled", re.compile(self.text.pattern))

    def _fail(self, raw: str, problem: str) -> InvalidParameter:
        where = "path parameter" if self.location == "path" else "parameter"
        return InvalidParameter(f"{where} `{self.name}`: {shown(raw)} {problem}; {self.allowed()}")

    def allowed(self) -> str:
        """What the parameter accepts, in words (the end of every error message about it)."""
        if self.kind == "date":
            text = "expected a calendar date as YYYY-MM-DD, e.g. 2026-07-31"
            if self.not_after_today:
                text += ", not after today"
        elif self.kind == "integer":
            text = f"expected a whole number from {self.minimum} to {self.maximum}"
        elif self.kind == "number":
            text = "expected a decimal number such as 12.5 or -3"
        elif self.kind == "list" and self.choices:
            text = (
                f"expected up to {self.max_items} of {', '.join(self.choices)}, separated by commas"
            )
        elif self.kind == "list":
            words = self.text.words if self.text else "text"
            text = f"expected up to {self.max_items} values ({words}), separated by commas"
        elif self.kind == "enum":
            text = f"expected one of {', '.join(self.choices)}"
        else:
            text = f"expected {self.text.words if self.text else 'text'}"
        if self.default is not None:
            text += f" (default {self.default})"
        return text

    def parse(self, raw: str) -> object:
        """The typed value of `raw`, or InvalidParameter."""
        if self.kind == "date":
            if not _DATE.match(raw):
                raise self._fail(raw, "is not a date")
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise self._fail(raw, "is not a valid calendar date") from None
            if self.not_after_today and day > date.today():
                raise self._fail(raw, f"is after today ({date.today()})")
            return day
        if self.kind == "integer":
            if not _DIGITS.match(raw):
                raise self._fail(raw, "is not a whole number")
            low, high = self.minimum or 0, self.maximum or 0
            # Length first: int() of a huge digit string is slow (and refused past 4300 digits).
            if len(raw) > len(str(high)) or not low <= int(raw) <= high:
                raise self._fail(raw, "is out of range")
            return int(raw)
        if self.kind == "number":
            if not _NUMBER.match(raw):
                raise self._fail(raw, "is not a number")
            return float(raw)
        if self.kind == "enum":
            if raw not in self.choices:
                raise self._fail(raw, "is not allowed")
            return raw
        if self.kind == "list":
            return self._parse_list(raw)
        if self.text is not None and len(raw) > self.text.max_length:
            raise self._fail(raw, "is too long")
        if self._compiled is not None and not self._compiled.match(raw):
            raise self._fail(raw, "is not allowed here")
        return raw

    def _parse_list(self, raw: str) -> tuple[str, ...]:
        values = tuple(raw.split(","))
        if len(values) > self.max_items:
            raise self._fail(raw[:60], f"holds more than {self.max_items} values")
        for value in values:
            if self.choices and value not in self.choices:
                raise self._fail(value, "is not allowed")
            if self.text is not None and (
                len(value) > self.text.max_length
                or (self._compiled is not None and not self._compiled.match(value))
            ):
                raise self._fail(value, "is not allowed here")
        return values

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the parameter's value."""
        schema: dict[str, Any]
        if self.kind == "date":
            schema = {"type": "string", "format": "date"}
        elif self.kind == "number":
            schema = {"type": "number"}
        elif self.kind == "list":
            # One string of comma-separated values (OpenAPI style form, explode false).
            items: dict[str, Any] = {"type": "string"}
            if self.choices:
                items["enum"] = list(self.choices)
            schema = {"type": "array", "items": items, "maxItems": self.max_items}
        elif self.kind == "integer":
            schema = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        elif self.kind == "enum":
            schema = {"type": "string", "enum": list(self.choices)}
        else:
            schema = {"type": "string"}
            if self.text is not None:
                schema["maxLength"] = self.text.max_length
                schema["pattern"] = self.text.pattern
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 parameter object."""
        parameter: dict[str, Any] = {
            "name": self.name,
            "in": self.location,
            "required": self.location == "path" or self.required,
            "description": self.description,
            "schema": self.schema(),
        }
        if self.kind == "list":
            parameter["style"], parameter["explode"] = "form", False
        # Swagger UI pre-fills "Try it out" with examples: an opaque token has none to offer.
        if self.example is not None:
            parameter["example"] = self.example
        return parameter


def date_param(
    name: str, description: str, example: str, *, not_after_today: bool = False
) -> Param:
    return Param(name, "date", description, example, not_after_today=not_after_today)


def limit_param(default: int, what: str) -> Param:
    return Param(
        "limit",
        "integer",
        page_size(what, REST_LIMIT.minimum, REST_LIMIT.maximum, default),
        example=default,
        default=default,
        minimum=REST_LIMIT.minimum,
        maximum=REST_LIMIT.maximum,
    )


def year_param(description: str, example: int, minimum: int, maximum: int) -> Param:
    return Param(
        "year",
        "integer",
        description,
        example=example,
        minimum=minimum,
        maximum=maximum,
        required=True,
    )


def enum_param(name: str, description: str, choices: Iterable[str], default: str | None) -> Param:
    values = tuple(choices)
    return Param(name, "enum", description, default or values[0], default=default, choices=values)


def number_param(name: str, description: str, example: float) -> Param:
    return Param(name, "number", description, example)


def list_param(
    name: str,
    description: str,
    example: str | None,
    max_items: int,
    *,
    choices: Iterable[str] = (),
    rule: TextRule | None = None,
) -> Param:
    return Param(
        name,
        "list",
        description,
        example,
        choices=tuple(choices),
        text=rule,
        max_items=max_items,
    )


def text_param(
    name: str, description: str, example: str | None, rule: TextRule, location: Location = "query"
) -> Param:
    return Param(name, "string", description, example, location=location, text=rule)


FORMAT = enum_param(
    "format",
    "Representation: json (default) or csv (a header row, then one row per item; the same as "
    "`Accept: text/csv`). Wins over the Accept header.",
    ("json", "csv"),
    None,
)


def parse_request(
    params: Iterable[Param],
    path_values: Mapping[str, str],
    query: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """Typed values of every declared parameter (defaults filled in); InvalidParameter or
    UnknownParameter for anything else in the request."""
    declared = {p.name: p for p in params if p.location == "query"}
    given: dict[str, str] = {}
    for name, raw in query:
        if name not in declared:
            accepted = ", ".join(sorted(declared)) or "none"
            raise UnknownParameter(
                f"unknown query parameter `{name[:40]}`; this route accepts: {accepted}"
            )
        if name in given:
            raise InvalidParameter(f"parameter `{name}` is given more than once; give it once")
        given[name] = raw
    values: dict[str, Any] = {}
    for param in params:
        if param.location == "path":
            values[param.name] = param.parse(path_values[param.name])
        elif param.name in given:
            values[param.name] = param.parse(given[param.name])
        elif param.required:
            raise InvalidParameter(f"parameter `{param.name}` is required; {param.allowed()}")
        else:
            values[param.name] = param.default
    start, end = values.get("from"), values.get("to")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        raise InvalidParameter(
            f"`from` ({start}) is after `to` ({end}); give a range with from <= to"
        )
    return values
