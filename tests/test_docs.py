"""Documentation that must follow the code."""

from __future__ import annotations

from pathlib import Path

from service.settings import _VARIABLE_NAMES

ROOT = Path(__file__).resolve().parents[1]


def test_every_environment_variable_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in _VARIABLE_NAMES.values() if f"`{name}`" not in text]
    assert missing == []
