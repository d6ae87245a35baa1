"""Backup and restore: a workspace exported as Parquet files (DuckDB EXPORT DATABASE) and imported
into a new file, with a manifest of row counts that the restore must reproduce exactly.

A restore never overwrites a workspace: it builds a new file, checks every table's
row count against the manifest, and removes the new file again if anything differs.
Before migrations change an existing workspace that holds data, the store calls
`backup_before_migrations`, which exports it next to the workspace.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from research import config
from research.access import Actor, require
from research.errors import StoreError, ValidationError
from research.store.core import Store, quote_ident

MANIFEST = "vantage-backup.json"
# What a backup folder may ask DuckDB to run on restore: table, sequence, index, view
# definitions and COPY … FROM its own Parquet files. Anything else is refused.
_SAFE_STATEMENTS = {"schema.sql": {"CREATE"}, "load.sql": {"COPY"}}
_COPY_FROM = re.compile(r"^\s*COPY\s+[\w\".]+(\s*\([^)]*\))?\s+FROM\s+'", re.I)


@dataclass(frozen=True)
class BackupResult:
    folder: str
    counts: dict[str, int]
    schema_version: int


def _sql_path(path: str) -> str:
    """A folder path as a SQL string literal (EXPORT/IMPORT DATABASE take no bound parameters)."""
    if any(ord(ch) < 32 for ch in path):
        raise ValidationError("The backup folder name contains control characters.")
    return "'" + path.replace("'", "''") + "'"


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()]
    return {t: int(con.execute(f"SELECT count(*) FROM {quote_ident(t)}").fetchone()[0]) for t in tables}


def _export(con: duckdb.DuckDBPyConnection, folder: Path, source: str) -> BackupResult:
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(f"The backup folder {folder.name} is not empty; choose a new or empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        counts = _counts(con)
        version = int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])
        con.execute(f"EXPORT DATABASE {_sql_path(str(folder))} (FORMAT parquet)")
    except duckdb.Error as e:
        raise StoreError(f"The backup failed: {str(e).splitlines()[0]}") from e
    except OSError as e:
        raise StoreError(f"The backup could not be written: {e.strerror}.") from e
    manifest = {
        "vantage_backup": 1,
        "source": source,
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        "schema_version": version,
        "counts": counts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return BackupResult(str(folder), counts, version)


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


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ValidationError(f"{folder.name} is not a folder; give the folder a backup wrote.")
    if not path.exists() or not (folder / "schema.sql").exists() or not (folder / "load.sql").exists():
        raise ValidationError(f"{folder.name} is not a Vantage backup (no {MANIFEST}, schema.sql and load.sql).")
    try:
        manifest = json.loads(path.read_text("utf-8"))
        counts = {str(k): int(v) for k, v in manifest["counts"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValidationError(f"The manifest of backup {folder.name} is damaged.") from e
    return {**manifest, "counts": counts}


def _check_statements(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for name in ("schema.sql", "load.sql"):
        text = (folder / name).read_text("utf-8")
        try:
            statements = con.extract_statements(text)
        except duckdb.Error as e:
            raise ValidationError(f"{name} of backup {folder.name} is not valid SQL.") from e
        for statement in statements:
            if statement.type.name not in _SAFE_STATEMENTS[name] or (
                name == "load.sql" and not _COPY_FROM.match(statement.query)
            ):
                raise ValidationError(
                    f"{name} of backup {folder.name} contains a {statement.type.name.lower()}; "
                    "a Vantage backup only creates tables and loads its own files, so it is refused."
                )


def restore_workspace(backup_dir: str, new_path: str, *, actor: Actor = "local") -> dict[str, int]:
    """Build a NEW workspace file from a backup; every table's row count must match the manifest (admins)."""
    require(actor, "restore")
    folder = Path(backup_dir).resolve()
    manifest = read_manifest(folder)
    target = Path(config.resolve_database(new_path))
    if target.exists() or Path(str(target) + ".wal").exists():
        raise ValidationError(
            f"{target.name} already exists; restore into a new file (a restore never overwrites a workspace)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target))
    except duckdb.Error as e:
        raise StoreError(f"Cannot create {target.name}: {str(e).splitlines()[0]}") from e
    try:
        _check_statements(con, folder)
        con.execute(f"IMPORT DATABASE {_sql_path(str(folder))}")
        counts = _counts(con)
        con.execute("CHECKPOINT")
    except BaseException as e:
        con.close()
        _remove(target)
        if isinstance(e, duckdb.Error):
            raise StoreError(f"The restore failed and {target.name} was removed: {str(e).splitlines()[0]}") from e
        raise
    con.close()
    if counts != manifest["counts"]:
        _remove(target)
        differing = sorted(t for t in set(counts) | set(manifest["counts"]) if counts.get(t) != manifest["counts"].get(t))
        raise StoreError(f"The restored tables differ from the backup ({', '.join(differing)}); {target.name} was removed.")
    # Opening it applies migrations newer than the backup (and backs it up first).
    Store.open(str(target)).close()
    return counts


def _remove(target: Path) -> None:
    for path in (target, Path(str(target) + ".wal")):
        if path.exists():
            path.unlink()


def backup_folder_for(database: str) -> Path:
    configured = config.get("VANTAGE_BACKUP_DIR")
    if configured:
        return Path(config.resolve_database(configured))
    return Path(database).resolve().parent / "backups"


def backup_before_migrations(con: duckdb.DuckDBPyConnection, database: str, pending: list[int]) -> str | None:
    """Export a file workspace that holds data before migrations `pending` change it; the folder, or None."""
    if not config.is_file_database(database) or not config.get_flag("VANTAGE_BACKUP_BEFORE_MIGRATE"):
        return None
    try:
        counts = _counts(con)
    except duckdb.Error:
        return None
    if not any(n for t, n in counts.items() if t not in {"schema_version", "workspace_meta"}):
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = Path(database).stem
    folder = backup_folder_for(database) / f"{stem}-before-v{max(pending):04d}-{stamp}"
    try:
        _export(con, folder, stem)
    except (StoreError, ValidationError, OSError) as e:
        shutil.rmtree(folder, ignore_errors=True)
        from research.errors import WorkspaceOpenError

        raise WorkspaceOpenError(
            f"The workspace {os.path.basename(database)} needs schema upgrades {pending}, but the backup "
            f"before them failed ({e}); nothing was changed. Free disk space or set VANTAGE_BACKUP_DIR."
        ) from e
    return str(folder)
