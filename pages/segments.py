"""Segments page: build, profile, cluster, size and rank market segments; score prospects; export."""

import streamlit as st

from research.ui import page_setup, tr
from research.ui import segments as views

store = page_setup("segments")
views.flash()

VIEWS = {
    "build": views.build_view,
    "profile": views.profile_view,
    "cluster": views.cluster_view,
    "sizing": views.sizing_view,
    "matrix": views.matrix_view,
    "prospects": views.prospects_view,
    "export": views.export_view,
}
if st.query_params.get("view") in VIEWS and "segments_view" not in st.session_state:
    st.session_state["segments_view"] = st.query_params["view"]
view = st.segmented_control(
    tr("segments.view"),
    options=list(VIEWS),
    format_func={v: tr(f"segments.view.{v}") for v in VIEWS}.get,
    default="build",
    key="segments_view",
) or "build"
VIEWS[view](store)
