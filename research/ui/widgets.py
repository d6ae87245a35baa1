"""Small shared widgets: page header, charts with the Vantage theme, errors (writes: research/ui/actions.py)."""

from __future__ import annotations

from typing import cast

import altair as alt
import streamlit as st

from research.errors import VantageError
from research.store import Store
from research.i18n import error_text
from research.ui.cache import start_run
from research.ui.routing import take_routed_mark
from research.ui.session import init_session, lang, tr
from research.ui.sidebar import sidebar
from research.ui.workspace import get_store
from research.ui.text import escape_markdown


def _route_through_app() -> None:
    """Make sure app.py's st.navigation routes this run, not Streamlit's legacy pages/ mode.

    Until st.navigation has been called once in a server process, Streamlit treats
    a `pages/` folder as the old multipage layout and runs a deep-linked page file
    on its own (no app.py: no grouped menu, no page config). The first visitor after
    a server start who opens a bookmark would see that. app.py marks each run it
    routes; a page run without that mark switches the process-wide flag off and
    reruns, which sends it through app.py (streamlit/streamlit#8860, #10276).
    """
    if take_routed_mark():
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def page_setup(page: str, caption: str | None = None, *, chrome: bool = True) -> Store:
    """Every page starts here: the workspace, the shared sidebar and the page title.

    `chrome=False` (a shared-screen session) gives the workspace and the session's
    language and actor without drawing the sidebar or the title.
    """
    _route_through_app()
    store = get_store()
    start_run(store)  # the data version, read once for every cached figure of this run
    if not chrome:
        init_session()
        return store
    sidebar(store)
    st.title(tr(f"page.{page}"))
    if caption:
        st.caption(escape_markdown(caption))
    return store


# What st.altair_chart's stubs name: the concrete top-level charts. The builders are typed as their
# common base, alt.TopLevelMixin, and every top-level chart is one of these.
_TopLevelChart = alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart | alt.ConcatChart | alt.FacetChart \
    | alt.RepeatChart


def altair(chart: alt.TopLevelMixin, *, key: str | None = None) -> None:
    # theme=None keeps the Vantage theme embedded in the spec instead of Streamlit's.
    st.altair_chart(cast(_TopLevelChart, chart), theme=None, width="stretch", key=key)


def show_error(error: VantageError) -> None:
    """One clear sentence on screen; the message may hold user text, so it is escaped."""
    title, message = error_text(error, lang())
    st.error(f"**{escape_markdown(title)}** — {escape_markdown(message)}", icon=":material/error:")
