"""Grid editing: one filtered page of an entity for the editor, and the editor's changes saved as one batch.

A page is filtered (search text, pick-list filters) and limited before it leaves
DuckDB, so a 500,000-row table never reaches the browser whole. Saving validates
every changed and added row first and lists all problems; then it checks that
no edited or deleted row changed since the page was loaded. One stale row refuses
the whole save (nothing is half-applied): the person reloads and re-applies.

A refused save keeps the person's edits: `apply_edits` folds the editor's state into the
rows shown, `pending_changes` diffs them against the page as loaded (what a save would do,
counted for the summary before saving), and `problems_by_row` puts each refusal next to the
row it belongs to. Fixed codes (status, price positioning, countries) are shown by their
names in the viewer's language (`choice_labels`) and mapped back before anything is compared
or saved.

The entity given is `research.data.fields.entity_for(store, name)`: a workspace's custom
fields are columns of the table, so they are loaded, checked, saved, audited and undone
like the built-in ones.

A deal's reasons are a field that is not a column (`Field.in_table`): loaded as one cell of
codes, shown by the reasons' names in the viewer's language (`reason_cells`), checked like any
cell, and written after the deal's row through research.data.reasons (links audited in the
same batch; a deleted deal takes its reasons with it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd

from research import config
from research.access import Actor
from research.data import our_company
from research.data import reasons as deal_reasons
from research.data.entities import (
    COUNTRY_CODES,
    Entity,
    Field,
    Problem,
    coerce_frame,
    problem,
)
from research.data.imports import apply_dependent, dependent_values, reference_lookups
from research.data.writes import keyed_delete, keyed_insert, keyed_update
from research.errors import ConflictError, ValidationError
from research.i18n import MESSAGES, country_name, keyed_error, t
from research.store.core import Store
from research.store.sql import quote_ident

FILTERABLE_KINDS = ("choice", "country")


class GridRefused(ValidationError):
    title = "Not saved"

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message, key="data.error.grid_refused", params={"count": len(problems)})
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


def _ref_label(f: Field) -> str:
    """A reference field's label (the account's name, the product's SKU) for the row `t`."""
    if f.ref is None:
        raise ValueError(f"{f.name} is not a reference field")
    return f"(SELECT p.{quote_ident(f.ref_label)} FROM {quote_ident(f.ref)} p WHERE p.id = t.{quote_ident(f.name)})"


def _select_list(entity: Entity) -> str:
    parts = []
    for f in entity.fields:
        column = quote_ident(f.name)
        if f.kind == "ref":
            parts.append(f"{_ref_label(f)} AS {column}")
        elif f.kind == "reasons":
            # A deal's reasons as one cell of codes ("lead_time; price"); names are shown per language.
            parts.append(f"{deal_reasons.CELL_SQL.format(deal='t.id')} AS {column}")
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
    page_size = page_size or config.DATA_PAGE_SIZE.value()
    where, params = [], []
    columns = search_columns(entity)
    if search.strip():
        # A reference column is searched by its label: deals are found by their account's name.
        names = {f.name: f for f in entity.fields}
        terms = [_ref_label(names[c]) if c in names and names[c].kind == "ref" else f"t.{quote_ident(c)}"
                 for c in columns]
        where.append("(" + " OR ".join(f"{term} ILIKE ?" for term in terms) + ")")
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
    if entity.has_id:
        # The page's ids first, over the order's columns alone; then only those rows get their
        # reference labels (a supplier's name, a deal's reasons). At 5 M accounts building every
        # row's labels before picking 200 took a second.
        ids = [int(r["id"]) for r in store.query_rows(
            f"SELECT t.id FROM {table} t {clause} ORDER BY {order}, t.id LIMIT ? OFFSET ?",
            [*params, page_size, (page - 1) * page_size])]
        listed = ", ".join(str(i) for i in ids) or "NULL"  # integers read back from the database
        frame = store.query_df(f"SELECT {select} FROM {table} t WHERE t.id IN ({listed}) ORDER BY {order}, t.id")
    else:
        frame = store.query_df(f"SELECT {select} FROM {table} t {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                               [*params, page_size, (page - 1) * page_size])
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
            region = (filters or {}).get("region")
            if f.name == "country" and region:
                where, params = "WHERE region = ?", [region]
            rows = store.query_rows(
                f"SELECT DISTINCT {quote_ident(f.name)} AS v FROM {quote_ident(entity.table)} {where} ORDER BY 1", params)
            options[f.name] = [r["v"] for r in rows if r["v"] is not None]
    return options


# A reference with more rows than this is typed (name or id) rather than picked from a list: a deal's
# account among 500,000 would send every name to the browser on every run.
MAX_REFERENCE_OPTIONS = 2_000


def reference_options(store: Store, entity: Entity) -> dict[str, list[str]]:
    """For each reference field, the labels the grid offers (company names, product SKUs); a field whose
    table has more than MAX_REFERENCE_OPTIONS rows is left out (its cell takes a name or id as text)."""
    options = {}
    for f in entity.fields:
        if f.kind != "ref" or not f.ref:
            continue
        label = quote_ident(f.ref_label)
        rows = store.query_rows(
            f"SELECT DISTINCT {label} AS label FROM {quote_ident(f.ref)} WHERE {label} IS NOT NULL ORDER BY 1 LIMIT ?",
            [MAX_REFERENCE_OPTIONS + 1])
        if len(rows) <= MAX_REFERENCE_OPTIONS:
            options[f.name] = [r["label"] for r in rows]
    return options


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


def save_grid(store: Store, entity: Entity, page: pd.DataFrame, state: Mapping[str, Any], actor: Actor) -> SaveResult:
    """Validate and save the editor's `state` (edited_rows / added_rows / deleted_rows) as one batch."""
    edited = {int(k): dict(v) for k, v in (state.get("edited_rows") or {}).items() if v}
    added = [dict(r) for r in (state.get("added_rows") or []) if _filled(dict(r))]
    deleted = _positions(state.get("deleted_rows") or [])
    edited = {pos: changes for pos, changes in edited.items() if pos not in deleted}
    if not (edited or added or deleted):
        return SaveResult(None, 0, 0, 0)
    for pos in [*edited, *deleted]:
        if not 0 <= pos < len(page):
            raise keyed_error(ValidationError, "data.error.grid_changed")
    fields = entity.field_names
    missing = [f for f in fields if f not in page.columns]
    if missing and edited:
        # A field was added (or renamed) since the page was loaded: its rows cannot be checked whole.
        raise keyed_error(ValidationError, "data.error.fields_changed", fields=", ".join(missing))
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
        # Object cells from the start: a column of whole numbers with an empty added row would be
        # inferred as float, and a refusal would quote -7 as "-7.0".
        raw = pd.DataFrame(records, columns=fields, dtype=object)
        raw.index = pd.RangeIndex(len(records))
        coerced = coerce_frame(entity, raw, row_numbers=numbers, refs=reference_lookups(store, entity), fill_defaults=False)
        problems = coerced.problems
        typed = apply_dependent(entity, coerced.frame, dependent_values(store, entity), pd.Series(numbers), problems)
        flagged = {(p.row, p.column) for p in problems}
        for f in entity.fields:
            if f.required and f.default is None:
                for i in typed.index[typed[f.name].isna()]:
                    if (numbers[i], f.name) not in flagged:
                        problems.append(problem(numbers[i], f.name, "", "data.problem.required"))
    links = deal_reasons.link_fields(entity)
    if entity.table == "deals" and records:
        existing = {i: int(page.iloc[pos]["id"]) for i, pos in enumerate(edited)}
        deal_reasons.check_deal_rows(store, typed, pd.Series(numbers, index=typed.index), problems, existing)
    if entity.table == "companies":
        # Our company stays active, as on the profile form (one rule: research.data.our_company).
        existing = {i: int(page.iloc[pos]["id"]) for i, pos in enumerate(edited)}
        our_company.check_company_rows(store, typed, pd.Series(numbers, index=typed.index), problems, existing)
        our_company.refuse_archiving(store, [int(page.iloc[pos]["id"]) for pos in deleted], deleting=True)
    if problems:
        raise GridRefused(t("data.error.grid_refused", "en", count=len(problems)), problems)
    _refuse_stale(store, entity, page, [*edited, *deleted])
    result = {"inserted": 0, "updated": 0, "deleted": 0}
    # A deal's reasons (fields that are not columns of the table): deal id -> reason ids, written after the rows.
    wanted: dict[int, list[int]] = {}
    untouched: dict[int, int | None] = {}  # deals whose reasons alone changed -> the version loaded
    with store.transaction(actor) as tx:
        for i, (pos, changes) in enumerate(edited.items()):
            values = {k: _plain(typed.at[i, k]) for k in changes if k in fields and k not in links}
            values = {k: (v.date() if isinstance(v, dt.datetime) and entity.field(k).kind == "date" else v)
                      for k, v in values.items()}
            original = page.iloc[pos]
            if any(k in links for k in changes):
                wanted[int(original["id"])] = list(next((_plain(typed.at[i, k]) for k in links), None) or ())
                if not values:
                    untouched[int(original["id"])] = _version(original)
                    result["updated"] += 1
                    continue
            if entity.has_id:
                tx.update(entity.table, int(original["id"]), values, expected_version=_version(original))
            else:
                keyed_update(tx, entity, {k: _plain(original[k]) for k in entity.natural_key}, values)
            result["updated"] += 1
        if links and deleted:
            # The store refuses to delete a deal its reasons point at: they go with it, in this batch.
            deal_reasons.delete_links_of_in(tx, [int(page.iloc[pos]["id"]) for pos in deleted])
        for pos in deleted:
            original = page.iloc[pos]
            if entity.has_id:
                tx.delete(entity.table, int(original["id"]), expected_version=_version(original))
            else:
                keyed_delete(tx, entity, {k: _plain(original[k]) for k in entity.natural_key})
            result["deleted"] += 1
        stored = [f for f in entity.fields if f.in_table]
        for i in range(len(edited), len(records)):
            values = {f.name: _plain(typed.at[i, f.name]) for f in stored}
            values = {k: (f.default if v is None else v) for (k, v), f in zip(values.items(), stored)}
            values = {k: v for k, v in values.items() if v is not None}
            values = {k: (v.date() if isinstance(v, dt.datetime) and entity.field(k).kind == "date" else v)
                      for k, v in values.items()}
            if entity.has_id:
                row = tx.insert(entity.table, values)
                given = [_plain(typed.at[i, k]) for k in links]
                if any(given):
                    wanted[int(row["id"])] = list(next(g for g in given if g))
            else:
                keyed_insert(tx, entity, values)
            result["inserted"] += 1
        if wanted:
            changed = deal_reasons.replace_links_in(tx, wanted)
            deal_reasons.touch_deals_in(tx, [d for d in untouched if d in changed], untouched)
        batch_id = tx.batch_id
    return SaveResult(batch_id, **result)


# ---- labels, pending changes and drafts -----------------------------------------------------


def choice_labels(entity: Entity, lang: str) -> dict[str, dict[str, str]]:
    """Stored value -> name shown, for the fields whose values are fixed codes: status and price
    positioning by their catalog names, countries by their names in `lang`. A workspace's own
    choice fields are shown as the workspace wrote them. Names are unique per field (a name two
    codes share carries its code), so what the editor returns maps back to one stored value."""
    labels: dict[str, dict[str, str]] = {}
    for f in entity.fields:
        if f.custom:
            continue
        if f.kind == "choice":
            keys = {c: next((k for k in (f"data.choice.{f.name}.{c}", f"{f.name}.{c}") if k in MESSAGES), None)
                    for c in f.choices}
            if all(keys.values()):
                labels[f.name] = {c: t(str(k), lang) for c, k in keys.items()}
        elif f.kind == "country":
            names = {c: country_name(c, lang) for c in COUNTRY_CODES}
            labels[f.name] = dict(sorted(names.items(), key=lambda item: item[1].casefold()))
    for name, names in labels.items():
        seen: dict[str, int] = {}
        for label in names.values():
            seen[label] = seen.get(label, 0) + 1
        labels[name] = {c: (f"{n} ({c})" if seen[n] > 1 else n) for c, n in names.items()}
    return labels


class ReasonNames:
    """A deal's reasons cell as shown: its codes ("lead_time; price") by their names in `lang`
    ("Lead time; Price"). Used like a field's entry of `choice_labels` by `shown_frame`."""

    def __init__(self, reasons: Sequence[deal_reasons.Reason], lang: str) -> None:
        self.reasons, self.lang = list(reasons), lang

    def get(self, value: Any, default: Any = None) -> Any:
        return deal_reasons.cell_text(self.reasons, value, self.lang) if isinstance(value, str) else default


class ReasonCodes:
    """A typed reasons cell read back as codes in the list's order, so an unchanged cell equals the
    stored one; a cell naming an unknown reason stays as typed (the save refuses it at the cell).
    Used like an entry of `apply_edits`' `back`."""

    def __init__(self, reasons: Sequence[deal_reasons.Reason]) -> None:
        self.reasons = list(reasons)

    def get(self, value: Any, default: Any = None) -> Any:
        return deal_reasons.cell_codes(self.reasons, value) if isinstance(value, str) else default


def reason_cells(store: Store, entity: Entity, lang: str) -> tuple[dict[str, ReasonNames], dict[str, ReasonCodes]]:
    """For the entity's reasons fields: how cells are shown in `lang`, and how typed cells are read back."""
    names = deal_reasons.link_fields(entity)
    if not names:
        return {}, {}
    reasons = deal_reasons.list_reasons(store)
    return ({n: ReasonNames(reasons, lang) for n in names}, {n: ReasonCodes(reasons) for n in names})


def shown_frame(rows: pd.DataFrame, labels: Mapping[str, Any]) -> pd.DataFrame:
    """`rows` as the editor shows them: coded columns by their names (a value without one as stored)."""
    out = rows.copy()
    for name, names in labels.items():
        if name in out.columns:
            out[name] = [None if _blank(v) else names.get(v, v) for v in out[name].astype(object)]
    return out


@dataclass(frozen=True)
class Pending:
    """What saving would do, against the page as loaded, and where each change sits among the shown rows."""

    edited: dict[int, dict[str, Any]]  # page position -> the fields that differ, with their new values
    added: list[dict[str, Any]]
    deleted: list[int]  # page positions
    edited_at: dict[int, int] = field(default_factory=dict)  # page position -> shown row
    added_at: list[int] = field(default_factory=list)  # shown row of each added row

    @property
    def state(self) -> dict[str, Any]:
        """In the editor's shape, as `save_grid` takes it."""
        return {"edited_rows": self.edited, "added_rows": self.added, "deleted_rows": self.deleted}

    @property
    def empty(self) -> bool:
        return not (self.edited or self.added or self.deleted)


@dataclass(frozen=True)
class Draft:
    """Rows carried over a refused save: as the person left them (typed like the page), each with
    its page position (None for a row added), and the problems of the last attempt by shown row."""

    rows: pd.DataFrame
    origin: tuple[int | None, ...]
    problems: dict[int, list[Problem]]


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return bool(pd.isna(cast(Any, value)))  # stubs: isna takes no np.generic, pandas does
    return isinstance(value, str) and not value.strip()


def _comparable(value: Any) -> Any:
    """A cell as a value to compare: editor cells (JSON numbers, ISO strings) against DuckDB's types."""
    value = _plain(value)
    if _blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value)
    return value


def _equal_as_stored(old: Any, new: Any) -> bool:
    """The common case settled fast: the same text, number or time as it stands (NaN and NA say no)."""
    try:
        equal = old == new
    except (TypeError, ValueError):
        return False
    return equal is True or (isinstance(equal, np.bool_) and bool(equal))


def _same(old: Any, new: Any) -> bool:
    a, b = _comparable(old), _comparable(new)
    if isinstance(a, pd.Timestamp) and isinstance(b, str):
        try:
            b = pd.Timestamp(b)
        except ValueError:
            return False
        # A date cell comes back as its day: compare days when the stored value is midnight.
        if a == a.normalize():
            b = b.normalize() if b == b.normalize() else b
    if isinstance(a, pd.Timestamp) and isinstance(b, pd.Timestamp):
        return (a.tz_localize(None) if a.tzinfo else a) == (b.tz_localize(None) if b.tzinfo else b)
    return type(a) is type(b) and a == b


def apply_edits(rows: pd.DataFrame, origin: Sequence[int | None], state: Mapping[str, Any] | None,
                back: Mapping[str, Any] | None = None) -> tuple[pd.DataFrame, list[int | None]]:
    """The rows as the person now sees them: the editor's `state` (positions in `rows`) applied.

    Values come back as the editor holds them (no type conversion, so nothing typed in is lost
    before it is checked); shown names are mapped back to stored values through `back`
    (field -> name -> value). Returns the rows (object columns, a fresh range index) and each
    row's page position (None for an added row).
    """
    state = state or {}
    back = back or {}
    out = rows.astype(object).copy()
    out.index = pd.RangeIndex(len(out))
    columns = list(out.columns)

    def stored(column: str, value: Any) -> Any:
        names = back.get(column)
        return names.get(value, value) if names and isinstance(value, str) else value

    for pos, changes in (state.get("edited_rows") or {}).items():
        pos = int(pos)
        if 0 <= pos < len(out):
            for column, value in dict(changes or {}).items():
                if column in columns:
                    out.iat[pos, columns.index(column)] = stored(column, value)
    deleted = {int(p) for p in state.get("deleted_rows") or []}
    keep = [i for i in range(len(out)) if i not in deleted]
    origins = [origin[i] for i in keep]
    out = out.iloc[keep]
    added = [{c: stored(c, v) for c, v in dict(r).items() if c in columns} for r in state.get("added_rows") or []]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=columns, dtype=object)], ignore_index=True)
        origins += [None] * len(added)
    out.index = pd.RangeIndex(len(out))
    return out, origins


def _filled(row: Mapping[str, Any]) -> bool:
    """An added row with anything in it (the editor leaves an empty row behind when one is started)."""
    return any(_plain(v) is not None for v in row.values())


def pending_changes(page: pd.DataFrame, rows: pd.DataFrame, origin: Sequence[int | None],
                    fields: Sequence[str]) -> Pending:
    """What saving `rows` (from `apply_edits`) would do to `page`: changed fields per page row,
    rows added (empty ones left out, as `save_grid` does) and page rows no longer there."""
    edited: dict[int, dict[str, Any]] = {}
    edited_at: dict[int, int] = {}
    added: list[dict[str, Any]] = []
    added_at: list[int] = []
    names = [f for f in fields if f in rows.columns]
    kept = [i for i, pos in enumerate(origin) if pos is not None]
    kept_at = [pos for pos in origin if pos is not None]  # the page positions of `kept`
    if kept:
        # Column by column (a row at a time through pandas costs more than the comparison itself:
        # this runs on every rerun while someone edits).
        mine = rows.iloc[kept]
        theirs = page.iloc[kept_at]
        for f in (f for f in names if f in page.columns):
            for j, (then, now) in enumerate(zip(theirs[f].tolist(), mine[f].tolist())):
                if then is not now and not _equal_as_stored(then, now) and not _same(then, now):
                    edited.setdefault(kept_at[j], {})[f] = now
                    edited_at[kept_at[j]] = kept[j]
        edited = dict(sorted(edited.items()))
    for i, pos in enumerate(origin):
        if pos is None:
            values = {f: rows[f].iat[i] for f in names}
            if _filled(values):
                added.append(values)
                added_at.append(i)
    present = {p for p in origin if p is not None}
    deleted = [p for p in range(len(page)) if p not in present]
    return Pending(edited, added, deleted, edited_at, added_at)


def problems_by_row(pending: Pending, problems: Sequence[Problem], page_rows: int) -> dict[int, list[Problem]]:
    """A refusal's problems by shown row: `save_grid` numbers an edited row by its page position + 1
    and the n-th added row as page_rows + n."""
    shown = {pos + 1: row for pos, row in pending.edited_at.items()}
    shown |= {page_rows + n + 1: row for n, row in enumerate(pending.added_at)}
    out: dict[int, list[Problem]] = {}
    for p in problems:
        row = shown.get(p.row)
        if row is not None:
            out.setdefault(row, []).append(p)
    return out


def typed_like(page: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` (from `apply_edits`) in the page's column types, so the editor edits them as before.
    A value that does not fit its column (text in a number column) is left empty: the refusal
    shown next to its row quotes it."""
    out = {}
    for column in rows.columns:
        values = rows[column]
        if column not in page.columns:
            out[column] = values
            continue
        dtype = page[column].dtype
        cells = pd.Series([None if _blank(v) else v for v in values], index=values.index, dtype=object)
        typed: pd.Series
        try:
            if pd.api.types.is_bool_dtype(dtype):
                typed = pd.Series([v if isinstance(v, (bool, np.bool_)) else None for v in cells],
                                  index=cells.index, dtype=object).astype("boolean")
            elif pd.api.types.is_datetime64_any_dtype(dtype):
                typed = pd.to_datetime(cells, errors="coerce", format="mixed").astype(dtype)
            elif pd.api.types.is_numeric_dtype(dtype):
                number = pd.to_numeric(cells, errors="coerce")
                try:
                    # Whole numbers as a nullable type: an added row has no id, a cleared cell no value.
                    typed = number.astype("Int64" if pd.api.types.is_integer_dtype(dtype) else dtype)
                except (TypeError, ValueError):
                    typed = number.astype("float64")  # 7.5 in a whole-number column stays visible
            else:
                typed = pd.Series([v if v is None else str(v) for v in cells], index=cells.index,
                                  dtype=object).astype(dtype)
        except (TypeError, ValueError):
            typed = cells
        out[column] = typed
    return pd.DataFrame(out, index=range(len(rows)))


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
    marks = ", ".join("?" for _ in stale)
    last = store.query_rows(
        f"SELECT actor, max(changed_at) AS changed_at FROM audit_log WHERE table_name = ? AND row_id IN ({marks}) "
        "GROUP BY actor ORDER BY 2 DESC", [entity.table, *(str(i) for i in stale)])
    rows = ", ".join(str(i) for i in stale[:10]) + (" …" if len(stale) > 10 else "")
    removed = any(i not in current for i in stale)
    if not last:
        raise keyed_error(ConflictError, "data.error.stale_unknown", rows=rows)
    # Times as the workspace stores them (ISO-like, the same in both languages).
    key = "data.error.stale_removed" if removed else "data.error.stale" if len(stale) == 1 else "data.error.stale_many"
    raise keyed_error(ConflictError, key, rows=rows,
                      who=", ".join(r["actor"] for r in last), when=f"{last[0]['changed_at']:%Y-%m-%d %H:%M}")
