"""The named values the collection tables store: what a watcher reads, how often, and what a fetch found.

Each set is declared once here. A member compares equal to (and hashes like) its
string, so rows, SQL and JSON (the inbox's watcher list) hold the same text as
before; tests/test_states.py checks each set against the CHECK constraint of its column.
`FetchStatus` has no column: it is what the fetcher reports, kept as text in inbox files.
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
    BLOCKED = "blocked"  # refused or rate limited by the site, or a bot check instead of the page
    ERROR = "error"
    SKIPPED = "skipped"  # robots.txt says no


# The statuses of a page that was read: its values are current.
READ_STATUSES: tuple[WatcherStatus, ...] = (WatcherStatus.NEW, WatcherStatus.CHANGED, WatcherStatus.UNCHANGED)


class FetchStatus(StrEnum):
    """What one page fetch came to (`FetchResult.status`, `PageResult.fetch_status`; inbox files' fetch_status)."""

    OK = "ok"  # the page was read
    NOT_MODIFIED = "not_modified"  # HTTP 304: unchanged since the stored copy
    BLOCKED = "blocked"  # refused or rate limited by the site, or a bot check served instead of the page
    ERROR = "error"  # not read: network, HTTP error, not a web page, too large, past the deadline
    SKIPPED = "skipped"  # robots.txt says no, at the page or at a redirect hop
    POSTPONED = "postponed"  # a politeness wait would pass the deadline: left for the next run (never stored)
