"""Query snapshots that never make anyone wait (issue 19, item 1) and the CLI's direct mode.

The snapshot is prepared per table in a private folder; a refresh copies only what changed and
switches to the new generation at once, so a query during a refresh runs on the old complete
one. Private rows never reach any of its files. `python -m research query` reads the workspace
itself, read-only, when no other process holds it, behind the same filtered catalog.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cli_helpers import cli
from page_helpers import assert_clean, run_app

from research.access import roles as access_roles
from research.access import signed_in
from research.competitors import profiles, swot
from research.i18n import t
from research.query import saved
from research.query import sandbox as sandbox_module
from research.query.direct import run_direct
from research.query.sandbox import Sandbox, close_sandbox, run_sandboxed, sandbox_for
from research.query.worker import open_direct
from research.store import Store
from research.store.core import load_migrations

ROOT = Path(__file__).resolve().parent.parent
EDITOR = signed_in("editor@example.com", "editor")
ADMIN = signed_in("admin@example.com", "admin")
COMPANY = "Kartonaža Sava"
MARKER = "Zqx-snapshot-marker-5521"
WAIT = 120.0  # seconds a test waits for the background thread before it fails (a wait, not a timing check)


@pytest.fixture
def ws(demo_copy: Path) -> Any:
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


@pytest.fixture(autouse=True)
def _no_leftover_workers():
    yield
    sandbox_module._close_all()


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temp folder for this test's snapshot folders (tempfile.gettempdir() points at it)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _files(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def _company_id(store: Store) -> int:
    return profiles.find_company(store, COMPANY, viewer=EDITOR).id


def _add_company(store: Store, name: str) -> None:
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": name})


def _count(store: Store, table: str) -> int:
    return int(run_sandboxed(store, f"SELECT count(*) AS n FROM {table}").frame["n"][0])


# ---- one generation at a time ---------------------------------------------------------------------


def test_a_query_during_a_refresh_runs_on_the_old_complete_snapshot(ws: Store) -> None:
    box = sandbox_for(ws)
    first = run_sandboxed(ws, "SELECT count(*) AS n FROM companies")
    assert first.frame["n"][0] == 8
    old = box.generation
    _add_company(ws, "Newcomer")
    # Hold the refresh while it writes its first file: the new generation is half built.
    writing, release = threading.Event(), threading.Event()

    def hold(key: tuple[str, str]) -> None:
        writing.set()
        assert release.wait(WAIT)

    box.copy_listeners.append(hold)
    refresh = threading.Thread(target=box.update)
    refresh.start()
    try:
        assert writing.wait(WAIT)
        assert box.status().preparing
        during = run_sandboxed(ws, "SELECT count(*) AS n FROM companies")
        assert during.frame["n"][0] == 8, "the old generation, whole"
        assert box.generation is old and all(Path(f).is_file() for f in old.files())
    finally:
        release.set()
        refresh.join(WAIT)
        box.copy_listeners.remove(hold)
    after = run_sandboxed(ws, "SELECT count(*) AS n FROM companies")
    assert after.frame["n"][0] == 9 and box.generation.number > old.number
    assert not box.status().preparing
    # The old generation's catalog is gone once nothing uses it.
    assert not Path(old.catalog).exists()


def test_a_refresh_copies_only_the_tables_that_changed(ws: Store) -> None:
    box = sandbox_for(ws)
    box.update()
    before = box.generation
    copied: list[tuple[str, str]] = []
    box.copy_listeners.append(copied.append)
    deal_id = ws.query_value("SELECT min(id) FROM deals")
    with ws.transaction("ana") as tx:
        tx.update("deals", deal_id, {"note": "renegotiated"})
    after = box.update()
    assert after is not None and after is box.generation
    # The deal's table, and the catalog's filtered tables (the write added an audit row).
    assert copied == [("main", "deals"), ("main", "audit_log"), ("main", "companies"), ("main", "swot_items")]
    assert set(after.copied) == set(copied)
    for key in (("main", "accounts"), ("main", "price_observations"), ("main", "products")):
        assert after.tables[key].path == before.tables[key].path, f"{key} was not copied again"
    assert after.tables[("main", "deals")].path != before.tables[("main", "deals")].path
    assert run_sandboxed(ws, "SELECT note FROM deals WHERE id = $id", {"id": deal_id}).frame["note"][0] == "renegotiated"
    # Nothing changed since: nothing is copied, and the snapshot is known current as of now.
    copied.clear()
    assert box.update() is None and copied == []
    assert box.generation is after and box.generation.checked_at >= after.taken_at


def test_a_change_to_a_public_table_alone_keeps_the_catalog(ws: Store) -> None:
    box = sandbox_for(ws)
    box.update()
    before = box.generation
    with ws.transaction("ana") as tx:  # an audited change to a table outside the catalog…
        tx.update("features", ws.query_value("SELECT min(id) FROM features"), {"description": "renamed"})
    after = box.update()
    assert ("main", "features") in after.copied
    # …rebuilds the catalog only because the audit log grew; a change no audit row names does not.
    with ws.cursor() as cur:
        cur.execute("UPDATE workspace_meta SET value = value || ' ' WHERE key = (SELECT min(key) FROM workspace_meta)")
    unaudited = box.update()
    assert unaudited.copied == (("main", "workspace_meta"),), "a small table's checksum catches an unaudited change"
    assert unaudited.catalog == after.catalog != before.catalog


def test_the_deep_check_finds_an_unaudited_change_to_a_large_table(ws: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("research.query.snapshots.SMALL_ROWS", 10)  # every demo table counts as large
    box = sandbox_for(ws)
    box.update()
    account = ws.query_value("SELECT min(id) FROM accounts")
    with ws.cursor() as cur:  # no audit row, same row count: invisible to the cheap fingerprint
        cur.execute("UPDATE accounts SET city = 'Zqx-unaudited' WHERE id = ?", [account])
    assert box.update() is None
    box.refresh()  # the Refresh button: a deep check
    assert ("main", "accounts") in box.generation.copied
    found = run_sandboxed(ws, "SELECT city FROM accounts WHERE id = $id", {"id": account}).frame
    assert found["city"][0] == "Zqx-unaudited"


def test_a_new_custom_field_and_a_new_table_reach_the_snapshot(ws: Store) -> None:
    from research.data import fields

    box = sandbox_for(ws)
    box.update()
    fields.add_field(ws, "tester", "accounts", "fortune_rank", "int")
    fields.add_field(ws, "tester", "companies", "stock_ticker", "text")
    with ws.cursor() as cur:
        cur.execute("UPDATE accounts SET fortune_rank = 7 WHERE id = (SELECT min(id) FROM accounts)")
        cur.execute("CREATE TABLE ds_extra AS SELECT 1 AS a")
    gen = box.update()
    assert {("main", "accounts"), ("main", "custom_fields"), ("main", "ds_extra")} <= set(gen.copied)
    assert run_sandboxed(ws, "SELECT max(fortune_rank) AS r FROM accounts").frame["r"][0] == 7
    assert "stock_ticker" in run_sandboxed(ws, "DESCRIBE companies").frame["column_name"].tolist()
    assert _count(ws, "ds_extra") == 1


# ---- the background thread ---------------------------------------------------------------------


def test_the_background_prepares_at_start_and_refreshes_after_a_write(ws: Store) -> None:
    box = sandbox_for(ws)
    box.start_background()
    _wait_for(lambda: box.generation is not None, "the first snapshot")
    first = box.generation
    assert box.status().background and box.status().as_of is not None
    # A write: the next look at the workspace file sees it, and only the changed tables are copied.
    _add_company(ws, "Background newcomer")
    _wait_for(lambda: box.generation is not first, "the refreshed snapshot")
    assert set(box.generation.copied) == {("main", "audit_log"), ("main", "companies"), ("main", "swot_items")}
    assert _count(ws, "companies") == 9
    # Unchanged since: the "as of" time moves on without a copy.
    gen = box.generation
    seen = gen.checked_at
    _wait_for(lambda: box.generation.checked_at > seen, "a look that found nothing new")
    assert box.generation is gen


def test_with_a_background_thread_a_query_never_waits_for_a_refresh(ws: Store) -> None:
    box = sandbox_for(ws)
    box.start_background()
    _wait_for(lambda: box.generation is not None, "the first snapshot")
    assert _count(ws, "companies") == 8
    writing, release = threading.Event(), threading.Event()

    def hold(key: tuple[str, str]) -> None:
        writing.set()
        release.wait(WAIT)

    box.copy_listeners.append(hold)
    try:
        _add_company(ws, "Held newcomer")
        assert writing.wait(WAIT), "the background thread started a refresh"
        result = run_sandboxed(ws, "SELECT count(*) AS n FROM companies")
        assert result.frame["n"][0] == 8 and box.status().preparing
    finally:
        release.set()
        box.copy_listeners.remove(hold)
    _wait_for(lambda: not box.status().preparing and _count(ws, "companies") == 9, "the refreshed snapshot")


def test_the_first_query_waits_for_the_background_instead_of_copying_twice(ws: Store) -> None:
    box = sandbox_for(ws)
    copied: list[tuple[str, str]] = []
    box.copy_listeners.append(copied.append)
    box.start_background()
    assert _count(ws, "accounts") > 0
    assert copied.count(("main", "accounts")) == 1


# ---- privacy and permissions ---------------------------------------------------------------------


def _private_writes(store: Store) -> None:
    swot.add_item(store, EDITOR, _company_id(store), quadrant="W", statement=MARKER + " private item", private=True)
    company = profiles.find_company(store, COMPANY, viewer=EDITOR)
    profiles.update_company(store, EDITOR, company.id, company.version, notes=MARKER + " notes", notes_private=True)
    access_roles.assign_role(store, ADMIN, "zqx-role-person@example.com", "editor")
    saved.record_history(store, "editor@example.com", "SELECT 'zqx-history-sql'", {"p": "zqx-history-param"}, status="ok")


def _assert_no_secret_in(files: list[Path]) -> None:
    assert files
    raw = b"".join(f.read_bytes() for f in files)
    for secret in ("Zqx-snapshot", "zqx-role-person", "zqx-history-sql", "zqx-history-param"):
        assert secret.encode() not in raw, secret


def test_no_file_of_the_snapshot_holds_a_private_value_even_one_made_private_later(ws: Store) -> None:
    item = swot.add_item(ws, EDITOR, _company_id(ws), quadrant="S", statement=MARKER + " public for now")
    box = sandbox_for(ws)
    box.update()
    assert MARKER.encode() in b"".join(f.read_bytes() for f in _files(box.folder)), "public: in the snapshot"
    swot.update_item(ws, EDITOR, item.id, item.version, private=True)
    _private_writes(ws)
    box.update()
    files = _files(box.folder)
    _assert_no_secret_in(files)
    # Column statistics keep string prefixes: none of a private text either, and SQL sees none.
    con = duckdb.connect(box.generation.catalog, read_only=True)
    try:
        stats = " ".join(str(r[0]) for r in con.execute(
            "SELECT stats FROM pragma_storage_info('swot_items') UNION ALL SELECT stats FROM pragma_storage_info('audit_log') "
            "UNION ALL SELECT stats FROM pragma_storage_info('companies')").fetchall())
    finally:
        con.close()
    assert "Zqx" not in stats
    found = run_sandboxed(
        ws, "SELECT stats(statement) AS s, (SELECT list(notes) FROM companies) AS n, "
            "(SELECT list(before::VARCHAR || after::VARCHAR) FROM audit_log) AS a FROM swot_items LIMIT 1", actor=ADMIN
    ).frame
    assert "Zqx" not in found.to_string() and MARKER not in str(found.values.tolist())


def test_the_folder_is_owner_only_and_every_file_0600(ws: Store) -> None:
    box = sandbox_for(ws)
    box.update()
    _add_company(ws, "Another")
    box.update()
    folder = Path(box.folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "tables").stat().st_mode) == 0o700
    files = _files(folder)
    assert any(f.parent.name == "tables" for f in files) and any(f.name.startswith("snapshot-") for f in files)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [(f, oct(f.stat().st_mode)) for f in files]
    # Only the files of the current generation remain.
    assert {str(f) for f in files} == box.generation.files()


def test_stale_folders_of_dead_processes_are_removed_when_the_sandbox_starts(
    demo_copy: Path, temp_root: Path
) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    stale = temp_root / f"vantage-query-{dead.stdout.strip()}-abc"
    (stale / "tables").mkdir(parents=True)
    (stale / "snapshot-3.duckdb").write_bytes(b"left behind")
    store = Store.open(str(demo_copy))
    try:
        box = Sandbox(store)
        try:
            assert not stale.exists()
            assert Path(box.folder).parent == temp_root
        finally:
            box.close()
        assert not Path(box.folder).exists()
    finally:
        store.close()


# ---- the Query page -----------------------------------------------------------------------------


def _app_sandbox(path: Path) -> Sandbox:
    found = [box for store, box in list(sandbox_module._registry.items()) if store.database == str(path)]
    assert found, "the app made a sandbox for its store"
    return found[0]


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_app_prepares_the_snapshot_at_start_and_the_page_says_how_old_it_is(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_PREPARE", "1")
    at = run_app(demo_copy, monkeypatch, lang=lang)
    box = _app_sandbox(demo_copy)
    _wait_for(lambda: box.generation is not None, "the snapshot prepared at start")  # no query was run
    at.switch_page("pages/query.py").run()
    assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert t("query.as_of", lang, time="")[:8] in captions
    age = t("query.snapshot_age", lang, age="")[:-1]
    assert age in captions, captions


def test_the_app_starts_the_snapshot_after_its_first_page_not_before(demo_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The copy would compete with the first page for the cores (at 5 M accounts: 0.9 s longer).
    import research.ui

    monkeypatch.setenv("VANTAGE_QUERY_PREPARE", "1")
    order: list[str] = []
    setup, start = research.ui.page_setup, Sandbox.start_background
    # Every page script imports page_setup from research.ui on each run and calls it first.
    monkeypatch.setattr(research.ui, "page_setup", lambda *a, **k: order.append("page") or setup(*a, **k))
    monkeypatch.setattr(Sandbox, "start_background", lambda self: order.append("snapshot") or start(self))
    at = run_app(demo_copy, monkeypatch)
    assert_clean(at)
    assert order[:2] == ["page", "snapshot"], order
    box = _app_sandbox(demo_copy)
    _wait_for(lambda: box.generation is not None, "the snapshot prepared after the first page")


def test_the_page_says_when_a_newer_snapshot_is_being_prepared(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_PREPARE", "0")
    at = run_app(demo_copy, monkeypatch, page="query")
    assert t("query.as_of_none") in " ".join(c.value for c in at.caption)
    at.text_area(key="query_sql").input("SELECT count(*) AS n FROM companies").run()
    at.button(key="query_run").click().run()
    assert_clean(at)
    box = _app_sandbox(demo_copy)
    store = next(s for s, b in sandbox_module._registry.items() if b is box)
    _add_company(store, "Page newcomer")
    writing, release = threading.Event(), threading.Event()

    def hold(key: tuple[str, str]) -> None:
        writing.set()
        release.wait(WAIT)

    box.copy_listeners.append(hold)
    refresh = threading.Thread(target=box.update)
    refresh.start()
    try:
        assert writing.wait(WAIT)
        at.run()
        captions = " ".join(c.value for c in at.caption)
        assert t("query.snapshot_preparing") in captions and t("query.snapshot_age", age="")[:-1] in captions
    finally:
        release.set()
        refresh.join(WAIT)
    at.run()
    assert t("query.snapshot_preparing") not in " ".join(c.value for c in at.caption)


# ---- the CLI's direct mode ----------------------------------------------------------------------


EARLY = (
    "import sys; from research import workers; started = workers.WorkerProcess.__init__\n"
    "def spy(self, *args, **kwargs):\n"
    "    print('loaded when the worker started:', sorted(m for m in ('duckdb', 'pyarrow', 'pandas') if m in sys.modules),"
    " file=sys.stderr)\n"
    "    started(self, *args, **kwargs)\n"
    "workers.WorkerProcess.__init__ = spy\n"
    "from research.cli import main; sys.exit(main(['query', 'SELECT 40 + 2 AS n', '--format', 'csv', '--db', sys.argv[1]]))"
)


def test_the_cli_starts_its_worker_before_it_loads_the_engine(demo_copy: Path, temp_root: Path) -> None:
    # The worker opens the workspace while the CLI loads DuckDB, pyarrow and pandas (2 cores: ~0.2 s a query).
    out = subprocess.run([sys.executable, "-c", EARLY, str(demo_copy)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp_root)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "loaded when the worker started: []" in out.stderr
    assert out.stdout.splitlines() == ["n", "42"]
    assert list(temp_root.iterdir()) == [], "the run left no folder behind"


def test_the_cli_reads_the_workspace_itself_without_a_copy(demo_copy: Path, temp_root: Path) -> None:
    out = cli("query", "SELECT database_name, path FROM duckdb_databases() WHERE path IS NOT NULL ORDER BY database_name",
              "--format", "json", "--db", str(demo_copy))
    assert out.returncode == 0, out.stderr
    attached = {row["database_name"]: row["path"] for row in json.loads(out.stdout)}
    workspace = [name for name, path in attached.items() if path == str(demo_copy)]
    assert len(workspace) == 1 and workspace[0].startswith("ws_"), attached  # the file itself, read-only
    assert not any(name.startswith("snap_") for name in attached), "no snapshot table files"
    assert list(temp_root.iterdir()) == [], "the run left no folder behind"
    # The data is the workspace's now: a write shows at once.
    store = Store.open(str(demo_copy))
    try:
        _add_company(store, "Direct newcomer")
    finally:
        store.close()
    counted = cli("query", "SELECT count(*) AS n FROM companies", "--format", "csv", "--db", str(demo_copy))
    assert counted.stdout.splitlines() == ["n", "9"]


def test_the_cli_copies_nothing_but_the_filtered_tables(demo_copy: Path, temp_root: Path) -> None:
    # Look into the folder while a statement runs: one small catalog, the workspace's tables as views.
    seen: dict[str, Any] = {}

    def look() -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and "files" not in seen:
            catalogs = list(temp_root.glob("vantage-query-*/catalog.duckdb"))
            if catalogs:
                time.sleep(0.5)  # let the worker finish writing it
                seen["files"] = _files(catalogs[0].parent)
                con = duckdb.connect(str(catalogs[0]), read_only=True)
                try:
                    seen["tables"] = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
                    seen["views"] = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
                finally:
                    con.close()
            time.sleep(0.02)

    watcher = threading.Thread(target=look)
    watcher.start()
    out = cli("query", "SELECT count(*) FROM range(1000000000000) a, range(1000000) b", "--timeout", "3", "--db", str(demo_copy))
    watcher.join(WAIT)
    assert out.returncode == 1 and "stopped after 3 s" in out.stderr
    assert [f.name for f in seen["files"]] == ["catalog.duckdb"]
    assert seen["tables"] == {"audit_log", "companies", "swot_items", "user_roles", "query_history"}
    assert {"accounts", "price_observations", "deals", "price_index"} <= seen["views"]
    assert list(temp_root.iterdir()) == []


def test_the_cli_direct_mode_keeps_private_rows_out(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        _private_writes(store)
    finally:
        store.close()
    out = cli(
        "query", "SELECT (SELECT list(statement) FROM swot_items) AS s, (SELECT list(notes) FROM companies) AS n, "
        "(SELECT list(before::VARCHAR || after::VARCHAR) FROM audit_log) AS a, (SELECT count(*) FROM user_roles) AS r, "
        "(SELECT count(*) FROM query_history) AS h, (SELECT stats(statement) FROM swot_items LIMIT 1) AS st",
        "--format", "json", "--db", str(demo_copy),
    )
    assert out.returncode == 0, out.stderr
    assert "Zqx" not in out.stdout and "zqx" not in out.stdout
    assert '"r": 0' in out.stdout and '"h": 0' in out.stdout


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("WITH gone AS (DELETE FROM companies RETURNING *) SELECT * FROM gone", "only reads data"),
        ("SELECT count(*) FROM read_blob('{db}')", "not allowed"),
        ("SELECT * FROM read_text('/etc/hostname')", "not allowed"),
        ("SELECT * FROM glob('/etc/*')", "not allowed"),
        ("COPY companies TO '/tmp/vantage-leak.csv'", "COPY"),
        ("ATTACH '{db}' AS again", "ATTACH"),
        ("SET enable_external_access = true", "SET/RESET"),
        ("DROP TABLE companies", "DROP"),
    ],
    ids=["disguised delete", "workspace bytes", "read_text", "glob", "copy", "attach", "set", "drop"],
)
def test_the_cli_direct_mode_still_refuses_writes_and_file_access(demo_copy: Path, temp_root: Path, sql: str, named: str) -> None:
    out = cli("query", sql.format(db=demo_copy), "--db", str(demo_copy))
    assert out.returncode == 1 and named in out.stderr, out.stderr
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM companies").fetchone()[0] == 8
        assert con.execute("SELECT status FROM query_history").fetchall() in ([("refused",)], [("failed",)])
    finally:
        con.close()
    assert not Path("/tmp/vantage-leak.csv").exists()
    assert list(temp_root.iterdir()) == []


def test_the_direct_worker_engine_is_hardened_without_the_parser(demo_copy: Path, tmp_path: Path) -> None:
    con = open_direct(str(demo_copy), str(tmp_path), "ws_test", [m.version for m in load_migrations()], "256MB", 1)
    try:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('enable_external_access', 'lock_configuration', 'autoload_known_extensions', "
            "'autoinstall_known_extensions', 'allow_community_extensions', 'access_mode')").fetchall())
        assert settings == {
            "enable_external_access": "false", "lock_configuration": "true", "autoload_known_extensions": "false",
            "autoinstall_known_extensions": "false", "allow_community_extensions": "false", "access_mode": "read_only",
        }
        for statement, error in [
            ("DELETE FROM companies", "read-only"),
            ("INSERT INTO ws_test.main.companies (name) VALUES ('x')", "read-only"),
            ("SET enable_external_access = true", "locked"),
            ("SET disabled_filesystems = ''", "locked"),
            (f"SELECT * FROM read_blob('{demo_copy}')", "disabled by configuration"),
            ("COPY companies TO '/tmp/vantage-leak.csv'", "disabled by configuration"),
            ("ATTACH '/tmp/vantage-other.duckdb' AS o", "disabled by configuration"),
            ("LOAD httpfs", "disabled"),
        ]:
            with pytest.raises(duckdb.Error, match=error):
                con.execute(statement)
        assert con.execute("SELECT count(*) FROM accounts").fetchone()[0] > 0
    finally:
        con.close()
    assert not Path("/tmp/vantage-leak.csv").exists() and not Path("/tmp/vantage-other.duckdb").exists()


HOLDER = (
    "import sys, time; from research.store import Store; s = Store.open(sys.argv[1]); "
    "print('held', flush=True); time.sleep(120)"
)


def test_a_held_workspace_falls_back_to_a_snapshot(demo_copy: Path, temp_root: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(demo_copy)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert run_direct(str(demo_copy), "SELECT 1") is None
        out = cli("query", "SELECT 1", "--db", str(demo_copy))  # the snapshot path says who holds it
        assert out.returncode == 1 and "in use by another Vantage process" in out.stderr
    finally:
        holder.kill()
        holder.wait(30)
        holder.stdout.close()
    assert list(temp_root.iterdir()) == []


def test_another_schema_falls_back_to_a_snapshot(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A workspace this Vantage would upgrade first: the file one migration behind the code.
    latest = max(m.version for m in load_migrations())
    con = duckdb.connect(str(demo_copy))
    held = con.execute("SELECT * FROM schema_version WHERE version = ?", [latest]).fetchall()
    con.execute("DELETE FROM schema_version WHERE version = ?", [latest])
    con.close()
    assert run_direct(str(demo_copy), "SELECT 1") is None
    con = duckdb.connect(str(demo_copy))
    con.executemany(f"INSERT INTO schema_version VALUES ({', '.join('?' * len(held[0]))})", held)
    con.close()
    assert run_direct(str(demo_copy), "SELECT 1 AS one").frame["one"][0] == 1


def test_a_statement_that_needs_to_spill_runs_on_a_snapshot(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MEMORY", "48MB")
    monkeypatch.setenv("VANTAGE_QUERY_THREADS", "1")
    sql = "SELECT count(DISTINCT s) AS n FROM (SELECT range::VARCHAR || repeat('x', 100) AS s FROM range(1500000))"
    assert run_direct(str(demo_copy), sql, timeout=120) is None  # no file system: it cannot spill
    out = cli("query", sql, "--timeout", "120", "--format", "csv", "--db", str(demo_copy))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["n", "1500000"]


def test_a_killed_cli_runs_folder_is_removed_by_the_next(demo_copy: Path, temp_root: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    stale = temp_root / f"vantage-query-{dead.stdout.strip()}-xyz"
    stale.mkdir()
    (stale / "catalog.duckdb").write_bytes(b"left behind")
    assert run_direct(str(demo_copy), "SELECT 1 AS one").frame["one"][0] == 1
    assert list(temp_root.iterdir()) == []

