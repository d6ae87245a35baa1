"""AppTest of the Present page: the deck builder, session mode by URL, the decision log and the export buttons."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from page_helpers import ROOT, assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.i18n import t
from research.present import decks
from research.store import Store
from research.ui.text import escape_markdown


def _open(db: Path) -> Store:
    return Store.open(str(db))


@pytest.fixture
def deck_db(demo_copy: Path) -> tuple[Path, dict]:
    """A deck of five slides: title, text, a chart (overview share), a SWOT board and a view whose data is gone."""
    store = _open(demo_copy)
    try:
        rival = store.query_value("SELECT min(id) FROM companies WHERE NOT is_us")
        deck = decks.create_deck(store, "ana", "Board meeting", "Q4 strategy session")
        ids = {
            "deck": deck.id, "rival": rival,
            "title": decks.add_text_slide(store, "ana", deck.id, kind="title", title="Q4 strategy", body="Board, 28 Nov").id,
            "text": decks.add_text_slide(store, "ana", deck.id, title="Agenda", body="- Market\n- Rivals",
                                         notes="Start with the market").id,
            "chart": decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"}, title="").id,
            "swot": decks.add_view_slide(store, "ana", deck.id, "competitors.swot", {"company_id": rival}, title="").id,
            "gone": decks.add_view_slide(store, "ana", deck.id, "retired.view", {}, title="Old chart").id,
        }
    finally:
        store.close()
    return demo_copy, ids


def _linked(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en", **params: object) -> AppTest:
    """Open the Present page by a link with these query parameters, as a bookmark or a shared URL would."""
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["vantage_lang"] = lang
    at.run()
    at.switch_page("pages/present.py")
    for name, value in params.items():
        if value is not None:
            at.query_params[name] = str(value)
    return at.run()


def _present(db: Path, monkeypatch: pytest.MonkeyPatch, deck_id: int, slide: int | None = None, lang: str = "en") -> AppTest:
    """Open the page by a session-mode link."""
    return _linked(db, monkeypatch, lang, present=deck_id, slide=slide)


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _keys(at: AppTest) -> set[str]:
    found = set()
    for kind in ("button", "selectbox", "text_input", "text_area", "toggle", "checkbox", "radio", "date_input"):
        found |= {w.key for w in at.get(kind) if w.key}
    return found


# ---- builder -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_empty_workspace_offers_a_new_deck_and_creates_it(demo_copy: Path, monkeypatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, page="present", lang=lang)
    assert_clean(at)
    assert at.title[0].value == t("page.present", lang)
    assert t("present.deck.none", lang) in [i.value for i in at.info]
    at.text_input(key="present_new_name").input("Strategy <b>Q4</b>")
    at.text_area(key="present_new_description").input("For the board")
    at.button(key="present_new_submit").click().run()
    assert_clean(at)
    store = _open(demo_copy)
    try:
        (deck,) = decks.list_decks(store)
    finally:
        store.close()
    assert deck.name == "Strategy <b>Q4</b>"
    assert t("present.deck.created", lang, name=deck.name) in [x.value for x in at.toast]
    assert at.selectbox(key="present_deck_pick").value == deck.id
    assert at.query_params["deck"] == str(deck.id)
    assert t("present.slides.empty", lang) in [i.value for i in at.info]
    # A duplicate name is one clear sentence, and nothing is written.
    at.text_input(key="present_new_name").input("strategy <B>q4</B>")
    at.button(key="present_new_submit").click().run()
    assert not at.exception
    # in the viewer's language (the refusal is a catalog message, decks.error.name_taken)
    assert {"en": "already exists", "sr": "већ постоји"}[lang] in at.error[0].value


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_builder_lists_slides_with_previews(deck_db, monkeypatch, lang: str) -> None:
    db, ids = deck_db
    at = run_app(db, monkeypatch, page="present", lang=lang)
    assert_clean(at)
    assert at.selectbox(key="present_deck_pick").value == ids["deck"]
    text = _markdown(at)
    assert any(m.startswith("**1\\. Q4 strategy**") for m in text)
    assert any(m.startswith("**5\\. Old chart**") for m in text)
    assert "- Market\n- Rivals" in text
    assert len(at.get("vega_lite_chart")) == 2  # the share chart and the SWOT board
    # The slide whose view no longer exists says so, instead of failing.
    assert [w.value for w in at.warning] == [t("present.data_gone", lang)]
    notes = escape_markdown(t("present.slide.notes_shown", lang, notes="Start with the market"))
    assert notes in [c.value for c in at.caption]


def test_a_deck_link_opens_that_deck(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    store = _open(db)
    other = decks.create_deck(store, "ana", "Another deck").id
    store.close()
    at = _linked(db, monkeypatch, deck=ids["deck"])
    assert_clean(at)
    assert at.selectbox(key="present_deck_pick").value == ids["deck"]
    at.selectbox(key="present_deck_pick").select(other).run()
    assert at.query_params["deck"] == str(other)
    assert t("present.slides.empty", "en") in [i.value for i in at.info]


def test_add_reorder_edit_and_delete_slides(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    at = run_app(db, monkeypatch, page="present")
    at.radio(key="present_add_kind").set_value("text")
    at.text_input(key="present_add_title").input("Next steps")
    at.text_area(key="present_add_body").input("* Call [Adria](javascript:alert(1))")
    at.button(key="present_add_submit").click().run()
    assert_clean(at)
    store = _open(db)
    slides = decks.list_slides(store, ids["deck"])
    store.close()
    added = slides[-1]
    assert (added.kind, added.title, added.position) == ("text", "Next steps", 6)
    assert "- Call \\[Adria\\]\\(javascript\\:alert\\(1\\)\\)" in _markdown(at)  # a link typed as text stays text
    assert at.text_input(key="present_add_title").value == ""  # the form is ready for the next slide
    # Move it up twice.
    at.button(key=f"present_up_{added.id}").click().run()
    at.button(key=f"present_up_{added.id}").click().run()
    assert_clean(at)
    store = _open(db)
    order = [s.id for s in decks.list_slides(store, ids["deck"])]
    store.close()
    assert order.index(added.id) == 3
    at.button(key=f"present_down_{ids['title']}").click().run()
    store = _open(db)
    order = [s.id for s in decks.list_slides(store, ids["deck"])]
    store.close()
    assert order[:2] == [ids["text"], ids["title"]]
    assert at.button(key=f"present_up_{ids['text']}").disabled
    # Edit a title and notes.
    at.button(key=f"present_edit_{ids['chart']}").click().run()
    at.text_input(key=f"present_slide_title_{ids['chart']}").input("Where we stand")
    at.text_area(key=f"present_slide_notes_{ids['chart']}").input("Pause here")
    at.button(key=f"present_slide_save_{ids['chart']}").click().run()
    assert_clean(at)
    assert t("present.slide.saved", "en") in [x.value for x in at.toast]
    store = _open(db)
    edited = decks.get_slide(store, ids["chart"])
    store.close()
    assert (edited.title, edited.notes) == ("Where we stand", "Pause here")
    assert json.loads(at.get("vega_lite_chart")[0].proto.spec)  # still drawn
    # Delete needs a confirmation that names the slide.
    at.button(key=f"present_del_{ids['gone']}").click().run()
    assert any("Old chart" in w.value for w in at.warning)
    store = _open(db)
    assert decks.get_slide(store, ids["gone"])  # not yet
    store.close()
    at.button(key=f"present_del_yes_{ids['gone']}").click().run()
    assert_clean(at)
    store = _open(db)
    try:
        assert ids["gone"] not in [s.id for s in decks.list_slides(store, ids["deck"])]
        audit = store.query_rows("SELECT actor, action FROM audit_log WHERE table_name = 'deck_slides' AND row_id = ?",
                                 [str(ids["gone"])])
    finally:
        store.close()
    assert audit[-1]["action"] == "delete"


def test_a_stale_slide_edit_is_refused(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    at = run_app(db, monkeypatch, page="present")
    at.button(key=f"present_edit_{ids['text']}").click().run()
    store = _open(db)
    slide = decks.get_slide(store, ids["text"])
    decks.update_slide(store, "bo", slide.id, slide.version, title="Changed by Bo")
    store.close()
    at.text_input(key=f"present_slide_title_{ids['text']}").input("Mine")
    at.button(key=f"present_slide_save_{ids['text']}").click().run()
    assert not at.exception
    assert "changed by bo" in at.error[0].value
    store = _open(db)
    assert decks.get_slide(store, ids["text"]).title == "Changed by Bo"
    store.close()


def test_rename_duplicate_archive_and_delete_a_deck(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    store = _open(db)
    decks.add_decision(store, "ana", ids["deck"], "Go", slide_id=ids["chart"])
    store.close()
    at = run_app(db, monkeypatch, page="present")
    deck_id = ids["deck"]
    name_key = next(k for k in _keys(at) if k.startswith(f"present_deck_name_{deck_id}_"))
    at.text_input(key=name_key).input("Board meeting Q4")
    at.button(key="present_deck_save").click().run()
    assert_clean(at)
    at.text_input(key=f"present_copy_name_{deck_id}").input("Rehearsal")
    at.button(key="present_duplicate").click().run()
    assert_clean(at)
    store = _open(db)
    try:
        names = {d.name: d for d in decks.list_decks(store)}
    finally:
        store.close()
    assert set(names) == {"Board meeting Q4", "Rehearsal"}
    assert names["Rehearsal"].slide_count == 5
    assert at.selectbox(key="present_deck_pick").value == names["Rehearsal"].id  # the copy is opened
    # Archive the copy: it leaves the list unless archived decks are shown.
    at.button(key="present_archive").click().run()
    assert_clean(at)
    assert at.selectbox(key="present_deck_pick").options == [t("present.deck.option", "en", name="Board meeting Q4", count=5)]
    at.toggle(key="present_show_archived").set_value(True).run()
    assert len(at.selectbox(key="present_deck_pick").options) == 2
    # Delete the original: the confirmation says what goes, and it is one audited batch.
    at.selectbox(key="present_deck_pick").select(deck_id).run()
    at.button(key="present_delete").click().run()
    confirm = t("present.deck.delete_confirm", "en", name="Board meeting Q4", slides=5, decisions=1)
    assert confirm in [w.value for w in at.warning]
    at.button(key="present_delete_yes").click().run()
    assert_clean(at)
    store = _open(db)
    try:
        assert deck_id not in [d.id for d in decks.list_decks(store, include_archived=True)]
        batches = store.query_rows(
            "SELECT batch_id, count(*) AS n FROM audit_log WHERE action = 'delete' GROUP BY batch_id")
    finally:
        store.close()
    assert [b["n"] for b in batches] == [1 + 5 + 1]  # decision, slides, deck
    assert t("present.deck.deleted", "en", name="Board meeting Q4") in [x.value for x in at.toast]
    assert at.selectbox(key="present_deck_pick").value == names["Rehearsal"].id


# ---- session mode ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_session_mode_by_link_shows_one_slide_without_edit_controls(deck_db, monkeypatch, lang: str) -> None:
    db, ids = deck_db
    at = _present(db, monkeypatch, ids["deck"], lang=lang)
    assert_clean(at)
    assert t("present.session.counter", lang, n=1, total=5) in _markdown(at)
    assert "# Q4 strategy" in _markdown(at)
    assert not at.title  # no page title
    assert not at.sidebar.children  # no sidebar widgets (language, name) on the shared screen
    keys = _keys(at)
    assert not {k for k in keys if k.startswith(("present_up_", "present_del_", "present_edit_", "present_deck_", "present_new_",
                                                  "present_add_"))}
    assert {"present_prev", "present_next", "present_exit"} <= keys
    assert at.button(key="present_prev").disabled
    assert "present_notes" not in keys  # the title slide has no notes
    at.button(key="present_next").click().run()
    assert at.query_params["slide"] == "2"
    assert t("present.session.counter", lang, n=2, total=5) in _markdown(at)
    # Speaker notes are never on the shared screen: the presenter view has them (tests/test_present_session.py).
    assert "present_notes" not in _keys(at)
    assert not [x for x in _markdown(at) + [c.value for c in at.caption] if "Start with the market" in x]
    at.button(key="present_next").click().run()
    assert_clean(at)
    assert at.query_params["slide"] == "3"
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)  # fitted to what a 1280×720 screen leaves under the heading
    assert (spec["width"], spec["autosize"]) == (1200, {"type": "fit", "contains": "padding"})
    assert 300 <= spec["height"] <= 520
    at.button(key="present_prev").click().run()
    assert at.query_params["slide"] == "2"


def test_session_mode_keeps_the_slide_in_range_and_exits_to_the_builder(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    at = _present(db, monkeypatch, ids["deck"], slide=99)
    assert_clean(at)
    assert at.query_params["slide"] == "5"
    assert "5 / 5" in _markdown(at)
    assert at.button(key="present_next").disabled
    assert [w.value for w in at.warning] == [t("present.data_gone", "en")]  # the retired view
    at.button(key="present_exit").click().run()
    assert_clean(at)
    assert "present" not in at.query_params and "slide" not in at.query_params
    assert at.query_params["deck"] == str(ids["deck"])
    assert at.selectbox(key="present_deck_pick").value == ids["deck"]
    # The builder's Present button starts at slide 1.
    at.button(key="present_start").click().run()
    assert (at.query_params["present"], at.query_params["slide"]) == (str(ids["deck"]), "1")
    assert "1 / 5" in _markdown(at)


def test_a_link_to_a_removed_or_empty_deck_says_so(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    at = _present(db, monkeypatch, 999)
    assert not at.exception
    assert [w.value for w in at.warning] == [t("present.session.gone", "en")]
    store = _open(db)
    empty = decks.create_deck(store, "ana", "Empty").id
    store.close()
    at = _present(db, monkeypatch, empty)
    assert_clean(at)
    assert t("present.session.empty", "en") in [i.value for i in at.info]


def test_private_session_draws_from_stored_parameters_only(deck_db, monkeypatch) -> None:
    # Frozen filters: the Overview's own dimension control has no say over the slide.
    db, ids = deck_db
    at = run_app(db, monkeypatch)
    at.session_state["overview_dimension"] = "country"
    at.run()
    at.switch_page("pages/present.py")
    at.query_params["present"] = str(ids["deck"])
    at.query_params["slide"] = "3"
    at.run()
    assert_clean(at)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"Country"' not in spec and "Industry" in spec


# ---- decisions ---------------------------------------------------------------------------


def test_record_a_decision_in_session_mode_then_edit_and_delete_it(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    at = _present(db, monkeypatch, ids["deck"], slide=4)  # the SWOT board of a competitor
    assert_clean(at)
    at.radio(key="present_decision_kind").set_value("action")
    at.text_area(key="present_decision_text").input("Match their price on films")
    at.text_input(key="present_decision_owner").input("Marko")
    at.date_input(key="present_decision_due").set_value(dt.date(2026, 12, 15))
    at.button(key="present_decision_submit").click().run()
    assert_clean(at)
    assert t("present.decision.recorded", "en") in [x.value for x in at.toast]
    assert at.text_area(key="present_decision_text").value == ""  # the form is ready for the next one
    assert at.query_params["slide"] == "4"
    store = _open(db)
    try:
        (d,) = decks.list_decisions(store, deck_id=ids["deck"])
    finally:
        store.close()
    assert (d.kind, d.text, d.owner, d.due_date, d.status) == ("action", "Match their price on films", "Marko",
                                                               dt.date(2026, 12, 15), "open")
    assert (d.slide_id, d.competitor_id, d.segment_id) == (ids["swot"], ids["rival"], None)
    # An empty text is refused and keeps the rest of the form.
    at.text_input(key="present_decision_owner").input("Ana")
    at.button(key="present_decision_submit").click().run()
    assert "decision text is empty" in at.error[0].value
    assert at.text_input(key="present_decision_owner").value == "Ana"
    # After the session: the decision log lists it; edit it in the grid.
    at.button(key="present_exit").click().run()
    at.segmented_control(key="present_section").set_value("decisions").run()
    assert_clean(at)
    assert at.dataframe[0].value["text"].tolist() == ["Match their price on films"]
    at.session_state[f"present_log_{ids['deck']}"] = {
        "edited_rows": {0: {"status": "done", "owner": "Jelena", "due": "2027-01-10"}}, "added_rows": [], "deleted_rows": [],
    }
    at.button(key="present_log_save").click().run()
    assert_clean(at)
    assert t("present.log.saved", "en", count=1) in [s.value for s in at.success]
    store = _open(db)
    try:
        edited = decks.get_decision(store, d.id)
    finally:
        store.close()
    assert (edited.status, edited.owner, edited.due_date, edited.text, edited.version) == (
        "done", "Jelena", dt.date(2027, 1, 10), "Match their price on films", 2)
    # A stale edit (someone else saved meanwhile) is refused, not overwritten.
    at.run()
    store = _open(db)
    decks.update_decision(store, "bo", d.id, edited.version, text="Bo's text", kind="action", owner="Bo", due_date=None,
                          status="open")
    store.close()
    at.session_state[f"present_log_{ids['deck']}"] = {"edited_rows": {0: {"text": "Mine"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="present_log_save").click().run()
    assert "changed by bo" in at.error[0].value
    store = _open(db)
    assert decks.get_decision(store, d.id).text == "Bo's text"
    store.close()
    # Delete with confirmation.
    at.selectbox(key="present_log_delete_pick").select(d.id).run()
    assert at.button(key="present_log_delete").disabled
    at.checkbox(key="present_log_delete_sure").check().run()
    at.button(key="present_log_delete").click().run()
    assert_clean(at)
    store = _open(db)
    try:
        assert decks.list_decisions(store, deck_id=ids["deck"]) == []
    finally:
        store.close()
    assert t("present.log.empty", "en") in [i.value for i in at.info]


def test_the_decision_log_saves_all_its_edits_or_none(deck_db, monkeypatch) -> None:
    """Issue 16: the log saved row by row in a callback, so a refused second row left the first saved."""
    db, ids = deck_db
    store = _open(db)
    try:
        first, second = (decks.add_decision(store, "ana", ids["deck"], text) for text in ("Cut prices", "Hire two reps"))
    finally:
        store.close()
    at = run_app(db, monkeypatch, page="present")
    at.segmented_control(key="present_section").set_value("decisions").run()
    editor = f"present_log_{ids['deck']}"

    def texts() -> list[str]:
        store = _open(db)
        try:
            return [d.text for d in decks.list_decisions(store, deck_id=ids["deck"])]
        finally:
            store.close()

    # A refused entry (empty text): nothing is saved and the edits stay for fixing.
    at.session_state[editor] = {"edited_rows": {0: {"status": "done"}, 1: {"text": " "}}, "added_rows": [],
                                "deleted_rows": []}
    at.button(key="present_log_save").click().run()
    assert "decision text is empty" in at.error[0].value
    assert texts() == ["Cut prices", "Hire two reps"]
    store = _open(db)
    try:
        assert decks.get_decision(store, first.id).status == "open"
    finally:
        store.close()
    assert at.session_state[editor]["edited_rows"]
    # A stale second entry (someone else changed it meanwhile): the first is not saved either, and
    # the grid shows the entries as they are now.
    store = _open(db)
    try:
        decks.update_decision(store, "bo", second.id, second.version, text="Hire one rep", kind="decision", owner=None,
                              due_date=None, status="open")
    finally:
        store.close()
    at.session_state[editor] = {"edited_rows": {0: {"text": "Cut prices by 5 %"}, 1: {"text": "Hire three reps"}},
                                "added_rows": [], "deleted_rows": []}
    at.button(key="present_log_save").click().run()
    assert "changed by bo" in at.error[0].value
    assert texts() == ["Cut prices", "Hire one rep"]
    assert at.dataframe[0].value["text"].tolist() == ["Cut prices", "Hire one rep"]
    # Both saved together: one audited batch.
    at.session_state[editor] = {"edited_rows": {0: {"status": "done"}, 1: {"owner": "Ana"}}, "added_rows": [],
                                "deleted_rows": []}
    at.button(key="present_log_save").click().run()
    assert_clean(at)
    assert t("present.log.saved", "en", count=2) in [s.value for s in at.success]
    store = _open(db)
    try:
        (first, second) = decks.list_decisions(store, deck_id=ids["deck"])
        batches = store.query_value("SELECT count(DISTINCT batch_id) FROM audit_log WHERE table_name = 'decisions' "
                                    "AND action = 'update' AND actor <> 'bo'")
    finally:
        store.close()
    assert (first.status, second.owner) == ("done", "Ana")
    assert batches == 1


# ---- exports -----------------------------------------------------------------------------


def test_empty_deck_export_says_so(demo_copy: Path, monkeypatch) -> None:
    store = _open(demo_copy)
    decks.create_deck(store, "ana", "Empty deck")
    store.close()
    at = run_app(demo_copy, monkeypatch, page="present")
    at.segmented_control(key="present_section").set_value("export").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"**{escape_markdown(t('present.export.empty_title', 'en'))}** — {escape_markdown(t('present.export.empty', 'en'))}"]
    assert not at.get("download_button")


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_export_buttons_prepare_downloads(deck_db, monkeypatch, lang: str) -> None:
    db, _ = deck_db
    at = run_app(db, monkeypatch, page="present", lang=lang)
    at.segmented_control(key="present_section").set_value("export").run()
    assert_clean(at)
    assert not at.get("download_button")
    for kind in ("pptx", "md", "zip"):
        at.button(key=f"present_prepare_{kind}").click().run()
        assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [t("present.export.download", lang, format=t(k, lang)) for k in
                      ("present.export.pptx", "present.export.markdown", "present.export.images")]
    # The monthly report: last month by default.
    assert at.selectbox(key="present_report_month").value == (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    at.button(key="present_report_prepare_md").click().run()
    assert_clean(at)
    assert len(at.get("download_button")) == 4


def test_links_to_archived_and_unknown_decks(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    store = _open(db)
    deck = decks.get_deck(store, ids["deck"])
    decks.update_deck(store, "ana", deck.id, deck.version, archived=True)
    empty = decks.create_deck(store, "ana", "Empty").id
    store.close()
    at = _linked(db, monkeypatch, deck=ids["deck"])
    assert_clean(at)
    assert at.toggle(key="present_show_archived").value is True  # the archived deck of the link is shown
    assert at.selectbox(key="present_deck_pick").value == ids["deck"]
    assert t("present.deck.is_archived", "en") in [i.value for i in at.info]
    at.query_params["deck"] = "4242"
    at.run()
    assert t("present.deck.unknown_link", "en") in [w.value for w in at.warning]
    at.selectbox(key="present_deck_pick").select(empty).run()
    assert at.button(key="present_start").disabled  # nothing to present yet


def test_typed_text_never_becomes_markup_on_the_shared_screen(demo_copy: Path, monkeypatch) -> None:
    store = _open(demo_copy)
    deck = decks.create_deck(store, "ana", "Risky")
    decks.add_text_slide(store, "ana", deck.id, title="<img src=x onerror=alert(1)> **bold**",
                         body="[click](javascript:alert(1))\n<script>alert(2)</script>")
    store.close()
    at = _present(demo_copy, monkeypatch, deck.id)
    assert_clean(at)
    text = _markdown(at)
    assert "# \\<img src=x onerror=alert\\(1\\)\\> \\*\\*bold\\*\\*" in text
    assert "\\[click\\]\\(javascript\\:alert\\(1\\)\\)  \n\\<script\\>alert\\(2\\)\\</script\\>" in text
    assert all("<script>" not in h.proto.body for h in at.get("html"))  # only the constant style sheet


# ---- viewers -----------------------------------------------------------------------------

_SECRETS = {  # signed-in mode, as in tests/test_access_pages.py: everyone at example.com may view
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret-of-some-length",
        "client_id": "vantage", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "vantage": {"roles": {"editors": ["editor@example.com"], "viewers": ["@example.com"]}},
}


@pytest.mark.parametrize("email, edits", [("viewer@example.com", False), ("editor@example.com", True)])
def test_viewers_present_but_do_not_edit(deck_db, monkeypatch, email: str, edits: bool) -> None:
    db, ids = deck_db
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = _SECRETS
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    at.run()
    at.switch_page("pages/present.py").run()
    assert_clean(at)
    keys = _keys(at)
    assert "present_start" in keys and "present_deck_pick" in keys
    edit_keys = {"present_new_submit", "present_deck_save", "present_delete", f"present_up_{ids['text']}", "present_add_submit"}
    assert (edit_keys <= keys) is edits and bool(edit_keys & keys) is edits
    at.button(key="present_start").click().run()
    at.button(key="present_next").click().run()
    at.button(key="present_next").click().run()
    assert_clean(at)
    assert "3 / 5" in _markdown(at)
    assert ("present_decision_submit" in _keys(at)) is edits
