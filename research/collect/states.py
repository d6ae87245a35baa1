"""The named values the collection tables store: what a watcher reads, how often, and what a fetch found.

Each set is declared once here. A member compares equal to (and hashes like) its
string, so rows, SQL and JSON (the inbox's watcher list) hold the same text as
before; tests/test_states.py checks each set against the CHECK constraint of its column.
"""

from __future__ import annotations

from enum import StrEnum


class WatcherKind(StrEnum):
    """How a watcher reads its page (watchers.kind)."""

    PRODUCT = "product"  # one product's price and stock, from structured data and heuristics
    SELECTORS = "selectors"  # fields picked out with CSS selectors
    LISTING = "listing"  # one row per repeated item
    TEXT = "text"  # the visible text, compared as a whole


class Schedule(StrEnum):
    """How often `collect --due` fetches a watcher (watchers.schedule)."""

    MANUAL = "manual"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"


class WatcherStatus(StrEnum):
    """What one fetch of a watcher found (snapshots.status)."""

    NEW = "new"  # the first reading
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    BLOCKED = "blocked"  # refused by the site or by robots.txt
    ERROR = "error"
    SKIPPED = "skipped"


# The statuses of a page that was read: its values are current.
READ_STATUSES: tuple[WatcherStatus, ...] = (WatcherStatus.NEW, WatcherStatus.CHANGED, WatcherStatus.UNCHANGED)
