"""Backup and restore, the automatic backup before migrations, and the data commands of the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cli_helpers import cli
from data_helpers import checksums, file_checksums

from research.data import backup
from research.errors import ValidationError
from research.store import Store


def test_restore_reproduces_every_table_and_row_exactly(demo_copy: Path, tmp_path: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "After Demo"})
        result = backup.backup_workspace(store, str(tmp_path / "bk"))
        original = checksums(store)
    finally:
        store.close()
    assert result.counts["companies"] == original["companies"][0]
    counts = backup.restore_workspace(str(tmp_path / "bk"), str(tmp_path / "restored.duckdb"))
    assert counts == {t: n for t, (n, _) in original.items()}
    assert file_checksums(tmp_path / "restored.duckdb") == original
    restored = Store.open(str(tmp_path / "restored.duckdb"))
    try:
        with restored.transaction("ana") as tx:  # sequences continue after the restored ids
            row = tx.insert("companies", {"name": "After Restore"})
        assert row["id"] > restored.query_value("SELECT max(id) FROM companies WHERE name = 'After Demo'")
    finally:
        restored.close()


def test_restore_never_overwrites_and_refuses_foreign_statements(demo_copy: Path, tmp_path: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        backup.backup_workspace(store, str(tmp_path / "bk"))
        with pytest.raises(ValidationError, match="not empty"):
            backup.backup_workspace(store, str(tmp_path / "bk"))
    finally:
        store.close()
    with pytest.raises(ValidationError, match="already exists"):
        backup.restore_workspace(str(tmp_path / "bk"), str(demo_copy))
    load = tmp_path / "bk" / "load.sql"
    load.write_text(load.read_text() + f"\nCOPY accounts TO '{tmp_path / 'leak.csv'}';\n")
    with pytest.raises(ValidationError, match="refused"):
        backup.restore_workspace(str(tmp_path / "bk"), str(tmp_path / "new.duckdb"))
    assert not (tmp_path / "new.duckdb").exists() and not (tmp_path / "leak.csv").exists()
    with pytest.raises(ValidationError, match="not a Vantage backup"):
        backup.restore_workspace(str(tmp_path), str(tmp_path / "new.duckdb"))


def test_backup_zip_holds_the_manifest_and_every_table(store: Store) -> None:
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme"})
    archive = zipfile.ZipFile(io.BytesIO(backup.backup_zip(store)))
    names = set(archive.namelist())
    assert {"schema.sql", "load.sql", backup.MANIFEST, "companies.parquet"} <= names
    assert json.loads(archive.read(backup.MANIFEST))["counts"]["companies"] == 1


def _forget_migration_7(path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("DROP TABLE data_undos; DROP TABLE data_imports; DROP SEQUENCE seq_data_imports; "
                "DELETE FROM schema_version WHERE version = 7")
    con.close()


def test_an_existing_workspace_is_backed_up_before_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.duckdb"
    store = Store.open(str(path))
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Keep Me"})
    store.close()
    _forget_migration_7(path)
    store = Store.open(str(path))
    store.close()
    folders = list((tmp_path / "backups").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("old-before-v0007-")
    manifest = json.loads((folders[0] / backup.MANIFEST).read_text())
    assert manifest["counts"]["companies"] == 1
    # Taken before migration 7 ran again: the backup has no table that migration creates.
    assert "data_imports" not in manifest["counts"]
    assert "data_imports" not in (folders[0] / "schema.sql").read_text()

    empty = tmp_path / "empty.duckdb"
    Store.open(str(empty)).close()
    _forget_migration_7(empty)
    monkeypatch.setenv("VANTAGE_BACKUP_DIR", str(tmp_path / "elsewhere"))
    Store.open(str(empty)).close()
    assert not (tmp_path / "elsewhere").exists()  # nothing to protect in an empty workspace


def test_cli_import_dry_run_import_undo(demo_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Naziv;Država;Delatnost;Status;Zaposleni\nFoo d.o.o.;RS;Logistics;kupac;1.200\nBar;RS;Logistics;bogus;-1\n")
    before = file_checksums(demo_copy)
    done = cli("import", "accounts", str(bad), "--db", str(demo_copy), "--dry-run")
    assert done.returncode == 1
    assert "row      3  employees" in done.stdout and "unknown value" in done.stdout and "nothing written" in done.stdout
    done = cli("import", "accounts", str(bad), "--db", str(demo_copy))
    assert done.returncode == 1 and done.stderr.startswith("error: 2 problem(s), nothing written: row 3")
    assert file_checksums(demo_copy) == before
    good = tmp_path / "good.csv"
    good.write_text("Company;Land;Sector;Stage\nFoo d.o.o.;RS;Logistics;kupac\n")
    done = cli("import", "accounts", str(good), "--db", str(demo_copy), "--map", "country=Land",
               "--map", "industry=Sector", "--map", "status=Stage", "--actor", "cli")
    assert done.returncode == 0, done.stderr
    batch = int(done.stdout.split("as batch ")[1].split()[0])
    done = cli("batches", "--db", str(demo_copy), "--limit", "2")
    assert done.returncode == 0 and "good.csv" in done.stdout
    done = cli("undo", str(batch), "--db", str(demo_copy))
    assert done.returncode == 0 and f"Batch {batch} undone: 2 rows" in done.stdout


def test_cli_dataset_backup_restore(demo_copy: Path, tmp_path: Path) -> None:
    data = tmp_path / "list.csv"
    data.write_text("Firma,Zaposleni\nA,1\nB,2\n")
    done = cli("import", "dataset", "fair list", str(data), "--db", str(demo_copy))
    assert done.returncode == 0 and "ds_fair_list created: 2 rows" in done.stdout, done.stderr
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    done = cli("import", "dataset", "bad", str(binary), "--db", str(demo_copy))
    assert done.returncode == 1 and "not a text table" in done.stderr
    done = cli("backup", "--out", str(tmp_path / "bk"), "--db", str(demo_copy))
    assert done.returncode == 0, done.stderr
    done = cli("restore", str(tmp_path / "bk"), "--db", str(tmp_path / "copy.duckdb"))
    assert done.returncode == 0 and "every row count matches" in done.stdout, done.stderr
    assert file_checksums(tmp_path / "copy.duckdb") == file_checksums(demo_copy)
    done = cli("restore", str(tmp_path / "bk"), "--db", str(tmp_path / "copy.duckdb"))
    assert done.returncode == 1 and "never overwrites" in done.stderr
