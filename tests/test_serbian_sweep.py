"""The Serbian sweep (issue 17 item 5): every page, view switch, tab, slide kind and export drawn in
Serbian, failing on any English catalog text, untranslated domain value or raw code on screen.

One demo workspace per module, given what the demo lacks so every view has something to show (two
saved segments, a TOWS strategy, a saved query, watchers with a first look and a price change, a deck
with one slide of every registered view kind plus decisions). Each test draws one page view, one slide
or one export and lists every offending string with where it was found (tests/sweep_helpers.py).
The editable cells of data editors and the cells of query results are the workspace's data itself
and are not judged; the workspace's own free text (names, statements, notes) is proper content and
never translated. A page added to pages/ is swept too (each choice of its VIEWS).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from page_helpers import ROOT
from streamlit.testing.v1 import AppTest
from sweep_helpers import (
    Offence,
    Seen,
    Vocabulary,
    catalog_codes,
    catalog_templates,
    report,
    seen_in_app,
    seen_in_pptx,
    seen_in_slide,
    vocabulary,
)

from research import market
from research.compare import data as compare_data
from research.data.entities import ENTITIES
from research.i18n import t
from research.present import decks, views
from research.present.model import RenderContext
from research.store import Store
from research.ui import collect as collect_ui
from research.ui import compare as compare_ui
from research.ui import competitors as competitors_ui
from research.ui import present as present_ui
from research.ui import query as query_ui

ACTOR = "local"  # the local-mode user, who may do everything (no sign-in in tests)
QUERY_SQL = ('SELECT c.name AS "Компанија", count(*) AS "Клијенти"\n'
             "FROM accounts a JOIN companies c ON c.id = a.supplier_company_id\n"
             "WHERE a.employees >= $min_employees GROUP BY 1 ORDER BY 2 DESC")


def _page_views(page: str) -> list[str]:
    """The keys of a page's top-level `VIEWS = {...}` (its view switcher), read from its source; [] without one."""
    tree = ast.parse((ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) \
                and any(getattr(target, "id", None) == "VIEWS" for target in node.targets):
            return [ast.literal_eval(k) for k in node.value.keys if k is not None]
    return []


# ---- the workspace ---------------------------------------------------------------------------------------


def _rivals(store: Store) -> list[compare_data.Company]:
    return [c for c in compare_data.companies(store) if not c.is_us]


def _slide_cases(store: Store, segments: list[int]) -> dict[str, dict[str, Any]]:
    """Typical params of every registered view, as the pages' "Add to deck" buttons store them."""
    from research.segments import attractiveness

    rivals = [c.id for c in _rivals(store)]
    return {
        "overview.share": {"dimension": "industry"},
        "segments.profile": {"segment": segments[0]},
        "segments.compare": {"segments": [*segments, {"rule": {"field": "industry", "in": ["Chemicals"]}}]},
        "segments.sizing": {"segment": segments[0], "acv": 25000.0, "sam_share": 0.5, "som_share": 0.1, "sensitivity": 0.2},
        "segments.matrix": {"segments": segments, "weights": dict(attractiveness.DEFAULT_WEIGHTS)},
        "competitors.swot": {"company_id": rivals[0]},
        "competitors.tows": {"company_id": rivals[0]},
        "competitors.battlecard": {"company_id": rivals[0]},
        "competitors.heatmap": {},
        "competitors.winloss": {},
        "competitors.winloss_segments": {"breakdown": "region", "competitor_id": rivals[0]},
        "competitors.winloss_time": {"period": "month", "competitor_id": None},
        "competitors.reasons": {"outcome": "lost"},
        "competitors.lossreasons": {"company_id": rivals[0], "breakdown": "industry"},
        "compare.matrix": {"competitors": rivals[:3], "focus": rivals[0], "category": None},
        "compare.canvas": {"competitors": rivals[:3], "focus": None},
        "compare.radar": {"competitors": rivals[:3], "focus": None},
        "compare.positioning": {"competitors": rivals[:4], "focus": None, "x": "price_index", "y": "capability_avg",
                                "size": "share"},
        "compare.price_index": {"competitors": rivals[:3], "focus": rivals[1]},
        "compare.price_distribution": {"competitors": rivals[:3], "focus": None},
        "compare.price_history": {"competitors": rivals[:2], "focus": None,
                                  "category": compare_data.price_categories(store, ours_only=True)[0], "threshold": 0.03},
        "compare.share": {"competitors": rivals[:3], "focus": None, "source": "industry"},
        "query.result": {"sql": QUERY_SQL, "params": {"min_employees": 50}, "param_kinds": {"min_employees": "number"},
                         "saved_id": None, "title": "Клијенти по добављачу",
                         "chart": {"kind": "bar", "x": "Компанија", "y": "Клијенти", "color": None, "aggregate": "sum"}},
    }


def _add_watchers(store: Store) -> None:
    """Two watched pages: one seen twice with a price change, one the site blocked (no network involved)."""
    from research.collect.observations import record_result
    from research.collect.run import PageResult, new_run_id
    from research.collect.watchers import WatcherDraft, add_watcher

    product = store.query_rows("SELECT p.id, p.name FROM products p JOIN companies c ON c.id = p.company_id "
                               "WHERE NOT c.is_us ORDER BY p.id LIMIT 1")[0]
    watcher = add_watcher(store, ACTOR, WatcherDraft(url="https://shop.example.com/kutija", product_id=product["id"]))
    blocked = add_watcher(store, ACTOR, WatcherDraft(url="https://shop.example.com/folija", kind="text"))
    now = dt.datetime.now().replace(microsecond=0)
    for price, when in (("100.00", now - dt.timedelta(days=2)), ("89.00", now)):
        values = {"name": product["name"], "price": price, "currency": "EUR", "sku": "B40"}
        record_result(store, ACTOR, watcher, PageResult(new_run_id(), watcher.id, watcher.url, when, "ok", 200,
                                                        values_json=json.dumps(values)))
    record_result(store, ACTOR, blocked, PageResult(new_run_id(), blocked.id, blocked.url, now, "blocked", 403))


def _enrich(store: Store) -> dict[str, Any]:
    from research.competitors import tows
    from research.query import saved as saved_queries
    from research.segments import saved

    segments = [
        saved.save_rule_segment(store, ACTOR, name="Западни Балкан", rule={"field": "region", "in": ["Western Balkans"]}).id,
        saved.save_rule_segment(store, ACTOR, name="Аутомобилска",
                                rule={"field": "industry", "in": ["Automotive", "Food & beverage"]}).id,
    ]
    rival = _rivals(store)[0]
    items = tows.tows_items(store, rival.id)
    tows.add_strategy(store, ACTOR, rival.id, kind="SO", statement="Понудити испоруку за 48 сати где они касне",
                      owner="Ана", status="in_progress", item_ids=[items["S"][0].id, items["O"][0].id])
    saved_queries.save_query(store, ACTOR, name="Клијенти по добављачу", sql=QUERY_SQL,
                             parameters=[saved_queries.ParamSpec("min_employees", "number", "50")])
    _add_watchers(store)
    deck = decks.create_deck(store, ACTOR, "Стратешки састанак", "Преглед за четврти квартал")
    slides = {
        "title": decks.add_text_slide(store, ACTOR, deck.id, kind="title", title="Стратегија", body="Управа").id,
        "text": decks.add_text_slide(store, ACTOR, deck.id, title="Дневни ред", body="- Тржиште\n- Конкуренти",
                                     notes="Почни од тржишта").id,
    }
    for view_id, params in _slide_cases(store, segments).items():
        slides[view_id] = decks.add_view_slide(store, ACTOR, deck.id, view_id, params, title="", notes="Белешка").id
    decks.add_decision(store, ACTOR, deck.id, "Снизити цене палета", kind="decision", owner="Ана",
                       slide_id=slides["overview.share"], competitor_id=rival.id)
    decks.add_decision(store, ACTOR, deck.id, "Проверити рокове испоруке", kind="action", owner="Марко",
                       due_date=dt.date.today() + dt.timedelta(days=14))
    numbers = {name: n for n, name in enumerate(slides, start=1)}
    # A small deck for the collectors' self-test in English: one native chart of industries.
    english = decks.create_deck(store, ACTOR, "Провера колектора")
    decks.add_view_slide(store, ACTOR, english.id, "overview.share", {"dimension": "industry"}, title="")
    return {"deck": deck.id, "slides": slides, "numbers": numbers, "rival": rival.name, "segments": segments,
            "english_deck": english.id}


@pytest.fixture(scope="module")
def sweep(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo workspace with something in every view; built once per module, only read by the tests."""
    path = tmp_path_factory.mktemp("sweep") / "sweep.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    try:
        info = _enrich(store)
    finally:
        store.close()
    return path, info


@pytest.fixture(scope="module")
def vocab(sweep: tuple[Path, dict[str, Any]]) -> Vocabulary:
    store = Store.open(str(sweep[0]))
    try:
        return vocabulary(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def identifiers(sweep: tuple[Path, dict[str, Any]]) -> frozenset[str]:
    """Table and column names: on the Query page they are SQL, written as they are."""
    store = Store.open(str(sweep[0]))
    try:
        names = store.query_df("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE table_schema = 'main'")
    finally:
        store.close()
    return frozenset(names["table_name"]) | frozenset(names["column_name"])


# ---- drawing a page --------------------------------------------------------------------------------------


def _visit(db: Path, monkeypatch: pytest.MonkeyPatch, page: str, *, lang: str = "sr",
           query: dict[str, str] | None = None, state: dict[str, Any] | None = None) -> AppTest:
    """Open `page` in `lang`, arriving by a link with `query` and a session already holding `state`."""
    monkeypatch.setenv("VANTAGE_DB", str(db))

    def prepared() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["vantage_lang"] = lang
        for name, value in (query or {}).items():
            at.query_params[name] = value
        for name, value in (state or {}).items():
            at.session_state[name] = value
        return at

    # Straight to the page: app.py gives every page but the default its own name as url_path, which is
    # the hash AppTest derives from the file name before a first run (it saves drawing the Overview
    # ~100 times). Should that ever land on another page, its title says so: go the documented way.
    at = prepared().switch_page(f"pages/{page}.py").run()
    expected = t(f"page.{page}", lang)
    if at.title and at.title[0].value != expected:
        at = prepared().run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.title or at.title[0].value == expected, f"could not open pages/{page}.py"
    return at


def _judge(at: AppTest, vocab: Vocabulary, where: str, *, raw_data_keys: tuple[str, ...] = (),
           identifiers: frozenset[str] = frozenset()) -> None:
    problems = [f"exception: {e.value}" for e in at.exception]
    offences = vocab.offences(seen_in_app(at, raw_data_keys=raw_data_keys), identifiers=identifiers)
    assert not problems and not offences, "\n".join(problems) + "\n" + report(where, offences)


# Every choice of each page's main view switcher, as (page, query params of the link, session state);
# "{rival}" and "{deck}" are filled from the workspace. test_page_view_in_serbian checks that the
# switcher on screen offers no more choices than are listed here.
OVERVIEW_DIMENSIONS = (*market.SEGMENT_DIMENSIONS, "status")
LISTED_PAGES = ("overview", "segments", "competitors", "compare", "collect", "query", "data", "present", "admin")


def _visits() -> list[Any]:
    out = [pytest.param("overview", {}, {"overview_dimension": d}, id=f"overview-{d}") for d in OVERVIEW_DIMENSIONS]
    out += [pytest.param("segments", {"view": v}, {}, id=f"segments-{v}") for v in _page_views("segments")]
    out += [pytest.param("competitors", {"view": v, "company": "{rival}"}, {}, id=f"competitors-{v}")
            for v in competitors_ui.VIEWS]
    out += [pytest.param("competitors", {"view": v, "company": "{rival}", "present": "1"}, {},
                         id=f"competitors-{v}-presenting") for v in competitors_ui.PRESENTABLE]
    out += [pytest.param("competitors", {"view": "profile"}, {}, id="competitors-opening")]
    out += [pytest.param("compare", {"view": v}, {}, id=f"compare-{v}")
            for v in compare_ui.VIEWS if v not in ("prices", "share")]
    out += [pytest.param("compare", {"view": "prices", "prices": k}, {}, id=f"compare-prices-{k}")
            for k in compare_ui.PRICE_KINDS]
    out += [pytest.param("compare", {"view": "share"}, {"compare_share_source": s}, id=f"compare-share-{s}")
            for s in ("saved", *market.SEGMENT_DIMENSIONS)]
    out += [pytest.param("compare", {"view": "summary", "focus": "{rival}"}, {}, id="compare-summary-focus")]
    out += [pytest.param("collect", {}, {"collect_view": v}, id=f"collect-{v}") for v in collect_ui.VIEWS]
    out += [pytest.param("query", {}, {"query_view": v}, id=f"query-{v}") for v in query_ui.VIEWS]
    out += [pytest.param("data", {}, {"data_view": v}, id=f"data-{v}") for v in _page_views("data") if v != "edit"]
    out += [pytest.param("data", {}, {"data_view": "edit", "data_entity": e}, id=f"data-edit-{e}") for e in ENTITIES]
    out += [pytest.param("present", {"deck": "{deck}"}, {"present_section": s}, id=f"present-{s}")
            for s in present_ui.SECTIONS]
    out += [pytest.param("admin", {}, {}, id="admin")]
    # A page added later is swept too: each choice of its VIEWS, by the `<page>_view` key convention.
    for page in sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem not in LISTED_PAGES):
        choices = _page_views(page)
        out += [pytest.param(page, {}, {f"{page}_view": v}, id=f"{page}-{v}") for v in choices] or \
            [pytest.param(page, {}, {}, id=page)]
    return out


# Tables whose cells are the workspace's data as stored (the editable cells of any data editor are
# too, sweep_helpers): a query's result and history hold what the person's SQL asked for, and the
# Names view lists each stored value next to the names it is given.
RAW_DATA_KEYS = ("query_result_", "query_history_table", "data_labels_grid_")
# Each page's main view switcher: the sweep visits every choice it offers (a new view gets swept too).
SWITCHERS = {"overview": "overview_dimension", "segments": "segments_view", "competitors": "competitors_view",
             "compare": "compare_view", "collect": "collect_view", "query": "query_view", "data": "data_view",
             "present": "present_section"}


def _visited_choices(page: str) -> set[str]:
    key = SWITCHERS.get(page, f"{page}_view")
    return {visit.values[2].get(key) or visit.values[1].get("view") or "" for visit in _visits()
            if visit.values[0] == page} - {""}


@pytest.mark.parametrize(("page", "query", "state"), _visits())
def test_page_view_in_serbian(sweep, vocab: Vocabulary, identifiers: frozenset[str], monkeypatch: pytest.MonkeyPatch,
                              page: str, query: dict[str, str], state: dict[str, Any]) -> None:
    db, info = sweep
    query = {k: v.format(rival=info["rival"], deck=info["deck"]) for k, v in query.items()}
    at = _visit(db, monkeypatch, page, query=query, state=state)
    where = f"page {page} " + " ".join(f"{k}={v}" for k, v in {**query, **state}.items())
    _judge(at, vocab, where, raw_data_keys=RAW_DATA_KEYS, identifiers=identifiers if page == "query" else frozenset())
    switcher = [w for w in at.get("button_group") if w.key == SWITCHERS.get(page, f"{page}_view")]
    if page not in LISTED_PAGES and _page_views(page):
        assert switcher, f"pages/{page}.py has VIEWS but no '{page}_view' switcher: list its visits in _visits()"
    if switcher:
        offered, visited = list(switcher[0].options), _visited_choices(page)
        assert len(offered) == len(visited), f"pages/{page}.py offers {offered}; the sweep visits {sorted(visited)}"


def _bad_sql(at: AppTest) -> None:
    at.session_state["query_view"] = "sql"
    at.session_state[query_ui.SQL_KEY] = "SELECT nope FROM accounts"
    at.run()
    at.button(key="query_run").click().run()


def _bad_edit(at: AppTest) -> None:
    at.session_state["data_grid"] = {"edited_rows": {0: {"employees": -4, "website": "not a website"}},
                                     "added_rows": [{"name": "Half"}], "deleted_rows": []}
    at.button(key="data_save").click().run()


@pytest.mark.parametrize(("page", "act"), [("query", _bad_sql), ("data", _bad_edit)],
                         ids=["query-error", "data-problems"])
def test_errors_and_problems_in_serbian(sweep, vocab: Vocabulary, identifiers: frozenset[str],
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str,
                                        act: Callable[[AppTest], None]) -> None:
    """What a mistake shows (a refused query, grid cells that break the rules) is Serbian too."""
    db = tmp_path / "copy.duckdb"  # the edit is refused, but a copy keeps the shared workspace safe either way
    shutil.copyfile(sweep[0], db)
    at = _visit(db, monkeypatch, page)
    act(at)
    assert at.error or at.exception, f"{page}: the mistake showed no error"
    _judge(at, vocab, f"page {page} after a mistake", raw_data_keys=RAW_DATA_KEYS,
           identifiers=identifiers if page == "query" else frozenset())


# ---- slides: every registered view kind, session mode, the presenter view, exports ----------------------------


@pytest.mark.parametrize("view_id", sorted(views.VIEWS))
def test_slide_view_drawn_in_serbian(sweep, vocab: Vocabulary, view_id: str) -> None:
    db, info = sweep
    store = Store.open(str(db))
    try:
        slide = decks.get_slide(store, info["slides"][view_id])
        # As the exports draw it; on a shared screen (presenting) it is judged by the session-mode test.
        content = views.render_slide(store, slide, RenderContext(language="sr"))
    finally:
        store.close()
    assert not content.missing, f"{view_id} could not be drawn from its params {slide.params}"
    offences = vocab.offences(seen_in_slide(content, f"slide {view_id}"))
    assert not offences, report(f"slide {view_id}", offences)


def test_every_registered_view_is_on_the_sweep_deck(sweep) -> None:
    assert set(views.VIEWS) <= set(sweep[1]["slides"])


def _session_slides() -> list[str]:
    return ["title", "text", *sorted(views.VIEWS)]


@pytest.mark.parametrize("slide", _session_slides())
def test_session_mode_slide_in_serbian(sweep, vocab: Vocabulary, monkeypatch: pytest.MonkeyPatch, slide: str) -> None:
    db, info = sweep
    number = info["numbers"][slide]
    at = _visit(db, monkeypatch, "present", query={"present": str(info["deck"]), "slide": str(number)})
    _judge(at, vocab, f"session mode, slide {number} ({slide})")


# The presenter's own controls are the same on every slide; the slides themselves are judged above.
@pytest.mark.parametrize("slide", ["text", "overview.share", "competitors.battlecard"])
def test_presenter_view_in_serbian(sweep, vocab: Vocabulary, monkeypatch: pytest.MonkeyPatch, slide: str) -> None:
    db, info = sweep
    number = info["numbers"][slide]
    link = {"present": str(info["deck"]), "slide": str(number), "presenter": "1"}
    at = _visit(db, monkeypatch, "present", query=link)
    _judge(at, vocab, f"presenter view, slide {number} ({slide})")


@pytest.fixture(scope="module")
def serbian_export(sweep) -> tuple[bytes, str]:
    """The sweep deck exported in Serbian with its appendix (every slide, then the data and decisions): PPTX, Markdown."""
    from research.present.export import build_export, export_bytes

    db, info = sweep
    store = Store.open(str(db))
    try:
        deck = build_export(store, info["deck"], RenderContext(language="sr"), appendix=True)
    finally:
        store.close()
    return export_bytes(deck, "pptx"), export_bytes(deck, "md").decode("utf-8")


def test_pptx_export_in_serbian(serbian_export: tuple[bytes, str], vocab: Vocabulary) -> None:
    offences = vocab.offences(seen_in_pptx(serbian_export[0], "PPTX"))
    assert not offences, report("the Serbian PPTX export (with appendix)", offences)


def test_markdown_export_in_serbian(serbian_export: tuple[bytes, str], vocab: Vocabulary) -> None:
    found = [Seen(line, f"Markdown line {n}") for n, line in enumerate(serbian_export[1].splitlines(), start=1)
             if line.strip()]
    offences = vocab.offences(found)
    assert not offences, report("the Serbian Markdown export (with appendix)", offences)


def test_monthly_report_in_serbian(sweep, vocab: Vocabulary) -> None:
    from research.present import report as monthly
    from research.present.export import export_bytes

    db, _ = sweep
    store = Store.open(str(db))
    try:
        today = dt.date.fromisoformat(store.query_value("SELECT value FROM workspace_meta WHERE key = 'demo_today'"))
        month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")  # the demo's last full month
        deck = monthly.build_report(store, month, RenderContext(language="sr"))
    finally:
        store.close()
    found = [s for n, item in enumerate(deck.slides, start=1) for s in seen_in_slide(item.content, f"report slide {n}")]
    found += seen_in_pptx(export_bytes(deck, "pptx"), "report PPTX")
    offences = vocab.offences(found)
    assert not offences, report(f"the monthly report of {month}", offences)


# ---- the sweep can fail: the collectors see text, tables, charts and files, the matcher finds English ------------


def _kinds(offences: list[Offence]) -> set[str]:
    return {o.what for o in offences}


def test_the_collector_sees_english_text_tables_and_charts(sweep, vocab: Vocabulary,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = sweep
    at = _visit(db, monkeypatch, "overview", lang="en")
    assert not at.exception, [e.value for e in at.exception]
    offences = vocab.offences(seen_in_app(at))
    places = {o.seen.where for o in offences}
    terms = {o.term for o in offences}
    assert "Our customers" in terms and "Recent changes" in terms  # a metric label, a subheading
    assert any("dataframe" in p and "column" in p for p in places), places  # table headers and cells
    assert any("vega_lite_chart › data" in p for p in places), places  # the chart's dataset (industries)
    assert any("vega_lite_chart › spec" in p for p in places), places  # the chart's titles and sort order
    assert {"English catalog text", "untranslated domain value"} <= _kinds(offences)


def test_the_slide_and_pptx_collectors_see_english(sweep, vocab: Vocabulary) -> None:
    from research.present.export import build_export, export_bytes

    db, info = sweep
    store = Store.open(str(db))
    try:
        slide = decks.get_slide(store, info["slides"]["compare.matrix"])
        content = views.render_slide(store, slide, RenderContext(language="en"))
        deck = build_export(store, info["english_deck"], RenderContext(language="en"))
    finally:
        store.close()
    in_slide = vocab.offences(seen_in_slide(content, "slide"))
    assert "untranslated domain value" in _kinds(in_slide), report("slide", in_slide)
    in_file = vocab.offences(seen_in_pptx(export_bytes(deck, "pptx")))
    assert {"English catalog text", "untranslated domain value"} <= _kinds(in_file), report("pptx", in_file)
    assert any("chart category" in o.seen.where for o in in_file), report("pptx", in_file)  # native charts are read


def _small_page() -> None:
    import altair as alt
    import pandas as pd
    import streamlit as st

    first, second = st.tabs(["Tab one", "Tab two"])
    with first, st.expander("Folded"):
        st.dataframe(pd.DataFrame({"who": ["Ana", None]}), hide_index=True)
    with second:
        st.data_editor(pd.DataFrame({"kind": ["action"], "note": ["typed"], "gone": [None]}), key="editor", placeholder="–",
                       column_config={"kind": st.column_config.SelectboxColumn("Kind", options=["action"],
                                                                               format_func=lambda v: "Задатак"),
                                      "gone": st.column_config.TextColumn("Gone", disabled=True)})
    frame = pd.DataFrame({"industry": ["Food & beverage"], "n": [3], "hidden": ["not drawn"]})
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x=alt.X("n:Q", title="Count"), y="industry:N"))


def test_the_collector_reads_tabs_tables_editors_and_charts() -> None:
    at = AppTest.from_function(_small_page).run()
    seen = {(s.text, s.raw_data): s.where for s in seen_in_app(at)}
    assert "tab 'Tab two'" in seen[("Tab two", False)] and "expander 'Folded'" in seen[("Folded", False)]
    assert "tab 'Tab one' › expander 'Folded' › dataframe › column 'who'" in seen[("Ana", False)]
    assert "empty value drawn as 'None'" in seen[("None", False)]  # a read-only table without a placeholder
    assert ("Задатак", True) in seen and ("typed", True) in seen  # an editor's own cells: labels shown, raw data
    assert ("None", True) not in seen and ("–", False) in seen  # its missing values are drawn as the placeholder
    assert "spec" in seen[("Count", False)] and "data › column 'industry'" in seen[("Food & beverage", False)]
    assert ("not drawn", False) not in seen  # a dataset column no encoding draws


def _tiny_vocabulary(**kwargs: Any) -> Vocabulary:
    templates, exact = catalog_templates()
    values = {"templates": templates, "exact": exact, "domain": {"Food & beverage": "industry", "Labels": "category"},
              "codes": catalog_codes(), "user_texts": ["Labels Plus d.o.o. from Niš"]}
    return Vocabulary(**{**values, **kwargs})


@pytest.mark.parametrize(("text", "expected"), [
    ("Recent changes", ("English catalog text", "Recent changes")),  # whole string
    ("**Our customers** · 1.734", ("English catalog text", "Our customers")),  # a segment of Markdown
    ("Храна: Food & beverage", ("untranslated domain value", "Food & beverage")),  # word-bounded in longer text
    ("customer", ("raw code", "customer")),  # a status code as a whole cell
    ("mid-market", ("raw code", "mid-market")),
    ("None", ("raw code", "None")),
    ("Lowest Price index", ("English catalog text", "Lowest Price index")),  # a template, in a label
])
def test_the_matcher_finds_english_domain_values_and_codes(text: str, expected: tuple[str, str]) -> None:
    found = _tiny_vocabulary().offences([Seen(text, "here", "label")])
    assert expected in {(o.what, o.term) for o in found}, [o.line() for o in found]


@pytest.mark.parametrize(("text", "kind"), [
    ("Недавне измене", "label"),  # Serbian
    ("Labels Plus d.o.o. from Niš", "cell"),  # the workspace's own text, which holds a domain value
    ("Vantage", "label"),  # a proper name
    ("Храна и пиће", "cell"),
    ("Foodstuffs & beverages", "cell"),  # a domain value only counts as a whole word sequence
    ("Lowest prices in the market", "cell"),  # a one-word template ("Lowest {column}") counts in labels only
])
def test_the_matcher_leaves_serbian_and_proper_names_alone(text: str, kind: str) -> None:
    found = _tiny_vocabulary().offences([Seen(text, "here", kind)])
    assert not found, [o.line() for o in found]


def test_the_report_names_the_place_and_the_string() -> None:
    column = "main › dataframe › column 'Делатност'"
    found = _tiny_vocabulary().offences([Seen("Food & beverage", f"{column} row 3", "cell"),
                                         Seen("Food & beverage", f"{column} row 4", "cell")])
    text = report("page overview", found)
    assert text.startswith("1 untranslated strings on page overview:")
    assert f"untranslated domain value [industry]: 'Food & beverage' — at {column} (2 rows)" in text
