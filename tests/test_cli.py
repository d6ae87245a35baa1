"""The command line: help, demo, info, and one-line errors with non-zero exit codes.

Commands run in this process through `research.cli.main` (tests/cli_helpers.py); the tests
at the end start `python -m research` as a real process on purpose.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
from cli_helpers import assert_one_line_error, cli

from research.store import LATEST_SCHEMA, Store

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_every_command_with_one_line_help() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "build the deterministic demo market" in result.stdout
    assert "info" in result.stdout and "row counts" in result.stdout


def test_demo_refuses_a_workspace_with_data_then_replace_rebuilds_it_and_info_shows_it(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    store = Store.open(str(db))
    try:
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Leftover Ltd"})
    finally:
        store.close()
    assert_one_line_error(cli("demo", "--db", str(db), "--seed", "7"), 1, "already holds a workspace (1 companies")
    kept = duckdb.connect(str(db), read_only=True)
    try:
        assert kept.execute("SELECT name FROM companies").fetchall() == [("Leftover Ltd",)]  # the refusal wrote nothing
    finally:
        kept.close()
    built = cli("demo", "--db", str(db), "--seed", "7", "--replace")
    assert built.returncode == 0, built.stderr
    assert "seed 7" in built.stdout and "5,000 accounts" in built.stdout
    info = cli("info", "--db", str(db), "--json")
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["rows"]["accounts"] == 5000
    assert data["rows"]["companies"] == 8  # the demo's eight; Leftover Ltd was replaced
    assert data["our_company"] == "Danubia Packaging"
    assert data["schema_version"] == data["code_schema_version"]
    text = cli("info", "--db", str(db))
    assert f"Schema       v{LATEST_SCHEMA} (this Vantage: v{LATEST_SCHEMA})" in text.stdout
    assert "accounts" in text.stdout and "5,000" in text.stdout


def test_demo_refuses_to_overwrite_the_demo(demo_copy: Path) -> None:
    assert_one_line_error(cli("demo", "--db", str(demo_copy), "--seed", "8"), 1, "already holds a workspace (8 companies")


def test_info_on_missing_workspace_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "nothing.duckdb"
    assert_one_line_error(cli("info", "--db", str(db)), 1, "There is no workspace at nothing.duckdb")
    assert not db.exists()


def test_corrupt_workspace(tmp_path: Path) -> None:
    db = tmp_path / "corrupt.duckdb"
    db.write_bytes(b"\x00garbage" * 4096)
    assert_one_line_error(cli("info", "--db", str(db)), 1, "not a readable DuckDB database")


def test_newer_workspace(tmp_path: Path) -> None:
    db = tmp_path / "future.duckdb"
    Store.open(str(db)).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version (version, name) VALUES (99, 'future')")
    con.close()
    assert_one_line_error(cli("info", "--db", str(db)), 1, "upgrade Vantage")


def test_bad_arguments_exit_2() -> None:
    result = cli("demo", "--seed", "minus")
    assert result.returncode == 2
    assert "not a whole number" in result.stderr
    missing = cli("no-such-command")
    assert missing.returncode == 2 and "invalid choice: 'no-such-command'" in missing.stderr


# ---- a real `python -m research` process ----------------------------------------------------------


def python_m_research(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "research", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_python_m_research_starts_and_exits_with_main_s_code(tmp_path: Path) -> None:
    """The entry point itself: `--help` exits 0; a refusal is one line on stderr and exit code 1."""
    helped = python_m_research("--help")
    assert helped.returncode == 0, helped.stderr
    assert "build the deterministic demo market" in helped.stdout
    db = tmp_path / "nothing.duckdb"
    assert_one_line_error(python_m_research("info", "--db", str(db)), 1, "There is no workspace at nothing.duckdb")
    assert not db.exists()


def test_locked_workspace(tmp_path: Path) -> None:
    """DuckDB's lock is between processes, so the command runs as one (in this process it would share the lock)."""
    db = tmp_path / "locked.duckdb"
    holder = duckdb.connect(str(db))  # this test process holds the write lock
    try:
        assert_one_line_error(python_m_research("info", "--db", str(db)), 1, "in use by another Vantage process")
    finally:
        holder.close()
