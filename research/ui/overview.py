"""Overview page widgets: the "Segment by" picker over built-in and custom account fields."""

from __future__ import annotations

import streamlit as st

from research import market
from research.store import Store
from research.ui.context import lang, tr

DIMENSION_KEY = "overview_dimension"
MAX_BUTTONS = 6  # more dimensions than this (custom fields) get a drop-down instead of buttons


def segment_picker(store: Store) -> str:
    """The dimension to segment the share by: industry, country, region, status or a categorical custom field."""
    labels = market.dimension_labels(store, lang())
    options = list(labels)
    if st.session_state.get(DIMENSION_KEY) not in options:
        # A custom field removed or renamed since the last run: start from industry again.
        st.session_state[DIMENSION_KEY] = "industry"
    if len(options) <= MAX_BUTTONS:
        picked = st.segmented_control(tr("overview.share.dimension"), options=options, format_func=labels.get,
                                      key=DIMENSION_KEY)
    else:
        picked = st.selectbox(tr("overview.share.dimension"), options, format_func=labels.get, key=DIMENSION_KEY)
    return picked or "industry"
