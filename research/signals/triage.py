"""Triage: a person turns signals into SWOT evidence — accept (a new item), attach (fresh evidence for an
existing item) or dismiss (with a reason). Each is one audited transaction that changes the SWOT and
the signal together; bulk accept and dismiss take many signals in one transaction (all or none).

A signal is triaged once: a second accept, attach or dismiss is refused naming what it became.
SWOT items are written by research/competitors/swot.py inside the signal's transaction
(`swot.add_item_in`, `swot.update_item_in`): one write path with one set of checks for the item
form and triage alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from research.access import Actor
from research.competitors import swot
from research.competitors import validation as v
from research.errors import ValidationError
from research.i18n import keyed_error
from research.signals import drafts
from research.signals.records import Signal, get_signal, list_signals, signal_ids
from research.signals.rules import DRAFT_TERMS, draft_impact
from research.store import Store, Transaction

MAX_REASON = 400


@dataclass(frozen=True)
class Triaged:
    signal_id: int
    status: str
    item_id: int | None


def _refuse_decided(tx: Transaction, signal: Signal) -> None:
    """Refuse a signal that is no longer new, naming what it became (read inside the transaction)."""
    row = tx.execute(
        "SELECT s.status, s.item_id, i.statement, s.decided_by, s.decided_at, s.dismiss_reason "
        "FROM signals s LEFT JOIN swot_items i ON i.id = s.item_id WHERE s.id = ?", [signal.id],
    ).fetchone()
    if row is None:
        raise keyed_error(ValidationError, "signals.error.no_signal", id=signal.id)
    status, item_id, item_statement, who, when, reason = row
    if status == "new":
        return
    on = when.date().isoformat() if when else "?"
    if status == "dismissed":
        raise keyed_error(ValidationError, "signals.error.already_dismissed", id=signal.id, who=who or "?", date=on,
                          reason=reason or "")
    raise keyed_error(ValidationError, f"signals.error.already_{status}", id=signal.id, item=item_id,
                      statement=(item_statement or "")[:120], who=who or "?", date=on)


def _evidence_date(signal: Signal, today: dt.date) -> dt.date:
    # An event stamped after `today` (a clock ahead, a test's fixed day) counts as seen today.
    return min(signal.occurred_on, today)


def _evidence(signal: Signal, lang: str) -> tuple[str | None, str | None]:
    """(source URL, source note) of an item made or refreshed from the signal.

    The note is what was seen in one line, cut to the SWOT's limit for a source note (a long page
    address or field value would otherwise make an item its own edit form refuses); the signal
    keeps the whole evidence.
    """
    try:
        url = v.url(signal.source_url)
    except ValidationError:  # a price's source may be a note, not an address
        url = None
    note = v.clean_text(drafts.evidence_line(signal, lang))
    if len(note) > swot.MAX_SOURCE_NOTE:
        note = note[: swot.MAX_SOURCE_NOTE - 1].rstrip() + "…"
    return url, note or None


def _decided(tx: Transaction, signal: Signal, status: str, **values: Any) -> None:
    tx.update("signals", signal.id, {"status": status, "decided_by": tx.actor, "decided_at": dt.datetime.now(), **values},
              expected_version=signal.version)


def _accept_one(tx: Transaction, signal: Signal, *, quadrant: str | None, statement: str | None,
                company_id: int | None, lang: str, today: dt.date) -> int:
    _refuse_decided(tx, signal)
    if signal.kind == "stale_item":
        raise keyed_error(ValidationError, "signals.error.stale_accept", id=signal.id,
                          item=signal.evidence.get("item_id"))
    company = company_id if company_id is not None else signal.company_id
    if company is None:
        raise keyed_error(ValidationError, "signals.error.no_company", id=signal.id)
    terms = DRAFT_TERMS[signal.kind]
    url, note = _evidence(signal, lang)
    item_id = swot.add_item_in(
        tx, company,
        quadrant=quadrant if quadrant is not None else signal.draft_quadrant,
        statement=statement if statement is not None else drafts.statement(signal, lang),
        impact=draft_impact(signal.kind, signal.evidence.get("pct")),
        confidence=terms.confidence, tags=terms.tags, source_url=url, source_note=note,
        observed_on=_evidence_date(signal, today), today=today,
    )
    _decided(tx, signal, "accepted", item_id=item_id)
    return item_id


def accept(
    store: Store,
    actor: Actor,
    signal_id: int,
    *,
    quadrant: str | None = None,
    statement: str | None = None,
    company_id: int | None = None,
    lang: str = "en",
    today: dt.date | None = None,
) -> Triaged:
    """Make the signal a new SWOT item (its draft, or the quadrant, statement and company given), with
    the signal's source and date as the item's evidence. Refused when the signal was triaged already."""
    today = today or dt.date.today()
    signal = get_signal(store, signal_id)
    with store.transaction(actor) as tx:
        item_id = _accept_one(tx, signal, quadrant=quadrant, statement=statement, company_id=company_id, lang=lang,
                              today=today)
    return Triaged(signal.id, "accepted", item_id)


def _chosen(store: Store, ids: Sequence[Any]) -> list[Signal]:
    wanted = signal_ids(ids)
    found = {s.id: s for s in list_signals(store, ids=wanted, limit=len(wanted))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise keyed_error(ValidationError, "signals.error.no_signal", id=", ".join(map(str, missing)))
    return [found[i] for i in wanted]


def accept_many(store: Store, actor: Actor, ids: Sequence[Any], *, lang: str = "en",
                today: dt.date | None = None) -> list[Triaged]:
    """Accept several signals as drafted, in one transaction: all become items, or none when one is refused."""
    today = today or dt.date.today()
    signals = _chosen(store, ids)
    with store.transaction(actor) as tx:
        made = [_accept_one(tx, s, quadrant=None, statement=None, company_id=None, lang=lang, today=today)
                for s in signals]
    return [Triaged(s.id, "accepted", item) for s, item in zip(signals, made)]


def attach(store: Store, actor: Actor, signal_id: int, item_id: int, *, lang: str = "en",
           today: dt.date | None = None) -> Triaged:
    """Attach the signal to an existing item of the same company as fresh evidence.

    The item's observed-on date moves to the signal's date when that is newer (for a stale-item
    signal: to today — a person confirmed it still holds), which clears its staleness; a new event's
    source address and a line of what was seen replace the item's evidence (the audit log keeps the
    earlier one).
    """
    today = today or dt.date.today()
    signal = get_signal(store, signal_id)
    with store.transaction(actor) as tx:
        _refuse_decided(tx, signal)
        row = tx.execute(
            "SELECT company_id, archived, observed_on, version FROM swot_items WHERE id = ?", [item_id],
        ).fetchone()
        if row is None:
            raise keyed_error(ValidationError, "competitors.error.no_item", id=item_id)
        item_company, archived, observed_on, version = row
        swot.check_private(tx, actor, item_id)  # before saying anything else about someone's private item
        if archived:
            raise keyed_error(ValidationError, "signals.error.item_archived", item=item_id)
        if signal.company_id is not None and item_company != signal.company_id:
            other = tx.execute("SELECT name FROM companies WHERE id = ?", [item_company]).fetchone()
            raise keyed_error(ValidationError, "signals.error.item_company", id=signal.id, item=item_id,
                              item_company=other[0] if other else "?", company=signal.company or "?")
        if signal.kind == "stale_item":
            changes: dict[str, Any] = {"observed_on": today}
        else:
            seen = _evidence_date(signal, today)
            url, note = _evidence(signal, lang)
            changes = {"source_url": url, "source_note": note}
            if observed_on is None or seen > observed_on:
                changes["observed_on"] = seen
        swot.update_item_in(tx, actor, item_id, version, today=today, **changes)
        _decided(tx, signal, "attached", item_id=item_id)
    return Triaged(signal.id, "attached", item_id)


def dismiss(store: Store, actor: Actor, ids: Sequence[Any], reason: str) -> list[Triaged]:
    """Dismiss one or many signals with a reason, in one transaction (all or none); the SWOT is untouched."""
    text = v.clean_text(reason)
    if not text:
        raise keyed_error(ValidationError, "signals.error.reason_empty")
    if len(text) > MAX_REASON:
        raise keyed_error(ValidationError, "signals.error.reason_long", length=f"{len(text):,}", max=MAX_REASON)
    signals = _chosen(store, ids)
    with store.transaction(actor) as tx:
        for signal in signals:
            _refuse_decided(tx, signal)
            _decided(tx, signal, "dismissed", dismiss_reason=text)
    return [Triaged(s.id, "dismissed", None) for s in signals]
