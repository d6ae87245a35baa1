"""The Segments page under AppTest: build a rule, save it, profile, cluster, size, rank, score and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.i18n import t
from research.segments import saved
from research.store import Store


def open_segments(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> AppTest:
    at = run_app(db, monkeypatch, page="segments", lang=lang)
    assert_clean(at)
    return at


def view(at: AppTest, name: str) -> AppTest:
    at.session_state["segments_view"] = name
    at.run()
    assert_clean(at)
    return at


def metric(at: AppTest, label_key: str, lang: str = "en") -> str:
    return {m.label: m.value for m in at.metric}[t(label_key, lang)]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def segments_in(db: Path) -> list[saved.Segment]:
    store = Store.open(str(db))
    try:
        return saved.list_segments(store)
    finally:
        store.close()


def build_balkan_rule(at: AppTest) -> None:
    at.multiselect(key="segments_g0_region").set_value(["Western Balkans"]).run()
    at.multiselect(key="segments_g0_industry").set_value(["Automotive", "Chemicals", "Electronics"]).run()
    at.multiselect(key="segments_g0_status").set_value(["prospect"]).run()
    at.number_input(key="segments_g0_employees_min").set_value(250).run()
    assert_clean(at)


def test_build_save_overwrite_and_profile(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_segments(demo_copy, monkeypatch)
    assert metric(at, "segments.count") == "5,000"
    build_balkan_rule(at)
    count = int(metric(at, "segments.count").replace(",", ""))
    assert 0 < count < 500
    assert at.dataframe[0].value.shape[0] == min(20, count)
    at.text_input(key="segments_name").input("Large manufacturing prospects in the Balkans")
    at.text_input(key="segments_description").input("Newcomer's first segment")
    at.button(key="segments_save").click().run()
    assert_clean(at)
    [seg] = segments_in(demo_copy)
    assert seg.name == "Large manufacturing prospects in the Balkans" and seg.definition["items"][0]["in"] == ["Western Balkans"]
    assert at.success and "Saved" in at.success[0].value

    # A new rule under the same name asks to overwrite or rename.
    at.selectbox(key="segments_load").set_value(-1).run()
    at.multiselect(key="segments_g0_country").set_value(["AT"]).run()
    at.text_input(key="segments_name").input("large manufacturing prospects in the balkans")
    at.button(key="segments_save").click().run()
    assert at.warning and "already exists" in at.warning[0].value
    assert len(segments_in(demo_copy)) == 1
    at.button(key="segments_rename").click().run()
    assert_clean(at)
    assert sorted(s.name for s in segments_in(demo_copy)) == [
        "Large manufacturing prospects in the Balkans", "large manufacturing prospects in the balkans (2)"]

    view(at, "profile")
    assert at.multiselect(key="segments_profile_pick").value == [-1]
    store_ids = [s.id for s in segments_in(demo_copy)]
    at.multiselect(key="segments_profile_pick").set_value([store_ids[0]]).run()
    assert_clean(at)
    assert metric(at, "segments.kpi.accounts") == f"{count:,}"
    assert len(at.get("vega_lite_chart")) == 1
    at.button(key="segments_profile_png_prepare").click().run()
    assert_clean(at)
    assert at.session_state["segments_profile_png"][:4] == b"\x89PNG"
    at.multiselect(key="segments_profile_pick").set_value(store_ids).run()
    assert_clean(at)
    assert at.dataframe[0].value.shape[0] == 2  # side by side
    assert len(at.get("vega_lite_chart")) == 1
    assert at.button(key="segments_compare_png_prepare")  # every chart offers its PNG


def test_contradictory_range_is_refused_and_empty_rule_shows_empty_state(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_segments(demo_copy, monkeypatch)
    at.number_input(key="segments_g0_employees_min").set_value(500).run()
    at.number_input(key="segments_g0_employees_max").set_value(100).run()
    assert at.error and "above the maximum" in at.error[0].value
    at.number_input(key="segments_g0_employees_max").set_value(None).run()
    at.number_input(key="segments_g0_employees_min").set_value(10_000_000).run()
    assert_clean(at)
    assert metric(at, "segments.count") == "0" and at.info[0].value == t("segments.empty", "en")


def test_or_groups_survive_switching_views(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_segments(demo_copy, monkeypatch)
    at.multiselect(key="segments_g0_country").set_value(["AT"]).run()
    austria = int(metric(at, "segments.count").replace(",", ""))
    at.button(key="segments_add_group").click().run()
    at.multiselect(key="segments_g1_country").set_value(["ME"]).run()
    both = int(metric(at, "segments.count").replace(",", ""))
    assert both > austria
    view(at, "matrix")
    view(at, "build")
    assert at.multiselect(key="segments_g1_country").value == ["ME"]
    assert int(metric(at, "segments.count").replace(",", "")) == both


def test_matrix_weights_move_bubbles_and_save_as_versions(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    for region in ("Western Balkans", "Central Europe", "South-East EU"):
        saved.save_rule_segment(store, "ana", name=region, rule={"field": "region", "in": [region]})
    store.close()
    at = view(open_segments(demo_copy, monkeypatch), "matrix")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    before = charts[0].proto.spec
    assert "Market attractiveness" in before and "Our competitive strength" in before
    at.slider(key="segments_w_size").set_value(0).run()
    assert_clean(at)
    assert at.get("vega_lite_chart")[0].proto.spec != before
    at.text_input(key="segments_weight_name").input("No size")
    at.button(key="segments_weight_save").click().run()
    assert_clean(at)
    at.button(key="segments_weight_save").click().run()
    assert "version 2" in at.success[0].value
    at.button(key="segments_png_prepare").click().run()
    assert_clean(at)
    assert at.session_state["segments_png"][:4] == b"\x89PNG"


def test_cluster_then_save_then_they_appear_everywhere(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_SEGMENT_K_MAX", "4")
    monkeypatch.setenv("VANTAGE_SEGMENT_SAMPLE", "800")
    at = view(open_segments(demo_copy, monkeypatch), "cluster")
    button(at, t("segments.cluster.run", "en")).click().run()
    assert_clean(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Silhouette" in json.dumps(spec)
    table = at.dataframe[0].value
    assert table.shape[0] >= 2 and all("firms" in d.lower() for d in table["Description"])
    at.text_input(key="segments_cluster_prefix").input("Size")
    at.button(key="segments_cluster_save").click().run()
    assert_clean(at)
    names = [s.name for s in segments_in(demo_copy)]
    assert "Size 1" in names and "Size 2" in names
    at.button(key="segments_cluster_save").click().run()
    assert at.warning and "already exists" in at.warning[0].value
    view(at, "sizing")
    assert len(at.get("vega_lite_chart")) == 1
    at.button(key="segments_sizing_save").click().run()
    assert_clean(at)
    assert segments_in(demo_copy)[0].acv is not None


def test_prospects_and_export(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    saved.save_rule_segment(store, "ana", name="=Pharma", rule={"field": "industry", "in": ["Pharma"]})
    store.close()
    at = view(open_segments(demo_copy, monkeypatch), "prospects")
    table = at.dataframe[0].value
    assert table.shape[0] == 200 and "in target segment =Pharma" in table["Reasons"].iloc[0]
    view(at, "export")
    at.button(key="segments_export_prepare").click().run()
    assert_clean(at)
    name, rows, csv_bytes, xlsx_bytes = at.session_state["segments_export_files"]
    assert name == "=Pharma" and rows > 100 and csv_bytes.startswith("\ufeffname".encode())
    assert xlsx_bytes[:2] == b"PK"


@pytest.mark.parametrize("name", ["build", "profile", "cluster", "sizing", "matrix", "prospects", "export"])
def test_every_view_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    store = Store.open(str(demo_copy))
    saved.save_rule_segment(store, "ana", name="Србија", rule={"field": "country", "in": ["RS"]})
    store.close()
    at = view(open_segments(demo_copy, monkeypatch, lang="sr"), name)
    assert at.title[0].value == t("page.segments", "sr")
    assert not [b.label for b in at.button if b.label.isascii() and len(b.label) > 3]


def test_deep_link_opens_the_matrix(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DB", str(demo_copy))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.query_params["view"] = "matrix"
    at.run()
    at.switch_page("pages/segments.py").run()
    assert_clean(at)
    assert at.session_state["segments_view"] == "matrix"
