"""Role assignments kept in the workspace (`user_roles`, migration 0010), managed by admins.

Secrets (`[vantage.roles]` in `.streamlit/secrets.toml`) hold the assignments an operator
fixes at deployment, in particular the first admin; this table holds the ones admins make
in the app. Both feed `research.access.resolve_role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from research.access import ROLES, Actor, Role, normalize_pattern, require, resolve_role, rules_from_mapping
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store


@dataclass(frozen=True)
class Assignment:
    id: int
    pattern: str
    role: Role
    note: str | None
    version: int


def list_assignments(store: Store, actor: Actor) -> list[Assignment]:
    """Every rule in the table, addresses before domains; admins only (the list names people)."""
    require(actor, "roles")
    rows = store.query_rows(
        "SELECT id, pattern, role, note, version FROM user_roles ORDER BY starts_with(pattern, '@'), pattern"
    )
    return [Assignment(**row) for row in rows]


def table_rules(store: Store) -> list[tuple[str, Role]]:
    """The table's rules as (pattern, role) pairs, for sign-in (no actor yet, so no check)."""
    return [(row["pattern"], row["role"]) for row in store.query_rows("SELECT pattern, role FROM user_roles")]


def role_for(store: Store, email: str | None, secrets_roles: Mapping[str, object] | None) -> Role | None:
    """The role of a signed-in e-mail address from secrets and the table together."""
    rules: list[tuple[str, Role]] = [*rules_from_mapping(secrets_roles), *table_rules(store)]
    return resolve_role(email, rules)


def _role(role: str) -> Role:
    if role not in ROLES:
        raise keyed_error(ValidationError, "roles.error.role", role=role, viewer="viewer", editor="editor", admin="admin")
    return role


def assign_role(store: Store, actor: Actor, pattern: str, role: str, *, note: str | None = None) -> Assignment:
    """Give an e-mail address or @domain a role (replacing its earlier role in the table)."""
    require(actor, "roles")
    pattern = normalize_pattern(pattern)
    role = _role(role)
    note = (note or "").strip() or None
    with store.transaction(actor) as tx:
        found = tx.execute("SELECT id, version FROM user_roles WHERE pattern = ?", [pattern]).fetchone()
        if found:
            row = tx.update("user_roles", found[0], {"role": role, "note": note}, expected_version=found[1])
        else:
            row = tx.insert("user_roles", {"pattern": pattern, "role": role, "note": note})
    return Assignment(row["id"], row["pattern"], row["role"], row["note"], row["version"])


def remove_assignment(store: Store, actor: Actor, assignment_id: int, *, expected_version: int | None = None) -> None:
    require(actor, "roles")
    with store.transaction(actor) as tx:
        tx.delete("user_roles", assignment_id, expected_version=expected_version)


def secrets_rules_table(secrets_roles: Mapping[str, object] | None) -> list[tuple[str, Role]]:
    """The secrets' rules, for the admin page to show next to the table's (read-only there)."""
    return sorted(rules_from_mapping(secrets_roles), key=lambda r: (r[0].startswith("@"), r[0]))
