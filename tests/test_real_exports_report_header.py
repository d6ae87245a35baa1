"""Reports with a title, filters and blank lines above their table, and totals below it, import unedited.

CRM and ERP report exports (a "formatted report" workbook, a CSV from a reporting module) put the
report's name, when it ran and its filters above the column names, and its totals and small print
below the rows. The reader finds the header row (`reading.header_index`) and the footer
(`reading.footer_start`), says so in notes, numbers problems by the file's own lines, and takes
another header row when told (`--header-row`, the wizard's "Header row").
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cli_helpers import cli
from page_helpers import assert_clean, run_app

from research.data import datasets, entities, imports, mapping, reading
from research.data.reading import ImportRefused, header_index
from research.i18n import t
from research.store import Store

REPORT = (
    "Accounts by industry\n"
    "Generated 2026-12-01 08:15 by ana@example.com\n"
    "Filtered by:,Region equals Western Balkans\n"
    "From:,2026-01-01,To:,2026-11-30\n"
    "\n"
    "Account Name,Billing Country,Industry,Employees,Type\n"
    "Nova d.o.o.,RS,Automotive,120,prospect\n"
    "Stara a.d.,HR,Chemicals,80,customer\n"
    "Treca doo,RS,Logistics,many,prospect\n"
)
MAPPING = {"name": "Account Name", "country": "Billing Country", "industry": "Industry", "employees": "Employees",
           "status": "Type"}


@pytest.mark.parametrize(("rows", "index"), [
    ([["Name", "Country", "Industry"], ["a", "b", "c"]], 0),  # no preamble: as always
    ([["Accounts report"], [], ["Name", "Country", "Industry"], ["a", "b", "c"]], 2),  # a title, a blank line
    ([["From:", "2026-01-01", "To:", "2026-12-31"], ["Name", "Country", "Industry", "Employees"]], 1),  # filters
    ([["Report:", "Accounts"], ["Name", "Country", "Industry"]], 1),  # a label and its value
    ([["2026-12-01"], ["id", "price", "currency"], ["1", "2", "EUR"]], 1),  # a date alone
    ([["name"], ["A"], ["B"]], 0),  # one column: its single cell is the header, not a title
    ([["Name", "Status", "", "", "", ""], ["a", "b", "c", "d", "e", "f"]], 0),  # a header with unnamed columns
    ([["1", "2", "3"], ["4", "5", "6"]], 0),  # nothing looks like a header: the first row, as before
])
def test_the_header_is_the_first_row_that_is_not_a_title_a_filter_or_blank(rows: list[list[str]], index: int) -> None:
    assert header_index(rows) == index


def test_the_header_is_looked_for_in_the_first_30_rows() -> None:
    table = [["Name", "Country", "Industry"], ["a", "b", "c"]]
    assert header_index([["Note"]] * 29 + table) == 29
    assert header_index([["Note"]] * 30 + table) == 0  # past the search: the first row, as before


def test_a_csv_report_imports_unedited_with_problems_on_the_files_own_lines(store: Store) -> None:
    raw = reading.read_upload(REPORT.encode(), "report.csv")
    assert raw.columns == list(MAPPING.values()) and raw.header_row == 6
    assert raw.row_numbers == [7, 8, 9]
    assert [str(n) for n in raw.notes] == [t("data.read.note.header_row", "en", row=6, skipped=5)]
    plan = imports.prepare_import(store, entities.get_entity("accounts"), raw, MAPPING)
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(9, "employees", "many")]
    fixed = REPORT.replace("many", "45")
    plan = imports.prepare_import(store, entities.get_entity("accounts"), reading.read_upload(fixed.encode(), "r.csv"),
                                  MAPPING)
    imports.apply_import(store, plan, "ana")
    assert store.query_rows("SELECT name, country, employees FROM accounts ORDER BY name") == [
        {"name": "Nova d.o.o.", "country": "RS", "employees": 120},
        {"name": "Stara a.d.", "country": "HR", "employees": 80},
        {"name": "Treca doo", "country": "RS", "employees": 45}]


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Report"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formatted_workbook_report_imports_from_its_table(store: Store) -> None:
    data = _workbook([["Accounts by industry"], [None], ["Filtered By:"], ["  Region equals Western Balkans"], [None],
                      ["Account Name", "Billing Country", "Industry", "Employees", "Type"],
                      ["Nova d.o.o.", "RS", "Automotive", 120, "prospect"],
                      ["Stara a.d.", "HR", "Chemicals", 80, "customer"]])
    raw = reading.read_upload(data, "report.xlsx")
    assert raw.columns == list(MAPPING.values()) and raw.header_row == 6 and raw.row_numbers == [7, 8]
    assert "the table's header is row 6" in str(raw.notes[0])
    assert "заглавље табеле је ред 6" in raw.notes[0].sr
    plan = imports.prepare_import(store, entities.get_entity("accounts"), raw, MAPPING)
    assert plan.ok, plan.problems
    assert plan.frame["employees"].tolist() == [120, 80]


def test_the_header_row_can_be_chosen_and_a_row_past_the_file_is_refused(tmp_path: Path, store: Store) -> None:
    # Three words above the table are no title the reader can tell from a header: the user says which row.
    text = "Prepared for,the board,quarterly\nName,Country,Industry,Status\nNova d.o.o.,RS,Automotive,prospect\n"
    assert reading.read_upload(text.encode(), "f.csv").columns == ["Prepared for", "the board", "quarterly"]
    raw = reading.read_upload(text.encode(), "f.csv", header_row=2)
    assert raw.columns == ["Name", "Country", "Industry", "Status"] and raw.row_numbers == [3]
    with pytest.raises(ImportRefused) as refused:
        reading.read_upload(text.encode(), "f.csv", header_row=9)
    assert str(refused.value) == "f.csv has no row 9 to take as its header (it has 3 row(s))."
    assert t(refused.value.key, "sr", **dict(refused.value.params)) == (
        "f.csv нема ред 9 који би био заглавље (има редова: 3).")
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    db = store.database
    store.close()
    out = cli("import", "accounts", str(path), "--db", db, "--header-row", "2", "--set", "region=Western Balkans",
              "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "Mapping    name <- 'Name'" in out.stdout and "the table's header is row 2" in out.stdout
    bad = cli("import", "accounts", str(path), "--db", db, "--header-row", "0")
    assert bad.returncode == 2 and "--header-row: 0: rows are numbered from 1" in bad.stderr


def test_a_dataset_report_loads_from_its_table_as_csv_and_as_a_workbook(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "report.csv"
    path.write_text(REPORT.replace("many", "45"), encoding="utf-8")
    loaded = datasets.import_dataset(store, "report", str(path), "admin")
    assert loaded.rows == 3 and loaded.columns[:2] == ["account_name", "billing_country"]
    assert store.query_value("SELECT sum(employees) FROM ds_report") == 245
    book = tmp_path / "report.xlsx"
    book.write_bytes(_workbook([["Price list"], [None], ["sku", "price"], ["A-1", 10.5], ["B-2", 7]]))
    loaded = datasets.import_dataset(store, "prices", str(book), "admin")
    assert loaded.columns == ["sku", "price"] and loaded.rows == 2


def test_the_import_wizard_skips_a_pasted_reports_title_and_takes_a_chosen_header_row(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data")
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(REPORT.replace(",", "\t").replace("many", "45")).run()
    assert_clean(at)
    assert at.selectbox(key="data_map_accounts_name").value == "Account Name"
    assert any(t("data.read.note.header_row", "en", row=6, skipped=5) in c.value for c in at.caption)
    at.number_input(key="data_import_header_row").set_value(7).run()  # a wrong choice shows at once
    assert_clean(at)
    assert at.selectbox(key="data_map_accounts_name").value != "Account Name"
    at.number_input(key="data_import_header_row").set_value(None).run()
    assert at.selectbox(key="data_map_accounts_name").value == "Account Name"


def test_mapping_suggestions_work_on_the_reports_own_names(store: Store) -> None:
    raw = reading.read_upload(REPORT.encode(), "report.csv")
    suggested = mapping.suggest_mapping(entities.get_entity("accounts"), raw.columns)
    assert suggested.get("name") == "Account Name" and suggested.get("industry") == "Industry"


SALESFORCE_FOOTER = ('"Grand Totals (3 records)"\n""\n"Confidential Information - Do Not Distribute"\n'
                     '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')


@pytest.mark.parametrize(("rows", "end"), [
    ([["a", "b", "c"], ["Grand Totals (3 records)"], ["Confidential Information - Do Not Distribute"]], 1),
    ([["a", "b", "c"], ["Total", "", "12"]], 1),  # a totals row with its sums
    ([["a", "b", "c"], ["Укупно:", "", "5"]], 1),
    ([["Total S.A.", "FR", "Energy"]], 1),  # a company called Total is a record
    ([["a", "b", "c"], ["Total", "", "12"], ["d", "e", "f"]], 3),  # only at the end
    ([], 0),
])
def test_a_reports_totals_and_small_print_are_its_footer(rows: list[list[str]], end: int) -> None:
    assert reading.footer_start(rows) == end


def test_a_salesforce_style_csv_report_leaves_its_footer_out(store: Store) -> None:
    raw = reading.read_upload((REPORT.replace("many", "45") + SALESFORCE_FOOTER).encode(), "report.csv")
    assert raw.frame["Account Name"].tolist() == ["Nova d.o.o.", "Stara a.d.", "Treca doo"]
    assert str(raw.notes[-1]) == t("data.read.note.footer", "en", count=3, rows="10, 12, 13")
    plan = imports.prepare_import(store, entities.get_entity("accounts"), raw, MAPPING)
    assert plan.ok, plan.problems


def test_a_workbook_reports_totals_row_is_left_out_but_a_company_called_total_is_kept(store: Store) -> None:
    data = _workbook([["Competitors"], [None], ["Name", "Country", "Employees"], ["Total S.A.", "FR", 100000],
                      ["Rival Co", "DE", 250], ["Total", None, 100250]])
    raw = reading.read_upload(data, "rivals.xlsx")
    assert raw.frame["Name"].tolist() == ["Total S.A.", "Rival Co"] and raw.row_numbers == [4, 5]
    assert "file rows 6" in str(raw.notes[-1]) and "редови датотеке: 6" in raw.notes[-1].sr


def test_a_dataset_read_from_csv_keeps_a_reports_footer_as_rows(tmp_path: Path, store: Store) -> None:
    # As docs/DATA.md says: DuckDB reads a dataset's CSV file, and the footer stays (a workbook's does not).
    path = tmp_path / "report.csv"
    path.write_text(REPORT.replace("many", "45") + SALESFORCE_FOOTER, encoding="utf-8")
    loaded = datasets.import_dataset(store, "report", str(path), "admin")
    names = [r["account_name"] for r in store.query_rows("SELECT account_name FROM ds_report ORDER BY rowid")]
    assert names[:3] == ["Nova d.o.o.", "Stara a.d.", "Treca doo"] and loaded.rows == len(names) > 3
    assert "Grand Totals (3 records)" in names


SERBIAN_REPORT = (
    "Izveštaj: Kupci po delatnosti\n"
    "Generisano: 01.12.2026 08:15\n"
    "Filteri:;Region = Zapadni Balkan\n"
    "\n"
    "Naziv;Država;Delatnost;Broj zaposlenih;Prihod;Valuta;Status;Napomena\n"
    "Mlekara Šabac d.o.o.;RS;Food & beverage;1.200;125.000.000,00;RSD;kupac;Ključni kupac\n"
    '"Nord &amp; Sud AS";NO;Logistics;-;"2&nbsp;400&nbsp;000";NOK;prospect;\n'
    "Gigant Holding;DE;Chemicals;250.000;12.500.000.000,00;EUR;customer;tvrtka >200k\n"
    "Mala radnja;RS;Retail;2;-;RSD;prospect;—\n"
    "Ukupno:;;;251.202;;;;\n"
    "Poverljivo - samo za internu upotrebu\n"
)


def test_a_semicolon_report_with_decimal_commas_finds_its_delimiter_header_and_footer() -> None:
    # Under `,` the title lines and the amounts' decimal commas once looked like the more consistent split.
    raw = reading.read_upload(SERBIAN_REPORT.encode(), "izvestaj.csv")
    assert raw.delimiter == ";" and raw.decimal == "," and raw.header_row == 5
    assert raw.frame["Naziv"].tolist() == ["Mlekara Šabac d.o.o.", "Nord &amp; Sud AS", "Gigant Holding", "Mala radnja"]
    assert str(raw.notes[-1]) == t("data.read.note.footer", "en", count=2, rows="10, 11")
    coerced = entities.coerce_frame(entities.get_entity("accounts"), raw.frame.rename(columns={
        "Naziv": "name", "Broj zaposlenih": "employees", "Prihod": "annual_revenue", "Valuta": "revenue_currency"}),
        decimal=raw.decimal)
    f = coerced.frame
    assert f["name"][1] == "Nord & Sud AS" and pd.isna(f["employees"][1]) and f["annual_revenue"][1] == 2_400_000
    assert f["employees"].tolist()[::2] == [1200, 250000] and f["annual_revenue"][0] == 125_000_000
