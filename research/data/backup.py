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
anything is refused or differs. Before migrations change an existing workspace that holds
data, the store calls `backup_before_migrations`, which exports it next to the workspace,
once per upgrade (a migration that keeps failing reuses its backup).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb

from research import config
from research.access import Actor, require
from research.errors import StoreError, ValidationError, WorkspaceOpenError
from research.store import core
from research.store.core import Store, quote_ident

MANIFEST = "vantage-backup.json"
_MANIFEST_KEYS = frozenset({"vantage_backup", "source", "created_at", "schema_version", "counts", "checksums"})

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


@dataclass(frozen=True)
class BackupResult:
    folder: str
    counts: dict[str, int]
    schema_version: int


@dataclass
class _RestorePlan:
    """The checked statements of a backup: what a restore will run, and nothing else."""

    schema: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    loads: list[tuple[str, Path]] = field(default_factory=list)
    # Custom-field columns (table -> [(column, type)]) beyond Vantage's definition of the table.
    extra_columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _sql_path(path: str) -> str:
    """A folder path as a SQL string literal (EXPORT DATABASE and COPY take no bound parameters)."""
    if any(ord(ch) < 32 for ch in path):
        raise ValidationError("The backup folder name contains control characters.")
    return "'" + path.replace("'", "''") + "'"


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()]
    return {t: int(con.execute(f"SELECT count(*) FROM {quote_ident(t)}").fetchone()[0]) for t in tables}


def _checksums(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, str]:
    """An order-independent hash of every row of each table: equal counts can hide changed rows."""
    return {t: str(con.execute(f"SELECT coalesce(sum(hash(t)), 0)::VARCHAR FROM {quote_ident(t)} AS t").fetchone()[0])
            for t in tables}


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def _export(con: duckdb.DuckDBPyConnection, folder: Path, source: str, *, counts: dict[str, int] | None = None,
            checksums: dict[str, str] | None = None) -> BackupResult:
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(f"The backup folder {folder.name} is not empty; choose a new or empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        counts = _counts(con) if counts is None else counts
        checksums = _checksums(con, list(counts)) if checksums is None else checksums
        version = _schema_version(con)
        con.execute(f"EXPORT DATABASE {_sql_path(str(folder))} (FORMAT parquet)")
        _name_files_without_folder(folder)
    except duckdb.Error as e:
        raise StoreError(f"The backup failed: {_first_line(e)}") from e
    except OSError as e:
        raise StoreError(f"The backup could not be written: {e.strerror}.") from e
    manifest = {
        "vantage_backup": 1,
        "source": source,
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        "schema_version": version,
        "counts": counts,
        "checksums": checksums,
    }
    # Written last: a folder with a manifest is a complete backup.
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return BackupResult(str(folder), counts, version)


def _name_files_without_folder(folder: Path) -> None:
    """load.sql names its Parquet files by bare name, so the folder restores wherever it is moved or unzipped."""
    path = folder / "load.sql"
    prefix = "FROM " + _sql_path(str(folder))[:-1] + "/"
    path.write_text(path.read_text("utf-8").replace(prefix, "FROM '"), "utf-8")


def backup_workspace(store: Store, out_dir: str, *, actor: Actor = "local") -> BackupResult:
    """Export the whole workspace into `out_dir` (new or empty): Parquet per table plus schema and manifest (admins)."""
    require(actor, "backup")
    with store.cursor() as cur:
        return _export(cur, Path(out_dir).resolve(), store.name)


def backup_zip(store: Store, *, actor: Actor = "local") -> bytes:
    """A backup as one zip archive in memory (the app's download button; admins: backup_workspace checks)."""
    with tempfile.TemporaryDirectory(prefix="vantage-backup-") as tmp:
        folder = Path(tmp) / "backup"
        backup_workspace(store, str(folder), actor=actor)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, path.name)
        return buffer.getvalue()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, checked for shape; what it claims is verified by the restore."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ValidationError(f"{folder.name} is not a folder; give the folder a backup wrote.")
    if not path.exists() or not (folder / "schema.sql").exists() or not (folder / "load.sql").exists():
        raise ValidationError(f"{folder.name} is not a Vantage backup (no {MANIFEST}, schema.sql and load.sql).")
    try:
        manifest = json.loads(path.read_text("utf-8"))
        counts = {str(k): int(v) for k, v in manifest["counts"].items()}
        version = int(manifest["schema_version"])
        checksums = manifest.get("checksums")
        if checksums is not None:
            checksums = {str(k): str(v) for k, v in checksums.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValidationError(f"The manifest of backup {folder.name} is damaged.") from e
    unexpected = sorted(set(manifest) - _MANIFEST_KEYS)
    if unexpected:
        raise ValidationError(
            f"The manifest of backup {folder.name} has entries a Vantage backup never writes "
            f"({', '.join(unexpected)}); the backup is refused."
        )
    if manifest.get("vantage_backup") != 1:
        raise ValidationError(f"The manifest of backup {folder.name} is not of a format this Vantage reads; the backup is refused.")
    return {**manifest, "counts": counts, "schema_version": version, "checksums": checksums}


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
                if con.execute(_OTHER_OBJECTS).fetchone()[0]:
                    out = Path(tmp) / str(i)
                    con.execute(f"EXPORT DATABASE {_sql_path(str(out))} (FORMAT csv)")
                    text = (out / "schema.sql").read_text("utf-8")
                    statements = [statement.query for statement in con.extract_statements(text)]
                for statement in statements:
                    key = _object(statement.strip())
                    if key:
                        found.setdefault(key, set()).add(_normalised(key[0], statement))
    finally:
        con.close()
    return found


def _refuse(folder: Path, what: str) -> ValidationError:
    return ValidationError(f"Backup {folder.name} is refused: {what}.")


def _parse(folder: Path, name: str) -> list[duckdb.Statement]:
    try:
        text = (folder / name).read_text("utf-8")
        with duckdb.connect(":memory:") as con:
            return con.extract_statements(text)
    except (duckdb.Error, UnicodeDecodeError) as e:
        raise _refuse(folder, f"{name} is not valid SQL") from e


def _kind_of(statement: duckdb.Statement) -> str:
    return statement.type.name.replace("_", " ")


def _check_schema(folder: Path, plan: _RestorePlan) -> None:
    known = vantage_definitions()
    for statement in _parse(folder, "schema.sql"):
        if statement.type != duckdb.StatementType.CREATE:
            raise _refuse(folder, f"schema.sql holds a statement of type {_kind_of(statement)}")
        key = _object(statement.query.strip())
        if key is None:
            raise _refuse(folder, "schema.sql holds a CREATE statement that a Vantage backup never contains")
        kind, name = key
        text = _normalised(kind, statement.query)
        if key in known:
            if text not in known[key]:
                extra = _custom_columns(text, known[key]) if kind == "TABLE" and name in _CUSTOM_FIELD_TABLES else None
                if extra is None:
                    raise _refuse(folder, f"schema.sql defines {kind.lower()} {name} differently from Vantage's schema")
                plan.extra_columns[name] = extra
        elif kind == "TABLE" and name.startswith("ds_"):
            if not _DATASET_TABLE.fullmatch(text):
                raise _refuse(folder, f"schema.sql defines dataset {name} with more than plain typed columns")
        else:
            raise _refuse(folder, f"schema.sql creates {kind.lower()} {name}, which is not part of Vantage's schema")
        if kind == "TABLE":
            if name in plan.tables:
                raise _refuse(folder, f"schema.sql creates table {name} twice")
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
        raise _refuse(folder, f"its custom-field columns and their descriptions disagree ({', '.join(odd)})")


def _check_loads(folder: Path, plan: _RestorePlan) -> None:
    loaded: set[str] = set()
    for statement in _parse(folder, "load.sql"):
        text = statement.query.strip().removesuffix(";").rstrip()
        match = _COPY_FROM.fullmatch(text) if statement.type == duckdb.StatementType.COPY else None
        if not match:
            what = "a COPY" if statement.type == duckdb.StatementType.COPY else f"a statement of type {_kind_of(statement)}"
            raise _refuse(folder, f"load.sql holds {what} other than loading a table from one of its Parquet files")
        table = match.group(1).strip('"')
        if table not in plan.tables or table in loaded:
            raise _refuse(folder, f"load.sql loads table {table}, which schema.sql does not create once")
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
    outside = _refuse(folder, f"load.sql reads {name or recorded!r} from outside the backup folder")
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
        raise _refuse(folder, f"load.sql reads {name}, which is not a file of the backup folder")
    return file


def _check_manifest(folder: Path, manifest: dict[str, Any], plan: _RestorePlan) -> None:
    listed, created = set(manifest["counts"]), set(plan.tables)
    if listed - created:
        raise _refuse(folder, f"the manifest lists tables schema.sql does not create ({', '.join(sorted(listed - created))})")
    if created - listed:
        raise _refuse(folder, f"schema.sql creates tables the manifest does not list ({', '.join(sorted(created - listed))})")
    if manifest["checksums"] is not None and set(manifest["checksums"]) != listed:
        raise _refuse(folder, "the manifest's checksums do not cover exactly its tables")
    if manifest["schema_version"] > core.LATEST_SCHEMA:
        raise ValidationError(
            f"Backup {folder.name} has schema version {manifest['schema_version']}, newer than this Vantage "
            f"understands ({core.LATEST_SCHEMA}); upgrade Vantage to restore it."
        )


def sandboxed_connection(target: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB instance of its own on `target` that may read files only inside `folder`, for good.

    Security settings are global to an instance, so the restore never runs in the app's.
    allowed_directories must be set before external access is switched off.
    """
    con = duckdb.connect(str(target), config={"autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})
    try:
        con.execute(f"SET allowed_directories = [{_sql_path(str(folder) + os.sep)}]")
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
        raise ValidationError(
            f"{target.name} already exists; restore into a new file (a restore never overwrites a workspace)."
        )
    plan = _RestorePlan()
    _check_schema(folder, plan)
    _check_loads(folder, plan)
    _check_manifest(folder, manifest, plan)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sandboxed_connection(target, folder)
    except duckdb.Error as e:
        _remove(target)
        raise StoreError(f"Cannot create {target.name}: {_first_line(e)}") from e
    try:
        con.execute("BEGIN TRANSACTION")
        for statement in plan.schema:
            con.execute(statement)
        for table, file in plan.loads:
            con.execute(f"COPY {quote_ident(table)} FROM {_sql_path(str(file))} (FORMAT parquet)")
        _check_custom_fields(con, folder, plan)
        con.execute("COMMIT")
        counts = _counts(con)
        checksums = _checksums(con, list(counts)) if manifest["checksums"] is not None else None
        version = _schema_version(con) if "schema_version" in counts else 0
        con.execute("CHECKPOINT")
    except BaseException as e:
        con.close()
        _remove(target)
        if isinstance(e, duckdb.Error):
            raise StoreError(f"The restore failed and {target.name} was removed: {_first_line(e)}") from e
        raise
    con.close()
    differing = sorted(t for t in set(counts) | set(manifest["counts"]) if counts.get(t) != manifest["counts"].get(t))
    if checksums is not None:
        differing = sorted(set(differing) | {t for t in checksums if checksums[t] != manifest["checksums"].get(t)})
    if version != manifest["schema_version"]:
        differing.append("schema_version")
    if differing:
        _remove(target)
        raise StoreError(f"The restored tables differ from the backup ({', '.join(differing)}); {target.name} was removed.")
    # Opening it applies migrations newer than the backup (and backs it up first).
    Store.open(str(target)).close()
    return counts


def _remove(target: Path) -> None:
    for path in (target, Path(str(target) + ".wal")):
        if path.exists():
            path.unlink()
    shutil.rmtree(Path(str(target) + ".tmp"), ignore_errors=True)


# ---- the automatic backup before migrations ---------------------------------------------------


def backup_folder_for(database: str) -> Path:
    configured = config.get("VANTAGE_BACKUP_DIR")
    if configured:
        return Path(config.resolve_database(configured))
    return Path(database).resolve().parent / "backups"


def backup_label(folder: str) -> str:
    """How messages name a backup folder: its parent folder and name, never a whole server path."""
    path = Path(folder)
    return f"{path.parent.name}/{path.name}"


def _matching_backup(parent: Path, base: str, counts: dict[str, int], checksums: dict[str, str],
                     version: int) -> Path | None:
    """A complete earlier backup of this very upgrade and data, if one exists."""
    if not parent.is_dir():
        return None
    for candidate in sorted(parent.iterdir()):
        if candidate.name != base and not candidate.name.startswith(base + "-"):
            continue
        try:
            manifest = read_manifest(candidate)
        except ValidationError:
            continue
        if (manifest["schema_version"] == version and manifest["counts"] == counts
                and manifest["checksums"] == checksums
                and all((candidate / f"{table}.parquet").is_file() for table in counts)):
            return candidate
    return None


def backup_before_migrations(con: duckdb.DuckDBPyConnection, database: str, pending: list[int]) -> str | None:
    """Export a file workspace that holds data before migrations `pending` change it; the folder.

    None only when there is nothing to protect: not a file, no data, or
    VANTAGE_BACKUP_BEFORE_MIGRATE off. Every failure raises WorkspaceOpenError, so no
    migration runs without its backup. One backup per upgrade: the folder is named after
    the workspace and the versions, and a complete backup of the same data (same row counts
    and checksums) is reused, so a migration that keeps failing is not exported again on
    every open.
    """
    if not config.is_file_database(database) or not config.get_flag("VANTAGE_BACKUP_BEFORE_MIGRATE"):
        return None
    where = os.path.basename(database)
    try:
        counts = _counts(con)
        if not any(n for t, n in counts.items() if t not in {"schema_version", "workspace_meta"}):
            return None
        checksums = _checksums(con, list(counts))
        version = _schema_version(con)
    except duckdb.Error as e:
        raise WorkspaceOpenError(
            f"The workspace {where} needs schema upgrades {pending}, but it could not be read for the backup "
            f"before them ({_first_line(e)}); nothing was changed."
        ) from e
    stem = Path(database).stem
    parent = backup_folder_for(database)
    base = f"{stem}-before-v{max(pending):04d}-from-v{version:04d}"
    folder: Path | None = None
    made = False
    try:
        reusable = _matching_backup(parent, base, counts, checksums, version)
        if reusable is not None:
            return str(reusable)
        folder = parent / base
        if folder.exists() and not (folder / MANIFEST).exists():
            shutil.rmtree(folder)  # an export cut short (no manifest is written until it is complete)
        elif folder.exists():  # a backup of this upgrade from before the data changed: kept
            folder = parent / f"{base}-{dt.datetime.now():%Y%m%d-%H%M%S}"
        made = not folder.exists()
        _export(con, folder, stem, counts=counts, checksums=checksums)
    except (StoreError, ValidationError, OSError) as e:
        if made and folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e).rstrip(".")
        raise WorkspaceOpenError(
            f"The workspace {where} needs schema upgrades {pending}, but the backup before them failed "
            f"({reason}); nothing was changed. Free disk space or set VANTAGE_BACKUP_DIR."
        ) from e
    return str(folder)
