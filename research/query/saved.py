"""Saved parameterised queries, their typed parameters and share links, and per-actor query history.

A saved query is SQL with named parameters (`$region`, `$since`); each parameter
has a kind (text, number, date, or a pick-list of a column's values) so the page
can render a typed input. Values are always bound by DuckDB, never spliced into
the SQL. Saves and deletes are audited through the store; history rows are a log
of their own (no audit rows), trimmed to the newest 100 per actor.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from research.access import Actor, actor_name
from research.errors import ReadOnlyError, ValidationError
from research.query.states import RunStatus
from research.query.statements import StatementInvalid, StatementRefused, check_read_only, keyed, parameter_names
from research.store import Store, quote_ident

if TYPE_CHECKING:  # pandas loads with the first frame: `python -m research query` starts without it
    import pandas as pd

PARAM_KINDS = ("text", "number", "date", "choice")
HISTORY_PER_ACTOR = 100
HISTORY_SQL_CHARS = 20_000  # longer statements are kept shortened in the history
CHOICES_LIMIT = 500
LINK_SAVED = "saved"
LINK_PARAM_PREFIX = "p_"
_DATE_NAME = re.compile(r"(^|_)(since|until|from|to|date|day|on|at|start|end|month)$")
_CHOICES_FROM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class ParamSpec:
    """One `$name` of a saved query: how to ask for it and its default (as text)."""

    name: str
    kind: str = "text"
    default: str | None = None
    choices_from: str | None = None  # "table.column" for kind "choice"


@dataclass(frozen=True)
class SavedQuery:
    id: int
    name: str
    description: str
    sql: str
    parameters: tuple[ParamSpec, ...]
    owner: str | None
    version: int
    updated_at: dt.datetime


# ---- parameters ------------------------------------------------------------------------


def guess_kind(name: str, value: Any = None) -> str:
    """A first guess of a parameter's kind from its value, else from its name (`since` → date)."""
    if isinstance(value, bool):
        return "text"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str) and value:
        if _is_number(value):
            return "number"
        try:
            dt.date.fromisoformat(value)
            return "date"
        except ValueError:
            return "text"
    return "date" if _DATE_NAME.search(name.lower()) else "text"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def coerce_value(spec: ParamSpec, raw: Any) -> Any:
    """The typed value of one parameter from what a person typed (or a link carried)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise keyed(ValidationError, "query.param.error.missing", name=spec.name)
    if spec.kind == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma (1,5) as Serbian users type it
        try:
            number = float(text)
        except ValueError:
            raise keyed(ValidationError, "query.param.error.number", name=spec.name, value=repr(raw)) from None
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if spec.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise keyed(ValidationError, "query.param.error.date", name=spec.name, value=repr(raw)) from None
    return str(raw)


def coerce_values(specs: tuple[ParamSpec, ...] | list[ParamSpec], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for every parameter; a missing value falls back to its default."""
    values = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            value = spec.default
        values[spec.name] = coerce_value(spec, value)
    return values


def infer_parameters(sql: str, known: Mapping[str, ParamSpec] | None = None, values: Mapping[str, Any] | None = None) -> list[ParamSpec]:
    """Specs for every `$name` in `sql`: known ones kept, new ones guessed from their value or name."""
    known = known or {}
    values = values or {}
    specs = []
    for name in parameter_names(sql):
        if name in known:
            specs.append(known[name])
            continue
        value = values.get(name)
        default = value.isoformat() if isinstance(value, dt.date) else (None if value is None else str(value))
        specs.append(ParamSpec(name=name, kind=guess_kind(name, value), default=default))
    return specs


def with_defaults(specs: list[ParamSpec], values: Mapping[str, Any]) -> list[ParamSpec]:
    """The specs with the values of a run as their defaults (what a saved query opens with)."""
    out = []
    for spec in specs:
        value = values.get(spec.name)
        if value is None:
            out.append(spec)
            continue
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        out.append(ParamSpec(spec.name, spec.kind, text, spec.choices_from))
    return out


def parse_cli_params(items: list[str]) -> dict[str, Any]:
    """`name=value` pairs of the CLI; numbers, ISO dates and true/false are typed, the rest is text."""
    values: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise keyed(ValidationError, "query.param.error.cli", option="--param", form="name=value", item=repr(item))
        kind = guess_kind(name, raw)
        if raw.lower() in ("true", "false"):
            values[name] = raw.lower() == "true"
        elif kind == "text":
            values[name] = raw
        else:
            values[name] = coerce_value(ParamSpec(name, kind), raw)
    return values


def choices(store: Store, choices_from: str) -> list[str]:
    """Distinct values of `table.column` for a pick-list (at most 500)."""
    match = _CHOICES_FROM.match(choices_from or "")
    if not match:
        raise keyed(ValidationError, "query.param.error.choices_form", form="table.column", source=repr(choices_from))
    table, column = match.groups()
    known = store.query_value(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? AND column_name = ?",
        [table, column],
    )
    if not known:
        raise keyed(ValidationError, "query.param.error.choices_column", source=choices_from)
    df = store.query_df(
        f"SELECT DISTINCT CAST({quote_ident(column)} AS VARCHAR) AS v FROM {quote_ident(table)} "
        f"WHERE {quote_ident(column)} IS NOT NULL ORDER BY 1 LIMIT {CHOICES_LIMIT}"
    )
    return df["v"].tolist()


# ---- share links -----------------------------------------------------------------------


def share_params(saved_id: int, values: Mapping[str, Any]) -> dict[str, str]:
    """URL query parameters that open a saved query with these values (`?saved=3&p_since=2026-08-01`)."""
    link = {LINK_SAVED: str(saved_id)}
    for name, value in values.items():
        link[LINK_PARAM_PREFIX + name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return link


def read_share_params(query_params: Mapping[str, str]) -> tuple[int | None, dict[str, str]]:
    """The saved query id and raw parameter values of a share link (None if the link has none)."""
    raw = query_params.get(LINK_SAVED)
    try:
        saved_id = int(raw) if raw is not None else None
    except ValueError:
        saved_id = None
    values = {k[len(LINK_PARAM_PREFIX):]: v for k, v in query_params.items() if k.startswith(LINK_PARAM_PREFIX)}
    return saved_id, values


# ---- saved queries ---------------------------------------------------------------------

_SAVED_COLUMNS = "id, name, description, sql, parameters, owner, version, updated_at"


def _to_saved(row: Mapping[str, Any]) -> SavedQuery:
    params = json.loads(row["parameters"] or "[]")
    return SavedQuery(
        id=int(row["id"]),
        name=row["name"],
        description=row["description"] or "",
        sql=row["sql"],
        parameters=tuple(ParamSpec(**p) for p in params),
        owner=row["owner"],
        version=int(row["version"]),
        updated_at=row["updated_at"],
    )


def list_saved(store: Store) -> list[SavedQuery]:
    rows = store.query_rows(f"SELECT {_SAVED_COLUMNS} FROM saved_queries ORDER BY lower(name), id")
    return [_to_saved(r) for r in rows]


def get_saved(store: Store, saved_id: int) -> SavedQuery | None:
    rows = store.query_rows(f"SELECT {_SAVED_COLUMNS} FROM saved_queries WHERE id = ?", [saved_id])
    return _to_saved(rows[0]) if rows else None


def validate_saved(name: str, sql: str, parameters: list[ParamSpec] | tuple[ParamSpec, ...]) -> None:
    """A saved query must be one read statement whose `$names` all have a spec of a known kind."""
    if not name.strip():
        raise keyed(ValidationError, "query.save.error.name")
    if len(name) > 120:
        raise keyed(ValidationError, "query.save.error.long", max=120)
    try:
        check_read_only(sql)
    except (StatementRefused, StatementInvalid) as e:
        # The refusal's own sentence: the page shows it under the save form, in the viewer's language.
        raise keyed(ValidationError, e.key, **e.params) from None
    names = set(parameter_names(sql))
    specified = {p.name for p in parameters}
    missing = names - specified
    if missing:
        raise keyed(ValidationError, "query.save.error.kind_missing", name=min(missing))
    for spec in parameters:
        if spec.kind not in PARAM_KINDS:
            raise keyed(ValidationError, "query.save.error.kind", name=spec.name, kind=repr(spec.kind),
                        known=", ".join(PARAM_KINDS))
        if spec.kind == "choice" and not (spec.choices_from and _CHOICES_FROM.match(spec.choices_from)):
            raise keyed(ValidationError, "query.save.error.choices", name=spec.name, form="table.column")
        if spec.default not in (None, ""):
            coerce_value(spec, spec.default)


def save_query(
    store: Store,
    actor: Actor,
    *,
    name: str,
    sql: str,
    parameters: list[ParamSpec] | tuple[ParamSpec, ...] = (),
    description: str = "",
    saved_id: int | None = None,
    expected_version: int | None = None,
) -> SavedQuery:
    """Create (or with `saved_id`, edit) a saved query; names are unique ignoring case."""
    name = name.strip()
    params = [p for p in parameters if p.name in set(parameter_names(sql))]
    validate_saved(name, sql, params)
    values = {
        "name": name,
        "description": description.strip(),
        "sql": sql.strip(),
        "parameters": json.dumps([asdict(p) for p in params]),
    }
    with store.transaction(actor) as tx:
        clash = tx.execute(
            "SELECT id FROM saved_queries WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?", [name, saved_id]
        ).fetchone()
        if clash:
            raise keyed(ValidationError, "query.save.error.taken", name=repr(name))
        if saved_id is None:
            row = tx.insert("saved_queries", {**values, "owner": tx.actor})
        else:
            row = tx.update("saved_queries", saved_id, values, expected_version=expected_version)
    return _to_saved(row)


def delete_saved(store: Store, actor: Actor, saved_id: int, *, expected_version: int | None = None) -> None:
    with store.transaction(actor) as tx:
        tx.delete("saved_queries", saved_id, expected_version=expected_version)


# ---- history ---------------------------------------------------------------------------


def _params_json(params: Mapping[str, Any] | None) -> str | None:
    if not params:
        return None
    return json.dumps({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}, default=str)


def record_history(
    store: Store,
    actor: Actor,
    sql: str,
    params: Mapping[str, Any] | None,
    *,
    status: RunStatus,
    row_count: int | None = None,
    seconds: float | None = None,
    message: str | None = None,
) -> None:
    """Add a run to the actor's history and keep only their newest 100; a read-only workspace keeps none."""
    if store.read_only:
        return
    if len(sql) > HISTORY_SQL_CHARS:
        # A refused multi-megabyte statement must not bloat every later snapshot and history read.
        sql = f"{sql[:HISTORY_SQL_CHARS]}… ({len(sql):,} characters)"
    try:
        with store.transaction(actor) as tx:
            tx.execute(
                "INSERT INTO query_history (actor, sql, parameters, status, row_count, seconds, message) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [tx.actor, sql, _params_json(params), status, row_count, seconds, message],
            )
            tx.execute(
                "DELETE FROM query_history WHERE actor = ? AND id NOT IN "
                "(SELECT id FROM query_history WHERE actor = ? ORDER BY id DESC LIMIT ?)",
                [tx.actor, tx.actor, HISTORY_PER_ACTOR],
            )
    except ReadOnlyError:
        return


def history(store: Store, actor: Actor, limit: int = HISTORY_PER_ACTOR) -> pd.DataFrame:
    """The actor's runs, newest first."""
    return store.query_df(
        "SELECT id, ran_at, status, row_count, seconds, sql, parameters, message FROM query_history "
        "WHERE actor = ? ORDER BY id DESC LIMIT ?",
        [actor_name(actor), limit],
    )


def history_entry(store: Store, actor: Actor, entry_id: int) -> tuple[str, dict[str, Any]] | None:
    """SQL and parameter values of one of the actor's runs, to run again."""
    rows = store.query_rows(
        "SELECT sql, parameters FROM query_history WHERE id = ? AND actor = ?", [entry_id, actor_name(actor)]
    )
    if not rows:
        return None
    return rows[0]["sql"], json.loads(rows[0]["parameters"] or "{}")
