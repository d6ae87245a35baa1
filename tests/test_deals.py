"""Deals as an entity (issue 20 item 1): the grid with reasons, imports of CRM exports, the reason list,
a deal's reasons set as a whole, audit and undo, the demo's reasons and lost-deal signals.

Real demo workspaces (tests/conftest.py), real files in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import checksums

from research.data import export, fields, grid, imports, mapping, reading, reasons, undo
from research.data.entities import problem_text
from research.errors import ConflictError, ValidationError
from research.signals.generate import generate_signals
from research.store import Store
from research.store.core import REFERENCES

# A deals export as a CRM writes it: its own ids, account and competitor names, stage and result,
# amounts with thousands separators, in other currencies and `-` for none, dates as dd.mm.yyyy,
# reasons as names in English and in Serbian, separated by ; and ,.
CRM_EXPORT = (
    "Opportunity ID,Account Name,Stage,Result,Competitor,Amount,Currency,Close Date,Deal Owner,Win/Loss Reasons,Notes\n"
    "OPP-1001,Sloga Metal Kft.,Closed Lost,Closed Lost,CorruTech,\"12,500.00\",EUR,28.10.2026,Ana Petrović,"
    "Price; Lead time,Their quote was 9% lower\n"
    "OPP-1002,Avala Online Kft.,Closed Won,Won,Kartonaža Sava,\"4,200.50\",USD,15.10.2026,Marko Ilić,"
    "\"Рок испоруке, Однос с купцем\",\n"
    "OPP-1003,Dunav Transport GmbH,Negotiation,Open,,-,EUR,-,Ana Petrović,,Samples sent\n"
    "OPP-1004,Sloga Metal Kft.,Closed Lost,lost,PackPro International,\"1,480,000\",RSD,02.11.2026,Marko Ilić,quality,\n"
    "OPP-1005,Avala Online Kft.,Closed Lost,Изгубљен,GreenFold,-,EUR,30.09.2026,,Функције,Needed plastic-free\n"
)


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _deals(store: Store):
    return fields.entity_for(store, "deals")


def _codes(store: Store, deal_id: int) -> list[str]:
    return [r.reason.code for r in reasons.deal_reasons(store, deal_id)]


def _plan(store: Store, data: str, name: str = "crm-deals.csv", mode: str = "append") -> imports.ImportPlan:
    """As the CLI and the wizard do it: the mapping suggested from headers and values."""
    entity = _deals(store)
    raw = reading.read_upload(data.encode("utf-8"), name)
    suggestion = mapping.suggest_for_file(entity, raw, imports.reference_lookups(store, entity))
    return imports.prepare_import(store, entity, raw, suggestion.mapping, mode)


# ---- references ------------------------------------------------------------------------------


def test_deals_point_at_accounts_and_companies_so_deleting_one_with_deals_names_them(demo: Store) -> None:
    assert REFERENCES[("deals", "account_id")] == "accounts"
    assert REFERENCES[("deals", "competitor_id")] == "companies"
    account = demo.query_value("SELECT account_id FROM deals ORDER BY id LIMIT 1")
    n = demo.query_value("SELECT count(*) FROM deals WHERE account_id = ?", [account])
    with pytest.raises(ValidationError) as refused, demo.transaction("ana") as tx:
        tx.delete("accounts", account)
    assert f"{n:,} deals rows refer to it" in refused.value.message
    # A competitor whose only references are deals (its products and scores moved elsewhere first).
    rival = demo.query_value("SELECT id FROM companies WHERE name = 'GreenFold'")
    with demo.transaction("ana") as tx:
        for table in ("products", "capabilities", "swot_items", "company_features", "signals"):
            tx.execute(f"DELETE FROM {table} WHERE company_id = ?", [rival])
        tx.execute("UPDATE accounts SET supplier_company_id = NULL WHERE supplier_company_id = ?", [rival])
    lost = demo.query_value("SELECT count(*) FROM deals WHERE competitor_id = ?", [rival])
    assert lost
    page = grid.load_page(demo, fields.entity_for(demo, "companies"), search="GreenFold")
    with pytest.raises(ValidationError) as refused:
        grid.save_grid(demo, fields.entity_for(demo, "companies"), page.frame, {"deleted_rows": [0]}, "ana")
    assert f"{lost:,} deals rows refer to it" in refused.value.message


# ---- the grid ----------------------------------------------------------------------------------


def test_grid_adds_edits_and_deletes_deals_with_reasons_in_one_audited_batch_that_undoes(demo: Store) -> None:
    entity = _deals(demo)
    before = checksums(demo)
    page = grid.load_page(demo, entity, search="CorruTech", page_size=5)
    frame = page.frame
    # Reasons are one cell of codes; account and competitor by name.
    assert set(frame["competitor_id"]) == {"CorruTech"} and frame["reasons"].notna().all()
    edited, deleted = int(frame.at[0, "id"]), int(frame.at[1, "id"])
    gone_reasons = _codes(demo, deleted)
    state = {
        "edited_rows": {0: {"reasons": "Цена; Quality", "stage": "Lost review done"}},
        "added_rows": [{"account_id": "Sloga Metal Kft.", "outcome": "Closed Lost", "competitor_id": "CorruTech",
                        "value": "12,500", "reasons": "price, lead time", "closed_on": "2026-10-30"}],
        "deleted_rows": [1],
    }
    result = grid.save_grid(demo, entity, frame, state, "ana")
    assert (result.inserted, result.updated, result.deleted) == (1, 1, 1)
    assert _codes(demo, edited) == ["price", "quality"]
    new = demo.query_rows("SELECT * FROM deals WHERE id = (SELECT max(id) FROM deals)")[0]
    assert (new["outcome"], new["currency"], float(new["value"])) == ("lost", "EUR", 12500.0)
    assert _codes(demo, new["id"]) == ["price", "lead_time"]
    assert demo.query_value("SELECT count(*) FROM deals WHERE id = ?", [deleted]) == 0
    assert demo.query_value("SELECT count(*) FROM deal_reason_links WHERE deal_id = ?", [deleted]) == 0
    audit = demo.query_rows("SELECT table_name, action, actor FROM audit_log WHERE batch_id = ?", [result.batch_id])
    assert {(r["table_name"], r["action"]) for r in audit} == {
        ("deals", "insert"), ("deals", "update"), ("deals", "delete"),
        ("deal_reason_links", "insert"), ("deal_reason_links", "delete")}
    assert {r["actor"] for r in audit} == {"ana"}

    undone = undo.undo_batch(demo, result.batch_id, "ana")
    assert undone.reverted == len(audit)
    assert _codes(demo, deleted) == gone_reasons and _codes(demo, edited) == ["price"]
    after = checksums(demo)
    for table in ("deals", "deal_reason_links"):
        assert after[table][0] == before[table][0]
    assert demo.query_value("SELECT stage FROM deals WHERE id = ?", [edited]) is None


def test_a_reasons_only_edit_moves_the_deals_version_so_a_stale_grid_is_refused(demo: Store) -> None:
    entity = _deals(demo)
    page = grid.load_page(demo, entity, search="GreenFold", page_size=3)
    deal = int(page.frame.at[0, "id"])
    version = int(page.frame.at[0, "version"])
    reasons.set_deal_reasons(demo, "bob", deal, ["quality"])
    assert demo.query_value("SELECT version FROM deals WHERE id = ?", [deal]) == version + 1
    with pytest.raises(ConflictError, match="changed by bob"):
        grid.save_grid(demo, entity, page.frame, {"edited_rows": {0: {"reasons": "price"}}}, "ana")
    assert _codes(demo, deal) == ["quality"]


def test_the_grid_refuses_unknown_accounts_competitors_reasons_and_ourselves_at_their_cells(demo: Store) -> None:
    entity = _deals(demo)
    before = checksums(demo)
    page = grid.load_page(demo, entity, search="Stretchline", page_size=3)
    state = {"edited_rows": {0: {"reasons": "Prize; Quality", "competitor_id": "Danubia Packaging"}},
             "added_rows": [{"account_id": "Nobody Ltd", "outcome": "lost", "competitor_id": "Nopack"}]}
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(demo, entity, page.frame, state, "ana")
    found = {(p.row, p.column, p.value): p for p in refused.value.problems}
    assert set(found) == {(1, "reasons", "Prize"), (1, "competitor_id", "Danubia Packaging"),
                          (4, "account_id", "Nobody Ltd"), (4, "competitor_id", "Nopack")}
    assert found[(4, "account_id", "Nobody Ltd")].reason == "no such account (give its id or name)"
    assert found[(4, "competitor_id", "Nopack")].reason == "no such company (give its id or name)"
    unknown = found[(1, "reasons", "Prize")]
    assert "Lead time" in unknown.reason and "Рок испоруке" in problem_text(unknown, "sr")
    assert "Lead time" not in problem_text(unknown, "sr")
    assert "our own company" in found[(1, "competitor_id", "Danubia Packaging")].reason
    assert checksums(demo) == before


def test_reason_cells_are_shown_in_the_viewers_language_and_read_back_as_codes(demo: Store) -> None:
    entity = _deals(demo)
    page = grid.load_page(demo, entity, search="Kartonaža Sava", page_size=20)
    shown_sr, back = grid.reason_cells(demo, entity, "sr")
    shown = grid.shown_frame(page.frame, shown_sr)
    pos = next(i for i, v in enumerate(page.frame["reasons"]) if v == "price; relationship")
    assert shown.at[pos, "reasons"] == "Цена; Однос с купцем"
    assert grid.shown_frame(page.frame, grid.reason_cells(demo, entity, "en")[0]).at[pos, "reasons"] == \
        "Price; Relationship"
    # Typed back in another order, language and spelling: the same reasons, so nothing to save.
    state = {"edited_rows": {pos: {"reasons": "однос с купцем, PRICE"}}}
    current, origin = grid.apply_edits(page.frame, range(len(page.frame)), state, back)
    assert current.at[pos, "reasons"] == "price; relationship"
    assert grid.pending_changes(page.frame, current, origin, entity.field_names).empty
    # An unknown part keeps the cell as typed, for the save to refuse at the cell.
    state = {"edited_rows": {pos: {"reasons": "Цена; Popust"}}}
    current, origin = grid.apply_edits(page.frame, range(len(page.frame)), state, back)
    assert grid.pending_changes(page.frame, current, origin, entity.field_names).edited == {
        pos: {"reasons": "Цена; Popust"}}


def test_the_account_of_a_deal_is_typed_when_there_are_too_many_to_list(demo: Store) -> None:
    options = grid.reference_options(demo, _deals(demo))
    assert "account_id" not in options  # 5,000 accounts: typed as a name or id
    assert "CorruTech" in options["competitor_id"]
    page = grid.load_page(demo, _deals(demo), search="sloga metal kft", page_size=50)
    assert page.total and set(page.frame["account_id"]) == {"Sloga Metal Kft."}


# ---- the reason list ---------------------------------------------------------------------------------


def test_the_reason_list_is_added_to_renamed_and_archived_with_audit(demo: Store) -> None:
    added = reasons.add_reason(demo, "ana", "payment_terms", label_en="Payment terms", label_sr="Услови плаћања")
    assert (added.position, added.archived) == (9, False)
    renamed = reasons.rename_reason(demo, "ana", "payment_terms", label_en="Payment conditions")
    assert (renamed.code, renamed.label_en, renamed.label_sr) == ("payment_terms", "Payment conditions",
                                                                  "Услови плаћања")
    deal = int(demo.query_value("SELECT min(id) FROM deals WHERE outcome = 'lost'"))
    reasons.set_deal_reasons(demo, "ana", deal, ["Payment conditions", "price"])
    reasons.archive_reason(demo, "ana", "payment_terms")
    # Kept on the deal that has it, and may stay when its reasons change; not offered, not added elsewhere.
    assert "payment_terms" in _codes(demo, deal)
    reasons.set_deal_reasons(demo, "ana", deal, ["payment_terms", "quality"])
    other = int(demo.query_value("SELECT min(id) FROM deals WHERE outcome = 'won'"))
    with pytest.raises(ValidationError, match="archived"):
        reasons.set_deal_reasons(demo, "ana", other, ["payment_terms"])
    assert "Payment conditions" not in reasons.offered_names(reasons.list_reasons(demo))
    reasons.archive_reason(demo, "ana", "payment_terms", archived=False)
    reasons.set_deal_reasons(demo, "ana", other, ["Услови плаћања"])
    assert _codes(demo, other) == ["payment_terms"]
    actions = demo.query_rows("SELECT action, count(*) AS n FROM audit_log WHERE table_name = 'deal_reasons' "
                              "GROUP BY action ORDER BY action")
    assert [(r["action"], r["n"]) for r in actions] == [("insert", 1), ("update", 3)]


@pytest.mark.parametrize(("code", "en", "sr", "refusal"), [
    ("Payment terms", "Payment terms", "Услови", "cannot be a reason code"),
    ("price", "Cost", "Трошак", "already a reason 'price'"),
    ("cost", "Lead time", "Трошак", "'Lead time' already names the reason 'lead_time'"),
    ("cost", "Cost; fees", "Трошак", "contains ; , |"),
    ("cost", "Cost", " ", "Serbian name of the reason is empty"),
    ("cost", "C" * 81, "Трошак", "longer than 80 characters"),
])
def test_a_reason_that_could_not_be_told_apart_is_refused(demo: Store, code: str, en: str, sr: str,
                                                          refusal: str) -> None:
    with pytest.raises(ValidationError) as refused:
        reasons.add_reason(demo, "ana", code, label_en=en, label_sr=sr)
    assert refusal in refused.value.message
    assert demo.query_value("SELECT count(*) FROM deal_reasons") == 8


def test_set_deal_reasons_keeps_notes_of_kept_reasons_and_undoes(demo: Store) -> None:
    deal = int(demo.query_value("SELECT min(id) FROM deals WHERE outcome = 'open'"))
    reasons.set_deal_reasons(demo, "ana", deal, ["price", "lead_time"], notes={"price": "9 % below ours"})
    now = reasons.set_deal_reasons(demo, "ana", deal, ["Цена", "service"])
    assert [(r.reason.code, r.note) for r in now] == [("price", "9 % below ours"), ("service", None)]
    batch = demo.query_value("SELECT max(batch_id) FROM audit_log")
    undo.undo_batch(demo, batch, "ana")
    assert [(r.reason.code, r.note) for r in reasons.deal_reasons(demo, deal)] == [
        ("price", "9 % below ours"), ("lead_time", None)]
    with pytest.raises(ValidationError, match="not among the reasons given"):
        reasons.set_deal_reasons(demo, "ana", deal, ["price"], notes={"quality": "x"})
    with pytest.raises(ValidationError, match="There is no deal 999999"):
        reasons.set_deal_reasons(demo, "ana", 999_999, ["price"])
    cleared = reasons.set_deal_reasons(demo, "ana", deal, [])
    assert cleared == [] and _codes(demo, deal) == []


# ---- imports --------------------------------------------------------------------------------------


def test_a_crm_export_imports_with_names_currencies_and_reasons_in_both_languages(demo: Store) -> None:
    plan = _plan(demo, CRM_EXPORT)
    assert plan.problems == [], [p.reason for p in plan.problems]
    assert plan.mapping["account_id"] == "Account Name" and plan.mapping["reasons"] == "Win/Loss Reasons"
    assert plan.mapping["outcome"] == "Result" and plan.mapping["value"] == "Amount"
    assert plan.unmapped_columns == ["Opportunity ID"]
    result = imports.apply_import(demo, plan, "ana")
    assert result.inserted == 5
    rows = demo.query_rows(
        "SELECT d.id, a.name AS account, d.outcome, c.name AS competitor, CAST(d.value AS DOUBLE) AS value, "
        "d.currency, d.closed_on, d.stage, d.owner, d.note FROM deals d JOIN accounts a ON a.id = d.account_id "
        "LEFT JOIN companies c ON c.id = d.competitor_id WHERE d.id > 1000 ORDER BY d.id")
    assert [(r["account"], r["outcome"], r["competitor"], r["value"], r["currency"]) for r in rows] == [
        ("Sloga Metal Kft.", "lost", "CorruTech", 12500.0, "EUR"),
        ("Avala Online Kft.", "won", "Kartonaža Sava", 4200.5, "USD"),
        ("Dunav Transport GmbH", "open", None, None, "EUR"),
        ("Sloga Metal Kft.", "lost", "PackPro International", 1480000.0, "RSD"),
        ("Avala Online Kft.", "lost", "GreenFold", None, "EUR"),
    ]
    assert rows[0]["closed_on"].isoformat() == "2026-10-28" and rows[2]["closed_on"] is None
    assert (rows[0]["stage"], rows[0]["owner"], rows[0]["note"]) == ("Closed Lost", "Ana Petrović",
                                                                     "Their quote was 9% lower")
    assert [_codes(demo, r["id"]) for r in rows] == [
        ["price", "lead_time"], ["lead_time", "relationship"], [], ["quality"], ["features"]]
    audit = demo.query_rows("SELECT table_name, count(*) AS n FROM audit_log WHERE batch_id = ? GROUP BY ALL",
                            [result.batch_id])
    assert {r["table_name"]: r["n"] for r in audit} == {"deals": 5, "deal_reason_links": 6, "data_imports": 1}
    # The same file again is noticed; the import undoes whole.
    assert _plan(demo, CRM_EXPORT).previous["batch_id"] == result.batch_id
    undo.undo_batch(demo, result.batch_id, "ana")
    assert demo.query_value("SELECT count(*) FROM deals WHERE id > 1000") == 0
    assert demo.query_value("SELECT count(*) FROM deal_reason_links WHERE deal_id > 1000") == 0


def test_a_deals_file_with_unknown_accounts_competitors_or_reasons_is_refused_naming_row_and_value(
        demo: Store) -> None:
    before = checksums(demo)
    data = ("Account Name,Result,Competitor,Amount,Currency,Close Date,Reasons\n"
            "Sloga Metal Kft.,lost,CorruTech,100,EUR,01.10.2026,Price\n"
            "Acme Ltd,lost,CorruTech,200,EUR,02.10.2026,Price\n"
            "Avala Online Kft.,lost,Nobody Pack,300,EUR,03.10.2026,Prize; Quality\n"
            "Avala Online Kft.,won,Danubia Packaging,400,GBP,04.10.2026,Quality\n")
    plan = _plan(demo, data, "bad-deals.csv")
    problems = {(p.row, p.column, p.value) for p in plan.problems}
    assert problems == {(3, "account_id", "Acme Ltd"), (4, "competitor_id", "Nobody Pack"), (4, "reasons", "Prize"),
                        (5, "competitor_id", "Danubia Packaging"), (5, "value", "400.0 GBP")}
    with pytest.raises(ValidationError) as refused:
        imports.apply_import(demo, plan, "ana")
    assert "row 3 account_id 'Acme Ltd': no such account" in refused.value.message
    assert "row 4 competitor_id 'Nobody Pack': no such company" in refused.value.message
    assert checksums(demo) == before


def test_an_export_edited_and_imported_as_upsert_replaces_reasons_by_id(demo: Store, tmp_path: Path) -> None:
    entity = _deals(demo)
    exported = pd.read_csv(io.BytesIO(export.export_csv(demo, entity)), encoding="utf-8-sig", dtype=str)
    assert "reasons" in exported.columns
    lost = exported[exported["reasons"].notna()].head(3).copy()
    ids = [int(i) for i in lost["id"]]
    versions = [demo.query_value("SELECT version FROM deals WHERE id = ?", [i]) for i in ids]
    lost["reasons"] = ["Quality; service", "", "Функције"]
    path = tmp_path / "deals-edited.csv"
    lost.to_csv(path, index=False)
    plan = _plan(demo, path.read_text("utf-8"), path.name, mode="upsert")
    assert plan.problems == [] and plan.updates == 3 and plan.inserts == 0
    imports.apply_import(demo, plan, "ana")
    assert [_codes(demo, i) for i in ids] == [["quality", "service"], [], ["features"]]
    assert [demo.query_value("SELECT version FROM deals WHERE id = ?", [i]) for i in ids] == [v + 1 for v in versions]


def test_adding_an_archived_reason_in_a_file_is_refused_at_its_row(demo: Store) -> None:
    reasons.archive_reason(demo, "ana", "other")
    plan = _plan(demo, "Account Name,Result,Competitor,Reasons\nSloga Metal Kft.,lost,CorruTech,Other; Price\n")
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(2, "reasons", "Other")]
    assert "archived" in plan.problems[0].reason


# ---- the demo and lost-deal signals --------------------------------------------------------------------


def test_the_demo_gives_decided_deals_one_or_two_reasons_skewed_per_competitor(demo: Store) -> None:
    per_deal = demo.query_rows(
        "SELECT d.outcome, count(l.id) AS n FROM deals d LEFT JOIN deal_reason_links l ON l.deal_id = d.id "
        "GROUP BY d.id, d.outcome")
    assert {r["n"] for r in per_deal if r["outcome"] != "open"} == {1, 2}
    assert {r["n"] for r in per_deal if r["outcome"] == "open"} == {0}
    top = {r["company"]: r["code"] for r in demo.query_rows(
        "SELECT c.name AS company, arg_max(r.code, n) AS code FROM ("
        "  SELECT d.competitor_id, l.reason_id, count(*) AS n FROM deals d JOIN deal_reason_links l ON l.deal_id = d.id"
        "  WHERE d.outcome = 'lost' GROUP BY ALL) x "
        "JOIN companies c ON c.id = x.competitor_id JOIN deal_reasons r ON r.id = x.reason_id GROUP BY c.name")}
    assert top["CorruTech"] == top["Kartonaža Sava"] == "price"
    assert top["PackPro International"] == "coverage" and top["GreenFold"] == "features"
    won = demo.query_value("SELECT arg_max(code, n) FROM (SELECT r.code, count(*) AS n FROM deals d "
                           "JOIN deal_reason_links l ON l.deal_id = d.id JOIN deal_reasons r ON r.id = l.reason_id "
                           "WHERE d.outcome = 'won' GROUP BY r.code)")
    assert won == "lead_time"
    assert 0 < demo.query_value("SELECT count(note) FROM deal_reason_links") < \
        demo.query_value("SELECT count(*) FROM deal_reason_links") / 2


def test_a_lost_deal_signal_carries_the_deals_reasons(demo: Store) -> None:
    deal = int(demo.query_value("SELECT max(id) FROM deals WHERE outcome = 'lost'"))
    reasons.set_deal_reasons(demo, "ana", deal, ["price", "lead_time"], notes={"price": "8 % cheaper"})
    generate_signals(demo, "ana", today=dt.date.fromisoformat(demo.meta("demo_today")))
    stored = demo.query_value("SELECT reasons FROM signals WHERE kind = 'lost_deal' AND source_key = ?",
                              [f"deals:{deal}"])
    items = json.loads(stored)
    assert [(i["code"], i["label_sr"], i["note"]) for i in items] == [("price", "Цена", "8 % cheaper"),
                                                                     ("lead_time", "Рок испоруке", None)]
    assert reasons.reasons_text(items, "sr") == "Цена (8 % cheaper), Рок испоруке"
    assert reasons.reasons_text(items, "en") == "Price (8 % cheaper), Lead time"
