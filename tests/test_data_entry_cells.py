"""Data entry at the cell (issue 17 item 7): a refused save shows each message in its row and keeps the
edits for fixing in place; web addresses, e-mail addresses and negative counts are checked; the grid says
what a save will do before it does it and deletions need a tick; codes are shown by their names in both
languages and saved as codes; the change log reads in words."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import checksums, file_checksums, plan_for
from page_helpers import assert_clean, run_app

from research.data import entities, fields, grid, undo
from research.errors import ConflictError
from research.i18n import MESSAGES, country_name, t
from research.store import Store
from research.ui.data import PROBLEMS_COLUMN

ACCOUNTS = entities.get_entity("accounts")
LANGS = ["en", "sr"]


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    store = Store.open(str(db))
    try:
        return store.query_rows(sql, params)
    finally:
        store.close()


def _first_accounts(db: Path, n: int) -> list[dict]:
    """The grid's first rows (accounts by name, then id) as stored."""
    return _rows(db, "SELECT id, name, employees, website, city, status, country FROM accounts ORDER BY name, id LIMIT ?",
                 [n])


def _grid(at) -> pd.DataFrame:
    return at.dataframe[0].value


def _grid_config(at) -> dict:
    return json.loads(at.dataframe[0].proto.columns)


def _problem(lang: str, key: str, **params: object) -> str:
    return entities.problem_text(entities.problem(1, "x", "", key, **params), lang)


# ---- a refused save: messages in their rows, edits kept, nothing stored -----------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_save_marks_its_rows_keeps_the_edits_and_stores_nothing(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    first, second, third = _first_accounts(demo_copy, 3)
    before = file_checksums(demo_copy)
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    at.session_state["data_grid"] = {
        "edited_rows": {0: {"employees": -7}, 1: {"website": "not a website"}, 2: {"city": "Zrenjanin"}},
        "added_rows": [{"name": "Half"}], "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert not at.exception
    assert at.error[0].value == t("data.problems_in_rows", lang, count="6", rows="3")
    shown = _grid(at)
    notes = shown[PROBLEMS_COLUMN]
    assert notes.iloc[0] == f"{t('data.field.employees', lang)} (-7): {_problem(lang, 'data.problem.negative')}"
    assert notes.iloc[1] == (f"{t('data.field.website', lang)} (not a website): "
                             + _problem(lang, "data.problem.not_web_address", url="https://example.com",
                                        domain="example.com"))
    assert notes.iloc[2] == ""  # a good edit has no message …
    assert shown["city"].iloc[2] == "Zrenjanin"  # … and stays in the grid with the refused ones
    assert shown["employees"].iloc[0] == -7 and shown["website"].iloc[1] == "not a website"
    added = shown.iloc[-1]
    assert added["name"] == "Half" and pd.isna(added["id"])
    assert t("data.problem.required", lang) in added[PROBLEMS_COLUMN]
    assert t("data.field.country", lang) in added[PROBLEMS_COLUMN]
    # The refused rows' read-only cells are coloured (an editor can style only those).
    styles = at.dataframe[0].proto.arrow_data.styler.styles
    assert "row0_col0" in styles and "row1_col0" in styles and "row2_col0" not in styles and "#fdecea" in styles
    assert file_checksums(demo_copy) == before

    # Fixed in place: the good edit still counts, the added row is dropped again, all in one batch.
    at.session_state["data_grid"] = {"edited_rows": {0: {"employees": 7}, 1: {"website": "example.com"}},
                                     "added_rows": [], "deleted_rows": [len(shown) - 1]}
    at.run()
    assert at.info[0].value == t("data.pending", lang, changed="3", added="0", deleted="0")
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert at.success[0].value.startswith(t("data.saved", lang, batch=2, inserted=0, updated=3, deleted=0))
    after = {r["id"]: r for r in _first_accounts(demo_copy, 3)}
    assert after[first["id"]]["employees"] == 7
    assert after[second["id"]]["website"] == "example.com"
    assert after[third["id"]]["city"] == "Zrenjanin"
    assert _rows(demo_copy, "SELECT count(*) AS n FROM accounts WHERE name = 'Half'")[0]["n"] == 0
    assert PROBLEMS_COLUMN not in _grid(at).columns


def test_a_second_refusal_keeps_edits_made_after_the_first(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _first_accounts(demo_copy, 2)
    at = run_app(demo_copy, monkeypatch, page="data")
    at.session_state["data_grid"] = {"edited_rows": {0: {"employees": -7}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    at.session_state["data_grid"] = {"edited_rows": {1: {"website": "no dot"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    notes = _grid(at)[PROBLEMS_COLUMN]
    assert "(-7)" in notes.iloc[0] and "(no dot)" in notes.iloc[1]
    assert _first_accounts(demo_copy, 2) == [first, second]


# ---- negative counts, web and e-mail addresses ---------------------------------------------------


def test_minus_seven_employees_is_refused_on_every_path_and_never_stored_as_seven(demo: Store) -> None:
    # coerce_frame (grid, imports, forms) reads every way a file writes minus seven, and refuses it.
    raw = pd.DataFrame({"employees": ["-7", "−7", "(7)", "- 7", "7"]}, dtype=object)
    coerced = entities.coerce_frame(ACCOUNTS, raw, fill_defaults=False)
    assert [(p.row, p.key) for p in coerced.problems] == [(r, "data.problem.negative") for r in (1, 2, 3, 4)]
    assert coerced.problems[0].reason == "cannot be negative (below the smallest allowed value 0)"
    # The grid: a number cell the editor hands over as -7.
    page = grid.load_page(demo, ACCOUNTS, page_size=5)
    before = checksums(demo)
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(demo, ACCOUNTS, page.frame, {"edited_rows": {0: {"employees": -7}}}, "ana")
    assert [(p.row, p.column, p.value, p.key) for p in refused.value.problems] == [
        (1, "employees", "-7", "data.problem.negative")]
    # An import of the same value.
    plan = plan_for(demo, "accounts", b"name,country,industry,status,employees\nMinus,RS,Retail,prospect,-7\n")
    assert [(p.row, p.column, p.key) for p in plan.problems] == [(2, "employees", "data.problem.negative")]
    assert checksums(demo) == before


@pytest.mark.parametrize("lang", LANGS)
def test_number_columns_leave_bounds_to_the_save(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    # Pins the bug: with min_value=0 the browser's number editor drops the minus of "-7" and stores 7;
    # past max_value it clamps. The grid's number columns carry no bounds; the save refuses with a message.
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    config = _grid_config(at)
    for name in ("employees", "annual_revenue"):
        assert config[name]["type_config"] == {"type": "number"}, config[name]
    at.session_state["data_grid"] = {"edited_rows": {0: {"employees": -7}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert _problem(lang, "data.problem.negative") in _grid(at)[PROBLEMS_COLUMN].iloc[0]


@pytest.mark.parametrize("address", ["not a website", "notawebsite", "http://", "http://-.-", "a.b", "ftp://acme.rs",
                                     "javascript:alert(1)", "acme .rs", "acme..rs", "mailto:ana@acme.rs", "www"])
def test_what_is_not_a_web_address_is_refused(address: str) -> None:
    raw = pd.DataFrame({"website": [address]}, dtype=object)
    problems = entities.coerce_frame(ACCOUNTS, raw, fill_defaults=False).problems
    assert [(p.column, p.key) for p in problems] == [("website", "data.problem.not_web_address")]
    assert problems[0].reason == "not a web address (e.g. https://example.com or example.com)"


@pytest.mark.parametrize("address", ["example.com", "https://www.acme.co.uk/shop?x=1#top", "http://localhost:8501/x",
                                     "acme-boxes.rs", "пример.срб", "http://10.0.0.7/", "xn--90a3ac.xn--p1ai"])
def test_web_addresses_are_taken_as_written(address: str) -> None:
    raw = pd.DataFrame({"website": [address]}, dtype=object)
    coerced = entities.coerce_frame(ACCOUNTS, raw, fill_defaults=False)
    assert coerced.problems == [] and coerced.frame["website"].iloc[0] == address


def test_email_fields_are_checked() -> None:
    # No built-in table has an e-mail field yet; a field of kind "email" is checked like a website.
    people = entities.Entity("people", "people", (entities.Field("email", kind="email"),), natural_key=("email",))
    raw = pd.DataFrame({"email": ["ana@acme.rs", "Ana.Petrović+sales@пример.срб", "ana@", "ana acme.rs",
                                  "ana@acme", "-", ""]}, dtype=object)
    coerced = entities.coerce_frame(people, raw, fill_defaults=False)
    assert [(p.row, p.value, p.key) for p in coerced.problems] == [
        (3, "ana@", "data.problem.not_email"), (4, "ana acme.rs", "data.problem.not_email"),
        (5, "ana@acme", "data.problem.not_email")]
    assert coerced.frame["email"].isna().tolist() == [False, False, False, False, False, True, True]


@pytest.mark.parametrize("lang", LANGS)
def test_an_import_names_the_field_and_the_reason_in_the_viewers_language(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    before = file_checksums(demo_copy)
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(
        "name,country,industry,status,employees,website\nMinus,RS,Retail,prospect,-7,not a website\n").run()
    # Columns whose values do not fit are not suggested: the person maps them on purpose.
    at.selectbox(key="data_map_accounts_employees").select("employees")
    at.selectbox(key="data_map_accounts_website").select("website").run()
    at.button(key="data_check").click().run()
    assert at.error[0].value == t("data.problems_file", lang)
    problems = at.dataframe[-1].value
    assert problems.iloc[:, 1].tolist() == [t("data.field.employees", lang), t("data.field.website", lang)]
    assert problems.iloc[:, 3].tolist() == [
        _problem(lang, "data.problem.negative"),
        _problem(lang, "data.problem.not_web_address", url="https://example.com", domain="example.com")]
    assert file_checksums(demo_copy) == before


def test_possible_duplicates_are_explained_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    existing = _first_accounts(demo_copy, 1)[0]["name"]
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(
        f"name,country,industry,status\n{existing},RS,Retail,prospect\nNova firma,RS,Retail,prospect\n"
        "Nova firma,RS,Retail,prospect\n").run()
    at.button(key="data_check").click().run()
    assert_clean(at)
    table = at.dataframe[-1].value
    assert table.iloc[:, 2].tolist() == [t("data.duplicate.same_name", "sr"),
                                         t("data.duplicate.same_in_file", "sr", row=3)]
    # The existing row a line matches (legal forms aside, "Alfa Agrar DOOEL" is "Alfa Agrar Kft."), or "–".
    assert table.iloc[0, 3].isdigit() and table.iloc[0, 4].startswith(existing.split()[0])
    assert table.iloc[1, 3] == table.iloc[1, 4] == "–"


# ---- what will be saved, and deletions confirmed ---------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_grid_says_what_a_save_will_do_and_deletions_need_a_tick(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    doomed = [r["id"] for r in _first_accounts(demo_copy, 4)[2:]]
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    assert t("data.pending_none", lang) in [c.value for c in at.caption]
    at.session_state["data_grid"] = {
        # Row 1's city set to what it already is: not a change.
        "edited_rows": {0: {"city": "Vršac"}, 1: {"city": _first_accounts(demo_copy, 2)[1]["city"]}},
        "added_rows": [{"name": "Mlekara Vršac", "country": country_name("RS", lang), "industry": "Retail",
                        "status": t("status.prospect", lang)}],
        "deleted_rows": [2, 3]}
    at.run()
    assert at.info[0].value == t("data.pending", lang, changed="1", added="1", deleted="2")
    before = file_checksums(demo_copy)
    at.button(key="data_save").click().run()
    assert at.warning[0].value == t("data.confirm_delete_first", lang, deleted="2")
    assert file_checksums(demo_copy) == before
    at.checkbox(key="data_confirm_delete").check().run()
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert at.success[0].value.startswith(t("data.saved", lang, batch=2, inserted=1, updated=1, deleted=2))
    assert _rows(demo_copy, f"SELECT count(*) AS n FROM accounts WHERE id IN ({doomed[0]}, {doomed[1]})")[0]["n"] == 0
    assert _rows(demo_copy, "SELECT country, region, status FROM accounts WHERE name = 'Mlekara Vršac'") == [
        {"country": "RS", "region": "Western Balkans", "status": "prospect"}]
    assert not at.checkbox  # the tick does not carry over to the next deletion


def test_pending_changes_count_only_real_differences(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, page_size=5).frame
    first = page.iloc[0]
    same = {"employees": int(first["employees"]), "first_contact": first["first_contact"].strftime("%Y-%m-%d"),
            "archived": bool(first["archived"]), "name": first["name"]}
    rows, origin = grid.apply_edits(page, range(len(page)), {"edited_rows": {0: same}, "added_rows": [{}]})
    pending = grid.pending_changes(page, rows, origin, ACCOUNTS.field_names)
    assert pending.empty  # the same values typed again, and an empty new row, change nothing
    rows, origin = grid.apply_edits(page, range(len(page)), {"edited_rows": {0: {"first_contact": "2020-01-02"}},
                                                             "deleted_rows": [4]})
    pending = grid.pending_changes(page, rows, origin, ACCOUNTS.field_names)
    assert pending.edited == {0: {"first_contact": "2020-01-02"}} and pending.deleted == [4] and not pending.added


# ---- codes by their names, saved as codes ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_status_and_country_are_shown_by_name_and_saved_as_codes(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    first = _first_accounts(demo_copy, 1)[0]
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    shown = _grid(at)
    labels = {t(f"status.{c}", lang) for c in ("customer", "prospect", "lost")}
    assert set(shown["status"]) <= labels and not set(shown["status"]) & {"customer", "prospect", "lost"}
    assert shown["country"].iloc[0] == country_name(first["country"], lang)
    config = _grid_config(at)
    assert config["status"]["type_config"]["options"] == [t(f"status.{c}", lang) for c in ("customer", "prospect", "lost")]
    assert "RS" not in config["country"]["type_config"]["options"]
    assert at.selectbox(key="data_filter_status").options == [
        t("data.filter.any", lang), *(t(f"status.{c}", lang) for c in ("customer", "prospect", "lost"))]
    new_status = "lost" if first["status"] != "lost" else "customer"
    at.session_state["data_grid"] = {"edited_rows": {0: {"status": t(f"status.{new_status}", lang),
                                                         "country": country_name("HU", lang),
                                                         "region": "Central Europe"}},
                                     "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.info[0].value == t("data.pending", lang, changed="1", added="0", deleted="0")
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert _rows(demo_copy, "SELECT status, country, region FROM accounts WHERE id = ?", [first["id"]]) == [
        {"status": new_status, "country": "HU", "region": "Central Europe"}]


def test_a_filter_keeps_the_stored_value_while_showing_its_name(demo_copy: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    at.selectbox(key="data_filter_status").select("customer").run()
    assert_clean(at)
    assert set(_grid(at)["status"]) == {t("status.customer", "sr")}
    countries = at.selectbox(key="data_filter_country").options
    assert country_name("RS", "sr") in countries and "RS" not in countries
    at.selectbox(key="data_filter_country").select("RS").run()
    assert set(_grid(at)["country"]) == {country_name("RS", "sr")}


def test_positioning_is_shown_by_name_for_companies(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    at.selectbox(key="data_entity").select("companies").run()
    assert_clean(at)
    shown = set(_grid(at)["price_positioning"].dropna())
    assert shown and shown <= {t(f"data.choice.price_positioning.{c}", "sr") for c in ("budget", "mid", "premium")}


def test_every_coded_name_maps_back_to_one_value() -> None:
    for lang in LANGS:
        for entity in (ACCOUNTS, entities.get_entity("companies")):
            for name, names in grid.choice_labels(entity, lang).items():
                assert len(set(names.values())) == len(names), (lang, entity.name, name)


def test_custom_choice_fields_are_shown_as_the_workspace_wrote_them(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "tier", "choice", label_en="Tier", label_sr="Ниво", choices=["Gold", "Silver"])
    assert "tier" not in grid.choice_labels(fields.entity_for(demo, "accounts"), "sr")


# ---- errors and the change log in the viewer's language ---------------------------------------


def test_a_stale_save_is_refused_in_serbian_with_who_and_when(demo_copy: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from research import config
    from research.ui.workspace import _open_store

    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    first = _first_accounts(demo_copy, 1)[0]["id"]
    with _open_store(config.database()).transaction("bob") as tx:
        tx.update("accounts", first, {"city": "Sombor"})
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Vršac"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    message = at.error[0].value
    assert message.startswith(f"**{t('error.title.ConflictError', 'sr')}**")
    assert f"ред {first} је изменио корисник bob" in message
    assert _rows(demo_copy, "SELECT city FROM accounts WHERE id = ?", [first]) == [{"city": "Sombor"}]


def test_stale_rows_are_named_with_who_changed_them(demo: Store) -> None:
    page = grid.load_page(demo, ACCOUNTS, page_size=3)
    ids = [int(i) for i in page.frame["id"]]
    with demo.transaction("bob") as tx:
        tx.update("accounts", ids[0], {"city": "Sombor"})
        tx.update("accounts", ids[1], {"city": "Sombor"})
    with pytest.raises(ConflictError) as refused:
        grid.save_grid(demo, ACCOUNTS, page.frame, {"edited_rows": {0: {"city": "A"}, 1: {"city": "B"}}}, "ana")
    assert refused.value.key == "data.error.stale_many"
    assert refused.value.message.startswith(f"Not saved: rows {ids[0]}, {ids[1]} were changed by bob")


@pytest.mark.parametrize("lang", LANGS)
def test_the_change_log_reads_in_words(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang=lang)
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Vršac"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    at.session_state["data_view"] = "history"
    at.run()
    assert_clean(at)
    log = at.dataframe[0].value
    assert log.columns.tolist() == [t(f"data.col.{c}", lang) for c in
                                    ("batch", "when", "actor", "tables", "rows", "actions", "file", "undone_by")]
    saved, demo_built = log.iloc[0], log.iloc[1]
    assert saved[t("data.col.tables", lang)] == t("data.table.accounts", lang)
    assert saved[t("data.col.actions", lang)] == t("action.update", lang)
    assert demo_built[t("data.col.tables", lang)] == t("changes.all_tables", lang)
    assert demo_built[t("data.col.actions", lang)] == t("action.bulk", lang)
    cells = [str(v) for v in log.to_numpy().ravel()]
    assert not {"None", "nan", "<NA>", "NaT", "accounts", "update", "bulk", "*"} & set(cells)
    assert saved[t("data.col.file", lang)] == "–" and saved[t("data.col.undone_by", lang)] == "–"


def test_tables_are_named_in_words(demo: Store) -> None:
    assert entities.table_label("deck_slides", "en") == "Deck slides"
    assert entities.table_label("deck_slides", "sr") == "Слајдови презентација"
    assert entities.table_label("ds_sajam", "sr") == "Скуп података sajam"
    assert entities.table_label("*", "sr") == t("changes.all_tables", "sr")
    # Every table of a workspace that its change log can name has its own words in both languages
    # (a new table needs a `data.table.<name>` message; datasets are named by their name).
    for table in demo.tables():
        if not table.startswith(("ds_", "_")) and table not in ("audit_log", "schema_version"):
            assert f"data.table.{table}" in MESSAGES, table


def test_undo_blockers_are_listed_in_words(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    first = _first_accounts(demo_copy, 1)[0]["id"]
    at.session_state["data_grid"] = {"edited_rows": {0: {"city": "Vršac"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    from research import config
    from research.ui.workspace import _open_store

    with _open_store(config.database()).transaction("bob") as tx:
        tx.update("accounts", first, {"city": "Sombor"})
    at.session_state["data_view"] = "history"
    at.run()
    at.number_input(key="data_undo_batch").set_value(2)
    at.checkbox(key="data_undo_confirm").check().run()
    at.button(key="data_undo_go").click().run()
    assert at.error[0].value == t("data.undo_blocked", "sr", batch=2, count="1")
    blockers = at.dataframe[-1].value
    assert blockers.iloc[0].tolist()[:3] == [t("data.table.accounts", "sr"), str(first), "bob"]
    assert undo.list_batches(_open_store(config.database()))["undone_by"].isna().all()
