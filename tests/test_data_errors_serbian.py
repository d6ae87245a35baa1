"""Refusals and row problems of the import path read in Serbian on the Data page (issue 17 item 5).

Each refusal is triggered for real on a demo workspace or real files in tmp_path: a CSV with bad
rows, clashing keys, a wrong header, unit scaling that overflows, an undo blocked by a later
change, a bad dataset link, a restore of a folder that is not a backup, a page the reader
refuses. Its `message` must stay the English sentence the CLI printed before it was keyed
(scripts and older tests match on it), and `error_text(error, "sr")` / `problem_text(p, "sr")`
must give a Cyrillic sentence with the values filled in.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from data_helpers import checksums, plan_for

from research.collect.isolation import extract_isolated
from research.data import (
    backup,
    datasets,
    entities,
    fields,
    imports,
    links,
    mapping,
    reading,
    undo,
)
from research.data.entities import Problem, problem_text
from research.data.mapping import KeptColumn
from research.data.reading import ImportRefused
from research.errors import ExtractError, ValidationError, VantageError
from research.i18n import MESSAGES, error_text, t
from research.store import Store

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Words the Serbian catalog keeps in Latin (tests/test_i18n.py) and units written the same in both.
LATIN_OK = re.compile(r"\b(Vantage|SQL|CSV|Excel|MB)\b")


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def raised(cls: type[VantageError], call: Callable[..., object], *args: object, **kwargs: object) -> VantageError:
    with pytest.raises(cls) as caught:
        call(*args, **kwargs)
    return caught.value


def _only_values_in_latin(text: str, values: tuple[object, ...]) -> None:
    assert CYRILLIC.search(text), text
    rest = text
    for value in sorted(map(str, values), key=len, reverse=True):  # a value inside another goes after it
        assert value in text, f"{value!r} missing from {text!r}"
        rest = rest.replace(value, "")
    rest = LATIN_OK.sub("", rest)
    assert not re.search(r"[A-Za-z]{3,}", rest), f"English left in {text!r}"


def serbian(error: VantageError, *values: object) -> str:
    """The error's Serbian sentence: keyed, Cyrillic, holding `values`, and Latin only inside them."""
    assert error.key in MESSAGES, f"not keyed: {error.message!r}"
    assert error.message == t(error.key, "en", **error.params)
    text = error_text(error, "sr")[1]
    assert text != error.message
    _only_values_in_latin(text, values)
    return text


def serbian_problem(p: Problem, *values: object) -> str:
    assert p.key in MESSAGES, f"not keyed: {p.reason!r}"
    assert problem_text(p, "en") == p.reason
    text = problem_text(p, "sr")
    _only_values_in_latin(text, values)
    return text


# ---- rows of a file (research.data.imports, research.data.reading) -------------------------------


def test_a_file_with_bad_rows_is_refused_row_by_row_in_both_languages(demo: Store) -> None:
    data = (b"name;country;industry;status;employees\n"
            b"Alfa Pak;RS;Logistics;prospect;12\n"
            b"Beta Pak;RS;Logistics;prospect;-5\n"
            b"Gama Pak;RS;Logistics;prospect;5;9\n")
    plan = plan_for(demo, "accounts", data)
    ragged = next(p for p in plan.problems if p.column == "(row)")
    assert ragged.reason == "6 cells but the header has 5 columns"
    assert serbian_problem(ragged, 6, 5) == "ћелија у реду: 6, а заглавље има 5 колона"

    before = checksums(demo)
    error = raised(ImportRefused, imports.apply_import, demo, plan, "ana")
    assert error.message == entities.describe_problems(plan.problems) == (
        "2 problem(s), nothing written: row 3 employees '-5': cannot be negative (below the smallest allowed value 0); "
        "row 4 (row) 'Gama Pak;RS;Logistics;prospect;5;9': 6 cells but the header has 5 columns.")
    assert serbian(error, "Gama Pak;RS;Logistics;prospect;5;9") == (
        "Проблема: 2, ништа није уписано: ред 3, Запослени „-5”: не може бити негативно (најмања дозвољена вредност "
        "је 0); ред 4, (ред) „Gama Pak;RS;Logistics;prospect;5;9”: ћелија у реду: 6, а заглавље има 5 колона.")
    assert error_text(error, "sr")[0] == "Увоз је одбијен"
    assert checksums(demo) == before

    # Past ten problems the sentence says how many more, in the viewer's language too.
    many = b"name;country;industry;status;employees\n" + b"".join(
        f"Delta {i};RS;Logistics;prospect;-{i + 1}\n".encode() for i in range(12))
    plan = plan_for(demo, "accounts", many)
    error = raised(ImportRefused, imports.apply_import, demo, plan, "ana")
    assert error.message == entities.describe_problems(plan.problems)
    assert error.message.endswith("… and 2 more.")
    assert error_text(error, "sr")[1].endswith("… и још 2.")


def test_keys_that_clash_are_row_problems_in_serbian(demo: Store) -> None:
    existing = demo.query_rows("SELECT c.name AS company, k.capability FROM capabilities k "
                               "JOIN companies c ON c.id = k.company_id ORDER BY c.name, k.capability LIMIT 1")[0]
    row = f"{existing['company']},{existing['capability']},3\n".encode()
    plan = plan_for(demo, "capabilities", b"company,capability,score\n" + row)
    clash = plan.problems[0]
    assert clash.reason == "already in capabilities; import with mode upsert to update it"
    assert serbian_problem(clash, "upsert") == (
        "већ постоји у табели Оцене способности; увезите у начину upsert да бисте га ажурирали")

    plan = plan_for(demo, "capabilities", b"company,capability,score\n" + row + row, mode="upsert")
    repeated = next(p for p in plan.problems if p.row == 3)
    assert repeated.reason == "the same key appears earlier in the file"
    assert serbian_problem(repeated) == "исти кључ се јавља раније у датотеци"

    plan = plan_for(demo, "accounts", b"id,name,country,industry,status\n99999999,Nobody,RS,Logistics,prospect\n"
                                      b"abc,Somebody,RS,Logistics,prospect\n", mode="upsert")
    by_row = {p.row: p for p in plan.problems}
    assert by_row[2].reason == "no accounts row has this id (leave id empty to add a new row)"
    assert serbian_problem(by_row[2]) == "ниједан ред табеле Клијенти нема овај ид (оставите ид празан да бисте додали нови ред)"
    assert by_row[3].reason == "not a row id (a whole number)"
    assert serbian_problem(by_row[3]) == "није ид реда (цео број)"


def test_a_wrong_header_is_refused_naming_the_columns(demo: Store) -> None:
    entity = entities.get_entity("accounts")
    raw = reading.read_upload(b"title,country\nAlfa,RS\n", "accounts.csv")
    error = raised(ImportRefused, imports.prepare_import, demo, entity, raw, {"country": "country"})
    assert error.message == ("Required fields of accounts are not mapped to a column: name, industry, status. "
                             "The file's columns: title, country.")
    assert serbian(error, "title", "country") == (
        "Обавезна поља табеле Клијенти нису повезана са колоном: Назив, Делатност, Статус. "
        "Колоне датотеке: title, country.")

    error = raised(ImportRefused, imports.prepare_import, demo, entity, raw, {"name": "nope"})
    assert error.message == "The file has no column 'nope'."
    assert serbian(error, "'nope'") == "Датотека нема колону 'nope'."

    error = raised(ImportRefused, imports.prepare_import, demo, entity, raw, {"country": "country"}, "upsert")
    assert error.message == "Upsert matches rows by id or by name; map one of them to a column."
    assert "по пољима Назив" in serbian(error)

    error = raised(ValidationError, imports.prepare_import, demo, entity, raw, {"name": "title"}, "merge")
    assert error.message == "The import mode must be append or upsert, not 'merge'."
    serbian(error, "append", "upsert", "merge")

    companies = entities.get_entity("companies")
    raw = reading.read_upload(b"name,our company\nNew Rival,yes\n", "companies.csv")
    error = raised(ImportRefused, imports.prepare_import, demo, companies, raw, {"name": "name"})
    guarded = companies.guarded[0]
    assert error.message == f"The file has a column 'our company' (is_us), which no import writes: {guarded.instead}"
    assert serbian(error, "our company", "is_us", "python -m research company set-ours NAME").startswith(
        "Датотека има колону „our company” (is_us), коју ниједан увоз не уписује: увоз не може да одреди")


def test_one_value_for_every_row_and_kept_columns_are_refused_in_serbian(demo: Store) -> None:
    entity = fields.entity_for(demo, "accounts")
    raw = reading.read_upload(b"name,country,industry,status,Ticker\nAlfa,RS,Logistics,prospect,ALF\n", "a.csv")
    field_map = mapping.suggest_mapping(entity, raw.columns)
    error = raised(ValidationError, imports.prepare_import, demo, entity, raw, field_map,
                   constants={"employees": "many"})
    assert error.message.startswith("employees='many' (one value for every row) is refused: not a number")
    assert serbian(error, "many", "1234.5", "1,234,567.89", "$523,964", "(1,234)", "-, n/a").startswith(
        "Вредност „many” поља Запослени (иста за сваки ред) је одбијена: није број")

    error = raised(ValidationError, imports.prepare_import, demo, entity, raw, field_map,
                   kept=[KeptColumn("Ticker", "ticker", "stock")])
    assert error.message == ("The column 'Ticker' kept as 'ticker': 'stock' is not a field kind; choose one of: "
                             "int, number, money, percent, text, choice, date, bool.")
    assert serbian(error, "Ticker", "ticker", "stock", *fields.KINDS) == (
        "Колона „Ticker” задржана као „ticker”: „stock” није врста поља; изаберите једну од ових: "
        "int, number, money, percent, text, choice, date, bool.")

    fields.add_field(demo, "tester", "accounts", "ticker", "int")
    entity = fields.entity_for(demo, "accounts")
    error = raised(ValidationError, imports.prepare_import, demo, entity, raw, field_map,
                   kept=[KeptColumn("Ticker", "ticker", "text")])
    assert error.message == ("The column 'Ticker' kept as 'ticker': accounts already has a custom field 'ticker' of "
                             "kind int, not text; keep the column as int to fill that field, or give it another name.")
    assert "табела Клијенти већ има прилагођено поље „ticker” врсте „Цео број”, а не „Текст”" in serbian(
        error, "Ticker", "ticker")

    prices = entities.get_entity("prices")
    raw = reading.read_upload(b"product,price,Note2\nX-1,3,a\n", "p.csv")
    error = raised(ValidationError, imports.prepare_import, demo, prices, raw, {"product_id": "product"},
                   kept=[KeptColumn("Note2", "note2", "text")])
    assert error.message == ("prices has no custom fields, so the column 'Note2' cannot be kept: map it to a field or "
                             "ignore it on purpose (custom fields belong to accounts, companies, products).")
    assert "(прилагођена поља имају ове табеле: Клијенти, Компаније, Производи)" in serbian(error, "Note2")


def test_unit_scaling_that_breaks_a_fields_range_is_a_row_problem_in_serbian(demo: Store) -> None:
    entity = entities.get_entity("accounts")
    raw = reading.read_upload(b"name,country,industry,status,employees\nAlfa,RS,Logistics,prospect,5000\n"
                              b"Beta,RS,Logistics,prospect,3\n", "a.csv")
    field_map = mapping.suggest_mapping(entity, raw.columns)
    plan = imports.prepare_import(demo, entity, raw, field_map, scales={"employees": 1e6})
    [large] = plan.problems
    assert (large.row, large.value) == (2, "5000")
    assert large.reason == "too large after ×1,000,000 (at most 2,147,483,647)"
    assert serbian_problem(large) == "превелико кад се помножи (×1.000.000; највише 2.147.483.647)"

    plan = imports.prepare_import(demo, entity, raw, field_map, scales={"employees": 0.5})
    [half] = plan.problems
    assert (half.row, half.reason) == (3, "not a whole number after ×0.5")
    assert serbian_problem(half) == "није цео број кад се помножи (×0,5)"

    error = raised(ImportRefused, imports.apply_import, demo, plan, "ana")
    assert error.message == entities.describe_problems(plan.problems)
    assert "ред 3, Запослени „3”: није цео број кад се помножи (×0,5)" in serbian(error)


def test_possible_duplicates_and_the_same_file_twice_are_refused_in_serbian(demo: Store) -> None:
    existing = demo.query_rows("SELECT id, name, vat_id FROM accounts WHERE vat_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    data = f"name,vat_id,country,industry,status\nSomeone Else,{existing['vat_id']},RS,Logistics,prospect\n".encode()
    plan = plan_for(demo, "accounts", data)
    error = raised(ImportRefused, imports.apply_import, demo, plan, "ana")
    assert error.message == (
        f"1 possible duplicate(s), nothing written: row 2 'Someone Else': same VAT number "
        f"(id {existing['id']} {existing['name']!r}). Decide: skip those rows or import them anyway.")
    assert serbian(error, "Someone Else", existing["id"], existing["name"]) == (
        f"Могућих дупликата: 1, ништа није уписано: ред 2 „Someone Else”: исти ПИБ (ид {existing['id']} "
        f"„{existing['name']}”). Одлучите: прескочите те редове или их ипак увезите.")

    twins = plan_for(demo, "accounts", b"name,country,industry,status\nTwin Pak,RS,Logistics,prospect\n"
                                       b"Twin Pak,RS,Logistics,prospect\n")
    error = raised(ImportRefused, imports.apply_import, demo, twins, "ana")
    assert error.message == ("1 possible duplicate(s), nothing written: row 3 'Twin Pak': same name as file row 2. "
                             "Decide: skip those rows or import them anyway.")
    assert "ред 3 „Twin Pak”: исти назив као ред 2 датотеке." in serbian(error, "Twin Pak")

    error = raised(ValidationError, imports.apply_import, demo, plan, "ana", duplicates="maybe")
    assert error.message == "Duplicates are refused, skipped or imported, not 'maybe'."
    serbian(error, "maybe")

    data = b"name,country,industry,status\nOnce Only Ltd,RS,Logistics,prospect\n"
    first = imports.apply_import(demo, plan_for(demo, "accounts", data), "ana")
    again = plan_for(demo, "accounts", data)
    error = raised(ImportRefused, imports.apply_import, demo, again, "bob", duplicates="import")
    when = again.previous["created_at"]
    assert error.message == (
        f"This file was already imported into accounts by ana at {when:%Y-%m-%d %H:%M} (batch {first.batch_id}); "
        "importing it again would add the rows twice. Undo that batch first, or confirm importing it again.")
    assert serbian(error, "ana", f"{when:%Y-%m-%d %H:%M}", first.batch_id).startswith(
        f"Ова датотека је већ увезена у табелу Клијенти (ana, {when:%Y-%m-%d %H:%M}, серија {first.batch_id});")


def _xlsx(header: list[str], sheet: str = "Data") -> bytes:
    book = openpyxl.Workbook()
    page = book.active
    page.title = sheet
    page.append(header)
    page.append(list(range(len(header))))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_files_that_cannot_be_read_are_refused_in_serbian(monkeypatch: pytest.MonkeyPatch) -> None:
    error = raised(ImportRefused, reading.read_upload, b"   \n", "empty.csv")
    assert error.message == "empty.csv is empty: there is nothing to import."
    assert serbian(error, "empty.csv") == "empty.csv је празна датотека: нема шта да се увезе."

    error = raised(ImportRefused, reading.read_upload, b"name,country\n", "header.csv")
    assert error.message == "header.csv has a header but no rows: there is nothing to import."
    serbian(error, "header.csv")

    error = raised(ImportRefused, reading.read_upload, b"\x00\x01\x02" * 100, "photo.csv")
    assert error.message == ("photo.csv is not a text table (it holds binary data); import CSV, TSV, Excel .xlsx or "
                             "Parquet files.")
    serbian(error, "photo.csv", "TSV", ".xlsx", "Parquet")

    error = raised(ImportRefused, reading.read_upload, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls")
    assert error.message == ("old.xls is a password-protected workbook or an old .xls file; save it as .xlsx without a "
                             "password (or as CSV) and import that.")
    serbian(error, "old.xls", ".xls", ".xlsx")

    error = raised(ImportRefused, reading.read_upload, b"a,b\n1,2\n", "a.csv", encoding="klingon")
    assert error.message.startswith("'klingon' is not a known text encoding; use one of utf-8, windows-1250")
    serbian(error, "klingon", ", ".join(reading.ENCODINGS))

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "hello")
    error = raised(ImportRefused, reading.read_upload, archive.getvalue(), "notes.zip")
    assert error.message == "notes.zip is a zip archive but not an Excel .xlsx workbook."
    assert serbian(error, "notes.zip", ".xlsx") == "notes.zip је архива, али није радна свеска Excel .xlsx."

    error = raised(ImportRefused, reading.read_upload, b'name\n"' + b"x" * 200_000 + b'"\n', "broken.csv")
    assert error.message == "broken.csv is not a readable CSV file near line 2: field larger than field limit (131072)."
    assert serbian(error, "broken.csv", "field larger than field limit (131072)") == (
        "broken.csv није читљива датотека CSV код реда 2: field larger than field limit (131072).")

    monkeypatch.setenv("VANTAGE_DATA_MAX_COLUMNS", "3")
    error = raised(ImportRefused, reading.read_upload, b"a,b,c,d,e\n1,2,3,4,5\n", "wide.csv")
    assert error.message == "wide.csv has 5 columns; at most 3 can be imported (VANTAGE_DATA_MAX_COLUMNS)."
    assert serbian(error, "wide.csv", "VANTAGE_DATA_MAX_COLUMNS") == (
        "wide.csv има 5 колона; може се увести највише 3 (VANTAGE_DATA_MAX_COLUMNS).")
    error = raised(ImportRefused, reading.read_upload, _xlsx(["a", "b", "c", "d", "e"]), "book.xlsx")
    assert error.message == ("Sheet 'Data' of book.xlsx has 5 columns; at most 3 can be imported "
                             "(VANTAGE_DATA_MAX_COLUMNS).")
    assert serbian(error, "Data", "book.xlsx", "VANTAGE_DATA_MAX_COLUMNS") == (
        "Лист „Data” датотеке book.xlsx има 5 колона; може се увести највише 3 (VANTAGE_DATA_MAX_COLUMNS).")

    monkeypatch.setenv("VANTAGE_DATA_MAX_UPLOAD_MB", "1")
    error = raised(ImportRefused, reading.read_upload, b"a\n" + b"1\n" * 800_000, "big.csv")
    assert error.message == ("big.csv is 1.5 MB, over the import limit of 1 MB (VANTAGE_DATA_MAX_UPLOAD_MB); split it "
                             "or import it as a dataset from the command line.")
    assert serbian(error, "big.csv", "VANTAGE_DATA_MAX_UPLOAD_MB").startswith("big.csv има 1,5 MB, више од границе")


def test_renamed_headers_are_noted_in_both_languages() -> None:
    raw = reading.read_upload(b",name,Name\n1,2,3\n", "a.csv")
    assert raw.notes == ["column 1 has no header; it is called column_1",
                         "the header 'Name' repeats; the later column is called Name_2"]
    assert [note.sr for note in raw.notes] == ["колона 1 нема заглавље; зове се column_1",
                                                "заглавље „Name” се понавља; каснија колона се зове Name_2"]


# ---- undo (research.data.undo) ---------------------------------------------------------------


def test_undo_refusals_read_in_serbian(demo: Store) -> None:
    plan = plan_for(demo, "accounts", b"name,country,industry,status\nUndo Me,RS,Logistics,prospect\n")
    result = imports.apply_import(demo, plan, "ana")
    row_id = demo.query_value("SELECT id FROM accounts WHERE name = 'Undo Me'")
    with demo.transaction("bob") as tx:
        tx.update("accounts", row_id, {"city": "Niš"})
    changed_at = demo.query_value("SELECT max(changed_at) FROM audit_log WHERE actor = 'bob'")
    before = checksums(demo)
    blocked = raised(undo.UndoBlocked, undo.undo_batch, demo, result.batch_id, "ana")
    when = f"{changed_at:%Y-%m-%d %H:%M}"
    assert blocked.message == (f"Batch {result.batch_id} cannot be undone: 1 of its rows changed since: accounts row "
                               f"{row_id} (changed by bob at {when}). Nothing was reverted.")
    assert serbian(blocked, "bob", when, row_id, result.batch_id) == (
        f"Серија {result.batch_id} не може да се поништи: у међувремену је измењено њених редова: 1 "
        f"(Клијенти, ред {row_id} (изменио bob, {when})). Ништа није враћено.")
    assert error_text(blocked, "sr")[0] == "Не може да се поништи"
    assert blocked.blockers[0]["row_id"] == str(row_id)
    assert checksums(demo) == before

    other = imports.apply_import(demo, plan_for(demo, "accounts", b"name,country,industry,status\n"
                                                                  b"Undo Too,RS,Logistics,prospect\n"), "ana")
    done = undo.undo_batch(demo, other.batch_id, "ana")
    error = raised(ValidationError, undo.undo_batch, demo, other.batch_id, "ana")
    assert error.message == f"Batch {other.batch_id} was already undone (by batch {done.undo_batch_id})."
    assert serbian(error, other.batch_id, done.undo_batch_id) == (
        f"Серија {other.batch_id} је већ поништена (серијом {done.undo_batch_id}).")

    error = raised(ValidationError, undo.undo_batch, demo, 999_999, "ana")
    assert error.message == "There is no batch 999999 in the change log."
    assert serbian(error, 999999) == "У дневнику измена нема серије 999999."

    demo_build = demo.query_value("SELECT batch_id FROM audit_log WHERE action = 'bulk' AND table_name = '*'")
    error = raised(ValidationError, undo.undo_batch, demo, demo_build, "local")
    assert error.message == (f"Batch {demo_build} is a bulk change of * (a demo build or a dataset replace or append); "
                             "it cannot be undone row by row. Restore a backup or re-import the dataset instead.")
    assert f"Серија {demo_build} је скупна измена (цео радни простор: изградња демо-тржишта" in serbian(error, demo_build)


# ---- datasets and their links (research.data.datasets, research.data.links) -----------------


def _credit_file(store: Store, path: Path, *, duplicate: bool) -> Path:
    vats = [r["vat_id"] for r in store.query_rows("SELECT vat_id FROM accounts WHERE vat_id IS NOT NULL ORDER BY id LIMIT 5")]
    lines = ["PIB,Credit score"] + [f"{vat},{300 + i}" for i, vat in enumerate(vats)]
    if duplicate:
        lines.append(f"{vats[0]},9")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_dataset_and_link_refusals_read_in_serbian(demo: Store, tmp_path: Path) -> None:
    error = raised(ImportRefused, datasets.import_dataset, demo, "fair", str(tmp_path / "missing.csv"), "ana")
    assert error.message == "missing.csv does not exist or is not a file."
    assert serbian(error, "missing.csv") == "missing.csv не постоји или није датотека."

    error = raised(ValidationError, datasets.dataset_table, "!!!")
    assert error.message == "'!!!' cannot name a dataset: use letters and digits (e.g. trade_fair_2026)."
    serbian(error, "!!!", "trade_fair_2026")

    datasets.import_dataset(demo, "credit", str(_credit_file(demo, tmp_path / "credit.csv", duplicate=True)), "ana")
    other = tmp_path / "other.csv"
    other.write_text("Firma,Grad\nAlfa,Niš\n")
    before = checksums(demo)
    error = raised(ImportRefused, datasets.import_dataset, demo, "credit", str(other), "ana", mode="append")
    assert error.message == ("other.csv has columns (firma, grad) other than ds_credit (pib, credit_score); "
                             "replace the dataset instead of appending.")
    serbian(error, "other.csv", "firma, grad", "ds_credit", "pib, credit_score")
    assert checksums(demo) == before

    error = raised(ValidationError, links.link_dataset, demo, "ana", "credit", key="pib", account_key="vat_id")
    assert error.message.startswith("The key 'pib' does not identify one row of the dataset: ")
    assert error.message.endswith(" (2 rows). Choose a unique key column or clean the dataset.")
    vat = demo.query_value("SELECT vat_id FROM accounts WHERE vat_id IS NOT NULL ORDER BY id LIMIT 1")
    assert serbian(error, "pib", vat) == (
        f"Кључ „pib” не одређује један ред скупа података: „{vat}” (редова: 2). Изаберите колону са јединственим "
        "кључем или очистите скуп података.")

    error = raised(ValidationError, links.link_dataset, demo, "ana", "credit", key="pib", account_key="shoe_size")
    assert error.message == ("Accounts cannot be matched on 'shoe_size'; use one of id, name, vat_id, website, city.")
    serbian(error, "shoe_size", "id, name, vat_id, website, city")

    error = raised(ValidationError, links.link_dataset, demo, "ana", "nothing", key="pib", account_key="vat_id")
    assert error.message == ("There is no dataset 'nothing'; import it first "
                             "(`python -m research import dataset NAME FILE`).")
    assert serbian(error, "nothing", "python -m research import dataset NAME FILE") == (
        "Нема скупа података „nothing”; прво га увезите (`python -m research import dataset NAME FILE`).")

    error = raised(ValidationError, links.get_link, demo, "credit")
    assert error.message == "Dataset 'credit' is not linked to accounts."
    assert serbian(error, "credit") == "Скуп података „credit” није повезан са клијентима."


# ---- restore (research.data.backup) -----------------------------------------------------------


@pytest.fixture(scope="module")
def clean_backup(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("restore-sr")
    # A copy: the session's demo workspace stays untouched by the backup's bookkeeping.
    workspace = base / "source.duckdb"
    shutil.copyfile(demo_workspace_file, workspace)
    store = Store.open(str(workspace))
    try:
        backup.backup_workspace(store, str(base / "bk"))
    finally:
        store.close()
    return base / "bk"


def test_restore_refusals_read_in_serbian(clean_backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "restored.duckdb"
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    error = raised(ValidationError, backup.restore_workspace, str(not_a_folder), str(target))
    assert error.message == "notes.txt is not a folder; give the folder a backup wrote."
    assert serbian(error, "notes.txt") == "notes.txt није фасцикла; наведите фасциклу коју је записала резервна копија."

    empty = tmp_path / "holiday-photos"
    empty.mkdir()
    error = raised(ValidationError, backup.restore_workspace, str(empty), str(target))
    assert error.message == "holiday-photos is not a Vantage backup (no vantage-backup.json, schema.sql and load.sql)."
    assert serbian(error, "holiday-photos", backup.MANIFEST, "schema.sql", "load.sql") == (
        "holiday-photos није резервна копија Vantage (нема vantage-backup.json, schema.sql и load.sql).")

    folder = tmp_path / "bk"
    shutil.copytree(clean_backup, folder)
    (folder / backup.MANIFEST).write_text("{not json")
    error = raised(ValidationError, backup.restore_workspace, str(folder), str(target))
    assert error.message == "The manifest of backup bk is damaged."
    assert serbian(error, "bk") == "Манифест резервне копије bk је оштећен."

    shutil.copy(clean_backup / backup.MANIFEST, folder / backup.MANIFEST)
    schema = folder / "schema.sql"
    schema.write_text(schema.read_text() + "\nCREATE TABLE evil AS SELECT 42 AS answer;\n")
    error = raised(ValidationError, backup.restore_workspace, str(folder), str(target))
    assert error.message == "Backup bk is refused: schema.sql creates table evil, which is not part of Vantage's schema."
    assert serbian(error, "bk", "schema.sql", "evil") == (
        "Резервна копија bk је одбијена: schema.sql прави табелу evil, што није део шеме Vantage.")

    shutil.copy(clean_backup / "schema.sql", schema)
    load = folder / "load.sql"
    load.write_text(load.read_text() + "\nINSERT INTO accounts (name) VALUES ('x');\n")
    error = raised(ValidationError, backup.restore_workspace, str(folder), str(target))
    assert error.message == ("Backup bk is refused: load.sql holds a statement of type INSERT other than loading a "
                             "table from one of its Parquet files.")
    serbian(error, "bk", "load.sql", "INSERT", "Parquet")

    manifest = json.loads((clean_backup / backup.MANIFEST).read_text())
    manifest["counts"]["ghosts"] = 1
    shutil.copy(clean_backup / "load.sql", load)
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    error = raised(ValidationError, backup.restore_workspace, str(folder), str(target))
    assert error.message == "Backup bk is refused: the manifest lists tables schema.sql does not create (ghosts)."
    assert serbian(error, "bk", "schema.sql", "ghosts") == (
        "Резервна копија bk је одбијена: манифест наводи табеле које schema.sql не прави (ghosts).")

    target.write_bytes(b"mine")
    error = raised(ValidationError, backup.restore_workspace, str(clean_backup), str(target))
    assert error.message == ("restored.duckdb already exists; restore into a new file (a restore never overwrites a "
                             "workspace).")
    serbian(error, "restored.duckdb")
    assert target.read_bytes() == b"mine"


# ---- the page reader's worker (research.collect.isolation) -------------------------------------


def test_a_refusal_from_the_reader_process_keeps_its_values_in_serbian() -> None:
    error = raised(ExtractError, extract_isolated, "<div class='tile'>x</div>", kind="listing", item_selector="div[")
    assert error.message == "'div[' is not a CSS selector this tool understands."
    assert serbian(error, "div[") == "„div[” није селектор који овај алат разуме."
