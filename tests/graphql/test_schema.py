"""The served schema: contract names, descriptions everywhere, and the exported file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    build_client_schema,
    get_introspection_query,
)

from service.cli.schema import graphql_sdl

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"


def test_exported_schema_is_current() -> None:
    assert (ROOT / "schema" / "schema.graphql").read_text() == graphql_sdl(), (
        "schema/schema.graphql is out of date: run `shortflow export-schema`"
    )


def test_exported_schema_has_every_contract_name(tmp_path: Path) -> None:
    if not CONTRACT_CHECK.exists():
        import pytest

        pytest.skip(f"{CONTRACT_CHECK} is absent")
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema" / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "0 missing" in result.stdout, result.stdout + result.stderr


async def test_every_type_field_argument_and_enum_value_is_described(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": get_introspection_query()})
    schema = build_client_schema(response.json()["data"])
    undocumented = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not type_.description:
            undocumented.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    undocumented.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        undocumented.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            undocumented += [f"{name}.{v}" for v, d in type_.values.items() if not d.description]
        assert (
            not isinstance(type_, GraphQLScalarType)
            or type_.description
            or name
            in (
                "String",
                "Int",
                "Float",
                "Boolean",
                "ID",
            )
        )
    assert undocumented == []
