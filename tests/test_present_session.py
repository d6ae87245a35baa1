"""The live session of a deck (research/present/session.py), how a slide is fitted to a shared screen
(research/present/screen.py), and the presenter view with its audience window (AppTest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import ROOT, assert_clean
from streamlit.testing.v1 import AppTest

from research.access import PermissionDenied, Principal
from research.compare.data import data_version
from research.errors import ReadOnlyError, ValidationError
from research.i18n import t
from research.present import decks, screen, session
from research.present.model import Board, SlideContent
from research.store import Store
from research.ui.text import escape_markdown

NOTES = "Start with the market, then the rivals"


@pytest.fixture
def deck_db(demo_copy: Path) -> tuple[Path, dict]:
    """A deck of four slides: title, text with notes, a chart (overview share) with notes, the battlecard of a rival."""
    store = Store.open(str(demo_copy))
    try:
        rival = store.query_value("SELECT min(id) FROM companies WHERE NOT is_us")
        deck = decks.create_deck(store, "ana", "Board meeting")
        ids = {
            "deck": deck.id,
            "title": decks.add_text_slide(store, "ana", deck.id, kind="title", title="Q4 strategy", body="Board").id,
            "text": decks.add_text_slide(store, "ana", deck.id, title="Agenda", body="- Market\n- Rivals", notes=NOTES).id,
            "chart": decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"}, title="",
                                          notes="Our share first").id,
            "card": decks.add_view_slide(store, "ana", deck.id, "competitors.battlecard", {"company_id": rival}, title="").id,
        }
    finally:
        store.close()
    return demo_copy, ids


def _audit_rows(store: Store) -> int:
    return int(store.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'deck_sessions'"))


# ---- the session pointer -----------------------------------------------------------------


def test_a_step_moves_the_pointer_without_an_audit_row_and_a_start_restarts_the_clock(deck_db) -> None:
    db, ids = deck_db
    with Store.open(str(db)) as store:
        assert session.current(store, ids["deck"]) is None
        first = session.move_to(store, "ana", ids["deck"], 2)  # never presented: this starts the session
        assert (first.slide, first.step, first.started_by, first.updated_by) == (2, 1, "ana", "ana")
        assert _audit_rows(store) == 1
        version = data_version(store)
        second = session.move_to(store, "bo", ids["deck"], 3)
        again = session.move_to(store, "bo", ids["deck"], 3)  # the same slide again is still a move to follow
        assert (second.slide, second.step, again.step, again.updated_by) == (3, 2, 3, "bo")
        assert again.started_at == first.started_at and again.started_by == "ana"
        # Page turns are not data: no audit row, so slide caches keyed on the data version stay valid.
        assert _audit_rows(store) == 1 and data_version(store) == version
        assert session.current(store, ids["deck"]) == again
        restarted = session.start(store, "bo", ids["deck"])
        assert (restarted.slide, restarted.step, restarted.started_by) == (1, 4, "bo")
        assert restarted.started_at >= first.started_at
        assert _audit_rows(store) == 2


def test_refusals_name_what_is_accepted_and_write_nothing(deck_db) -> None:
    db, ids = deck_db
    with Store.open(str(db)) as store:
        session.move_to(store, "ana", ids["deck"], 2)
        before = session.current(store, ids["deck"])
        for slide in (0, 5, -1):
            with pytest.raises(ValidationError, match=rf"Slide {slide} is not in deck {ids['deck']}: it has slides 1 to 4"):
                session.move_to(store, "ana", ids["deck"], slide)
        with pytest.raises(ValidationError, match="Deck 999 does not exist"):
            session.move_to(store, "ana", 999, 1)
        empty = decks.create_deck(store, "ana", "Empty")
        with pytest.raises(ValidationError, match=f"Deck {empty.id} has no slides"):
            session.start(store, "ana", empty.id)
        with pytest.raises(PermissionDenied):
            session.move_to(store, Principal("vera", "viewer"), ids["deck"], 3)
        assert session.current(store, ids["deck"]) == before
        assert session.current(store, empty.id) is None
    with Store.open(str(db), read_only=True) as store:
        with pytest.raises(ReadOnlyError):
            session.move_to(store, "ana", ids["deck"], 3)
        assert session.current(store, ids["deck"]) == before


def test_deleting_a_deck_removes_its_session(deck_db) -> None:
    db, ids = deck_db
    with Store.open(str(db)) as store:
        session.start(store, "ana", ids["deck"], 2)
        decks.delete_deck(store, "ana", ids["deck"])
        assert store.query_value("SELECT count(*) FROM deck_sessions") == 0


def test_a_session_shows_a_slide_inside_a_deck_that_lost_slides_and_its_clock() -> None:
    started = dt.datetime(2026, 11, 28, 9, 0, 0)
    live = session.DeckSession(1, 7, 9, started, "ana", started, "ana")
    assert (live.shown(4), live.shown(12), live.shown(0)) == (4, 7, 1)
    assert live.elapsed(started + dt.timedelta(minutes=12, seconds=5)) == dt.timedelta(minutes=12, seconds=5)
    assert live.elapsed(started - dt.timedelta(hours=1)) == dt.timedelta(0)  # a clock behind the start
    assert [session.fmt_elapsed(dt.timedelta(seconds=s)) for s in (0, 65, 754, 3723)] == ["0:00", "1:05", "12:34", "1:02:03"]
    # Untouched for hours, a session is over: its clock is not shown (the presenter window counts from its own start).
    assert live.running(started + session.IDLE_AFTER - dt.timedelta(seconds=1))
    assert not live.running(started + session.IDLE_AFTER)


# ---- fitting a slide to the screen -------------------------------------------------------


def _more(n: int) -> str:
    return f"and {n} more"


def test_board_lines_are_cut_to_the_budget_with_a_count_of_the_rest() -> None:
    lines = [f"Point {i}" for i in range(10)]
    assert screen.fit_lines(lines, 4, 40, _more) == ("Point 0", "Point 1", "Point 2", "and 7 more")
    assert screen.fit_lines(lines[:4], 4, 40, _more) == tuple(lines[:4])  # all fit: no count
    # Wrapped lines count as what they take: two 2-line items fill a 5-line budget with the count.
    long = ["word " * 12, "word " * 12, "short", "short"]
    assert screen.fit_lines(long, 5, 40, _more) == (long[0], long[1], "and 2 more")
    assert screen.fit_lines(long[:3], 5, 40, _more) == tuple(long[:3])  # the last one needs no room for a count
    # One item longer than the whole budget is cut at a word, not left out.
    (cut, rest) = screen.fit_lines(["alpha beta gamma delta " * 10, "next"], 3, 30, _more)
    assert cut.endswith("…") and not cut.endswith(" …") and rest == "and 1 more"
    assert screen.wrapped_lines(cut, 30) <= 2


def test_a_battlecard_sized_board_fits_its_quadrants_at_720p() -> None:
    board = Board(tuple((f"Part {q}", tuple(f"Item {q}.{i}: " + "a reason with evidence " * 3 for i in range(9)))
                        for q in range(4)))
    content = SlideContent("Battlecard: Adria Pack", subtitle="Danubia against them · 28 Nov 2026", board=board,
                           text="6 of 14 items are stale", source="SWOT items, list prices, deals")
    frame = screen.frame_for(content, text_is_body=False)
    fitted = screen.fit_board(board, frame.body, _more)
    budget, width = screen.board_budget(4, frame.body)
    box = (frame.body - screen.BOARD_GAP) / 2
    assert budget * screen.BOARD_LINE + screen.BOARD_HEAD + 2 * screen.BOARD_PAD <= box
    for (_, original), (_, shown) in zip(board.quadrants, fitted.quadrants):
        assert sum(screen.wrapped_lines(line, width) for line in shown) <= budget
        assert shown[-1] == _more(len(original) - len(shown) + 1)
        assert list(shown[:-1]) == list(original[:len(shown) - 1])  # the first items, in order


def test_frame_counts_the_heading_and_titles_step_down_but_not_below_the_floor() -> None:
    short = screen.frame_for(SlideContent("Market share", source="accounts"), text_is_body=False)
    wordy = screen.frame_for(SlideContent("Market share", subtitle="x " * 200, text="y " * 80, source="accounts"),
                             text_is_body=False)
    assert short.title_size == 0 and wordy.body < short.body
    assert screen.title_size("Why our share among food producers in the Western Balkans keeps falling") == 1
    assert screen.title_size("word " * 60) == len(screen.TITLE_SIZES) - 1
    assert min(font for font, _ in screen.TITLE_SIZES + screen.TEXT_SIZES) >= 18
    assert screen.chart_height(short) == short.body - 6


def test_long_text_steps_down_to_18_px_then_keeps_the_first_lines() -> None:
    body = 400
    assert screen.fit_text("- Market\n- Rivals", body, _more) == (0, "- Market\n- Rivals")
    size, _ = screen.fit_text("\n".join(f"- Point {i}" for i in range(13)), body, _more)
    assert size in (1, 2)
    lines = [f"- Point {i} with a longer explanation of what we saw" for i in range(40)]
    size, shown = screen.fit_text("\n".join(lines), body, _more)
    kept = shown.splitlines()
    assert size == len(screen.TEXT_SIZES) - 1
    assert kept[:-1] == lines[:len(kept) - 1] and kept[-1] == _more(40 - len(kept) + 1)
    assert len(kept) * screen.TEXT_SIZES[size][1] <= body


def test_a_table_keeps_the_rows_and_columns_that_fit() -> None:
    frame = pd.DataFrame({f"c{i}": [f"value {r}" for r in range(60)] for i in range(9)})
    shown, rows_left, columns_left = screen.fit_table(frame, 400)
    assert list(shown.columns) == [f"c{i}" for i in range(screen.TABLE_MAX_COLUMNS)] and columns_left == 3
    assert 0 < len(shown) < 60 and rows_left == 60 - len(shown)
    assert (len(shown) + 1) * screen.TABLE_ROW + screen.SOURCE_LINE <= 400
    small, none_left, _ = screen.fit_table(frame.head(3), 400)
    assert len(small) == 3 and none_left == 0


# ---- the presenter view and the audience window (AppTest) --------------------------------


def _window(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en", **params: object) -> AppTest:
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["vantage_lang"] = lang
    at.run()
    at.switch_page("pages/present.py")
    for name, value in params.items():
        at.query_params[name] = str(value)
    return at.run()


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_presenter_view_shows_current_and_next_slide_notes_counter_and_clock(deck_db, monkeypatch, lang: str) -> None:
    db, ids = deck_db
    at = _window(db, monkeypatch, lang, present=ids["deck"], presenter=1, slide=2)
    assert_clean(at)
    texts = _texts(at)
    assert t("present.session.counter", lang, n=2, total=4) in texts
    assert f"**{escape_markdown(t('present.presenter.now', lang, title='Agenda'))}**" in texts
    assert "- Market\n- Rivals" in texts  # the current slide itself
    assert f"**{escape_markdown(t('present.presenter.notes', lang))}**" in texts and escape_markdown(NOTES) in texts
    next_title = t("overview.share.title", lang)
    assert f"**{escape_markdown(t('present.presenter.next', lang, title=next_title))}**" in texts
    assert len(at.get("vega_lite_chart")) == 1  # the next slide's chart
    clock = [x for x in texts if x.startswith(t("present.presenter.elapsed", lang, time=""))]
    assert len(clock) == 1 and clock[0].rsplit(" ", 1)[1].count(":") == 1
    assert {b.key for b in at.button} >= {"present_prev", "present_next", "present_restart", "present_exit"}
    # The last slide has no next one.
    at.button(key="present_next").click().run()
    at.button(key="present_next").click().run()
    assert_clean(at)
    assert t("present.session.counter", lang, n=4, total=4) in _texts(at)
    assert t("present.presenter.last", lang) in _texts(at)
    assert t("present.presenter.no_notes", lang) in _texts(at)


def test_a_step_in_either_window_moves_the_other(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    audience = _window(db, monkeypatch, present=ids["deck"])
    assert "1 / 4" in _texts(audience)
    # The audience window never shows notes; it links to the presenter view on the slide it shows.
    assert not [x for x in _texts(audience) if NOTES in x or "Our share first" in x]
    (link,) = audience.get("link_button")
    assert link.proto.url == f"?present={ids['deck']}&slide=1&presenter=1&lang=en"
    presenter = _window(db, monkeypatch, present=ids["deck"], presenter=1, slide=1)
    (back,) = presenter.get("link_button")
    assert back.proto.url == f"?present={ids['deck']}&slide=1&lang=en"
    presenter.button(key="present_next").click().run()
    presenter.button(key="present_next").click().run()
    assert presenter.query_params["slide"] == "3"
    audience.run()  # what the audience window's fragment does every second
    assert_clean(audience)
    assert audience.query_params["slide"] == "3" and "3 / 4" in _texts(audience)
    assert not [x for x in _texts(audience) if "Our share first" in x]  # slide 3's notes stay off the shared screen
    audience.button(key="present_prev").click().run()
    presenter.run()
    assert presenter.query_params["slide"] == "2" and "2 / 4" in _texts(presenter)
    assert escape_markdown(NOTES) in _texts(presenter)
    # A window that arrives shows the slide of its address, and follows the session's next move, not its last one.
    late = _window(db, monkeypatch, present=ids["deck"], slide=4)
    late.run()
    assert "4 / 4" in _texts(late)
    presenter.button(key="present_next").click().run()
    late.run()
    assert late.query_params["slide"] == "3" and "3 / 4" in _texts(late)


def test_the_builder_present_button_starts_the_session_and_the_clock(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    with Store.open(str(db)) as store:  # a session left on slide 3 two hours ago
        session.move_to(store, "ana", ids["deck"], 3)
        with store.transaction("ana") as tx:
            tx.execute("UPDATE deck_sessions SET started_at = started_at - INTERVAL 2 HOUR")
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/present.py").run()
    at.button(key="present_start").click().run()
    assert_clean(at)
    assert "1 / 4" in _texts(at)
    presenter = _window(db, monkeypatch, present=ids["deck"], presenter=1)
    assert "1 / 4" in _texts(presenter)  # joined the new session, not the old slide 3
    (clock,) = [x for x in _texts(presenter) if x.startswith("Elapsed ")]
    assert clock.startswith("Elapsed 0:") and len(clock) == len("Elapsed 0:00")  # started again, not 2:00:00


_SECRETS = {  # signed-in mode, as in tests/test_access_pages.py: everyone at example.com may view
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret-of-some-length",
        "client_id": "vantage", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "vantage": {"roles": {"editors": ["editor@example.com"], "viewers": ["@example.com"]}},
}


def test_a_viewer_steps_alone_and_is_told_so(deck_db, monkeypatch) -> None:
    db, ids = deck_db
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = _SECRETS
    at.user = {"is_logged_in": True, "email": "viewer@example.com", "email_verified": True}
    at.run()
    at.switch_page("pages/present.py")
    at.query_params["present"] = str(ids["deck"])
    at.query_params["presenter"] = "1"
    at.run()
    assert_clean(at)
    assert t("present.presenter.alone", "en") in _texts(at)
    assert "present_restart" not in {b.key for b in at.button}
    at.button(key="present_next").click().run()
    assert_clean(at)
    assert "2 / 4" in _texts(at)
    with Store.open(str(db)) as store:
        assert session.current(store, ids["deck"]) is None  # nothing written; other windows stay where they are
