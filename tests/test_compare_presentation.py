"""The Compare page in the viewer's language and in words (issue 17 items 5 and 6).

Charts are read the way the browser gets them: the Vega-Lite spec plus its datasets
(Streamlit ships a chart's data apart from the spec, as Arrow). A Serbian viewer sees
features, their groups, capabilities, product categories and industries by the
workspace's Serbian names (value_labels, filled by the demo); the stored values stay the
keys (pickers, URL, CSV). The summary's copy block is plain text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.compare import data, features, views
from research.compare.summary import CompetitorSummary, Item
from research.competitors import profiles
from research.errors import ValidationError
from research.i18n import MESSAGES, fmt_money_round, t
from research.store import Store
from research.ui.text import escape_markdown


def _names(db: Path, domain: str) -> dict[str, str]:
    """value -> Serbian name of the demo's `domain` values that have a Serbian name of their own."""
    store = Store.open(str(db))
    try:
        rows = store.query_rows("SELECT value, label_sr FROM value_labels WHERE domain = ? AND label_sr <> value", [domain])
    finally:
        store.close()
    assert rows, f"the demo names no {domain}"
    return {r["value"]: r["label_sr"] for r in rows}


def _chart_data(at: AppTest) -> list[pd.DataFrame]:
    """Every dataset of every chart on the page (the rows the browser draws)."""
    frames = []
    for el in at.get("vega_lite_chart"):
        frames += [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
        spec = json.loads(el.proto.spec)
        for dataset in (spec.get("datasets") or {}).values():  # data inlined in the spec, if any
            frames.append(pd.DataFrame(dataset))
    return frames


def _column(at: AppTest, column: str) -> set[str]:
    values = set()
    for frame in _chart_data(at):
        if column in frame.columns:
            values |= {str(v) for v in frame[column].dropna()}
    assert values, f"no chart has a {column!r} column"
    return values


def _view(at: AppTest, view: str) -> AppTest:
    at.segmented_control(key="compare_view").set_value(view).run()
    assert_clean(at)
    return at


def test_the_matrix_names_features_and_their_groups_in_serbian(demo_copy: Path, monkeypatch) -> None:
    feature_names, groups = _names(demo_copy, "feature"), _names(demo_copy, "feature_category")
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "matrix")
    shown = _column(at, "feature")
    assert shown <= set(feature_names.values()), shown - set(feature_names.values())
    assert _column(at, "category") <= set(groups.values())
    # The product-category filter offers the stored categories, named in Serbian.
    picker = at.selectbox(key="compare_matrix_category")
    categories = _names(demo_copy, "category")
    assert picker.options[0] == t("compare.all_categories", "sr")
    assert set(picker.options[1:]) <= set(categories.values())
    picker.select_index(1).run()
    assert_clean(at)
    assert at.session_state["compare_matrix_category"] in categories  # the stored value is the key
    # The feature editor: read-only names in Serbian, values by their labels, no "None" in empty cells.
    at.toggle(key="compare_edit_toggle").set_value(True).run()
    editor = next(df for df in at.dataframe if df.key == "compare_feature_editor")
    assert set(editor.value["feature"]) <= set(feature_names.values())
    assert not editor.value[["note", "source_url"]].isna().any().any()
    options = json.loads(editor.proto.columns)["value"]["type_config"]["options"]
    assert [o["label"] for o in options] == [t(f"compare.value.{v}", "sr") for v in data.FEATURE_VALUES]


def test_the_english_matrix_keeps_the_stored_names(demo_copy: Path, monkeypatch) -> None:
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="en"), "matrix")
    assert _column(at, "feature") <= set(_names(demo_copy, "feature"))


@pytest.mark.parametrize("view", ["canvas", "radar"])
def test_capabilities_are_named_in_serbian(demo_copy: Path, monkeypatch, view: str) -> None:
    capabilities = _names(demo_copy, "capability")
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), view)
    shown = _column(at, "capability") - {"1", "2", "3", "4", "5"}  # the radar's ring levels
    assert shown and shown <= set(capabilities.values()), shown
    if view == "canvas":
        [spec] = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
        order = spec["layer"][0]["encoding"]["x"]["sort"]
        assert set(order) <= set(capabilities.values())  # the factor order is mapped like the data


def test_price_charts_name_categories_in_serbian(demo_copy: Path, monkeypatch) -> None:
    categories = _names(demo_copy, "category")
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "prices")
    for kind in ("index", "distribution"):
        at.radio(key="compare_price_kind").set_value(kind).run()
        assert_clean(at)
        assert _column(at, "category") <= set(categories.values()), kind
    at.radio(key="compare_price_kind").set_value("history").run()
    assert_clean(at)
    picker = at.selectbox(key="compare_history_category")
    category = at.session_state["compare_history_category"]
    assert category in categories and set(picker.options) <= set(categories.values())
    [spec] = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    assert spec["title"]["text"] == t("compare.prices.history_title", "sr", category=categories[category])


@pytest.mark.parametrize("source", ["industry", "region"])
def test_share_segments_are_named_in_serbian(demo_copy: Path, monkeypatch, source: str) -> None:
    names = _names(demo_copy, source)
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "share")
    at.segmented_control(key="compare_share_source").set_value(source).run()
    assert_clean(at)
    assert _column(at, "segment_label") <= set(names.values()) | {t("overview.share.not_set", "sr")}
    assert not any("segment" in frame.columns for frame in _chart_data(at))  # no raw value rides along


def test_the_summary_reads_in_serbian_and_the_copy_block_is_plain_text(demo_copy: Path, monkeypatch) -> None:
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "summary")
    english = {**_names(demo_copy, "feature"), **_names(demo_copy, "capability"), **_names(demo_copy, "category")}
    [shown] = [m.value for m in at.markdown if m.value.startswith("#### ")]
    copy = at.code[0].value
    for text in (shown.replace("\\", ""), copy):
        assert not [value for value in english if value in text], text
        assert any(name in text for name in english.values())
    # Pins issue 17 item 6: the "copy into a slide" block was Markdown, full of #### and **.
    assert at.code[0].language in ("", None, "text", "plaintext")
    assert "#" not in copy and "**" not in copy and "\\" not in copy
    assert copy.splitlines()[0] == t("compare.summary.versus", "sr", competitor=at.multiselect(key="compare_competitors").value[0])


def test_the_plain_summary_keeps_workspace_text_literally() -> None:
    item = Item("A*B_Co", "advantage", "capability", "Speed [fast]", 4.0, 2.0, 2.0)
    summary = [CompetitorSummary("A*B_Co", [item], [], ["price"])]
    text = views.summary_text(summary, "en")
    assert text == (
        "Against A*B_Co\n\nOur advantages\n• Speed [fast] — our score 4, A*B_Co: 2\n\nOur gaps\n• none in the data\n\n"
        "No data on: prices\n"
    )
    markdown = views.summary_markdown(summary, "en", escape=escape_markdown)
    assert "A\\*B\\_Co" in markdown and "Speed \\[fast\\]" in markdown


def test_the_profile_table_rounds_revenue_and_has_no_empty_cells(demo_copy: Path, monkeypatch) -> None:
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "positioning")
    profile = next(d.value for d in at.dataframe if t("compare.profile.attribute", "sr") in d.value.columns)
    revenue = profile.set_index(t("compare.profile.attribute", "sr")).loc[t("compare.profile.revenue", "sr")]
    store = Store.open(str(demo_copy))
    try:
        us = profiles.our_company_id(store)
        estimate, currency = store.query_rows("SELECT revenue_estimate, revenue_currency FROM companies WHERE id = ?",
                                              [us])[0].values()
    finally:
        store.close()
    assert revenue.iloc[0] == fmt_money_round(estimate, currency, "sr")
    assert not profile.isna().any().any() and "None" not in profile.to_numpy()


def test_the_y_axis_never_offers_the_x_attribute(demo_copy: Path, monkeypatch) -> None:
    at = _view(run_app(demo_copy, monkeypatch, page="compare"), "positioning")
    at.selectbox(key="compare_pos_x").select("capability_avg").run()
    assert_clean(at)
    y = at.selectbox(key="compare_pos_y")  # it used to keep capability_avg, and the chart said "choose two axes"
    assert t("compare.attr.capability_avg", "en") not in y.options and y.value != "capability_avg"
    assert len(at.get("vega_lite_chart")) == 1


def test_a_serbian_viewer_reads_the_add_feature_error_in_serbian(demo_copy: Path, monkeypatch) -> None:
    at = _view(run_app(demo_copy, monkeypatch, page="compare", lang="sr"), "matrix")
    at.toggle(key="compare_edit_toggle").set_value(True).run()
    next(b for b in at.button if b.label == t("compare.add.submit", "sr")).click().run()
    assert not at.exception
    assert at.error[0].value.endswith(escape_markdown(t("compare.error.feature_missing", "sr")))


@pytest.mark.parametrize(
    ("write", "key"),
    [
        (lambda s: features.add_feature(s, "t", "", "Delivery"), "compare.error.feature_missing"),
        (lambda s: features.add_feature(s, "t", "x" * 200, "Delivery"), "compare.error.too_long.name"),
        (lambda s: features.add_feature(s, "t", "Same-day dispatch", "Delivery"), "compare.error.feature_taken"),
        (lambda s: features.save_cells(s, "t", [features.CellEdit(1, 1, "maybe")]), "compare.error.value"),
        (lambda s: features.save_cells(s, "t", [features.CellEdit(1, 1, "yes", source_url="ftp://x")]),
         "compare.error.source"),
        (lambda s: features.save_cells(s, "t", [features.CellEdit(1, 1, "yes", note="n" * 600)]), "compare.error.too_long.note"),
        (lambda s: views.set_highlight_color(s, "t", "red"), "compare.error.colour"),
        (lambda s: views.positioning_view(s, data.companies(s), "sr", x="share", y="share"), "compare.error.axes"),
        (lambda s: views.chart_view(s, "pie", data.companies(s), "sr"), "compare.error.chart"),
        (lambda s: data.pick_companies(s, ["Nobody"]), "compare.error.unknown_competitor"),
        (lambda s: data.price_history(s, data.companies(s), "Pallets", threshold=-1), "compare.error.threshold"),
        (lambda s: data.share_by_segment_for(s, "planet", data.companies(s)), "compare.error.segment_source"),
    ],
)
def test_compare_errors_are_catalog_messages_in_both_languages(demo_copy: Path, write, key: str) -> None:
    store = Store.open(str(demo_copy))
    try:
        with pytest.raises(ValidationError) as caught:
            write(store)
    finally:
        store.close()
    error = caught.value
    assert error.key == key and key in MESSAGES
    assert error.message == t(key, "en", **error.params)
    assert t(key, "sr", **error.params) != error.message
