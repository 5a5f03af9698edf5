"""The one SQL text Python writes (service/db/json_rows.py): only names checked against their
grammar and quoted literals enter it, and its caches are bounded (the selection shapes come
from documents, which any caller writes)."""

from __future__ import annotations

import pytest

from service.db import json_rows
from service.db.json_rows import Leaf, select_list


def test_only_names_enter_the_sql() -> None:
    for leaf, key in (
        (Leaf("v; DROP", "v", "Int"), "n"),
        (Leaf("v", "v) FROM x --", "Int"), "n"),
        (Leaf("v", "v", "Json"), "n"),
        (Leaf("v", "v", "Int"), "n, (SELECT 1)"),
    ):
        with pytest.raises(ValueError, match=r"^not a"):
            select_list((leaf,), key)
    with pytest.raises(ValueError, match=r"^not a column name"):
        json_rows.columns((Leaf("v", "Bad Column", "Int"),), "n")
    quoted = select_list((Leaf("e", "v", "Enum", names=(("x'); --", "X"),)),), "n")
    assert "'x''); --'" in quoted  # an enum's value is a quoted literal


def test_the_sql_caches_are_bounded() -> None:
    for cached in (json_rows.select_list, json_rows.query):
        assert cached.cache_info().maxsize == 256
    select_list.cache_clear()
    for index in range(300):
        select_list((Leaf(f"k{index}", "v", "Int"),), "n")
    assert select_list.cache_info().currsize == 256


def test_the_selections_remembered_are_bounded() -> None:
    from graphql import FieldNode, OperationDefinitionNode, parse

    from service.graphql import lookahead
    from service.graphql.schema import schema

    prices = schema._schema.type_map["Security"].fields["prices"].type  # type: ignore[union-attr]
    remembered = []
    for index in range(1100):  # every request a new document: nodes never seen again
        operation = parse(f"{{ prices {{ date c{index}: close }} }}").definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        node = operation.selection_set.selections[0]
        assert isinstance(node, FieldNode)
        remembered.append(lookahead.json_items([node], prices))
        assert len(lookahead._SELECTIONS) <= lookahead._SELECTIONS_LIMIT
    assert all(found is not None for found in remembered)
    assert lookahead.json_items([node], prices) is remembered[-1]  # the same node: remembered
