"""Custom account fields in prospect scores, member lists, exports and segment slides (issue 15, item 1).

Workspaces are real DuckDB files: the demo (seed 42, scale 1) with custom fields added through
research.data.fields and filled by SQL, so every expected figure is worked out here from the rows.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from page_helpers import assert_clean, run_app

from research.data import fields
from research.errors import ValidationError
from research.i18n import fmt_number, t
from research.present import views
from research.present.model import RenderContext
from research.segments import export, prospects, saved
from research.segments.rules import compile_rule
from research.store import Store

PHARMA = {"field": "industry", "in": ["Pharma"]}


@pytest.fixture
def ws(demo_copy: Path):
    """The demo with `fortune_rank` (int, lower is better, some missing, ties) on accounts."""
    store = Store.open(str(demo_copy))
    fields.add_field(store, "tester", "accounts", "fortune_rank", "int", label_en="Fortune rank", label_sr="Ранг на листи")
    with store.transaction("tester") as tx:
        tx.execute("UPDATE accounts SET fortune_rank = CASE WHEN id % 7 = 0 THEN NULL ELSE (id * 37) % 1000 + 1 END")
    yield store
    store.close()


def plant_twins(store: Store, **values: object) -> tuple[int, int]:
    """Two prospects alike in every built-in factor; `values` are (first, second) per custom field."""
    ids = []
    for i in range(2):
        with store.transaction("tester") as tx:
            row = tx.insert("accounts", {"name": f"Twin {i} d.o.o.", "country": "RS", "region": "Western Balkans",
                                         "industry": "Logistics", "employees": 150, "status": "prospect",
                                         **{k: v[i] for k, v in values.items()}})
        ids.append(int(row["id"]))
    return ids[0], ids[1]


def builtin_points(frame: pd.DataFrame) -> pd.Series:
    """The built-in part of each score, summed here from the flags the query returns, plus the reliability
    checks' points as the query gives them (worked out by hand in tests/test_prospect_reliability.py)."""
    p = prospects.POINTS
    total = pd.Series(float(prospects.BASE), index=frame.index)
    total += frame["target_index"].notna() * p["in_target"] + frame["lost_deals"] * p["lost_deals"]
    for flag in ("mid_size", "has_supplier", "open_deal", "very_small", "weak_revenue", "no_revenue", "no_employees",
                 "no_contact", "no_vat", "no_owner"):
        total += frame[flag].astype(bool) * p[flag]
    for code in prospects.CHECKS:
        total += frame[f"_r_{code}_points"]
    return total


# ---- scoring -----------------------------------------------------------------------------------


def test_a_custom_factor_changes_the_ranking_as_worked_out_by_hand(ws: Store) -> None:
    first, second = plant_twins(ws, fortune_rank=(0, 5000))
    plain = prospects.score_prospects(ws, [compile_rule(PHARMA)], limit=100_000)
    by_id = plain.set_index("id")["score"]
    assert by_id[first] == by_id[second]  # twins: only the custom field tells them apart

    factors = prospects.make_factors(ws, {"fortune_rank": 20}, {"fortune_rank": "lower"})
    scored = prospects.score_prospects(ws, [compile_rule(PHARMA)], limit=100_000, factors=factors)
    assert len(scored) == int(scored["scored"].iloc[0]) == ws.query_value(
        "SELECT count(*) FROM accounts WHERE status = 'prospect' AND NOT archived")

    # Worked out independently: mid-rank percentile among the prospects with a value (pandas' average
    # rank), lower is better, so points = 20 × (1 − 2p); a prospect without a value gets 0.
    ranks = ws.query_df("SELECT id, fortune_rank FROM accounts WHERE status = 'prospect' AND NOT archived")
    known = ranks.dropna(subset=["fortune_rank"])
    p = (known["fortune_rank"].rank(method="average") - 1) / (len(known) - 1)
    custom = pd.Series(20 * (1 - 2 * p).to_numpy(), index=known["id"]).reindex(ranks["id"]).fillna(0.0)
    frame = scored.set_index("id")
    expected = (builtin_points(frame) + custom.reindex(frame.index)).clip(0, 100)
    assert frame["score"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-9)
    assert frame["_f0_points"].to_numpy() == pytest.approx(custom.reindex(frame.index).to_numpy(), abs=1e-9)
    assert scored["score"].is_monotonic_decreasing

    # The planted best (rank 0, below every other) gains the full weight, the planted worst loses it: 40 points apart.
    assert frame.loc[first, "score"] == pytest.approx(by_id[first] + 20)
    assert frame.loc[second, "score"] == pytest.approx(by_id[second] - 20)
    order = list(scored["id"])
    assert order.index(first) < order.index(second)
    flipped = prospects.score_prospects(ws, [compile_rule(PHARMA)], limit=100_000,
                                        factors=prospects.make_factors(ws, {"fortune_rank": 20}))
    order = list(flipped["id"])
    assert order.index(second) < order.index(first)  # higher is better: the other twin leads

    row = frame.loc[first]
    text = prospects.reasons_text(row, "en", ["Pharma"], factors=factors)
    assert text.startswith("+20 Fortune rank 0: ahead of 100% of prospects (lower is better)"), text
    assert "Ранг на листи 0" in prospects.reasons_text(row, "sr", ["Pharma"], factors=factors)


def test_a_missing_value_counts_as_the_middle_and_says_so(ws: Store) -> None:
    fields.add_field(ws, "tester", "accounts", "listed", "bool", label_en="Listed", label_sr="На берзи")
    missing, valued = plant_twins(ws, fortune_rank=(None, 1), listed=(None, True))
    with ws.transaction("tester") as tx:
        tx.execute("UPDATE accounts SET listed = false WHERE id % 5 = 0 AND id < ?", [missing])
    plain = prospects.score_prospects(ws, limit=100_000).set_index("id")["score"]
    for direction in prospects.DIRECTIONS:
        factors = prospects.make_factors(ws, {"fortune_rank": 30, "listed": 10},
                                         {"fortune_rank": direction, "listed": direction})
        scored = prospects.score_prospects(ws, limit=100_000, factors=factors)
        frame = scored.set_index("id")
        # neither best nor worst: exactly the score without the factors, whichever way is better
        assert frame.loc[missing, "score"] == plain[missing]
        assert frame.loc[missing, "_f0_points"] == 0 and frame.loc[missing, "_f1_points"] == 0
        best = frame["score"] - plain.reindex(frame.index)
        assert best.max() > 0 > best.min()
        # yes/no as 0/1: the better answer +weight, the other −weight
        sign = 1 if direction == "higher" else -1
        assert frame.loc[valued, "_f1_points"] == sign * 10
        assert frame.loc[frame["_f1"] == False, "_f1_points"].eq(-sign * 10).all()
        reasons = prospects.reasons_text(frame.loc[missing], "en", factors=factors)
        assert "±0 Fortune rank unknown: counts as the middle, neither best nor worst" in reasons
        assert "±0 Listed unknown" in reasons
        counts = {f.name: (n, total) for f, n, total in prospects.missing_counts(scored, factors)}
        without = "SELECT count(*) FROM accounts WHERE status = 'prospect' AND NOT archived AND {} IS NULL"
        assert counts["fortune_rank"][0] == ws.query_value(without.format("fortune_rank")) > 0
        assert counts["listed"][0] == ws.query_value(without.format("listed")) > 0
        assert counts["listed"][1] == len(scored)


def test_money_factors_rank_in_eur(ws: Store) -> None:
    fields.add_field(ws, "tester", "accounts", "profit", "money", label_en="Profit", label_sr="Добит")
    # 10,000 dinars are less than 1,000 euros although the number is larger.
    dinars, euros = plant_twins(ws, profit=(10_000, 1_000), revenue_currency=("RSD", "EUR"))
    scored = prospects.score_prospects(ws, limit=100_000, factors=prospects.make_factors(ws, {"profit": 10}))
    frame = scored.set_index("id")
    rate = float(ws.query_value("SELECT arg_max(per_eur, valid_on) FROM exchange_rates WHERE currency = 'RSD'"))
    assert frame.loc[dinars, "_f0"] == pytest.approx(10_000 / rate)
    assert frame.loc[dinars, "_f0_points"] == -10 and frame.loc[euros, "_f0_points"] == 10  # the only two values


def test_factors_and_points_refuse_bad_input(ws: Store) -> None:
    fields.add_field(ws, "tester", "accounts", "state", "choice", choices=["CA", "NY"])
    with pytest.raises(ValidationError, match=r"'state' cannot be a scoring factor: it is a choice field.*fortune_rank"):
        prospects.make_factors(ws, {"state": 10})
    with pytest.raises(ValidationError, match="'country' cannot be a scoring factor: it is not a custom account field"):
        prospects.make_factors(ws, {"country": 10})
    with pytest.raises(ValidationError, match=r"weight of 'fortune_rank' must be a number of points from 0 to 50, not 80"):
        prospects.make_factors(ws, {"fortune_rank": 80})
    with pytest.raises(ValidationError, match="direction of 'fortune_rank' must be 'higher' or 'lower'.*'up'"):
        prospects.make_factors(ws, {"fortune_rank": 5}, {"fortune_rank": "up"})
    with pytest.raises(ValidationError, match="'vat' is not a built-in prospect factor"):
        prospects.check_points({"vat": 5})
    # a built-in factor set to 0 is switched off: no points, no reason
    points = prospects.check_points({"no_vat": 0})
    row = prospects.score_prospects(ws, limit=100_000, points=points).iloc[-1]
    assert "no VAT" not in prospects.reasons_text(row, "en", points=points)


# ---- weight sets -------------------------------------------------------------------------------


def test_a_weight_set_with_a_custom_factor_follows_a_rename_and_removal_asks(ws: Store) -> None:
    factors = prospects.make_factors(ws, {"fortune_rank": 25}, {"fortune_rank": "lower"})
    first = prospects.save_weight_set(ws, "ana", "Rank first", points={"no_vat": 0}, factors=factors)
    again = prospects.save_weight_set(ws, "ana", "rank FIRST", factors=factors)
    assert again.id == first.id and again.version == 2 and again.points["no_vat"] == 5
    stored = json.loads(ws.query_value("SELECT weights FROM segment_weight_sets WHERE id = ?", [first.id]))
    assert stored["weights"] == {"fortune_rank": 25.0} and stored["factors"] == {"fortune_rank": "lower"}
    # the matrix keeps its own sets: this one is neither listed there nor overwritten by a matrix set of its name
    assert saved.list_weight_sets(ws) == []
    matrix = saved.save_weight_set(ws, "ana", "Rank first", {"size": 50})
    assert matrix.id != first.id and [w.name for w in prospects.list_weight_sets(ws)] == ["Rank first"]

    fields.rename_field(ws, "tester", "accounts", "fortune_rank", new_name="rank_2025")
    (renamed,) = prospects.list_weight_sets(ws)
    assert renamed.weights == {"rank_2025": 25.0} and renamed.directions == {"rank_2025": "lower"}
    usable, dropped = renamed.factors(ws)
    assert [(f.name, f.weight, f.direction) for f in usable] == [("rank_2025", 25.0, "lower")] and dropped == []
    assert not prospects.score_prospects(ws, factors=usable).empty

    assert "weight set 'Rank first'" in fields.field_uses(ws, "accounts", "rank_2025")
    with pytest.raises(ValidationError, match="weight set 'Rank first'"):
        fields.remove_field(ws, "tester", "accounts", "rank_2025")
    fields.remove_field(ws, "tester", "accounts", "rank_2025", confirmed=True)
    (kept,) = prospects.list_weight_sets(ws)
    assert kept.factors(ws) == ([], ["rank_2025"])  # the page says which field was left out
    with pytest.raises(ValidationError, match="name"):
        prospects.save_weight_set(ws, "ana", "   ")


# ---- member lists and exports ------------------------------------------------------------------


def test_exports_carry_custom_columns_under_their_label_formula_safe(ws: Store, tmp_path: Path) -> None:
    fields.add_field(ws, "tester", "accounts", "note_text", "text", label_en="=Risk note", label_sr="Напомена")
    fields.add_field(ws, "tester", "accounts", "country_code", "text", label_en="Country", label_sr="Земља")
    with ws.transaction("tester") as tx:
        tx.execute("UPDATE accounts SET note_text = '=HYPERLINK(\"http://evil\")' WHERE industry = 'Pharma'")
    segment = saved.save_rule_segment(ws, "ana", name="Pharma", rule=PHARMA)
    frame = export.export_members(ws, segment.condition, lang="en")
    custom = [c for c in frame.columns if c not in export.MEMBER_COLUMNS]
    # a label that repeats a built-in header gets its column name
    assert custom == ["Fortune rank", "=Risk note", "Country (country_code)"]
    assert list(frame.columns)[-1] == "segments"
    expected = ws.query_df("SELECT id, fortune_rank FROM accounts WHERE industry = 'Pharma' AND NOT archived")
    got = frame.set_index("id")["Fortune rank"]
    assert got.reindex(expected["id"]).fillna(-1).tolist() == expected["fortune_rank"].fillna(-1).tolist()
    assert "Ранг на листи" in export.export_members(ws, segment.condition, lang="sr").columns

    path = export.write_members(frame.drop(columns=["id"]), tmp_path / "pharma.csv")
    text = path.read_text("utf-8-sig")
    header = text.splitlines()[0]
    assert "Fortune rank" in header and "'=Risk note" in header
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(export.to_xlsx_bytes(frame.drop(columns=["id"]))))
    sheet = book.active
    assert "'=Risk note" in [c.value for c in sheet[1]] and "Fortune rank" in [c.value for c in sheet[1]]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_no_custom_field_can_be_named_like_a_member_column(ws: Store) -> None:
    """Every column of the member export is a built-in field or a reserved name, so no header clashes."""
    for column in export.MEMBER_COLUMNS:
        assert fields.name_problem(ws, "accounts", column) is not None, column


# ---- the page ----------------------------------------------------------------------------------


def _view(at, name: str):
    at.session_state["segments_view"] = name
    at.run()
    assert_clean(at)
    return at


def test_the_page_offers_a_custom_factor_and_saves_it_in_a_weight_set(ws: Store, demo_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    plant_twins(ws, fortune_rank=(0, 5000), annual_revenue=(9e11, 9e11))  # the largest: first among equals
    ws.close()
    at = _view(run_app(demo_copy, monkeypatch, page="segments"), "prospects")
    picker = at.multiselect(key="segments_prospect_factors")
    assert picker.options == ["Fortune rank"] and picker.value == []
    picker.set_value(["fortune_rank"]).run()
    at.radio(key="segments_prospect_dir:fortune_rank").set_value("lower").run()
    at.slider(key="segments_prospect_w:fortune_rank").set_value(40).run()
    assert_clean(at)
    assert any(t("segments.prospects.how", "en") == c.value for c in at.caption)
    missing = [c.value for c in at.caption if c.value.startswith("Fortune rank: ")]
    assert missing and "count as the middle (0 points)" in missing[0]
    table = at.dataframe[0].value
    assert "Fortune rank" in table.columns
    row = table[table["Account"] == "Twin 0 d.o.o."].iloc[0]
    assert row["Fortune rank"] == "0" and "+40 Fortune rank 0" in row["Reasons"]
    names = table["Account"].tolist()
    assert names[0] == "Twin 0 d.o.o." and "Twin 1 d.o.o." not in names  # +40 and −40: out of the best 200

    at.text_input(key="segments_prospect_set_name").input("Rank first").run()
    at.button(key="segments_prospect_save").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        (ws_set,) = prospects.list_weight_sets(store)
    finally:
        store.close()
    assert ws_set.weights == {"fortune_rank": 40.0} and ws_set.directions == {"fortune_rank": "lower"}

    # a fresh session (Serbian) loads the set into the widgets
    fresh = _view(run_app(demo_copy, monkeypatch, page="segments", lang="sr"), "prospects")
    assert fresh.multiselect(key="segments_prospect_factors").options == ["Ранг на листи"]
    fresh.selectbox(key="segments_prospect_set").set_value(ws_set.id).run()
    assert_clean(fresh)
    assert fresh.multiselect(key="segments_prospect_factors").value == ["fortune_rank"]
    assert fresh.radio(key="segments_prospect_dir:fortune_rank").value == "lower"
    assert "Ранг на листи" in fresh.dataframe[0].value.columns


def test_the_preview_and_the_export_view_show_the_custom_column(ws: Store, demo_copy: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    saved.save_rule_segment(ws, "ana", name="Pharma", rule=PHARMA)
    ws.close()
    at = run_app(demo_copy, monkeypatch, page="segments", lang="sr")
    assert_clean(at)
    preview = at.dataframe[0].value
    assert "Ранг на листи" in preview.columns and list(preview.columns)[-1] == t("segments.col.segments", "sr")
    _view(at, "export")
    at.button(key="segments_export_prepare").click().run()
    assert_clean(at)
    _, _, csv_bytes, xlsx_bytes = at.session_state["segments_export_files"]
    assert "Ранг на листи" in csv_bytes.decode("utf-8-sig").splitlines()[0]
    assert "Ранг на листи" in [c.value for c in load_workbook(io.BytesIO(xlsx_bytes)).active[1]]


# ---- slides ------------------------------------------------------------------------------------


def test_a_segment_profile_slide_shows_the_custom_field_summaries_fitted(ws: Store) -> None:
    segment = saved.save_rule_segment(ws, "ana", name="Pharma", rule=PHARMA)

    def render(lang: str = "en"):
        return views.VIEWS["segments.profile"].render(ws, {"segment": segment.id}, RenderContext(language=lang))

    text = render().text
    members = ws.query_rows("SELECT count(*) AS n, count(fortune_rank) AS known, "
                            "quantile_cont(fortune_rank, 0.5) AS median FROM accounts WHERE industry = 'Pharma' "
                            "AND NOT archived")[0]
    line = next(line for line in text.splitlines() if line.startswith("Fortune rank: "))
    assert f"median {fmt_number(members['median'], 'en')}," in line
    assert f"{members['known']:,} of {members['n']:,} known" in line
    assert "Ранг на листи: медијана" in render("sr").text

    for i in range(4):  # five fields: three lines and "and 2 more"
        fields.add_field(ws, "tester", "accounts", f"extra_{i}", "number", label_en=f"Extra {i}")
    with ws.transaction("tester") as tx:
        tx.execute("UPDATE accounts SET extra_3 = id")
    lines = render().text.splitlines()
    assert lines[1].startswith("Fortune rank: ") and lines[2].startswith("Extra 3: ")  # fields with values first
    assert lines[-1] == "and 2 more" and len(lines) == 5
    assert render("sr").text.splitlines()[-1] == "и још 2"
