"""A tampered backup cannot run SQL or read server files at restore, and a failing migration
is backed up once, not on every open (issue 14, findings 2 and 13).

Every case starts from a real backup written by `backup_workspace` (the demo market plus a
dataset table), changes it the way an attacker with write access to a backup folder could,
and expects the restore to be refused with one sentence, nothing created and nothing read.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from cli_helpers import cli
from data_helpers import file_checksums

from research.data import backup, datasets
from research.errors import StoreError, VantageError, WorkspaceOpenError
from research.store import Store, core
from research.store import backup as store_backup
from research.store.core import LATEST_SCHEMA

SECRET = 'password = "hunter2-do-not-leak"'


@pytest.fixture(scope="module")
def clean_backup(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(backup folder, the workspace it was taken from): the demo plus a typed dataset table."""
    base = tmp_path_factory.mktemp("restore-src")
    workspace = base / "source.duckdb"
    shutil.copyfile(demo_workspace_file, workspace)
    data = base / "fair.csv"
    data.write_text("Firma,Zaposleni,Prihod,Datum,Aktivan\nA,1,1.5,2024-01-02,true\nB,2,2.25,2024-02-03,false\n")
    store = Store.open(str(workspace))
    try:
        datasets.import_dataset(store, "fair list", str(data), "ana")
        backup.backup_workspace(store, str(base / "bk"))
    finally:
        store.close()
    return base / "bk", workspace


@pytest.fixture
def folder(clean_backup: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the clean backup, to tamper with."""
    target = tmp_path / "bk"
    shutil.copytree(clean_backup[0], target)
    return target


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A server file the attacker wants: a project's .streamlit/secrets.toml."""
    path = tmp_path / "project" / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True)
    path.write_text(SECRET + "\n")
    return path


def _append(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(path.read_text() + "\n" + text + "\n")


def _manifest(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / backup.MANIFEST
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def _count(folder: Path, table: str, n: int) -> None:
    _manifest(folder, lambda m: m["counts"].__setitem__(table, n))


def _replace_statement(folder: Path, name: str, starts: str, new: str) -> None:
    """Replace the one statement of `name` that starts with `starts` by `new`."""
    path = folder / name
    lines = path.read_text().splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(starts)]
    assert len(hits) == 1, f"{starts!r} not found once in {name}"
    lines[hits[0]] = new
    path.write_text("\n".join(lines) + "\n")


def _outside_parquet(folder: Path) -> Path:
    """A real Parquet file outside the backup folder, under the name of one inside it."""
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copyfile(folder / "companies.parquet", outside / "companies.parquet")
    return outside / "companies.parquet"


def _ctas_new_table(folder: Path, secret: Path) -> None:  # the attack of the report, verbatim
    _append(folder, "schema.sql", f"CREATE TABLE loot AS SELECT filename, content FROM read_text('{secret}');")
    _count(folder, "loot", 1)


def _ctas_known_table(folder: Path, secret: Path) -> None:
    _replace_statement(folder, "schema.sql", "CREATE TABLE workspace_meta(",
                       f"CREATE TABLE workspace_meta AS SELECT 'name' AS \"key\", content AS \"value\" FROM read_text('{secret}');")


def _ctas_dataset(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", f"CREATE TABLE ds_loot AS SELECT content FROM read_text('{secret}');")
    _count(folder, "ds_loot", 1)


def _view_read_csv(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", f"CREATE VIEW loot AS SELECT * FROM read_csv('{secret}');")


def _view_read_text_replacing_ours(folder: Path, secret: Path) -> None:
    _replace_statement(folder, "schema.sql", "CREATE VIEW latest_prices AS",
                       f"CREATE VIEW latest_prices AS SELECT content FROM read_text('{secret}');")


def _view_glob(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE VIEW files AS SELECT * FROM glob('/*');")


def _macro_read_text(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE MACRO peek(p) AS TABLE SELECT * FROM read_text(p);")


def _copy_absolute_outside(folder: Path, secret: Path) -> None:
    _replace_statement(folder, "load.sql", "COPY companies FROM",
                       f"COPY companies FROM '{_outside_parquet(folder)}' (FORMAT 'parquet');")


def _copy_dotdot(folder: Path, secret: Path) -> None:
    _outside_parquet(folder)
    _replace_statement(folder, "load.sql", "COPY companies FROM",
                       "COPY companies FROM '../outside/companies.parquet' (FORMAT 'parquet');")


def _copy_folder_dotdot(folder: Path, secret: Path) -> None:
    _outside_parquet(folder)
    _replace_statement(folder, "load.sql", "COPY companies FROM",
                       f"COPY companies FROM '{folder}/../outside/companies.parquet' (FORMAT 'parquet');")


def _copy_secret_as_csv(folder: Path, secret: Path) -> None:
    _replace_statement(folder, "load.sql", "COPY workspace_meta FROM",
                       f"COPY workspace_meta FROM '{secret}' (FORMAT csv, delim '=', header false);")


def _copy_symlink(folder: Path, secret: Path) -> None:
    outside = _outside_parquet(folder)
    (folder / "companies.parquet").unlink()
    (folder / "companies.parquet").symlink_to(outside)


def _copy_to(folder: Path, secret: Path) -> None:
    _append(folder, "load.sql", f"COPY accounts TO '{folder.parent / 'leak.csv'}';")


def _attach(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", f"ATTACH '{folder.parent / 'other.duckdb'}' AS other;")


def _install_load(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "INSTALL httpfs;\nLOAD httpfs;")


def _set(folder: Path, secret: Path) -> None:
    _append(folder, "load.sql", "SET enable_external_access = true;")


def _pragma(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "PRAGMA database_list;")


def _insert(folder: Path, secret: Path) -> None:
    _append(folder, "load.sql", f"INSERT INTO workspace_meta SELECT 'loot', content FROM read_text('{secret}');")


def _unknown_table(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE TABLE extra(i INTEGER);")
    _count(folder, "extra", 0)


def _dataset_generated_column(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql",
            f"CREATE TABLE ds_x(a VARCHAR, b VARCHAR GENERATED ALWAYS AS (read_text('{secret}')) VIRTUAL);")
    _count(folder, "ds_x", 0)


def _dataset_default(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE TABLE ds_x(a VARCHAR DEFAULT(getenv('HOME')));")
    _count(folder, "ds_x", 0)


def _dataset_check(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE TABLE ds_x(a VARCHAR, CHECK((length(a) < 5)));")
    _count(folder, "ds_x", 0)


def _dataset_struct(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", "CREATE TABLE ds_x(a STRUCT(b VARCHAR));")
    _count(folder, "ds_x", 0)


def _two_statements_on_one_line(folder: Path, secret: Path) -> None:
    _replace_statement(folder, "load.sql", "COPY companies FROM",
                       f"COPY companies FROM 'companies.parquet' (FORMAT 'parquet'); COPY companies TO '{folder.parent / 'leak.csv'}';")


def _two_statements_in_a_dataset(folder: Path, secret: Path) -> None:
    _append(folder, "schema.sql", f"CREATE TABLE ds_x(a VARCHAR); CREATE TABLE loot AS SELECT * FROM read_text('{secret}');")
    _count(folder, "ds_x", 0)


def _manifest_extra_table(folder: Path, secret: Path) -> None:
    _count(folder, "loot", 2)


def _manifest_extra_key(folder: Path, secret: Path) -> None:
    _manifest(folder, lambda m: m.__setitem__("extra_sql", "SELECT 1"))


def _manifest_wrong_count(folder: Path, secret: Path) -> None:
    _manifest(folder, lambda m: m["counts"].__setitem__("companies", m["counts"]["companies"] + 1))


TAMPERINGS: dict[str, Callable[[Path, Path], None]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _ctas_new_table, _ctas_known_table, _ctas_dataset, _view_read_csv, _view_read_text_replacing_ours,
        _view_glob, _macro_read_text, _copy_absolute_outside, _copy_dotdot, _copy_folder_dotdot,
        _copy_secret_as_csv, _copy_symlink, _copy_to, _attach, _install_load, _set, _pragma, _insert,
        _unknown_table, _dataset_generated_column, _dataset_default, _dataset_check, _dataset_struct,
        _two_statements_on_one_line, _two_statements_in_a_dataset, _manifest_extra_table,
        _manifest_extra_key, _manifest_wrong_count,
    )
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_tampered_backup_is_refused_with_one_sentence_and_nothing_left(
    tamper: Callable[[Path, Path], None], folder: Path, secret: Path, tmp_path: Path
) -> None:
    tamper(folder, secret)
    target = tmp_path / "restored.duckdb"
    with pytest.raises(VantageError) as info:
        backup.restore_workspace(str(folder), str(target))
    message = info.value.message
    assert "\n" not in message and message.endswith(".") and "Traceback" not in message
    assert "refused" in message or "differ" in message, message
    assert not target.exists() and not Path(str(target) + ".wal").exists()
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()


@pytest.mark.parametrize("tamper", [_ctas_new_table, _copy_absolute_outside, _view_read_text_replacing_ours],
                         ids=["ctas", "copy-outside", "view"])
def test_the_cli_refuses_a_tampered_backup_with_exit_code_1(
    tamper: Callable[[Path, Path], None], folder: Path, secret: Path, tmp_path: Path
) -> None:
    tamper(folder, secret)
    target = tmp_path / "restored.duckdb"
    done = cli("restore", str(folder), "--db", str(target))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    assert not target.exists()


def test_an_existing_target_is_left_intact(folder: Path, secret: Path, demo_copy: Path) -> None:
    _ctas_new_table(folder, secret)
    before = file_checksums(demo_copy)
    size = demo_copy.stat().st_size
    with pytest.raises(VantageError, match="already exists"):
        backup.restore_workspace(str(folder), str(demo_copy))
    assert demo_copy.stat().st_size == size and file_checksums(demo_copy) == before


def test_an_untampered_backup_restores_with_identical_tables(clean_backup: tuple[Path, Path], tmp_path: Path) -> None:
    folder, source = clean_backup
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    counts = backup.restore_workspace(str(folder), str(tmp_path / "restored.duckdb"))
    assert counts == manifest["counts"] and "ds_fair_list" in counts
    restored, original = file_checksums(tmp_path / "restored.duckdb"), file_checksums(source)
    assert {t: v for t, v in restored.items() if original.get(t) != v} == {}, original


def test_a_moved_backup_restores_including_one_written_with_absolute_paths(
    clean_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    """A zip download is unpacked far from where it was exported: the files are taken from the folder."""
    folder, source = clean_backup
    legacy = tmp_path / "unpacked" / "legacy"
    shutil.copytree(folder, legacy)
    # Backups written before load.sql named bare files held the export folder's absolute path,
    # e.g. the zip's temporary folder that no longer exists.
    gone = "/tmp/vantage-backup-gone1234/backup"
    (legacy / "load.sql").write_text(re.sub(r"FROM '([^'/]+\.parquet)'", rf"FROM '{gone}/\1'",
                                            (legacy / "load.sql").read_text()))
    assert gone in (legacy / "load.sql").read_text()
    counts = backup.restore_workspace(str(legacy), str(tmp_path / "a.duckdb"))
    assert file_checksums(tmp_path / "a.duckdb") == file_checksums(source)
    assert counts == json.loads((folder / backup.MANIFEST).read_text())["counts"]


def test_restore_runs_with_file_access_limited_to_the_backup_folder(folder: Path, secret: Path, tmp_path: Path) -> None:
    """Defence in depth: even a statement the checks missed could not read outside the folder."""
    con = backup.sandboxed_connection(tmp_path / "sandbox.duckdb", folder)
    try:
        assert con.execute(f"SELECT count(*) FROM read_parquet('{folder / 'companies.parquet'}')").fetchone()[0] > 0
        for statement in (f"SELECT * FROM read_text('{secret}')", "SELECT * FROM glob('/etc/*')",
                          f"ATTACH '{tmp_path / 'x.duckdb'}'", "SET enable_external_access = true",
                          f"SELECT * FROM read_text('{folder}/../project/.streamlit/secrets.toml')"):
            with pytest.raises(duckdb.Error):
                con.execute(statement).fetchall()
    finally:
        con.close()


# ---- finding 13: one backup per pending upgrade, and no upgrade without it -------------------------


def _workspace_with_data(path: Path) -> None:
    store = Store.open(str(path))
    try:
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Keep Me"})
    finally:
        store.close()


REAL_MIGRATIONS = core.load_migrations()


def _with_migration(monkeypatch: pytest.MonkeyPatch, sql: str) -> None:
    """Vantage's migrations plus one more, next in line (a fault injected, or its fix)."""
    real = REAL_MIGRATIONS
    extra = core.Migration(LATEST_SCHEMA + 1, "next_step", sql)
    monkeypatch.setattr(core, "load_migrations", lambda: [*real, extra])


BROKEN = "CREATE TABLE half_done (i INTEGER); SELECT * FROM no_such_table;"
FIXED = "CREATE TABLE half_done (i INTEGER);"


def test_a_failing_migration_is_backed_up_once_and_the_error_names_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.duckdb"
    _workspace_with_data(path)
    _with_migration(monkeypatch, BROKEN)
    messages = []
    for _ in range(4):  # four page loads
        with pytest.raises(StoreError) as info:
            Store.open(str(path))
        messages.append(info.value.message)
    folders = sorted((tmp_path / "backups").iterdir())
    assert len(folders) == 1, [f.name for f in folders]
    name = folders[0].name
    assert name == f"old-before-v{LATEST_SCHEMA + 1:04d}-from-v{LATEST_SCHEMA:04d}"
    for message in messages:
        assert f"{LATEST_SCHEMA + 1:04d}_next_step failed" in message and f"backups/{name}" in message, message
        assert str(tmp_path) not in message and "\n" not in message
    _with_migration(monkeypatch, FIXED)
    store = Store.open(str(path))
    try:
        assert store.schema_version() == LATEST_SCHEMA + 1 and "half_done" in store.tables()
    finally:
        store.close()
    assert len(list((tmp_path / "backups").iterdir())) == 1
    # The reused backup restores to the workspace as it was before the upgrade.
    counts = backup.restore_workspace(str(folders[0]), str(tmp_path / "back.duckdb"))
    assert counts["companies"] == 1 and "half_done" not in counts


def test_a_backup_that_no_longer_matches_the_workspace_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.duckdb"
    _workspace_with_data(path)
    _with_migration(monkeypatch, BROKEN)
    with pytest.raises(StoreError):
        Store.open(str(path))
    monkeypatch.undo()  # an older Vantage opens it and someone edits a row (same row count)
    store = Store.open(str(path))
    with store.transaction("ana") as tx:
        tx.update("companies", store.query_value("SELECT id FROM companies WHERE name = 'Keep Me'"), {"name": "Kept"})
    store.close()
    _with_migration(monkeypatch, BROKEN)
    with pytest.raises(StoreError) as info:
        Store.open(str(path))
    folders = sorted(f.name for f in (tmp_path / "backups").iterdir())
    assert len(folders) == 2 and folders[1] in info.value.message
    # An export cut short (no manifest) is never taken for a backup.
    shutil.rmtree(tmp_path / "backups")
    (tmp_path / "backups" / f"old-before-v{LATEST_SCHEMA + 1:04d}-from-v{LATEST_SCHEMA:04d}").mkdir(parents=True)
    with pytest.raises(StoreError):
        Store.open(str(path))
    only = next((tmp_path / "backups").iterdir())
    assert (only / backup.MANIFEST).exists()


def test_no_migration_runs_when_the_backup_cannot_be_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.duckdb"
    _workspace_with_data(path)
    _with_migration(monkeypatch, FIXED)

    def unreadable(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        raise duckdb.IOException("IO Error: injected read failure")

    monkeypatch.setattr(store_backup, "table_counts", unreadable)  # a fault injected into the backup step
    with pytest.raises(WorkspaceOpenError, match="backup"):
        Store.open(str(path))
    monkeypatch.undo()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should go")
    monkeypatch.setenv("VANTAGE_BACKUP_DIR", str(blocker))
    _with_migration(monkeypatch, FIXED)
    with pytest.raises(WorkspaceOpenError, match="nothing was changed") as info:
        Store.open(str(path))
    assert "\n" not in info.value.message
    monkeypatch.undo()
    store = Store.open(str(path))
    try:
        assert store.schema_version() == LATEST_SCHEMA and "half_done" not in store.tables()
    finally:
        store.close()
