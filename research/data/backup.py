"""Backup and restore: a workspace exported as Parquet files (DuckDB EXPORT DATABASE) and imported
into a new file, with a manifest of row counts that the restore must reproduce exactly.

A backup folder is untrusted input: whoever can write it could otherwise make a restore run
any SQL (read server files into a table, attach, load extensions). So a restore never runs
the folder's SQL as given. It accepts only what EXPORT DATABASE writes for a Vantage
workspace: in schema.sql, CREATE statements identical to a definition Vantage's own
migrations create (sequences may start elsewhere) or a dataset table `ds_*` of plain typed
columns; in load.sql, `COPY <one of those tables> FROM '<a Parquet file of the folder>'`.
The checked statements then run in a DuckDB instance of their own that may read files only
inside the backup folder and cannot change that. The manifest is checked, never trusted:
its tables must be the tables created, and their row counts (and checksums) what was loaded.

A restore never overwrites a workspace: it builds a new file and removes it again if
anything is refused or differs. Writing a backup (and the automatic backup the store takes
before migrations change a workspace that holds data) is `research.store.backup`: the store
needs it and imports nothing above it. `backup_workspace`, `backup_zip`, `BackupResult`,
`MANIFEST` and `read_manifest` are re-exported here for the commands and pages that offer
backup and restore side by side.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb

from research import config
from research.access import Actor, require
from research.errors import StoreError, ValidationError
from research.i18n import MESSAGES, Named, keyed_error, message
from research.store import core
from research.store.backup import (  # noqa: F401 — backup_workspace, backup_zip, BackupResult: re-exported
    MANIFEST,
    BackupResult,
    backup_workspace,
    backup_zip,
    first_line,
    read_manifest,
    schema_version,
    sql_path,
    table_checksums,
    table_counts,
)
from research.store.core import Store, single_value
from research.store.sql import quote_ident

# What EXPORT DATABASE writes, as DuckDB renders it. Anything else in a backup is refused.
_CREATE = re.compile(
    r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(TABLE|VIEW|SEQUENCE|(?:UNIQUE\s+)?INDEX|MACRO|FUNCTION|TYPE|SCHEMA)'
    r'\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[^\s(]+)',
    re.I,
)
_SEQUENCE_START = re.compile(r"\bSTART -?\d+\b")
# Dataset tables are made by `CREATE TABLE ds_… AS SELECT` from a file, so their definition is
# the file's; a backup may hold them only as plain typed columns — no defaults, generated
# columns, constraints or nested types, which could hold expressions.
_PLAIN_TYPE = (
    r"(?:BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE"
    r"|DECIMAL\(\d{1,2},\d{1,2}\)|VARCHAR|BLOB|DATE|TIME|TIME WITH TIME ZONE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS"
    r"|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID)(?:\[\])?"
)
_PLAIN_NAME = r'(?:[a-z_][a-z0-9_]*|"[a-z_][a-z0-9_]*")'
_DATASET_TABLE = re.compile(rf"CREATE TABLE (ds_[a-z0-9_]+)\({_PLAIN_NAME} {_PLAIN_TYPE}(?:, {_PLAIN_NAME} {_PLAIN_TYPE})*\)")
_COPY_FROM = re.compile(rf"COPY ({_PLAIN_NAME}) FROM '((?:[^']|'')+)' \(FORMAT 'parquet'\)")
_PARQUET_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.parquet")


@dataclass
class _RestorePlan:
    """The checked statements of a backup: what a restore will run, and nothing else."""

    schema: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    loads: list[tuple[str, Path]] = field(default_factory=list)
    # Custom-field columns (table -> [(column, type)]) beyond Vantage's definition of the table.
    extra_columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


# ---- checking a backup before it is restored ------------------------------------------------


def _object(statement: str) -> tuple[str, str] | None:
    """(kind, name) that a CREATE statement defines, e.g. ("TABLE", "accounts"); None if not one."""
    match = _CREATE.match(statement)
    if not match:
        return None
    kind = re.sub(r"\s+", " ", match.group(1).upper()).removeprefix("UNIQUE ")
    name = match.group(2)
    if name.startswith('"'):
        name = name[1:-1].replace('""', '"')
    return kind, name


def _normalised(kind: str, statement: str) -> str:
    """A statement as compared: without the trailing `;`; a sequence without its start value."""
    text = statement.strip().removesuffix(";").rstrip()
    return _SEQUENCE_START.sub("START ?", text) if kind == "SEQUENCE" else text


# Definitions as the catalog renders them: the same text EXPORT DATABASE writes to schema.sql.
_CATALOG_DEFINITIONS = (
    "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary "
    "UNION ALL SELECT sql FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND NOT temporary "
    "UNION ALL SELECT sql FROM duckdb_sequences() WHERE database_name = current_database() AND NOT temporary "
    "UNION ALL SELECT sql FROM duckdb_indexes() WHERE database_name = current_database() AND sql IS NOT NULL"
)
# Objects the catalog lists without their SQL: if a migration ever defines one, that state is exported.
_OTHER_OBJECTS = (
    "SELECT (SELECT count(*) FROM duckdb_functions() WHERE database_name = current_database() AND NOT internal "
    "AND function_type LIKE '%macro') + (SELECT count(*) FROM duckdb_types() WHERE database_name = current_database() "
    "AND NOT internal)"
)


def vantage_definitions() -> dict[tuple[str, str], set[str]]:
    """Every object Vantage's migrations define, as EXPORT DATABASE writes it, after each migration.

    After each one, not only the last: a backup of an older workspace holds the definitions of
    its version (a column added later, a view replaced since).
    """
    found: dict[tuple[str, str], set[str]] = {}
    con = duckdb.connect(":memory:")
    try:
        with tempfile.TemporaryDirectory(prefix="vantage-schema-") as tmp:
            con.execute(core.SCHEMA_VERSION_DDL)
            for i, migration in enumerate(core.load_migrations()):
                # In a transaction, as Store._migrate runs it (a migration may commit midway).
                con.execute("BEGIN TRANSACTION")
                con.execute(migration.sql)
                con.execute("COMMIT")
                statements = [row[0] for row in con.execute(_CATALOG_DEFINITIONS).fetchall()]
                if single_value(con.execute(_OTHER_OBJECTS)):
                    out = Path(tmp) / str(i)
                    con.execute(f"EXPORT DATABASE {sql_path(str(out))} (FORMAT csv)")
                    text = (out / "schema.sql").read_text("utf-8")
                    statements = [statement.query for statement in con.extract_statements(text)]
                for statement in statements:
                    key = _object(statement.strip())
                    if key:
                        found.setdefault(key, set()).add(_normalised(key[0], statement))
    finally:
        con.close()
    return found


def _refuse(folder: Path, reason: str, **values: object) -> ValidationError:
    """The backup refused for catalog reason `reason` (`data.restore.reason.*`) with `values`."""
    return keyed_error(ValidationError, "data.restore.error.refused", folder=folder.name,
                       what=message(f"data.restore.reason.{reason}", **values))


def _kind(kind: str) -> Named:
    """What a CREATE statement makes, as a refusal names it ("table"; "табелу" in Serbian)."""
    key = f"data.restore.kind.{kind.lower()}"
    return message(key) if key in MESSAGES else Named(kind.lower())


def _parse(folder: Path, name: str) -> list[duckdb.Statement]:
    try:
        text = (folder / name).read_text("utf-8")
        with duckdb.connect(":memory:") as con:
            return con.extract_statements(text)
    except (duckdb.Error, UnicodeDecodeError) as e:
        raise _refuse(folder, "not_sql", file=name) from e


def _kind_of(statement: duckdb.Statement) -> str:
    return statement.type.name.replace("_", " ")


def _check_schema(folder: Path, plan: _RestorePlan) -> None:
    known = vantage_definitions()
    for statement in _parse(folder, "schema.sql"):
        if statement.type != duckdb.StatementType.CREATE:
            raise _refuse(folder, "statement_type", file="schema.sql", kind=_kind_of(statement))
        key = _object(statement.query.strip())
        if key is None:
            raise _refuse(folder, "foreign_create", file="schema.sql", create="CREATE")
        kind, name = key
        text = _normalised(kind, statement.query)
        if key in known:
            if text not in known[key]:
                extra = _custom_columns(text, known[key]) if kind == "TABLE" and name in _CUSTOM_FIELD_TABLES else None
                if extra is None:
                    raise _refuse(folder, "differs", file="schema.sql", kind=_kind(kind), name=name)
                plan.extra_columns[name] = extra
        elif kind == "TABLE" and name.startswith("ds_"):
            if not _DATASET_TABLE.fullmatch(text):
                raise _refuse(folder, "dataset_columns", file="schema.sql", name=name)
        else:
            raise _refuse(folder, "foreign_object", file="schema.sql", kind=_kind(kind), name=name)
        if kind == "TABLE":
            if name in plan.tables:
                raise _refuse(folder, "twice", file="schema.sql", name=name)
            plan.tables.append(name)
        plan.schema.append(statement.query.strip().removesuffix(";").rstrip())


# Tables a workspace extends with custom fields (research/data/fields.py): their definition is
# Vantage's plus plain typed columns, which the restored `custom_fields` rows must describe.
_CUSTOM_FIELD_TABLES = {"accounts": "accounts", "companies": "companies", "products": "products"}
_EXTRA_COLUMN = re.compile(rf", ({_PLAIN_NAME}) ({_PLAIN_TYPE})")


def _custom_columns(text: str, definitions: set[str]) -> list[tuple[str, str]] | None:
    """The columns `text` adds to one of the table's `definitions`, if it adds only plain typed ones.

    DuckDB renders an added column after the last column and before the table's CHECK constraints.
    """
    for definition in definitions:
        cut = definition.find(", CHECK(")
        cut = len(definition) - 1 if cut < 0 else cut
        head, tail = definition[:cut], definition[cut:]
        if not (text.startswith(head) and text.endswith(tail)) or len(text) <= len(head) + len(tail):
            continue
        middle = text[len(head):len(text) - len(tail)]
        found = [(m.group(1).strip('"'), m.group(2)) for m in _EXTRA_COLUMN.finditer(middle)]
        if "".join(f", {m.group(0)[2:]}" for m in _EXTRA_COLUMN.finditer(middle)) == middle and found:
            return found
    return None


def _check_custom_fields(con: duckdb.DuckDBPyConnection, folder: Path, plan: _RestorePlan) -> None:
    """Every extra column is a custom field of the restored `custom_fields`, of its kind's type, and back."""
    from research.data.fields import SQL_TYPES

    described: dict[tuple[str, str], str] = {}
    if "custom_fields" in plan.tables:
        described = {(e, n): SQL_TYPES.get(k, "?") for e, n, k in
                     con.execute("SELECT entity, name, kind FROM custom_fields").fetchall()}
    present = {(table, column): sql_type for table, columns in plan.extra_columns.items()
               for column, sql_type in columns}
    if described != present:
        odd = sorted({f"{t}.{c}" for t, c in set(described) ^ set(present)}
                     | {f"{t}.{c}" for t, c in set(described) & set(present) if described[(t, c)] != present[(t, c)]})
        raise _refuse(folder, "custom_columns", columns=", ".join(odd))


def _check_loads(folder: Path, plan: _RestorePlan) -> None:
    loaded: set[str] = set()
    for statement in _parse(folder, "load.sql"):
        text = statement.query.strip().removesuffix(";").rstrip()
        match = _COPY_FROM.fullmatch(text) if statement.type == duckdb.StatementType.COPY else None
        if not match:
            if statement.type == duckdb.StatementType.COPY:
                raise _refuse(folder, "load_copy", file="load.sql", copy="COPY", parquet="Parquet")
            raise _refuse(folder, "load_statement", file="load.sql", kind=_kind_of(statement), parquet="Parquet")
        table = match.group(1).strip('"')
        if table not in plan.tables or table in loaded:
            raise _refuse(folder, "load_table", file="load.sql", name=table, schema="schema.sql")
        loaded.add(table)
        plan.loads.append((table, _file_in_folder(folder, match.group(2).replace("''", "'"))))


def _file_in_folder(folder: Path, recorded: str) -> Path:
    """The Parquet file a COPY names, which must be a regular file directly in the backup folder.

    New backups name bare files. Older ones hold the absolute folder of the export (for a
    zip download a temporary folder that is gone): that folder is accepted only when it is
    this one or no longer exists, and the file is taken from this folder by its name, as
    DuckDB's IMPORT DATABASE does. A path that climbs (`..`) or names an existing other
    folder is refused.
    """
    path = PurePosixPath(recorded)
    name = path.name
    outside = _refuse(folder, "outside", file="load.sql", name=name or recorded)
    if ".." in path.parts or not _PARQUET_NAME.fullmatch(name):
        raise outside
    if str(path.parent) != ".":
        if not path.is_absolute():
            raise outside
        parent = Path(path.parent)
        if parent.resolve() != folder and (parent.exists() or parent.is_symlink()):
            raise outside
    file = folder / name
    if file.is_symlink() or not file.is_file():
        raise _refuse(folder, "not_a_file", file="load.sql", name=name)
    return file


def _check_manifest(folder: Path, manifest: dict[str, Any], plan: _RestorePlan) -> None:
    listed, created = set(manifest["counts"]), set(plan.tables)
    if listed - created:
        raise _refuse(folder, "manifest_extra", schema="schema.sql", tables=", ".join(sorted(listed - created)))
    if created - listed:
        raise _refuse(folder, "manifest_missing", schema="schema.sql", tables=", ".join(sorted(created - listed)))
    if manifest["checksums"] is not None and set(manifest["checksums"]) != listed:
        raise _refuse(folder, "checksums")
    if manifest["schema_version"] > core.LATEST_SCHEMA:
        raise keyed_error(ValidationError, "data.restore.error.newer", folder=folder.name,
                          version=manifest["schema_version"], latest=core.LATEST_SCHEMA)


def sandboxed_connection(target: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB instance of its own on `target` that may read files only inside `folder`, for good.

    Security settings are global to an instance, so the restore never runs in the app's.
    allowed_directories must be set before external access is switched off.
    """
    con = duckdb.connect(str(target), config={"autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})
    try:
        con.execute(f"SET allowed_directories = [{sql_path(str(folder) + os.sep)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def restore_workspace(backup_dir: str, new_path: str, *, actor: Actor = "local") -> dict[str, int]:
    """Build a NEW workspace file from a checked backup; every table's row count must match the manifest (admins)."""
    require(actor, "restore")
    folder = Path(backup_dir).resolve()
    manifest = read_manifest(folder)
    target = Path(config.resolve_database(new_path))
    if target.exists() or Path(str(target) + ".wal").exists():
        raise keyed_error(ValidationError, "data.restore.error.exists", target=target.name)
    plan = _RestorePlan()
    _check_schema(folder, plan)
    _check_loads(folder, plan)
    _check_manifest(folder, manifest, plan)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sandboxed_connection(target, folder)
    except duckdb.Error as e:
        _remove(target)
        raise keyed_error(StoreError, "data.restore.error.create", target=target.name, reason=first_line(e)) from e
    try:
        con.execute("BEGIN TRANSACTION")
        for statement in plan.schema:
            con.execute(statement)
        for table, file in plan.loads:
            con.execute(f"COPY {quote_ident(table)} FROM {sql_path(str(file))} (FORMAT parquet)")
        _check_custom_fields(con, folder, plan)
        con.execute("COMMIT")
        counts = table_counts(con)
        checksums = table_checksums(con, list(counts)) if manifest["checksums"] is not None else None
        version = schema_version(con) if "schema_version" in counts else 0
        con.execute("CHECKPOINT")
    except BaseException as e:
        con.close()
        _remove(target)
        if isinstance(e, duckdb.Error):
            raise keyed_error(StoreError, "data.restore.error.failed", target=target.name, reason=first_line(e)) from e
        raise
    con.close()
    differing = sorted(t for t in set(counts) | set(manifest["counts"]) if counts.get(t) != manifest["counts"].get(t))
    if checksums is not None:
        differing = sorted(set(differing) | {t for t in checksums if checksums[t] != manifest["checksums"].get(t)})
    if version != manifest["schema_version"]:
        differing.append("schema_version")
    if differing:
        _remove(target)
        raise keyed_error(StoreError, "data.restore.error.differs", tables=", ".join(differing), target=target.name)
    # Opening it applies migrations newer than the backup (and backs it up first).
    Store.open(str(target)).close()
    return counts


def _remove(target: Path) -> None:
    for path in (target, Path(str(target) + ".wal")):
        if path.exists():
            path.unlink()
    shutil.rmtree(Path(str(target) + ".tmp"), ignore_errors=True)

