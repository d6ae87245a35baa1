"""Reading uploaded files: encodings, delimiters, decimal commas, dates, ragged rows, spreadsheets, refusals."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from research.data import entities, mapping
from research.data.reading import ImportRefused, list_sheets, read_upload

CYRILLIC_CSV = "Назив;Држава;Град;Делатност;Статус;Приход;Први контакт\nМлекара Шабац;RS;Шабац;Food & beverage;купац;1.234,56;28.11.2025\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CYRILLIC_CSV.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CYRILLIC_CSV.encode("utf-8"), "utf-8-sig"),
        (CYRILLIC_CSV.encode("cp1251"), "windows-1251"),
        (CYRILLIC_CSV.encode("utf-16"), "utf-16"),
    ],
)
def test_cyrillic_files_decode_in_every_common_encoding(data: bytes, encoding: str) -> None:
    raw = read_upload(data, "accounts.csv")
    assert raw.encoding == encoding
    assert raw.columns[0] == "Назив"  # no BOM glued to the first header
    assert raw.frame.iloc[0, 0] == "Млекара Шабац"
    assert (raw.delimiter, raw.decimal, raw.date_format) == (";", ",", "%d.%m.%Y")


def test_windows_1250_latin_names_decode() -> None:
    raw = read_upload("Naziv,Grad\nKartonaža Čačak,Niš\n".encode("cp1250"), "a.csv")
    assert raw.encoding == "windows-1250"
    assert raw.frame.iloc[0].tolist() == ["Kartonaža Čačak", "Niš"]


def test_quoted_fields_keep_delimiters_quotes_and_newlines() -> None:
    data = b'name,description\n"Acme, Inc.","He said ""hi""\nand left"\nB,plain\n'
    raw = read_upload(data, "q.csv")
    assert raw.frame["name"].tolist() == ["Acme, Inc.", "B"]
    assert raw.frame["description"].iloc[0] == 'He said "hi"\nand left'
    assert raw.row_numbers == [2, 4]  # the quoted newline moves the next row to line 4


def test_ragged_rows_are_padded_or_listed() -> None:
    raw = read_upload(b"a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n", "r.csv")
    assert raw.frame.iloc[0].tolist() == ["1", "2", None]
    assert [(p.row, p.column) for p in raw.problems] == [(3, "(row)")]
    assert "4 cells but the header has 3 columns" in raw.problems[0].reason


def test_blank_and_repeated_headers_are_named() -> None:
    raw = read_upload(b"name,,name\nA,x,B\n", "h.csv")
    assert raw.columns == ["name", "column_2", "name_2"]
    assert len(raw.notes) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"name,country\n", "header but no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not a text table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
        (b"PK\x03\x04garbage", "damaged or unsupported archive"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        read_upload(data, "bad.csv")


def test_a_file_over_the_upload_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DATA_MAX_UPLOAD_MB", "1")
    with pytest.raises(ImportRefused, match="over the import limit of 1 MB"):
        read_upload(b"name\n" + b"x\n" * 600_000, "big.csv")


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_workbook_with_several_sheets_asks_which_one() -> None:
    data = _workbook({"Accounts": [["name", "employees"], ["Acme", 12]], "Notes": [["note"], ["x"]]})
    assert list_sheets(data, "w.xlsx") == ["Accounts", "Notes"]
    with pytest.raises(ImportRefused, match="several sheets"):
        read_upload(data, "w.xlsx")
    raw = read_upload(data, "w.xlsx", sheet="Accounts")
    assert raw.kind == "xlsx" and raw.frame.iloc[0].tolist() == ["Acme", "12"]


def test_formulas_in_a_workbook_stay_text_and_are_never_evaluated() -> None:
    data = _workbook({"S": [["name"], ['=HYPERLINK("http://evil.example","click")']]})
    raw = read_upload(data, "f.xlsx")
    assert raw.frame.iloc[0, 0] == '=HYPERLINK("http://evil.example","click")'


def test_a_workbook_with_macros_is_refused() -> None:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(ImportRefused, match="macros"):
        read_upload(buffer.getvalue(), "m.xlsm")


def test_parquet_files_read_as_text_cells(tmp_path) -> None:
    path = tmp_path / "p.parquet"
    pd.DataFrame({"name": ["Acme"], "employees": [12]}).to_parquet(path)
    raw = read_upload(path.read_bytes(), "p.parquet")
    assert raw.kind == "parquet" and raw.frame.iloc[0].tolist() == ["Acme", "12"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Naziv", "PIB", "Država", "Broj zaposlenih", "Status"], {"name", "vat_id", "country", "employees", "status"}),
        (["НАЗИВ", "ПИБ", "Држава", "Број запослених", "Статус"], {"name", "vat_id", "country", "employees", "status"}),
        (["Company Name", "VAT", "Country", "Employees", "Annual revenue"],
         {"name", "vat_id", "country", "employees", "annual_revenue"}),
    ],
)
def test_mapping_is_suggested_from_english_and_serbian_headers(headers: list[str], expected: set[str]) -> None:
    suggested = mapping.suggest_mapping(entities.get_entity("accounts"), headers)
    assert expected <= set(suggested)
    assert len(set(suggested.values())) == len(suggested)  # one column per field


def test_values_parse_with_decimal_commas_and_european_dates() -> None:
    entity = entities.get_entity("accounts")
    raw = pd.DataFrame({"annual_revenue": ["1.234,56", "12", None], "first_contact": ["28.11.2025", "01.02.2024", None],
                        "employees": ["1.200", "7", "x"]})
    coerced = entities.coerce_frame(entity, raw, decimal=",", date_format="%d.%m.%Y")
    assert coerced.frame["annual_revenue"].tolist()[:2] == [1234.56, 12.0]
    assert str(coerced.frame["first_contact"].iloc[0].date()) == "2025-11-28"
    assert coerced.frame["employees"].tolist()[:2] == [1200, 7]
    assert [(p.row, p.column, p.reason.split(" (")[0]) for p in coerced.problems] == [(3, "employees", "not a number")]


def test_invisible_characters_and_out_of_range_values_are_problems() -> None:
    entity = entities.get_entity("accounts")
    raw = pd.DataFrame({"name": ["Ac\u202eme", "  Trimmed  "], "employees": ["99999999999", "-5"],
                        "status": ["bogus", "Kupac"]})
    coerced = entities.coerce_frame(entity, raw)
    reasons = {(p.row, p.column): p.reason for p in coerced.problems}
    assert "control characters" in reasons[(1, "name")]
    assert "too large" in reasons[(1, "employees")]
    assert "below the smallest" in reasons[(2, "employees")]
    assert "unknown value" in reasons[(1, "status")]
    assert coerced.frame["name"].iloc[1] == "Trimmed"
    assert coerced.frame["status"].iloc[1] == "customer"
