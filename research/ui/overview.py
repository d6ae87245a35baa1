"""Overview page widgets and figures: the "Segment by" picker, and the page's figures cached per data version.

Every Overview figure reads whole tables (5 M accounts, 33 M price observations at demo scale 1000)
for a small answer, and none of them depends on who looks, so each is computed once and shared by
every session and rerun until one of the tables it reads changes (research.ui.cache.by_tables): a
write shows on the next run, and a SWOT or account save does not recompute the price moves.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from research import market
from research.store import Store
from research.ui.cache import by_tables
from research.ui.context import lang, option_names, tr

DIMENSION_KEY = "overview_dimension"
MAX_BUTTONS = 6  # more dimensions than this (custom fields) get a drop-down instead of buttons

kpis = by_tables("accounts", "companies", "price_observations")(market.overview_kpis)
# The Overview's window and threshold.
price_moves = by_tables("price_observations", "products", "companies")(market.price_moves)
# The shared screen's view, the same for everyone; any write is a change.
recent_changes = by_tables("audit_log", "companies", "user_roles")(market.recent_changes)
dimension_labels = by_tables("custom_fields")(market.dimension_labels)
_labelled_share = by_tables("accounts", "companies", "custom_fields", "value_labels")(market.labelled_share)


def _signal_counts(store: Store) -> pd.DataFrame:
    from research.signals import records  # the signal inbox (issue 20)

    return records.counts_by_company(store)


signal_counts = by_tables("signals", "companies")(_signal_counts)


def share_view(store: Store, dimension: str) -> tuple[alt.TopLevelMixin | None, int, int]:
    """`market.share_by_segment_view` in the viewer's language, from the cached share."""
    language = lang()
    share: pd.DataFrame = _labelled_share(store, dimension, language)
    return market.share_chart(share, dimension, language,
                              dimension_title=dimension_labels(store, language).get(dimension, dimension))


def segment_picker(store: Store) -> str:
    """The dimension to segment the share by: industry, country, region, status or a categorical custom field."""
    labels = dimension_labels(store, lang())
    options = list(labels)
    if st.session_state.get(DIMENSION_KEY) not in options:
        # A custom field removed or renamed since the last run: start from industry again.
        st.session_state[DIMENSION_KEY] = "industry"
    if len(options) <= MAX_BUTTONS:
        picked = st.segmented_control(tr("overview.share.dimension"), options=options, format_func=option_names(labels),
                                      key=DIMENSION_KEY)
    else:
        picked = st.selectbox(tr("overview.share.dimension"), options, format_func=option_names(labels), key=DIMENSION_KEY)
    return picked or "industry"
