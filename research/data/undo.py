"""Undo of one audit batch: every row it touched goes back to its `before`, in one new batch.

A batch is undone only when each of its rows still equals the batch's `after`
(nobody changed them since); otherwise nothing is reverted and the blocking rows
are listed with who changed them and when. Rows are reverted newest first, so
children a batch inserted are removed before their parents. Dataset imports that
created a table are undone by dropping it; other bulk batches (a demo build, a
dataset replace or append) cannot be undone row by row and say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.access import Actor, require
from research.data.entities import ENTITIES, Entity, table_label
from research.data.our_company import OurCompany, which_is_ours_in
from research.data.writes import (
    CHUNK,
    keyed_delete,
    keyed_insert,
    keyed_row,
    keyed_update,
    staged,
)
from research.errors import ConflictError, StoreError, ValidationError
from research.i18n import Named, keyed_error, message, t
from research.store.core import REFERENCES, Store, Transaction, single_value, to_json
from research.store.sql import quote_ident

_BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


class UndoBlocked(ConflictError):
    title = "Cannot undo"

    def __init__(self, message: str, blockers: list[dict[str, Any]], *, key: str | None = None,
                 params: dict[str, object] | None = None) -> None:
        super().__init__(message, key=key, params=params)
        self.blockers = blockers


def _blocked(key: str, blockers: list[dict[str, Any]], **values: object) -> UndoBlocked:
    """An UndoBlocked holding catalog message `key` (research.i18n.keyed_error, with the blocking rows)."""
    return UndoBlocked(t(key, "en", **values), blockers, key=key, params=values)


def _table(table: str) -> Named:
    """A table as a refusal names it: its SQL name in English (the CLI's), in words in Serbian."""
    return Named(table, table_label(table, "sr"))


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    undo_batch_id: int
    reverted: int


def list_batches(store: Store, limit: int = 50) -> pd.DataFrame:
    """The latest batches: when, who, which tables, how many rows, the import file, whether undone."""
    return store.query_df(
        """
        SELECT a.batch_id, min(a.changed_at) AS changed_at, any_value(a.actor) AS actor,
               string_agg(DISTINCT a.table_name, ', ' ORDER BY a.table_name) AS tables,
               count(*) FILTER (WHERE a.table_name <> 'data_imports') AS rows,
               string_agg(DISTINCT a.action, ', ' ORDER BY a.action) AS actions,
               any_value(i.file_name) AS file_name,
               any_value(u.undo_batch_id) AS undone_by,
               any_value(r.batch_id) AS undoes
        FROM audit_log a
        LEFT JOIN data_imports i ON i.batch_id = a.batch_id
        LEFT JOIN data_undos u ON u.batch_id = a.batch_id
        LEFT JOIN data_undos r ON r.undo_batch_id = a.batch_id
        GROUP BY a.batch_id
        ORDER BY a.batch_id DESC
        LIMIT ?
        """,
        [limit],
    )


def _entity_for(table: str) -> Entity | None:
    return next((e for e in ENTITIES.values() if e.table == table), None)


def _current(tx: Transaction, table: str, row_id: str) -> dict[str, Any] | None:
    entity = _entity_for(table)
    if entity is not None and not entity.has_id:
        key = dict(zip(entity.natural_key, row_id.split("|")))
        return keyed_row(tx, entity, key)
    cur = tx.execute(f"SELECT * FROM {quote_ident(table)} WHERE id = ?", [row_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    cur.fetchall()
    return dict(zip(names, row)) if row else None


def _same(row: dict[str, Any] | None, snapshot: str | None) -> bool:
    """Whether the row still holds what the batch left. Columns added since (a custom field) count
    as equal while they are empty; columns removed since (a removed field) are left out."""
    if row is None or snapshot is None:
        return row is None and snapshot is None
    current, then = json.loads(to_json(row)), json.loads(snapshot)
    added = {k for k in current.keys() - then.keys() if current[k] is not None}
    return not added and all(current[k] == then[k] for k in current.keys() & then.keys())


def _table_exists(tx: Transaction, table: str) -> bool:
    return bool(single_value(tx.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND table_name = ?", [table]
    )))


def undo_batch(store: Store, batch_id: int, actor: Actor) -> UndoResult:
    """Revert batch `batch_id` in one new transaction, or refuse naming the rows that block it.

    Editors may undo their own batches (the transaction refuses viewers); someone else's batch takes an admin.
    """
    with store.transaction(actor) as tx:
        rows = tx.execute(
            "SELECT id, table_name, row_id, action, before, after FROM audit_log WHERE batch_id = ? ORDER BY id DESC",
            [batch_id],
        ).fetchall()
        if not rows:
            raise keyed_error(ValidationError, "data.undo.error.no_batch", batch=batch_id)
        authors = {r[0] for r in tx.execute("SELECT DISTINCT actor FROM audit_log WHERE batch_id = ?", [batch_id]).fetchall()}
        if authors != {tx.actor}:
            require(actor, "undo_any")
        undone = tx.execute("SELECT undo_batch_id FROM data_undos WHERE batch_id = ?", [batch_id]).fetchall()
        if undone:
            raise keyed_error(ValidationError, "data.undo.error.already", batch=batch_id, undo=undone[0][0])
        if any(r[1] == "custom_fields" and r[3] != "insert" for r in rows):
            raise keyed_error(ValidationError, "data.undo.error.field_batch", batch=batch_id,
                              command="python -m research field rename|add")
        # Fields the batch created (an import that kept a file's columns) go with its rows, below.
        created = [r for r in rows if r[1] == "custom_fields"]
        rows = [r for r in rows if r[1] != "custom_fields"]
        last_id = max(r[0] for r in [*rows, *created])
        blockers: list[dict[str, Any]] = []
        drops: list[str] = []
        # Inserted rows of tables with ids are checked and removed set-wise (an import of
        # 100,000 rows undoes in seconds, not one statement per row).
        inserted: dict[str, list[tuple[int, str]]] = {}
        for _, table, row_id, action, before, after in rows:
            if action == "insert" and row_id and row_id.isdigit() and _has_id(table):
                inserted.setdefault(table, []).append((int(row_id), after))
                continue
            if action == "bulk":
                info = json.loads(after) if after else {}
                dataset = info.get("dataset")
                if not (dataset and info.get("created")):
                    raise keyed_error(ValidationError, "data.undo.error.bulk", batch=batch_id, what=_table(table))
                if _table_exists(tx, dataset):
                    count = single_value(tx.execute(f"SELECT count(*) FROM {quote_ident(dataset)}"))
                    if count != info.get("rows"):
                        blockers.append({"table": dataset, "row_id": "*", "actor": None, "changed_at": None})
                    drops.append(dataset)
                continue
            current = _current(tx, table, row_id)
            if not _same(current, after):
                later = tx.execute(
                    "SELECT actor, changed_at FROM audit_log WHERE table_name = ? AND row_id = ? AND id > ? "
                    "ORDER BY id DESC LIMIT 1",
                    [table, row_id, last_id],
                ).fetchall()
                blockers.append({"table": table, "row_id": row_id, "actor": later[0][0] if later else None,
                                 "changed_at": later[0][1] if later else None})
        for table, items in inserted.items():
            blockers.extend(_changed_since(tx, table, items, last_id))
        if blockers:
            listed = [message("data.undo.blocker.changed_by", what=_table(b["table"]), row=b["row_id"], actor=b["actor"],
                              when=b["changed_at"]) if b["actor"] else
                      message("data.undo.blocker.changed", what=_table(b["table"]), row=b["row_id"])
                      for b in blockers[:10]]
            more = Named("")
            if len(blockers) > 10:
                extra = message("data.undo.more", count=len(blockers) - 10)
                more = Named(f" {extra}", f" {extra.sr}")
            raise _blocked("data.undo.error.blocked", blockers, batch=batch_id, count=len(blockers),
                           listed=Named("; ".join(listed), "; ".join(m.sr for m in listed)), more=more)
        ours = which_is_ours_in(tx)
        reverted = 0
        for _, table, row_id, action, before, after in rows:
            if action == "bulk":
                continue
            if action == "insert" and table in inserted:
                # Newest first: a table's inserted rows go when its first (newest) one comes up,
                # so children inserted after their parents are removed before them.
                reverted += _remove_inserted(tx, table, inserted.pop(table))
                continue
            if action == "insert" and row_id and row_id.isdigit() and _has_id(table):
                continue  # already removed with its table's other inserted rows
            _revert(tx, table, row_id, action, json.loads(before) if before else None)
            reverted += 1
        for _, _, row_id, _, _, after in created:
            if not _same(_current(tx, "custom_fields", row_id), after):
                raise _blocked("data.undo.error.field_changed", [], batch=batch_id)
            _drop_created_field(tx, int(row_id), json.loads(after))
        _keep_our_company(tx, ours, batch_id)
        for dataset in drops:
            tx.execute(f"DROP TABLE {quote_ident(dataset)}").fetchall()
            tx.audit(dataset, None, "bulk", {"dataset": dataset}, None)
        # Undoing an undo re-applies the original batch, which may then be undone again.
        tx.execute("DELETE FROM data_undos WHERE undo_batch_id = ?", [batch_id]).fetchall()
        tx.execute("INSERT INTO data_undos (batch_id, undo_batch_id, actor) VALUES (?, ?, ?)",
                   [batch_id, tx.batch_id, tx.actor]).fetchall()
        undo_batch_id = tx.batch_id
    return UndoResult(batch_id, undo_batch_id, reverted)


def _keep_our_company(tx: Transaction, before: OurCompany | None, batch_id: int) -> None:
    """Refuse an undo that archives or deletes our active company (restoring the rows of an older state):
    no write path may, and no page should hide the company every comparison is drawn against."""
    if before is None or before.archived:
        return
    found = tx.execute("SELECT archived FROM companies WHERE id = ?", [before.id]).fetchall()
    if not found or found[0][0]:
        key = "data.undo.error.deletes_us" if not found else "data.undo.error.archives_us"
        raise keyed_error(ValidationError, key, batch=batch_id, name=before.name)


def _drop_created_field(tx: Transaction, field_id: int, field: dict[str, Any]) -> None:
    """Remove a custom field the undone batch created, once its rows are reverted (it must be empty)."""
    from research.data.fields import drop_column

    table = ENTITIES[field["entity"]].table
    held = single_value(tx.execute(f"SELECT count({quote_ident(field['name'])}) FROM {quote_ident(table)}"))
    if held:
        raise keyed_error(ValidationError, "data.undo.error.field_values", held=held, what=_table(table),
                          name=field["name"])
    tx.delete("custom_fields", field_id)
    drop_column(tx, table, field["name"])


def _has_id(table: str) -> bool:
    entity = _entity_for(table)
    return entity.has_id if entity is not None else True


def _changed_since(tx: Transaction, table: str, items: list[tuple[int, str]], last_id: int) -> list[dict[str, Any]]:
    """Inserted rows that no longer equal what the batch inserted (changed or removed since)."""
    blockers = []
    for start in range(0, len(items), CHUNK):
        part = items[start:start + CHUNK]
        frame = pd.DataFrame({"id": [i for i, _ in part]})
        with staged(tx, "_vantage_undo", frame):
            cur = tx.execute(f"SELECT t.* FROM {quote_ident(table)} t JOIN _vantage_undo s ON t.id = s.id")
            names = [d[0] for d in cur.description]
            current = {r["id"]: r for r in (dict(zip(names, row)) for row in cur.fetchall())}
        for row_id, after in part:
            if not _same(current.get(row_id), after):
                blockers.append({"table": table, "row_id": str(row_id), "actor": None, "changed_at": None})
    for blocker in blockers[:10]:
        later = tx.execute(
            "SELECT actor, changed_at FROM audit_log WHERE table_name = ? AND row_id = ? AND id > ? "
            "ORDER BY id DESC LIMIT 1", [table, blocker["row_id"], last_id]).fetchall()
        if later:
            blocker["actor"], blocker["changed_at"] = later[0]
    return blockers


def _remove_inserted(tx: Transaction, table: str, items: list[tuple[int, str]]) -> int:
    """Delete the rows a batch inserted into `table`, refusing if other rows refer to them now."""
    frame = pd.DataFrame({"id": [i for i, _ in items]})
    with staged(tx, "_vantage_undo", frame):
        for (child, column), parent in REFERENCES.items():
            if parent != table:
                continue
            n = single_value(tx.execute(f"SELECT count(*) FROM {quote_ident(child)} c JOIN _vantage_undo s "
                                        f"ON c.{quote_ident(column)} = s.id"))
            if n:
                raise keyed_error(ValidationError, "data.undo.error.referenced", count=n, child=_table(child),
                                  what=_table(table))
        tx.execute(f"DELETE FROM {quote_ident(table)} WHERE id IN (SELECT id FROM _vantage_undo)").fetchall()
    audit = pd.DataFrame({
        "batch_id": tx.batch_id, "actor": tx.actor, "table_name": table, "row_id": [str(i) for i, _ in items],
        "action": "delete", "before": [after for _, after in items], "after": None})
    with staged(tx, "_vantage_audit", audit):
        tx.execute("INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after) "
                   "SELECT batch_id, actor, table_name, row_id, action, before, after::JSON FROM _vantage_audit").fetchall()
    return len(items)


def _revert(tx: Transaction, table: str, row_id: str, action: str, before: dict[str, Any] | None) -> None:
    entity = _entity_for(table)
    if before is not None:
        # A custom field removed since the batch: its old value has no column to go back to.
        columns = [d[0] for d in tx.execute(f"SELECT * FROM {quote_ident(table)} LIMIT 0").description]
        kept = {k: v for k, v in before.items() if k in columns}
        if action == "update":
            # A column added after the row's `before` (a custom field) held nothing then.
            kept |= {c: None for c in columns if c not in before and c not in _BOOKKEEPING}
        before = kept
    keyed = entity if entity is not None and not entity.has_id else None  # a table without id (exchange rates)
    if action == "insert":
        if keyed:
            keyed_delete(tx, keyed, dict(zip(keyed.natural_key, row_id.split("|"))))
        else:
            tx.delete(table, int(row_id) if row_id.isdigit() else row_id)
    elif action in ("delete", "update") and before is None:
        raise StoreError(f"The change log holds no earlier state of {table} row {row_id} to go back to.")
    elif action == "delete" and before is not None:
        if keyed:
            keyed_insert(tx, keyed, before)
        else:
            tx.insert(table, before)
    elif action == "update" and before is not None:
        changes = {k: v for k, v in before.items() if k not in _BOOKKEEPING}
        if keyed:
            keyed_update(tx, keyed, dict(zip(keyed.natural_key, row_id.split("|"))), changes)
        else:
            tx.update(table, int(row_id) if row_id.isdigit() else row_id, changes)
