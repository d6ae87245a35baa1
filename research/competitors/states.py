"""The named values the competitor tables store: SWOT quadrants, confidence, TOWS kinds and statuses.

Each set is declared once here. A member compares equal to (and hashes like) its
string, so rows, SQL and JSON hold the same text as before; tests/test_states.py
checks each set against the CHECK constraint of its column.
"""

from __future__ import annotations

from enum import StrEnum

from research.store.sql import sql_literal


class Quadrant(StrEnum):
    """A SWOT item's quadrant (swot_items.quadrant, signals.draft_quadrant), in board order."""

    STRENGTH = "S"
    WEAKNESS = "W"
    OPPORTUNITY = "O"
    THREAT = "T"


class Confidence(StrEnum):
    """How sure the team is of a SWOT item (swot_items.confidence)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class TowsKind(StrEnum):
    """A TOWS strategy's quadrant: which internal factor meets which external one (tows_strategies.kind)."""

    SO = "SO"
    ST = "ST"
    WO = "WO"
    WT = "WT"


class TowsStatus(StrEnum):
    """Where a TOWS strategy stands (tows_strategies.status)."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


def sql_list(values: type[StrEnum]) -> str:
    """`values` as an SQL list literal in their declared order: `['S', 'W', 'O', 'T']`."""
    return f"[{', '.join(sql_literal(v.value) for v in values)}]"


def sql_order(values: type[StrEnum], column: str) -> str:
    """An SQL expression that sorts `column` in the declared order of `values` (the board's order:
    S, W, O, T; SO, ST, WO, WT), so no statement spells that order out again."""
    return f"list_position({sql_list(values)}, {column})"
