"""Segments: the rule compiler, saved segments, profiles, sizing, the matrix, prospect scores, exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from research.errors import ConflictError, ValidationError
from research.segments import attractiveness, export, profile, prospects, saved, sizing
from research.segments.rules import ACCOUNTS_SQL, compile_rule, dnf_groups, normalize_rule, rule_from_groups
from research.store import Store

BALKAN_MANUFACTURING = {
    "op": "and",
    "items": [
        {"field": "region", "in": ["Western Balkans"]},
        {"field": "industry", "in": ["Automotive", "Chemicals", "Electronics"]},
        {"field": "status", "in": ["prospect"]},
        {"field": "employees", "min": 250},
    ],
}


@pytest.fixture
def demo(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def count_sql(store: Store, where: str, params: list | None = None) -> int:
    return int(store.query_value(f"SELECT count(*) FROM ({ACCOUNTS_SQL}) s WHERE {where}", params or []))


# ---- rule compiler -----------------------------------------------------------------------


def test_rule_compiles_to_bound_parameters_and_matches_hand_written_sql(demo: Store) -> None:
    compiled = compile_rule(BALKAN_MANUFACTURING)
    assert "Western Balkans" not in compiled.sql and "250" not in compiled.sql
    assert compiled.params == ["Western Balkans", "Automotive", "Chemicals", "Electronics", "prospect", 250.0]
    expected = count_sql(
        demo,
        "region = 'Western Balkans' AND industry IN ('Automotive', 'Chemicals', 'Electronics') "
        "AND status = 'prospect' AND employees >= 250",
    )
    assert expected > 0
    assert profile.count_members(demo, compiled) == expected


def test_or_groups_and_not_in_and_unknown_supplier(demo: Store) -> None:
    rule = {"op": "or", "items": [
        {"op": "and", "items": [{"field": "country", "in": ["AT"]}]},
        {"op": "and", "items": [{"field": "supplier", "in": [0]}, {"field": "industry", "not_in": ["Pharma"]}]},
    ]}
    got = profile.count_members(demo, compile_rule(rule))
    want = count_sql(demo, "country = 'AT' OR (supplier_id IS NULL AND industry <> 'Pharma')")
    assert got == want > 0


@pytest.mark.parametrize(
    "evil",
    [
        "x'; DROP TABLE accounts; --",
        "' OR '1'='1",
        "Western Balkans') OR (1=1",
        "\"; DELETE FROM segments; --",
        "$1",
        "?",
    ],
)
def test_sql_injection_in_values_is_only_ever_a_value(demo: Store, evil: str) -> None:
    before = demo.query_value("SELECT count(*) FROM accounts")
    compiled = compile_rule({"op": "or", "items": [{"field": "region", "in": [evil]}, {"field": "owner", "not_in": [evil]}, {"field": "industry", "in": [evil]}]})
    assert evil in compiled.params and (evil == "?" or evil not in compiled.sql)
    n = profile.count_members(demo, compiled)
    assert n == count_sql(demo, "owner_key IS DISTINCT FROM ?", [evil])  # only the not_in part matches
    assert demo.query_value("SELECT count(*) FROM accounts") == before


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"field": "employees", "min": 500, "max": 100}, "minimum 500 is above the maximum 100"),
        ({"field": "name; DROP TABLE accounts", "in": ["x"]}, "cannot filter on"),
        ({"field": "id", "in": [1]}, "cannot filter on"),
        ({"field": "employees", "in": ["1"]}, "number range"),
        ({"field": "industry", "min": 3}, "list of values"),
        ({"field": "industry", "in": [{"x": 1}]}, "text values"),
        ({"field": "supplier", "in": ["1 OR 1=1"]}, "company ids"),
        ({"field": "employees", "min": float("nan")}, "must be a number"),
        ({"field": "employees", "min": "10"}, "must be a number"),
        ({"op": "xor", "items": []}, "AND or OR"),
        ({"field": "industry", "in": ["a"], "sql": "1=1"}, "Unknown parts"),
    ],
)
def test_bad_rules_are_refused_with_a_message(rule: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        compile_rule(rule)


def test_deep_nesting_and_bad_json_are_refused() -> None:
    rule: dict = {"field": "industry", "in": ["Pharma"]}
    for _ in range(6):
        rule = {"op": "and", "items": [rule]}
    with pytest.raises(ValidationError, match="nest at most"):
        compile_rule(rule)
    with pytest.raises(ValidationError, match="not valid JSON"):
        normalize_rule("{nope")


def test_empty_picks_drop_out_and_a_rule_that_matches_nothing_is_empty_not_an_error(demo: Store) -> None:
    assert compile_rule({"op": "and", "items": [{"field": "industry", "in": []}]}).sql == "TRUE"
    nothing = compile_rule({"field": "industry", "in": ["No such industry"]})
    assert profile.count_members(demo, nothing) == 0
    p = profile.profile(demo, nothing)
    assert p.accounts == 0 and p.our_share is None and p.win_rate is None and p.top.empty


def test_builder_groups_round_trip() -> None:
    groups = [[{"field": "industry", "in": ["Pharma"]}], [{"field": "country", "in": ["RS"]}, {"field": "employees", "min": 10}]]
    rule = rule_from_groups(groups)
    assert rule["op"] == "or" and dnf_groups(rule) == groups
    assert dnf_groups(rule_from_groups(groups[:1])) == groups[:1]
    deep = {"op": "and", "items": [{"op": "or", "items": [{"field": "industry", "in": ["A"]}]}]}
    assert dnf_groups(deep) is None


# ---- saved segments ----------------------------------------------------------------------


def test_save_edit_duplicate_archive_and_audit(demo: Store) -> None:
    seg = saved.save_rule_segment(demo, "ana", name="  Large  Balkan prospects ", rule=BALKAN_MANUFACTURING,
                                  description="Our target", colour="#d9480f")
    assert seg.name == "Large Balkan prospects" and seg.colour == "#D9480F" and seg.kind == "rule"
    assert saved.get_segment(demo, "large balkan PROSPECTS").id == seg.id
    with pytest.raises(saved.SegmentNameTaken) as taken:
        saved.save_rule_segment(demo, "ana", name="Large Balkan prospects", rule={})
    assert taken.value.suggestion == "Large Balkan prospects (2)"
    over = saved.save_rule_segment(demo, "ana", name="Large Balkan prospects", rule={"field": "country", "in": ["RS"]}, overwrite=True)
    assert over.id == seg.id and over.version == 2 and over.definition["field"] == "country"
    with pytest.raises(ConflictError):
        saved.save_rule_segment(demo, "marko", name="X", rule={}, segment_id=seg.id, expected_version=1)
    copy = saved.duplicate_segment(demo, "ana", over)
    assert copy.name == "Large Balkan prospects (copy)"
    saved.archive_segment(demo, "ana", copy)
    assert [s.name for s in saved.list_segments(demo)] == ["Large Balkan prospects"]
    actions = demo.query_rows("SELECT actor, action FROM audit_log WHERE table_name = 'segments' ORDER BY id")
    assert [a["action"] for a in actions] == ["insert", "update", "insert", "update"]


def test_save_refuses_bad_names_colours_and_rules(demo: Store) -> None:
    with pytest.raises(ValidationError, match="name"):
        saved.save_rule_segment(demo, "ana", name="   ", rule={})
    with pytest.raises(ValidationError, match="colour"):
        saved.save_rule_segment(demo, "ana", name="A", rule={}, colour="red; x")
    with pytest.raises(ValidationError, match="above the maximum"):
        saved.save_rule_segment(demo, "ana", name="A", rule={"field": "employees", "min": 9, "max": 1})
    assert saved.list_segments(demo) == []


def test_cluster_segments_store_members_and_accounts_list_their_segments(demo: Store) -> None:
    a, b = saved.save_cluster_segments(
        demo, "ana", names=["C 1", "C 2"], descriptions=["one", "two"], members=[[1, 2, 3], [3, 4]],
        definitions=[{"k": 2}, {"k": 2}], colours=["#111111", "#222222"],
    )
    assert profile.count_members(demo, a.condition) == 3 and profile.count_members(demo, b.condition) == 2
    saved.save_rule_segment(demo, "ana", name="Everything", rule={})
    rows = export.members(demo, b.condition)
    assert sorted(rows["id"]) == [3, 4]
    by_id = dict(zip(rows["id"], rows["segments"]))
    assert by_id[3] == "C 1; C 2; Everything" and by_id[4] == "C 2; Everything"
    with pytest.raises(saved.SegmentNameTaken):
        saved.relabel_segment(demo, "ana", a, name="c 2", description="", colour=None)
    a = saved.relabel_segment(demo, "ana", a, name="Small firms", description="d", colour="#123456")
    assert a.name == "Small firms" and profile.count_members(demo, a.condition) == 3
    with pytest.raises(saved.SegmentNameTaken):
        saved.save_cluster_segments(demo, "ana", names=["C 2"], descriptions=[""], members=[[1]], definitions=[{}], colours=["#111111"])
    doc = saved.definitions_document(demo)
    assert {s["name"] for s in doc["segments"]} == {"Small firms", "C 2", "Everything"}
    json.dumps(doc)


def test_weight_sets_are_versioned_by_name(demo: Store) -> None:
    first = saved.save_weight_set(demo, "ana", "Growth first", {"size": 10, "growth": 90})
    second = saved.save_weight_set(demo, "ana", "growth first", {"size": 20, "growth": 80})
    assert second.id == first.id and second.version == 2 and second.weights["growth"] == 80
    with pytest.raises(ValidationError):
        saved.save_weight_set(demo, "ana", "Bad", {"size": -1})


# ---- profile -----------------------------------------------------------------------------


def test_profile_figures_match_direct_queries(demo: Store) -> None:
    cond = compile_rule({"field": "country", "in": ["RS"]})
    p = profile.profile(demo, cond)
    assert p.accounts == demo.query_value("SELECT count(*) FROM accounts WHERE country = 'RS'")
    assert p.ours == demo.query_value("SELECT count(*) FROM accounts WHERE country = 'RS' AND supplier_company_id = 1")
    won = demo.query_value("SELECT count(*) FROM deals d JOIN accounts a ON a.id = d.account_id WHERE a.country = 'RS' AND outcome = 'won'")
    assert p.won == won
    assert abs(p.suppliers["share"].sum() - 1) < 1e-9
    assert p.suppliers.iloc[0]["accounts"] >= p.suppliers.iloc[-1]["accounts"]
    assert len(p.top) == profile.TOP_ACCOUNTS
    assert p.not_contacted == demo.query_value(
        "SELECT count(*) FROM accounts a WHERE country = 'RS' AND status = 'prospect' AND contact_person IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id)"
    )
    both = profile.compare(demo, [cond, compile_rule({"field": "country", "in": ["AT"]})])
    assert list(both["accounts"])[0] == p.accounts and len(both) == 2


# ---- sizing ------------------------------------------------------------------------------


def test_sizing_arithmetic_and_band() -> None:
    s = sizing.size_segment(1_000, sizing.Assumptions(acv=20_000, sam_share=0.5, som_share=0.1, sensitivity=0.2))
    assert (s.tam, s.sam, s.som) == (20_000_000, 10_000_000, 1_000_000)
    frame = s.frame()
    assert list(frame["stage"]) == ["TAM", "SAM", "SOM"]
    assert frame.loc[2, "low"] == pytest.approx(800_000) and frame.loc[2, "high"] == pytest.approx(1_200_000)
    with pytest.raises(ValidationError):
        sizing.size_segment(10, sizing.Assumptions(acv=1, sam_share=1.5, som_share=0.1, sensitivity=0.1))
    d = sizing.default_assumptions(median_won_value=None, our_share=0.01)
    assert d.acv == 20_000 and d.som_share == sizing.MIN_SOM_SHARE and d.sam_share == 0.6


def test_sizing_assumptions_are_saved_with_the_segment(demo: Store) -> None:
    seg = saved.save_rule_segment(demo, "ana", name="RS", rule={"field": "country", "in": ["RS"]})
    seg = saved.save_sizing(demo, "ana", seg, acv=12_500, sam_share=0.4, som_share=0.2, sensitivity=0.1)
    again = saved.get_segment(demo, "RS")
    assert float(again.acv) == 12_500 and again.sam_share == 0.4 and again.som_share == 0.2 and again.sensitivity == 0.1


# ---- attractiveness ----------------------------------------------------------------------


def test_matrix_scores_are_bounded_and_follow_the_weights(demo: Store) -> None:
    conds = [compile_rule({"field": "region", "in": [r]}) for r in ("Western Balkans", "Central Europe", "South-East EU")]
    frame = attractiveness.segment_factors(demo, conds)
    for factor in ("size", "growth", "margin", "intensity", "share", "capability", "win_rate_factor"):
        assert frame[factor].between(0, 1).all(), factor
    assert frame.loc[0, "size"] == 1.0  # Western Balkans is the largest
    only_share = attractiveness.score(frame, {**{f: 0 for f in attractiveness.FACTORS}, "size": 1, "share": 1})
    assert list(only_share["attractiveness"]) == pytest.approx(list(100 * frame["size"]))
    assert list(only_share["strength"]) == pytest.approx(list(100 * frame["share"]))
    # We lead in Serbia, lag in Austria and Hungary (the demo's design): strength follows.
    assert only_share.loc[0, "strength"] > only_share.loc[1, "strength"]
    with pytest.raises(ValidationError, match="at least one"):
        attractiveness.score(frame, {f: 0 for f in attractiveness.FACTORS})
    assert attractiveness.zone(90, 90) == "invest" and attractiveness.zone(10, 10) == "harvest"
    assert attractiveness.zone(50, 50) == "selective"


# ---- prospects ---------------------------------------------------------------------------


def test_prospect_scores_list_their_reasons(demo: Store) -> None:
    with demo.transaction("ana") as tx:
        weak = tx.insert("accounts", {"name": "Tiny Risky d.o.o.", "country": "RS", "region": "Western Balkans",
                                      "industry": "Automotive", "employees": 5, "status": "prospect"})
        tx.insert("deals", {"account_id": weak["id"], "outcome": "lost", "competitor_id": 2})
    target = compile_rule({"field": "industry", "in": ["Automotive"]})
    scored = prospects.score_prospects(demo, [target], limit=100_000)
    assert scored["score"].between(0, 100).all()
    assert scored["score"].is_monotonic_decreasing
    row = scored[scored["id"] == weak["id"]].iloc[0]
    expected = prospects.BASE + sum(prospects.POINTS[k] for k in (
        "in_target", "very_small", "lost_deals", "no_revenue", "no_contact", "no_vat", "no_owner"))
    # plus the reliability checks as scored (worked out by hand in tests/test_prospect_reliability.py)
    expected += sum(row[f"_r_{code}_points"] for code in prospects.CHECKS)
    assert row["score"] == pytest.approx(expected)
    text = prospects.reasons_text(row, "en", ["Automotive"])
    for part in ("+25 in target segment Automotive", "−15 very small company (5 employees)", "−10 1 lost deal(s)",
                 "−5 revenue unknown", "−5 no contact person", "−5 no VAT number"):
        assert part in text, text
    assert "{" not in prospects.reasons_text(row, "sr", ["Automotive"])
    best = scored.iloc[0]
    assert best["score"] > row["score"] and best["target_index"] == 0


# ---- export ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_looking_text_is_neutralised(text: str) -> None:
    assert export.safe_text(text) == "'" + text
    assert export.safe_text("Plain") == "Plain" and export.safe_text(5) == 5
    assert export.safe_text("a\x00b\x1bc") == "abc"


def test_csv_and_xlsx_exports_hold_no_live_formulas(demo: Store, tmp_path: Path) -> None:
    with demo.transaction("ana") as tx:
        tx.insert("accounts", {"name": "=HYPERLINK(\"http://evil\",\"x\")", "country": "RS", "region": "Western Balkans",
                               "industry": "Pharma", "status": "prospect", "city": "@cmd", "owner": "-2+3\x07"})
    seg = saved.save_rule_segment(demo, "ana", name="=evil", rule={"field": "industry", "in": ["Pharma"]})
    df = export.members(demo, seg.condition).drop(columns=["id"])
    csv_path = export.write_members(df, tmp_path / "m.csv")
    text = csv_path.read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'@cmd," in text and "'=evil" in text
    xlsx_path = export.write_members(df, tmp_path / "m.xlsx")
    wb = load_workbook(xlsx_path)
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in values and "'-2+3" in values
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert ws.max_row == len(df) + 1
    with pytest.raises(ValidationError, match=r"\.csv or \.xlsx"):
        export.write_members(df, tmp_path / "m.txt")
    assert export.safe_file_name("../../etc/passwd", ".csv") == "etc-passwd.csv"
    load_workbook(io.BytesIO(export.to_xlsx_bytes(df.head(0))))
