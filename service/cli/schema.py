"""`shortflow export-schema`: the public schemas, exported from the code into schema/, and the
field catalogue's page docs/fields.md."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from service.cli.base import EXIT_FAILURE, EXIT_OK

F = TypeVar("F", bound=Callable[..., Any])


def graphql_sdl() -> str:
    from service.graphql.schema import schema

    return schema.as_str() + "\n"


def openapi_json() -> str:
    from service.rest.openapi import openapi_json

    return openapi_json().decode()


def exported() -> dict[str, str]:
    """File name -> content of every exported schema."""
    return {"schema.graphql": graphql_sdl(), "openapi.json": openapi_json()}


def fields_page() -> str:
    """docs/fields.md: every public field, from the catalogue (service/catalogue.py)."""
    import service.models  # noqa: F401 (its declarations fill the catalogue)
    from service import catalogue

    return catalogue.fields_markdown() + "\n"


def _folder(flag: str, name: str, default: str, help: str) -> Callable[[F], F]:
    folder = click.Path(file_okay=False, path_type=Path)
    return click.option(flag, name, default=default, show_default=True, type=folder, help=help)


@click.command("export-schema")
@_folder("--dir", "directory", "schema", "Where to write the schema files.")
@_folder("--docs", "docs", "docs", "Where to write fields.md.")
@click.option("--check", is_flag=True, help="Only compare; exit 1 when a file differs.")
def export_schema(directory: Path, docs: Path, check: bool) -> None:
    """Write schema/schema.graphql (GraphQL SDL), schema/openapi.json (OpenAPI 3.1) and
    docs/fields.md (the public fields) from the code, or --check they are current."""
    stale = []
    files = {directory / name: content for name, content in exported().items()}
    files[docs / "fields.md"] = fields_page()
    for path, content in files.items():
        current = path.read_text() if path.exists() else None
        if current == content:
            continue
        if check:
            stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            click.echo(f"wrote {path}")
    if stale:
        click.secho(
            f"out of date: {', '.join(stale)} (run `shortflow export-schema`)", fg="red", err=True
        )
        raise SystemExit(EXIT_FAILURE)
    raise SystemExit(EXIT_OK)


COMMANDS = (export_schema,)
