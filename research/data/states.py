"""The named values the market tables store: account status, deal outcome, price positioning.

Each set is declared once here (the entity registry, the segment rule language,
win/loss and the pages take it from here). A member compares equal to (and hashes
like) its string, so rows, SQL and JSON hold the same text as before;
tests/test_states.py checks each set against the CHECK constraint of its column.
"""

from __future__ import annotations

from enum import StrEnum


class AccountStatus(StrEnum):
    """Where an account stands with us (accounts.status)."""

    CUSTOMER = "customer"
    PROSPECT = "prospect"
    LOST = "lost"


class DealOutcome(StrEnum):
    """How a deal ended, or that it has not yet (deals.outcome)."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class PricePosition(StrEnum):
    """A company's price positioning (companies.price_positioning; empty when unknown)."""

    BUDGET = "budget"
    MID = "mid"
    PREMIUM = "premium"
