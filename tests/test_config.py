"""Settings are declared once, documented in README, and read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from research import config

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_a_row_in_readme(setting: config.Setting) -> None:
    rows = [line for line in README.read_text("utf-8").splitlines() if line.startswith(f"| `{setting.env}`")]
    assert rows, f"README's configuration table has no row for {setting.env}"
    assert f"`{setting.default}`" in rows[0], f"README shows another default for {setting.env}"


def test_environment_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_ACTOR", "marija")
    assert config.get("VANTAGE_ACTOR") == "marija"
    monkeypatch.setenv("VANTAGE_ACTOR", "   ")
    assert config.get("VANTAGE_ACTOR") == "local"


def test_bad_integer_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from research.errors import ValidationError

    monkeypatch.setenv("VANTAGE_DEMO_SEED", "abc")
    with pytest.raises(ValidationError, match="VANTAGE_DEMO_SEED must be a whole number"):
        config.get_int("VANTAGE_DEMO_SEED")


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
