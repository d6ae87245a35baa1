"""Custom fields where people meet them (issue 15): the Data page's Fields view, the grid,
exports that import back, and the company profile form on the Competitors page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import checksums
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.competitors import profiles
from research.data import export, fields, grid, imports, mapping, reading, undo
from research.errors import ValidationError
from research.i18n import t
from research.query import saved
from research.store import Store
from research.ui.text import escape_markdown
from tests.test_access_pages import signed_app


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _with_fields(store: Store) -> None:
    """Accounts with one custom field of each kind, and values in the first two accounts."""
    for name, kind, labels, choices in (
        ("fortune_rank", "int", ("Fortune rank", "Ранг на листи"), None),
        ("ticker", "text", ("Ticker", "Берзанска ознака"), None),
        ("tier", "choice", ("Tier", "Ниво"), ["Gold", "Silver"]),
        ("profit", "money", ("Profit", "Добит"), None),
        ("margin", "percent", ("Margin", "Маржа"), None),
        ("listed_on", "date", ("Listed on", "Уврштена"), None),
        ("public", "bool", ("Listed company", "Јавно предузеће"), None),
        ("score", "number", ("Score", "Оцена"), None),
    ):
        fields.add_field(store, "ana", "accounts", name, kind, label_en=labels[0], label_sr=labels[1], choices=choices)
    first, second = (r["id"] for r in store.query_rows("SELECT id FROM accounts ORDER BY name, id LIMIT 2"))
    with store.transaction("ana") as tx:
        tx.update("accounts", first, {"fortune_rank": 1, "ticker": "=HYPERLINK(\"x\")", "tier": "Gold",
                                      "profit": 1234.56, "margin": 12.5, "listed_on": "2020-02-03", "public": True,
                                      "score": 0.125})
        tx.update("accounts", second, {"fortune_rank": 2, "ticker": "ACME", "public": False})


def _custom(store: Store) -> list[dict]:
    return store.query_rows("SELECT id, fortune_rank, ticker, tier, profit, margin, listed_on, public, score "
                            "FROM accounts ORDER BY id")


def _query(db: Path, sql: str, params: list | None = None):
    store = Store.open(str(db))
    try:
        return store.query_rows(sql, params)
    finally:
        store.close()


def _fields_page(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> AppTest:
    at = run_app(db, monkeypatch, page="data", lang=lang)
    at.session_state["data_view"] = "fields"
    at.run()
    assert_clean(at)
    return at


# ---- the field manager ------------------------------------------------------------------


def test_field_manager_adds_renames_and_removes_a_field_after_confirmation(demo_copy: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    at = _fields_page(demo_copy, monkeypatch)
    assert t("data.fields.none", "en") in [i.value for i in at.info]
    at.text_input(key="data_fields_add_name").input("fortune_rank")
    at.selectbox(key="data_fields_add_kind").select("int")
    at.text_input(key="data_fields_add_label_en").input("Fortune rank")
    at.text_input(key="data_fields_add_label_sr").input("Ранг на листи")
    at.button(key="data_fields_add_submit").click().run()
    assert_clean(at)
    assert at.success[0].value == t("data.fields.added", "en", name=escape_markdown("fortune_rank"))
    listed = at.dataframe[0].value
    assert listed.iloc[0].tolist() == ["fortune_rank", t("data.fields.kind.int", "en"), "Fortune rank",
                                       "Ранг на листи", "", 0]
    assert at.text_input(key="data_fields_add_name").value == "", "the add form starts empty again"
    store = Store.open(str(demo_copy))
    try:
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET fortune_rank = 7 WHERE id IN (SELECT id FROM accounts ORDER BY id LIMIT 3)")
    finally:
        store.close()

    at.run()
    at.selectbox(key="data_fields_change_pick").select("fortune_rank").run()
    at.text_input(key="data_fields_change_accounts_fortune_rank_name").input("rank_2026")
    at.text_input(key="data_fields_change_accounts_fortune_rank_label_en").input("Rank 2026")
    at.button(key="data_fields_change_accounts_fortune_rank_submit").click().run()
    assert_clean(at)
    assert at.success[0].value == t("data.fields.changed", "en", name=escape_markdown("rank_2026"))
    assert at.dataframe[0].value.iloc[0].tolist()[:3] == ["rank_2026", t("data.fields.kind.int", "en"), "Rank 2026"]
    assert _query(demo_copy, "SELECT count(rank_2026) AS n FROM accounts")[0]["n"] == 3
    store = Store.open(str(demo_copy))
    try:  # saved SQL is text: a rename lists it as a use rather than rewriting it
        saved.save_query(store, "ana", name="Top ranks", sql="SELECT name FROM accounts WHERE rank_2026 < 10")
    finally:
        store.close()

    at.selectbox(key="data_fields_remove_pick").select("rank_2026").run()
    assert_clean(at)
    assert at.warning[0].value == t("data.fields.remove_rows", "en", rows="3", name=escape_markdown("rank_2026"))
    assert any("Top ranks" in m.value for m in at.main.markdown)  # the saved query that names it
    assert at.button(key="data_fields_remove_go").disabled, "nothing is removed before the confirmation"
    at.checkbox(key="data_fields_remove_accounts_rank_2026_confirm").check().run()
    at.button(key="data_fields_remove_go").click().run()
    assert_clean(at)
    assert at.success[0].value == t("data.fields.removed", "en", name=escape_markdown("rank_2026"), rows="3")
    assert t("data.fields.none", "en") in [i.value for i in at.info]
    assert _query(demo_copy, "SELECT count(*) AS n FROM custom_fields")[0]["n"] == 0
    assert not _query(demo_copy, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'accounts' "
                                 "AND column_name = 'rank_2026'")


def test_a_bad_field_name_is_refused_with_its_reason_and_nothing_is_added(demo_copy: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    at = _fields_page(demo_copy, monkeypatch, lang="sr")
    before = _query(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"]
    for name in ("Fortune Rank", "select", "employees"):
        at.text_input(key="data_fields_add_name").input(name)
        at.button(key="data_fields_add_submit").click().run()
        assert not at.exception
        assert len(at.error) == 1 and "Поље не може да се дода" in at.error[0].value, name
    assert "већ има уграђено поље" in at.error[0].value, "the reason is given in the page's language too"
    at.text_input(key="data_fields_add_name").input("segment_tier")
    at.selectbox(key="data_fields_add_kind").select("text")
    at.text_input(key="data_fields_add_choices").input("A, B")
    at.button(key="data_fields_add_submit").click().run()
    assert [e.value for e in at.error] == [f"**{escape_markdown(t('error.title.ValidationError', 'sr'))}** — "
                                           f"{escape_markdown(t('data.fields.choices_only', 'sr'))}"]
    assert _query(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"] == before
    assert not _query(demo_copy, "SELECT * FROM custom_fields")


def test_a_viewer_sees_the_fields_but_cannot_change_them(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        fields.add_field(store, "ana", "companies", "stock_symbol", "text", label_en="Stock symbol")
    finally:
        store.close()
    at = signed_app(demo_copy, monkeypatch, "someone@example.com", page="data", state={"data_view": "fields"})
    assert_clean(at)
    at.selectbox(key="data_fields_entity").select("companies").run()
    assert_clean(at)
    assert at.dataframe[0].value.iloc[0, 0] == "stock_symbol"
    assert t("data.fields.read_only", "en") in [c.value for c in at.caption]
    keys = {b.key for b in at.button}
    assert not {"data_fields_add_submit", "data_fields_remove_go"} & keys
    assert not at.get("form") and not at.text_input
    at.session_state["data_view"] = "edit"
    at.run()
    assert [w.value for w in at.warning] == [t("access.refused", "en", action=t("access.action.write", "en"))]


def test_fields_view_speaks_serbian(demo: Store, demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_fields(demo)
    at = _fields_page(demo_copy, monkeypatch, lang="sr")
    listed = at.dataframe[0].value
    assert list(listed.columns) == [t(f"data.fields.col.{c}", "sr")
                                    for c in ("name", "kind", "label_en", "label_sr", "choices", "rows")]
    assert listed.set_index(t("data.fields.col.name", "sr")).loc["tier", t("data.fields.col.choices", "sr")] \
        == "Gold, Silver"
    assert listed.set_index(t("data.fields.col.name", "sr")).loc["fortune_rank", t("data.fields.col.rows", "sr")] == 2


# ---- the grid ------------------------------------------------------------------------------


def test_grid_saves_checks_and_undoes_custom_fields(demo: Store) -> None:
    _with_fields(demo)
    accounts = fields.entity_for(demo, "accounts")
    page = grid.load_page(demo, accounts, page_size=10)
    assert {"fortune_rank", "margin", "public"} <= set(page.frame.columns)
    before, values_before = checksums(demo), _custom(demo)
    state = {"edited_rows": {2: {"fortune_rank": "x"}, 3: {"tier": "Bronze", "margin": "lots"}}}
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(demo, accounts, page.frame, state, "ana")
    found = {(p.row, p.column, p.value) for p in refused.value.problems}
    assert found == {(3, "fortune_rank", "x"), (4, "tier", "Bronze"), (4, "margin", "lots")}
    assert checksums(demo) == before

    target = int(page.frame.iloc[2]["id"])
    state = {"edited_rows": {2: {"fortune_rank": 42, "tier": "Silver", "margin": "7.5%", "listed_on": "03.04.2021",
                                 "public": True, "ticker": "NEWCO"}}}
    result = grid.save_grid(demo, accounts, page.frame, state, "ana")
    row = demo.query_rows("SELECT fortune_rank, tier, margin, listed_on::VARCHAR AS listed_on, public, ticker "
                          "FROM accounts WHERE id = ?", [target])[0]
    assert row == {"fortune_rank": 42, "tier": "Silver", "margin": 7.5, "listed_on": "2021-04-03", "public": True,
                   "ticker": "NEWCO"}
    after = json.loads(demo.query_rows("SELECT after FROM audit_log WHERE batch_id = ?", [result.batch_id])[0]["after"])
    assert after["fortune_rank"] == 42
    assert grid.load_page(demo, accounts, search="newco").frame["id"].tolist() == [target]  # custom text is searched

    undo.undo_batch(demo, result.batch_id, "ana")
    assert _custom(demo) == values_before


def test_grid_save_refuses_a_page_loaded_before_a_field_was_added(demo: Store) -> None:
    page = grid.load_page(demo, fields.entity_for(demo, "accounts"), page_size=5)
    fields.add_field(demo, "ana", "accounts", "fortune_rank", "int")
    with pytest.raises(ValidationError, match="fields changed since the page was loaded"):
        grid.save_grid(demo, fields.entity_for(demo, "accounts"), page.frame,
                       {"edited_rows": {0: {"fortune_rank": 3}}}, "ana")


def test_grid_on_the_data_page_shows_edits_and_refuses_custom_fields(demo_copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        _with_fields(store)
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="data", lang="sr")
    assert_clean(at)
    editor = (at.get("arrow_data_frame") or at.get("data_editor"))[0]
    config = json.loads(editor.proto.columns)
    assert config["fortune_rank"]["label"] == "Ранг на листи"
    assert config["tier"]["type_config"] == {"type": "selectbox", "options": ["Gold", "Silver"]}
    assert config["margin"]["type_config"]["type"] == "number"
    assert config["public"]["type_config"]["type"] == "checkbox"
    assert config["listed_on"]["type_config"]["type"] == "date"
    assert config["employees"]["label"] == t("data.field.employees", "sr")  # built-in labels as before

    first = _query(demo_copy, "SELECT id FROM accounts ORDER BY name, id LIMIT 1")[0]["id"]
    at.session_state["data_grid"] = {"edited_rows": {0: {"tier": "Platinum"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(t("data.problems_in_rows", "sr", count=1, rows=1)[:20])
    assert at.dataframe[0].value["__problems__"].iloc[0].startswith("Ниво (Platinum): ")  # in the row, by its label
    at.session_state["data_grid"] = {"edited_rows": {0: {"tier": "Silver", "fortune_rank": 9}}, "added_rows": [],
                                     "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert_clean(at)
    assert _query(demo_copy, "SELECT tier, fortune_rank FROM accounts WHERE id = ?", [first]) == [
        {"tier": "Silver", "fortune_rank": 9}]


# ---- exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_export_heads_custom_columns_by_label_and_imports_back_into_the_same_fields(demo: Store, lang: str) -> None:
    _with_fields(demo)
    accounts = fields.entity_for(demo, "accounts")
    data = export.export_csv(demo, accounts, lang=lang)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    labels = {f.name: f.label(lang) for f in accounts.fields if f.custom}
    assert set(labels.values()) <= set(frame.columns) and "employees" in frame.columns
    assert "'=HYPERLINK" in data.decode("utf-8-sig")  # formula text neutralised like other text
    before = _custom(demo)

    edited = frame.head(40).copy()
    edited.loc[1, labels["tier"]] = "Silver"
    edited.loc[1, labels["margin"]] = "3.25%"
    raw = reading.read_upload(edited.to_csv(index=False).encode("utf-8"), "accounts.csv")
    suggestion = mapping.suggest_for_file(accounts, raw, imports.reference_lookups(demo, accounts))
    assert {name: suggestion.mapping.get(name) for name in labels} == labels
    plan = imports.prepare_import(demo, accounts, raw, suggestion.mapping, "upsert")
    assert not plan.problems
    imports.apply_import(demo, plan, "ana")

    after = {r["id"]: r for r in _custom(demo)}
    second = int(frame.loc[1, "id"])
    assert (after[second]["tier"], after[second]["margin"]) == ("Silver", 3.25)
    unchanged = [r for r in before if r["id"] != second]
    assert [after[r["id"]] for r in unchanged] == unchanged  # every other value came back as it was


def test_a_label_that_another_field_answers_to_is_exported_under_the_column_name(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "revenue_2025", "money", label_en="Revenue")  # an alias of annual_revenue
    fields.add_field(demo, "ana", "accounts", "formula", "text", label_en="=cmd")
    fields.add_field(demo, "ana", "accounts", "ranking", "int", label_en="Rank")
    headers = export.export_headers(fields.entity_for(demo, "accounts"), "en")
    assert (headers["revenue_2025"], headers["formula"], headers["ranking"]) == ("revenue_2025", "formula", "Rank")


# ---- the company profile form ----------------------------------------------------------------


def test_profile_update_checks_custom_company_fields_by_the_same_schema(demo: Store) -> None:
    fields.add_field(demo, "ana", "companies", "stock_symbol", "text", label_en="Stock symbol")
    fields.add_field(demo, "ana", "companies", "market_share", "percent", label_en="Market share")
    fields.add_field(demo, "ana", "companies", "tier", "choice", choices=["A", "B"])
    company = profiles.find_company(demo, "GreenFold")
    saved_company = profiles.update_company(demo, "ana", company.id, company.version,
                                            custom={"stock_symbol": "GRF", "market_share": "12.5%", "tier": "B"})
    assert profiles.custom_values(demo, company.id) == {"stock_symbol": "GRF", "market_share": 12.5, "tier": "B"}
    before = checksums(demo)
    with pytest.raises(ValidationError) as refused:
        profiles.update_company(demo, "ana", company.id, saved_company.version, custom={"tier": "C"}, employees="12")
    assert "Tier 'C': unknown value; allowed: A, B" in refused.value.message
    with pytest.raises(ValidationError, match="no field ticker"):
        profiles.update_company(demo, "ana", company.id, saved_company.version, custom={"ticker": "X"})
    assert checksums(demo) == before
    added = profiles.add_company(demo, "ana", {"stock_symbol": "NEW", "market_share": ""}, name="Nova Pak")
    assert profiles.custom_values(demo, added.id) == {"stock_symbol": "NEW", "market_share": None, "tier": None}


def test_profile_form_edits_a_custom_company_field(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        fields.add_field(store, "ana", "companies", "stock_symbol", "text", label_en="Stock symbol",
                         label_sr="Берзанска ознака")
        fields.add_field(store, "ana", "companies", "listed", "bool", label_en="Listed")
        fields.add_field(store, "ana", "companies", "float", "percent", label_en="Free float")
        company = profiles.find_company(store, "GreenFold")
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="competitors")
    at.session_state["competitors_company"] = company.id
    at.session_state["competitors_view"] = "profile"
    at.run()
    at.toggle(key="competitors_edit_toggle").set_value(True).run()
    assert_clean(at)
    prefix = f"competitors_profile_{company.id}_"
    assert at.text_input(key=f"{prefix}custom_stock_symbol").label == "Stock symbol"
    at.text_input(key=f"{prefix}custom_stock_symbol").input("GRF")
    at.selectbox(key=f"{prefix}custom_listed").select("yes")
    at.button(key=f"{prefix}submit").click().run()
    assert_clean(at)
    assert _query(demo_copy, "SELECT stock_symbol, listed FROM companies WHERE id = ?", [company.id]) == [
        {"stock_symbol": "GRF", "listed": True}]
    shown = [x.value for x in at.text]
    assert "GRF" in shown and t("competitors.bool.yes", "en") in shown  # the profile's facts show them

    at.toggle(key="competitors_edit_toggle").set_value(True).run()
    at.text_input(key=f"{prefix}custom_stock_symbol").input("GRF2")
    at.text_input(key=f"{prefix}custom_float").input("lots")
    at.button(key=f"{prefix}submit").click().run()
    assert not at.exception
    assert "Free float 'lots': not a number" in at.error[0].value.replace("\\", "")
    assert _query(demo_copy, "SELECT stock_symbol FROM companies WHERE id = ?", [company.id]) == [
        {"stock_symbol": "GRF"}]
