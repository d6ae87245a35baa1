"""AppTest of the Compare page: every view in both languages, URL state, focus, feature edits and additions, highlight colour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research.compare import features
from research.i18n import t
from research.store import Store
from page_helpers import ROOT, assert_clean, run_app

VIEWS = ("matrix", "canvas", "radar", "positioning", "prices", "share")


@pytest.fixture
def seeded(demo_copy: Path) -> Path:
    store = Store.open(str(demo_copy))
    features.seed_demo_features(store, 42)
    store.close()
    return demo_copy


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def _focus_value(spec: dict) -> object:
    return next(p.get("value") for p in spec["params"] if p["name"] == "focus")


def _query(db: Path, sql: str) -> list[dict]:
    store = Store.open(str(db))
    try:
        return store.query_rows(sql)
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_view_renders_a_chart_with_downloads(seeded, monkeypatch, lang):
    at = run_app(seeded, monkeypatch, page="compare", lang=lang)
    assert_clean(at)
    assert len(at.multiselect(key="compare_competitors").value) == 2  # the two biggest competitors by default
    for view in VIEWS:
        at.segmented_control(key="compare_view").set_value(view).run()
        assert_clean(at)
        assert at.segmented_control(key="compare_view").value == view
        specs = _charts(at)
        assert len(specs) == 1, view
        assert len(at.get("download_button")) == 3, view
        assert "focus" in json.dumps(specs[0]["params"]), view  # every chart carries click-to-focus
    titles = set()
    at.segmented_control(key="compare_view").set_value("prices").run()
    for kind in ("index", "distribution", "history"):
        at.radio(key="compare_price_kind").set_value(kind).run()
        assert_clean(at)
        titles.add(_charts(at)[0]["title"]["text"])
    assert len(titles) == 3  # three different price charts
    assert t("compare.prices.history_title", lang, category="")[:8] in " ".join(titles)
    at.segmented_control(key="compare_view").set_value("summary").run()
    assert_clean(at)
    # The text to copy into a slide is plain: no Markdown headings or bold marks (issue 17 item 6).
    assert at.code and t("compare.summary.advantages", lang) in at.code[0].value
    assert "#" not in at.code[0].value and "**" not in at.code[0].value and "_" not in at.code[0].value


def test_positioning_axes_share_sources_and_no_competitor(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    at.segmented_control(key="compare_view").set_value("positioning").run()
    at.selectbox(key="compare_pos_x").select("feature_coverage").run()
    at.selectbox(key="compare_pos_size").select("revenue").run()
    assert_clean(at)
    assert "Feature coverage" in json.dumps(_charts(at)[0])
    at.segmented_control(key="compare_view").set_value("share").run()
    at.segmented_control(key="compare_share_source").set_value("country").run()
    assert_clean(at)
    assert '"Country"' in json.dumps(_charts(at)[0])
    at.multiselect(key="compare_competitors").set_value([]).run()
    assert_clean(at)
    assert any(t("compare.pick_competitors", "en") in i.value for i in at.info)


def test_a_link_opens_a_view_with_chosen_competitors_and_the_url_follows(seeded, monkeypatch):
    monkeypatch.setenv("VANTAGE_DB", str(seeded))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/compare.py")
    at.query_params["view"] = "radar"
    at.query_params["competitors"] = "adria pack,PackPro International,Nobody Ltd"
    at.query_params["focus"] = "PackPro International"
    at.run()
    assert not at.exception
    assert at.segmented_control(key="compare_view").value == "radar"
    assert at.multiselect(key="compare_competitors").value == ["Adria Pack", "PackPro International"]
    assert any("Nobody Ltd" in w.value for w in at.warning)  # a wrong name is said, not ignored
    spec = _charts(at)[0]
    assert spec["title"]["text"] == t("compare.radar.title", "en")
    assert _focus_value(spec) == [{"company_label": "PackPro International"}]
    # Changing the view rewrites the address, so the link can be shared as it is on screen.
    at.segmented_control(key="compare_view").set_value("prices").run()
    assert at.query_params["view"] == "prices"
    assert at.query_params["prices"] == "index"
    assert at.query_params["competitors"] == "Adria Pack,PackPro International"
    assert at.query_params["focus"] == "PackPro International"


def test_focus_carries_across_charts_and_orders_the_summary(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    rivals = at.multiselect(key="compare_competitors").value
    second = rivals[1]
    at.segmented_control(key="compare_focus").set_value(second).run()
    assert_clean(at)
    for view in ("matrix", "radar", "positioning", "prices", "share"):
        at.segmented_control(key="compare_view").set_value(view).run()
        assert _focus_value(_charts(at)[0]) == [{"company_label": second}], view
    at.segmented_control(key="compare_view").set_value("summary").run()
    text = at.code[0].value
    assert text.index(second) < text.index(rivals[0])  # the focused competitor comes first
    at.segmented_control(key="compare_focus").set_value(None).run()
    at.segmented_control(key="compare_view").set_value("radar").run()
    assert _focus_value(_charts(at)[0]) is None


def test_editing_a_feature_value_saves_it_with_an_audit_row(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    at.toggle(key="compare_edit_toggle").set_value(True).run()
    assert_clean(at)
    before = at.get("vega_lite_chart")[0].proto.spec
    at.session_state["compare_feature_editor"] = {
        "edited_rows": {0: {"value": "no", "note": "checked at the fair"}}, "added_rows": [], "deleted_rows": [],
    }
    at.button(key="compare_edit_save").click().run()
    assert_clean(at)
    rows = _query(seeded, "SELECT value, note, version FROM company_features WHERE note = 'checked at the fair'")
    assert len(rows) == 1 and rows[0]["value"] == "no"
    audit = _query(seeded, "SELECT actor, action FROM audit_log WHERE table_name = 'company_features' AND actor <> 'demo'")
    assert audit and audit[0]["action"] in ("insert", "update")
    # The cached matrix was drawn again from the saved data (the write changed the data version).
    assert at.get("vega_lite_chart")[0].proto.spec != before


def test_an_invalid_source_is_refused_and_nothing_is_saved(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    at.toggle(key="compare_edit_toggle").set_value(True).run()
    at.session_state["compare_feature_editor"] = {
        "edited_rows": {0: {"source_url": "javascript:alert(1)"}, 1: {"note": "fine"}}, "added_rows": [], "deleted_rows": [],
    }
    at.button(key="compare_edit_save").click().run()
    assert any("http" in e.value for e in at.error)
    assert not _query(seeded, "SELECT id FROM company_features WHERE note = 'fine'")


def test_adding_a_feature_from_the_matrix(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    at.toggle(key="compare_edit_toggle").set_value(True).run()
    at.selectbox(key="compare_add_category").select("Delivery")
    at.text_input(key="compare_add_name").input("  Night deliveries  ")
    at.selectbox(key="compare_add_product_category").select("Pallets")
    at.button(key="FormSubmitter:compare_add_feature-" + t("compare.add.submit", "en")).click().run()
    assert_clean(at)
    assert any("Night deliveries" in s.value for s in at.success)
    rows = _query(seeded, "SELECT id, name, category, product_category FROM features WHERE name = 'Night deliveries'")
    assert rows and rows[0]["category"] == "Delivery" and rows[0]["product_category"] == "Pallets"
    audit = _query(seeded, f"SELECT actor FROM audit_log WHERE table_name = 'features' AND row_id = '{rows[0]['id']}'")
    assert audit
    # The same name again in the same category is refused with a clear message.
    at.selectbox(key="compare_add_category").select("Delivery")
    at.text_input(key="compare_add_name").input("night deliveries")
    at.button(key="FormSubmitter:compare_add_feature-" + t("compare.add.submit", "en")).click().run()
    assert any("already exists" in e.value for e in at.error)
    # A feature without a name is refused too.
    at.button(key="FormSubmitter:compare_add_feature-" + t("compare.add.submit", "en")).click().run()
    assert any("needs a name" in e.value for e in at.error)


def test_highlight_colour_is_saved_and_used(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare", lang="sr")
    assert '"#1F77B4"' not in json.dumps(_charts(at)[0])
    at.color_picker(key="compare_highlight").pick("#1F77B4").run()
    at.button(key="compare_highlight_save").click().run()
    assert_clean(at)
    assert '"#1F77B4"' in json.dumps(_charts(at)[0])  # the cached chart was redrawn in the new colour
    assert _query(seeded, "SELECT value FROM workspace_meta WHERE key = 'highlight_color'")[0]["value"] == "#1F77B4"


def _click_chart(at: AppTest, selection: list[dict]) -> AppTest:
    """Send the selection event the browser sends for a click on the chart (its widget value), then rerun.

    AppTest has no driver for chart selections; this builds the widget state a click
    produces, so the page's on_select callback runs as it does in the browser.
    """
    chart = at.get("vega_lite_chart")[0]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"focus": selection}})
    at._run(states)
    return at


def test_clicking_a_company_in_a_chart_focuses_it_and_a_double_click_clears_it(seeded, monkeypatch):
    at = run_app(seeded, monkeypatch, page="compare")
    at.segmented_control(key="compare_view").set_value("radar").run()
    us, rival = "Danubia Packaging (us)", at.multiselect(key="compare_competitors").value[1]
    _click_chart(at, [{"company_label": rival}])
    assert_clean(at)
    assert at.segmented_control(key="compare_focus").value == rival
    assert _focus_value(_charts(at)[0]) == [{"company_label": rival}]
    at.segmented_control(key="compare_view").set_value("share").run()  # the focus follows to other charts
    assert _focus_value(_charts(at)[0]) == [{"company_label": rival}]
    _click_chart(at, [{"company_label": us}])  # we are always highlighted: clicking us keeps the focus
    assert at.segmented_control(key="compare_focus").value == rival
    _click_chart(at, [])  # a double click clears the selection, and the focus
    assert at.segmented_control(key="compare_focus").value is None
    assert _focus_value(_charts(at)[0]) is None


def test_an_empty_demo_matrix_is_filled_with_one_click(demo_copy, monkeypatch):
    store = Store.open(str(demo_copy))  # a workspace from before the demo had features
    with store.transaction("tester") as tx:
        tx.execute("DELETE FROM company_features")
        tx.execute("DELETE FROM features")
    store.close()
    at = run_app(demo_copy, monkeypatch, page="compare")
    assert '"no_data_0"' in json.dumps(_charts(at)[0])  # no features yet: the "no data" chart, never zeros
    at.button(key="compare_seed_features").click().run()
    assert_clean(at)
    assert _query(demo_copy, "SELECT count(*) AS n FROM company_features")[0]["n"] > 50
    assert _query(demo_copy, "SELECT count(*) AS n FROM audit_log WHERE table_name = 'company_features' AND action = 'bulk'")[0]["n"] == 1
    assert not [b for b in at.button if b.key == "compare_seed_features"]  # offered only while the matrix is empty
    assert t("compare.matrix.title", "en") in json.dumps(_charts(at)[0])


# ---- the advantage summary's structure ---------------------------------------------------------------


def _summary_outline(markdown: str, advantages: str, gaps: str) -> dict[str, dict[str, list[str]]]:
    """Parse the summary as a browser does (CommonMark) into competitor heading -> section -> bullet texts.

    A section starts at a paragraph that is only its bold name; a bullet belongs to the last
    section started. Text anywhere else (e.g. "Our gaps" swallowed by a bullet) stays where
    the parser put it, so a lazy continuation shows up as a wrong outline.
    """
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    outline: dict[str, dict[str, list[str]]] = {}
    heading = section = None
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        text = "".join(c.content for c in token.children or [] if c.type in ("text", "softbreak", "code_inline"))
        opener = tokens[i - 1]
        if opener.type == "heading_open":
            heading, section = text, None
            outline[heading] = {}
        elif opener.type == "paragraph_open" and tokens[i - 2].type == "list_item_open":
            outline[heading].setdefault(section, []).append(text)
        elif opener.type == "paragraph_open" and [c.type for c in token.children if c.content or c.type != "text"] == [
            "strong_open", "text", "strong_close"
        ]:
            section = {advantages: "advantages", gaps: "gaps"}.get(text, text)
    return outline


def _text_outline(text: str, advantages: str, gaps: str) -> dict[str, dict[str, list[str]]]:
    """Parse the plain copy text into competitor heading -> section -> bullet texts: a block's first
    line is its heading, a section name starts a section, a "• " line is a bullet of the last section."""
    outline: dict[str, dict[str, list[str]]] = {}
    for block in text.strip().split("\n\n\n"):
        heading, *lines = block.split("\n")
        outline[heading] = {}
        section = None
        for line in filter(None, lines):
            if line in (advantages, gaps):
                section = {advantages: "advantages", gaps: "gaps"}[line]
            elif line.startswith("• "):
                outline[heading].setdefault(section, []).append(line[2:])
    return outline


def _ours_better(item) -> bool:
    """What the data says: we are ahead on this item (higher score, more of a feature, cheaper, more share)."""
    from research.compare.data import VALUE_RANK

    if item.kind == "feature":
        return VALUE_RANK[item.ours] > VALUE_RANK[item.theirs]
    if item.kind == "price":
        return item.theirs > item.ours  # their index above our 100: they are dearer
    return item.ours > item.theirs


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_summary_lists_every_advantage_under_advantages_and_every_gap_under_gaps(seeded, monkeypatch, lang):
    # Pins issue 17: "Our gaps" ran into the last advantage bullet, so the gaps were listed
    # under "Our advantages" (a line right after a list item continues that item in Markdown).
    from research.compare import data
    from research.compare.summary import summary_for
    from research.compare.views import item_sentence
    from research.data.labels import labels_for

    at = run_app(seeded, monkeypatch, page="compare", lang=lang)
    at.segmented_control(key="compare_view").set_value("summary").run()
    assert_clean(at)
    picked = at.multiselect(key="compare_competitors").value
    [shown] = [m.value for m in at.markdown if m.value.startswith("#### ")]
    outline = _summary_outline(shown, t("compare.summary.advantages", lang), t("compare.summary.gaps", lang))

    store = Store.open(str(seeded))
    try:
        summaries = summary_for(store, data.pick_companies(store, picked))
        names = labels_for(store, lang)
    finally:
        store.close()
    assert len(summaries) == len(picked) == 2
    assert sum(len(s.gaps) for s in summaries) and sum(len(s.advantages) for s in summaries)  # both sides in the demo
    expected = {}
    for s in summaries:
        # The data first: an advantage is an item where we are ahead, a gap one where they are.
        assert all(_ours_better(i) for i in s.advantages), s.advantages
        assert not any(_ours_better(i) for i in s.gaps), s.gaps
        none = [t("compare.summary.none", lang)]
        expected[t("compare.summary.versus", lang, competitor=s.competitor)] = {
            "advantages": [item_sentence(i, lang, names) for i in s.advantages] or none,
            "gaps": [item_sentence(i, lang, names) for i in s.gaps] or none,
        }
    # Then the page: every bullet under its own heading, nothing else under either.
    assert outline == expected
    # The plain text to copy into a slide has the same outline.
    assert _text_outline(at.code[0].value, t("compare.summary.advantages", lang), t("compare.summary.gaps", lang)) == expected
