"""Query page: sandboxed SQL with a schema browser, point-and-click builder, saved queries, history, auto-charts."""

import streamlit as st

from research.ui import option_labels, page_setup, refuse_unless, tr
from research.ui import query as view

store = page_setup("query")
refuse_unless("query")  # SQL is for editors and admins (docs/ACCESS.md)
view.apply_pending()
header = st.container()  # filled last, so "data as of" shows the snapshot this run used

chosen = st.segmented_control(
    tr("query.view"),
    options=list(view.VIEWS),
    format_func=option_labels("query.view"),
    key="query_view",
    label_visibility="collapsed",
) or "sql"

if chosen == "sql":
    view.sql_view(store)
elif chosen == "builder":
    view.builder_view(store)
elif chosen == "saved":
    view.saved_view(store)
else:
    view.history_view(store)

view.result_panel(store)
with header:
    view.snapshot_bar(store)
