"""The field catalogue (service/catalogue.py): what a model declares is what both APIs serve.

Every public field of a catalogued model is a field of its GraphQL type and of its REST resource,
in the model's order, with the same nullability and the declared description (in each API's
spelling); and nothing else is served. The examples, docs/fields.md and the enums follow too.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from pathlib import Path
from typing import get_args

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType
from pydantic import BaseModel
from strawberry.schema.config import StrawberryConfig

from service import catalogue, models
from service.catalogue_graphql import check_enum, object_type
from service.catalogue_rest import resource
from service.cli.schema import fields_page
from service.graphql import types
from service.graphql.scalars import SCALAR_MAP
from service.graphql.schema import schema
from service.rest import examples, resources

ROOT = Path(__file__).resolve().parents[1]
RECORDS = catalogue.records()
UNITS = set(get_args(catalogue.Unit))


def _graphql_type(model: type) -> GraphQLObjectType:
    found = schema._schema.type_map[catalogue.record_name(model)]
    assert isinstance(found, GraphQLObjectType)
    return found


def _resource(model: type) -> type[BaseModel]:
    found = getattr(resources, catalogue.record_name(model))
    assert issubclass(found, BaseModel)
    return found


def test_the_records_are_catalogued() -> None:
    assert {catalogue.record_name(m) for m in RECORDS} >= {
        "ShortInterest",
        "ShortVolume",
        "Price",
        "FundFlow",
        "IndexShortExposure",
        "FuturesPosition",
        "ScoreFactor",
        "SettlementDate",
        "Security",
        "SqueezeCandidate",
        "ShortInterestScreenRow",
        "ShortVolumeScreenPoint",
        "ShortVolumeScreenRow",
    }


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_graphql_serves_exactly_the_declared_fields(model: type) -> None:
    declared = catalogue.public_fields(model)
    graphql = _graphql_type(model)
    names = [catalogue.camel(f.name) for f in declared]
    assert list(graphql.fields)[: len(names)] == names
    # What follows is the stand-in's own: fields with arguments (Security's), each resolved.
    for name in list(graphql.fields)[len(names) :]:
        assert graphql.fields[name].extensions["strawberry-definition"].base_resolver, name
    assert graphql.description == catalogue.record_description(model, "graphql")
    for field in declared:
        served = graphql.fields[catalogue.camel(field.name)]
        assert isinstance(served.type, GraphQLNonNull) != field.nullable, field.name
        assert served.description == field.public.text("graphql"), field.name
        # The fast executor reads the model's attribute of that name.
        definition = served.extensions["strawberry-definition"]
        assert definition.python_name == field.name


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_rest_serves_exactly_the_declared_fields(model: type) -> None:
    declared = catalogue.public_fields(model)
    served = _resource(model)
    assert list(served.model_fields) == [f.name for f in declared]
    assert served.__doc__ == catalogue.record_description(model, "rest")
    for field in declared:
        info = served.model_fields[field.name]
        takes_null = type(None) in typing.get_args(info.annotation)
        assert takes_null == field.nullable, field.name
        assert info.description == field.public.text("rest"), field.name


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_every_public_field_has_a_unit_its_text_names(model: type) -> None:
    for field in catalogue.public_fields(model):
        assert field.public.unit in UNITS, field.name
        assert field.public.description.strip(), field.name
        assert field.public.names_its_unit(), f"{field.name}: say {field.public.unit!r}"
        # Rendering checks every placeholder names a field or an API phrase.
        catalogue.render(field.public.description, "rest")


def test_internal_fields_are_served_nowhere() -> None:
    internal = {
        models.ShortInterestPoint: {"security_id", "shares_outstanding_as_of"},
        models.FundFlow: {"period"},
        models.Security: {"id"},
    }
    for model, names in internal.items():
        public = {f.name for f in catalogue.public_fields(model)}
        assert names <= {f.name for f in dataclasses.fields(model)} - public
        assert not names & set(_resource(model).model_fields)
        assert not {catalogue.camel(n) for n in names} & set(_graphql_type(model).fields)


def test_one_text_serves_both_apis_in_their_spelling() -> None:
    text = "{short_interest} - {previous_short_interest}, in shares"
    assert catalogue.render(text, "graphql") == "shortInterest - previousShortInterest, in shares"
    assert catalogue.render(text, "rest") == "short_interest - previous_short_interest, in shares"
    assert catalogue.render("A date after today is {AFTER_TODAY}.", "rest") == (
        "A date after today is a 400."
    )
    with pytest.raises(ValueError, match="Unknown"):
        catalogue.render("{Unknown} field", "rest")


def test_a_value_set_is_a_graphql_enum_and_a_rest_literal() -> None:
    enum = schema._schema.type_map["DataFlag"]
    assert isinstance(enum, GraphQLEnumType)
    assert enum.description == models.DATA_FLAGS.text
    for member in models.DATA_FLAGS.members:
        assert enum.values[member.name].value == member.value
        assert enum.values[member.name].description == catalogue.render(member.text, "graphql")
    assert get_args(resources.DataFlag) == models.DATA_FLAGS.values
    flags = resources.ShortInterest.model_fields["flags"].description
    assert flags is not None
    assert "EXTREME_CHANGE: |change_percent| >= 90" in flags
    assert get_args(resources.FlowSource) == ("reported", "derived", "mixed")
    assert get_args(resources.SecurityType) == ("stock", "etf")
    security_type = schema._schema.type_map["SecurityType"]
    assert isinstance(security_type, GraphQLEnumType)
    assert security_type.values["ETF"].value == "etf"


def test_a_code_set_is_a_rest_literal_and_a_graphql_string() -> None:
    exchange = resources.Security.model_fields["listing_exchange"].annotation
    codes, none = get_args(exchange)
    assert get_args(codes) == models.LISTING_EXCHANGES
    assert none is type(None)
    served = _graphql_type(models.Security).fields["listingExchange"]
    assert str(served.type) == "String"
    assert served.description is not None
    assert all(code in served.description for code in models.LISTING_EXCHANGES)


def test_a_record_field_is_the_records_type_in_both_apis() -> None:
    row = _graphql_type(models.ScreenedPoint)
    assert str(row.fields["security"].type) == "Security!"
    assert str(row.fields["point"].type) == "ShortInterest!"
    assert str(_graphql_type(models.SqueezeCandidate).fields["factors"].type) == ("[ScoreFactor!]!")
    fields = resources.ShortInterestScreenRow.model_fields
    assert fields["security"].annotation is resources.Security
    assert fields["point"].annotation is resources.ShortInterest
    assert (
        resources.SqueezeCandidate.model_fields["factors"].annotation
        == (list[resources.ScoreFactor])
    )
    assert catalogue.example(models.ScreenedVolume)["security"] == (
        catalogue.example(models.Security)
    )
    assert catalogue.example(models.SqueezeCandidate)["factors"] == [
        catalogue.example(models.ScoreFactor)
    ]


def test_an_enum_out_of_step_with_its_value_set_is_refused() -> None:
    check_enum(types.FlowSource, models.FLOW_SOURCES)
    with pytest.raises(TypeError, match="DataFlag"):
        check_enum(types.DataFlag, models.FLOW_SOURCES)


def test_a_stand_in_must_carry_the_public_name() -> None:
    with pytest.raises(TypeError, match="named Price"):

        @object_type(models.PriceBar)
        class Bar(models.PriceBar): ...

    with pytest.raises(TypeError, match="named Price"):

        @resource(models.PriceBar)
        class Bars(resources.Resource): ...


def test_examples_are_the_declared_values() -> None:
    assert catalogue.example(models.ShortInterestPoint) == examples.IWM_2026_07_31
    assert examples.IWM_2026_07_31["settlement_date"] == "2026-07-31"
    assert examples.SHORT_INTEREST_PAGE["data"][0]["short_interest"] == 79811318
    assert examples.SHORT_INTEREST_PAGE["data"][0]["revised"] is False  # declared, not overridden
    with pytest.raises(TypeError, match="no public fields"):
        catalogue.example(models.PriceBar, security_id=1)


def test_the_fields_page_is_current() -> None:
    page = (ROOT / "docs" / "fields.md").read_text()
    assert page == fields_page(), "docs/fields.md is out of date: run `shortflow export-schema`"
    for model in RECORDS:
        for field in catalogue.public_fields(model):
            assert f"| `{catalogue.camel(field.name)}` | `{field.name}` |" in page


def test_the_shared_argument_texts_have_one_wording() -> None:
    from service.analytics.series import FACILITIES
    from service.rest.routes import AS_OF, FROM

    assert FROM.description == catalogue.render(catalogue.FROM, "rest")
    assert "YYYY-MM-DD" in FROM.description
    assert "YYYY-MM-DD" not in types.FROM
    assert AS_OF.description.endswith("A date after today is a 400.")
    assert types.AS_OF.endswith("A date after today is an error (BAD_USER_INPUT).")
    assert types.AFTER.startswith("Opaque cursor from `endCursor` of the previous page")
    for text in (catalogue.FACILITY, catalogue.SCREEN_FACILITY, catalogue.facilities()):
        assert all(code in text for code in FACILITIES), text


@object_type(models.PriceBar)
class Price(models.PriceBar):
    """A stand-in with a field of its own (module level: strawberry resolves names here)."""

    note: strawberry.Private[str]

    @strawberry.field(description="High minus low, US dollars.")
    def range(self) -> float | None:
        return None if self.high is None or self.low is None else self.high - self.low


@strawberry.type
class _Query:
    @strawberry.field
    def bar(self) -> Price:
        bar = models.PriceBar(datetime.date(2026, 7, 31), 293.56, 293.95, 287.83, 291.2, 9)
        return typing.cast(Price, bar)


def test_a_stand_in_adds_its_own_fields_after_the_declared_ones() -> None:
    built = strawberry.Schema(query=_Query, config=StrawberryConfig(scalar_map=SCALAR_MAP))
    price = built._schema.type_map["Price"]
    assert isinstance(price, GraphQLObjectType)
    assert list(price.fields) == ["date", "open", "high", "low", "close", "volume", "range"]
    result = built.execute_sync("{ bar { date close volume range } }")
    assert result.errors is None
    assert result.data == {
        "bar": {"date": "2026-07-31", "close": 291.2, "volume": 9, "range": 293.95 - 287.83}
    }
