"""The demo market's month of signals: every event of the month before the demo's today, with a few
already triaged (one price cut accepted, one stale item re-verified, two lost deals dismissed), so the
inbox, its counts and the SWOT items made from signals all have something to show."""

from __future__ import annotations

import datetime as dt

from research.access import Actor
from research.signals.generate import generate_signals
from research.signals.records import list_signals, status_counts
from research.signals.triage import accept, attach, dismiss
from research.store import Store

DEMO_DISMISS_REASON = "Reviewed in the monthly win/loss meeting: nothing new"


def fill_demo_inbox(store: Store, actor: Actor, *, today: dt.date) -> dict[str, int]:
    """Generate the demo's signals up to `today` and triage a few, deterministically; counts per status.

    Call it after the demo's data is written (research.demo.build_demo, with its DEMO_TODAY).
    """
    generate_signals(store, actor, today=today)
    cuts = [s for s in list_signals(store, kind="price_move", status="new")
            if not s.is_us and s.draft_key == "signals.draft.price_cut"]
    if cuts:
        accept(store, actor, cuts[0].id, today=today)
    stale = list_signals(store, kind="stale_item", status="new")
    if stale:
        attach(store, actor, stale[0].id, int(stale[0].evidence["item_id"]), today=today)
    lost = list_signals(store, kind="lost_deal", status="new")[-2:]
    if lost:
        dismiss(store, actor, [s.id for s in lost], DEMO_DISMISS_REASON)
    return status_counts(store)
