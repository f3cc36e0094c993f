"""Settings: TOML file, AGROCREDIT_* environment, overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agrocredit.config import ImportRules, Settings, load_settings
from agrocredit.errors import ConfigError


def test_defaults():
    s = load_settings()
    assert s.data_dir == Path("var")
    assert s.database_url is None
    assert s.resolved_database_url == "sqlite:///var/agrocredit.db"
    assert s.reports_dir == Path("var/reports")
    assert s.import_rules == ImportRules()
    assert (s.import_rules.min_area_mu, s.import_rules.max_area_mu) == (0.1, 10_000.0)
    assert s.import_rules.overlap_flag_fraction == 0.05
    assert s.import_rules.repair_area_tolerance == 0.01
    assert s.sql_echo is False


def test_file_top_level_and_table(tmp_path):
    top = tmp_path / "top.toml"
    top.write_text('data_dir = "/srv/agro"\nsql_echo = true\n', encoding="utf-8")
    s = load_settings(top)
    assert s.data_dir == Path("/srv/agro") and s.sql_echo is True
    assert s.resolved_database_url == "sqlite:////srv/agro/agrocredit.db"

    table = tmp_path / "table.toml"
    table.write_text(
        '[agrocredit]\ndatabase_url = "postgresql+psycopg://u@db/agro"\n'
        "[agrocredit.import_rules]\nmin_area_mu = 0.5\n",
        encoding="utf-8",
    )
    s = load_settings(table)
    assert s.resolved_database_url == "postgresql+psycopg://u@db/agro"
    assert s.import_rules.min_area_mu == 0.5
    assert s.import_rules.max_area_mu == 10_000.0


def test_env(monkeypatch):
    monkeypatch.setenv("AGROCREDIT_DATA_DIR", "/data/env")
    monkeypatch.setenv("AGROCREDIT_IMPORT_RULES__OVERLAP_FLAG_FRACTION", "0.2")
    s = load_settings()
    assert s.data_dir == Path("/data/env")
    assert s.import_rules.overlap_flag_fraction == 0.2


def test_precedence_file_env_overrides(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text(
        'data_dir = "/from/file"\ntiles_dir = "/tiles/file"\nmodels_dir = "/models/file"\n'
        "[import_rules]\nmin_area_mu = 0.2\nmax_area_mu = 500\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AGROCREDIT_DATA_DIR", "/from/env")
    monkeypatch.setenv("AGROCREDIT_TILES_DIR", "/tiles/env")
    monkeypatch.setenv("AGROCREDIT_IMPORT_RULES__MIN_AREA_MU", "0.3")
    s = load_settings(config, data_dir=Path("/from/override"), tiles_dir=None)
    assert s.data_dir == Path("/from/override")  # override > env > file
    assert s.tiles_dir == Path("/tiles/env")  # env > file; a None override falls through
    assert s.models_dir == Path("/models/file")  # file > default
    # nested values merge key by key
    assert (s.import_rules.min_area_mu, s.import_rules.max_area_mu) == (0.3, 500.0)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist; check the path given"):
        load_settings(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("data_dir = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(bad)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bogus = 1\n", "bogus: Extra inputs are not permitted"),
        ('database_url = "agrocredit.db"\n', "'agrocredit.db' is not a database URL"),
        ("[import_rules]\nmin_area_mu = 5\nmax_area_mu = 2\n", "must be below max_area_mu"),
        ("[import_rules]\nmin_area_mu = 0\n", "import_rules.min_area_mu: Input should be greater"),
        ("[import_rules]\noverlap_flag_fraction = 2\n", "import_rules.overlap_flag_fraction"),
        ("[import_rules]\nmin_area = 1\n", "import_rules.min_area: Extra inputs"),
        ('sql_echo = "perhaps"\n', "sql_echo: Input should be a valid boolean"),
    ],
)
def test_bad_values_in_file(tmp_path, content, message):
    config = tmp_path / "c.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    text = str(err.value)
    assert message in text
    assert text.startswith("invalid settings (") and text.endswith("fix the configuration")
    assert isinstance(err.value, ValueError)


def test_bad_env_value(monkeypatch):
    monkeypatch.setenv("AGROCREDIT_IMPORT_RULES__MAX_AREA_MU", "lots")
    with pytest.raises(ConfigError, match=r"import_rules\.max_area_mu: Input should be a valid"):
        load_settings()


def test_bad_override():
    with pytest.raises(ConfigError, match="database_url"):
        load_settings(database_url="no-scheme")


def test_settings_is_built_from_keywords():
    s = Settings(data_dir=Path("/x"), database_url="sqlite:///y.db")
    assert s.resolved_database_url == "sqlite:///y.db"
    assert s.reports_dir == Path("/x/reports")


def test_import_rules_ignore_unprefixed_env(monkeypatch):
    monkeypatch.setenv("MIN_AREA_MU", "7")
    assert ImportRules().min_area_mu == 0.1
    assert load_settings().import_rules.min_area_mu == 0.1
