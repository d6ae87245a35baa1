"""The "Add to deck" button beside every chart and board: saves the view with its exact settings as a slide.

A compact popover holding one form (keyboard-friendly: Tab through, Enter submits):
pick a deck or type a new deck's name, adjust the slide title, add speaker notes.
The slide stores the registered view id (research.present.views) and the params
the page passes, so it is drawn again exactly as it was on the page. A title left as
the view's default is stored empty: the slide then shows the view's own title in the
language of whoever looks at it, not in the language of whoever added it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import streamlit as st

from research.errors import ValidationError, VantageError
from research.i18n import keyed_error
from research.present import decks
from research.ui.context import actor, can, get_store, option_names, presenting, tr
from research.ui.widgets import show_error

NEW_DECK = 0  # the "New deck…" option of the deck picker
LAST_DECK = "present_last_deck"  # the deck this session added to last: the picker's default


def _digest(view_id: str, params: dict[str, Any]) -> str:
    # Widgets inside the form are keyed by the view's settings as well, so a changed
    # chart (another dimension, other weights) gets a freshly prefilled title.
    text = json.dumps([view_id, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def add_to_deck(view_id: str, params: dict[str, Any], default_title: str, *, key: str) -> None:
    """Draw the "Add to deck" popover for `view_id` shown with `params`; `key` must be unique on the page."""
    if presenting() or not can("write"):
        return  # a shared screen or a viewer: no edit controls
    store = get_store()
    with st.popover(tr("present.add.button"), icon=":material/slideshow:", help=tr("present.add.help"),
                    disabled=store.read_only, key=f"{key}_popover"):
        existing = decks.list_decks(store)
        options = [d.id for d in existing] + [NEW_DECK]
        names = {d.id: d.name for d in existing} | {NEW_DECK: tr("present.add.new_deck")}
        last = st.session_state.get(LAST_DECK)
        suffix = _digest(view_id, params)
        with st.form(f"{key}_form", border=False, clear_on_submit=False):
            deck_id = st.selectbox(tr("present.add.deck"), options, index=options.index(last) if last in options else 0,
                                   format_func=option_names(names), key=f"{key}_deck")
            new_name = st.text_input(tr("present.add.new_name"), key=f"{key}_new_name", max_chars=decks.NAME_MAX,
                                     help=tr("present.add.new_name_help"))
            title = st.text_input(tr("present.add.title"), value=default_title[: decks.TITLE_MAX],
                                  key=f"{key}_title_{suffix}", max_chars=decks.TITLE_MAX,
                                  help=tr("present.add.title_help"))
            notes = st.text_area(tr("present.add.notes"), key=f"{key}_notes_{suffix}", max_chars=decks.TEXT_MAX, height=90)
            submitted = st.form_submit_button(tr("present.add.submit"), key=f"{key}_submit", type="primary",
                                              icon=":material/add:")
        if submitted:
            _add(store, view_id, params, deck_id, new_name, decks.stored_title(title, default_title), notes,
                 shown=title or default_title)


def _add(store: Any, view_id: str, params: dict[str, Any], deck_id: int | None, new_name: str, title: str,
         notes: str, *, shown: str) -> None:
    """Append the slide; `title` is what is stored ("" for the view's own title), `shown` what the toast names."""
    try:
        deck = _target_deck(store, deck_id, new_name)
        slide = decks.add_view_slide(store, actor(), deck.id, view_id, params, title=title, notes=notes)
    except VantageError as error:  # PermissionDenied included
        show_error(error)
        return
    st.session_state[LAST_DECK] = deck.id
    st.toast(tr("present.add.done", title=slide.title or shown, deck=deck.name), icon=":material/slideshow:")


def _target_deck(store: Any, deck_id: int | None, new_name: str) -> decks.Deck:
    """The deck named in the form (an existing one of that name is reused), else the picked deck."""
    name = (new_name or "").strip()
    if name:
        same = [d for d in decks.list_decks(store) if d.name.casefold() == name.casefold()]
        return same[0] if same else decks.create_deck(store, actor(), name)
    if deck_id in (None, NEW_DECK):
        raise keyed_error(ValidationError, "present.add.no_deck")
    return decks.get_deck(store, int(deck_id))
