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
