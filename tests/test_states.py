"""Every set of stored states and kinds is declared once in Python and equals its column's CHECK constraint.

The schema (research/store/migrations) and the code name the same values; this reads
the CHECK constraints of a freshly migrated workspace and compares them with the one
Python declaration of each set, so a value added on one side only fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import duckdb
import pytest

from research import permissions
from research.collect.states import Schedule, WatcherKind, WatcherStatus
from research.compare.data import FEATURE_VALUES
from research.competitors.states import Confidence, Quadrant, TowsKind, TowsStatus
from research.data import fields
from research.data.states import AccountStatus, DealOutcome, PricePosition
from research.present.model import DecisionKind, DecisionStatus, SlideKind
from research.query.states import RunStatus
from research.signals.states import SignalKind, SignalStatus

# (table, column) -> the one Python declaration of the values its CHECK constraint allows.
DECLARED: dict[tuple[str, str], Iterable[str]] = {
    ("accounts", "status"): AccountStatus,
    ("companies", "price_positioning"): PricePosition,
    ("company_features", "value"): FEATURE_VALUES,
    ("custom_fields", "entity"): fields.ENTITIES,
    ("custom_fields", "kind"): fields.KINDS,
    ("deals", "outcome"): DealOutcome,
    ("deck_slides", "kind"): SlideKind,
    ("query_history", "status"): RunStatus,
    ("decisions", "kind"): DecisionKind,
    ("decisions", "status"): DecisionStatus,
    ("signal_rules", "kind"): SignalKind,
    ("signals", "draft_quadrant"): Quadrant,
    ("signals", "kind"): SignalKind,
    ("signals", "status"): SignalStatus,
    ("snapshots", "status"): WatcherStatus,
    ("swot_items", "confidence"): Confidence,
    ("swot_items", "quadrant"): Quadrant,
    ("tows_strategies", "kind"): TowsKind,
    ("tows_strategies", "status"): TowsStatus,
    ("user_roles", "role"): permissions.ROLES,
    ("watchers", "kind"): WatcherKind,
    ("watchers", "schedule"): Schedule,
}
# Value lists that only the schema names so far: no Python code chooses among them by name.
SCHEMA_ONLY = {
    ("audit_log", "action"),  # written by the store's transaction methods
    ("data_imports", "mode"),  # research.data.imports.MODES offers the user two of the three
    ("segments", "kind"),  # rule or cluster, set by the function that saves each
    ("sources", "kind"),  # demo data and imports only
    ("value_labels", "domain"),  # the label pages name their domain
}

_IN_LIST = re.compile(r"IN \(([^)]*)\)")


@pytest.fixture(scope="module")
def checked_values(empty_workspace_file: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """(table, column) -> the values of each `column IN (…)` CHECK constraint, in the schema's order."""
    with duckdb.connect(str(empty_workspace_file), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, constraint_column_names, expression FROM duckdb_constraints() "
            "WHERE constraint_type = 'CHECK' AND expression LIKE '% IN (%'"
        ).fetchall()
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for table, columns, expression in rows:
        match = _IN_LIST.search(expression)
        assert match, expression
        found[(table, columns[0])] = tuple(re.findall(r"'([^']*)'", match.group(1)))
    return found


@pytest.mark.parametrize("column", sorted(DECLARED), ids=lambda c: ".".join(c))
def test_the_declared_values_are_the_schemas(column: tuple[str, str],
                                              checked_values: dict[tuple[str, str], tuple[str, ...]]) -> None:
    assert tuple(DECLARED[column]) == checked_values[column]


def test_every_checked_value_list_is_declared_or_named(checked_values: dict[tuple[str, str], tuple[str, ...]]) -> None:
    # A new `CHECK (x IN (…))` column needs a Python declaration above, or a reason in SCHEMA_ONLY.
    assert set(checked_values) == set(DECLARED) | SCHEMA_ONLY


ENUMS: list[type[StrEnum]] = sorted(
    {k for k in DECLARED.values() if isinstance(k, type) and issubclass(k, StrEnum)}, key=lambda k: k.__name__
)


@pytest.mark.parametrize("kind", ENUMS, ids=lambda k: k.__name__)
def test_members_are_the_stored_strings(kind: type[StrEnum]) -> None:
    # Members compare equal to, hash like and print as the text stored, so SQL, JSON and old rows stay the same.
    for member in kind:
        assert member == member.value and hash(member) == hash(member.value) and f"{member}" == member.value
        assert kind(member.value) is member
