"""Datasets that read back exactly (issue 15, item 3): real-export CSV shapes through the CLI.

Pins two bugs: quoted fields spanning lines were refused ("CSV Error on Line: 3", DuckDB's
parallel reader with null_padding); `query --format json` printed `NaN` and `3.0`. (Typing
columns whose missing values are written `-` or a blank is still to come.) Fixtures are in tests/fixtures/real_exports/a_*.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from research import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_exports"
NOTES = {
    "a_multiline_lf.csv": ["Met at the fair.\nWants a quote by May.", "plain note", "Address:\nHauptplatz 1\n8010 Graz",
                           'He said "call back"\nnext week'],
    # Excel's shape: CRLF row ends, Alt+Enter as a bare LF inside the cell; one cell keeps its own CRLFs.
    "a_multiline_crlf.csv": ["Met at the fair.\nWants a quote by May.", "plain note",
                             "Address:\r\nHauptplatz 1\r\n8010 Graz", 'He said "call back"\nnext week'],
}


def _import(db: Path, name: str, fixture: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["import", "dataset", name, str(FIXTURES / fixture), "--db", str(db)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Dataset ds_" in captured.out


def _types(db: Path, table: str) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall())
    finally:
        con.close()


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fixture", sorted(NOTES))
def test_quoted_line_breaks_import_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture: str) -> None:
    db = tmp_path / "ws.duckdb"
    _import(db, "notes", fixture, capsys)
    assert _types(db, "ds_notes") == {"account": "VARCHAR", "city": "VARCHAR", "note": "VARCHAR", "visits": "BIGINT"}
    assert _rows(db, "SELECT account, city, note, visits FROM ds_notes ORDER BY rowid") == [
        ("Acme d.o.o.", "Novi Sad", NOTES[fixture][0], 3),
        ("Beta AG", "Wien", NOTES[fixture][1], None),
        ("Gamma, Inc.", "Graz", NOTES[fixture][2], 12),
        ("Delta", "Beograd", NOTES[fixture][3], 7),
    ]


@pytest.fixture
def markers_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "ws.duckdb"
    _import(db, "markers", "a_missing_markers.csv", capsys)
    return db


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"not strict JSON: {name}")


def _query(db: Path, sql: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = cli.main(["query", sql, "--format", fmt, "--db", str(db)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_json_is_strict_and_keeps_integers(markers_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An integer column with NULLs reaches pandas as float64; the JSON must still say 10, not 10.0.
    text = _query(markers_db, "SELECT id, CASE WHEN id % 2 = 0 THEN NULL ELSE id * 10 END AS employees, "
                              "CASE WHEN id = 2 THEN NULL ELSE 1523.5 END AS revenue, "
                              "CASE WHEN id = 2 THEN NULL ELSE DATE '2019-03-01' END AS founded, "
                              "CAST(CASE WHEN id = 2 THEN NULL ELSE 1523.5 END AS DECIMAL(10, 2)) AS dec, "
                              "TIMESTAMP '2024-05-06 07:08:09' AS at FROM ds_markers ORDER BY id", "json", capsys)
    rows = json.loads(text, parse_constant=_refuse_constant)
    assert [r["employees"] for r in rows] == [None if i % 2 == 0 else i * 10 for i in range(1, 15)]
    assert all(type(r["id"]) is int for r in rows)
    assert all(r["employees"] is None or type(r["employees"]) is int for r in rows)
    assert rows[0] == {"id": 1, "employees": 10, "revenue": 1523.5, "founded": "2019-03-01", "dec": 1523.5,
                       "at": "2024-05-06T07:08:09"}
    assert rows[1]["revenue"] is None and rows[1]["dec"] is None and rows[1]["founded"] is None


@pytest.mark.parametrize("sql", [
    "SELECT 'nan'::DOUBLE AS x, 1 AS n",
    "SELECT 'inf'::DOUBLE AS x, 1 AS n",
    "SELECT '-inf'::DOUBLE AS x, 1 AS n",
    "SELECT NULL::DOUBLE AS x, 1 AS n",
])
def test_json_never_writes_nan_or_infinity(markers_db: Path, capsys: pytest.CaptureFixture[str], sql: str) -> None:
    assert json.loads(_query(markers_db, sql, "json", capsys), parse_constant=_refuse_constant) == [{"x": None, "n": 1}]


AGREE_SQL = "SELECT id, company, employees, revenue, profit, rating, founded, ticker FROM ds_markers ORDER BY id"


def test_csv_json_and_table_agree_cell_for_cell(markers_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(_query(markers_db, AGREE_SQL, "json", capsys), parse_constant=_refuse_constant)
    header, *csv_rows = list(csv.reader(io.StringIO(_query(markers_db, AGREE_SQL, "csv", capsys), newline="")))
    table = _query(markers_db, AGREE_SQL, "table", capsys).rstrip("\n").split("\n")
    assert header == list(records[0])
    # The JSON values written as text: what csv holds and the table shows (NULL: an empty cell).
    expected = [["" if v is None else str(v) for v in r.values()] for r in records]
    # csv_text prefixes formula-looking text with ' (CWE-1236); "-" is such a text.
    assert [[c.removeprefix("'") for c in row] for row in csv_rows] == expected
    assert "NaN" not in "\n".join(table) and "None" not in "\n".join(table) and "<NA>" not in "\n".join(table)
    assert len(table) == len(expected) + 1
    for line, cells in zip(table[1:], expected):
        assert re.fullmatch(r"\s*" + r"\s*".join(re.escape(c) for c in cells) + r"\s*", line), (line, cells)
    assert "3000" in table[7] and "3000.0" not in table[7]
