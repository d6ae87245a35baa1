"""The Present view registry: every chart and board a page offers to "Add to deck", drawn again from frozen params.

Renders each registered view on a copy of the demo workspace in both languages, checks
that the editable PowerPoint data equals the chart's data, that boards hold the SWOT
items, that deleted or archived sources give "data no longer available", that params
survive the round trip through a stored slide, that private items stay off a shared
screen, and that the "Add to deck" popover on each page stores the page's exact state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research import market
from research.access import Principal
from research.charts.theme import US_COLOR
from research.compare import data as compare_data
from research.compare import views as compare_views
from research.competitors import profiles, swot, tows
from research.i18n import fmt_money_round, t
from research.present import decks, views
from research.present.model import RenderContext, SlideContent
from research.query import sandbox as sandbox_module
from research.query import saved as saved_queries
from research.segments import attractiveness, profile, saved
from research.store import Store

QUERY_SQL = (
    "SELECT c.name AS company, count(*) AS accounts\n"
    "FROM accounts a JOIN companies c ON c.id = a.supplier_company_id\n"
    "WHERE a.employees >= $min_employees AND a.created_at >= $since\n"
    "GROUP BY 1 ORDER BY 2 DESC"
)


@pytest.fixture(autouse=True)
def _no_leftover_workers():
    yield
    sandbox_module._close_all()


@pytest.fixture
def ws(demo_copy: Path):
    """The demo workspace with two saved segments and one TOWS strategy (the demo has neither)."""
    store = Store.open(str(demo_copy))
    saved.save_rule_segment(store, "ana", name="Balkan", rule={"field": "region", "in": ["Western Balkans"]})
    saved.save_rule_segment(store, "ana", name="Automotive", rule={"field": "industry", "in": ["Automotive"]},
                            colour="#3F6E9E")
    rival = rivals(store)[0]
    items = tows.tows_items(store, rival)
    tows.add_strategy(store, "ana", rival, kind="SO", statement="Sell next-day delivery where they are slow",
                      owner="Ana", status="proposed", item_ids=[items["S"][0].id, items["O"][0].id])
    yield store
    store.close()


def rivals(store: Store) -> list[int]:
    return [c.id for c in compare_data.companies(store) if not c.is_us]


def segment_ids(store: Store) -> list[int]:
    return [s.id for s in saved.list_segments(store)]


def _query_case(store: Store) -> dict[str, Any]:
    return {"sql": QUERY_SQL, "params": {"min_employees": 50, "since": "2000-01-01"},
            "param_kinds": {"min_employees": "number", "since": "date"}, "saved_id": None, "title": "Accounts by supplier",
            "chart": {"kind": "bar", "x": "company", "y": "accounts", "color": None, "aggregate": "sum"}}


# Realistic params for every registered view, as the pages pass them.
CASES: dict[str, Callable[[Store], dict[str, Any]]] = {
    "overview.share": lambda s: {"dimension": "country"},
    "segments.profile": lambda s: {"segment": segment_ids(s)[0]},
    "segments.compare": lambda s: {"segments": [*segment_ids(s), {"rule": {"field": "industry", "in": ["Chemicals"]}}]},
    "segments.sizing": lambda s: {"segment": segment_ids(s)[0], "acv": 25000.0, "sam_share": 0.5, "som_share": 0.1,
                                  "sensitivity": 0.2},
    "segments.matrix": lambda s: {"segments": segment_ids(s), "weights": {**attractiveness.DEFAULT_WEIGHTS, "size": 80}},
    "competitors.swot": lambda s: {"company_id": rivals(s)[0]},
    "competitors.tows": lambda s: {"company_id": rivals(s)[0]},
    "competitors.battlecard": lambda s: {"company_id": rivals(s)[0]},
    "competitors.heatmap": lambda s: {},
    "competitors.winloss": lambda s: {},
    "competitors.winloss_segments": lambda s: {"breakdown": "industry", "competitor_id": None},
    "competitors.winloss_time": lambda s: {"period": "quarter", "competitor_id": rivals(s)[0]},
    "competitors.reasons": lambda s: {"outcome": "lost"},
    "competitors.lossreasons": lambda s: {"company_id": rivals(s)[0], "breakdown": "industry"},
    "compare.matrix": lambda s: {"competitors": rivals(s)[:2], "focus": rivals(s)[0], "category": None},
    "compare.canvas": lambda s: {"competitors": rivals(s)[:2], "focus": None},
    "compare.radar": lambda s: {"competitors": rivals(s)[:2], "focus": None},
    "compare.positioning": lambda s: {"competitors": rivals(s)[:3], "focus": None, "x": "price_index",
                                      "y": "capability_avg", "size": "share"},
    "compare.price_index": lambda s: {"competitors": rivals(s)[:2], "focus": rivals(s)[1]},
    "compare.price_distribution": lambda s: {"competitors": rivals(s)[:2], "focus": None},
    "compare.price_history": lambda s: {"competitors": rivals(s)[:2], "focus": None,
                                        "category": compare_data.price_categories(s, ours_only=True)[0], "threshold": 0.03},
    "compare.share": lambda s: {"competitors": rivals(s)[:2], "focus": None, "source": "saved"},
    "query.result": _query_case,
}
BOARDS = {"competitors.swot", "competitors.tows", "competitors.battlecard", "compare.matrix"}
NATIVE = {
    "overview.share": "stacked_bar", "segments.profile": "stacked_bar", "segments.compare": "stacked_bar",
    "segments.sizing": "bar", "segments.matrix": "scatter", "compare.canvas": "line", "compare.positioning": "scatter",
    "compare.price_index": "bar", "compare.price_history": "line", "compare.share": "bar", "query.result": "stacked_bar",
    "competitors.winloss": "stacked_bar", "competitors.winloss_segments": "bar", "competitors.winloss_time": "line",
}
NO_CHART = {"competitors.tows", "competitors.battlecard"}  # boards only


def render(store: Store, view_id: str, params: dict[str, Any], **ctx: Any) -> SlideContent:
    # Params go through JSON first, as they do in a stored slide.
    return views.VIEWS[view_id].render(store, json.loads(json.dumps(params)), RenderContext(**ctx))


def test_every_view_on_the_pages_is_registered_and_has_a_case() -> None:
    assert set(views.VIEWS) == set(CASES)
    for view_id, spec in views.VIEWS.items():
        assert spec.page == view_id.split(".")[0]
        assert t(spec.label_key, "en") and t(spec.label_key, "sr") != t(spec.label_key, "en")


@pytest.mark.parametrize("lang", ["en", "sr"])
@pytest.mark.parametrize("view_id", sorted(CASES))
def test_every_view_renders_chart_table_and_source(ws: Store, view_id: str, lang: str) -> None:
    content = render(ws, view_id, CASES[view_id](ws), language=lang)
    assert not content.missing and content.title and content.source and content.as_of is not None
    if view_id in NO_CHART:
        assert content.chart is None
    else:
        assert isinstance(content.chart, dict) and content.chart["$schema"].startswith("https://vega.github.io/schema/vega-lite")
        assert {"layer", "mark", "vconcat", "hconcat", "concat", "facet"} & set(content.chart)
        json.dumps(content.chart)  # a Vega-Lite spec the exporters can hand to vl-convert
    assert isinstance(content.table, pd.DataFrame) and 0 < len(content.table) <= 500
    assert (content.board is not None) == (view_id in BOARDS)
    assert (content.native.kind if content.native else None) == NATIVE.get(view_id)
    if lang == "sr" and view_id != "query.result":  # a query's columns are its own SQL names
        assert any(any("\u0400" <= ch <= "\u04FF" for ch in str(c)) for c in content.table.columns), content.table.columns
    if content.native is not None:
        for series in content.native.series:
            if content.native.kind != "scatter":
                assert len(series.values) == len(content.native.categories)
            assert series.color is None or series.color.startswith("#")


def test_overview_share_is_a_stacked_bar_of_shares_with_us_in_our_colour(ws: Store) -> None:
    content = render(ws, "overview.share", {"dimension": "industry"})
    native = content.native
    share = market.share_by_segment(ws, "industry")
    assert set(native.categories) == set(share["segment"])
    for i in range(len(native.categories)):
        assert sum(s.values[i] or 0 for s in native.series) == pytest.approx(1.0)
    ours = [s for s in native.series if s.name.endswith(t("chart.us_suffix", "en"))]
    assert len(ours) == 1 and ours[0].color == US_COLOR and native.series[0] is ours[0]
    us_rows = share[share["is_us"]].set_index("segment")["share"]
    for segment, value in us_rows.items():
        assert ours[0].values[native.categories.index(segment)] == pytest.approx(value)
    # Segments in the chart's order: our share, highest first.
    our_values = [v or 0 for v in ours[0].values]
    assert our_values == sorted(our_values, reverse=True)
    competitors = [s.color for s in native.series[1:]]
    assert US_COLOR not in competitors and len(set(competitors)) == len(competitors)


def test_compare_native_charts_carry_the_chart_data(ws: Store) -> None:
    params = CASES["compare.price_index"](ws)
    content = render(ws, "compare.price_index", params)
    chosen = chosen_companies_for(ws, params)
    frame = compare_views.chart_spec(ws, "price-index", chosen, "en").data
    for series in content.native.series:
        name = series.name.removesuffix(t("chart.us_suffix", "en"))
        for category, value in zip(content.native.categories, series.values):
            expected = frame[(frame["company"] == name) & (frame["category"] == category)]["price_index"]
            assert (value is None and expected.isna().all()) or value == pytest.approx(float(expected.iloc[0]))
    us = next(s for s in content.native.series if s.name.endswith(t("chart.us_suffix", "en")))
    assert us.color == compare_views.highlight_color(ws) == US_COLOR
    # The focused competitor is pre-selected in the chart and linked for the decision log.
    focus = next(p for p in content.chart["params"] if p["name"] == "focus")
    assert content.links == {"competitor_id": params["focus"]} and focus["value"][0]["company_label"]

    positioning = render(ws, "compare.positioning", CASES["compare.positioning"](ws))
    placed = compare_views.positioning_frame(ws, chosen_companies_for(ws, CASES["compare.positioning"](ws)))
    for series in positioning.native.series:
        row = placed[placed["company"] == series.name.removesuffix(t("chart.us_suffix", "en"))].iloc[0]
        assert series.x_values == (pytest.approx(row["price_index"]),)
        assert series.values == (pytest.approx(row["capability_avg"]),)

    assert positioning.native.categories == tuple(s.name for s in positioning.native.series)  # point labels
    history = render(ws, "compare.price_history", CASES["compare.price_history"](ws)).native
    assert history.kind == "line" and len(history.categories) > 10
    assert all(any(v is not None for v in s.values) for s in history.series)


def chosen_companies_for(store: Store, params: dict[str, Any]) -> list[compare_data.Company]:
    from research.present.views_compare import chosen_companies

    return chosen_companies(store, params)[0]


def test_segment_matrix_places_each_segment_at_its_scores_with_the_weights(ws: Store) -> None:
    params = CASES["segments.matrix"](ws)
    content = render(ws, "segments.matrix", params)
    segments = saved.list_segments(ws)
    scored = attractiveness.score(attractiveness.segment_factors(ws, [s.condition for s in segments]), params["weights"])
    for series, segment, (_, row) in zip(content.native.series, segments, scored.iterrows()):
        assert series.name == segment.name and series.color == segment.colour
        assert series.x_values == (pytest.approx(row["strength"]),)
        assert series.values == (pytest.approx(row["attractiveness"]),)
    assert content.native.categories == tuple(s.name for s in segments)  # point labels
    assert "80" in content.text  # the weights are on the slide
    default = render(ws, "segments.matrix", {**params, "weights": attractiveness.DEFAULT_WEIGHTS})
    assert default.native.series[0].values != content.native.series[0].values


def test_sizing_funnel_uses_the_frozen_assumptions(ws: Store) -> None:
    params = CASES["segments.sizing"](ws)
    content = render(ws, "segments.sizing", params)
    tam, sam, som = content.native.series[0].values
    assert content.native.categories == ("TAM", "SAM", "SOM")
    assert sam == pytest.approx(tam * 0.5) and som == pytest.approx(sam * 0.1)
    accounts = profile.count_members(ws, saved.get_segment(ws, params["segment"]).condition)
    assert accounts > 0 and tam == pytest.approx(25000 * accounts)
    assert content.links == {"segment_id": params["segment"]}
    written = content.table.iloc[:, 1].tolist()  # the amounts as the slide's table shows them
    assert written == [fmt_money_round(v, "EUR", "en") for v in (tam, sam, som)]
    assert all(".00" not in text for text in written)


def test_swot_board_quadrants_are_the_company_items(ws: Store) -> None:
    company_id = rivals(ws)[0]
    items = swot.list_items(ws, company_id)
    for lang in ("en", "sr"):
        board = render(ws, "competitors.swot", {"company_id": company_id}, language=lang).board
        assert [h for h, _ in board.quadrants] == [t(f"swot.quadrant.{q}", lang) for q in "SWOT"]
        for (_, lines), quadrant in zip(board.quadrants, "SWOT"):
            expected = [i for i in items if i.quadrant == quadrant]
            assert len(lines) == len(expected)
            assert all(i.statement in line and line.startswith(i.label) for i, line in zip(expected, lines))
    tows_board = render(ws, "competitors.tows", {"company_id": company_id}).board
    assert "Sell next-day delivery where they are slow" in tows_board.quadrants[0][1][0]
    assert [len(lines) for _, lines in tows_board.quadrants[1:]] == [1, 1, 1]  # "no strategies yet"
    card = render(ws, "competitors.battlecard", {"company_id": company_id})
    assert len(card.board.quadrants) == 4 and card.links == {"competitor_id": company_id}


def test_feature_matrix_board_is_a_table_of_values(ws: Store) -> None:
    params = CASES["compare.matrix"](ws)
    board = render(ws, "compare.matrix", params).board
    header = [h for h, _ in board.quadrants]
    assert header[0] == "Feature" and len(header) == 4 and header[1].endswith(t("chart.us_suffix", "en"))
    rows = {len(lines) for _, lines in board.quadrants}
    assert len(rows) == 1 and rows.pop() > 5  # aligned columns: one line per feature in each
    assert set(board.quadrants[1][1]) <= {t(f"compare.value.{v}", "en") for v in compare_data.FEATURE_VALUES} | {"–"}


def _missing(store: Store, view_id: str, params: dict[str, Any]) -> bool:
    slide = decks.Slide(0, 0, 1, "view", "Kept title", "", "", view_id, params, 1)
    content = views.render_slide(store, slide, RenderContext(language="sr"))
    return content.missing and content.text == t("present.data_gone", "sr") and content.title == "Kept title"


def test_deleted_or_archived_sources_say_data_no_longer_available(ws: Store) -> None:
    company_id = rivals(ws)[0]
    segment = saved.list_segments(ws)[0]
    assert not _missing(ws, "competitors.swot", {"company_id": company_id})
    assert _missing(ws, "competitors.swot", {"company_id": 999_999})
    assert _missing(ws, "no.such.view", {})
    assert _missing(ws, "segments.sizing", {})
    company = profiles.get_company(ws, company_id)
    profiles.set_company_archived(ws, "ana", company_id, company.version, archived=True)
    for view_id in ("competitors.swot", "competitors.tows", "competitors.battlecard"):
        assert _missing(ws, view_id, {"company_id": company_id})
    assert _missing(ws, "compare.price_index", {"competitors": [company_id], "focus": None})
    assert not _missing(ws, "segments.profile", {"segment": segment.id})
    saved.archive_segment(ws, "ana", segment)
    assert _missing(ws, "segments.profile", {"segment": segment.id})
    assert _missing(ws, "segments.matrix", {"segments": [segment.id], "weights": {}})
    query = saved_queries.save_query(ws, "ana", name="Supplier counts", description="", sql="SELECT 1 AS one", parameters=[])
    params = {"sql": "SELECT 1 AS one", "params": {}, "saved_id": query.id, "title": "One"}
    assert not _missing(ws, "query.result", params)
    saved_queries.delete_saved(ws, "ana", query.id)
    assert _missing(ws, "query.result", params)


@pytest.mark.parametrize("view_id", ["overview.share", "segments.compare", "competitors.swot", "compare.positioning",
                                     "query.result"])
def test_params_round_trip_through_a_stored_slide(ws: Store, view_id: str) -> None:
    params = CASES[view_id](ws)
    deck = decks.create_deck(ws, "ana", "Board meeting")
    slide = decks.add_view_slide(ws, "ana", deck.id, view_id, params, title="", notes="Say why")
    stored = decks.get_slide(ws, slide.id)
    assert stored.params == json.loads(json.dumps(params))
    ctx = RenderContext(language="en")
    again = views.render_slide(ws, stored, ctx)
    direct = render(ws, view_id, params)
    assert again.title == direct.title and again.subtitle == direct.subtitle and again.native == direct.native
    assert again.chart == direct.chart or view_id == "query.result"  # a query's chart is rebuilt from a fresh run
    pd.testing.assert_frame_equal(again.table, direct.table)
    titled = decks.add_view_slide(ws, "ana", deck.id, view_id, params, title="Where we lead")
    assert views.render_slide(ws, titled, ctx).title == "Where we lead"


def test_query_slide_reruns_the_sandboxed_query_with_typed_parameters(ws: Store) -> None:
    params = CASES["query.result"](ws)
    content = render(ws, "query.result", params)
    assert content.source == t("present.source.query", "en", sql="SELECT c.name AS company, count(*) AS accounts")
    assert list(content.table.columns) == ["company", "accounts"] and len(content.table) <= 15
    native = content.native
    totals = dict(zip(content.table["company"], content.table["accounts"]))
    # Company bars in company colours: each series fills its own row, ours in the highlight colour.
    for series in native.series:
        assert [v for v in series.values if v is not None] == [totals[series.name]]
    us = profiles.our_company(ws).name
    assert next(s for s in native.series if s.name == us).color == US_COLOR
    fewer = render(ws, "query.result", {**params, "params": {"min_employees": 1000, "since": "2000-01-01"}})
    assert fewer.table["accounts"].sum() < content.table["accounts"].sum()
    broken = render(ws, "query.result", {**params, "sql": "SELECT * FROM no_such_table", "params": {}})
    assert not broken.missing and broken.chart is None and "no_such_table" in broken.text


def test_private_swot_items_never_reach_a_shared_screen(ws: Store) -> None:
    company_id = rivals(ws)[0]
    swot.add_item(ws, "ana", company_id, quadrant="W", statement="Rumour: their plant is for sale", private=True)
    params = {"company_id": company_id}

    def shown(**ctx: Any) -> bool:
        content = render(ws, "competitors.swot", params, **ctx)
        lines = [line for _, quadrant in content.board.quadrants for line in quadrant]
        in_table = content.table[t("swot.col.statement", "en")].str.contains("Rumour").any()
        in_chart = "Rumour" in json.dumps(content.chart)
        assert any("Rumour" in line for line in lines) == in_table == in_chart
        return in_table

    ana, bob = Principal("ana", "editor"), Principal("bob", "editor")
    assert shown(viewer=ana)
    assert not shown(viewer=ana, presenting=True)
    assert not shown(viewer=bob)
    assert not shown(viewer=None)
    assert not shown(viewer=Principal("root", "admin"), presenting=True)
    # The battlecard is a shared output: a private strength (the top one by impact) is on none of its parts,
    # not even for its author.
    swot.add_item(ws, "ana", company_id, quadrant="S", statement="Rumour: a new line in spring", impact=5, private=True)
    public = swot.add_item(ws, "ana", company_id, quadrant="S", statement="A public strength", impact=5)
    card = render(ws, "competitors.battlecard", params, viewer=ana)
    lines = [line for _, quadrant in card.board.quadrants for line in quadrant]
    assert any(public.statement in line for line in lines)
    assert not any("Rumour" in line for line in lines) and "Rumour" not in card.table.to_json()


# ---- "Add to deck" on every page (AppTest) -------------------------------------------------


def _add(at: AppTest, key: str, *, deck: str | None = None, title: str | None = None, notes: str = "") -> AppTest:
    if deck is not None:
        at.text_input(key=f"{key}_new_name").input(deck)
    if title is not None:
        next(w for w in at.text_input if str(w.key).startswith(f"{key}_title_")).input(title)
    if notes:
        next(w for w in at.text_area if str(w.key).startswith(f"{key}_notes_")).input(notes)
    at.button(key=f"{key}_submit").click().run()
    assert_clean(at)
    return at


def _slides(db: Path) -> list[decks.Slide]:
    store = Store.open(str(db))
    try:
        return [s for d in decks.list_decks(store) for s in decks.list_slides(store, d.id)]
    finally:
        store.close()


def test_overview_adds_the_share_chart_with_its_dimension(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, lang="sr")
    at.segmented_control(key="overview_dimension").set_value("country").run()
    _add(at, "overview_share_deck", deck="Седница управе", notes="Почети од Србије")
    assert "Седница управе" in at.toast[0].value
    slides = _slides(demo_copy)
    # The title was left as the view's own: stored as automatic, so it is drawn in each viewer's language.
    assert [(s.view, s.params, s.title, s.notes) for s in slides] == [
        ("overview.share", {"dimension": "country"}, "", "Почети од Србије")
    ]
    assert t("overview.share.title", "sr") in at.toast[0].value


def test_segments_matrix_adds_segments_and_weights(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    a = saved.save_rule_segment(store, "ana", name="Balkan", rule={"field": "region", "in": ["Western Balkans"]})
    b = saved.save_rule_segment(store, "ana", name="Automotive", rule={"field": "industry", "in": ["Automotive"]})
    deck = decks.create_deck(store, "ana", "Strategy day")
    store.close()
    at = run_app(demo_copy, monkeypatch, page="segments")
    at.session_state["segments_view"] = "matrix"
    at.run()
    at.slider(key="segments_w_size").set_value(70).run()
    assert at.selectbox(key="segments_matrix_deck_deck").value == deck.id
    _add(at, "segments_matrix_deck", title="Where to play")
    (slide,) = _slides(demo_copy)
    assert slide.view == "segments.matrix" and slide.title == "Where to play" and slide.deck_id == deck.id
    assert slide.params["segments"] == [b.id, a.id]  # the page's default pick: saved segments by name
    assert slide.params["weights"] == {**{k: int(v) for k, v in attractiveness.DEFAULT_WEIGHTS.items()}, "size": 70}


def test_competitors_board_adds_the_swot_board(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    company = profiles.find_company(store, "Adria Pack")
    store.close()
    at = run_app(demo_copy, monkeypatch, page="competitors")
    at.session_state["competitors_company"] = company.id
    at.session_state["competitors_view"] = "board"
    at.run()
    _add(at, "competitors_board_deck", deck="Competitor review")
    at.session_state["competitors_view"] = "cross"
    at.run()
    _add(at, "competitors_heatmap_deck")  # the deck just used is the default now
    slides = _slides(demo_copy)
    assert [(s.view, s.params) for s in slides] == [
        ("competitors.swot", {"company_id": company.id}), ("competitors.heatmap", {})
    ]
    assert len({s.deck_id for s in slides}) == 1


def test_compare_adds_the_chart_with_competitors_focus_and_price_kind(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="compare")
    assert_clean(at)
    picked = at.multiselect(key="compare_competitors").value
    at.session_state["compare_view"] = "prices"
    at.run()
    at.radio(key="compare_price_kind").set_value("history").run()
    at.session_state["compare_focus"] = picked[1]
    at.run()
    _add(at, "compare_price_history_chart_deck", deck="Pricing")
    (slide,) = _slides(demo_copy)
    store = Store.open(str(demo_copy))
    try:
        ids = {c.name: c.id for c in compare_data.companies(store)}
        content = views.render_slide(store, slide, RenderContext())
    finally:
        store.close()
    assert slide.view == "compare.price_history"
    assert slide.params == {"competitors": sorted(ids[n] for n in picked), "focus": ids[picked[1]],
                            "category": at.selectbox(key="compare_history_category").value, "threshold": 0.03}
    assert content.native.kind == "line" and not content.missing


def test_query_adds_the_result_with_sql_parameters_and_chart(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query")
    at.selectbox(key="query_example").select("undercut").run()
    at.button(key="query_use_example").click().run()
    at.button(key="query_run").click().run()
    assert_clean(at)
    _add(at, "query_deck_1", deck="Pricing", title="Where they undercut us")
    (slide,) = _slides(demo_copy)
    assert slide.view == "query.result" and slide.title == "Where they undercut us"
    assert slide.params["sql"] == at.text_area(key="query_sql").value
    assert slide.params["params"] == {"since": "2026-08-01"} and slide.params["param_kinds"] == {"since": "date"}
    assert slide.params["chart"]["kind"] == "bar"
    store = Store.open(str(demo_copy))
    try:
        content = views.render_slide(store, slide, RenderContext())
    finally:
        store.close()
    assert content.title == "Where they undercut us" and content.chart["mark"]["type"] == "bar"
    assert 0 < len(content.table) <= 15


def test_a_deck_name_or_a_picked_deck_is_required(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    at.button(key="overview_share_deck_submit").click().run()
    assert len(at.error) == 1 and "Choose a deck or type a name for a new one" in at.error[0].value
    assert _slides(demo_copy) == []

