"""The wheel carries every module, query file and migration (an installed service must migrate)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from setuptools.config.expand import find_packages

ROOT = Path(__file__).resolve().parents[1]


def _setuptools_config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    return config["setuptools"]


def _packages_found() -> set[str]:
    """The packages a built wheel holds: what setuptools' `packages.find` finds in the checkout
    (the function the build runs on the same configuration)."""
    find = dict(_setuptools_config()["packages"]["find"])
    return set(find_packages(root_dir=str(ROOT), **find))


def _folders_on_disk() -> set[str]:
    """Every folder under service/ that holds a file, as a package name; the symlinked
    migrations folder included (os.walk follows it as the build does)."""
    found = set()
    for folder, dirs, files in os.walk(ROOT / "service", followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        if files:
            found.add(".".join(Path(folder).relative_to(ROOT).parts))
    return found


def test_every_service_folder_is_a_package_of_the_wheel() -> None:
    missing = _folders_on_disk() - _packages_found()
    assert missing == set(), "[tool.setuptools.packages.find] does not find these"


def test_the_migrations_ship_as_service_migrations() -> None:
    assert "service.migrations" in _packages_found()
    shipped = ROOT / "service" / "migrations"
    assert shipped.is_symlink()
    assert shipped.resolve() == (ROOT / "migrations").resolve()


def test_every_sql_file_under_service_is_package_data() -> None:
    """A source's queries.sql ships with the wheel (an installed service must ingest)."""
    data = _setuptools_config()["package-data"]
    for folder, _, files in os.walk(ROOT / "service", followlinks=True):
        package = ".".join(Path(folder).relative_to(ROOT).parts)
        patterns = [*data.get(package, []), *data.get("*", [])]
        for name in files:
            if name.endswith(".sql"):
                path = Path(folder) / name
                assert any(path.match(p) for p in patterns), f"{path}: add to package-data"
