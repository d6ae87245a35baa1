"""Shared Streamlit widgets and app context: the only part of research that imports streamlit."""

from research.ui.context import actor, can, get_store, lang, option_labels, refuse_unless, tr
from research.ui.widgets import altair, page_setup, show_error
from research.ui.deck_button import add_to_deck

__all__ = ["actor", "add_to_deck", "can", "refuse_unless", "option_labels", "altair", "get_store", "lang", "page_setup", "show_error", "tr"]
