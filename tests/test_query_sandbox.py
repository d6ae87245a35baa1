"""The query sandbox: only single reads run, the engine enforces it too, and nothing changes the workspace."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from research.query import sandbox as sandbox_module
from research.query import launch as launch_module
from research.query.sandbox import QueryError, QueryRefused, QueryTimeout, close_sandbox, run_sandboxed, sandbox_for
from research.query.worker import open_hardened, run_one
from research.store import Store, quote_ident


@pytest.fixture(scope="module")
def workspace(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """One demo workspace and its sandbox for the refusal tests (they must not change it)."""
    path = tmp_path_factory.mktemp("sandbox") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    yield store
    close_sandbox(store)
    store.close()


def checksum(store: Store) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every row of every table."""
    sums = {}
    for table in store.tables():
        row = store.query_rows(f"SELECT count(*) AS n, coalesce(sum(hash(t)), 0) AS h FROM {quote_ident(table)} t")[0]
        sums[table] = (int(row["n"]), int(row["h"]))
    return sums


REFUSED = [
    # reading server files through table functions (SELECTs the engine refuses)
    ("SELECT * FROM read_csv('/etc/passwd')", "not allowed in the query workbench"),
    ("SELECT * FROM read_text('/etc/hostname')", "not allowed in the query workbench"),
    ("SELECT * FROM read_blob('/etc/hostname')", "not allowed in the query workbench"),
    ("SELECT * FROM glob('/etc/*')", "not allowed in the query workbench"),
    ("SELECT * FROM read_parquet('/tmp/*.parquet')", "not allowed in the query workbench"),
    ("SELECT * FROM read_json_auto('/etc/passwd')", "not allowed in the query workbench"),
    ("SELECT * FROM sniff_csv('/etc/passwd')", "not allowed in the query workbench"),
    ("SELECT * FROM '/etc/passwd'", "/etc/passwd"),
    # writing files
    ("COPY companies TO '/tmp/vantage-leak.csv'", "COPY"),
    ("COPY (SELECT 1) TO '/tmp/vantage-leak.csv'", "COPY"),
    ("EXPORT DATABASE '/tmp/vantage-leak'", "EXPORT DATABASE"),
    # other databases, extensions, settings
    ("ATTACH '/tmp/vantage-other.duckdb' AS other", "ATTACH"),
    ("DETACH other", "DETACH"),
    ("INSTALL httpfs", "INSTALL/LOAD"),
    ("LOAD httpfs", "INSTALL/LOAD"),
    ("SET enable_external_access = true", "SET/RESET"),
    ("RESET lock_configuration", "SET/RESET"),
    ("SET threads = 1", "SET/RESET"),
    ("PRAGMA threads = 1", "SET/RESET"),  # DuckDB parses a PRAGMA assignment as SET
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("USE memory", "SET/RESET/USE"),
    ("CALL pragma_version()", "CALL"),
    ("CHECKPOINT", "CALL"),
    # writes and schema changes
    ("INSERT INTO companies (name) VALUES ('x')", "INSERT"),
    ("UPDATE companies SET name = 'x'", "UPDATE"),
    ("DELETE FROM companies", "DELETE"),
    ("CREATE TABLE x AS SELECT 1", "CREATE"),
    ("CREATE TEMP TABLE x AS SELECT 1", "CREATE"),
    ("CREATE MACRO leak() AS 1", "CREATE"),
    ("DROP TABLE companies", "DROP"),
    ("ALTER TABLE companies ADD COLUMN x INTEGER", "ALTER"),
    ("BEGIN TRANSACTION", "BEGIN/COMMIT"),
    ("VACUUM", "VACUUM"),
    ("EXPLAIN ANALYZE DELETE FROM companies", "DELETE"),
    # several statements, or one hidden after a comment
    ("SELECT 1; DROP TABLE companies", "Only one statement"),
    ("SELECT 1; -- harmless\nDELETE FROM companies", "Only one statement"),
    ("/* SELECT 1 */ DROP TABLE companies", "DROP"),
    ("-- SELECT 1\nDELETE FROM companies", "DELETE"),
    ("SELECT 1 /* ; */; UPDATE companies SET name = 'x'", "Only one statement"),
    ("", "no statement"),
    ("-- only a comment", "no statement"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED, ids=[s[:40] for s, _ in REFUSED])
def test_refused_statements_are_named_and_change_nothing(workspace: Store, sql: str, named: str) -> None:
    before = checksum(workspace)
    with pytest.raises(QueryError) as caught:
        run_sandboxed(workspace, sql)
    assert named in caught.value.message
    assert "Traceback" not in caught.value.message and "LINE 1" not in caught.value.message
    assert checksum(workspace) == before
    assert not Path("/tmp/vantage-leak.csv").exists() and not Path("/tmp/vantage-leak").exists()


def test_a_write_disguised_as_a_select_is_stopped_by_the_engine(workspace: Store) -> None:
    # The parser calls this a SELECT; the read-only snapshot refuses the DELETE inside.
    before = checksum(workspace)
    with pytest.raises(QueryError):
        run_sandboxed(workspace, "WITH gone AS (DELETE FROM companies RETURNING *) SELECT * FROM gone")
    assert checksum(workspace) == before
    assert run_sandboxed(workspace, "SELECT count(*) AS n FROM companies").frame["n"][0] == 8


def test_the_worker_engine_refuses_even_without_the_parser_check(workspace: Store, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.duckdb"
    with workspace.cursor() as cur:
        db = cur.execute("SELECT current_database()").fetchone()[0]
        cur.execute(f"ATTACH '{snapshot}' AS s (READ_WRITE)")
        cur.execute(f'COPY FROM DATABASE "{db}" TO s')
        cur.execute("DETACH s")
    (tmp_path / "tmp").mkdir()
    con = open_hardened(str(snapshot), str(tmp_path / "tmp"), "256MB", 1)
    try:
        import duckdb

        for statement, error in [
            ("DELETE FROM companies", "read-only"),
            ("COPY companies TO '/tmp/vantage-leak.csv'", "disabled by configuration"),
            ("SET enable_external_access = true", "locked"),
            ("SET lock_configuration = false", "locked"),
            ("ATTACH '/tmp/vantage-other.duckdb' AS o", "disabled by configuration|read-only"),
            ("LOAD httpfs", "disabled"),
        ]:
            with pytest.raises(duckdb.Error, match=error):
                con.execute(statement)
        header, _ = run_one(con, {"sql": "DROP TABLE companies", "max_rows": 10, "timeout": 5})
        assert header["kind"] == "refused" and "DROP" in header["message"]
    finally:
        con.close()
    assert not Path("/tmp/vantage-leak.csv").exists() and not Path("/tmp/vantage-other.duckdb").exists()


def test_the_sandbox_settings_are_hardened(workspace: Store) -> None:
    df = run_sandboxed(
        workspace,
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('enable_external_access', 'lock_configuration', 'autoload_known_extensions', "
        "'autoinstall_known_extensions', 'allow_community_extensions', 'access_mode')",
    ).frame
    settings = dict(zip(df["name"], df["value"]))
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
        "allow_community_extensions": "false",
        "access_mode": "read_only",
    }


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name FROM companies ORDER BY id",
        "WITH c AS (SELECT * FROM companies) SELECT count(*) FROM c",
        "VALUES (1, 'a'), (2, 'b')",
        "DESCRIBE companies",
        "SUMMARIZE products",
        "EXPLAIN SELECT * FROM companies",
        "EXPLAIN ANALYZE SELECT count(*) FROM price_observations",
        "FROM companies SELECT name",
        "SHOW TABLES",
        "SELECT * FROM price_index LIMIT 5",
        "SELECT * FROM latest_prices LIMIT 5",
        "SELECT * FROM accounts_by_segment LIMIT 5",
        "SELECT * FROM swot_staleness LIMIT 5",
    ],
)
def test_reads_run(workspace: Store, sql: str) -> None:
    result = run_sandboxed(workspace, sql)
    assert result.rows > 0 and not result.truncated
    assert result.snapshot_at is not None


def test_parameters_are_bound_never_spliced(workspace: Store) -> None:
    nasty = "x'; DROP TABLE companies; --"
    result = run_sandboxed(workspace, "SELECT $value AS v", {"value": nasty})
    assert result.frame["v"][0] == nasty
    found = run_sandboxed(workspace, "SELECT count(*) AS n FROM companies WHERE name = $name", {"name": "' OR '1'='1"})
    assert found.frame["n"][0] == 0
    import datetime as dt

    since = run_sandboxed(
        workspace, "SELECT count(*) AS n FROM price_index WHERE month >= $since", {"since": dt.date(2026, 8, 1)}
    )
    assert since.frame["n"][0] > 0
    assert checksum(workspace)["companies"][0] == 8


def test_syntax_errors_give_the_parsers_message(workspace: Store) -> None:
    with pytest.raises(QueryError) as caught:
        run_sandboxed(workspace, "SELEC name FROM companies")
    assert caught.value.message.startswith("Parser Error: syntax error")
    with pytest.raises(QueryError, match="Table with name nowhere does not exist"):
        run_sandboxed(workspace, "SELECT * FROM nowhere")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM range(1000000000000) a, range(1000000) b",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    ],
    ids=["range cross join", "recursive CTE"],
)
def test_endless_queries_stop_at_the_time_limit(workspace: Store, sql: str) -> None:
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
        run_sandboxed(workspace, sql, timeout=0.5)
    assert time.perf_counter() - started < 3
    assert run_sandboxed(workspace, "SELECT 42 AS answer").frame["answer"][0] == 42


def test_a_worker_that_misses_its_deadline_is_killed(workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The parent's hard deadline comes before the worker's own interrupt: it must kill the worker.
    monkeypatch.setattr(launch_module, "GRACE_SECONDS", -1.7)
    box = sandbox_for(workspace)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        box.run("SELECT count(*) FROM range(1000000000000) a, range(1000000) b", timeout=2.0)
    assert time.perf_counter() - started < 2.0
    monkeypatch.setattr(launch_module, "GRACE_SECONDS", 5.0)
    assert box.run("SELECT 1 AS one").frame["one"][0] == 1


def test_a_huge_result_is_capped_with_a_flag(workspace: Store) -> None:
    started = time.perf_counter()
    result = run_sandboxed(workspace, "SELECT range AS n FROM range(5000000)")
    assert result.rows == 10_000 and len(result.frame) == 10_000 and result.truncated
    assert time.perf_counter() - started < 3
    small = run_sandboxed(workspace, "SELECT range AS n FROM range(5000000)", max_rows=10)
    assert small.rows == 10 and small.truncated


def test_a_memory_bomb_is_contained(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MEMORY", "64MB")
    monkeypatch.setenv("VANTAGE_QUERY_THREADS", "1")
    store = Store.open(str(demo_copy))
    try:
        with pytest.raises(QueryError):
            run_sandboxed(store, "SELECT list(range) FROM range(200000000)", timeout=20)
        assert run_sandboxed(store, "SELECT 1 AS alive").frame["alive"][0] == 1
    finally:
        close_sandbox(store)
        store.close()


def test_concurrent_queries_are_capped(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_CONCURRENCY", "1")
    monkeypatch.setattr(sandbox_module, "QUEUE_SECONDS", 0.2)
    store = Store.open(str(demo_copy))
    try:
        box = sandbox_for(store)
        box.warm()
        slow = threading.Thread(
            target=lambda: pytest.raises(QueryTimeout, box.run, "SELECT count(*) FROM range(1000000000000) a, range(100) b", timeout=1.5)
        )
        slow.start()
        time.sleep(0.3)
        with pytest.raises(QueryRefused, match="Too many queries"):
            box.run("SELECT 1")
        slow.join()
        assert box.run("SELECT 1 AS ok").frame["ok"][0] == 1
    finally:
        close_sandbox(store)
        store.close()


def test_snapshot_shows_data_as_of_its_time_until_refreshed(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        first = run_sandboxed(store, "SELECT count(*) AS n FROM companies")
        assert first.frame["n"][0] == 8
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Newcomer"})
        assert run_sandboxed(store, "SELECT count(*) AS n FROM companies").frame["n"][0] == 8
        sandbox_for(store).refresh()
        again = run_sandboxed(store, "SELECT count(*) AS n FROM companies")
        assert again.frame["n"][0] == 9
        assert again.snapshot_at >= first.snapshot_at
    finally:
        close_sandbox(store)
        store.close()


def test_a_stale_snapshot_is_retaken(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_SNAPSHOT_AGE", "0.5")
    store = Store.open(str(demo_copy))
    try:
        run_sandboxed(store, "SELECT 1")
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Newcomer"})
        time.sleep(1.1)
        assert run_sandboxed(store, "SELECT count(*) AS n FROM companies").frame["n"][0] == 9
    finally:
        close_sandbox(store)
        store.close()


def test_a_read_only_workspace_can_be_queried(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy), read_only=True)
    try:
        assert run_sandboxed(store, "SELECT count(*) AS n FROM companies").frame["n"][0] == 8
    finally:
        close_sandbox(store)
        store.close()
