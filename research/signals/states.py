"""The named values the signal tables store: what kind of event a signal is, and where it stands.

Each set is declared once here. A member compares equal to (and hashes like) its
string, so rows, SQL and JSON hold the same text as before; tests/test_states.py
checks each set against the CHECK constraint of its column.
"""

from __future__ import annotations

from enum import StrEnum


class SignalKind(StrEnum):
    """The event a signal comes from (signals.kind, signal_rules.kind), in the order pages list them."""

    PRICE_MOVE = "price_move"
    PRODUCT_ADDED = "product_added"
    PRODUCT_REMOVED = "product_removed"
    STOCK_OUT = "stock_out"
    PAGE_CHANGE = "page_change"
    LOST_DEAL = "lost_deal"
    STALE_ITEM = "stale_item"


class SignalStatus(StrEnum):
    """Where a signal stands in the inbox (signals.status)."""

    NEW = "new"
    ACCEPTED = "accepted"  # became a new SWOT item
    ATTACHED = "attached"  # added as evidence to an existing item
    DISMISSED = "dismissed"
