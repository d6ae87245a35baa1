"""The Competitors page under AppTest: add and edit SWOT items, the board, stale queue,
TOWS, battlecard, presentation mode by URL, conflicts and literal display of user text."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.competitors import profiles, swot, tows
from research.i18n import t
from research.store import Store



VIEWS = ("companies", "profile", "swot", "board", "tows", "cross", "battlecard", "stale", "history")


def _open(db: Path) -> Store:
    return Store.open(str(db))  # same settings as the app's store in this process


def _goto(at: AppTest, company: str | None = None, view: str | None = None) -> AppTest:
    if company is not None:
        store = _open_app_db(at)
        at.session_state["competitors_company"] = profiles.find_company(store, company).id
    if view is not None:
        at.session_state["competitors_view"] = view
    at.run()
    assert_clean(at)
    return at


def _open_app_db(at: AppTest) -> Store:
    return at._db_store  # type: ignore[attr-defined]


def _page(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> AppTest:
    at = run_app(db, monkeypatch, page="competitors", lang=lang)
    assert_clean(at)
    at._db_store = _open(db)  # type: ignore[attr-defined]
    return at


def _chart_specs(at: AppTest) -> list[str]:
    """Each chart's spec plus its data (Streamlit ships datasets apart from the spec, as Arrow)."""
    import pyarrow as pa

    texts = []
    for el in at.get("vega_lite_chart"):
        tables = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
        texts.append(el.proto.spec + "".join(table.to_json(force_ascii=False) for table in tables))
    return texts


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_view_renders_in_both_languages(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = _page(demo_copy, monkeypatch, lang)
    assert at.title[0].value == t("page.competitors", lang)
    _goto(at, company="PackPro International")
    for view in VIEWS:
        _goto(at, view=view)
    _goto(at, view="profile")
    assert t("competitors.changes_empty", lang) in [i.value for i in at.info]
    _goto(at, view="board")
    assert "SWOT: PackPro International" in _chart_specs(at)[0]
    _goto(at, view="battlecard")
    assert any(t("battlecard.why_we_win", lang) == s.value for s in at.subheader)


def test_add_item_with_source_then_see_it_on_the_board(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="Stretchline", view="swot")
    at.text_input(key="app_actor").input("Marija")
    at.selectbox(key="competitors_swot_add_quadrant").select("O")
    at.text_area(key="competitors_swot_add_statement").input("New logistics park near Ljubljana")
    at.slider(key="competitors_swot_add_impact").set_value(5)
    at.text_input(key="competitors_swot_add_url").input("https://www.stretchline.example/news/park")
    at.text_input(key="competitors_swot_add_tags").input("logistics, growth")
    at.button(key="competitors_swot_add_submit").click().run()
    assert_clean(at)
    assert at.success[0].value == t("swot.added", "en")
    store = _open_app_db(at)
    rows = store.query_rows("SELECT * FROM swot_items WHERE statement = 'New logistics park near Ljubljana'")
    assert len(rows) == 1 and rows[0]["author"] == "Marija" and rows[0]["impact"] == 5
    assert rows[0]["source_url"] == "https://www.stretchline.example/news/park"
    assert at.text_area(key="competitors_swot_add_statement").value == ""  # the form is ready for the next one
    _goto(at, view="board")
    assert "New logistics park near Ljubljana" in _chart_specs(at)[0]


def test_bad_item_is_refused_with_a_clear_message(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="Stretchline", view="swot")
    before = _open_app_db(at).query_value("SELECT count(*) FROM swot_items")
    at.text_area(key="competitors_swot_add_statement").input("Cheap film")
    at.text_input(key="competitors_swot_add_url").input("javascript:alert(1)")
    at.button(key="competitors_swot_add_submit").click().run()
    assert not at.exception
    assert "must start with http" in at.error[0].value
    assert at.text_area(key="competitors_swot_add_statement").value == "Cheap film"  # nothing typed is lost
    assert _open_app_db(at).query_value("SELECT count(*) FROM swot_items") == before


def test_edit_item_and_parallel_edit_is_refused(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="GreenFold", view="swot")
    item_id = at.selectbox(key="competitors_swot_pick").value
    prefix = f"competitors_swot_edit_{item_id}_"
    at.text_area(key=f"{prefix}statement").input("Plastic-free range, now also stretch hoods")
    at.button(key=f"{prefix}save").click().run()
    assert_clean(at)
    store = _open_app_db(at)
    assert swot.get_item(store, item_id).statement == "Plastic-free range, now also stretch hoods"
    # Another browser saves the same item in between.
    current = swot.get_item(store, item_id)
    swot.update_item(store, "Jelena", item_id, current.version, impact=1)
    at.text_area(key=f"{prefix}statement").input("My later edit")
    at.button(key=f"{prefix}save").click().run()
    assert not at.exception
    assert "changed by Jelena" in at.error[0].value and "reload" in at.error[0].value
    assert swot.get_item(store, item_id).statement == "Plastic-free range, now also stretch hoods"
    at.button(key=f"{prefix}reload").click().run()
    assert_clean(at)
    assert at.slider(key=f"{prefix}impact").value == 1  # the other edit, reloaded


def test_reorder_and_archive_with_confirmation(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="CorruTech", view="swot")
    store = _open_app_db(at)
    company = profiles.find_company(store, "CorruTech")
    second = [i for i in swot.list_items(store, company.id) if i.quadrant == "S"][1]
    at.selectbox(key="competitors_swot_pick").set_value(second.id).run()
    at.button(key="competitors_swot_up").click().run()
    assert_clean(at)
    assert swot.get_item(store, second.id).label == "S1"
    assert at.button(key="competitors_swot_archive").disabled
    at.checkbox(key=f"competitors_swot_edit_{second.id}_archive_sure").check().run()
    at.button(key="competitors_swot_archive").click().run()
    assert_clean(at)
    assert swot.get_item(store, second.id).archived


def test_stale_queue_lists_and_reverifies(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, view="stale")
    store = _open_app_db(at)
    stale = swot.stale_items(store)
    assert len(at.dataframe[0].value) == len(stale) > 0
    at.button(key="competitors_stale_confirm").click().run()
    assert_clean(at)
    assert len(swot.stale_items(store)) == len(stale) - 1
    assert len(at.dataframe[0].value) == len(stale) - 1


def test_user_text_is_shown_literally(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    store = _open_app_db(at)
    company = profiles.find_company(store, "PackPro International")
    evil = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    item = swot.add_item(store, "ana", company.id, quadrant="S", statement=evil, impact=5)
    groups = tows.tows_items(store, company.id)
    tows.add_strategy(store, "ana", company.id, kind="SO", statement=evil, item_ids=[groups["S"][0].id])
    _goto(at, company="PackPro International", view="swot")
    assert evil in list(at.dataframe[0].value.iloc[:, 2])
    _goto(at, view="tows")
    shown = [m.value for m in at.markdown if "script" in m.value]
    assert shown and all("\\<script\\>" in m and "\\*\\*bold\\*\\*" in m for m in shown)
    _goto(at, view="battlecard")
    shown = [m.value for m in at.markdown if "script" in m.value]
    assert shown and all("<script>" not in m for m in shown)
    assert item.statement == evil


def test_tows_strategy_added_from_the_page(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="PackPro International", view="tows")
    store = _open_app_db(at)
    company = profiles.find_company(store, "PackPro International")
    groups = tows.tows_items(store, company.id)
    at.text_area(key="competitors_tows_add_statement").input("Pitch 48 h delivery to automotive newcomers")
    at.text_input(key="competitors_tows_add_owner").input("Marko")
    at.multiselect(key="competitors_tows_add_items").select(groups["S"][0].id).select(groups["O"][0].id)
    at.button(key="competitors_tows_add_submit").click().run()
    assert_clean(at)
    strategies = tows.list_strategies(store, company.id)
    assert [(s.label, s.owner) for s in strategies] == [("S1×O1", "Marko")]
    assert any("S1×O1" in m.value for m in at.markdown)
    at.selectbox(key=f"competitors_tows_edit_{strategies[0].id}_status").select("agreed")
    at.button(key=f"competitors_tows_edit_{strategies[0].id}_save").click().run()
    assert_clean(at)
    assert tows.list_strategies(store, company.id)[0].status == "agreed"


def test_add_and_archive_company(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch, lang="sr")
    _goto(at, view="companies")
    at.text_input(key="competitors_new_name").input("Nova Pak")
    at.text_input(key="competitors_new_country").input("ba")
    at.text_input(key="competitors_new_segments").input("Food, Retail")
    at.button(key="competitors_new_submit").click().run()
    assert_clean(at)
    store = _open_app_db(at)
    nova = profiles.find_company(store, "Nova Pak")
    assert nova.segments == ("Food", "Retail") and nova.hq_country == "BA"
    assert at.session_state["competitors_company"] == nova.id
    _goto(at, view="profile")
    at.checkbox(key=f"competitors_archive_{nova.id}_confirm").check().run()
    at.button(key=f"competitors_archive_{nova.id}_button").click().run()
    assert_clean(at)
    assert profiles.get_company(store, nova.id).archived
    at.button(key=f"competitors_archive_{nova.id}_restore").click().run()
    assert not profiles.get_company(store, nova.id).archived
    _goto(at, view="history")
    assert len(at.dataframe[0].value) == 3


def test_search_filter_on_company_list(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, view="companies")
    at.text_input(key="competitors_search").input("fold").run()
    assert_clean(at)
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["GreenFold"]
    at.text_input(key="competitors_search").input("no such company").run()
    assert at.info[0].value == t("competitors.none_found", "en")


def test_presentation_mode_from_url_hides_editing(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    at.query_params["company"] = "greenfold"
    at.query_params["view"] = "board"
    at.query_params["present"] = "1"
    at.switch_page("pages/competitors.py").run()
    assert_clean(at)
    assert not at.get("segmented_control") and not at.selectbox(key="app_language") is None
    keys = {b.key for b in at.button}
    assert "competitors_present_exit" in keys and "competitors_present" not in keys
    assert "SWOT: GreenFold" in _chart_specs(at)[0]
    at.button(key="competitors_present_exit").click().run()
    assert_clean(at)
    assert at.get("segmented_control")
    assert "competitors_present" in {b.key for b in at.button}


def test_empty_workspace_offers_to_add_a_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DEMO", "0")
    at = run_app(tmp_path / "empty.duckdb", monkeypatch, page="competitors")
    assert_clean(at)
    assert at.info[0].value == t("competitors.empty_workspace", "en")
    assert at.text_input(key="competitors_new_name")


def test_cross_view_shows_heatmap_with_us_first(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy, monkeypatch)
    _goto(at, view="cross")
    spec = _chart_specs(at)[0]
    assert "Danubia Packaging (us)" in spec and '"type": "rect"' in spec
    assert len(at.dataframe) == 1


def test_profile_lists_the_company_s_latest_collected_changes(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _open(demo_copy)
    rival = profiles.find_company(store, "PackPro International")
    with store.transaction("tester") as tx:
        watcher = tx.insert("watchers", {"url": "https://www.packpro.example/p/box-40", "company_id": rival.id})
        snapshot = tx.insert("snapshots", {"watcher_id": watcher["id"], "run_id": "run-1", "status": "changed",
                                           "fetched_at": "2026-11-20 08:00:00"})
        tx.insert("changes", {"watcher_id": watcher["id"], "snapshot_id": snapshot["id"], "field": "price",
                              "detected_at": "2026-11-20 08:00:00", "old_value": "10.00", "new_value": "10.90",
                              "change_pct": 0.09})
    at = _page(demo_copy, monkeypatch)
    _goto(at, company="PackPro International", view="profile")
    tables = [df.value for df in at.dataframe if "10.90" in df.value.to_string()]
    assert len(tables) == 1
    assert tables[0].iloc[0].tolist()[-3:] == ["10.00", "10.90", "9.0%"]
    assert t("competitors.changes_empty", "en") not in [i.value for i in at.info]


def test_the_page_opens_on_the_first_competitor_not_on_us(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pins issue 17 item 8: with nothing chosen the page opened on our own company.
    store = _open(demo_copy)
    first = profiles.find_company(store, "Adria Pack")  # the first competitor by name
    assert next(name for _, name, is_us in profiles.company_options(store) if not is_us) == first.name
    at = _page(demo_copy, monkeypatch)
    assert at.selectbox(key="competitors_company").value == first.id
    assert not profiles.get_company(store, at.session_state["competitors_company"]).is_us
    assert at.query_params["company"] == first.name  # and the address says so


def test_an_archived_competitor_is_not_the_opening_one(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _open(demo_copy)
    adria = profiles.find_company(store, "Adria Pack")
    profiles.set_company_archived(store, "tester", adria.id, adria.version, archived=True)
    at = _page(demo_copy, monkeypatch)
    assert at.selectbox(key="competitors_company").value == profiles.find_company(store, "CorruTech").id


def test_a_company_in_the_url_or_the_session_still_wins(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _open(demo_copy)
    at = run_app(demo_copy, monkeypatch)
    at.query_params["company"] = "danubia packaging"  # our own company, asked for by the link
    at.switch_page("pages/competitors.py").run()
    assert_clean(at)
    us = profiles.our_company(store)
    assert at.selectbox(key="competitors_company").value == us.id
    at = _page(demo_copy, monkeypatch)
    at.session_state["competitors_company"] = us.id  # chosen in this session
    at.run()
    assert at.selectbox(key="competitors_company").value == us.id
