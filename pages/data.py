"""Data page: edit research tables in a validated grid, import files, load datasets, undo batches, download backups."""

import streamlit as st

from research.ui import option_labels, page_setup, refuse_unless, tr
from research.ui import data as view

store = page_setup("data", caption=tr("data.caption"))
refuse_unless("write")  # data entry is for editors and admins (docs/ACCESS.md)
view.flash()

VIEWS = {
    "edit": view.edit_view,
    "import": view.import_view,
    "dataset": view.dataset_view,
    "history": view.history_view,
    "backup": view.backup_view,
}
chosen = st.segmented_control(
    tr("data.view"),
    options=list(VIEWS),
    format_func=option_labels("data.view"),
    default="edit",
    key="data_view",
) or "edit"
# Imports and backups are admin work; the functions refuse too, this says so up front.
NEEDS = {"import": "import", "dataset": "import", "backup": "backup"}
if chosen in NEEDS:
    refuse_unless(NEEDS[chosen])
VIEWS[chosen](store)
