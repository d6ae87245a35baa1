"""Signals page: the inbox of detected events (price moves, page changes, stock-outs, lost deals, stale
SWOT items), each triaged by a person into SWOT evidence, and the rules that make them."""

from research.ui import page_setup, tr
from research.ui import signals as view

store = page_setup("signals", tr("signals.caption"))
view.NOTICE.show()

VIEWS = {"inbox": view.inbox_view, "rules": view.rules_view}
VIEWS[view.choose_view()](store)
