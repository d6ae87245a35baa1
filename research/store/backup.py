"""Backups as the store writes them: a workspace exported as Parquet files (DuckDB EXPORT DATABASE)
with a manifest of row counts and checksums, and the automatic backup before migrations.

The export half lives with the store because `Store.open` takes a backup before it applies
migrations to a workspace that holds data, and the store imports nothing above it
(docs/ARCHITECTURE.md). The restore half, which checks an untrusted backup folder before it
builds a new workspace from it, is `research.data.backup`; it reads manifests with
`read_manifest` from here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from research import config
from research.errors import StoreError, ValidationError, WorkspaceOpenError
from research.permissions import Actor, require
from research.store.core import Store, single_value
from research.store.sql import quote_ident, sql_literal

log = logging.getLogger(__name__)

MANIFEST = "vantage-backup.json"
_MANIFEST_KEYS = frozenset({"vantage_backup", "source", "created_at", "schema_version", "counts", "checksums"})


@dataclass(frozen=True)
class BackupResult:
    folder: str
    counts: dict[str, int]
    schema_version: int


def sql_path(path: str) -> str:
    """A folder path as a SQL string literal (EXPORT DATABASE and COPY take no bound parameters)."""
    if any(ord(ch) < 32 for ch in path):
        raise ValidationError("The backup folder name contains control characters.")
    return sql_literal(path)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The row count of every table of the workspace."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()]
    return {t: int(single_value(con.execute(f"SELECT count(*) FROM {quote_ident(t)}"))) for t in tables}


def table_checksums(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, str]:
    """An order-independent hash of every row of each table: equal counts can hide changed rows."""
    return {t: str(single_value(con.execute(f"SELECT coalesce(sum(hash(t)), 0)::VARCHAR FROM {quote_ident(t)} AS t")))
            for t in tables}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(single_value(con.execute("SELECT coalesce(max(version), 0) FROM schema_version")))


def first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def _export(con: duckdb.DuckDBPyConnection, folder: Path, source: str, *, counts: dict[str, int] | None = None,
            checksums: dict[str, str] | None = None) -> BackupResult:
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(f"The backup folder {folder.name} is not empty; choose a new or empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        counts = table_counts(con) if counts is None else counts
        checksums = table_checksums(con, list(counts)) if checksums is None else checksums
        version = schema_version(con)
        con.execute(f"EXPORT DATABASE {sql_path(str(folder))} (FORMAT parquet)")
        _name_files_without_folder(folder)
    except duckdb.Error as e:
        raise StoreError(f"The backup failed: {first_line(e)}") from e
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
    prefix = "FROM " + sql_path(str(folder))[:-1] + "/"
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
    """The manifest of a backup folder, checked for shape; what it claims is verified by the restore.

    Its refusals carry their catalog key (`data.restore.error.*`) and values, so a page shows
    them in the viewer's language; `message` is the catalog's English (the store sits below
    research.i18n and imports nothing of it, as `Store.transaction` does).
    """
    path = folder / MANIFEST
    name = folder.name
    if not folder.is_dir():
        raise ValidationError(f"{name} is not a folder; give the folder a backup wrote.",
                              key="data.restore.error.not_folder", params={"folder": name})
    if not path.exists() or not (folder / "schema.sql").exists() or not (folder / "load.sql").exists():
        raise ValidationError(f"{name} is not a Vantage backup (no {MANIFEST}, schema.sql and load.sql).",
                              key="data.restore.error.not_backup",
                              params={"folder": name, "manifest": MANIFEST, "schema": "schema.sql", "load": "load.sql"})
    try:
        manifest = json.loads(path.read_text("utf-8"))
        counts = {str(k): int(v) for k, v in manifest["counts"].items()}
        version = int(manifest["schema_version"])
        checksums = manifest.get("checksums")
        if checksums is not None:
            checksums = {str(k): str(v) for k, v in checksums.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValidationError(f"The manifest of backup {name} is damaged.",
                              key="data.restore.error.manifest_damaged", params={"folder": name}) from e
    unexpected = ", ".join(sorted(set(manifest) - _MANIFEST_KEYS))
    if unexpected:
        raise ValidationError(
            f"The manifest of backup {name} has entries a Vantage backup never writes ({unexpected}); "
            "the backup is refused.",
            key="data.restore.error.manifest_entries", params={"folder": name, "entries": unexpected},
        )
    if manifest.get("vantage_backup") != 1:
        raise ValidationError(
            f"The manifest of backup {name} is not of a format this Vantage reads; the backup is refused.",
            key="data.restore.error.manifest_format", params={"folder": name},
        )
    return {**manifest, "counts": counts, "schema_version": version, "checksums": checksums}


# ---- the automatic backup before migrations ---------------------------------------------------


def backup_folder_for(database: str) -> Path:
    configured = config.BACKUP_DIR.value()
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
        except ValidationError as e:
            log.warning("backup folder %s is not a complete backup, not reused: %s", candidate.name, e)
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
    if not config.is_file_database(database) or not config.BACKUP_BEFORE_MIGRATE.value():
        return None
    where = os.path.basename(database)
    try:
        counts = table_counts(con)
        if not any(n for t, n in counts.items() if t not in {"schema_version", "workspace_meta", "deal_reasons"}):
            return None
        checksums = table_checksums(con, list(counts))
        version = schema_version(con)
    except duckdb.Error as e:
        raise WorkspaceOpenError(
            f"The workspace {where} needs schema upgrades {pending}, but it could not be read for the backup "
            f"before them ({first_line(e)}); nothing was changed."
        ) from e
    stem = Path(database).stem
    parent = backup_folder_for(database)
    base = f"{stem}-before-v{max(pending):04d}-from-v{version:04d}"
    folder: Path | None = None
    made = False
    try:
        reusable = _matching_backup(parent, base, counts, checksums, version)
        if reusable is not None:
            log.info("workspace %s: the backup %s from before upgrade %s is reused", where, reusable, pending)
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
    log.info("workspace %s: backed up to %s before schema upgrades %s", where, folder, pending)
    return str(folder)
