"""Settings: built once at the edge (CLI, API app factory) and passed down.

Nothing inside the library reads the environment: functions take a :class:`Settings`
(or the specific values they need). The edge builds it with :func:`load_settings`, which
reads, in rising priority, a TOML file, ``AGROCREDIT_*`` environment variables and
explicit overrides.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agrocredit.errors import ConfigError


class ImportRules(BaseModel):
    """Rules applied to each plot when a file is imported into the registry."""

    model_config = ConfigDict(extra="forbid")

    min_area_mu: float = Field(0.1, gt=0, description="Smallest plot accepted, in mu.")
    max_area_mu: float = Field(10_000.0, gt=0, description="Largest plot accepted, in mu.")
    overlap_flag_fraction: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Flag a plot when another farmer's plot covers more than this share of it.",
    )
    repair_area_tolerance: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description=(
            "An invalid polygon is repaired only when make_valid gives one polygon whose area "
            "differs from the original's by at most this share."
        ),
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> ImportRules:
        if self.min_area_mu >= self.max_area_mu:
            raise ValueError(
                f"min_area_mu ({self.min_area_mu}) must be below max_area_mu ({self.max_area_mu})"
            )
        return self


class Settings(BaseSettings):
    """Everything agrocredit can be configured with.

    Environment variables use the ``AGROCREDIT_`` prefix and ``__`` for nesting, e.g.
    ``AGROCREDIT_DATABASE_URL`` or ``AGROCREDIT_IMPORT_RULES__MIN_AREA_MU``.
    """

    model_config = SettingsConfigDict(
        env_prefix="AGROCREDIT_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(
        Path("var"), description="Working data: the SQLite registry, reports, the sample county."
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the registry. Default: a SQLite file agrocredit.db in data_dir. "
            "PostgreSQL: postgresql+psycopg://user:password@host:5432/dbname."
        ),
    )
    tiles_dir: Path = Field(Path("tiles"), description="Imagery store and cache.")
    models_dir: Path = Field(Path("models"), description="Trained model weights and cards.")
    import_rules: ImportRules = Field(default_factory=ImportRules)
    sql_echo: bool = Field(False, description="Log every SQL statement (debugging).")

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError(
                f"{value!r} is not a database URL; write e.g. sqlite:///var/agrocredit.db "
                "or postgresql+psycopg://user@host/db"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        """The registry URL, defaulting to a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'agrocredit.db').as_posix()}"

    @property
    def reports_dir(self) -> Path:
        """Where import reject reports and run reports are written."""
        return self.data_dir / "reports"


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings` from a TOML file, the environment and explicit overrides.

    Priority, lowest first: defaults, the TOML file (its ``[agrocredit]`` table or top
    level), ``AGROCREDIT_*`` environment variables, then ``overrides`` (``None`` values are
    ignored, so CLI options that were not given fall through).

    Raises :class:`ConfigError` naming the bad setting and how to fix it.
    """
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            values = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"configuration file {config_file} does not exist; check the path given "
                "with --config"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {config_file} is not valid TOML: {exc}") from exc
        values = values.get("agrocredit", values)
    try:
        from_env = Settings().model_dump(exclude_unset=True)
        merged = _deep_merge(values, from_env)
        merged = _deep_merge(merged, {k: v for k, v in overrides.items() if v is not None})
        return Settings(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings ({problems}); fix the configuration") from None
