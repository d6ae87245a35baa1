"""Grid editing: one filtered page of an entity for the editor, and the editor's changes saved as one batch.

A page is filtered (search text, pick-list filters) and limited before it leaves
DuckDB, so a 500,000-row table never reaches the browser whole. Saving validates
every changed and added row first and lists all problems; then it checks that
no edited or deleted row changed since the page was loaded. One stale row refuses
the whole save (nothing is half-applied): the person reloads and re-applies.

The entity given is `research.data.fields.entity_for(store, name)`: a workspace's custom
fields are columns of the table, so they are loaded, checked, saved, audited and undone
like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research import config
from research.data.entities import Entity, Problem, coerce_frame
from research.data.imports import apply_dependent, dependent_values, reference_lookups
from research.data.writes import keyed_delete, keyed_insert, keyed_update
from research.errors import ConflictError, ValidationError
from research.store.core import Store, quote_ident

FILTERABLE_KINDS = ("choice", "country")


class GridRefused(ValidationError):
    title = "Not saved"

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class GridPage:
    frame: pd.DataFrame  # bookkeeping columns (id, version) first, then the entity's fields
    total: int  # rows matching the filter
    page: int
    pages: int


@dataclass(frozen=True)
class SaveResult:
    batch_id: int | None
    inserted: int
    updated: int
    deleted: int


def _select_list(entity: Entity) -> str:
    parts = []
    for f in entity.fields:
        column = quote_ident(f.name)
        if f.kind == "ref":
            parts.append(f"(SELECT p.{quote_ident(f.ref_label)} FROM {quote_ident(f.ref)} p WHERE p.id = t.{column}) AS {column}")
        else:
            parts.append(f"t.{column}")
    return ", ".join(parts)


def bookkeeping_columns(entity: Entity) -> list[str]:
    return ["id", "version"] if entity.has_id and entity.table != "price_observations" else (["id"] if entity.has_id else [])


def search_columns(entity: Entity) -> list[str]:
    """The columns the search box looks in: the entity's own, then its custom text fields."""
    return [*entity.search, *(f.name for f in entity.fields if f.custom and f.kind == "text")]


def load_page(store: Store, entity: Entity, *, search: str = "", filters: Mapping[str, str] | None = None,
              page: int = 1, page_size: int | None = None) -> GridPage:
    """One page of `entity` matching `search` (any search column contains it) and `filters` (field = value)."""
    page_size = page_size or config.get_int("VANTAGE_DATA_PAGE_SIZE")
    where, params = [], []
    columns = search_columns(entity)
    if search.strip():
        where.append("(" + " OR ".join(f"t.{quote_ident(c)} ILIKE ?" for c in columns) + ")")
        params += [f"%{search.strip()}%"] * len(columns)
    for name, value in (filters or {}).items():
        if value:
            entity.field(name)
            where.append(f"t.{quote_ident(name)} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    table = quote_ident(entity.table)
    total = int(store.query_value(f"SELECT count(*) FROM {table} t {clause}", params))
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    keep = ", ".join(f"t.{c}" for c in bookkeeping_columns(entity))
    select = f"{keep}, {_select_list(entity)}" if keep else _select_list(entity)
    order = ", ".join(f"t.{part}" for part in entity.order_by.split(", "))
    frame = store.query_df(
        f"SELECT {select} FROM {table} t {clause} ORDER BY {order}{', t.id' if entity.has_id else ''} "
        "LIMIT ? OFFSET ?",
        [*params, page_size, (page - 1) * page_size],
    )
    return GridPage(frame, total, page, pages)


def filter_options(store: Store, entity: Entity, filters: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Pick-list filters and their values; for accounts, the countries follow the chosen region.

    Built-in fields only: a workspace may add dozens of choice fields, and the filter row
    has room for a few (custom values are found with the search box or the Query page).
    """
    options: dict[str, list[str]] = {}
    for f in entity.fields:
        if f.custom:
            continue
        if f.kind in FILTERABLE_KINDS or f.name == "region":
            if f.kind == "choice":
                options[f.name] = list(f.choices)
                continue
            where, params = "", []
            if f.name == "country" and (filters or {}).get("region"):
                where, params = "WHERE region = ?", [filters["region"]]
            rows = store.query_rows(
                f"SELECT DISTINCT {quote_ident(f.name)} AS v FROM {quote_ident(entity.table)} {where} ORDER BY 1", params)
            options[f.name] = [r["v"] for r in rows if r["v"] is not None]
    return options


def reference_options(store: Store, entity: Entity) -> dict[str, list[str]]:
    """For each reference field, the labels the grid offers (company names, product SKUs)."""
    return {
        f.name: [r["label"] for r in store.query_rows(
            f"SELECT DISTINCT {quote_ident(f.ref_label)} AS label FROM {quote_ident(f.ref)} "
            f"WHERE {quote_ident(f.ref_label)} IS NOT NULL ORDER BY 1")]
        for f in entity.fields if f.kind == "ref"
    }


def filled_counts(store: Store, entity: Entity, names: list[str]) -> dict[str, int]:
    """How many rows hold a value in each of `names` (columns of the entity's table), in one scan."""
    if not names:
        return {}
    counts = ", ".join(f"count({quote_ident(n)}) AS {quote_ident(n)}" for n in names)
    row = store.query_rows(f"SELECT {counts} FROM {quote_ident(entity.table)}")[0]
    return {n: int(row[n]) for n in names}


def _plain(value: Any) -> Any:
    """A pandas/numpy cell as a value DuckDB binds (None for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _positions(keys: Any) -> list[int]:
    return sorted(int(k) for k in keys)


def save_grid(store: Store, entity: Entity, page: pd.DataFrame, state: Mapping[str, Any], actor: str) -> SaveResult:
    """Validate and save the editor's `state` (edited_rows / added_rows / deleted_rows) as one batch."""
    edited = {int(k): dict(v) for k, v in (state.get("edited_rows") or {}).items() if v}
    added = [dict(r) for r in (state.get("added_rows") or []) if any(_plain(v) is not None for v in dict(r).values())]
    deleted = _positions(state.get("deleted_rows") or [])
    edited = {pos: changes for pos, changes in edited.items() if pos not in deleted}
    if not (edited or added or deleted):
        return SaveResult(None, 0, 0, 0)
    for pos in [*edited, *deleted]:
        if not 0 <= pos < len(page):
            raise ValidationError("The grid changed under the edit (a row is gone); reload the page and re-apply.")
    fields = entity.field_names
    missing = [f for f in fields if f not in page.columns]
    if missing and edited:
        # A field was added (or renamed) since the page was loaded: its rows cannot be checked whole.
        raise ValidationError(f"The table's fields changed since the page was loaded ({', '.join(missing)}); "
                              "reload the page and re-apply your edits.")
    records, numbers = [], []
    for pos, changes in edited.items():
        row = {f: page.iloc[pos][f] for f in fields} | {k: v for k, v in changes.items() if k in fields}
        records.append(row)
        numbers.append(pos + 1)
    for i, row in enumerate(added):
        records.append({f: row.get(f) for f in fields})
        numbers.append(len(page) + i + 1)
    problems: list[Problem] = []
    typed = pd.DataFrame(columns=fields)
    if records:
        raw = pd.DataFrame(records, columns=fields).astype(object)
        raw.index = range(len(records))
        coerced = coerce_frame(entity, raw, row_numbers=numbers, refs=reference_lookups(store, entity), fill_defaults=False)
        problems = coerced.problems
        typed = apply_dependent(entity, coerced.frame, dependent_values(store, entity), pd.Series(numbers), problems)
        flagged = {(p.row, p.column) for p in problems}
        for f in entity.fields:
            if f.required and f.default is None:
                for i in typed.index[typed[f.name].isna()]:
                    if (numbers[i], f.name) not in flagged:
                        problems.append(Problem(numbers[i], f.name, "", "required"))
    if problems:
        raise GridRefused(f"{len(problems)} problem(s) in the grid; nothing was saved.", problems)
    _refuse_stale(store, entity, page, [*edited, *deleted])
    result = {"inserted": 0, "updated": 0, "deleted": 0}
    with store.transaction(actor) as tx:
        for i, (pos, changes) in enumerate(edited.items()):
            values = {k: _plain(typed.at[i, k]) for k in changes if k in fields}
            values = {k: (v.date() if isinstance(v, dt.datetime) and entity.field(k).kind == "date" else v)
                      for k, v in values.items()}
            original = page.iloc[pos]
            if entity.has_id:
                tx.update(entity.table, int(original["id"]), values, expected_version=_version(original))
            else:
                keyed_update(tx, entity, {k: _plain(original[k]) for k in entity.natural_key}, values)
            result["updated"] += 1
        for pos in deleted:
            original = page.iloc[pos]
            if entity.has_id:
                tx.delete(entity.table, int(original["id"]), expected_version=_version(original))
            else:
                keyed_delete(tx, entity, {k: _plain(original[k]) for k in entity.natural_key})
            result["deleted"] += 1
        for i in range(len(edited), len(records)):
            values = {f.name: _plain(typed.at[i, f.name]) for f in entity.fields}
            values = {k: (f.default if v is None else v) for (k, v), f in zip(values.items(), entity.fields)}
            values = {k: v for k, v in values.items() if v is not None}
            values = {k: (v.date() if isinstance(v, dt.datetime) and entity.field(k).kind == "date" else v)
                      for k, v in values.items()}
            if entity.has_id:
                tx.insert(entity.table, values)
            else:
                keyed_insert(tx, entity, values)
            result["inserted"] += 1
        batch_id = tx.batch_id
    return SaveResult(batch_id, **result)


def _version(row: pd.Series) -> int | None:
    return int(row["version"]) if "version" in row.index and pd.notna(row["version"]) else None


def _refuse_stale(store: Store, entity: Entity, page: pd.DataFrame, positions: list[int]) -> None:
    """Every edited or deleted row that someone changed since the page was loaded, in one refusal."""
    if not entity.has_id or "version" not in page.columns or not positions:
        return
    seen = {int(page.iloc[p]["id"]): int(page.iloc[p]["version"]) for p in positions}
    marks = ", ".join("?" for _ in seen)
    current = {r["id"]: r["version"] for r in store.query_rows(
        f"SELECT id, version FROM {quote_ident(entity.table)} WHERE id IN ({marks})", list(seen))}
    stale = [i for i, v in seen.items() if current.get(i) != v]
    if not stale:
        return
    details = []
    for row_id in stale[:10]:
        last = store.query_rows(
            "SELECT actor, changed_at FROM audit_log WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
            [entity.table, str(row_id)])
        if row_id not in current:
            details.append(f"row {row_id} was removed" + (f" by {last[0]['actor']} at {last[0]['changed_at']:%Y-%m-%d %H:%M}" if last else ""))
        else:
            details.append(f"row {row_id} was changed" + (f" by {last[0]['actor']} at {last[0]['changed_at']:%Y-%m-%d %H:%M}" if last else ""))
    raise ConflictError(
        f"Not saved: {'; '.join(details)} after you loaded the page. Nothing was saved; reload and re-apply your edits."
    )
