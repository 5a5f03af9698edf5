"""The OpenAPI document: generated from the code, exported without drift, complete and valid."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import schemathesis
from graphql import GraphQLObjectType
from starlette.routing import Route

from service.app import create_app
from service.cli.schema import exported
from service.graphql.schema import schema as graphql_schema
from service.rest import resources
from service.rest.openapi import openapi_document, openapi_json
from service.rest.routes import OPERATIONS
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = openapi_document()


def test_exported_document_is_current() -> None:
    assert "openapi.json" in exported()
    assert (ROOT / "schema" / "openapi.json").read_text() == exported()["openapi.json"], (
        "schema/openapi.json is out of date: run `shortflow export-schema`"
    )


def test_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(DOCUMENT).validate()
    broken = {**DOCUMENT, "paths": {"/v1/x": {"get": {"responses": {"200": {}}}}}}
    with pytest.raises(Exception, match="description"):
        schemathesis.openapi.from_dict(broken).validate()


async def test_the_served_document_is_the_exported_one(api: httpx.AsyncClient) -> None:
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == openapi_json()


def test_every_v1_route_is_documented_and_nothing_else() -> None:
    app = create_app(make_settings("postgresql://unused/db", "redis://unused", "x:"))
    served = {r.path for r in app.routes if isinstance(r, Route) and r.path.startswith("/v1")}
    assert served == set(DOCUMENT["paths"])
    assert served == {
        "/v1/securities",
        "/v1/securities/{symbol}",
        "/v1/securities/{symbol}/short-interest",
        "/v1/securities/{symbol}/short-volume",
        "/v1/securities/{symbol}/prices",
        "/v1/funds/{symbol}/flows",
        "/v1/indexes",
        "/v1/indexes/{code}/short-exposure",
        "/v1/indexes/{code}/futures-positioning",
        "/v1/screens/short-interest",
        "/v1/screens/short-volume",
        "/v1/screens/squeeze",
        "/v1/settlement-calendar",
    }


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
def test_every_operation_is_described_with_examples(path: str) -> None:
    operation = DOCUMENT["paths"][path]["get"]
    for key in ("operationId", "summary", "description", "tags"):
        assert operation[key], key
    for parameter in operation["parameters"]:
        assert parameter["description"], parameter["name"]
        assert parameter["schema"], parameter["name"]
        # Opaque tokens have no meaningful example (Swagger UI would pre-fill it).
        if parameter["name"] not in ("cursor", "If-None-Match"):
            assert "example" in parameter, parameter["name"]
    ok = operation["responses"]["200"]
    assert ok["content"]["application/json"]["example"]["data"]
    assert ok["content"]["text/csv"]["example"].count("\r\n") >= 2  # header and a row
    assert ok["headers"]["ETag"]["required"] is True
    assert {"304", "400", "401", "406", "429", "503"} <= set(operation["responses"])
    # 404 where the path or a parameter names something (a security, an index) that may not
    # exist; a list of everything (/v1/indexes) or a year's calendar names nothing.
    names_something = "{" in path or any(p["name"] == "index" for p in operation["parameters"])
    assert ("404" in operation["responses"]) == names_something
    assert operation["security"][0] == {}, "anonymous access is allowed unless keys are required"


def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_examples_conform_to_their_schema(operation: Any) -> None:
    validator = _validator(operation.envelope.__name__)
    validator.validate(operation.example)
    broken = {**operation.example, "unexpected": 1}
    assert not validator.is_valid(broken)


def test_errors_keys_limits_and_retry_after_are_described() -> None:
    components = DOCUMENT["components"]
    schemes = components["securitySchemes"]
    assert schemes["bearerKey"] == {**schemes["bearerKey"], "type": "http", "scheme": "bearer"}
    assert schemes["headerKey"] == {
        **schemes["headerKey"],
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    responses = components["responses"]
    for name in ("RateLimited", "Unavailable"):
        assert responses[name]["headers"]["Retry-After"]["required"] is True
    assert "RateLimit-Remaining" in responses["RateLimited"]["headers"]
    error = _validator("Error")
    for response in responses.values():
        if "content" in response:
            error.validate(response["content"]["application/json"]["example"])


def _graphql_fields(type_name: str) -> set[str]:
    found = graphql_schema._schema.type_map[type_name]
    assert isinstance(found, GraphQLObjectType)
    return {re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower() for name in found.fields}


@pytest.mark.parametrize(
    ("resource", "graphql_type"),
    [
        (resources.Security, "Security"),
        (resources.SecurityDetail, "Security"),
        (resources.ShortInterest, "ShortInterest"),
        (resources.ShortVolume, "ShortVolume"),
        (resources.Price, "Price"),
        (resources.FundFlow, "FundFlow"),
        (resources.IndexShortExposure, "IndexShortExposure"),
        (resources.ScoreFactor, "ScoreFactor"),
        (resources.SqueezeCandidate, "SqueezeCandidate"),
        (resources.ExclusionCount, "ExclusionCount"),
    ],
)
def test_field_names_are_the_snake_case_of_graphql_fields(
    resource: type[resources.Resource], graphql_type: str
) -> None:
    fields = set(resource.model_fields)
    assert fields <= _graphql_fields(graphql_type)
    assert "security_id" not in fields
    assert "id" not in fields
    for name, info in resource.model_fields.items():
        assert info.description, f"{resource.__name__}.{name}"


def test_the_screen_envelope_carries_the_graphql_screen_fields() -> None:
    fields = set(resources.SqueezeScreen.model_fields) - {"data", "next_cursor"}
    assert fields == _graphql_fields("SqueezeScreen") - {"candidates"}
