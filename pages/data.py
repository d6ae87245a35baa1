"""Data page: edit research tables in a validated grid, import files, load datasets, custom fields, names of values,
undo batches, download backups."""

import streamlit as st

from research.ui import option_labels, page_setup, refuse_unless, tr
from research.ui import data as view
from research.ui.fields import fields_view
from research.ui.labels import labels_view

store = page_setup("data", caption=tr("data.caption"))
view.NOTICE.show()

VIEWS = {
    "edit": view.edit_view,
    "import": view.import_view,
    "dataset": view.dataset_view,
    "fields": fields_view,
    "labels": labels_view,
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
# Data entry is for editors, imports and backups for admins (docs/ACCESS.md); viewers may read
# the list of custom fields (its add/rename/remove controls are for editors). The functions
# refuse too; this says so up front.
NEEDS = {"edit": "write", "import": "import", "dataset": "import", "fields": "read", "labels": "read",
         "history": "write",
         "backup": "backup"}
refuse_unless(NEEDS[chosen])
VIEWS[chosen](store)
