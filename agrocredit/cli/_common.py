"""Shared state of one CLI invocation: settings built once, the registry opened lazily."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from agrocredit.config import Settings, load_settings
from agrocredit.registry.db import Registry, open_registry


def build_settings(config: str | None, database_url: str | None, data_dir: str | None) -> Settings:
    """Settings from the global options (the edge where configuration is read)."""
    return load_settings(
        Path(config) if config else None,
        database_url=database_url,
        data_dir=Path(data_dir) if data_dir else None,
    )


@dataclass
class _State:
    verbose: bool = False
    settings_factory: Callable[[], Settings] | None = None
    _settings: Settings | None = None
    _registry: Registry | None = None
    console: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))

    def reset(self) -> None:
        self.close()
        self.verbose = False
        self.settings_factory = None
        self._settings = None
        self.console = Console(highlight=False, soft_wrap=True)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            factory = self.settings_factory or (lambda: load_settings())
            self._settings = factory()
        return self._settings

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            s = self.settings
            self._registry = open_registry(s.resolved_database_url, echo=s.sql_echo)
        return self._registry

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None


STATE = _State()


def emit_json(data: Any) -> None:
    """Print JSON for scripts (UTF-8, not ASCII-escaped)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts.")
