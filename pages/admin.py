"""Admin page: who may do what — role assignments by e-mail address or @domain, and the role table."""

from research.ui import page_setup, refuse_unless
from research.ui import admin as view

store = page_setup("admin")
refuse_unless("roles")
view.mode_note()
view.assignments(store)
view.actions_table()
