"""Shared Streamlit widgets and app context: the only part of research that imports streamlit."""

from research.ui.context import actor, get_store, lang, option_labels, tr
from research.ui.widgets import altair, page_setup, placeholder_page, show_error

__all__ = ["actor", "option_labels", "altair", "get_store", "lang", "page_setup", "placeholder_page", "show_error", "tr"]
