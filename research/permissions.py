"""Who is acting, and what they may do: the access rules (issue 10), with no I/O.

This module sits at the bottom of the layers (docs/ARCHITECTURE.md) beside research.errors
and research.config, so the store can check "write" and flag private audit rows without
importing anything above it. `research.access` re-exports every name here and adds what
needs the store or a sign-in (the `user_roles` table, OIDC and password sign-in); code
above the store imports from `research.access`.

Contract shared by every area:
- `Actor` is what research functions take as `actor`: a plain string (local mode and the CLI,
  full rights, recorded as given) or a `Principal` (a signed-in user with a role).
- `actor_name(actor)` is what goes into the audit trail and `created_by`/`author` columns.
- `require(actor, action)` raises `PermissionDenied` when the role may not do `action`;
  `ACTIONS` is the one table of what each action needs (docs/ACCESS.md shows it).
- `sees_private(actor, author)` says whether a private item written by `author` may be shown/exported;
  `may_show(private, author, viewer, include_private=)` applies it to an item that may or may not be private.
- `visible_audit_log()` + `audit_viewer_params(viewer)` are the one rule every reader of `audit_log`
  applies: private audit rows (flagged by the store, migration 0012) for their author and admins only.
- `resolve_role(email, rules)` turns an e-mail address into a role from role rules (secrets and
  the admin-managed `user_roles` table, see research/access/roles.py).

The checks live here and in the research functions, not in the UI: hiding a button is a
courtesy, the refusal is the function's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from research.errors import ValidationError, VantageError

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

# action -> the least role that may do it. Every write goes through Store.transaction,
# which checks "write"; the rest are checked by the function that does the work.
ACTIONS: dict[str, Role] = {
    "read": "viewer",  # browse every page, charts, profiles, boards
    "present": "viewer",  # presentation mode, decks in session mode, board PNG/PPTX, battlecards
    "write": "editor",  # any change: SWOT, profiles, segments, features, grid edits, decks, decisions
    "query": "editor",  # run SQL (typed, saved or built) in the query sandbox
    "export": "editor",  # raw data out: entity CSV, query results, segment members
    "undo": "editor",  # revert one of your own batches
    "undo_any": "admin",  # revert someone else's batch
    "import": "admin",  # entity imports and free datasets (including replacing a dataset)
    "collect": "admin",  # collection runs and merging the collect inbox
    "watchers": "admin",  # add, enable/disable, remove watchers
    "backup": "admin",  # download or write a backup of the whole workspace
    "restore": "admin",  # restore a backup into a new workspace
    "demo": "admin",  # build or rebuild the demo market
    "roles": "admin",  # assign roles to people
    "our_company": "admin",  # say which company is ours (issue 14: imports and the grid may not)
}

# Shown in PermissionDenied messages.
_ACTION_WORDS: dict[str, str] = {
    "read": "look at this workspace",
    "present": "present",
    "write": "change data",
    "query": "run SQL queries",
    "export": "export raw data",
    "undo": "undo a batch",
    "undo_any": "undo someone else's batch",
    "import": "import files or datasets",
    "collect": "run collection",
    "watchers": "manage watchers",
    "backup": "back up the workspace",
    "restore": "restore a backup",
    "demo": "rebuild the demo market",
    "roles": "assign roles",
    "our_company": "change which company is ours",
}


class PermissionDenied(VantageError):
    title = "Not allowed"


@dataclass(frozen=True)
class Principal:
    name: str  # shown and recorded in the audit trail (the e-mail address when signed in)
    role: Role
    email: str | None = None
    mode: str = "local"

    def __str__(self) -> str:
        return self.name


Actor = str | Principal


def actor_name(actor: Actor) -> str:
    return actor.name if isinstance(actor, Principal) else str(actor or "").strip()


def role_of(actor: Actor) -> Role:
    return actor.role if isinstance(actor, Principal) else "admin"


def allowed(actor: Actor, action: str) -> bool:
    """May `actor` do `action`? A plain string (local mode, the CLI) may do everything."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown access action {action!r}.")
    if not isinstance(actor, Principal):
        return True
    return _RANK.get(actor.role, -1) >= _RANK[ACTIONS[action]]


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied, in one sentence, unless `actor` may do `action`."""
    if not allowed(actor, action):  # only a Principal is ever refused
        raise PermissionDenied(
            f"{actor_name(actor)} is signed in as {role_of(actor)} and may not {_ACTION_WORDS[action]}: "
            f"that needs the {ACTIONS[action]} role; ask an admin.",
            key="access.error.denied",  # research/i18n/catalog_errors.py; its English is this sentence
            params={"name": actor_name(actor), "role": role_of(actor), "action": _ACTION_WORDS[action],
                    "action_code": action, "needs": ACTIONS[action]},
        )


def is_author(actor: Actor | None, author: str | None) -> bool:
    """Is `actor` the `author` recorded on an item (names compared ignoring case and spaces)?"""
    return actor is not None and bool(author) and actor_name(actor).casefold() == str(author).strip().casefold()


def sees_private(actor: Actor | None, author: str | None) -> bool:
    """A private item is shown to (and exported for) its author and admins only."""
    if actor is None:
        return False
    return role_of(actor) == "admin" or is_author(actor, author)


def may_show(private: bool, author: str | None, viewer: Actor | None, *, include_private: bool = True) -> bool:
    """May an item (private or not, written by `author`) be shown to `viewer`?

    Public items always; private ones to their author and admins (`sees_private`), and to
    nobody when `include_private` is False (a shared screen, a battlecard) or without a viewer.
    The one rule behind the SWOT listings, company notes and their history.
    """
    return not private or (include_private and sees_private(viewer, author))


# ---- private audit rows ----------------------------------------------------------------------
# Privacy belongs to the audit row (migration 0012): `audit_log.private` and `private_author` are
# set by the store when a row's before or after value is private, and stay set whatever happens
# to the item later (deleted, undone, archived, made public, restored from a backup). Every
# reader of audit rows goes through `visible_audit_log`, the one rule.

# Tables whose rows can be private: table -> (flag column, author column, fields that are private).
# No fields: the whole row is the private text (a SWOT item is its statement), so its audit rows
# are hidden; with fields, only those are blanked and the change itself stays in the history.
PRIVATE_ROWS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "swot_items": ("private", "author", ()),
    "companies": ("notes_private", "notes_author", ("notes",)),
}
# Audit rows that no reader shows to anyone (who has which role is an admin's business).
SECRET_AUDIT_TABLES: tuple[str, ...] = ("user_roles",)


def _flag(side: str, column: str) -> str:
    return f"coalesce(TRY_CAST({side} ->> '{column}' AS BOOLEAN), false)"


def audit_privacy_sql() -> tuple[str, str]:
    """SQL expressions over an `audit_log` row: (is its before or after private, who wrote that private value).

    The author is the one of the private side, the after's first (a public item made private
    belongs to whoever made it private). Used by the store when it writes audit rows.
    """
    private: list[str] = []
    author: list[str] = []
    for table, (flag, by, _) in PRIVATE_ROWS.items():
        private.append(f"(table_name = '{table}' AND ({_flag('after', flag)} OR {_flag('before', flag)}))")
        author.append(
            f"WHEN table_name = '{table}' THEN CASE WHEN {_flag('after', flag)} THEN after ->> '{by}' "
            f"ELSE before ->> '{by}' END"
        )
    return "(" + " OR ".join(private) + ")", "CASE " + " ".join(author) + " END"


def visible_audit_log(schema: str = "") -> str:
    """`audit_log` (in `schema`, else the current one) as the viewer in `$audit_viewer`/`$audit_admin` may see it.

    A subquery with the table's own columns: the rows of `SECRET_AUDIT_TABLES` are gone; a
    private row is gone for whoever is neither its author nor an admin (or, for tables with
    private fields, has those fields removed from before/after). Bind the parameters with
    `audit_viewer_params`.
    """
    prefix = f"{schema}." if schema else ""
    masked = (
        "(private AND NOT ($audit_admin OR ($audit_viewer <> '' "
        "AND lower(trim(coalesce(private_author, ''))) = $audit_viewer)))"
    )
    blanked = {table: fields for table, (_, _, fields) in PRIVATE_ROWS.items() if fields}
    secret = ", ".join(f"'{table}'" for table in SECRET_AUDIT_TABLES)
    # A private row is hidden whole unless its table names the private fields (an unknown table: hidden).
    keeps_row = " OR ".join(f"table_name = '{table}'" for table in blanked) or "false"

    def redacted(side: str) -> str:
        cases = " ".join(
            f"WHEN table_name = '{table}' THEN json_merge_patch({side}, '{json.dumps(dict.fromkeys(fields))}')"
            for table, fields in blanked.items()
        )
        return f"CASE WHEN {side} IS NOT NULL AND {masked} THEN CASE {cases} ELSE {side} END ELSE {side} END"

    return (
        f"(SELECT * REPLACE ({redacted('before')} AS before, {redacted('after')} AS after) "
        f"FROM {prefix}audit_log "
        f"WHERE table_name NOT IN ({secret}) AND NOT ({masked} AND NOT ({keeps_row})))"
    )


def audit_viewer_params(viewer: Actor | None, *, include_private: bool = True) -> dict[str, object]:
    """The parameters of `visible_audit_log` for `viewer`: the same answer as `may_show` for every row.

    No viewer, or `include_private=False` (a shared screen): nobody's private rows, not even one's own.
    """
    if viewer is None or not include_private:
        return {"audit_viewer": "", "audit_admin": False}
    return {"audit_viewer": actor_name(viewer).strip().lower(), "audit_admin": role_of(viewer) == "admin"}


# ---- role rules: e-mail addresses and @domains ---------------------------------------------

# The keys of `[vantage.roles]` in secrets and what role each list grants.
RULE_KEYS: dict[str, Role] = {"admins": "admin", "editors": "editor", "viewers": "viewer"}


def _refused(message: str, key: str, /, **params: object) -> ValidationError:
    """A ValidationError with its catalog key, so a page shows it in the viewer's language."""
    # research.i18n sits above this module (keyed_error is there), so the English sentence is
    # written here too; it must equal the catalog's (research/i18n/catalog_errors_collect.py),
    # which tests/test_errors_serbian.py checks.
    return ValidationError(message, key=key, params=params)


def normalize_pattern(text: str) -> str:
    """An e-mail address (`ana@example.com`) or a domain (`@example.com`), lower-case; else ValidationError."""
    pattern = str(text or "").strip().casefold()
    if pattern.startswith("@"):
        domain = pattern[1:]
        if not domain or "@" in domain or "." not in domain or any(ch.isspace() for ch in domain):
            raise _refused(f"{text!r} is not a domain rule; write it as @example.com.", "roles.error.domain",
                           text=text, example="@example.com")
        return pattern
    local, at, domain = pattern.partition("@")
    if not local or not at or "." not in domain or "@" in domain or any(ch.isspace() for ch in pattern):
        raise _refused(f"{text!r} is not an e-mail address or an @domain rule.", "roles.error.pattern",
                       text=text, domain="@domain")
    return pattern


def rules_from_mapping(section: Mapping[str, object] | None) -> list[tuple[str, Role]]:
    """`{"admins": [...], "editors": [...], "viewers": [...]}` (as in secrets) as (pattern, role) pairs.

    A single string is accepted for a list of one; unknown keys and malformed entries are
    refused with a sentence naming them, so a typo in secrets never grants a role silently.
    """
    rules: list[tuple[str, Role]] = []
    for key, value in dict(section or {}).items():
        if key not in RULE_KEYS:
            raise _refused(f"Unknown role list {key!r} in [vantage.roles]; use admins, editors or viewers.",
                           "roles.error.list", name=key, section="[vantage.roles]", admins="admins",
                           editors="editors", viewers="viewers")
        if not isinstance(value, str) and (isinstance(value, (Mapping, bytes)) or not isinstance(value, Iterable)):
            # `admins = 5` or a table instead of a list: iterating it would crash or read its keys as addresses
            raise _refused(f"The role list {key} in [vantage.roles] must be an address, an @domain rule or a list of "
                           f"them, not {value!r}.", "roles.error.entries", name=key, section="[vantage.roles]",
                           domain="@domain", value=value)
        entries: Iterable[object] = [value] if isinstance(value, str) else value
        for entry in entries:
            rules.append((normalize_pattern(str(entry)), RULE_KEYS[key]))
    return rules


def resolve_role(email: str | None, rules: Iterable[tuple[str, str]]) -> Role | None:
    """The role of `email`: an exact address rule wins over a domain rule; within each, the highest role.

    Case-insensitive. None when no rule matches (an unknown user gets no data).
    """
    address = str(email or "").strip().casefold()
    if "@" not in address:
        return None
    domain = "@" + address.rsplit("@", 1)[1]
    exact: list[Role] = []
    by_domain: list[Role] = []
    for pattern, role in rules:
        pattern = str(pattern).strip().casefold()
        if role not in ROLES:
            continue
        if pattern == address:
            exact.append(role)
        elif pattern == domain:
            by_domain.append(role)
    found = exact or by_domain
    if not found:
        return None
    return max(found, key=_RANK.__getitem__)


def signed_in(email: str, role: Role, *, mode: str = "oidc") -> Principal:
    """The principal of a signed-in user, named by their e-mail address (lower-case)."""
    address = email.strip().casefold()
    return Principal(name=address, role=role, email=address, mode=mode)


__all__ = [
    "ACTIONS",
    "PRIVATE_ROWS",
    "ROLES",
    "SECRET_AUDIT_TABLES",
    "Actor",
    "PermissionDenied",
    "Principal",
    "Role",
    "actor_name",
    "allowed",
    "audit_privacy_sql",
    "audit_viewer_params",
    "is_author",
    "may_show",
    "normalize_pattern",
    "require",
    "resolve_role",
    "role_of",
    "rules_from_mapping",
    "sees_private",
    "signed_in",
    "visible_audit_log",
]
