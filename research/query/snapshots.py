"""Query snapshots: filtered copies of the workspace, one file per table, re-copied only where a table changed.

Layout of a sandbox folder (`vantage-query-<pid>-<random>`, mode 0700; every file 0600):

    snapshot-<n>.duckdb        the catalog: the filtered tables as real tables (audit_log as nobody
                               in particular may see it, swot_items without private items, companies
                               with private notes blanked; user_roles and query_history empty), every
                               other table as a view onto its table file, and the workspace's views
    tables/<schema>.<table>.<n>.duckdb
                               one public table each, copied when its fingerprint changed

A generation is one catalog plus the table files its views name. A worker opens the catalog
read-only and attaches the table files read-only under fixed aliases (`snap_<k>`), so a table
re-copied later only needs a new file under the same alias. A refresh builds the changed files
and, when a filtered table or the schema changed, a new catalog, then switches to the new
generation at once (`Snapshots.install`); queries already running keep their files open.

Rows are read through the app's own connection in ONE read transaction per build (so a
generation is the workspace at one moment) and streamed as Arrow into a separate, private
DuckDB instance per file. Nothing is ever ATTACHed to the app's database: readers elsewhere
that list tables without naming their database must never see snapshot tables.

Which tables changed is decided by a per-table fingerprint (`Fingerprint`): the table's DDL,
its row count, the newest audit_log id naming it (or `*`, which the demo build writes), and for
tables of at most SMALL_ROWS rows a checksum of every row. Every write of the workbench is
audited (research/store/core.py), so an audited change to a large table shows in its audit id,
and anything unaudited in a small one in its checksum. A deep check (`build(deep=True)`: the
Refresh button, and every VANTAGE_QUERY_SNAPSHOT_AGE seconds) also compares the checksum of
every large table with its file's, so even an unaudited change cannot outlive one interval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import duckdb

from research.access import PRIVATE_ROWS, audit_viewer_params, visible_audit_log
from research.errors import QueryError
from research.query.launch import FOLDER_PREFIX, owner_only, private_folder, remove_file, remove_stale_folders
from research.query.statements import keyed
from research.store.sql import quote_ident, quote_name, sql_literal

# Tables the snapshot leaves empty: who has which role, and everyone's query history (SQL and
# parameter values; each person sees their own in the History panel, research.query.saved.history).
EMPTY_IN_SNAPSHOT = frozenset({("main", "user_roles"), ("main", "query_history")})
SMALL_ROWS = 50_000  # tables up to this many rows carry a checksum of every row in their fingerprint
BATCH_ROWS = 122_880  # rows per Arrow batch streamed into a snapshot file (DuckDB's row group)
BUILD_MEMORY = "1GB"  # memory limit of the private DuckDB instance that writes one snapshot file

Key = tuple[str, str]  # (schema, table)


def is_filtered(key: Key) -> bool:
    """Does the table live in the catalog, filtered (private rows, the audit log, emptied tables)?"""
    schema, table = key
    return key in EMPTY_IN_SNAPSHOT or schema == "main" and (table == "audit_log" or table in PRIVATE_ROWS)


def snapshot_rows(source: str, schema: str, table: str) -> str | None:
    """The SELECT that copies `table` from `source` (a quoted catalog.schema) into the shared snapshot.

    None for a table left empty. Private rows (research.access.PRIVATE_ROWS) are left out, or
    their private fields blanked; audit rows as `visible_audit_log` shows them to nobody in
    particular (bind `audit_viewer_params(None)`).
    """
    if (schema, table) in EMPTY_IN_SNAPSHOT:
        return None
    if schema == "main" and table == "audit_log":
        return f"SELECT * FROM {visible_audit_log(source)}"
    name = f"{source}.{quote_ident(table)}"
    if schema == "main" and table in PRIVATE_ROWS:
        flag, _, fields = PRIVATE_ROWS[table]
        private = f"coalesce({quote_ident(flag)}, false)"
        if not fields:
            return f"SELECT * FROM {name} WHERE NOT {private}"
        blanked = ", ".join(f"CASE WHEN {private} THEN NULL ELSE {quote_ident(f)} END AS {quote_ident(f)}" for f in fields)
        return f"SELECT * REPLACE ({blanked}) FROM {name}"
    return f"SELECT * FROM {name}"


def rows_params(sql: str) -> dict[str, object] | None:
    return audit_viewer_params(None) if "$audit_viewer" in sql else None


# ---- what the workspace holds ---------------------------------------------------------------


@dataclass(frozen=True)
class TableInfo:
    ddl: str
    columns: tuple[tuple[str, str], ...]  # (name, type) in order
    estimated_rows: int


@dataclass(frozen=True)
class SchemaInfo:
    """The tables, views, sequences and schemas of one database, as DuckDB's catalog lists them."""

    tables: Mapping[Key, TableInfo]
    views: tuple[tuple[Key, str], ...]
    sequences: tuple[str, ...]
    schemas: tuple[str, ...]

    def shape(self) -> str:
        """What the catalog depends on: every table's DDL (its views bind to the columns), views and sequences."""
        parts = [repr(sorted(self.tables)), *(self.tables[k].ddl for k in sorted(self.tables))]
        parts += [sql for _, sql in self.views] + [repr(self.schemas)]
        parts += sorted(s.split(" START ")[0] for s in self.sequences)  # names, not their current values
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_schema(cur: duckdb.DuckDBPyConnection, database: str | None = None) -> SchemaInfo:
    """The schema of `database` (a catalog name), else of the cursor's current database."""
    where = "database_name = current_database()" if database is None else "database_name = $db"
    params = None if database is None else {"db": database}
    columns: dict[Key, list[tuple[str, str]]] = {}
    for schema, table, column, kind in cur.execute(
        f"SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE {where} "
        "AND NOT internal ORDER BY schema_name, table_name, column_index",
        params,
    ).fetchall():
        columns.setdefault((schema, table), []).append((column, kind))
    tables = {
        (schema, table): TableInfo(ddl, tuple(columns.get((schema, table), ())), int(rows or 0))
        for schema, table, ddl, rows in cur.execute(
            f"SELECT schema_name, table_name, sql, estimated_size FROM duckdb_tables() WHERE {where} "
            "AND NOT internal AND NOT temporary",
            params,
        ).fetchall()
    }
    views = tuple(
        ((schema, name), sql)
        for schema, name, sql in cur.execute(
            f"SELECT schema_name, view_name, sql FROM duckdb_views() WHERE {where} AND NOT internal AND NOT temporary "
            "ORDER BY schema_name, view_name",
            params,
        ).fetchall()
    )
    sequences = tuple(
        row[0] for row in cur.execute(
            f"SELECT sql FROM duckdb_sequences() WHERE {where} AND NOT temporary ORDER BY schema_name, sequence_name",
            params,
        ).fetchall()
    )
    schemas = tuple(
        row[0] for row in cur.execute(
            f"SELECT schema_name FROM duckdb_schemas() WHERE {where} AND NOT internal ORDER BY schema_name", params
        ).fetchall()
    )
    return SchemaInfo(tables, views, sequences, schemas)


@dataclass(frozen=True)
class Fingerprint:
    """A table's version: equal fingerprints mean the snapshot's copy is still the table."""

    ddl: str
    rows: int
    audit: int  # the newest audit_log id naming the table (or `*`); 0 if none
    checksum: int | None  # sum of every row's hash, for tables of at most SMALL_ROWS rows


def fingerprints(
    cur: duckdb.DuckDBPyConnection, info: SchemaInfo, keys: Iterable[Key] | None = None, *, database: str | None = None
) -> dict[Key, Fingerprint]:
    """The fingerprint of each table in `keys` (default: all), in one statement plus one over audit_log."""
    prefix = f"{quote_name(database)}." if database else ""
    wanted = sorted(info.tables if keys is None else keys)
    found: dict[Key, Fingerprint] = {}
    parts: list[str] = []
    for i, key in enumerate(wanted):
        if key in EMPTY_IN_SNAPSHOT:  # copied empty: only its columns matter
            found[key] = Fingerprint(info.tables[key].ddl, 0, 0, None)
            continue
        checksum = "sum(hash(x))" if info.tables[key].estimated_rows <= SMALL_ROWS else "NULL::HUGEINT"
        parts.append(
            f"SELECT {i} AS k, count(*) AS n, {checksum} AS h FROM {prefix}{quote_name(key[0])}.{quote_name(key[1])} x"
        )
    audit: dict[str, int] = {}
    if ("main", "audit_log") in info.tables and parts:
        audit = {
            str(name): int(last)
            for name, last in cur.execute(f"SELECT table_name, max(id) FROM {prefix}main.audit_log GROUP BY ALL").fetchall()
        }
    everything = audit.get("*", 0)
    if parts:
        for i, rows, checksum in cur.execute(" UNION ALL ".join(parts)).fetchall():
            key = wanted[i]
            if key == ("main", "audit_log"):
                last = max(audit.values(), default=0)
            else:
                last = max(audit.get(key[1], 0) if key[0] == "main" else 0, everything)
            found[key] = Fingerprint(info.tables[key].ddl, int(rows), last, None if checksum is None else int(checksum))
    return found


def table_checksum(cur: duckdb.DuckDBPyConnection, name: str) -> int:
    """Sum of every row's hash of table `name` (quoted, qualified): the deep check's comparison."""
    return int(cur.execute(f"SELECT coalesce(sum(hash(x)), 0) FROM {name} x").fetchall()[0][0])


# ---- building a catalog (shared with the worker's direct mode) -------------------------------


def apply_catalog_ddl(con: duckdb.DuckDBPyConnection, info: SchemaInfo, sources: Mapping[Key, str]) -> None:
    """Create the catalog's objects in `con`'s current database.

    Schemas and sequences; each filtered table from its own DDL (empty; the caller fills it);
    every other table as a view `SELECT * FROM sources[key]`; then the workspace's views, in an
    order that lets each find the ones it reads.
    """
    for schema in info.schemas:
        if schema != "main":
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_name(schema)}")
    for sql in info.sequences:
        con.execute(sql)
    for key in sorted(info.tables):
        if is_filtered(key):
            con.execute(info.tables[key].ddl)
        else:
            con.execute(f"CREATE VIEW {quote_name(key[0])}.{quote_name(key[1])} AS SELECT * FROM {sources[key]}")
    pending = list(info.views)
    while pending:
        failed: list[tuple[Key, str]] = []
        error: duckdb.Error | None = None
        for key, sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException as e:  # reads a view not created yet
                failed.append((key, sql))
                error = e
        if len(failed) == len(pending):
            raise keyed(QueryError, "query.error.view_copy", view=key[1], detail=str(error).splitlines()[0])
        pending = failed


# ---- generations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableFile:
    key: Key
    alias: str
    path: str
    fingerprint: Fingerprint


@dataclass
class Generation:
    """One complete snapshot: a catalog file and the table files its views name. Only `checked_at` changes."""

    number: int
    catalog: str
    tables: Mapping[Key, TableFile]
    fingerprints: Mapping[Key, Fingerprint]
    shape: str
    taken_at: dt.datetime  # the moment of the workspace the rows are from
    copied: tuple[Key, ...]  # tables copied for this generation (the catalog's when it was rebuilt)
    checked_at: dt.datetime = field(default_factory=dt.datetime.now)  # last seen equal to the workspace

    def files(self) -> set[str]:
        return {self.catalog, *(t.path for t in self.tables.values())}

    def attachments(self) -> list[list[str]]:
        """[alias, path] of every table file, for the worker."""
        return [[t.alias, t.path] for t in sorted(self.tables.values(), key=lambda t: t.alias)]


class Snapshots:
    """The generations of one workspace's snapshot in one private folder; thread-safe.

    `build` makes a new generation (or finds the current one still equal to the workspace) and
    `install` makes it current; `pin`/`unpin` keep a generation's files on disk while a worker
    may still open them. Files no generation in use names are removed.
    """

    def __init__(self, folder: str, on_copy: Callable[[Key], None] | None = None) -> None:
        self.folder = folder
        self.tables_dir = os.path.join(folder, "tables")
        os.makedirs(self.tables_dir, mode=0o700, exist_ok=True)
        os.chmod(self.tables_dir, 0o700)
        # Called (in the building thread) before each table or catalog is written: progress, and
        # what the tests hold a build with to query the old generation meanwhile.
        self.on_copy = on_copy
        self._build_lock = threading.Lock()
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._pins: dict[int, int] = {}
        self._pinned: dict[int, Generation] = {}
        self._building: dict[int, set[str]] = {}  # files of generations built but not yet installed
        self._aliases: dict[Key, str] = {}
        self._file_checksums: dict[str, int] = {}
        self._number = 0
        self.building = False

    @property
    def current(self) -> Generation | None:
        return self._current

    def pin(self) -> Generation | None:
        """The current generation, kept on disk until `unpin`."""
        with self._lock:
            gen = self._current
            if gen is not None:
                self._pins[gen.number] = self._pins.get(gen.number, 0) + 1
                self._pinned[gen.number] = gen
            return gen

    def unpin(self, gen: Generation) -> None:
        with self._lock:
            left = self._pins.get(gen.number, 0) - 1
            if left > 0:
                self._pins[gen.number] = left
            else:
                self._pins.pop(gen.number, None)
                self._pinned.pop(gen.number, None)
            self._remove_unused()

    def mark_checked(self, at: dt.datetime) -> None:
        """The current generation was seen equal to the workspace at `at`."""
        with self._lock:
            if self._current is not None and at > self._current.checked_at:
                self._current.checked_at = at

    def install(self, gen: Generation) -> bool:
        """Make `gen` current: one assignment, so a query sees the old generation or the new, whole.

        False (and `gen` discarded) when a newer generation was installed meanwhile (a refresh
        and the background thread built at the same time).
        """
        with self._lock:
            self._building.pop(gen.number, None)
            newer = self._current is not None and self._current.number >= gen.number
            if not newer:
                self._current = gen
            self._remove_unused()
            return not newer

    def discard(self, gen: Generation) -> None:
        """Forget a generation that will not be installed; its own files go."""
        with self._lock:
            self._building.pop(gen.number, None)
            self._remove_unused()

    def _remove_unused(self) -> None:
        # Under self._lock. Open handles of running workers survive the unlink (POSIX).
        keep = set().union(*self._building.values())
        for gen in [self._current, *self._pinned.values()]:
            if gen is not None:
                keep |= gen.files()
        try:
            catalogs, tables = os.listdir(self.folder), os.listdir(self.tables_dir)
        except FileNotFoundError:
            return  # the sandbox was closed and its folder removed
        for name in catalogs:
            path = os.path.join(self.folder, name)
            if name.startswith("snapshot-") and name.endswith(".duckdb") and path not in keep:
                remove_file(path)
        for name in tables:
            path = os.path.join(self.tables_dir, name)
            if name.endswith(".duckdb") and path not in keep:
                remove_file(path)
                self._file_checksums.pop(path, None)

    # ---- building ----------------------------------------------------------------------------

    def _alias(self, key: Key) -> str:
        if key not in self._aliases:
            self._aliases[key] = f"snap_{len(self._aliases) + 1}"
        return self._aliases[key]

    def build(self, cur: duckdb.DuckDBPyConnection, *, deep: bool = False) -> Generation | None:
        """A new generation from the workspace behind `cur`, or None when the current one still equals it.

        Copies only the tables whose fingerprint changed (all of them the first time), in one
        read transaction. With `deep`, large tables are also compared row by row (checksums)
        with their files, and the catalog is rebuilt.
        """
        with self._build_lock:
            self.building = True
            number = self._number + 1
            try:
                gen = self._build(cur, number, deep=deep)
            except BaseException:
                with self._lock:  # a failed build leaves no file behind
                    self._building.pop(number, None)
                    self._remove_unused()
                raise
            finally:
                self.building = False
            # The new files stay protected (self._building) until install() or discard().
            return gen

    def _build(self, cur: duckdb.DuckDBPyConnection, number: int, *, deep: bool) -> Generation | None:
        current = self._current
        source = quote_name(cur.execute("SELECT current_database()").fetchall()[0][0])
        cur.execute("BEGIN TRANSACTION")
        try:
            taken_at = dt.datetime.now()
            info = read_schema(cur)
            prints = fingerprints(cur, info)
            public = sorted(k for k in info.tables if not is_filtered(k))
            changed = [
                k for k in public
                if current is None or k not in current.tables or current.tables[k].fingerprint != prints[k]
            ]
            if deep and current is not None:
                changed += [k for k in public if k not in changed and self._differs(cur, source, k, current.tables[k])]
            rebuild_catalog = (
                current is None or deep or info.shape() != current.shape
                or any(prints[k] != current.fingerprints.get(k) for k in info.tables if is_filtered(k))
            )
            if not changed and not rebuild_catalog:
                cur.execute("COMMIT")
                self.mark_checked(taken_at)
                return None
            self._number = number
            tables = {k: f for k, f in (current.tables.items() if current else ()) if k in info.tables and k not in changed}
            for key in changed:
                tables[key] = self._copy_table(cur, source, key, info, prints[key], number)
            catalog = (current.catalog if current is not None and not rebuild_catalog
                       else self._build_catalog(cur, source, info, tables, number))
            cur.execute("COMMIT")
        except BaseException as e:
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:
                pass  # already aborted by the failure
            if isinstance(e, duckdb.Error):
                raise keyed(QueryError, "query.error.snapshot", detail=str(e).splitlines()[0]) from e
            raise
        refiltered = tuple(k for k in sorted(info.tables) if is_filtered(k) and k not in EMPTY_IN_SNAPSHOT)
        copied = tuple(changed) + (refiltered if rebuild_catalog else ())
        return Generation(number, catalog, tables, prints, info.shape(), taken_at.replace(microsecond=0), copied,
                          checked_at=taken_at)

    def _differs(self, cur: duckdb.DuckDBPyConnection, source: str, key: Key, file: TableFile) -> bool:
        """Deep check of one table: the workspace's rows against its file's (checksums of every row)."""
        if file.fingerprint.checksum is not None:
            return False  # small tables carry their checksum in the fingerprint already
        if file.path not in self._file_checksums:
            con = duckdb.connect(file.path, read_only=True)
            try:
                self._file_checksums[file.path] = table_checksum(con, f"{quote_name(key[0])}.{quote_name(key[1])}")
            finally:
                con.close()
        workspace = table_checksum(cur, f"{source}.{quote_name(key[0])}.{quote_name(key[1])}")
        return workspace != self._file_checksums[file.path]

    def _target(self, path: str, number: int) -> duckdb.DuckDBPyConnection:
        """A private DuckDB instance writing `path` (never the app's: see the module docstring)."""
        with self._lock:
            self._building.setdefault(number, set()).add(path)
        remove_file(path)
        return duckdb.connect(path, config={"memory_limit": BUILD_MEMORY, "temp_directory": path + ".tmp"})

    def _copy_table(
        self, cur: duckdb.DuckDBPyConnection, source: str, key: Key, info: SchemaInfo, print_: Fingerprint, number: int
    ) -> TableFile:
        if self.on_copy:
            self.on_copy(key)
        schema, table = key
        path = os.path.join(self.tables_dir, f"{schema}.{table}.{number}.duckdb")
        name = f"{quote_name(schema)}.{quote_name(table)}"
        columns = ", ".join(f"{quote_name(c)} {kind}" for c, kind in info.tables[key].columns)
        target = self._target(path, number)
        try:
            if schema != "main":
                target.execute(f"CREATE SCHEMA {quote_name(schema)}")
            # Declared types, not CREATE TABLE AS from Arrow: JSON, DECIMAL and lists keep their exact type.
            target.execute(f"CREATE TABLE {name} ({columns})")
            rows = cur.sql(f"SELECT * FROM {source}.{name}").to_arrow_reader(BATCH_ROWS)
            target.register("vantage_rows", rows)
            target.execute(f"INSERT INTO {name} SELECT * FROM vantage_rows")
        finally:
            target.close()
        shutil.rmtree(path + ".tmp", ignore_errors=True)
        owner_only(path)
        return TableFile(key, self._alias(key), path, print_)

    def _build_catalog(
        self, cur: duckdb.DuckDBPyConnection, source: str, info: SchemaInfo, tables: Mapping[Key, TableFile], number: int
    ) -> str:
        path = os.path.join(self.folder, f"snapshot-{number}.duckdb")
        filtered = [k for k in sorted(info.tables) if is_filtered(k)]
        for key in filtered:
            if self.on_copy and key not in EMPTY_IN_SNAPSHOT:
                self.on_copy(key)
        target = self._target(path, number)
        try:
            for file in tables.values():  # only to bind the views; the worker attaches them again
                target.execute(f"ATTACH {sql_literal(file.path)} AS {file.alias} (READ_ONLY)")
            apply_catalog_ddl(
                target, info, {k: f"{f.alias}.{quote_name(k[0])}.{quote_name(k[1])}" for k, f in tables.items()}
            )
            # Only the rows anyone may read: a private text never reaches the file, so no
            # deleted block, WAL or column statistic holds it.
            for schema, table in filtered:
                rows_sql = snapshot_rows(f"{source}.{quote_name(schema)}", schema, table)
                if rows_sql is None:
                    continue
                rows = cur.sql(rows_sql, params=rows_params(rows_sql)).to_arrow_reader(BATCH_ROWS)
                target.register("vantage_rows", rows)
                target.execute(
                    f"INSERT INTO {quote_name(schema)}.{quote_name(table)} BY NAME SELECT * FROM vantage_rows"
                )
                target.unregister("vantage_rows")
            for file in tables.values():
                target.execute(f"DETACH {file.alias}")
        finally:
            target.close()
        shutil.rmtree(path + ".tmp", ignore_errors=True)
        owner_only(path)
        return path

    def close(self) -> None:
        with self._lock:
            self._current = None
            self._pinned.clear()
            self._pins.clear()


__all__ = [
    "EMPTY_IN_SNAPSHOT",
    "FOLDER_PREFIX",
    "Fingerprint",
    "Generation",
    "SchemaInfo",
    "Snapshots",
    "TableFile",
    "apply_catalog_ddl",
    "fingerprints",
    "is_filtered",
    "private_folder",
    "read_schema",
    "remove_stale_folders",
    "snapshot_rows",
]

