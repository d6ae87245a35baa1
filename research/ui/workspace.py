"""The workspace store of the app: one per process and workspace file, filled with the demo market on its first start."""

from __future__ import annotations

import threading
import weakref

import streamlit as st

from research import config, demo
from research.query.sandbox import prepare_in_background
from research.store import Store
from research.ui.session import tr

_first_start_lock = threading.Lock()
_first_start_done: weakref.WeakSet[Store] = weakref.WeakSet()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(database: str) -> Store:
    # One connection per process and workspace; sessions take cursors from it.
    return Store.open(database)


def prepare_query_snapshot() -> None:
    """Start preparing the query snapshot in the background (VANTAGE_QUERY_PREPARE), once the page is drawn.

    app.py calls it after every run (the sandbox starts its thread once): the first page is drawn
    before the copy starts, which would otherwise compete with it for the cores (at 5 M accounts a
    first page took 0.9 s longer), and the first query still never waits for a copy.
    """
    prepare_in_background(_open_store(config.database()))


def get_store() -> Store:
    """The workspace store; on the very first start of a new workspace, fills the demo market."""
    store = _open_store(config.database())
    if store.created and store not in _first_start_done:
        with _first_start_lock:
            if store not in _first_start_done:
                if config.DEMO.value() and demo.is_empty(store):
                    with st.spinner(tr("app.creating_demo")):
                        demo.build_demo(store, seed=config.DEMO_SEED.value(), actor="demo", signals=True)
                _first_start_done.add(store)
    return store
