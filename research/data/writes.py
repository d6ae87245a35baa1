"""Bulk writes of one batch: rows inserted or updated set-wise from a DataFrame, with one audit row each.

Imports write thousands of rows: one statement per row would take minutes, so rows
go in as one `INSERT … SELECT` / `UPDATE … FROM` over a registered DataFrame, and
their audit rows (before/after JSON, the same format `Transaction.audit` writes, so
undo compares like with like) are inserted the same way. References were resolved
against the workspace during validation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd

from research.data.entities import Entity
from research.errors import ConflictError, StoreError
from research.store.core import Transaction, to_json
from research.store.sql import quote_ident

log = logging.getLogger(__name__)

_STAGE = "_vantage_rows"


@contextmanager
def staged(tx: Transaction, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """`frame` readable as `name` for the statements inside the block."""
    tx.register(name, frame)
    try:
        yield
    finally:
        try:
            tx.unregister(name)
        except duckdb.Error as e:  # the transaction failed; the real error is already on its way up
            log.debug("unregister %s after a failed transaction: %s", name, e)


def identity_of(entity: Entity, row: Mapping[str, Any]) -> str:
    """How an audit row names a row: its id, else its key values joined with |."""
    if entity.has_id:
        return str(row["id"])
    return "|".join(_key_text(row[k]) for k in entity.natural_key)


def _key_text(value: Any) -> str:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
        return value.removesuffix("T00:00:00")
    return str(value)


def _fetch(tx: Transaction, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = tx.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _audit_rows(tx: Transaction, entity: Entity, action: str, befores: Sequence[dict | None],
                afters: Sequence[dict | None]) -> None:
    rows = []
    for before, after in zip(befores, afters):
        row = after if after is not None else before
        if row is None:
            raise ValueError(f"an audit row of {entity.table} needs the row before or after the change")
        rows.append((tx.batch_id, tx.actor, entity.table, identity_of(entity, row), action, to_json(before),
                     to_json(after)))
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=["batch_id", "actor", "table_name", "row_id", "action", "before", "after"])
    with staged(tx, "_vantage_audit", frame):
        tx.execute(
            "INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after) "
            "SELECT batch_id, actor, table_name, row_id, action, before, after FROM _vantage_audit"
        ).fetchall()


def _key_join(entity: Entity, left: str, right: str) -> str:
    columns = ("id",) if entity.has_id else entity.natural_key
    return " AND ".join(f"{left}.{quote_ident(c)} = {right}.{quote_ident(c)}" for c in columns)


# Rows per audit chunk: the JSON of 100,000 rows at once would hold ~0.5 GB of Python objects.
CHUNK = 20_000


def _chunks(frame: pd.DataFrame) -> list[pd.DataFrame]:
    return [frame.iloc[start:start + CHUNK] for start in range(0, len(frame), CHUNK)]


def bulk_insert(tx: Transaction, entity: Entity, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns = fields); new ids from the table's sequence."""
    if frame.empty:
        return 0
    frame = frame.copy()
    if entity.has_id:
        ids = tx.execute(f"SELECT nextval('seq_{entity.table}') AS id FROM range(?)", [len(frame)]).fetchall()
        frame.insert(0, "id", [int(r[0]) for r in ids])
    columns = list(frame.columns)
    table = quote_ident(entity.table)
    with staged(tx, _STAGE, frame):
        names = ", ".join(quote_ident(c) for c in columns)
        tx.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {_STAGE}").fetchall()
    inserted = 0
    key = list(entity.identity)
    for part in _chunks(frame[key]):
        with staged(tx, _STAGE, part):
            after = _fetch(tx, f"SELECT t.* FROM {table} t JOIN {_STAGE} s ON {_key_join(entity, 't', 's')}")
        _audit_rows(tx, entity, "insert", [None] * len(after), after)
        inserted += len(after)
    return inserted


def bulk_update(tx: Transaction, entity: Entity, frame: pd.DataFrame, versions: Mapping[Any, int] | None = None) -> int:
    """Update rows by id (or key) with the other columns of `frame`; stale versions refuse the batch."""
    if frame.empty:
        return 0
    key = list(entity.identity)
    changes = [c for c in frame.columns if c not in key]
    table = quote_ident(entity.table)
    updated = 0
    for part in _chunks(frame):
        with staged(tx, _STAGE, part):
            before = _fetch(tx, f"SELECT t.* FROM {table} t JOIN {_STAGE} s ON {_key_join(entity, 't', 's')}")
            if versions:
                stale = [row["id"] for row in before if row.get("version") != versions.get(row["id"], row.get("version"))]
                if stale:
                    raise ConflictError(
                        f"{entity.table} rows {', '.join(map(str, stale[:10]))} were changed by someone else after "
                        "the file was checked; nothing was imported. Check the file again and re-import."
                    )
            assignments = [f"{quote_ident(c)} = s.{quote_ident(c)}" for c in changes]
            if before and "version" in before[0]:
                assignments.append("version = t.version + 1")
            if before and "updated_at" in before[0]:
                assignments.append("updated_at = current_localtimestamp()")
            if assignments:
                tx.execute(f"UPDATE {table} AS t SET {', '.join(assignments)} FROM {_STAGE} s "
                           f"WHERE {_key_join(entity, 't', 's')}").fetchall()
            after = _fetch(tx, f"SELECT t.* FROM {table} t JOIN {_STAGE} s ON {_key_join(entity, 't', 's')}")
        by_identity = {identity_of(entity, row): row for row in before}
        _audit_rows(tx, entity, "update", [by_identity.get(identity_of(entity, a)) for a in after], after)
        updated += len(after)
    return updated


def keyed_row(tx: Transaction, entity: Entity, key: Mapping[str, Any]) -> dict[str, Any] | None:
    """The row of a table without id (exchange rates) by its key values."""
    where = " AND ".join(f"{quote_ident(c)} = ?" for c in entity.natural_key)
    rows = _fetch(tx, f"SELECT * FROM {quote_ident(entity.table)} WHERE {where}", [key[c] for c in entity.natural_key])
    return rows[0] if rows else None


def _written_row(tx: Transaction, entity: Entity, key: Mapping[str, Any]) -> dict[str, Any]:
    """The row this transaction has just written, read back by its key."""
    row = keyed_row(tx, entity, key)
    if row is None:
        raise StoreError(f"{entity.table} row {identity_of(entity, key)} is not there after it was written.")
    return row


def keyed_delete(tx: Transaction, entity: Entity, key: Mapping[str, Any]) -> dict[str, Any]:
    before = keyed_row(tx, entity, key)
    if before is None:
        raise ConflictError(f"{entity.table} row {identity_of(entity, key)} no longer exists; someone removed it.")
    where = " AND ".join(f"{quote_ident(c)} = ?" for c in entity.natural_key)
    tx.execute(f"DELETE FROM {quote_ident(entity.table)} WHERE {where}", [key[c] for c in entity.natural_key]).fetchall()
    tx.audit(entity.table, identity_of(entity, before), "delete", before, None)
    return before


def keyed_insert(tx: Transaction, entity: Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    names = ", ".join(quote_ident(c) for c in values)
    marks = ", ".join("?" for _ in values)
    tx.execute(f"INSERT INTO {quote_ident(entity.table)} ({names}) VALUES ({marks})", list(values.values())).fetchall()
    after = _written_row(tx, entity, values)
    tx.audit(entity.table, identity_of(entity, after), "insert", None, after)
    return after


def keyed_update(tx: Transaction, entity: Entity, key: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    before = keyed_row(tx, entity, key)
    if before is None:
        raise ConflictError(f"{entity.table} row {identity_of(entity, key)} no longer exists; someone removed it.")
    where = " AND ".join(f"{quote_ident(c)} = ?" for c in entity.natural_key)
    sets = ", ".join(f"{quote_ident(c)} = ?" for c in changes)
    tx.execute(f"UPDATE {quote_ident(entity.table)} SET {sets} WHERE {where}",
               [*changes.values(), *[key[c] for c in entity.natural_key]]).fetchall()
    after = _written_row(tx, entity, {**key, **{k: v for k, v in changes.items() if k in entity.natural_key}})
    tx.audit(entity.table, identity_of(entity, after), "update", before, after)
    return after
