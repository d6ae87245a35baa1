"""Datasets that read back exactly (issue 15, item 3): real-export CSV shapes through the CLI.

Pins three bugs: quoted fields spanning lines were refused ("CSV Error on Line: 3", DuckDB's
parallel reader with null_padding); `query --format json` printed `NaN` and `3.0`; a column of
numbers or dates whose missing values are written `-`, `—`, `n/a` or a blank of spaces was
imported as text (or refused, when the first `-` came after DuckDB's 20,480-row sample), while a
text column must keep such cells as written. Fixtures are in tests/fixtures/real_exports/a_*.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
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


def _import(db: Path, name: str, fixture: str | Path, capsys: pytest.CaptureFixture[str], *options: str) -> None:
    """Import a fixture (a name in FIXTURES) or any file (a Path) as dataset `name` through the CLI."""
    path = fixture if isinstance(fixture, Path) else FIXTURES / fixture
    code = cli.main(["import", "dataset", name, str(path), "--db", str(db), *options])
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


# Missing values as exports write them (issue 15 item 3).

def test_missing_markers_are_null_where_the_other_cells_are_numbers_or_dates(markers_db: Path) -> None:
    assert _types(markers_db, "ds_markers") == {
        "id": "BIGINT", "company": "VARCHAR", "employees": "BIGINT", "revenue": "DOUBLE", "profit": "DOUBLE",
        "rating": "BIGINT", "founded": "DATE", "ticker": "VARCHAR", "postcode": "VARCHAR"}
    rows = {r[0]: r[1:] for r in _rows(markers_db, "SELECT id, employees, revenue, profit, rating, founded, ticker, "
                                                   "postcode FROM ds_markers")}
    # Blank, "-", "—", "n/a", "N/A" and cells of spaces are NULL in the typed columns.
    assert rows[1] == (120, 1523.5, None, 4, date(2019, 3, 1), "ACM", "01067")
    assert rows[2] == (None, None, 12.25, None, None, "-", "10115")
    assert rows[4] == (None, None, -3.5, 5, None, "NA", "01099")
    assert rows[9] == (None, None, None, None, None, "IOT", "04109")
    assert rows[11][:2] == (None, None)  # employees "  "
    assert rows[6][5] is None  # an empty ticker is NULL, not ''
    assert [rows[i][1] for i in (12, 13, 14)] == [77.0, 1002.25, -40.0]
    assert _rows(markers_db, "SELECT sum(employees), count(rating), count(founded) FROM ds_markers") == [(4134, 7, 10)]


def _write(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_text_columns_keep_dashes_and_spaces_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "-" and "n/a" are answers in a text column; only a truly empty cell is NULL there.
    path = _write(tmp_path / "survey.csv", "respondent,answer,score,comment", [
        "1,red,4,-", "2,-,-,fine", "3,n/a,n/a,—", "4,blue, , ", "5,,5,", "6,—,3,n/a"])
    db = tmp_path / "ws.duckdb"
    _import(db, "survey", path, capsys)
    assert _types(db, "ds_survey") == {"respondent": "BIGINT", "answer": "VARCHAR", "score": "BIGINT",
                                       "comment": "VARCHAR"}
    assert _rows(db, "SELECT answer, score, comment FROM ds_survey ORDER BY respondent") == [
        ("red", 4, "-"), ("-", None, "fine"), ("n/a", None, "—"), ("blue", None, " "), (None, 5, None),
        ("—", 3, "n/a")]


SAMPLE = 20_480  # rows DuckDB's sniffer reads (sample_size in research.data.datasets)


def test_markers_past_the_sniffers_sample_are_null_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A sorted export puts its unknown revenues last: the sniffer saw only numbers, and the
    # first "-" used to refuse the whole file (Conversion Error). A text column's "-" there stays.
    lines = [f"{i},Company {i},{1000 - i % 1000},C{i}" for i in range(SAMPLE + 5000)]
    lines += [f"{SAMPLE + 5000},Late,-,-", f"{SAMPLE + 5001},Later,n/a,", f"{SAMPLE + 5002},Last, ,X"]
    path = _write(tmp_path / "sorted.csv", "id,company,revenue,code", lines)
    db = tmp_path / "ws.duckdb"
    _import(db, "sorted", path, capsys)
    assert _types(db, "ds_sorted") == {"id": "BIGINT", "company": "VARCHAR", "revenue": "BIGINT", "code": "VARCHAR"}
    assert _rows(db, f"SELECT revenue, code FROM ds_sorted WHERE id >= {SAMPLE + 4999} ORDER BY id") == [
        (1000 - (SAMPLE + 4999) % 1000, f"C{SAMPLE + 4999}"), (None, "-"), (None, None), (None, "X")]
    assert _rows(db, "SELECT count(*), count(revenue) FROM ds_sorted") == [(SAMPLE + 5003, SAMPLE + 5000)]


def test_a_column_blank_for_its_first_rows_is_typed_by_the_rest(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # Cells of one space for 1,500 rows (the first rows checked say nothing), then numbers.
    lines = [f"{i}, " for i in range(1500)] + [f"{i},{i % 50}" for i in range(1500, 3000)]
    path = _write(tmp_path / "late_numbers.csv", "id,employees", lines)
    db = tmp_path / "ws.duckdb"
    _import(db, "late_numbers", path, capsys)
    assert _types(db, "ds_late_numbers") == {"id": "BIGINT", "employees": "BIGINT"}
    assert _rows(db, "SELECT count(employees), sum(employees) FROM ds_late_numbers") == [(1500, 36750)]


def test_a_word_past_the_sample_makes_the_column_text_exactly(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # Numbers for 25,000 rows, then a word: the column is text, every cell as written, not a refusal.
    lines = [f"{i},{i * 3}" for i in range(SAMPLE + 5000)] + [f"{SAMPLE + 5000},unknown", f"{SAMPLE + 5001},-"]
    path = _write(tmp_path / "late_word.csv", "id,amount", lines)
    db = tmp_path / "ws.duckdb"
    _import(db, "late_word", path, capsys)
    assert _types(db, "ds_late_word") == {"id": "BIGINT", "amount": "VARCHAR"}
    assert _rows(db, f"SELECT amount FROM ds_late_word WHERE id >= {SAMPLE + 4999} ORDER BY id") == [
        (str((SAMPLE + 4999) * 3),), ("unknown",), ("-",)]


def test_a_number_past_the_sample_is_not_rounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The sniffer reads "-" and whole numbers as BIGINT; a later 1.5 must make the column DOUBLE,
    # not the 2 that CAST('1.5' AS BIGINT) gives.
    lines = ["0,-"] + [f"{i},{i}" for i in range(1, SAMPLE + 5000)] + [f"{SAMPLE + 5000},1.5"]
    path = _write(tmp_path / "late_decimal.csv", "id,amount", lines)
    db = tmp_path / "ws.duckdb"
    _import(db, "late_decimal", path, capsys)
    assert _types(db, "ds_late_decimal") == {"id": "BIGINT", "amount": "DOUBLE"}
    assert _rows(db, f"SELECT amount FROM ds_late_decimal WHERE id IN (0, 1, {SAMPLE + 5000}) ORDER BY id") == [
        (None,), (1.0,), (1.5,)]


def test_decimal_comma_dates_and_integers_with_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sajam.csv"
    path.write_bytes("Firma;Prihod €;Broj zaposlenih;Posećeno;Aktivan\n"
                     "Alfa;1.234,50;12;28.11.2026;true\n"
                     "Beta;-;;01.12.2026;-\n"
                     "Gama;10,00;n/a;—;false\n"
                     "Delta; ;1.200; ;\n"
                     "Epsilon;-7,25;  ;-;true\n".encode("cp1250"))
    db = tmp_path / "ws.duckdb"
    _import(db, "sajam", path, capsys)
    assert _types(db, "ds_sajam") == {"firma": "VARCHAR", "prihod": "DOUBLE", "broj_zaposlenih": "BIGINT",
                                      "poseceno": "DATE", "aktivan": "BOOLEAN"}
    assert _rows(db, "SELECT * FROM ds_sajam ORDER BY firma") == [
        ("Alfa", 1234.5, 12, date(2026, 11, 28), True), ("Beta", None, None, date(2026, 12, 1), None),
        ("Delta", None, 1200, None, None), ("Epsilon", -7.25, None, None, True), ("Gama", 10.0, None, None, False)]


def test_appending_a_file_with_markers_keeps_the_datasets_types(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ws.duckdb"
    _import(db, "visits", _write(tmp_path / "first.csv", "account,visits,last_visit", [
        "Acme,3,2026-01-05", "Beta,7,2026-02-01"]), capsys)
    _import(db, "visits", _write(tmp_path / "more.csv", "account,visits,last_visit", [
        "Gamma, ,-", "Delta,-,2026-03-03", "Eps,12, "]), capsys, "--append")
    assert _types(db, "ds_visits") == {"account": "VARCHAR", "visits": "BIGINT", "last_visit": "DATE"}
    assert _rows(db, "SELECT account, visits, last_visit FROM ds_visits ORDER BY rowid") == [
        ("Acme", 3, date(2026, 1, 5)), ("Beta", 7, date(2026, 2, 1)), ("Gamma", None, None),
        ("Delta", None, date(2026, 3, 3)), ("Eps", 12, None)]
    assert _rows(db, "SELECT count(*) FROM duckdb_tables() WHERE temporary") == [(0,)]


def test_a_quoted_line_break_past_the_first_megabyte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The first megabyte has no line break in a cell, so the file is read in parallel, which
    # DuckDB refuses at the late one (null_padding); the import reads it again serially.
    lines = [f"{i},plain note {'x' * 200},{i % 7}" for i in range(6000)]
    lines += ['6000,"Address:\nHauptplatz 1",-', "6001,short"]
    path = _write(tmp_path / "late_note.csv", "id,note,visits", lines)
    assert path.stat().st_size > 1 << 20
    db = tmp_path / "ws.duckdb"
    _import(db, "late_note", path, capsys)
    assert _types(db, "ds_late_note") == {"id": "BIGINT", "note": "VARCHAR", "visits": "BIGINT"}
    assert _rows(db, "SELECT count(*) FROM ds_late_note") == [(6002,)]
    assert _rows(db, "SELECT note, visits FROM ds_late_note WHERE id >= 6000 ORDER BY id") == [
        ("Address:\nHauptplatz 1", None), ("short", None)]


def test_a_workbook_with_markers_types_its_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = openpyxl.Workbook()
    for row in (["Name", "Employees", "Revenue", "Ticker"], ["Acme", 120, 1523.5, "ACM"], ["Beta", "-", "n/a", "-"],
                ["Gamma", None, "—", None], ["Delta", 45, " ", "DEL"]):
        book.active.append(row)
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    db = tmp_path / "ws.duckdb"
    _import(db, "book", path, capsys)
    assert _types(db, "ds_book") == {"name": "VARCHAR", "employees": "BIGINT", "revenue": "DOUBLE",
                                     "ticker": "VARCHAR"}
    assert _rows(db, "SELECT employees, revenue, ticker FROM ds_book ORDER BY rowid") == [
        (120, 1523.5, "ACM"), (None, None, "-"), (None, None, None), (45, None, "DEL")]
