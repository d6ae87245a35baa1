"""Grid saves (validation, optimistic concurrency), undo of batches, datasets."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from data_helpers import checksums, plan_for

from research.data import datasets, entities, grid, imports, undo
from research.data.reading import ImportRefused
from research.errors import ConflictError, ValidationError
from research.store import Store


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


ACCOUNTS = entities.get_entity("accounts")


def test_pages_are_filtered_and_limited_before_loading(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, filters={"country": "RS"}, page=2, page_size=25)
    assert len(page.frame) == 25 and page.page == 2
    assert page.total == demo.query_value("SELECT count(*) FROM accounts WHERE country = 'RS'")
    assert set(page.frame["country"]) == {"RS"}
    options = grid.filter_options(demo, ACCOUNTS, {"region": "Central Europe"})
    assert set(options["country"]) == {"AT", "HU", "SI"}  # countries follow the region


def test_grid_save_lists_every_problem_and_writes_nothing(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, page_size=10)
    before = checksums(demo)
    state = {"edited_rows": {0: {"employees": -3}, "1": {"status": "bogus"}},
             "added_rows": [{"name": "Half a row"}], "deleted_rows": []}
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(demo, ACCOUNTS, page.frame, state, "ana")
    found = {(p.row, p.column) for p in refused.value.problems}
    assert {(1, "employees"), (2, "status"), (11, "country"), (11, "industry"), (11, "status")} <= found
    assert checksums(demo) == before


def test_grid_save_is_one_batch_and_undoable(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, search="Alfa", page_size=10)
    target = int(page.frame.iloc[0]["id"])
    before = checksums(demo)
    state = {"edited_rows": {0: {"employees": 33, "city": "Novi Sad"}},
             "added_rows": [{"name": "Grid Added", "country": "HR", "industry": "Logistics", "status": "prospect",
                             "supplier_company_id": "Adria Pack"}]}
    result = grid.save_grid(demo, ACCOUNTS, page.frame, state, "ana")
    assert (result.inserted, result.updated, result.deleted) == (1, 1, 0)
    added = demo.query_rows("SELECT region, supplier_company_id FROM accounts WHERE name = 'Grid Added'")[0]
    assert added["region"] == "South-East EU"
    assert added["supplier_company_id"] == demo.query_value("SELECT id FROM companies WHERE name = 'Adria Pack'")
    assert demo.query_value("SELECT employees FROM accounts WHERE id = ?", [target]) == 33
    undo.undo_batch(demo, result.batch_id, "ana")
    after = checksums(demo)
    assert after["companies"] == before["companies"]
    assert after["accounts"][0] == before["accounts"][0]
    assert demo.query_value("SELECT employees FROM accounts WHERE id = ?", [target]) == page.frame.iloc[0]["employees"]


def test_a_stale_row_refuses_the_whole_save_naming_who_changed_it(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, page_size=10)
    other = int(page.frame.iloc[1]["id"])
    with demo.transaction("bob") as tx:
        tx.update("accounts", other, {"city": "Subotica"})
    before = checksums(demo)
    state = {"edited_rows": {0: {"city": "Zrenjanin"}, 1: {"city": "Pančevo"}}}
    with pytest.raises(ConflictError, match=f"row {other} was changed by bob"):
        grid.save_grid(demo, ACCOUNTS, page.frame, state, "ana")
    assert checksums(demo) == before  # row 0 was not saved either


def test_exchange_rates_without_ids_are_edited_by_key(demo: Store) -> None:
    rates = entities.get_entity("exchange_rates")
    page = grid.load_page(demo, rates, page_size=5)
    result = grid.save_grid(demo, rates, page.frame, {
        "edited_rows": {1: {"per_eur": 2.5}},
        "added_rows": [{"currency": "usd", "valid_on": "2030-01-01", "per_eur": "1.1"}]}, "ana")
    assert demo.query_value("SELECT per_eur FROM exchange_rates WHERE currency = 'USD' AND valid_on = '2030-01-01'") is not None
    undo.undo_batch(demo, result.batch_id, "ana")
    assert demo.query_value("SELECT count(*) FROM exchange_rates WHERE valid_on = '2030-01-01'") == 0


def test_undo_removes_children_before_parents(demo: Store) -> None:
    with demo.transaction("ana") as tx:
        company = tx.insert("companies", {"name": "Undo Parent"})
        tx.insert("products", {"company_id": company["id"], "name": "Box", "category": "Boxes", "unit": "pc",
                               "currency": "EUR"})
        batch = tx.batch_id
    result = undo.undo_batch(demo, batch, "ana")
    assert result.reverted == 2
    assert demo.query_value("SELECT count(*) FROM companies WHERE name = 'Undo Parent'") == 0


def test_undo_is_refused_when_rows_changed_since_and_twice(demo: Store) -> None:
    plan = plan_for(demo, "accounts", b"name,country,industry,status\nUndo Me,RS,Logistics,prospect\n")
    result = imports.apply_import(demo, plan, "ana")
    row_id = demo.query_value("SELECT id FROM accounts WHERE name = 'Undo Me'")
    with demo.transaction("bob") as tx:
        tx.update("accounts", row_id, {"city": "Niš"})
    before = checksums(demo)
    with pytest.raises(undo.UndoBlocked, match="changed by bob") as blocked:
        undo.undo_batch(demo, result.batch_id, "ana")
    assert blocked.value.blockers[0]["row_id"] == str(row_id)
    assert checksums(demo) == before
    other = imports.apply_import(demo, plan_for(demo, "accounts", b"name,country,industry,status\nUndo Too,RS,Logistics,prospect\n"), "ana")
    undo.undo_batch(demo, other.batch_id, "ana")
    with pytest.raises(ValidationError, match="already undone"):
        undo.undo_batch(demo, other.batch_id, "ana")
    with pytest.raises(ValidationError, match="no batch"):
        undo.undo_batch(demo, 999_999, "ana")
    listed = undo.list_batches(demo)
    assert int(listed.loc[listed["batch_id"] == other.batch_id, "undone_by"].iloc[0]) > other.batch_id


def test_datasets_infer_types_sanitise_names_and_replace_or_append(demo: Store, tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    path.write_bytes("Firma;Broj zaposlenih;Prihod €;Datum posete\nАлфа;12;1.234,50;28.11.2026\nBeta;7;10,00;01.12.2026\n"
                     .encode("cp1251", errors="replace"))
    result = datasets.import_dataset(demo, "Trade fair 2026!", str(path), "ana")
    assert result.table == "ds_trade_fair_2026" and result.created
    assert result.columns == ["firma", "broj_zaposlenih", "prihod", "datum_posete"]
    types = {r["column_name"]: r["column_type"] for r in demo.query_rows("DESCRIBE ds_trade_fair_2026")}
    assert types["broj_zaposlenih"] in {"BIGINT", "INTEGER"} and types["prihod"] == "DOUBLE" and types["datum_posete"] == "DATE"
    assert demo.query_value("SELECT firma FROM ds_trade_fair_2026 ORDER BY broj_zaposlenih DESC LIMIT 1") == "Алфа"
    assert demo.query_value("SELECT prihod FROM ds_trade_fair_2026 WHERE firma = 'Beta'") == 10.0
    datasets.import_dataset(demo, "trade fair 2026", str(path), "ana", mode="append")
    assert demo.query_value("SELECT count(*) FROM ds_trade_fair_2026") == 4
    datasets.import_dataset(demo, "trade fair 2026", str(path), "ana", mode="replace")
    assert demo.query_value("SELECT count(*) FROM ds_trade_fair_2026") == 2
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n")
    before = checksums(demo)
    with pytest.raises(ImportRefused, match="replace the dataset"):
        datasets.import_dataset(demo, "trade fair 2026", str(other), "ana", mode="append")
    header_only = tmp_path / "empty.csv"
    header_only.write_text("a,b\n")
    with pytest.raises(ImportRefused, match="no rows"):
        datasets.import_dataset(demo, "empty", str(header_only), "ana")
    assert checksums(demo) == before


def test_a_new_dataset_can_be_undone_and_a_workbook_becomes_one(demo: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Score", "When"])
    book.active.append(["A", 3, "2026-01-02"])
    book.active.append(["B", 4.5, "2026-02-03"])
    path = tmp_path / "w.xlsx"
    book.save(path)
    result = datasets.import_dataset(demo, "scores", str(path), "ana")
    types = {r["column_name"]: r["column_type"] for r in demo.query_rows("DESCRIBE ds_scores")}
    assert types["score"] == "DOUBLE" and types["when"].startswith("TIMESTAMP")
    undo.undo_batch(demo, result.batch_id, "ana")
    assert "ds_scores" not in demo.tables()


def test_dataset_names_that_cannot_be_identifiers_are_refused() -> None:
    with pytest.raises(ValidationError):
        datasets.dataset_table("!!!")
    assert datasets.dataset_table("ds_Šabac 2026") == "ds_sabac_2026"
    assert datasets.sanitize_columns(["", "1st", "a b", "a_b", "Назив"]) == ["column_1", "c_1st", "a_b", "a_b_2", "naziv"]


def test_unknown_entities_are_named_with_the_choices() -> None:
    with pytest.raises(ValidationError, match="is not something Vantage imports; choose one of: accounts"):
        entities.get_entity("widgets")


def test_a_write_write_conflict_is_reported_not_raised_as_a_driver_error(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, page_size=3)
    row_id = int(page.frame.iloc[0]["id"])
    with demo.transaction("bob") as tx:  # bob's transaction is still open while ana saves
        tx.update("accounts", row_id, {"city": "Kikinda"})
        with pytest.raises(ConflictError, match="nothing was saved"):
            grid.save_grid(demo, ACCOUNTS, page.frame, {"edited_rows": {0: {"city": "Senta"}}}, "ana")
    assert demo.query_value("SELECT city FROM accounts WHERE id = ?", [row_id]) == "Kikinda"
