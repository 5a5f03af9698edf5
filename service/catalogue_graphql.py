"""GraphQL object types generated from the catalogue (service/catalogue.py).

`@object_type(model, enums)` on a stand-in class builds a strawberry type whose fields are the
model's public fields, in order, with their descriptions in GraphQL's spelling. Field names stay
the model's attribute names, so the fast executor (service/graphql/execution.py) reads them
straight from the records the resolvers return, as before. Share and contract counts are
`BigInt`; a field with a value set is the strawberry enum registered for it in `enums`; a
field holding another record is that record's generated type (generated before).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry

from service import catalogue
from service.graphql.scalars import BigInt

T = TypeVar("T")


_GENERATED: dict[type, type] = {}
"""The strawberry type generated for each catalogued model so far: a record field's type."""


def _annotation(field: catalogue.Field, enums: Mapping[str, type[Enum]]) -> Any:
    hint: Any = field.hint
    declared = field.public
    if field.record() is not None:
        hint = field.served_record(_GENERATED)
    elif declared.choices is not None:
        enum = enums[declared.choices.name]
        hint = list[enum] if typing.get_origin(hint) is list else enum  # type: ignore[valid-type]
    elif hint is int and declared.unit in catalogue.COUNT_UNITS:
        hint = BigInt
    return typing.Optional[hint] if field.nullable else hint  # noqa: UP045


def check_enum(enum: type[Enum], choices: catalogue.Choices) -> None:
    """Raise unless the strawberry enum has exactly the catalogue's values, in order."""
    values = tuple(str(member.value) for member in enum)
    if values != choices.values:
        raise TypeError(f"{enum.__name__} values {values} are not {choices.values}")


def object_type(
    model: type, enums: Mapping[str, type[Enum]] | None = None
) -> Callable[[type[T]], type[T]]:
    """Class decorator: the strawberry type of a catalogued model, named and described as the
    catalogue says (the class name must be the record's public name).

    The decorated class is a stand-in: write it as a subclass of the model, so that mypy sees
    what the resolvers really return (the model) and checks fields read from it; anything its
    body declares (resolvers, `strawberry.Private` fields) is added after the public fields.
    """

    def generate(stand_in: type[T]) -> type[T]:
        name = catalogue.record_name(model)
        if stand_in.__name__ != name:
            raise TypeError(f"{stand_in.__name__} serves {model.__name__}, named {name}")
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
        for field in catalogue.public_fields(model):
            if field.public.choices is not None:
                check_enum((enums or {})[field.public.choices.name], field.public.choices)
            annotations[field.name] = _annotation(field, enums or {})
            namespace[field.name] = strawberry.field(description=field.public.text("graphql"))
        annotations.update(inspect.get_annotations(stand_in))
        namespace.update(
            (key, value) for key, value in vars(stand_in).items() if not key.startswith("__")
        )
        namespace["__module__"] = stand_in.__module__
        generated = type(name, (), namespace)
        described = strawberry.type(
            generated, description=catalogue.record_description(model, "graphql")
        )
        _GENERATED[model] = described
        return cast(type[T], described)

    return generate
