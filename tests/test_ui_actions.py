"""AppTest of research/ui/actions.py, the pages' one write plumbing: the notice left for the next run,
the attempt of one write (with the reload offered after a stale save), and the save of an edited grid.

The scripts write real decks and decisions into a workspace file (research/present/decks.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research.present import decks
from research.store import Store


@pytest.fixture
def db(empty_workspace_file: Path, tmp_path: Path) -> str:
    target = tmp_path / "workspace.duckdb"
    shutil.copyfile(empty_workspace_file, target)
    return str(target)


def _deck_forms(db: str) -> None:
    """A new-deck form (a done write forgets it) and a rename form loaded with the deck's version."""
    import streamlit as st

    from research.present import decks
    from research.store import Store
    from research.ui.actions import Notice, attempt, conflict_panel

    notice = Notice("t_flash")
    notice.show()
    store = Store.open(db)
    try:
        with st.form("t_new_form"):
            name = st.text_input("Name", key="t_new_name")
            create = st.form_submit_button("Create")
        if create:
            attempt(lambda: decks.create_deck(store, "ana", name), lambda deck: f"Created {deck.name}", notice=notice,
                    forget=("t_new_",), then=lambda deck: st.session_state.__setitem__("t_opened", deck.id))
        every = decks.list_decks(store)
        if every:
            deck = every[0]
            prefix = "t_edit_"
            loaded = st.session_state.setdefault(f"{prefix}loaded", deck.version)
            conflict_panel(prefix, "Reload")
            with st.form(f"{prefix}form"):
                new_name = st.text_input("New name", value=deck.name, key=f"{prefix}name")
                rename = st.form_submit_button("Rename")
            if rename:
                attempt(lambda: decks.update_deck(store, "ana", deck.id, loaded, name=new_name), "Renamed",
                        notice=notice, form=prefix)
    finally:
        store.close()


def _forms(db: str) -> AppTest:
    return AppTest.from_function(_deck_forms, args=(db,), default_timeout=30).run()


def _submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_a_done_write_moves_the_session_on_forgets_the_form_and_says_so_once(db: str) -> None:
    at = _forms(db)
    at.text_input(key="t_new_name").input("Board")
    _submit(at, "Create")
    assert not at.exception
    store = Store.open(db)
    try:
        (deck,) = decks.list_decks(store)
    finally:
        store.close()
    assert [s.value for s in at.success] == ["Created Board"]
    assert at.session_state["t_opened"] == deck.id  # `then` got the write's result
    assert at.text_input(key="t_new_name").value == ""  # the form is drawn afresh
    at.run()
    assert not at.success  # a notice is shown once


def test_a_refused_write_says_why_and_keeps_what_was_typed(db: str) -> None:
    store = Store.open(db)
    try:
        decks.create_deck(store, "ana", "Board")
    finally:
        store.close()
    at = _forms(db)
    at.text_input(key="t_new_name").input("board")
    _submit(at, "Create")
    assert not at.exception
    assert "already exists" in at.error[0].value
    assert not at.success
    assert at.text_input(key="t_new_name").value == "board"


def test_a_stale_save_of_a_form_offers_a_reload_that_drops_the_typed_values(db: str) -> None:
    store = Store.open(db)
    try:
        deck = decks.create_deck(store, "ana", "Board")
    finally:
        store.close()
    at = _forms(db)
    # Someone else renames the deck after this form was loaded.
    store = Store.open(db)
    try:
        decks.update_deck(store, "bo", deck.id, deck.version, name="Bo's board")
    finally:
        store.close()
    at.text_input(key="t_edit_name").input("My board")
    _submit(at, "Rename")
    assert not at.exception
    assert len(at.error) == 1 and "bo" in at.error[0].value  # the conflict names who changed it
    assert at.text_input(key="t_edit_name").value == "My board"  # kept until the person reloads
    store = Store.open(db)
    try:
        assert decks.get_deck(store, deck.id).name == "Bo's board"
    finally:
        store.close()
    at.button(key="t_edit_reload").click().run()
    assert not at.error
    assert at.text_input(key="t_edit_name").value == "Bo's board"
    assert at.session_state["t_edit_loaded"] == deck.version + 1  # the next save carries the fresh version


def _decision_grid(db: str, deck_id: int, reload_on_conflict: bool) -> None:
    """The texts of a deck's decisions in an editor, saved through save_grid_edits."""
    import pandas as pd
    import streamlit as st

    from research.present import decks
    from research.store import Store
    from research.ui.actions import Notice, save_grid_edits

    notice = Notice("t_grid_flash")
    store = Store.open(db)
    try:
        if "t_loaded" not in st.session_state:
            st.session_state["t_loaded"] = pd.DataFrame(
                [{"id": d.id, "version": d.version, "text": d.text} for d in decks.list_decisions(store, deck_id=deck_id)])
        loaded = st.session_state["t_loaded"]
        edited = st.data_editor(loaded, key="t_grid", disabled=["id", "version"])
        if st.button("Save", key="t_save"):
            changes = [decks.DecisionEdit(int(before.id), int(before.version), after.text, "decision", None, None, "open")
                       for before, after in zip(loaded.itertuples(), edited.itertuples()) if after.text != before.text]
            save_grid_edits(changes, lambda edits: decks.update_decisions(store, "ana", edits), lambda n: f"Saved {n}",
                            notice=notice, editor=("t_grid", "t_loaded"), nothing="Nothing changed",
                            reload_on_conflict=reload_on_conflict)
        notice.show()
    finally:
        store.close()


@pytest.fixture
def two_decisions(db: str) -> tuple[str, int, list[decks.Decision]]:
    store = Store.open(db)
    try:
        deck = decks.create_deck(store, "ana", "Board")
        made = [decks.add_decision(store, "ana", deck.id, text) for text in ("First", "Second")]
    finally:
        store.close()
    return db, deck.id, made


def _texts(db: str, deck_id: int) -> list[str]:
    store = Store.open(db)
    try:
        return [d.text for d in decks.list_decisions(store, deck_id=deck_id)]
    finally:
        store.close()


def _grid(db: str, deck_id: int, *, reload_on_conflict: bool = False) -> AppTest:
    return AppTest.from_function(_decision_grid, args=(db, deck_id, reload_on_conflict), default_timeout=30).run()


def _edit(at: AppTest, rows: dict[int, str]) -> AppTest:
    at.session_state["t_grid"] = {"edited_rows": {i: {"text": text} for i, text in rows.items()}, "added_rows": [],
                                  "deleted_rows": []}
    return at.button(key="t_save").click().run()


def test_a_grid_without_changes_says_so_and_writes_nothing(two_decisions) -> None:
    db, deck_id, _ = two_decisions
    at = _grid(db, deck_id)
    at.button(key="t_save").click().run()
    assert [i.value for i in at.info] == ["Nothing changed"]
    assert not at.success


def test_a_saved_grid_is_one_batch_and_starts_again_from_the_saved_rows(two_decisions) -> None:
    db, deck_id, _ = two_decisions
    at = _grid(db, deck_id)
    _edit(at, {0: "First, done", 1: "Second, done"})
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Saved 2"]
    assert _texts(db, deck_id) == ["First, done", "Second, done"]
    assert not at.session_state["t_grid"]["edited_rows"]  # the editor's state was dropped
    assert at.dataframe[0].value["text"].tolist() == ["First, done", "Second, done"]
    store = Store.open(db)
    try:
        batches = store.query_rows("SELECT count(DISTINCT batch_id) AS n FROM audit_log WHERE table_name = 'decisions' "
                                   "AND action = 'update'")
    finally:
        store.close()
    assert batches[0]["n"] == 1


def test_a_refused_row_saves_no_row_and_keeps_the_edits(two_decisions) -> None:
    db, deck_id, _ = two_decisions
    at = _grid(db, deck_id)
    _edit(at, {0: "First, done", 1: " "})  # the second entry's text is empty: refused
    assert "decision text is empty" in at.error[0].value
    assert _texts(db, deck_id) == ["First", "Second"]  # not half a save
    assert at.session_state["t_grid"]["edited_rows"] == {0: {"text": "First, done"}, 1: {"text": " "}}
    assert not at.success


@pytest.mark.parametrize("reload_on_conflict", [False, True])
def test_a_stale_row_saves_no_row(two_decisions, reload_on_conflict: bool) -> None:
    db, deck_id, made = two_decisions
    at = _grid(db, deck_id, reload_on_conflict=reload_on_conflict)
    store = Store.open(db)
    try:
        second = made[1]
        decks.update_decision(store, "bo", second.id, second.version, text="Bo's", kind="decision", owner=None,
                              due_date=None, status="open")
    finally:
        store.close()
    _edit(at, {0: "First, done", 1: "Mine"})
    assert len(at.error) == 1 and "bo" in at.error[0].value
    assert _texts(db, deck_id) == ["First", "Bo's"]
    if reload_on_conflict:  # a grid without Discard: it shows the entries as they are now
        assert not at.session_state["t_grid"]["edited_rows"]
        assert at.dataframe[0].value["text"].tolist() == ["First", "Bo's"]
    else:  # the edits stay until the person discards them
        assert at.session_state["t_grid"]["edited_rows"] == {0: {"text": "First, done"}, 1: {"text": "Mine"}}
