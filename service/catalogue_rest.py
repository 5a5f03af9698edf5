"""REST resources generated from the catalogue (service/catalogue.py).

`@resource(model)` on a stand-in class builds the pydantic class of a catalogued model: its
public fields in order, with their descriptions in REST's spelling. Share and contract counts
are at least 0 unless declared signed; a field with a value set is a `Literal` of its values
(and its description ends with what each value means), as is a code field's `values`; a field
holding another record is that record's generated resource (generated before). The OpenAPI
schema, the JSON projection and the CSV columns all read these classes (service/rest/openapi.py,
serialize.py).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import BaseModel, Field, create_model

from service import catalogue

B = TypeVar("B", bound=BaseModel)

Shares = Annotated[int, Field(ge=0)]
"""A share or contract count: never negative."""


def literal(choices: catalogue.Choices) -> Any:
    """`Literal["a", "b", ...]` of a value set."""
    return Literal.__getitem__(choices.values)


_GENERATED: dict[type, type[BaseModel]] = {}
"""The resource generated for each catalogued model so far: a record field's type."""


def _annotation(field: catalogue.Field) -> Any:
    hint: Any = field.hint
    declared = field.public
    if field.record() is not None:
        hint = field.served_record(_GENERATED)
    elif declared.choices is not None:
        values = literal(declared.choices)
        hint = list[values] if typing.get_origin(hint) is list else values  # type: ignore[valid-type]
    elif declared.values:
        hint = Literal.__getitem__(declared.values)
    elif hint is int and declared.unit in catalogue.COUNT_UNITS and not declared.signed:
        hint = Shares
    return typing.Optional[hint] if field.nullable else hint  # noqa: UP045


def resource(model: type) -> Callable[[type[B]], type[B]]:
    """Class decorator: the pydantic resource of a catalogued model, a subclass of the
    decorated stand-in's base, named and described as the catalogue says (the class name must
    be the record's public name)."""

    def generate(stand_in: type[B]) -> type[B]:
        name = catalogue.record_name(model)
        if stand_in.__name__ != name:
            raise TypeError(f"{stand_in.__name__} serves {model.__name__}, named {name}")
        fields: dict[str, Any] = {
            field.name: (_annotation(field), Field(description=field.public.text("rest")))
            for field in catalogue.public_fields(model)
        }
        generated: type[BaseModel] = create_model(
            name,
            __base__=stand_in.__bases__[0],
            __doc__=catalogue.record_description(model, "rest"),
            __module__=stand_in.__module__,
            **fields,
        )
        _GENERATED[model] = generated
        return cast(type[B], generated)

    return generate
