"""Shared fixtures: generated registry files, an empty registry, a loaded registry."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from agrocredit.registry.db import open_registry
from agrocredit.registry.importer import import_plots

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent


def _load_registry_data():
    """The fixture generator ``tests/data/registry/data.py`` as a module."""
    name = "agrocredit_tests_registry_data"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TESTS_DIR / "data/registry/data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No AGROCREDIT_* variable from the caller's shell, and nothing written in the repo."""
    for key in list(os.environ):
        if key.upper().startswith("AGROCREDIT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def registry_data():
    """The fixture generator module (constants such as BAD_ROWS and GOOD_AREAS_M2)."""
    return _load_registry_data()


@pytest.fixture(scope="session")
def registry_files(tmp_path_factory, registry_data) -> dict[str, Path]:
    """Every registry fixture file, generated once per session (read them, never write)."""
    return registry_data.generate(tmp_path_factory.mktemp("registry-fixtures"))


@pytest.fixture
def db_url(tmp_path) -> str:
    """URL of a fresh SQLite registry file in the test's folder."""
    return f"sqlite:///{(tmp_path / 'db' / 'agrocredit.db').as_posix()}"


@pytest.fixture
def registry(db_url):
    """An empty, migrated registry."""
    reg = open_registry(db_url)
    yield reg
    reg.close()


@pytest.fixture
def reports_dir(tmp_path) -> Path:
    """Where reject reports go."""
    return tmp_path / "reports"


@pytest.fixture
def loaded_registry(registry, registry_files, reports_dir):
    """A registry holding the ten good plots (from the GeoPackage)."""
    result = import_plots(registry, registry_files["gpkg"], reports_dir=reports_dir)
    assert result.inserted == 10
    return registry
