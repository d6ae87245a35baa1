"""The workspace store: migrations, open failures, and the audited write helper."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from research.errors import ConflictError, ReadOnlyError, StoreError, ValidationError, WorkspaceOpenError
from research.store import LATEST_SCHEMA, Store, core, quote_ident

# The tables of schema v1; later migrations add more.
V1_TABLES = {
    "accounts", "audit_log", "capabilities", "companies", "deals", "exchange_rates",
    "price_observations", "products", "schema_version", "sources", "swot_items", "workspace_meta",
}


def test_fresh_workspace_gets_every_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "w.duckdb"  # the folder is created too
    store = Store.open(str(path))
    try:
        assert store.created
        assert store.schema_version() == LATEST_SCHEMA
        assert V1_TABLES <= set(store.tables())
        versions = store.query_rows("SELECT version, name FROM schema_version ORDER BY version")
        assert [r["version"] for r in versions] == list(range(1, LATEST_SCHEMA + 1))
    finally:
        store.close()


def test_reopen_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    store = Store.open(path)
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme", "is_us": True})
    store.close()
    again = Store.open(path)
    try:
        assert not again.created
        assert again.query_value("SELECT count(*) FROM schema_version") == LATEST_SCHEMA
        assert again.query_value("SELECT name FROM companies") == "Acme"
    finally:
        again.close()


def test_newer_workspace_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    Store.open(path).close()
    con = duckdb.connect(path)
    con.execute("INSERT INTO schema_version (version, name) VALUES (?, 'from_the_future')", [LATEST_SCHEMA + 1])
    con.close()
    with pytest.raises(WorkspaceOpenError, match=r"newer than this Vantage understands.*upgrade Vantage"):
        Store.open(path)


def test_failed_migration_rolls_back_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "w.duckdb")
    Store.open(path).close()
    broken = core.Migration(LATEST_SCHEMA + 1, "broken", "CREATE TABLE half_done (i INTEGER); SELECT * FROM no_such_table;")
    real = core.load_migrations()
    monkeypatch.setattr(core, "load_migrations", lambda: [*real, broken])
    with pytest.raises(StoreError, match=rf"Migration {LATEST_SCHEMA + 1:04d}_broken failed"):
        Store.open(path)
    monkeypatch.undo()
    store = Store.open(path)
    try:
        assert store.schema_version() == LATEST_SCHEMA
        assert "half_done" not in store.tables()
    finally:
        store.close()


def test_corrupt_file_gives_one_clear_sentence(tmp_path: Path) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"this is not a database\n" * 500)
    with pytest.raises(WorkspaceOpenError) as info:
        Store.open(str(path))
    assert "broken.duckdb is not a readable DuckDB database" in info.value.message
    assert "\n" not in info.value.message


def test_workspace_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    Store.open(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceOpenError, match=r"in use by another Vantage process \(process \d+\)"):
            Store.open(str(path))
    finally:
        holder.communicate("", timeout=10)


def test_read_only_workspace_refuses_writes_but_reads(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    store = Store.open(path)
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme"})
    store.close()
    ro = Store.open(path, read_only=True)
    try:
        assert ro.query_value("SELECT count(*) FROM companies") == 1
        with pytest.raises(ReadOnlyError, match="read-only"):
            with ro.transaction("ana") as tx:
                tx.insert("companies", {"name": "Other"})
    finally:
        ro.close()


def test_read_only_open_of_missing_file_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    with pytest.raises(WorkspaceOpenError, match="does not exist"):
        Store.open(str(path), read_only=True)
    assert not path.exists()


def test_in_memory_database_string_works_without_file_assumptions() -> None:
    store = Store.open(":memory:")
    try:
        assert store.file_size() is None
        assert store.schema_version() == LATEST_SCHEMA
    finally:
        store.close()


def test_insert_update_delete_write_audit_rows_in_one_batch(store: Store) -> None:
    with store.transaction("ana") as tx:
        company = tx.insert("companies", {"name": "Acme", "employees": 10})
        tx.update("companies", company["id"], {"employees": 12})
        source = tx.insert("sources", {"title": "Annual report"})
        tx.delete("sources", source["id"])
        batch = tx.batch_id
    audit = store.query_rows("SELECT * FROM audit_log ORDER BY id")
    assert [(a["table_name"], a["action"]) for a in audit] == [
        ("companies", "insert"), ("companies", "update"), ("sources", "insert"), ("sources", "delete"),
    ]
    assert {a["batch_id"] for a in audit} == {batch}
    assert {a["actor"] for a in audit} == {"ana"}
    update = audit[1]
    assert json.loads(update["before"])["employees"] == 10
    assert json.loads(update["after"])["employees"] == 12
    assert json.loads(update["after"])["version"] == 2
    assert audit[3]["after"] is None and json.loads(audit[3]["before"])["title"] == "Annual report"
    assert store.query_value("SELECT count(*) FROM sources") == 0


def test_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(ValidationError, match="Not saved"):
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Acme"})
            tx.insert("companies", {"name": "Bad", "employees": -5})  # CHECK constraint
    assert store.query_value("SELECT count(*) FROM companies") == 0
    assert store.query_value("SELECT count(*) FROM audit_log") == 0


class _Rerun(BaseException):
    """Stands in for Streamlit's RerunException, which is a BaseException."""


def test_base_exception_mid_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(_Rerun):
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Acme"})
            raise _Rerun()
    assert store.query_value("SELECT count(*) FROM companies") == 0
    # The store is still usable afterwards.
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme"})
    assert store.query_value("SELECT count(*) FROM companies") == 1


def test_stale_edit_is_refused_naming_who_changed_it(store: Store) -> None:
    with store.transaction("ana") as tx:
        row = tx.insert("companies", {"name": "Acme"})
    with store.transaction("boris") as tx:
        tx.update("companies", row["id"], {"name": "Acme Ltd"}, expected_version=row["version"])
    with pytest.raises(ConflictError, match=r"changed by boris at \d{4}-\d\d-\d\d"):
        with store.transaction("ana") as tx:
            tx.update("companies", row["id"], {"name": "ACME"}, expected_version=row["version"])
    assert store.query_value("SELECT name FROM companies") == "Acme Ltd"


def test_edit_of_a_removed_row_is_a_conflict(store: Store) -> None:
    with pytest.raises(ConflictError, match="no longer exists"):
        with store.transaction("ana") as tx:
            tx.update("companies", 999, {"name": "x"})


def test_company_referenced_by_products_can_be_renamed(store: Store) -> None:
    # Pins the schema choice: no UNIQUE on companies.name, so renames work under FKs.
    with store.transaction("ana") as tx:
        company = tx.insert("companies", {"name": "Acme"})
        tx.insert("products", {"company_id": company["id"], "name": "Box", "category": "Boxes", "unit": "piece", "currency": "EUR"})
    with store.transaction("ana") as tx:
        tx.update("companies", company["id"], {"name": "Acme Packaging"})
    assert store.query_value("SELECT name FROM companies") == "Acme Packaging"


def test_empty_actor_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="actor name is empty"):
        with store.transaction("  ") as tx:
            tx.insert("companies", {"name": "Acme"})


@pytest.mark.parametrize("name", ["companies; DROP TABLE accounts", 'a"b', "1abc", "", "name--"])
def test_quote_ident_refuses_anything_but_plain_identifiers(name: str) -> None:
    with pytest.raises(ValidationError):
        quote_ident(name)


def test_concurrent_sessions_use_their_own_cursors(store: Store) -> None:
    import threading

    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(20):
                store.query_value("SELECT count(*) FROM range(1000)")
            with store.transaction(f"user{i}") as tx:
                tx.insert("sources", {"title": f"note {i}"})
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert errors == []
    assert store.query_value("SELECT count(*) FROM sources") == 6
    assert store.query_value("SELECT count(DISTINCT batch_id) FROM audit_log") == 6


def test_row_counts_and_file_size(store: Store) -> None:
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme"})
    counts = store.row_counts()
    assert counts["companies"] == 1 and counts["audit_log"] == 1
    assert store.file_size() > 0
    assert store.name == "empty"


def test_migration_merged_later_with_a_lower_number_still_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "w.duckdb")
    real = core.load_migrations()
    late = core.Migration(LATEST_SCHEMA + 1, "late", "CREATE TABLE late_table (i INTEGER);")
    later = core.Migration(LATEST_SCHEMA + 2, "later", "CREATE TABLE later_table (i INTEGER);")
    monkeypatch.setattr(core, "load_migrations", lambda: [*real, later])
    Store.open(path).close()
    monkeypatch.setattr(core, "load_migrations", lambda: [*real, late, later])
    store = Store.open(path)
    try:
        assert {"late_table", "later_table"} <= set(store.tables())
        assert store.query_value("SELECT count(*) FROM schema_version") == LATEST_SCHEMA + 2
    finally:
        store.close()


def test_references_are_enforced_by_the_store(store: Store) -> None:
    with pytest.raises(ValidationError, match="products.company_id points at companies row 42, which does not exist"):
        with store.transaction("ana") as tx:
            tx.insert("products", {"company_id": 42, "name": "Box", "category": "Boxes", "unit": "piece", "currency": "EUR"})
    with store.transaction("ana") as tx:
        company = tx.insert("companies", {"name": "Acme"})
        product = tx.insert("products", {"company_id": company["id"], "name": "Box", "category": "Boxes", "unit": "piece", "currency": "EUR"})
    with pytest.raises(ValidationError, match=r"companies row \d+ cannot be removed: 1 products rows refer to it"):
        with store.transaction("ana") as tx:
            tx.delete("companies", company["id"])
    with pytest.raises(ValidationError, match="points at companies row 999"):
        with store.transaction("ana") as tx:
            tx.update("products", product["id"], {"company_id": 999})
    # Children and then their parent can go in one transaction (what undo needs).
    with store.transaction("ana") as tx:
        tx.delete("products", product["id"])
        tx.delete("companies", company["id"])
    assert store.query_value("SELECT count(*) FROM companies") == 0


def test_unwritable_workspace_file_opens_read_only_and_refuses_writes(immutable_workspace: Path) -> None:
    store = Store.open(str(immutable_workspace))
    try:
        assert store.read_only
        assert store.query_value("SELECT name FROM companies") == "Acme"
        with pytest.raises(ReadOnlyError, match="open read-only; changes cannot be saved"):
            with store.transaction("ana") as tx:
                tx.insert("companies", {"name": "Other"})
    finally:
        store.close()


def test_unexpected_open_failure_names_no_server_path(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "folder"
    folder.mkdir(parents=True)
    with pytest.raises(WorkspaceOpenError) as info:
        Store.open(str(folder))  # a folder, not a file
    assert str(tmp_path) not in info.value.message


def test_ducklake_is_refused_because_the_schema_needs_keys(tmp_path: Path) -> None:
    """README: DuckLake is not supported (no PRIMARY KEY / UNIQUE); the schema declares both."""
    first = core.load_migrations()[0].sql
    assert "PRIMARY KEY" in first and "UNIQUE" in first.upper()
    with pytest.raises(WorkspaceOpenError, match="DuckLake is not supported"):
        Store.open(f"ducklake:{tmp_path / 'meta.ducklake'}")
    assert not any(tmp_path.iterdir())
