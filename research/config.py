"""Settings, declared once: the only module that reads the environment.

Every setting has a default and a one-line help; README's configuration table
lists each of them (a test checks that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "VANTAGE_DB",
        "data/workbench.duckdb",
        "Workspace: a DuckDB file path (relative to the project) or any DuckDB database string (md:…, ducklake:…).",
    ),
    Setting("VANTAGE_ACTOR", "local", "Default actor name recorded in the audit log (sidebar and --actor override it)."),
    Setting("VANTAGE_LANG", "en", "Default UI language: en (English) or sr (Serbian, Cyrillic)."),
    Setting("VANTAGE_DEMO", "1", "Fill a newly created workspace with the demo market on the app's first start (1 or 0)."),
    Setting("VANTAGE_DEMO_SEED", "42", "Random seed of the demo market the app creates on first start."),
    Setting("VANTAGE_READ_ONLY", "0", "Open the workspace read-only (1 or 0): browsing works, every write is refused."),
    # -- competitors and SWOT settings --
    # -- segmentation settings --
    # -- collection settings --
    # -- query settings --
)

_BY_ENV = {s.env: s for s in SETTINGS}


def get(env: str) -> str:
    """The value of a declared setting: the environment if set, else its default."""
    setting = _BY_ENV[env]
    value = os.environ.get(env, "").strip()
    return value or setting.default


def get_flag(env: str) -> bool:
    return get(env).lower() in {"1", "true", "yes", "on"}


def get_int(env: str) -> int:
    value = get(env)
    try:
        return int(value)
    except ValueError:
        from research.errors import ValidationError

        raise ValidationError(f"{env} must be a whole number, not {value!r}.") from None


def database() -> str:
    """The workspace database string; relative file paths resolve against the project."""
    return resolve_database(get("VANTAGE_DB"))


def resolve_database(value: str) -> str:
    if is_file_database(value) and not os.path.isabs(value):
        return str(PROJECT_ROOT / value)
    return value


def is_file_database(database: str) -> bool:
    """True for a local file path; False for ':memory:' and engine strings like md:… or ducklake:…."""
    if database == ":memory:" or database.startswith(":memory:"):
        return False
    head = database.split(":", 1)[0]
    # A one-letter head is a Windows drive letter, not a scheme.
    return ":" not in database or len(head) == 1
