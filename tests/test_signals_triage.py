"""Triage of signals (issue 20 item 3): accept, attach and dismiss change the SWOT and the audit log as
described, one transaction each; a second triage is refused naming what the signal became; nothing
reaches the SWOT without a person's action; viewers are refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from research.access import PermissionDenied, signed_in
from research.competitors import swot
from research.competitors.validation import clean_text
from research.errors import ValidationError
from research.signals import drafts, records, triage
from research.signals.generate import generate_signals
from research.store import Store

TODAY = dt.date(2026, 11, 2)  # the demo's today: its month of events ends here


@pytest.fixture
def ws(demo_copy: Path) -> Iterator[Store]:
    store = Store.open(str(demo_copy))
    generate_signals(store, "demo", today=TODAY)
    yield store
    store.close()


def last_batch(store: Store) -> list[tuple[str, str, str]]:
    return [(r["actor"], r["table_name"], r["action"]) for r in store.query_rows(
        "SELECT actor, table_name, action FROM audit_log WHERE batch_id = (SELECT max(batch_id) FROM audit_log) ORDER BY id")]


def swot_count(store: Store) -> int:
    return int(store.query_value("SELECT count(*) FROM swot_items"))


def first(store: Store, kind: str, **filters: object) -> records.Signal:
    return records.list_signals(store, kind=kind, status="new", **filters)[-1]


def test_generation_writes_nothing_to_the_swot(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        before = store.query_rows("SELECT * FROM swot_items ORDER BY id")
        assert generate_signals(store, "demo", today=TODAY).total == 50
        assert store.query_rows("SELECT * FROM swot_items ORDER BY id") == before
        assert last_batch(store) == [("demo", "signals", "insert")] * 50
    finally:
        store.close()


def test_accept_makes_a_dated_sourced_swot_item_in_one_audited_transaction(ws: Store) -> None:
    signal = first(ws, "price_move")
    before = swot_count(ws)
    done = triage.accept(ws, "ana", signal.id, today=TODAY)
    assert swot_count(ws) == before + 1
    item = swot.get_item(ws, done.item_id, today=TODAY)
    assert (item.company_id, item.quadrant, item.statement) == (signal.company_id, signal.draft_quadrant,
                                                                drafts.statement(signal, "en"))
    assert item.source_url == signal.source_url and item.source_url.startswith("https://")
    assert item.observed_on == signal.occurred_on and not item.stale
    assert item.source_note == drafts.evidence_line(signal, "en")
    assert item.confidence == "high" and item.tags == ("price",) and item.author == "ana"
    after = records.get_signal(ws, signal.id)
    assert (after.status, after.item_id, after.decided_by) == ("accepted", done.item_id, "ana")
    assert last_batch(ws) == [("ana", "swot_items", "insert"), ("ana", "signals", "update")]

    with pytest.raises(ValidationError, match=f"Signal {signal.id} was already accepted by ana on .*: it became SWOT "
                                              f"item {done.item_id} "):
        triage.accept(ws, "ana", signal.id, today=TODAY)
    with pytest.raises(ValidationError, match=f"already accepted .* SWOT item {done.item_id} "):
        triage.dismiss(ws, "ana", [signal.id], "duplicate")
    assert swot_count(ws) == before + 1


def test_accept_takes_an_edited_draft_in_the_viewers_language_and_refuses_bad_edits(ws: Store) -> None:
    signal = first(ws, "lost_deal")
    before = swot_count(ws)
    for changes, message in (({"quadrant": "X"}, "Unknown SWOT quadrant 'X'"),
                             ({"statement": "   "}, "statement is empty"),
                             ({"company_id": 99_999}, "99999")):
        with pytest.raises(ValidationError, match=message):
            triage.accept(ws, "ana", signal.id, today=TODAY, **changes)
    assert swot_count(ws) == before and records.get_signal(ws, signal.id).status == "new"

    done = triage.accept(ws, "ana", signal.id, quadrant="w", lang="sr", today=TODAY)
    item = swot.get_item(ws, done.item_id, today=TODAY)
    assert item.quadrant == "W" and item.statement == clean_text(drafts.statement(signal, "sr"))
    assert item.statement.startswith("Изгубили смо посао са купцем") and item.source_url is None
    assert item.tags == ("deals",) and item.impact == 4

    other = records.list_signals(ws, kind="lost_deal", status="new")[0]
    done = triage.accept(ws, "ana", other.id, statement="Lost on lead time, not price", today=TODAY)
    assert swot.get_item(ws, done.item_id).statement == "Lost on lead time, not price"


def test_accept_writes_through_the_swot_checks_so_the_items_form_can_save_it_again(ws: Store) -> None:
    # Triage used to write items with checks of its own: a source note of up to 2,000 characters
    # where the SWOT (and its edit form) allow 400, so the item could not be saved from its form.
    signal = first(ws, "lost_deal")
    with ws.transaction("ana") as tx:
        tx.update("signals", signal.id, {"evidence": json.dumps({**signal.evidence, "account": "Account " * 80})},
                  expected_version=signal.version)
    signal = records.get_signal(ws, signal.id)
    line = drafts.evidence_line(signal, "en")
    assert len(line) > swot.MAX_SOURCE_NOTE
    item = swot.get_item(ws, triage.accept(ws, "ana", signal.id, today=TODAY).item_id, today=TODAY)
    assert item.source_note is not None and len(item.source_note) <= swot.MAX_SOURCE_NOTE
    assert item.source_note.endswith("…") and line.startswith(item.source_note[:-1])
    form = {"quadrant": item.quadrant, "statement": item.statement, "impact": item.impact,
            "confidence": item.confidence, "source_url": item.source_url or "", "source_note": item.source_note,
            "observed_on": item.observed_on, "tags": ", ".join(item.tags), "private": item.private}
    saved = swot.update_item(ws, "ana", item.id, item.version, today=TODAY, **form)
    assert (saved.source_note, saved.version) == (item.source_note, item.version + 1)


def test_attach_refreshes_a_stale_item_and_clears_its_staleness(ws: Store) -> None:
    signal = first(ws, "stale_item")
    item_id = signal.evidence["item_id"]
    stale = swot.get_item(ws, item_id, today=TODAY)
    assert stale.stale and stale.company_id == signal.company_id
    with pytest.raises(ValidationError, match=f"says SWOT item {item_id} is stale: attach it"):
        triage.accept(ws, "ana", signal.id, today=TODAY)

    triage.attach(ws, "ana", signal.id, item_id, today=TODAY)
    fresh = swot.get_item(ws, item_id, today=TODAY)
    assert not fresh.stale and fresh.observed_on == TODAY
    assert (fresh.statement, fresh.source_url) == (stale.statement, stale.source_url)  # the evidence is confirmed
    assert last_batch(ws) == [("ana", "swot_items", "update"), ("ana", "signals", "update")]
    assert records.get_signal(ws, signal.id).status == "attached"
    with pytest.raises(ValidationError, match=f"already attached to SWOT item {item_id} "):
        triage.attach(ws, "ana", signal.id, item_id, today=TODAY)


def test_attach_a_new_event_replaces_the_evidence_of_an_item_of_the_same_company(ws: Store) -> None:
    signal = first(ws, "price_move")
    items = swot.list_items(ws, signal.company_id, today=TODAY)
    target = items[0]
    triage.attach(ws, "ana", signal.id, target.id, today=TODAY)
    item = swot.get_item(ws, target.id, today=TODAY)
    assert item.source_url == signal.source_url and item.source_note == drafts.evidence_line(signal, "en")
    assert item.observed_on == max(signal.occurred_on, target.observed_on or signal.occurred_on)
    assert item.statement == target.statement and item.quadrant == target.quadrant

    other = next(s for s in records.list_signals(ws, kind="lost_deal", status="new") if not s.is_us)
    ours = ws.query_value("SELECT id FROM companies WHERE is_us")
    foreign = swot.list_items(ws, ours, today=TODAY)[0]
    with pytest.raises(ValidationError, match=f"SWOT item {foreign.id} belongs to .*attach the signal to an item of"):
        triage.attach(ws, "ana", other.id, foreign.id, today=TODAY)
    mine = swot.list_items(ws, other.company_id, today=TODAY)[0]
    swot.set_item_archived(ws, "ana", mine.id, mine.version)
    with pytest.raises(ValidationError, match=f"SWOT item {mine.id} is archived"):
        triage.attach(ws, "ana", other.id, mine.id, today=TODAY)
    assert records.get_signal(ws, other.id).status == "new"


def test_dismiss_needs_a_reason_takes_many_and_leaves_the_swot_alone(ws: Store) -> None:
    chosen = [s.id for s in records.list_signals(ws, kind="lost_deal", status="new")[:3]]
    swot_before = ws.query_rows("SELECT * FROM swot_items ORDER BY id")
    for reason, message in (("  ", "the reason is empty"), ("x" * 401, "401 characters")):
        with pytest.raises(ValidationError, match=message):
            triage.dismiss(ws, "ana", chosen, reason)
    with pytest.raises(ValidationError, match="There is no signal 99999"):
        triage.dismiss(ws, "ana", [*chosen, 99_999], "noise")
    assert records.status_counts(ws)["dismissed"] == 0

    triage.dismiss(ws, "ana", chosen, "Known: the tender went to the lowest bid")
    assert last_batch(ws) == [("ana", "signals", "update")] * 3
    assert all(s.status == "dismissed" and s.dismiss_reason == "Known: the tender went to the lowest bid"
               for s in records.list_signals(ws, ids=chosen))
    assert ws.query_rows("SELECT * FROM swot_items ORDER BY id") == swot_before
    with pytest.raises(ValidationError, match=f"Signal {chosen[0]} was already dismissed by ana on .*: Known"):
        triage.dismiss(ws, "ana", chosen[:1], "again")


def test_bulk_accept_is_all_or_nothing(ws: Store) -> None:
    moves = [s.id for s in records.list_signals(ws, kind="price_move", status="new")]
    stale = first(ws, "stale_item")
    before = swot_count(ws)
    with pytest.raises(ValidationError, match=f"Signal {stale.id} says SWOT item"):
        triage.accept_many(ws, "ana", [*moves, stale.id], today=TODAY)
    assert swot_count(ws) == before and records.status_counts(ws)["accepted"] == 0
    done = triage.accept_many(ws, "ana", moves, today=TODAY)
    assert [d.signal_id for d in done] == moves and swot_count(ws) == before + len(moves)
    assert {r[1:] for r in last_batch(ws)} == {("swot_items", "insert"), ("signals", "update")}


def test_viewers_may_not_triage_or_refresh(ws: Store) -> None:
    viewer = signed_in("viewer@example.com", "viewer")
    signal = first(ws, "price_move")
    before = ws.query_value("SELECT count(*) FROM audit_log")
    for act in (lambda: triage.accept(ws, viewer, signal.id, today=TODAY),
                lambda: triage.dismiss(ws, viewer, [signal.id], "no"),
                lambda: generate_signals(ws, viewer, today=TODAY + dt.timedelta(days=1))):
        with pytest.raises(PermissionDenied):
            act()
    assert ws.query_value("SELECT count(*) FROM audit_log") == before
    assert records.get_signal(ws, signal.id).status == "new"


def test_a_company_with_signals_cannot_be_deleted_and_says_what_refers_to_it(ws: Store) -> None:
    with ws.transaction("ana") as tx:
        newco = tx.insert("companies", {"name": "Newco"})
        account = ws.query_value("SELECT min(id) FROM accounts")
        deal = tx.insert("deals", {"account_id": account, "outcome": "lost", "competitor_id": newco["id"],
                                   "closed_on": TODAY})
    assert generate_signals(ws, "demo", today=TODAY).added == {"lost_deal": 1}
    with ws.transaction("ana") as tx:
        tx.delete("deals", deal["id"])
    refused = f"companies row {newco['id']} cannot be removed: 1 signals rows refer to it"
    with pytest.raises(ValidationError, match=refused), ws.transaction("ana") as tx:
        tx.delete("companies", newco["id"])
    assert ws.query_value("SELECT count(*) FROM companies WHERE id = ?", [newco["id"]]) == 1


def test_the_demo_month_of_signals_has_every_status(demo_copy: Path) -> None:
    from research.signals.demo import DEMO_DISMISS_REASON, fill_demo_inbox

    with Store.open(str(demo_copy)) as store:
        counts = fill_demo_inbox(store, "demo", today=TODAY)
        assert counts == {"new": 46, "accepted": 1, "attached": 1, "dismissed": 2}
        assert generate_signals(store, "demo", today=TODAY).total == 0
        dismissed = records.list_signals(store, status="dismissed")
        assert {s.dismiss_reason for s in dismissed} == {DEMO_DISMISS_REASON}
        table = drafts.company_counts_table(records.counts_by_company(store), "sr", competitors_only=True)
        assert list(table.columns) == ["Компанија", "Ново", "Прихваћено", "Придружено", "Одбачено", "Укупно"]
        assert table["Укупно"].sum() == 50 - int(records.counts_by_company(store).query("is_us")["total"].sum())
