"""SHORTFLOW_DOCUMENTS_REMEMBERED sizes the per-process document caches, within its bounds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.lru import LRU
from service.settings import Settings


def test_the_bounds_of_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("15", "1000001", "-1", "many"):
        monkeypatch.setenv("SHORTFLOW_DOCUMENTS_REMEMBERED", bad)
        with pytest.raises(ValidationError):
            Settings()
    monkeypatch.setenv("SHORTFLOW_DOCUMENTS_REMEMBERED", "64")
    assert Settings().documents_remembered == 64


def test_an_lru_resized_smaller_drops_the_least_recently_used() -> None:
    lru: LRU[str, int] = LRU(4)
    for i, key in enumerate("abcd"):
        lru.put(key, i)
    assert lru.get("a") == 0  # now the most recent
    lru.resize(2)
    assert (lru.get("a"), lru.get("d"), lru.get("b"), lru.get("c")) == (0, 3, None, None)
    lru.put("e", 4)
    assert (lru.get("a"), lru.get("d")) == (None, 3)  # the size holds for later entries too
