"""Which events make signals in a workspace (table `signal_rules`, defaults here), and the draft
each kind of event proposes: the quadrant, impact, confidence and tags of the SWOT item it would become.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from research.access import Actor
from research.competitors.states import Confidence, Quadrant
from research.errors import ValidationError
from research.i18n import keyed_error
from research.market import PRICE_MOVE_DAYS, PRICE_MOVE_THRESHOLD
from research.signals.states import SignalKind
from research.store import Store

# Kinds whose rule has a threshold (a fraction: 0.03 = 3 %); the others only switch on and off.
THRESHOLD_KINDS = (SignalKind.PRICE_MOVE,)
MAX_WINDOW_DAYS = 3660
MAX_THRESHOLD = 10.0  # 1,000 %: a bigger minimum move would switch the rule off in disguise


@dataclass(frozen=True)
class Rule:
    """One kind's rule: on or off, its threshold, and how far back (days) an event may lie."""

    kind: str
    enabled: bool = True
    threshold: float | None = None
    window_days: int = PRICE_MOVE_DAYS
    id: int | None = None  # None: the workspace never changed it, the default applies
    version: int | None = None

    @property
    def is_default(self) -> bool:
        return self.id is None


# A price move counts from the Overview's threshold and over its window (research.market), so
# a workspace that never set a rule sees the same moves on Overview and in the inbox.
DEFAULTS: dict[str, Rule] = {
    kind: Rule(kind, threshold=PRICE_MOVE_THRESHOLD if kind in THRESHOLD_KINDS else None) for kind in SignalKind
}


def check_kind(kind: str) -> str:
    if kind not in tuple(SignalKind):  # Python 3.11: `str in SignalKind` raises TypeError
        raise keyed_error(ValidationError, "signals.error.kind", value=repr(kind), allowed=", ".join(SignalKind))
    return kind


def list_rules(store: Store) -> dict[str, Rule]:
    """Every kind's rule in SignalKind order: the workspace's row, else the default."""
    rows = store.query_rows("SELECT id, kind, enabled, threshold, window_days, version FROM signal_rules")
    stored = {row["kind"]: Rule(**row) for row in rows}
    return {kind: stored.get(kind, DEFAULTS[kind]) for kind in SignalKind}


def _threshold(kind: str, value: Any) -> float | None:
    if kind not in THRESHOLD_KINDS:
        if value is not None:
            raise keyed_error(ValidationError, "signals.error.no_threshold", kind=kind)
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise keyed_error(ValidationError, "signals.error.threshold", value=repr(value), max=f"{MAX_THRESHOLD:g}") from None
    if not 0 <= number <= MAX_THRESHOLD:
        raise keyed_error(ValidationError, "signals.error.threshold", value=repr(value), max=f"{MAX_THRESHOLD:g}")
    return number


def _window(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not (isinstance(value, str) and value.strip().isdigit()):
        raise keyed_error(ValidationError, "signals.error.window", value=repr(value), max=MAX_WINDOW_DAYS)
    days = int(value)
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise keyed_error(ValidationError, "signals.error.window", value=repr(value), max=MAX_WINDOW_DAYS)
    return days


def set_rule(
    store: Store,
    actor: Actor,
    kind: str,
    *,
    enabled: bool | None = None,
    threshold: float | None = None,
    window_days: int | None = None,
    expected_version: int | None = None,
) -> Rule:
    """Change one kind's rule (audited); unchanged settings keep their value. `expected_version` guards
    against a concurrent edit of a stored rule (ConflictError)."""
    check_kind(kind)
    current = list_rules(store)[kind]
    wanted = replace(
        current,
        enabled=current.enabled if enabled is None else bool(enabled),
        threshold=current.threshold if threshold is None else _threshold(kind, threshold),
        window_days=current.window_days if window_days is None else _window(window_days),
    )
    values = {"enabled": wanted.enabled, "threshold": wanted.threshold, "window_days": wanted.window_days}
    with store.transaction(actor) as tx:
        row = tx.execute("SELECT id FROM signal_rules WHERE kind = ?", [kind]).fetchone()
        if row is None:
            tx.insert("signal_rules", {"kind": kind, **values})
        else:
            tx.update("signal_rules", row[0], values, expected_version=expected_version)
    return list_rules(store)[kind]


# ---- the draft each event proposes ------------------------------------------------------------

# Read from our side of the market. On a competitor's board, O and T are the opportunities and
# threats that company means for us (the TOWS view answers them with our S and W); on our own
# board, S and W are ours. So an event about a competitor lands on its board as O or T, and an
# event about us on ours as S or W. Every draft can be changed before it is accepted.
# (kind, whose: "rival" | "us", direction: "down" | "up" | "") -> quadrant
DRAFT_QUADRANTS: dict[tuple[str, str, str], Quadrant] = {
    ("price_move", "rival", "down"): Quadrant.THREAT,  # their price cut: our customers may switch to them
    ("price_move", "rival", "up"): Quadrant.OPPORTUNITY,  # their price rise: their customers may look around
    ("price_move", "us", "up"): Quadrant.WEAKNESS,  # we became dearer
    ("price_move", "us", "down"): Quadrant.STRENGTH,  # we became cheaper: a point for pitches
    ("product_added", "rival", ""): Quadrant.THREAT,  # a new product competing for our customers
    ("product_added", "us", ""): Quadrant.STRENGTH,
    ("product_removed", "rival", ""): Quadrant.OPPORTUNITY,  # a gap in their range
    ("product_removed", "us", ""): Quadrant.WEAKNESS,
    ("stock_out", "rival", ""): Quadrant.OPPORTUNITY,  # they cannot deliver it now
    ("stock_out", "us", ""): Quadrant.WEAKNESS,
    ("page_change", "rival", ""): Quadrant.THREAT,  # something moved on their page: a threat until someone reads it
    ("page_change", "us", ""): Quadrant.STRENGTH,
    ("lost_deal", "rival", ""): Quadrant.THREAT,  # a competitor won an account from us
    ("lost_deal", "us", ""): Quadrant.WEAKNESS,  # lost without a named winner: our weakness
}


@dataclass(frozen=True)
class DraftTerms:
    """What an accepted signal of a kind becomes besides its quadrant and statement."""

    impact: int
    confidence: Confidence
    tags: tuple[str, ...]


# Observed facts (a price read from the page, a deal recorded as lost) are high confidence; a stock-out
# may be over tomorrow; a changed page says only that something moved.
DRAFT_TERMS: dict[str, DraftTerms] = {
    "price_move": DraftTerms(3, Confidence.HIGH, ("price",)),
    "product_added": DraftTerms(3, Confidence.MEDIUM, ("range",)),
    "product_removed": DraftTerms(3, Confidence.MEDIUM, ("range",)),
    "stock_out": DraftTerms(3, Confidence.MEDIUM, ("delivery",)),
    "page_change": DraftTerms(2, Confidence.LOW, ("web",)),
    "lost_deal": DraftTerms(4, Confidence.HIGH, ("deals",)),
    "stale_item": DraftTerms(3, Confidence.MEDIUM, ()),
}
BIG_PRICE_MOVE = 0.10  # a move of 10 % or more drafts impact 4


def draft_quadrant(kind: str, is_us: bool, direction: str = "") -> Quadrant:
    """The quadrant a new event proposes (stale items keep their own: the caller passes it)."""
    return DRAFT_QUADRANTS[(kind, "us" if is_us else "rival", direction if kind == "price_move" else "")]


def draft_impact(kind: str, change: float | None = None) -> int:
    base = DRAFT_TERMS[kind].impact
    if kind == "price_move" and change is not None and abs(change) >= BIG_PRICE_MOVE:
        return base + 1
    return base
