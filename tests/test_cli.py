"""The command line: help, demo, info, and one-line errors with non-zero exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from research.store import LATEST_SCHEMA

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "research", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and text in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_help_lists_every_command_with_one_line_help() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "build the deterministic demo market" in result.stdout
    assert "info" in result.stdout and "row counts" in result.stdout


def test_demo_then_info(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    built = cli("demo", "--db", str(db), "--seed", "7")
    assert built.returncode == 0, built.stderr
    assert "seed 7" in built.stdout and "5,000 accounts" in built.stdout
    info = cli("info", "--db", str(db), "--json")
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["rows"]["accounts"] == 5000
    assert data["rows"]["companies"] == 8
    assert data["our_company"] == "Danubia Packaging"
    assert data["schema_version"] == data["code_schema_version"]
    text = cli("info", "--db", str(db))
    assert f"Schema       v{LATEST_SCHEMA} (this Vantage: v{LATEST_SCHEMA})" in text.stdout
    assert "accounts" in text.stdout and "5,000" in text.stdout


def test_demo_refuses_to_overwrite_and_replace_rebuilds(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    assert cli("demo", "--db", str(db), "--seed", "7").returncode == 0
    assert_one_line_error(cli("demo", "--db", str(db), "--seed", "8"), 1, "already holds a workspace")
    again = cli("demo", "--db", str(db), "--seed", "8", "--replace")
    assert again.returncode == 0, again.stderr


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
    assert cli("demo", "--db", str(db)).returncode == 0
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version (version, name) VALUES (99, 'future')")
    con.close()
    assert_one_line_error(cli("info", "--db", str(db)), 1, "upgrade Vantage")


def test_locked_workspace(tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    holder = duckdb.connect(str(db))  # this test process holds the write lock
    try:
        assert_one_line_error(cli("info", "--db", str(db)), 1, "in use by another Vantage process")
    finally:
        holder.close()


def test_bad_arguments_exit_2() -> None:
    result = cli("demo", "--seed", "minus")
    assert result.returncode == 2
    assert "not a whole number" in result.stderr
    assert cli("no-such-command").returncode == 2
