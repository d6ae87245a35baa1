"""Decks, slides and the decision log (research/present/decks.py) on a real workspace file."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from research.errors import ConflictError, ValidationError
from research.present import decks
from research.store import Store


def _audit(store: Store, batch_id: int | None = None) -> list[dict]:
    sql = "SELECT batch_id, actor, table_name, row_id, action FROM audit_log"
    if batch_id is None:
        return store.query_rows(sql + " ORDER BY id")
    return store.query_rows(sql + " WHERE batch_id = ? ORDER BY id", [batch_id])


def _deck_with_slides(store: Store, name: str = "Board meeting", n: int = 3) -> tuple[decks.Deck, list[decks.Slide]]:
    deck = decks.create_deck(store, "ana", name, "Quarterly")
    slides = [decks.add_text_slide(store, "ana", deck.id, title=f"Slide {i}", body=f"Body {i}") for i in range(1, n + 1)]
    return decks.get_deck(store, deck.id), slides


# ---- decks -------------------------------------------------------------------------------


def test_create_deck_is_audited_and_listed(store: Store) -> None:
    deck = decks.create_deck(store, "ana", "  Strategy Q4  ", "For the board")
    assert (deck.name, deck.description, deck.created_by, deck.version, deck.slide_count) == (
        "Strategy Q4", "For the board", "ana", 1, 0,
    )
    assert not deck.archived
    assert [d.id for d in decks.list_decks(store)] == [deck.id]
    assert [(r["actor"], r["table_name"], r["action"]) for r in _audit(store)] == [("ana", "decks", "insert")]


def test_deck_names_are_unique_case_insensitively(store: Store) -> None:
    first = decks.create_deck(store, "ana", "Strategy")
    with pytest.raises(ValidationError, match="already exists"):
        decks.create_deck(store, "ana", "STRATEGY")
    other = decks.create_deck(store, "ana", "Pricing")
    with pytest.raises(ValidationError, match="already exists"):
        decks.update_deck(store, "ana", other.id, other.version, name="strategy")
    with pytest.raises(ValidationError, match="already exists"):
        decks.duplicate_deck(store, "ana", first.id, "pricing")
    # Renaming a deck to another spelling of its own name is allowed.
    renamed = decks.update_deck(store, "ana", first.id, first.version, name="STRATEGY")
    assert renamed.name == "STRATEGY"
    assert len(decks.list_decks(store)) == 2


@pytest.mark.parametrize("name, message", [("", "deck name is empty"), ("   ", "deck name is empty"),
                                           ("x" * 121, "limit is 120")])
def test_bad_deck_names_are_refused_and_nothing_written(store: Store, name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        decks.create_deck(store, "ana", name)
    assert decks.list_decks(store, include_archived=True) == []
    assert _audit(store) == []


def test_description_limit(store: Store) -> None:
    with pytest.raises(ValidationError, match="deck description is 5,001 characters"):
        decks.create_deck(store, "ana", "Long", "d" * 5001)


def test_rename_describe_archive_and_stale_version(store: Store) -> None:
    deck = decks.create_deck(store, "ana", "Draft")
    renamed = decks.update_deck(store, "bo", deck.id, deck.version, name="Final", description="Ready")
    assert (renamed.name, renamed.description, renamed.version) == ("Final", "Ready", 2)
    with pytest.raises(ConflictError, match="changed by bo"):
        decks.update_deck(store, "ana", deck.id, deck.version, name="Mine")
    assert decks.get_deck(store, deck.id).name == "Final"
    archived = decks.update_deck(store, "ana", deck.id, renamed.version, archived=True)
    assert archived.archived
    assert decks.list_decks(store) == []
    assert [d.id for d in decks.list_decks(store, include_archived=True)] == [deck.id]


def test_find_deck_by_name_or_id(store: Store) -> None:
    deck = decks.create_deck(store, "ana", "Board Meeting")
    assert decks.find_deck(store, " board meeting ").id == deck.id
    assert decks.find_deck(store, str(deck.id)).id == deck.id
    with pytest.raises(ValidationError, match="No deck is called “Nope”. Decks: Board Meeting."):
        decks.find_deck(store, "Nope")
    with pytest.raises(ValidationError, match="does not exist"):
        decks.get_deck(store, 999)


def test_duplicate_copies_slides_but_not_decisions(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    decks.update_slide(store, "ana", slides[0].id, slides[0].version, notes="Say hello")
    decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"}, title="Share")
    decks.add_decision(store, "ana", deck.id, "Go", slide_id=slides[0].id)
    copy = decks.duplicate_deck(store, "bo", deck.id, "Board meeting (copy)")
    assert (copy.description, copy.slide_count, copy.created_by) == ("Quarterly", 4, "bo")
    copied = decks.list_slides(store, copy.id)
    original = decks.list_slides(store, deck.id)
    fields = lambda s: (s.position, s.kind, s.title, s.body, s.notes, s.view, s.params)  # noqa: E731
    assert [fields(s) for s in copied] == [fields(s) for s in original]
    assert {s.id for s in copied}.isdisjoint({s.id for s in original})
    assert copied[-1].params == {"dimension": "industry"}
    assert decks.list_decisions(store, deck_id=copy.id) == []
    assert len(decks.list_decisions(store, deck_id=deck.id)) == 1
    # One audited batch for the copy: the deck and its four slides.
    batch = _audit(store)[-1]["batch_id"]
    assert sorted(r["table_name"] for r in _audit(store, batch)) == ["deck_slides"] * 4 + ["decks"]


def test_delete_deck_removes_slides_and_decisions_in_one_audited_batch(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    keep, _ = _deck_with_slides(store, "Other deck", 1)
    decks.add_decision(store, "ana", deck.id, "Lower prices", slide_id=slides[1].id)
    decks.add_decision(store, "ana", deck.id, "Call Adria", kind="action", owner="Bo")
    deck = decks.get_deck(store, deck.id)
    batch = decks.delete_deck(store, "ana", deck.id, expected_version=deck.version)
    rows = _audit(store, batch)
    assert sorted((r["table_name"], r["action"]) for r in rows) == sorted(
        [("decisions", "delete")] * 2 + [("deck_slides", "delete")] * 3 + [("decks", "delete")]
    )
    assert {r["actor"] for r in rows} == {"ana"}
    assert store.query_value("SELECT count(*) FROM deck_slides WHERE deck_id = ?", [deck.id]) == 0
    assert store.query_value("SELECT count(*) FROM decisions WHERE deck_id = ?", [deck.id]) == 0
    assert [d.id for d in decks.list_decks(store)] == [keep.id]
    assert len(decks.list_slides(store, keep.id)) == 1


def test_delete_deck_with_a_stale_version_removes_nothing(store: Store) -> None:
    deck, _ = _deck_with_slides(store)
    decks.add_decision(store, "ana", deck.id, "Go")
    with pytest.raises(ConflictError):
        decks.delete_deck(store, "bo", deck.id, expected_version=1)  # the slides bumped it
    assert decks.get_deck(store, deck.id).slide_count == 3
    assert len(decks.list_decisions(store, deck_id=deck.id)) == 1


# ---- slides ------------------------------------------------------------------------------


def test_slides_append_in_order_and_bump_the_deck(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    assert [s.position for s in slides] == [1, 2, 3]
    assert decks.get_deck(store, deck.id).version == 4  # created, then three slides
    view = decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry", "day": dt.date(2026, 1, 2),
                                                                           "ids": (3, 1)}, title="", notes="n")
    assert (view.kind, view.view, view.position, view.title, view.notes) == ("view", "overview.share", 4, "", "n")
    assert view.params == {"dimension": "industry", "day": "2026-01-02", "ids": [3, 1]}  # frozen as JSON
    raw = store.query_value("SELECT params FROM deck_slides WHERE id = ?", [view.id])
    assert json.loads(raw)["dimension"] == "industry"
    title = decks.add_text_slide(store, "ana", deck.id, kind="title", title="Welcome")
    assert (title.kind, title.position) == ("title", 5)


def test_slide_validation(store: Store) -> None:
    deck = decks.create_deck(store, "ana", "D")
    with pytest.raises(ValidationError, match="slide title is empty"):
        decks.add_text_slide(store, "ana", deck.id, title="  ")
    with pytest.raises(ValidationError, match="text or title, not “view”"):
        decks.add_text_slide(store, "ana", deck.id, kind="view", title="x")
    with pytest.raises(ValidationError, match="slide title is 301 characters"):
        decks.add_text_slide(store, "ana", deck.id, title="t" * 301)
    with pytest.raises(ValidationError, match="slide text is 5,001"):
        decks.add_text_slide(store, "ana", deck.id, title="t", body="b" * 5001)
    with pytest.raises(ValidationError, match="speaker notes is 5,001"):
        decks.add_view_slide(store, "ana", deck.id, "overview.share", {}, title="", notes="n" * 5001)
    with pytest.raises(ValidationError, match="view id is empty"):
        decks.add_view_slide(store, "ana", deck.id, "", {}, title="x")
    with pytest.raises(ValidationError, match="cannot be saved with the slide"):
        decks.add_view_slide(store, "ana", deck.id, "overview.share", {"x": object()}, title="x")
    with pytest.raises(ValidationError, match="Deck 999 does not exist"):
        decks.add_text_slide(store, "ana", 999, title="Orphan")
    assert decks.list_slides(store, deck.id) == []
    assert store.query_value("SELECT count(*) FROM deck_slides") == 0
    # Limits are inclusive.
    assert decks.add_text_slide(store, "ana", deck.id, title="t" * 300, body="b" * 5000).title == "t" * 300


def test_update_slide_title_body_notes_with_versions(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    s = slides[0]
    edited = decks.update_slide(store, "ana", s.id, s.version, title=" New ", body="Text", notes="Notes")
    assert (edited.title, edited.body, edited.notes, edited.version) == ("New", "Text", "Notes", 2)
    with pytest.raises(ConflictError, match="changed by ana"):
        decks.update_slide(store, "bo", s.id, s.version, title="Stale")
    with pytest.raises(ValidationError, match="slide title is empty"):
        decks.update_slide(store, "ana", s.id, edited.version, title="")
    # A view slide may have an empty title (the view's own title shows).
    view = decks.add_view_slide(store, "ana", deck.id, "overview.share", {}, title="Share")
    assert decks.update_slide(store, "ana", view.id, view.version, title="").title == ""
    assert decks.get_slide(store, s.id).title == "New"


def test_move_and_reorder_slides(store: Store) -> None:
    deck, (a, b, c) = _deck_with_slides(store)
    order = lambda: [s.id for s in decks.list_slides(store, deck.id)]  # noqa: E731
    decks.move_slide(store, "ana", c.id, -1)
    assert order() == [a.id, c.id, b.id]
    decks.move_slide(store, "ana", a.id, 5)  # clamped to the end
    assert order() == [c.id, b.id, a.id]
    assert [s.position for s in decks.list_slides(store, deck.id)] == [1, 2, 3]
    before = len(_audit(store))
    decks.move_slide(store, "ana", c.id, -1)  # already first: nothing written
    assert len(_audit(store)) == before
    decks.reorder_slides(store, "ana", deck.id, [a.id, b.id, c.id])
    assert order() == [a.id, b.id, c.id]
    with pytest.raises(ConflictError, match="changed while you were reordering"):
        decks.reorder_slides(store, "ana", deck.id, [a.id, b.id])
    with pytest.raises(ConflictError):
        decks.reorder_slides(store, "ana", deck.id, [a.id, b.id, c.id, 999])


def test_delete_slide_keeps_order_and_refuses_stale(store: Store) -> None:
    deck, (a, b, c) = _deck_with_slides(store)
    edited = decks.update_slide(store, "ana", b.id, b.version, title="B2")
    with pytest.raises(ConflictError):
        decks.delete_slide(store, "bo", b.id, expected_version=b.version)
    decks.delete_slide(store, "bo", b.id, expected_version=edited.version)
    assert [s.id for s in decks.list_slides(store, deck.id)] == [a.id, c.id]
    with pytest.raises(ValidationError, match="does not exist"):
        decks.get_slide(store, b.id)
    # Moving still works across the gap the deleted slide left.
    decks.move_slide(store, "ana", c.id, -1)
    assert [s.id for s in decks.list_slides(store, deck.id)] == [c.id, a.id]
    # The next slide goes to the end.
    assert decks.add_text_slide(store, "ana", deck.id, title="D").position == 3


# ---- decisions ---------------------------------------------------------------------------


def test_decisions_crud(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    d = decks.add_decision(store, "ana", deck.id, "  Enter the pharma segment ", owner=" Marko ", due_date="2026-12-31",
                           slide_id=slides[1].id, competitor_id=3, segment_id=7)
    assert (d.text, d.kind, d.owner, d.due_date, d.status) == ("Enter the pharma segment", "decision", "Marko",
                                                              dt.date(2026, 12, 31), "open")
    assert (d.slide_id, d.competitor_id, d.segment_id, d.created_by, d.version) == (slides[1].id, 3, 7, "ana", 1)
    action = decks.add_decision(store, "ana", deck.id, "Call Adria", kind="action", owner="", due_date=dt.date(2027, 1, 5))
    assert (action.owner, action.slide_id, action.due_date) == (None, None, dt.date(2027, 1, 5))
    edited = decks.update_decision(store, "bo", d.id, d.version, text="Enter pharma", kind="action", owner="Ana",
                                   due_date="", status="done")
    assert (edited.text, edited.kind, edited.owner, edited.due_date, edited.status, edited.version) == (
        "Enter pharma", "action", "Ana", None, "done", 2)
    with pytest.raises(ConflictError, match="changed by bo"):
        decks.update_decision(store, "ana", d.id, d.version, text="Stale", kind="decision", owner=None, due_date=None,
                              status="open")
    assert [x.id for x in decks.list_decisions(store, deck_id=deck.id)] == [d.id, action.id]
    with pytest.raises(ConflictError):
        decks.delete_decision(store, "ana", d.id, expected_version=d.version)
    decks.delete_decision(store, "ana", d.id, expected_version=edited.version)
    assert [x.id for x in decks.list_decisions(store, deck_id=deck.id)] == [action.id]
    with pytest.raises(ValidationError, match="does not exist"):
        decks.get_decision(store, d.id)


@pytest.mark.parametrize("kwargs, message", [
    ({"text": ""}, "decision text is empty"),
    ({"text": "x" * 2001}, "decision text is 2,001"),
    ({"kind": "idea"}, "decision or an action item, not “idea”"),
    ({"due_date": "31.12.2026"}, "due date “31.12.2026” is not a date"),
    ({"due_date": "2026-02-30"}, "is not a date"),
    ({"owner": "o" * 121}, "owner is 121"),
])
def test_decision_validation_writes_nothing(store: Store, kwargs: dict, message: str) -> None:
    deck = decks.create_deck(store, "ana", "D")
    values = {"text": "Go", **kwargs}
    text = values.pop("text")
    with pytest.raises(ValidationError, match=message):
        decks.add_decision(store, "ana", deck.id, text, **values)
    assert decks.list_decisions(store) == []


def test_decision_status_must_be_known_and_deck_must_exist(store: Store) -> None:
    deck = decks.create_deck(store, "ana", "D")
    d = decks.add_decision(store, "ana", deck.id, "Go")
    with pytest.raises(ValidationError, match="open, done or dropped, not “closed”"):
        decks.update_decision(store, "ana", d.id, d.version, text="Go", kind="decision", owner=None, due_date=None,
                              status="closed")
    assert decks.get_decision(store, d.id).status == "open"
    with pytest.raises(ValidationError, match="decks row 999, which does not exist"):
        decks.add_decision(store, "ana", 999, "Orphan")


def test_list_decisions_by_deck_and_period(store: Store) -> None:
    one = decks.create_deck(store, "ana", "One")
    two = decks.create_deck(store, "ana", "Two")
    a = decks.add_decision(store, "ana", one.id, "A")
    b = decks.add_decision(store, "ana", two.id, "B")
    store_ids = lambda **kw: [d.id for d in decks.list_decisions(store, **kw)]  # noqa: E731
    assert store_ids() == [a.id, b.id]
    assert store_ids(deck_id=two.id) == [b.id]
    today = a.created_at.date()
    assert store_ids(since=today, until=today + dt.timedelta(days=1)) == [a.id, b.id]
    assert store_ids(since=today + dt.timedelta(days=1)) == []
    assert store_ids(until=today) == []


def test_a_decision_outlives_its_slide(store: Store) -> None:
    deck, slides = _deck_with_slides(store)
    d = decks.add_decision(store, "ana", deck.id, "Go", slide_id=slides[0].id)
    decks.delete_slide(store, "ana", slides[0].id)
    assert decks.get_decision(store, d.id).slide_id == slides[0].id  # a soft link: kept, shown as gone
