"""Named SQL queries loaded from `service/db/queries/*.sql` and from each data source's
`service/sources/<name>/queries.sql`.

A file holds blocks, each starting with a `-- name: <identifier>` line; the block's text up to the
next marker is the query. Repositories read them as `Q.short_interest.series`, so the SQL stays in
SQL files (where editors, `psql` and reviewers can read it) and Python code does not build SQL
text, with one exception: service/db/json_rows.py writes the select list of a list's JSON over a
named query (`QueryFile.selecting`), from checked names only (docs/decisions.md).

One placeholder is expanded on loading: `{ShortInterestPoint}` is the columns of that
`service.models` record, in its field order (`{p.ShortInterestPoint}`: each prefixed `p.`). A
record read by several queries has its column list in one place, the model: a field added to
the model (and to the view it reads) is selected by all of them. tests/db/test_query_columns.py
prepares every query, so a field the view lacks fails there.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from importlib import resources

from service import models

_MARKER = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_COLUMNS = re.compile(r"\{(?:([a-z][a-z0-9_]*)\.)?([A-Z][A-Za-z]*)\}")


def expand_columns(sql: str, file_name: str = "<string>") -> str:
    """`sql` with each `{Model}` / `{alias.Model}` replaced by the model's column list."""

    def columns(match: re.Match[str]) -> str:
        alias, name = match.groups()
        model = getattr(models, name, None)
        if not (isinstance(model, type) and dataclasses.is_dataclass(model)):
            raise ValueError(f"{file_name}: {{{name}}} is not a record of service.models")
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + field.name for field in dataclasses.fields(model))

    return _COLUMNS.sub(columns, sql)


class QueryFile:
    """The named queries of one `.sql` file, as attributes."""

    def __init__(self, file_name: str, templates: dict[str, str]) -> None:
        self._file_name = file_name
        self._templates = templates
        self._queries = {name: expand_columns(sql, file_name) for name, sql in templates.items()}

    def selecting(self, name: str, model: str, select_list: str) -> str:
        """Query `name` with its `{model}` columns replaced by `select_list` (the JSON of a
        selection, service/db/json_rows.py: the one select list built in Python)."""
        template = self._templates.get(name)
        if template is None or "{" + model + "}" not in template:
            raise AttributeError(f"{self._file_name}: query {name!r} does not select {{{model}}}")
        return expand_columns(template.replace("{" + model + "}", select_list), self._file_name)

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"{self._file_name} has no query named {name!r}") from None


def parse_templates(text: str, file_name: str = "<string>") -> dict[str, str]:
    """Split a file's text into {name: sql} before its placeholders are expanded; a duplicate
    or empty block is a programming error."""
    queries: dict[str, str] = {}
    matches = list(_MARKER.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        sql = text[match.end() : end].strip()
        name = match.group(1)
        if not sql:
            raise ValueError(f"{file_name}: query {name!r} is empty")
        if name in queries:
            raise ValueError(f"{file_name}: query {name!r} is defined twice")
        queries[name] = sql
    return queries


def parse_queries(text: str, file_name: str = "<string>") -> QueryFile:
    """A file's text as its named queries, placeholders expanded."""
    return QueryFile(file_name, parse_templates(text, file_name))


@cache
def load(stem: str) -> QueryFile:
    """The queries of `service/db/queries/<stem>.sql`."""
    file_name = f"{stem}.sql"
    text = resources.files("service.db").joinpath("queries", file_name).read_text("utf-8")
    return parse_queries(text, file_name)


@cache
def load_package(package: str) -> QueryFile:
    """The queries of the `queries.sql` file of `package` (a data source's staging and upsert)."""
    file_name = f"{package.replace('.', '/')}/queries.sql"
    text = resources.files(package).joinpath("queries.sql").read_text("utf-8")
    return parse_queries(text, file_name)
