"""The live session of a deck: which slide is on the shared screen, since when, and how often it moved.

A presenter window and the audience window are two browser sessions (often two machines),
so the slide they show is kept in the workspace (`deck_sessions`, migration 0015), one row
per deck, and each window follows it. `step` counts every move: a window follows a change
of step rather than of slide, so "back to the slide we were on" is followed too, and a
window that moved on its own (a viewer, who may not move the shared pointer) is not pulled
back until someone moves the session.

Starting a session (`start`) is an ordinary audited write: the audit trail says who
presented which deck and when. A step (`move_to`) goes through the same transaction
(permission and read-only checks, rollback) but writes no audit row: it is navigation, not
data. An audit row per Previous/Next would fill Overview's "Recent changes", the undo list
and the monthly report's change counts with page turns, and would change the workspace's
data version, which keys the cache of every drawn slide (each step would draw the deck
again from scratch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from research.access import Actor, actor_name
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store, Transaction

_COLUMNS = "deck_id, slide, step, started_at, started_by, updated_at, updated_by"
IDLE_AFTER = dt.timedelta(hours=6)  # a session nobody moved for this long is over (its clock is not shown)


@dataclass(frozen=True)
class DeckSession:
    deck_id: int
    slide: int  # position on screen, from 1 (may exceed a deck that lost slides: see `shown`)
    step: int  # how many times the session moved
    started_at: dt.datetime
    started_by: str
    updated_at: dt.datetime
    updated_by: str

    def shown(self, total: int) -> int:
        """The slide to show in a deck of `total` slides (slides removed since are clamped away)."""
        return max(1, min(self.slide, total))

    def running(self, now: dt.datetime | None = None) -> bool:
        """Whether someone moved the session within IDLE_AFTER (else last week's clock would show)."""
        return (now or dt.datetime.now()) - self.updated_at < IDLE_AFTER

    def elapsed(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Time since the session started (never negative, whatever the clocks say)."""
        return max(dt.timedelta(0), (now or dt.datetime.now()) - self.started_at)


def _session(row: dict[str, Any]) -> DeckSession:
    return DeckSession(
        deck_id=int(row["deck_id"]), slide=int(row["slide"]), step=int(row["step"]), started_at=row["started_at"],
        started_by=row["started_by"] or "", updated_at=row["updated_at"], updated_by=row["updated_by"] or "",
    )


def current(store: Store, deck_id: int) -> DeckSession | None:
    """The deck's live session, or None when it was never presented (one indexed row: cheap to poll)."""
    rows = store.query_rows(f"SELECT {_COLUMNS} FROM deck_sessions WHERE deck_id = ?", [deck_id])
    return _session(rows[0]) if rows else None


def _checked_slide(tx: Transaction, deck_id: int, slide: int) -> None:
    """Refuse a deck that does not exist and a slide outside it, naming what is accepted."""
    if not tx.execute("SELECT count(*) FROM decks WHERE id = ?", [deck_id]).fetchall()[0][0]:
        raise keyed_error(ValidationError, "session.error.no_deck", deck_id=deck_id)
    total = int(tx.execute("SELECT count(*) FROM deck_slides WHERE deck_id = ?", [deck_id]).fetchall()[0][0])
    if total == 0:
        raise keyed_error(ValidationError, "session.error.empty", deck_id=deck_id)
    if isinstance(slide, bool) or not isinstance(slide, int) or not 1 <= slide <= total:
        raise keyed_error(ValidationError, "session.error.slide", slide=repr(slide), deck_id=deck_id, total=total)


def _read(tx: Transaction, deck_id: int) -> DeckSession:
    cur = tx.execute(f"SELECT {_COLUMNS} FROM deck_sessions WHERE deck_id = ?", [deck_id])
    names = [d[0] for d in cur.description]
    return _session(dict(zip(names, cur.fetchall()[0])))  # written just before, in this transaction


def start(store: Store, actor: Actor, deck_id: int, slide: int = 1) -> DeckSession:
    """Start (or restart) presenting a deck at `slide`: the clock starts again. One audited write."""
    name = actor_name(actor)
    with store.transaction(actor) as tx:
        _checked_slide(tx, deck_id, slide)
        row = tx.execute("SELECT id, step FROM deck_sessions WHERE deck_id = ?", [deck_id]).fetchone()
        now = dt.datetime.now().replace(microsecond=0)
        values = {"slide": slide, "started_at": now, "started_by": name, "updated_at": now, "updated_by": name}
        if row is None:
            tx.insert("deck_sessions", {"deck_id": deck_id, "step": 1, **values})
        else:
            tx.update("deck_sessions", row[0], {**values, "step": int(row[1]) + 1})
        return _read(tx, deck_id)


def move_to(store: Store, actor: Actor, deck_id: int, slide: int) -> DeckSession:
    """Put the session on `slide` (both windows follow). A deck never presented starts here (audited).

    Refused like any write for a viewer or a read-only workspace; a slide outside the deck
    is refused with the deck's range.
    """
    name = actor_name(actor)
    with store.transaction(actor) as tx:
        _checked_slide(tx, deck_id, slide)
        if tx.execute("SELECT count(*) FROM deck_sessions WHERE deck_id = ?", [deck_id]).fetchall()[0][0] == 0:
            now = dt.datetime.now().replace(microsecond=0)
            tx.insert("deck_sessions", {"deck_id": deck_id, "slide": slide, "step": 1, "started_at": now,
                                        "started_by": name, "updated_at": now, "updated_by": name})
        else:
            # Navigation, not data: no audit row (see the module docstring).
            tx.execute(
                "UPDATE deck_sessions SET slide = ?, step = step + 1, updated_at = current_localtimestamp(), "
                "updated_by = ? WHERE deck_id = ?",
                [slide, name, deck_id],
            )
        return _read(tx, deck_id)


def fmt_elapsed(elapsed: dt.timedelta) -> str:
    """A presenter's clock: "4:05", "12:30", "1:02:03" (hours only when there are any)."""
    seconds = max(0, int(elapsed.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
