"""Present page: build decks of saved views, present them full-screen (`?present=<id>`), log decisions, export."""

import streamlit as st

from research.ui import page_setup, tr
from research.ui import present as ui

presenting = ui.presenting_deck()
if presenting is not None:
    # Session mode: no sidebar, title or edit controls; only the slide and its controls.
    ui.session_mode(ui.session_setup(), presenting)
    st.stop()

store = page_setup("present", caption=tr("present.caption"))
deck = ui.choose_deck(store)
shown = ui.section() if deck is not None else "export"
if deck is not None and shown == "slides":
    ui.slide_list(store, deck)
elif deck is not None and shown == "decisions":
    ui.decision_log(store, deck)
else:
    if deck is not None:
        ui.export_panel(store, deck)
    st.divider()
    ui.report_panel(store)  # the monthly report covers the workspace, with or without a deck
