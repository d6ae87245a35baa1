"""Settings are declared once, documented in README, and read from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from research import config
from research.errors import ValidationError

README = Path(__file__).resolve().parent.parent / "README.md"


KINDS: dict[type[config.Setting[Any]], type] = {
    config.TextSetting: str, config.IntSetting: int, config.FloatSetting: float, config.FlagSetting: bool,
}


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_its_row_in_readme(setting: config.Setting[Any]) -> None:
    rows = [line for line in README.read_text("utf-8").splitlines() if line.startswith(f"| `{setting.env}`")]
    assert rows, f"README's configuration table has no row for {setting.env}"
    assert rows == [f"| `{setting.env}` | `{setting.default}` | {setting.help} |"], f"README's row differs for {setting.env}"


def test_readme_holds_the_generated_table() -> None:
    # The whole table, in order: a row README has and SETTINGS has not fails here too.
    assert config.readme_table() in README.read_text("utf-8")


def test_every_declared_setting_is_listed_once_under_its_own_name() -> None:
    declared = {name: value for name, value in vars(config).items() if isinstance(value, config.Setting)}
    assert sorted(declared.values(), key=lambda s: s.env) == sorted(config.SETTINGS, key=lambda s: s.env)
    assert len({s.env for s in config.SETTINGS}) == len(config.SETTINGS)
    for name, setting in declared.items():
        assert setting.env == f"VANTAGE_{name}", f"config.{name} reads {setting.env}"


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.env)
def test_every_default_is_a_value_of_its_declared_type(setting: config.Setting[Any]) -> None:
    assert type(setting.default_value()) is KINDS[type(setting)]


@pytest.mark.parametrize(
    ("kind", "default", "message"),
    [
        (config.IntSetting, "ten", "VANTAGE_EXAMPLE must be a whole number, not 'ten'"),
        (config.IntSetting, "1.5", "VANTAGE_EXAMPLE must be a whole number, not '1.5'"),
        (config.FloatSetting, "soon", "VANTAGE_EXAMPLE must be a number, not 'soon'"),
        (config.FloatSetting, "-1", "VANTAGE_EXAMPLE cannot be negative"),
        (config.FlagSetting, "maybe", "VANTAGE_EXAMPLE must be 1 or 0, not 'maybe'"),
    ],
)
def test_a_bad_default_fails_where_it_is_declared(kind: type[config.Setting[Any]], default: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        kind("VANTAGE_EXAMPLE", default, "An example.")


def test_environment_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_ACTOR", "marija")
    assert config.ACTOR.value() == "marija"
    assert config.ACTOR.default_value() == "local"
    monkeypatch.setenv("VANTAGE_ACTOR", "   ")
    assert config.ACTOR.value() == "local"


def test_values_have_the_declared_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DEMO_SEED", " 7 ")
    monkeypatch.setenv("VANTAGE_COLLECT_TIMEOUT", "2.5")
    assert config.DEMO_SEED.value() == 7
    assert config.DEMO_SEED.raw() == "7"
    assert config.COLLECT_TIMEOUT.value() == 2.5


@pytest.mark.parametrize(("text", "on"), [("1", True), ("YES", True), ("on", True), ("true", True),
                                          ("0", False), ("no", False), ("off", False)])
def test_flags(monkeypatch: pytest.MonkeyPatch, text: str, on: bool) -> None:
    monkeypatch.setenv("VANTAGE_READ_ONLY", text)
    assert config.READ_ONLY.value() is on


def test_a_mistyped_flag_is_refused_not_read_as_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_READ_ONLY", "ture")
    with pytest.raises(ValidationError, match="VANTAGE_READ_ONLY must be 1 or 0 .*not 'ture'"):
        config.READ_ONLY.value()


def test_bad_integer_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DEMO_SEED", "abc")
    with pytest.raises(ValidationError, match="VANTAGE_DEMO_SEED must be a whole number, not 'abc'"):
        config.DEMO_SEED.value()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "VANTAGE_COLLECT_TIMEOUT must be a number, not 'abc'"),
        ("inf", "VANTAGE_COLLECT_TIMEOUT must be a finite number, not 'inf'"),
        ("nan", "VANTAGE_COLLECT_TIMEOUT must be a finite number, not 'nan'"),
        ("-3", "VANTAGE_COLLECT_TIMEOUT cannot be negative"),
    ],
)
def test_bad_number_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.setenv("VANTAGE_COLLECT_TIMEOUT", text)
    with pytest.raises(ValidationError, match=message):
        config.COLLECT_TIMEOUT.value()


@pytest.mark.parametrize(
    ("value", "is_file"),
    [
        ("data/workbench.duckdb", True),
        ("/srv/vantage/team.duckdb", True),
        ("C:\\vantage\\w.duckdb", True),
        (":memory:", False),
        ("md:team_workspace", False),
        ("ducklake:metadata.ducklake", False),
    ],
)
def test_database_strings_are_told_apart_from_files(value: str, is_file: bool) -> None:
    assert config.is_file_database(value) is is_file


def test_relative_paths_resolve_against_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANTAGE_DB", raising=False)
    assert config.database() == str(config.PROJECT_ROOT / "data" / "workbench.duckdb")
    monkeypatch.setenv("VANTAGE_DB", "md:team")
    assert config.database() == "md:team"
