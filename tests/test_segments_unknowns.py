"""The attractiveness matrix admits what it does not know (issue 15, item 5).

A factor without data is unknown: left out of its axis (the other weights re-normalised),
named in a note per segment, and a segment with no known factor on an axis is "not enough
data", never placed. The bug this pins: a freshly imported customer list (no deals, no
suppliers) scored our share 0.00 and competitive intensity 1.00, so every segment landed
on "harvest or exit". Where data exists (the demo market) the scores are pinned unchanged.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import plan_for
from page_helpers import assert_clean, run_app

from research.data import imports
from research.i18n import t
from research.present import views
from research.present.model import RenderContext
from research.segments import attractiveness, saved
from research.segments.rules import compile_rule
from research.store import Store

COUNTRIES = ("RS", "HU", "AT")


@pytest.fixture
def demo(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def _import_accounts(store: Store) -> None:
    """30 accounts per country through the real import path: no supplier, no deal, no competitor."""
    lines = ["name,country,industry,status,employees,annual_revenue"]
    for country_no, country in enumerate(COUNTRIES):
        for i in range(10 * (country_no + 1)):
            lines.append(f"Fresh {country} {i:02d},{country},Logistics,prospect,{20 + 10 * i},{1_000_000 + i * 50_000}")
    imports.apply_import(store, plan_for(store, "accounts", "\n".join(lines).encode()), "ana")


@pytest.fixture
def fresh_path(tmp_path: Path) -> Path:
    """A new workspace with only an imported customer list, and a saved segment per country."""
    path = tmp_path / "fresh.duckdb"
    store = Store.open(str(path))
    try:
        _import_accounts(store)
        for country in COUNTRIES:
            saved.save_rule_segment(store, "ana", name=f"Only {country}", rule={"field": "country", "in": [country]})
    finally:
        store.close()
    return path


@pytest.fixture
def fresh(fresh_path: Path):
    s = Store.open(str(fresh_path))
    yield s
    s.close()


def by_country() -> list:
    return [compile_rule({"field": "country", "in": [c]}) for c in COUNTRIES]


# ---- where data exists nothing moves ---------------------------------------------------------

# Attractiveness, strength and zone of the demo (seed 42, scale 1) with the default weights,
# taken with the code before unknown factors existed. A change here means segments that
# have data moved on the matrix.
DEMO_RULES = {
    "region": ("Western Balkans", "Central Europe", "South-East EU"),
    "industry": ("Agriculture", "Automotive", "Chemicals", "Construction materials", "Cosmetics", "E-commerce & retail",
                 "Electronics", "Food & beverage", "Logistics", "Pharma"),
    "employee_band": ("lt50", "50_249", "250_999", "1000plus"),
    "status": ("customer", "prospect", "lost"),
}
DEMO_SCORES = {
    "region": [(75.059088, 61.772349, "invest"), (47.472273, 41.803044, "selective"), (54.071591, 52.864408, "selective")],
    "industry": [
        (38.577195, 47.63576, "selective"), (53.463604, 43.693838, "selective"), (52.264476, 60.726826, "selective"),
        (45.40315, 60.982684, "selective"), (38.848177, 62.629515, "selective"), (63.155815, 62.253374, "selective"),
        (44.395476, 55.068137, "selective"), (65.784287, 41.580832, "selective"), (53.220224, 65.390091, "selective"),
        (43.114397, 70.547702, "invest"),
    ],
    "employee_band": [(69.79882, 59.492781, "invest"), (49.970411, 58.306646, "selective"),
                      (35.479283, 63.597508, "selective"), (22.044203, 57.495771, "harvest")],
    # "customer": every known supplier is us, so capability stays level (0.5), as before.
    "status": [(71.459394, 85.0, "invest"), (70.381291, 17.104728, "selective"), (30.759637, 24.158824, "harvest")],
}


@pytest.mark.parametrize("field", sorted(DEMO_RULES))
def test_the_demo_scores_do_not_move(demo: Store, field: str) -> None:
    conds = [compile_rule({"field": field, "in": [v]}) for v in DEMO_RULES[field]]
    frame = attractiveness.segment_factors(demo, conds)
    assert not any(frame["unknown"]), list(frame["unknown"])
    scored = attractiveness.score(frame, attractiveness.DEFAULT_WEIGHTS)
    got = list(zip(scored["attractiveness"], scored["strength"], scored["zone"]))
    assert len(got) == len(DEMO_SCORES[field])
    for (a, s, z), (want_a, want_s, want_z) in zip(got, DEMO_SCORES[field]):
        assert (a, s, z) == (pytest.approx(want_a, abs=1e-5), pytest.approx(want_s, abs=1e-5), want_z)


# ---- a fresh import: nothing but accounts --------------------------------------------------


def test_a_fresh_import_is_not_enough_data_never_harvest(fresh: Store) -> None:
    frame = attractiveness.segment_factors(fresh, by_country())
    for factor in ("growth", "margin", "intensity", "share", "capability", "win_rate_factor"):
        assert frame[factor].isna().all(), factor  # not 0, not 1, not 0.5
    assert list(frame["size"]) == pytest.approx([10 / 30, 20 / 30, 1.0])
    assert frame.loc[0, "unknown"] == {
        "growth": "no_dated_deals", "margin": "no_supplier", "intensity": "no_supplier", "share": "no_supplier",
        "win_rate": "no_decided_deals", "capability": "no_supplier",
    }
    scored = attractiveness.score(frame, attractiveness.DEFAULT_WEIGHTS)
    assert scored["strength"].isna().all()
    assert list(scored["zone"]) == [attractiveness.UNPLACED] * 3
    # Attractiveness rests on the one known factor, re-weighted to all of its axis.
    assert list(scored["attractiveness"]) == pytest.approx(list(100 * frame["size"]))
    note = attractiveness.unknown_note(frame.loc[0, "unknown"], "en")
    assert "Our share unknown: no supplier recorded for these accounts" in note
    assert "Win rate unknown: no won or lost deals" in note and "Growth unknown" in note
    assert "Наш удео — непознато" in attractiveness.unknown_note(frame.loc[0, "unknown"], "sr")


def test_a_nan_score_is_no_zone_not_the_middle() -> None:
    assert attractiveness.zone(float("nan"), 90) == attractiveness.UNPLACED
    assert attractiveness.zone(90, float("nan")) == attractiveness.UNPLACED
    assert attractiveness.zone(90, 90) == "invest"


def _add_suppliers(store: Store) -> None:
    """Us and one rival as suppliers of the Serbian accounts only; still no deal anywhere."""
    with store.transaction("ana") as tx:
        us = tx.insert("companies", {"name": "Us", "is_us": True, "price_positioning": "mid"})["id"]
        rival = tx.insert("companies", {"name": "Rival", "price_positioning": "premium"})["id"]
        tx.execute("UPDATE accounts SET supplier_company_id = CASE WHEN id % 4 = 0 THEN ? ELSE ? END WHERE country = 'RS'",
                   [us, rival])


def test_known_factors_carry_their_axis_and_the_weights_are_renormalised(fresh: Store) -> None:
    _add_suppliers(fresh)
    frame = attractiveness.segment_factors(fresh, by_country())
    serbia = frame.loc[0]
    assert set(serbia["unknown"]) == {"growth", "win_rate", "capability"}  # no deals, no capability scores
    assert serbia["unknown"]["capability"] == "no_our_capability"
    assert 0 < serbia["share"] < 0.5 and not math.isnan(serbia["margin"]) and not math.isnan(serbia["intensity"])
    scored = attractiveness.score(frame, attractiveness.DEFAULT_WEIGHTS)
    # Strength = our share alone; attractiveness = size, margin and intensity at 40:20:20.
    assert scored.loc[0, "strength"] == pytest.approx(100 * serbia["share"])
    expected = 100 * (40 * serbia["size"] + 20 * serbia["margin"] + 20 * serbia["intensity"]) / 80
    assert scored.loc[0, "attractiveness"] == pytest.approx(expected)
    assert scored.loc[0, "zone"] != attractiveness.UNPLACED
    assert list(scored["zone"][1:]) == [attractiveness.UNPLACED] * 2  # no supplier known in HU and AT
    # Re-normalising is the same as giving the unknown factors no weight.
    zeroed = {**attractiveness.DEFAULT_WEIGHTS, "growth": 0, "win_rate": 0, "capability": 0}
    filled = frame.fillna({"growth": 0.0, "win_rate_factor": 0.0, "capability": 1.0})
    same = attractiveness.score(filled, zeroed)
    assert same.loc[0, "attractiveness"] == pytest.approx(scored.loc[0, "attractiveness"])
    assert same.loc[0, "strength"] == pytest.approx(scored.loc[0, "strength"])
    # A known factor with no weight leaves nothing to score: not enough data, not a zero.
    only_win_rate = {**attractiveness.DEFAULT_WEIGHTS, "share": 0, "capability": 0}
    assert math.isnan(attractiveness.score(frame, only_win_rate).loc[0, "strength"])


def test_no_competitor_recorded_leaves_intensity_unknown(fresh: Store) -> None:
    with fresh.transaction("ana") as tx:
        us = tx.insert("companies", {"name": "Us", "is_us": True, "price_positioning": "mid"})["id"]
        tx.execute("UPDATE accounts SET supplier_company_id = ? WHERE country = 'RS'", [us])
    frame = attractiveness.segment_factors(fresh, by_country()[:1])
    assert frame.loc[0, "unknown"]["intensity"] == "no_competitors" and math.isnan(frame.loc[0, "intensity"])
    assert frame.loc[0, "share"] == 1.0  # every known supplier is us: that is data


# ---- where it is shown ---------------------------------------------------------------------


def test_the_slide_lists_unplaced_segments_and_draws_no_point_for_them(fresh: Store) -> None:
    _add_suppliers(fresh)
    ids = [s.id for s in saved.list_segments(fresh)]
    params = json.loads(json.dumps({"segments": ids, "weights": attractiveness.DEFAULT_WEIGHTS}))
    for lang in ("en", "sr"):
        content = views.VIEWS["segments.matrix"].render(fresh, params, RenderContext(language=lang))
        assert [s.name for s in content.native.series] == ["Only RS"]
        table = content.table.set_index(t("segments.col.segment", lang))
        zones = table[t("segments.matrix.zone", lang)]
        assert zones["Only HU"] == zones["Only AT"] == t("segments.zone.unknown", lang)
        assert zones["Only RS"] != t("segments.zone.unknown", lang)
        assert table[t("segments.matrix.strength", lang)][["Only HU", "Only AT"]].isna().all()
        assert t("segments.matrix.unplaced", lang, segments="Only AT, Only HU") in content.text
        assert t("segments.unknown.no_supplier", lang) in content.text
        chart = json.dumps(content.chart, ensure_ascii=False)
        assert "Only RS" in chart and "Only HU" not in chart and "Only AT" not in chart


def test_the_page_warns_and_names_the_unknown_factors(fresh_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(fresh_path, monkeypatch, page="segments")
    at.session_state["segments_view"] = "matrix"
    at.run()
    assert_clean(at)
    assert at.warning and at.warning[0].value == t("segments.matrix.unplaced", "en", segments="Only AT, Only HU, Only RS")
    table: pd.DataFrame = at.dataframe[0].value
    assert table[t("segments.matrix.zone", "en")].tolist() == [t("segments.zone.unknown", "en")] * 3
    assert table[t("segments.factor.share", "en")].tolist() == ["unknown"] * 3
    notes = table[t("segments.matrix.unknown", "en")].tolist()
    assert all("Our share unknown: no supplier recorded for these accounts" in n for n in notes)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Only RS" not in spec and "harvest" not in spec


def test_the_demo_page_shows_no_unknown_column(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    saved.save_rule_segment(store, "ana", name="Serbia", rule={"field": "country", "in": ["RS"]})
    store.close()
    at = run_app(demo_copy, monkeypatch, page="segments")
    at.session_state["segments_view"] = "matrix"
    at.run()
    assert_clean(at)
    assert not at.warning
    table: pd.DataFrame = at.dataframe[0].value
    assert t("segments.matrix.unknown", "en") not in table.columns
    assert "unknown" not in table.to_string()
