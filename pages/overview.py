"""Overview page: market KPIs, share by segment, latest price moves, recent changes and signals per competitor."""

import streamlit as st

from research import market
from research.data.labels import labels_for
from research.i18n import fmt_number, fmt_percent
from research.signals.drafts import company_counts_table
from research.ui import add_to_deck, altair, lang, page_setup, tr
from research.ui import overview as figures

store = page_setup("overview")
language = lang()

kpis = figures.kpis(store)
moves = figures.price_moves(store)
threshold = fmt_percent(market.PRICE_MOVE_THRESHOLD, language)
days = market.PRICE_MOVE_DAYS
cols = st.columns(6)
cols[0].metric(tr("overview.kpi.competitors"), fmt_number(kpis.competitors, language))
cols[1].metric(tr("overview.kpi.customers"), fmt_number(kpis.customers, language))
cols[2].metric(tr("overview.kpi.prospects"), fmt_number(kpis.prospects, language))
cols[3].metric(tr("overview.kpi.lost"), fmt_number(kpis.lost, language))
cols[4].metric(tr("overview.kpi.share"), fmt_percent(kpis.our_share, language), help=tr("overview.kpi.share_help"))
cols[5].metric(
    tr("overview.kpi.moves"),
    fmt_number(len(moves), language),
    help=tr("overview.kpi.price_moves_help", moves=tr("overview.kpi.price_moves", days=days), threshold=threshold),
)

dimension = figures.segment_picker(store)
chart, _, _ = figures.share_view(store, dimension)
if chart is None:
    st.info(tr("overview.share.empty"))
else:
    altair(chart, key="overview_share_chart")
    # "dimension" names the field, so renaming or removing a custom field finds the slide.
    add_to_deck("overview.share", {"dimension": dimension}, tr("overview.share.title"), key="overview_share_deck")

left, right = st.columns(2)
with left:
    st.subheader(tr("overview.moves.title"))
    if moves.empty:
        st.info(tr("overview.moves.empty", threshold=threshold, days=days))
    else:
        st.dataframe(market.price_moves_table(moves, language), hide_index=True, key="overview_moves")
with right:
    st.subheader(tr("overview.changes.title"))
    changes = figures.recent_changes(store)
    if changes.empty:
        st.info(tr("overview.changes.empty"))
    else:
        st.dataframe(market.recent_changes_table(changes, language, labels_for(store, language)), hide_index=True,
                     key="overview_changes")

st.subheader(tr("overview.signals.title"))
counts = figures.signal_counts(store)
waiting = int(counts["new"].sum()) if not counts.empty else 0
shown = company_counts_table(counts, language, competitors_only=True)
if shown.empty:
    st.info(tr("overview.signals.empty"))
else:
    st.caption(tr("overview.signals.caption", n=fmt_number(waiting, language)))
    st.dataframe(shown, hide_index=True, key="overview_signals")
st.page_link("pages/signals.py", label=tr("overview.signals.open"), icon=":material/notifications:")
