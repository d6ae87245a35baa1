"""The workspace store: the one owner of the DuckDB connection, migrations and writes.

One `Store` per process holds one DuckDB connection; every unit of work takes
its own `cursor()` because Streamlit sessions are threads and a DuckDB
connection is not thread-safe. Every write goes through `Store.transaction`,
which runs it in one transaction and records an audit row per changed row
(flagged private when it holds a private value, see `Transaction.mark_private_audit_rows`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any, overload

import duckdb

from research import config
from research.errors import (
    ConflictError,
    ReadOnlyError,
    StoreError,
    ValidationError,
    WorkspaceOpenError,
)
from research.permissions import Actor, actor_name, audit_privacy_sql, require
from research.store.sql import quote_ident

if TYPE_CHECKING:  # pandas loads with the first frame, not with the store: `info` needs none
    import pandas as pd

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# A reference the store enforces, declared in a migration as a comment line:
#   -- @ref products.company_id -> companies
_REFERENCE = re.compile(r"^--\s*@ref\s+([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*->\s*([a-z_][a-z0-9_]*)\s*$", re.M)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered `.sql` files of research/store/migrations, in order."""
    folder = resources.files("research.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"Two migrations share a number: {versions}.")
    return found


LATEST_SCHEMA = max(m.version for m in load_migrations())

# (table, column) -> referenced table (by its id), checked on every insert, update
# and delete through a Transaction. Declared with `-- @ref` lines in the migrations;
# see migrations/0001_schema_v1.sql on why these are not DuckDB foreign keys.
REFERENCES: dict[tuple[str, str], str] = {
    (table, column): parent
    for migration in load_migrations()
    for table, column, parent in _REFERENCE.findall(migration.sql)
}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


@overload
def to_json(row: Mapping[str, Any]) -> str: ...


@overload
def to_json(row: None) -> None: ...


@overload
def to_json(row: Mapping[str, Any] | None) -> str | None: ...


def to_json(row: Mapping[str, Any] | None) -> str | None:
    """A row as the audit log stores it (sorted keys; dates, decimals as text); None stays None."""
    if row is None:
        return None
    return json.dumps(dict(row), default=_json_value, ensure_ascii=False, sort_keys=True)


def single_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The one row a statement always returns (an aggregate without GROUP BY, nextval, INSERT … RETURNING)."""
    row = result.fetchone()
    if row is None:
        raise StoreError("A workspace statement returned no row where it always returns one.")
    return row


def single_value(result: duckdb.DuckDBPyConnection) -> Any:
    """The first value of `single_row`: a count, a sequence's next value."""
    return single_row(result)[0]


_PERMISSION_WORDS = ("Permission denied", "Operation not permitted", "Read-only file system")


def _is_permission_error(error: duckdb.Error) -> bool:
    return any(word in str(error) for word in _PERMISSION_WORDS)


def _where(database: str) -> str:
    """How messages name a workspace: its file name only, never a server path."""
    return os.path.basename(database) if config.is_file_database(database) else database


def _describe_open_failure(database: str, error: duckdb.Error) -> str:
    """One sentence for a failed open."""
    text = str(error)
    where = _where(database)
    if "Could not set lock" in text or "Conflicting lock" in text:
        pid = re.search(r"PID (\d+)", text)
        holder = f" (process {pid.group(1)})" if pid else ""
        return (
            f"The workspace {where} is in use by another Vantage process{holder}; "
            "close it or point VANTAGE_DB / --db at another workspace."
        )
    if "not a valid DuckDB database" in text or "Corrupt" in text or "checksum" in text.lower():
        return (
            f"The workspace {where} is not a readable DuckDB database (corrupt or another file type); "
            "restore it from a backup or choose another file."
        )
    if _is_permission_error(error):
        return f"The workspace {where} cannot be opened: the file or its folder may not be read or written (permission denied)."
    if "No such file" in text:
        return f"The workspace {where} does not exist and cannot be created there."
    if "different configuration" in text:
        return f"The workspace {where} is already open in this process with other settings."
    first_line = text.splitlines()[0] if text else type(error).__name__
    if config.is_file_database(database):
        first_line = first_line.replace(database, where).replace(os.path.dirname(database), "…")
    return f"The workspace {where} cannot be opened: {first_line}"


# The table of applied migrations, created before the first one runs (and by the backup
# checks, which rebuild Vantage's schema to compare a backup with).
SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
    "applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
)


def _describe_failed_migration(migration: Migration, error: duckdb.Error, saved: str | None) -> str:
    """One sentence for a migration that failed and was rolled back, naming the backup taken before it."""
    text = str(error)
    first_line = text.splitlines()[0].rstrip(".") if text else type(error).__name__
    where = ""
    if saved:
        # Imported here for the same reason as backup_before_migrations.
        from research.store.backup import backup_label

        where = f"; the backup taken before the upgrade is {backup_label(saved)}"
    return f"Migration {migration.version:04d}_{migration.name} failed and was rolled back ({first_line}){where}."


def open_workspace(database: str | None, *, must_exist: bool = True, read_only: bool | None = None) -> Store:
    """The one way a command opens its workspace (`with open_workspace(args.db) as store:`).

    A local file that does not exist is refused with one message (a mistyped --db never
    creates an empty workspace), except for commands that make one (`demo`, `import`).
    """
    resolved = config.database() if database is None else config.resolve_database(database)
    if must_exist and config.is_file_database(resolved) and not os.path.exists(resolved):
        raise WorkspaceOpenError(
            f"There is no workspace at {_where(resolved)}; check --db or VANTAGE_DB "
            "(`python -m research demo --db FILE` makes one)."
        )
    return Store.open(resolved, read_only=read_only)


class Store:
    """One DuckDB workspace: migrations at open, cursors per unit of work, audited writes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, database: str, *, read_only: bool, created: bool) -> None:
        self._con = con
        self.database = database
        self.read_only = read_only
        # True when this open created the schema from nothing (a brand-new workspace).
        self.created = created
        self._lock = threading.Lock()
        # Transactions committed through this object: a page that read `data_version` at the top of its
        # run reads it again after a write of its own process (research/ui/cache.py).
        self.commits = 0

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, database: str | None = None, *, read_only: bool | None = None) -> Store:
        """Open (creating if needed) a workspace and bring its schema up to date."""
        database = config.database() if database is None else config.resolve_database(database)
        if read_only is None:
            read_only = config.READ_ONLY.value()
        if database.lower().startswith("ducklake:"):
            # DuckLake has no PRIMARY KEY or UNIQUE constraints; migration 0001 declares both.
            raise WorkspaceOpenError(
                "DuckLake is not supported as a workspace: it has no primary keys or unique constraints, which the "
                "schema relies on. Use a DuckDB file or MotherDuck (md:…)."
            )
        is_file = config.is_file_database(database)
        if is_file:
            if read_only and not os.path.exists(database):
                raise WorkspaceOpenError(f"The workspace {_where(database)} does not exist, so it cannot be opened read-only.")
            if os.path.isdir(database):
                raise WorkspaceOpenError(f"{_where(database)} is a folder, not a workspace file.")
            parent = os.path.dirname(database)
            if parent and not read_only:
                try:
                    os.makedirs(parent, exist_ok=True)
                except OSError as e:
                    raise WorkspaceOpenError(f"Cannot create the folder for the workspace {_where(database)}: {e.strerror}.") from e
        try:
            con = duckdb.connect(database, read_only=read_only)
        except duckdb.Error as e:
            if not (read_only or is_file and os.path.exists(database) and _is_permission_error(e)):
                raise WorkspaceOpenError(_describe_open_failure(database, e)) from e
            # A workspace file we may read but not write: browse it read-only rather
            # than refuse; every write then says so in one sentence.
            try:
                con = duckdb.connect(database, read_only=True)
            except duckdb.Error:
                raise WorkspaceOpenError(_describe_open_failure(database, e)) from e
            read_only = True
        try:
            created = cls._migrate(con, database, read_only=read_only)
        except BaseException:
            con.close()
            raise
        return cls(con, database, read_only=read_only, created=created)

    @staticmethod
    def _migrate(con: duckdb.DuckDBPyConnection, database: str, *, read_only: bool) -> bool:
        """Apply pending migrations, each in its own transaction; True if the schema was new."""
        try:
            has_table = single_value(con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'schema_version'"
            ))
            applied = (
                {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()} if has_table else set()
            )
        except duckdb.Error as e:
            raise WorkspaceOpenError(_describe_open_failure(database, e)) from e
        migrations = load_migrations()
        known = {m.version for m in migrations}
        unknown = sorted(applied - known)
        if unknown:
            raise WorkspaceOpenError(
                f"This workspace has schema version {max(unknown)}, newer than this Vantage understands "
                f"({max(known)}); upgrade Vantage to open it."
            )
        # Applied by set, not by "above the highest": a migration merged later with a
        # lower number still runs.
        pending = [m for m in migrations if m.version not in applied]
        if not pending:
            return False
        if read_only:
            raise WorkspaceOpenError(
                f"This workspace needs schema upgrades {[m.version for m in pending]}, "
                "which a read-only workspace cannot take; open it once read-write."
            )
        saved: str | None = None
        if applied:
            # An existing workspace is exported before its schema changes (a failed or
            # unwanted upgrade can be rolled back by a restore). It raises when the backup
            # cannot be taken, so no migration runs without one; None means nothing to
            # protect (no data, or backups before migrations switched off). Imported here,
            # not at the top: research/store/backup.py builds on this module (Store).
            from research.store.backup import backup_before_migrations

            saved = backup_before_migrations(con, database, [m.version for m in pending])
        cur = con.cursor()
        try:
            cur.execute(SCHEMA_VERSION_DDL)
            for migration in pending:
                cur.execute("BEGIN TRANSACTION")
                try:
                    cur.execute(migration.sql)
                    cur.execute(
                        "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                        [migration.version, migration.name],
                    )
                    cur.execute("COMMIT")
                    log.info("workspace %s: applied migration %04d_%s", database, migration.version, migration.name)
                except BaseException as e:
                    cur.execute("ROLLBACK")
                    log.warning("workspace %s: migration %04d_%s failed and was rolled back: %s", database,
                                migration.version, migration.name, e)
                    if isinstance(e, duckdb.Error):
                        raise WorkspaceOpenError(_describe_failed_migration(migration, e, saved)) from e
                    raise
        finally:
            cur.close()
        return not applied

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading -------------------------------------------------------------------------

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one unit of work, closed afterwards."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query_df(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run one read statement of the research package and return a DataFrame."""
        with self.cursor() as cur:
            try:
                return cur.execute(sql, params or []).df()
            except duckdb.Error as e:
                raise StoreError(f"A workspace query failed: {str(e).splitlines()[0]}") from e

    def query_rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.cursor() as cur:
            try:
                cur.execute(sql, params or [])
                names = [d[0] for d in cur.description]
                return [dict(zip(names, row)) for row in cur.fetchall()]
            except duckdb.Error as e:
                raise StoreError(f"A workspace query failed: {str(e).splitlines()[0]}") from e

    def query_value(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
        rows = self.query_rows(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def data_version(self) -> tuple[int, int]:
        """A cheap fingerprint of the workspace's data that changes with every write.

        Every write goes through `transaction`, which audits it, so the audit log's last id
        and row count move with each one (an undo deletes none: it adds rows). Caches key on
        it (research/ui/cache.py): a save shows on the next run, and no cache is ever
        cleared for everyone.
        """
        row = self.query_rows("SELECT coalesce(max(id), 0) AS last_id, count(*) AS n FROM audit_log")[0]
        return int(row["last_id"]), int(row["n"])

    def schema_version(self) -> int:
        return int(self.query_value("SELECT max(version) FROM schema_version"))

    def tables(self) -> list[str]:
        rows = self.query_rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [r["table_name"] for r in rows]

    def row_counts(self) -> dict[str, int]:
        return {t: int(self.query_value(f"SELECT count(*) FROM {quote_ident(t)}")) for t in self.tables()}

    def meta(self, key: str, default: str | None = None) -> str | None:
        value = self.query_value("SELECT value FROM workspace_meta WHERE key = ?", [key])
        return default if value is None else value

    def file_size(self) -> int | None:
        """Bytes on disk for a file workspace (with its WAL); None for engine strings."""
        if not config.is_file_database(self.database):
            return None
        total = 0
        for path in (self.database, self.database + ".wal"):
            if os.path.exists(path):
                total += os.path.getsize(path)
        return total

    @property
    def name(self) -> str:
        label = self.meta("name")
        if label:
            return label
        if config.is_file_database(self.database):
            return os.path.splitext(os.path.basename(self.database))[0]
        return self.database

    # ---- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self, actor: Actor) -> Iterator[Transaction]:
        """Run writes as one transaction with audit rows; roll back on any exit but success.

        `actor` is a name (local mode, the CLI: full rights) or a signed-in Principal, whose
        role must allow writing: a viewer is refused before anything is written. The audit
        trail records `actor_name(actor)`. Rolls back on BaseException too: Streamlit's
        rerun and stop unwind with one.
        """
        require(actor, "write")
        if self.read_only:
            raise ReadOnlyError("The workspace is open read-only; changes cannot be saved.", key="store.error.read_only")
        name = actor_name(actor)
        if not name:
            raise ValidationError("Say who is making the change: the actor name is empty.")
        with self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            tx = Transaction(cur, name)
            try:
                yield tx
                tx.mark_private_audit_rows()
                cur.execute("COMMIT")
                with self._lock:  # sessions share the Store: no increment is lost
                    self.commits += 1
            except BaseException as e:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error as rollback:  # the transaction was already aborted by the failure
                    log.debug("rollback after a failed transaction: %s", rollback)
                if isinstance(e, duckdb.TransactionException) or "Conflict on" in str(e):
                    raise ConflictError(
                        "Someone else changed the same rows at the same moment; nothing was saved. Try again.",
                        key="store.error.conflict",
                    ) from e
                if isinstance(e, duckdb.ConstraintException):
                    detail = str(e).splitlines()[0]
                    raise ValidationError(f"Not saved: {detail}", key="store.error.not_saved",
                                          params={"detail": detail}) from e
                if isinstance(e, duckdb.Error):
                    detail = str(e).splitlines()[0]
                    raise StoreError(f"Not saved: {detail}", key="store.error.not_saved", params={"detail": detail}) from e
                raise


class Transaction:
    """Writes inside one `Store.transaction`; each changed row gets an audit row in one batch."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, actor: str) -> None:
        self._cur = cur
        self.actor = actor
        self._batch_id: int | None = None

    @property
    def batch_id(self) -> int:
        if self._batch_id is None:
            self._batch_id = int(single_value(self._cur.execute("SELECT nextval('seq_audit_batch')")))
        return self._batch_id

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Raw statement inside the transaction (bulk loads); the caller records an audit row."""
        return self._cur.execute(sql, params or [])

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make `frame` readable as `name` in this transaction's statements (bulk loads)."""
        # DuckDB refuses a register while an earlier result (e.g. a fetchone) is unfinished.
        self._cur.complete()
        self._cur.register(name, frame)

    def unregister(self, name: str) -> None:
        self._cur.complete()
        self._cur.unregister(name)

    def _row(self, table: str, row_id: Any) -> dict[str, Any] | None:
        self._cur.execute(f"SELECT * FROM {quote_ident(table)} WHERE id = ?", [row_id])
        names = [d[0] for d in self._cur.description]
        row = self._cur.fetchone()
        return dict(zip(names, row)) if row else None

    def audit(
        self,
        table: str,
        row_id: Any,
        action: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        self._cur.execute(
            "INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [self.batch_id, self.actor, table, None if row_id is None else str(row_id), action, to_json(before), to_json(after)],
        )

    def mark_private_audit_rows(self) -> None:
        """Flag this batch's audit rows that hold a private value, with that value's author (migration 0012).

        Run once at commit, over the batch in SQL, so audit rows written in bulk (imports,
        undo) get the same rule as `audit`. When an item became private in this batch, its
        earlier audit rows become private too: its history goes with it.
        """
        if self._batch_id is None:
            return
        private, author = audit_privacy_sql()
        marked = single_value(self._cur.execute(
            f"UPDATE audit_log SET private = true, private_author = {author} "
            f"WHERE batch_id = ? AND NOT private AND {private}",
            [self._batch_id],
        ))
        if not marked:
            return
        self._cur.execute(
            "UPDATE audit_log SET private = true, private_author = p.author "
            "FROM (SELECT table_name, row_id, min(id) AS first_id, arg_min(private_author, id) AS author "
            "      FROM audit_log WHERE batch_id = ? AND private GROUP BY table_name, row_id) AS p "
            "WHERE audit_log.table_name = p.table_name AND audit_log.row_id = p.row_id "
            "AND audit_log.id < p.first_id AND NOT audit_log.private",
            [self._batch_id],
        ).fetchall()

    def insert(self, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Insert one row; returns it as stored (with its id and defaults)."""
        if not values:
            raise ValidationError(f"Nothing to insert into {table}.")
        self._check_references(table, values)
        cols = ", ".join(quote_ident(c) for c in values)
        marks = ", ".join("?" for _ in values)
        self._cur.execute(
            f"INSERT INTO {quote_ident(table)} ({cols}) VALUES ({marks}) RETURNING *", list(values.values())
        )
        names = [d[0] for d in self._cur.description]
        after = dict(zip(names, single_row(self._cur)))
        self.audit(table, after.get("id"), "insert", None, after)
        return after

    def update(
        self, table: str, row_id: Any, changes: Mapping[str, Any], *, expected_version: int | None = None
    ) -> dict[str, Any]:
        """Update one row by id; with `expected_version`, a stale edit raises ConflictError."""
        before = self._row(table, row_id)
        if before is None:
            raise ConflictError(f"{table} row {row_id} no longer exists; someone removed it.", key="store.error.gone",
                                params={"table": table, "row_id": row_id})
        self._check_version(table, row_id, before, expected_version)
        self._check_references(table, changes)
        assignments = [f"{quote_ident(c)} = ?" for c in changes]
        params = list(changes.values())
        # Rows that carry a version (optimistic locking) and an updated_at get both bumped.
        if "version" in before and "version" not in changes:
            assignments.append("version = version + 1")
        if "updated_at" in before and "updated_at" not in changes:
            assignments.append("updated_at = current_localtimestamp()")
        if not assignments:
            return before
        # No RETURNING *: DuckDB then treats the key as updated too (delete+insert) and
        # refuses the update of any row that a foreign key points at.
        self._cur.execute(
            f"UPDATE {quote_ident(table)} SET {', '.join(assignments)} WHERE id = ?", [*params, row_id]
        )
        after = self._row(table, row_id)
        if after is None:  # the row was read and updated in this transaction
            raise StoreError(f"{table} row {row_id} is gone after its update.")
        self.audit(table, row_id, "update", before, after)
        return after

    def delete(self, table: str, row_id: Any, *, expected_version: int | None = None) -> dict[str, Any]:
        before = self._row(table, row_id)
        if before is None:
            raise ConflictError(f"{table} row {row_id} no longer exists; someone removed it.", key="store.error.gone",
                                params={"table": table, "row_id": row_id})
        self._check_version(table, row_id, before, expected_version)
        self._check_not_referenced(table, row_id)
        self._cur.execute(f"DELETE FROM {quote_ident(table)} WHERE id = ?", [row_id])
        self.audit(table, row_id, "delete", before, None)
        return before

    def _check_references(self, table: str, values: Mapping[str, Any]) -> None:
        for (child, column), parent in REFERENCES.items():
            if child != table or values.get(column) is None:
                continue
            found = single_value(self._cur.execute(
                f"SELECT count(*) FROM {quote_ident(parent)} WHERE id = ?", [values[column]]
            ))
            if not found:
                raise ValidationError(
                    f"{table}.{column} points at {parent} row {values[column]}, which does not exist.",
                    key="store.error.reference", params={"table": table, "column": column, "parent": parent,
                                                         "value": values[column]})

    def _check_not_referenced(self, table: str, row_id: Any) -> None:
        for (child, column), parent in REFERENCES.items():
            if parent != table:
                continue
            n = single_value(self._cur.execute(
                f"SELECT count(*) FROM {quote_ident(child)} WHERE {quote_ident(column)} = ?", [row_id]
            ))
            if n:
                raise ValidationError(
                    f"{table} row {row_id} cannot be removed: {n:,} {child} rows refer to it (archive it instead).",
                    key="store.error.referenced", params={"table": table, "row_id": row_id, "n": f"{n:,}",
                                                          "child": child})

    def _check_version(self, table: str, row_id: Any, row: Mapping[str, Any], expected: int | None) -> None:
        if expected is None or row.get("version") == expected:
            return
        last = self._cur.execute(
            "SELECT actor, changed_at FROM audit_log WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
            [table, str(row_id)],
        ).fetchone()
        who = f" by {last[0]} at {last[1]:%Y-%m-%d %H:%M}" if last else ""
        when = {"who": last[0], "when": f"{last[1]:%Y-%m-%d %H:%M}"} if last else {}
        raise ConflictError(
            f"{table} row {row_id} was changed{who} after you loaded it; reload and re-apply your edit.",
            key="store.error.stale_by" if last else "store.error.stale", params={"table": table, "row_id": row_id, **when})
