"""The catalogue of public fields: each one declared once, on its model.

A public field of a `service.models` record is a dataclass field whose metadata holds a `Public`
(name and type come from the field itself; `public()` adds the description, unit, example and,
where the APIs differ from the model, nullability or a value set). Everything a client sees is
derived from that one declaration:

- the GraphQL object type (`service/catalogue_graphql.py`, used by service/graphql/types.py),
- the REST resource and so the OpenAPI schema and the CSV columns (`service/catalogue_rest.py`,
  used by service/rest/resources.py, whose classes service/rest/serialize.py reads),
- the OpenAPI example values (`example()`, used by service/rest/examples.py),
- docs/fields.md (`fields_markdown()`, written by `shortflow export-schema`).

A description may name another field as `{previous_short_interest}`: it is rendered in each API's
spelling (`previousShortInterest` in GraphQL, `previous_short_interest` in REST), so one text
serves both. `{DATE_FORMAT}`, `{AFTER_TODAY}` and `{NEXT_CURSOR}` are the phrases whose wording
is the API's own (a REST date is a string the caller types; an error is a 400 there and
BAD_USER_INPUT in GraphQL; the next page's cursor is `next_cursor` there and `endCursor` here).

This module imports neither strawberry nor pydantic: models import it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar, dataclass_transform

Api = Literal["graphql", "rest"]

Unit = Literal[
    "shares",
    "contracts",
    "E-mini contracts",
    "USD",
    "USD per index point",
    "index points",
    "percent",
    "percentage points",
    "days",
    "count",
    "points",
    "weight",
    "per factor",
    "date",
    "boolean",
    "text",
    "code",
    "flags",
    "record",
]
"""What a value is measured in; `shares` and `contracts` counts are BigInt in GraphQL and,
unless signed, at least 0 in REST. A `record` is another catalogued record (or a list of them),
whose own fields say their units."""

COUNT_UNITS = frozenset({"shares", "contracts"})

UNIT_WORDS: Mapping[str, tuple[str, ...]] = {
    "shares": ("share",),
    "contracts": ("contract",),
    "E-mini contracts": ("E-mini",),
    "USD": ("USD", "US dollars"),
    "USD per index point": ("USD per index point",),
    "index points": ("index points",),
    "percent": ("percent", "x 100", "%"),
    "percentage points": ("percentage points",),
    "days": ("day",),
    "points": ("points",),
}
"""How a description names its unit, for the units that measure something (a test holds every
declared field to it: a reader of either API sees the unit in the text)."""

_KEY = "shortflow.public"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")

API_WORDS: Mapping[str, Mapping[Api, str]] = {
    "DATE_FORMAT": {"graphql": "", "rest": ", YYYY-MM-DD"},
    "AFTER_TODAY": {"graphql": "an error (BAD_USER_INPUT)", "rest": "a 400"},
    "NEXT_CURSOR": {"graphql": "`endCursor`", "rest": "`next_cursor`"},
}
"""The phrases that are the API's own: placeholders any catalogued text may use."""


# The texts both APIs' arguments share (service/graphql/types.py and schema.py, and
# service/rest/params.py and routes.py render them): one wording, each API's spelling.

FROM = "First date of the range (inclusive){DATE_FORMAT}. Omitted: from the start of the data."
TO = "Last date of the range (inclusive){DATE_FORMAT}. Omitted: up to the newest data."
AS_OF = (
    "Point in time{DATE_FORMAT}: the view as known on this date (a value counts from its FINRA "
    "publication date; revisions published later are not visible). Omitted: today, i.e. "
    "everything known. A date after today is {AFTER_TODAY}."
)


def page_size(what: str, minimum: int, maximum: int, default: int | None = None) -> str:
    """The text of a page-size argument (GraphQL `first`, REST `limit`)."""
    shown = f" (default {default})" if default is not None else ""
    return f"Page size: how many {what} to return, {minimum} to {maximum}{shown}."


def after(what: str) -> str:
    """The text of a cursor argument (GraphQL `after`, REST `cursor`)."""
    return (
        f"Opaque cursor from {{NEXT_CURSOR}} of the previous page: return the {what} after it. "
        "Omitted: the first page."
    )


def facilities(cnms: str = "CNMS (FINRA's consolidated file)") -> str:
    """FINRA's Reg SHO reporting facilities in words (service/analytics/series.py FACILITIES),
    CNMS as `cnms` says."""
    return f"{cnms}, FNSQ, FNQC, FNYX, FNRA or FORF"


FACILITY = "Reporting facility: " + facilities("CNMS (FINRA's consolidated file, default)") + "."
"""A security's short volume argument (default CNMS)."""
SCREEN_FACILITY = (
    f"ALL (default: CNMS + FORF, every facility once), or one facility: {facilities('CNMS')}."
)
"""The short volume screen's facility argument."""


def camel(name: str) -> str:
    """`short_percent_of_float` -> `shortPercentOfFloat` (GraphQL's spelling, as strawberry's)."""
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def render(text: str, api: Api) -> str:
    """`text` with its placeholders in `api`'s spelling: `{field_name}` becomes the field's name
    there, `{DATE_FORMAT}` and the other API_WORDS their phrase."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in API_WORDS:
            return API_WORDS[key][api]
        if not key.islower():
            raise ValueError(f"unknown placeholder {{{key}}} in {text!r}")
        return camel(key) if api == "graphql" else key

    return _PLACEHOLDER.sub(replace, text)


@dataclass(frozen=True, slots=True)
class Choice:
    """One value of a value set: its GraphQL enum member name, its value, what it means."""

    name: str
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Choices:
    """A set of string values a field may hold: a GraphQL enum (`name`) and a REST literal."""

    name: str
    text: str
    members: tuple[Choice, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(member.value for member in self.members)

    def description(self, api: Api) -> str:
        """The values and what each means (REST has no enum descriptions)."""
        return "Values: " + " ".join(f"{m.value}: {render(m.text, api)}" for m in self.members)


@dataclass(frozen=True, slots=True)
class Public:
    """The public declaration of one model field (see the module docstring)."""

    description: str
    unit: Unit
    example: object
    nullable: bool | None = None
    """True: null in both APIs although the model always holds a value; None: as the model."""
    signed: bool = False
    """A share or contract count that may be negative (a change): no lower bound in REST."""
    choices: Choices | None = None
    values: tuple[str, ...] = ()
    """The codes a text field may hold when GraphQL serves it as a String: a REST literal of
    them (a value set that is an enum in GraphQL too is `choices`)."""

    def names_its_unit(self) -> bool:
        """The description says the unit (always true of dates, flags, codes and counts)."""
        words = UNIT_WORDS.get(self.unit, ())
        return not words or any(word.lower() in self.description.lower() for word in words)

    def text(self, api: Api) -> str:
        """The field's description in `api`'s spelling; REST adds the values of a value set."""
        text = render(self.description, api)
        if self.choices is not None and api == "rest":
            text = f"{text} {self.choices.description(api)}"
        return text


def public(
    description: str,
    *,
    unit: Unit,
    example: object,
    nullable: bool | None = None,
    signed: bool = False,
    choices: Choices | None = None,
    values: tuple[str, ...] = (),
) -> Any:
    """Declare a model field public: `short_interest: int = public("Shares sold short...",
    unit="shares", example=72786177)`. The field stays required and keeps its place (rows become
    models by column order)."""
    declared = Public(description, unit, example, nullable, signed, choices, values)
    return dataclasses.field(metadata={_KEY: declared})


def public_record(description: str) -> Any:
    """Declare public a field holding another catalogued record, or a list (or tuple) of them:
    `security: Security = public_record("The security.")`. Each API serves it as that record's
    type and resource; its example is the record's own."""
    return public(description, unit="record", example=None)


_RECORDS: dict[type, tuple[str, str]] = {}

T = TypeVar("T")


@dataclass_transform(field_specifiers=(dataclasses.field, public, public_record))
def catalogued(name: str, description: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: `@dataclass(slots=True)`, and the model is a public record, served as
    the GraphQL type and the REST resource `name` with this description. (Declared as a
    dataclass transform so that type checkers know `public(...)` fields have no default.)"""

    def register(cls: type[T]) -> type[T]:
        model = dataclasses.dataclass(slots=True)(cls)
        _RECORDS[model] = (name, description)
        return model

    return register


def records() -> tuple[type, ...]:
    """Every catalogued model, in declaration order."""
    return tuple(_RECORDS)


def record_name(model: type) -> str:
    """The public name of a catalogued model (its GraphQL type and REST resource)."""
    return _RECORDS[model][0]


def record_description(model: type, api: Api) -> str:
    """The description of a catalogued model's type and resource, in `api`'s spelling."""
    return render(_RECORDS[model][1], api)


@dataclass(frozen=True, slots=True)
class Field:
    """A public field of a model: its name, resolved type and declaration."""

    name: str
    hint: Any
    """The model's annotation with `None` removed (`int`, `list[str]`, `date`...); a tuple of
    records is a list of them (both APIs serve a list)."""
    nullable: bool
    public: Public

    def record(self) -> type | None:
        """The catalogued model a `record` field holds (one, or a list of them)."""
        if self.public.unit != "record":
            return None
        args = typing.get_args(self.hint)
        found = args[0] if args else self.hint
        if found not in _RECORDS:
            raise TypeError(f"{self.name}: {found} is not a catalogued record")
        return typing.cast(type, found)

    def is_list(self) -> bool:
        return typing.get_origin(self.hint) is list

    def served_record(self, generated: Mapping[type, Any]) -> Any:
        """An API's type for this `record` field: the type `generated` holds for the record
        (generated first), or a list of it."""
        record = self.record()
        if record is None or record not in generated:
            raise TypeError(f"{self.name}: generate the type of its record first")
        served = generated[record]
        return list[served] if self.is_list() else served  # type: ignore[valid-type]


def _without_none(hint: Any) -> tuple[Any, bool]:
    args = typing.get_args(hint)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True  # noqa: UP007
    return hint, False


def public_fields(model: type) -> tuple[Field, ...]:
    """The public fields of a catalogued model, in the model's order."""
    hints = typing.get_type_hints(model)
    found = []
    for field in dataclasses.fields(model):
        declared = field.metadata.get(_KEY)
        if declared is None:
            continue
        hint, nullable = _without_none(hints[field.name])
        if typing.get_origin(hint) is tuple:
            (item, _) = typing.get_args(hint)  # tuple[X, ...]: a list of X
            hint = list[item]  # type: ignore[valid-type]
        if declared.nullable is not None:
            nullable = declared.nullable
        found.append(Field(field.name, hint, nullable, declared))
    return tuple(found)


def example(model: type, **overrides: object) -> dict[str, Any]:
    """The JSON example of a record from its fields' declared examples (dates as ISO text)."""
    values: dict[str, Any] = {}
    for field in public_fields(model):
        record = field.record()
        if field.name in overrides:
            value = overrides.pop(field.name)
        elif record is not None:
            value = [example(record)] if field.is_list() else example(record)
        else:
            value = field.public.example
        if isinstance(value, date):
            value = value.isoformat()
        values[field.name] = list(value) if isinstance(value, list) else value
    if overrides:
        raise TypeError(f"{model.__name__} has no public fields {sorted(overrides)}")
    return values


def _type_name(field: Field) -> str:
    hint = field.hint
    record = field.record()
    if record is not None:
        shown = f"[{record_name(record)}!]" if field.is_list() else record_name(record)
    elif field.public.choices is not None:
        inner = field.public.choices.name
        shown = f"[{inner}!]" if typing.get_origin(hint) is list else inner
    elif hint is int and field.public.unit in COUNT_UNITS:
        shown = "BigInt"
    else:
        shown = {int: "Int", float: "Float", str: "String", bool: "Boolean", date: "Date"}.get(
            hint, getattr(hint, "__name__", str(hint))
        )
    return shown if field.nullable else f"{shown}!"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fields_markdown(models: Iterable[type] | None = None) -> str:
    """docs/fields.md: every catalogued record and its public fields (GraphQL and REST names,
    GraphQL type, unit, example, description). `shortflow export-schema` writes it."""
    lines = [
        "# Public fields",
        "",
        "Generated from the declarations in `service/models.py` by `shortflow export-schema`",
        "(service/catalogue.py); do not edit by hand. Each field is served by GraphQL and REST",
        "under the two names, with the same nullability (`!`: never null) and definition. The",
        "type is GraphQL's (REST: a BigInt is an integer, at least 0 unless it is a change; an",
        "enum is a string of its values). Descriptions are shown in REST's spelling; examples",
        'are the OpenAPI document\'s. docs/contributing.md, "Add a metric", says how to add one.',
        "",
    ]
    for model in records() if models is None else models:
        title = f"{record_name(model)} (`service.models.{model.__name__}`)"
        lines += [f"## {title}", "", _cell(record_description(model, "rest")), ""]
        lines += [
            "| GraphQL | REST | type | unit | example | description |",
            "|---|---|---|---|---|---|",
        ]
        examples = example(model)
        for field in public_fields(model):
            declared = field.public
            record = field.record()
            shown = (
                f"its {record_name(record)}'s"
                if record
                else f"`{_cell(json.dumps(examples[field.name]))}`"
            )
            lines.append(
                f"| `{camel(field.name)}` | `{field.name}` | `{_type_name(field)}` "
                f"| {declared.unit} | {shown} | {_cell(declared.text('rest'))} |"
            )
        lines.append("")
    return "\n".join(lines)
