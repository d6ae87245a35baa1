"""Custom fields (issue 15 item 1) and one schema per table (issue 16 item 1): the foundation.

A custom field is a real column of its table plus a `custom_fields` row; these tests pin
that both change together, that names cannot shadow anything, that the companies table
(which carries an index) can be renamed and shrunk, that undo and backups understand the
added columns, and that the profile form and the grid check company facts by one rule.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from research.cli import main
from research.competitors import profiles
from research.data import backup, fields, grid, undo
from research.data.entities import check_row, get_entity
from research.errors import StoreError, ValidationError
from research.store import Store


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def columns(store: Store, table: str) -> dict[str, str]:
    return {r["column_name"]: r["data_type"] for r in store.query_rows(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [table])}


# ---- add, list, rename, remove -------------------------------------------------------------


@pytest.mark.parametrize("kind, sql_type", [
    ("int", "BIGINT"), ("number", "DOUBLE"), ("money", "DECIMAL(18,2)"), ("percent", "DOUBLE"),
    ("text", "VARCHAR"), ("choice", "VARCHAR"), ("date", "DATE"), ("bool", "BOOLEAN"),
])
def test_each_kind_is_a_real_typed_column(demo: Store, kind: str, sql_type: str) -> None:
    added = fields.add_field(demo, "ana", "accounts", "extra", kind, label_sr="Dodatno",
                             choices=["A", "B"] if kind == "choice" else None)
    assert columns(demo, "accounts")["extra"] == sql_type
    assert [(f.name, f.kind, f.label("en"), f.label("sr")) for f in fields.list_fields(demo, "accounts")] == [
        ("extra", kind, "Extra", "Dodatno")]
    assert fields.entity_for(demo, "accounts").field("extra").custom
    assert added.sql_type == sql_type


@pytest.mark.parametrize("name, reason", [
    ("name", "built-in field"),
    ("revenue_eur", "computes or keeps itself"),
    ("select", "reserved SQL word"),
    ("Fortune Rank", "not a field name"),
    ("1st", "not a field name"),
    ("x" * 64, "not a field name"),
])
def test_a_name_cannot_shadow_anything(demo: Store, name: str, reason: str) -> None:
    before = columns(demo, "accounts")
    with pytest.raises(ValidationError, match=reason):
        fields.add_field(demo, "ana", "accounts", name, "int")
    assert columns(demo, "accounts") == before
    assert fields.list_fields(demo) == []


def test_a_second_field_of_the_same_name_is_refused(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "ticker", "text")
    with pytest.raises(ValidationError, match="already has a custom field called 'ticker'"):
        fields.add_field(demo, "ana", "accounts", "ticker", "int")


def test_bad_kinds_choices_and_entities_are_refused(demo: Store) -> None:
    with pytest.raises(ValidationError, match="not a field kind"):
        fields.add_field(demo, "ana", "accounts", "x", "colour")
    with pytest.raises(ValidationError, match="needs its values"):
        fields.add_field(demo, "ana", "accounts", "x", "choice")
    with pytest.raises(ValidationError, match="Only a choice field"):
        fields.add_field(demo, "ana", "accounts", "x", "int", choices=["A"])
    with pytest.raises(ValidationError, match="not one of them"):
        fields.add_field(demo, "ana", "deals", "x", "int")
    assert "x" not in columns(demo, "accounts")


def test_companies_fields_rename_and_remove_despite_the_one_us_index(demo: Store) -> None:
    fields.add_field(demo, "ana", "companies", "rank", "int")
    demo.query_df("UPDATE companies SET rank = id")
    renamed = fields.rename_field(demo, "ana", "companies", "rank", new_name="fortune_rank", label_sr="Rang")
    assert (renamed.name, renamed.label("sr")) == ("fortune_rank", "Rang")
    assert "fortune_rank" in columns(demo, "companies") and "rank" not in columns(demo, "companies")
    assert demo.query_value("SELECT count(fortune_rank) FROM companies") == demo.query_value(
        "SELECT count(*) FROM companies")
    assert fields.remove_field(demo, "ana", "companies", "fortune_rank") == demo.query_value(
        "SELECT count(*) FROM companies")
    assert "fortune_rank" not in columns(demo, "companies")
    # The index that keeps one company ours came back.
    assert demo.query_value("SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'companies_one_us'") == 1
    with pytest.raises(StoreError, match="duplicate key"):
        demo.query_df("UPDATE companies SET is_us = true")


def test_renaming_carries_saved_segments_along_and_lists_saved_queries(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "tier", "choice", choices=["gold", "silver"])
    definition = {"op": "and", "items": [{"field": "tier", "in": ["gold"]}, {"field": "region", "in": ["EU"]}]}
    with demo.transaction("ana") as tx:
        segment = tx.insert("segments", {"name": "Gold", "kind": "rule", "definition": json.dumps(definition)})
        tx.insert("saved_queries", {"name": "by tier", "sql": "SELECT tier, count(*) FROM accounts GROUP BY tier"})
    assert fields.field_uses(demo, "accounts", "tier") == [
        "segment 'Gold'", "saved query 'by tier' (its SQL mentions it)"]
    fields.rename_field(demo, "ana", "accounts", "tier", new_name="level")
    saved = json.loads(demo.query_value("SELECT definition FROM segments WHERE id = ?", [segment["id"]]))
    assert saved == {"op": "and", "items": [{"field": "level", "in": ["gold"]}, {"field": "region", "in": ["EU"]}]}
    with pytest.raises(ValidationError, match="segment 'Gold'"):
        fields.remove_field(demo, "ana", "accounts", "level")
    assert "level" in columns(demo, "accounts")
    fields.remove_field(demo, "ana", "accounts", "level", confirmed=True)
    assert "level" not in columns(demo, "accounts")


def test_a_choice_still_held_by_rows_cannot_be_dropped(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "tier", "choice", choices=["gold", "silver"])
    demo.query_df("UPDATE accounts SET tier = 'gold' WHERE id <= 3")
    with pytest.raises(ValidationError, match=r"'gold' \(3 rows\)"):
        fields.rename_field(demo, "ana", "accounts", "tier", choices=["silver", "bronze"])
    changed = fields.rename_field(demo, "ana", "accounts", "tier", choices=["gold", "silver", "bronze"])
    assert changed.choices == ("gold", "silver", "bronze")


def test_free_names_and_kinds_come_from_headers_and_values(demo: Store) -> None:
    assert fields.slug("Profit ($M)") == "profit_m"
    assert fields.slug("Ø Umsatz 2024") == "o_umsatz_2024"
    assert fields.slug("Приход (RSD)") == "prihod_rsd"
    assert fields.slug("Šifra kupca") == fields.slug("Шифра купца") == "sifra_kupca"
    assert fields.free_name(demo, "accounts", "Name") == "name_value"
    assert fields.free_name(demo, "accounts", "Order") == "order_value"
    assert fields.free_name(demo, "accounts", "Rank", taken=["rank"]) == "rank_value"
    cases = {
        ("$1,234", "-", "$5"): "money", ("1", "2", "n/a"): "int", ("1.5", "2"): "number",
        ("12%", "3.5%"): "percent", ("yes", "no", ""): "bool", ("2024-01-02", "-"): "date",
        ("CA", "NY"): "text", ("1", "0"): "int", ("12%", "3"): "text",
    }
    for cells, kind in cases.items():
        assert fields.infer_kind(pd.Series(cells)) == kind, cells
    assert fields.infer_kind(pd.Series(["1.234,5", "2,0"]), decimal=",") == "number"
    assert fields.infer_kind(pd.Series(["28.11.2026", "01.02.2025"])) == "date"


# ---- every write path checks custom values by the same rules --------------------------------


def test_grid_checks_and_saves_custom_values_and_undo_reverts_them(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "profit", "money")
    fields.add_field(demo, "ana", "accounts", "tier", "choice", choices=["gold", "silver"])
    entity = fields.entity_for(demo, "accounts")
    page = grid.load_page(demo, entity, search="", filters={}, page=1)
    assert {"profit", "tier"} <= set(page.frame.columns)
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"tier": "platinum"}}}, "ana")
    assert [(p.column, p.value) for p in refused.value.problems] == [("tier", "platinum")]
    first = int(page.frame["id"].iloc[0])
    result = grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"tier": "Gold", "profit": "1,250.50"}}}, "ana")
    assert demo.query_rows("SELECT tier, profit FROM accounts WHERE id = ?", [first]) == [
        {"tier": "gold", "profit": pytest.approx(1250.5)}]
    undo.undo_batch(demo, result.batch_id, "ana")
    assert demo.query_rows("SELECT tier, profit FROM accounts WHERE id = ?", [first]) == [
        {"tier": None, "profit": None}]


def test_undo_of_an_edit_made_before_a_field_existed_or_after_one_was_removed(demo: Store) -> None:
    entity = get_entity("accounts")
    page = grid.load_page(demo, entity, search="", filters={}, page=1)
    first = int(page.frame["id"].iloc[0])
    old_city = demo.query_value("SELECT city FROM accounts WHERE id = ?", [first])
    before = grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"city": "Novi Sad"}}}, "ana").batch_id
    fields.add_field(demo, "ana", "accounts", "ticker", "text")
    undo.undo_batch(demo, before, "ana")
    assert demo.query_value("SELECT city FROM accounts WHERE id = ?", [first]) == old_city

    entity = fields.entity_for(demo, "accounts")
    page = grid.load_page(demo, entity, search="", filters={}, page=1)
    edit = grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"ticker": "ACME", "city": "Niš"}}}, "ana")
    fields.remove_field(demo, "ana", "accounts", "ticker")
    undo.undo_batch(demo, edit.batch_id, "ana")
    assert demo.query_value("SELECT city FROM accounts WHERE id = ?", [first]) == old_city


def test_a_value_in_a_new_field_blocks_undoing_an_older_edit_of_that_row(demo: Store) -> None:
    entity = get_entity("accounts")
    page = grid.load_page(demo, entity, search="", filters={}, page=1)
    first = int(page.frame["id"].iloc[0])
    batch = grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"city": "Novi Sad"}}}, "ana").batch_id
    fields.add_field(demo, "ana", "accounts", "ticker", "text")
    with demo.transaction("ben") as tx:
        tx.update("accounts", first, {"ticker": "ACME"})
    with pytest.raises(undo.UndoBlocked, match=f"accounts row {first}"):
        undo.undo_batch(demo, batch, "ana")


def test_field_changes_are_not_undone_from_the_change_log(demo: Store) -> None:
    fields.add_field(demo, "ana", "accounts", "ticker", "text")
    fields.rename_field(demo, "ana", "accounts", "ticker", label_en="Stock symbol")
    batch = demo.query_value("SELECT max(batch_id) FROM audit_log WHERE table_name = 'custom_fields'")
    with pytest.raises(ValidationError, match="renamed or removed a custom field"):
        undo.undo_batch(demo, batch, "ana")


# ---- one schema for companies: the profile form and the grid agree (issue 16 item 1) ----------


@pytest.mark.parametrize("values, accepted", [
    ({"name": "N" * 150}, True),
    ({"founded": 2090}, False),
    ({"employees": 20_000_000}, False),
    ({"website": "not a website"}, False),
    ({"website": "acme.rs"}, True),
    ({"revenue_estimate": "-5"}, False),
])
def test_profile_form_and_grid_accept_and_refuse_the_same_company_facts(demo: Store, values, accepted) -> None:
    company = profiles.get_company(demo, int(demo.query_value("SELECT min(id) FROM companies WHERE NOT is_us")))
    entity = get_entity("companies")
    page = grid.load_page(demo, entity, search=company.name, filters={}, page=1)
    row = int(page.frame.index[page.frame["id"] == company.id][0])
    via_grid: bool
    try:
        grid.save_grid(demo, entity, page.frame, {"edited_rows": {row: values}}, "ana")
        via_grid = True
    except grid.GridRefused:
        via_grid = False
    current = profiles.get_company(demo, company.id)
    try:
        profiles.update_company(demo, "ana", company.id, current.version, **values)
        via_form = True
    except ValidationError:
        via_form = False
    assert (via_grid, via_form) == (accepted, accepted)


def test_check_row_types_values_like_an_import() -> None:
    companies = get_entity("companies")
    assert check_row(companies, {"name": " Acme ", "founded": "1999", "revenue_estimate": "1,234.5",
                                 "hq_country": "Serbia"}) == {
        "name": "Acme", "founded": 1999, "revenue_estimate": 1234.5, "hq_country": "RS"}
    with pytest.raises(ValidationError, match="has no field"):
        check_row(companies, {"colour": "red"})


# ---- backups carry custom fields, and refuse columns nobody described --------------------------


def test_backup_and_restore_keep_custom_fields(demo: Store, tmp_path: Path) -> None:
    fields.add_field(demo, "ana", "accounts", "fortune_rank", "int")
    fields.add_field(demo, "ana", "companies", "certified", "bool")
    demo.query_df("UPDATE accounts SET fortune_rank = id WHERE id <= 50")
    backup.backup_workspace(demo, str(tmp_path / "bk"))
    restored = tmp_path / "restored.duckdb"
    backup.restore_workspace(str(tmp_path / "bk"), str(restored))
    again = Store.open(str(restored), read_only=True)
    try:
        assert again.query_value("SELECT count(fortune_rank) FROM accounts") == 50
        assert [f.name for f in fields.list_fields(again)] == ["fortune_rank", "certified"]
    finally:
        again.close()


def test_a_restore_refuses_an_added_column_that_no_custom_field_describes(demo: Store, tmp_path: Path) -> None:
    fields.add_field(demo, "ana", "accounts", "fortune_rank", "int")
    backup.backup_workspace(demo, str(tmp_path / "bk"))
    schema = tmp_path / "bk" / "schema.sql"
    text = schema.read_text("utf-8")
    assert "fortune_rank BIGINT" in text
    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "bk", tampered)
    (tampered / "schema.sql").write_text(text.replace("fortune_rank BIGINT", "fortune_rank VARCHAR"), "utf-8")
    with pytest.raises(ValidationError, match="disagree"):
        backup.restore_workspace(str(tampered), str(tmp_path / "a.duckdb"))
    (tampered / "schema.sql").write_text(
        text.replace("fortune_rank BIGINT", "fortune_rank BIGINT DEFAULT(42)"), "utf-8")
    with pytest.raises(ValidationError, match="differently from Vantage's schema"):
        backup.restore_workspace(str(tampered), str(tmp_path / "b.duckdb"))
    assert not (tmp_path / "a.duckdb").exists() and not (tmp_path / "b.duckdb").exists()


# ---- the CLI ------------------------------------------------------------------------------------


def test_field_cli_adds_lists_renames_and_removes(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(demo_copy)]
    assert main(["field", "add", "accounts", "tier", "choice", "--choices", "gold, silver", "--label-sr", "Nivo", *db]) == 0
    assert main(["field", "list", "accounts", "--json", *db]) == 0
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert listed == [{"entity": "accounts", "name": "tier", "kind": "choice", "label_en": "Tier",
                       "label_sr": "Nivo", "choices": ["gold", "silver"]}]
    assert main(["field", "rename", "accounts", "tier", "--to", "level", *db]) == 0
    assert "is now level" in capsys.readouterr().out
    assert main(["field", "remove", "accounts", "level", *db]) == 0
    assert main(["field", "list", *db]) == 0
    assert "No custom fields" in capsys.readouterr().out


def test_field_cli_refuses_with_a_clear_error(demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["field", "add", "accounts", "name", "text", "--db", str(demo_copy)]) == 1
    assert "built-in field called 'name'" in capsys.readouterr().err
    missing = tmp_path / "typo.duckdb"
    assert main(["field", "list", "--db", str(missing)]) == 1
    assert "There is no workspace at" in capsys.readouterr().err
    assert not missing.exists()


def test_a_company_field_on_a_positioning_slide_follows_its_rename(demo: Store) -> None:
    fields.add_field(demo, "ana", "companies", "plants", "int")
    fields.add_field(demo, "ana", "accounts", "plants", "int")  # same name, other entity: not rewritten
    with demo.transaction("ana") as tx:
        deck = tx.insert("decks", {"name": "Board", "created_by": "ana"})
        slide = tx.insert("deck_slides", {"deck_id": deck["id"], "position": 1, "kind": "view", "title": "Map",
                                          "view": "compare.positioning",
                                          "params": json.dumps({"x": "plants", "y": "capability_avg"})})
        share = tx.insert("deck_slides", {"deck_id": deck["id"], "position": 2, "kind": "view", "title": "Share",
                                          "view": "overview.share", "params": json.dumps({"dimension": "plants"})})
    assert fields.field_uses(demo, "companies", "plants") == ["slide 'Map'"]
    assert fields.field_uses(demo, "accounts", "plants") == ["slide 'Share'"]
    fields.rename_field(demo, "ana", "companies", "plants", new_name="factories")
    params = {r["id"]: json.loads(r["params"]) for r in demo.query_rows("SELECT id, params FROM deck_slides")}
    assert params[slide["id"]] == {"x": "factories", "y": "capability_avg"}
    assert params[share["id"]] == {"dimension": "plants"}


def test_a_field_named_like_a_matrix_factor_leaves_matrix_weights_alone(demo: Store) -> None:
    """The attractiveness matrix keys its weights by factor (size, margin …), a prospect set by field."""
    fields.add_field(demo, "ana", "accounts", "margin", "percent")
    matrix = {"segments": [1], "weights": {"size": 20, "margin": 15, "growth": 10}}
    prospects = {"kind": "prospects", "points": {"in_target": 25}, "weights": {"margin": 10},
                 "factors": {"margin": "higher"}}
    with demo.transaction("ana") as tx:
        deck = tx.insert("decks", {"name": "Board", "created_by": "ana"})
        tx.insert("deck_slides", {"deck_id": deck["id"], "position": 1, "kind": "view", "title": "Matrix",
                                  "view": "segments.matrix", "params": json.dumps(matrix)})
        tx.insert("segment_weight_sets", {"name": "Scoring", "weights": json.dumps(prospects)})
    assert fields.field_uses(demo, "accounts", "margin") == ["weight set 'Scoring'"]
    fields.rename_field(demo, "ana", "accounts", "margin", new_name="gross_margin")
    assert json.loads(demo.query_value("SELECT params FROM deck_slides")) == matrix
    assert json.loads(demo.query_value("SELECT weights FROM segment_weight_sets")) == {
        **prospects, "weights": {"gross_margin": 10}, "factors": {"gross_margin": "higher"}}
