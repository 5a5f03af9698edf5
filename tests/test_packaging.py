"""The wheel carries every module, query file and migration (an installed service must migrate)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_service_directory_is_a_listed_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.relative_to(ROOT).parts)
        for path in (ROOT / "service").rglob("*")
        if path.is_dir() and path.name != "__pycache__"
    } | {"service"}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert config["tool"]["setuptools"]["package-dir"]["service.migrations"] == "migrations"


def test_every_sql_file_under_service_is_package_data() -> None:
    """A source's queries.sql ships with the wheel (an installed service must ingest)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]
    for path in (ROOT / "service").rglob("*.sql"):
        package = ".".join(path.parent.relative_to(ROOT).parts)
        patterns = [*data.get(package, []), *data.get("*", [])]
        assert any(path.match(pattern) for pattern in patterns), f"{path}: add to package-data"
