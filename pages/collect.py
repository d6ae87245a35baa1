"""Collect page: watchers of competitor pages, runs with live progress, change log and price history."""

from research.ui import page_setup, refuse_unless
from research.ui.collect import (
    add_section,
    changes_section,
    choose_view,
    history_section,
    merge_waiting_results,
    watchers_section,
)

store = page_setup("collect")
merge_waiting_results(store)

view = choose_view()
if view == "add":
    refuse_unless("watchers")
    add_section(store)
elif view == "changes":
    changes_section(store)
elif view == "history":
    history_section(store)
else:
    watchers_section(store)
