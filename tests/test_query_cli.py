"""`python -m research query`: the same sandbox from the command line, one-line errors, non-zero exits."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
from cli_helpers import CliResult, cli


def one_line_error(result: CliResult, text: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr
    assert result.stdout == ""


def test_query_prints_a_table_with_bound_parameters(demo_copy: Path) -> None:
    result = cli("query", "SELECT name, $tag AS tag FROM companies WHERE is_us = $us", "--param", "us=true",
                 "--param", "tag=x'; DROP TABLE companies; --", "--db", str(demo_copy), "--actor", "ana")
    assert result.returncode == 0, result.stderr
    assert "Danubia Packaging" in result.stdout and "DROP TABLE companies; --" in result.stdout
    assert "1 rows in" in result.stderr and "data as of" in result.stderr
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM companies").fetchone()[0] == 8
        assert con.execute("SELECT actor, status FROM query_history").fetchall() == [("ana", "ok")]
    finally:
        con.close()


def test_query_csv_is_neutralised_and_json_parses(demo_copy: Path) -> None:
    out = cli("query", "SELECT '=1+1' AS a, 2 AS b", "--format", "csv", "--db", str(demo_copy))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout, newline="")))
    assert rows == [["a", "b"], ["'=1+1", "2"]]
    js = cli("query", "SELECT name FROM companies ORDER BY id", "--format", "json", "--db", str(demo_copy))
    assert json.loads(js.stdout)[0] == {"name": "Danubia Packaging"}


def test_query_caps_rows_with_a_banner(demo_copy: Path) -> None:
    out = cli("query", "SELECT * FROM range(1000000)", "--max-rows", "5", "--format", "csv", "--db", str(demo_copy))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == 6
    assert "capped at 5 rows" in out.stderr


def test_refused_failed_and_endless_statements_exit_non_zero(demo_copy: Path) -> None:
    one_line_error(cli("query", "DROP TABLE companies", "--db", str(demo_copy)), "DROP")
    one_line_error(cli("query", "SELECT 1; DELETE FROM companies", "--db", str(demo_copy)), "Only one statement")
    one_line_error(cli("query", "SELECT * FROM read_csv('/etc/passwd')", "--db", str(demo_copy)), "not allowed")
    one_line_error(cli("query", "SELEC 1", "--db", str(demo_copy)), "syntax error")
    one_line_error(
        cli("query", "SELECT count(*) FROM range(1000000000000) a, range(100000) b", "--timeout", "0.5", "--db", str(demo_copy)),
        "stopped after 0.5 s",
    )
    one_line_error(cli("query", "SELECT $x", "--param", "nope", "--db", str(demo_copy)), "name=value")
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM companies").fetchone()[0] == 8
        statuses = [r[0] for r in con.execute("SELECT status FROM query_history ORDER BY id").fetchall()]
        assert statuses == ["refused", "refused", "failed", "failed", "timeout"]
    finally:
        con.close()


def test_bad_usage_exits_2(demo_copy: Path) -> None:
    zero = cli("query", "SELECT 1", "--timeout", "0", "--db", str(demo_copy))
    assert zero.returncode == 2 and "argument --timeout: The time limit must be more than 0" in zero.stderr
    xml = cli("query", "SELECT 1", "--format", "xml", "--db", str(demo_copy))
    assert xml.returncode == 2 and "argument --format: invalid choice: 'xml'" in xml.stderr
