"""The Data page under AppTest: grid edits saved or refused, paste import with check and undo, datasets, backup."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app

from research.i18n import t
from research.store import Store
from research.ui.data import PROBLEMS_COLUMN


def _query(db: Path, sql: str, params: list | None = None):
    store = Store.open(str(db))
    try:
        return store.query_value(sql, params)
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_data_page_opens_on_the_paged_grid(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    assert_clean(at)
    assert at.title[0].value == t("page.data", lang)
    grid = at.get("arrow_data_frame") or at.get("data_editor")
    assert grid
    assert at.button(key="data_save").label == t("data.save", lang)
    for view in ["import", "dataset", "history", "backup"]:
        at.session_state["data_view"] = view
        at.run()
        assert_clean(at)


def test_the_grid_prepares_its_spreadsheet_export_and_discards_edits(demo_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data")
    at.button(key="data_export").click().run()
    assert_clean(at)
    [download] = at.get("download_button")
    assert download.proto.label == t("data.export_download", "en", name="accounts.csv")
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Zrenjanin"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_discard").click().run()
    assert_clean(at)
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert not at.success and _query(demo_copy, "SELECT count(*) FROM accounts WHERE city = 'Zrenjanin'") == 0


def test_grid_edit_is_saved_as_one_batch(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data")
    at.text_input(key="data_search").input("Alfa").run()
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Zrenjanin"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert "Saved as batch" in at.success[0].value
    assert _query(demo_copy, "SELECT count(*) FROM accounts WHERE city = 'Zrenjanin' AND name ILIKE '%Alfa%'") == 1


def test_grid_problems_are_shown_in_their_rows_and_nothing_is_saved(demo_copy: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    before = _query(demo_copy, "SELECT count(*) FROM audit_log")
    at.session_state["data_grid"] = {"edited_rows": {0: {"employees": -4}}, "added_rows": [{"name": "Half"}],
                                     "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(t("data.problems_in_rows", "sr", count=5, rows=2)[:20])
    problems = at.dataframe[0].value[PROBLEMS_COLUMN]  # the grid itself, not a separate table
    assert problems.iloc[0].startswith(t("data.field.employees", "sr") + " (-4): ")
    assert t("data.field.country", "sr") in problems.iloc[-1]
    assert len(at.dataframe) == 1
    assert _query(demo_copy, "SELECT count(*) FROM audit_log") == before


def test_a_stale_grid_save_says_who_changed_the_row(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data")
    at.text_input(key="data_search").input("Alfa").run()
    first = _query(demo_copy, "SELECT id FROM accounts WHERE name ILIKE '%Alfa%' ORDER BY name, id LIMIT 1")
    # Another browser (its own process-wide store is the same file: write through the app's store).
    from research.ui.workspace import _open_store
    from research import config

    with _open_store(config.database()).transaction("bob") as tx:
        tx.update("accounts", first, {"city": "Sombor"})
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Vršac"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert not at.exception
    assert "changed by bob" in at.error[0].value


def test_paste_import_check_import_and_undo(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data")
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(
        "Назив;Држава;Делатност;Статус;Запослени\nМлекара Шабац;RS;Food & beverage;купац;1.200\nBad;RS;Logistics;x;-1\n"
    ).run()
    assert at.selectbox(key="data_map_accounts_name").value == "Назив"
    at.button(key="data_check").click().run()
    assert_clean_but_problems = [e.value for e in at.error]
    assert assert_clean_but_problems == [t("data.problems_file", "en")]
    at.text_area(key="data_import_paste").input(
        "Назив;Држава;Делатност;Статус;Запослени\nМлекара Шабац;RS;Food & beverage;купац;1.200\n").run()
    at.button(key="data_check").click().run()
    assert_clean(at)
    at.button(key="data_import_go").click().run()
    assert_clean(at)
    assert "Imported as batch" in at.success[0].value
    assert _query(demo_copy, "SELECT employees FROM accounts WHERE name = 'Млекара Шабац'") == 1200
    batch = _query(demo_copy, "SELECT max(batch_id) FROM data_imports")
    at.session_state["data_view"] = "history"
    at.run()
    at.number_input(key="data_undo_batch").set_value(batch)
    at.checkbox(key="data_undo_confirm").check().run()
    at.button(key="data_undo_go").click().run()
    assert_clean(at)
    assert f"Batch {batch} undone" in at.success[0].value
    assert _query(demo_copy, "SELECT count(*) FROM accounts WHERE name = 'Млекара Шабац'") == 0


def test_paste_a_dataset_and_prepare_a_backup(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    at.session_state["data_view"] = "dataset"
    at.run()
    at.text_input(key="data_ds_name").input("sajam").run()
    at.radio(key="data_ds_source").set_value("paste").run()
    at.text_area(key="data_ds_paste").input("Firma,Posetioci\nA,10\nB,20\n").run()
    at.button(key="data_ds_go").click().run()
    assert_clean(at)
    assert "ds_sajam" in at.success[0].value
    assert _query(demo_copy, "SELECT sum(posetioci) FROM ds_sajam") == 30
    at.session_state["data_view"] = "backup"
    at.run()
    at.button(key="data_backup_make").click().run()
    assert_clean(at)
    assert at.get("download_button")
