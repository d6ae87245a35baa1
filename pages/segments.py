"""Segments page: a placeholder until its capability lands."""

from research.ui import placeholder_page

placeholder_page("segments")
