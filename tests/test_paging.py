"""Keyset paging (service/cursors.py): the page helper both APIs use and the one declaration of
the page-size bounds, checked against the exported schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service import cursors
from service.cursors import GRAPHQL_FIRST, REST_LIMIT, Page, fetch_size, page_of
from service.errors import BadRequest

SCHEMA = Path(__file__).resolve().parent.parent / "schema"


def test_a_page_fetches_one_row_more_to_know_whether_another_follows() -> None:
    assert fetch_size(3) == 4
    rows = ["a", "b", "c", "d"]
    page = page_of(rows[: fetch_size(3)], 3)
    assert page == Page(["a", "b", "c"], has_next=True)
    assert page.next_cursor(str.upper) == "C"
    assert page.edge_cursors(str.upper) == ("A", "C")
    last = page_of(rows[:3], 3)
    assert last == Page(["a", "b", "c"], has_next=False)
    assert last.next_cursor(str.upper) is None
    empty = page_of([], 0)
    assert empty.edge_cursors(str.upper) == (None, None)
    assert not empty.has_next


def test_graphql_first_is_checked_against_its_bounds() -> None:
    assert cursors.check_first(None, 25) == 25
    assert cursors.check_first(GRAPHQL_FIRST.minimum, 25) == 0
    assert cursors.check_first(GRAPHQL_FIRST.maximum, 25) == 1000
    for outside in (GRAPHQL_FIRST.minimum - 1, GRAPHQL_FIRST.maximum + 1):
        with pytest.raises(BadRequest, match="between 0 and 1000"):
            cursors.check_first(outside, 25)


def test_the_exported_schemas_state_the_declared_bounds() -> None:
    openapi = json.loads((SCHEMA / "openapi.json").read_text())
    limits = [
        parameter["schema"]
        for operation in openapi["paths"].values()
        for method in operation.values()
        for parameter in method.get("parameters", [])
        if parameter.get("name") == "limit"
    ]
    assert len(limits) >= 5
    for schema in limits:
        assert (schema["minimum"], schema["maximum"]) == (REST_LIMIT.minimum, REST_LIMIT.maximum)
    graphql = (SCHEMA / "schema.graphql").read_text()
    assert f"({GRAPHQL_FIRST.minimum} to {GRAPHQL_FIRST.maximum})" in graphql
