"""Named decks (storyboards) of slides and the decision log, stored in the workspace.

A deck holds ordered slides. A view slide remembers which registered view it shows
and the exact filter and parameter state it was added with (JSON); text and title
slides hold their own text. Decisions and action items are recorded against a deck,
and softly against the slide, competitor and segment on screen when they were taken.
Every change goes through one audited store transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from research.access import Actor, actor_name
from research.errors import ConflictError, ValidationError
from research.i18n import LANGUAGES, keyed_error, t
from research.present.model import DecisionKind, DecisionStatus, SlideKind
from research.store import Store, Transaction

NAME_MAX = 120
TITLE_MAX = 300
TEXT_MAX = 5000
DECISION_MAX = 2000


@dataclass(frozen=True)
class Deck:
    id: int
    name: str
    description: str
    archived: bool
    created_by: str | None
    version: int
    updated_at: dt.datetime
    slide_count: int = 0


@dataclass(frozen=True)
class Slide:
    id: int
    deck_id: int
    position: int
    kind: SlideKind
    title: str
    body: str
    notes: str
    view: str | None
    params: dict[str, Any]
    version: int


@dataclass(frozen=True)
class Decision:
    id: int
    deck_id: int
    slide_id: int | None
    kind: DecisionKind
    text: str
    owner: str | None
    due_date: dt.date | None
    status: DecisionStatus
    competitor_id: int | None
    segment_id: int | None
    created_by: str | None
    created_at: dt.datetime
    version: int


# ---- validation --------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """`value` as stripped text; `field` names it in the messages (decks.error.empty.<field>, …too_long.<field>)."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise keyed_error(ValidationError, f"decks.error.empty.{field}")
    if len(text) > limit:
        raise keyed_error(ValidationError, f"decks.error.too_long.{field}", length=len(text), limit=limit)
    return text


def _params_json(params: Mapping[str, Any] | None) -> str:
    try:
        return json.dumps(dict(params or {}), sort_keys=True, default=_json_default)
    except (TypeError, ValueError) as e:
        raise keyed_error(ValidationError, "decks.error.params", reason=str(e)) from e


def plain_title(title: str) -> str:
    """A title compared loosely: spaces collapsed, case folded, our company's "(us)" mark left out
    (a page's default title names our company without it, the slide's view with it)."""
    text = " ".join(str(title or "").split())
    for lang in LANGUAGES:
        suffix = t("chart.us_suffix", lang).strip()
        text = text.replace(suffix, "")
    return " ".join(text.split()).casefold()


def stored_title(typed: str, default: str) -> str:
    """What a view slide stores as its title: "" (automatic: the view's own title, drawn in each
    viewer's language) when the typed title is the view's default, else the typed title."""
    typed = (typed or "").strip()
    return "" if not typed or plain_title(typed) == plain_title(default) else typed


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _params(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---- decks -------------------------------------------------------------------------------


def _deck(row: Mapping[str, Any]) -> Deck:
    return Deck(
        id=int(row["id"]),
        name=row["name"],
        description=row.get("description") or "",
        archived=bool(row["archived"]),
        created_by=row.get("created_by"),
        version=int(row["version"]),
        updated_at=row["updated_at"],
        slide_count=int(row.get("slide_count") or 0),
    )


_DECKS_SQL = """
    SELECT d.*, (SELECT count(*) FROM deck_slides s WHERE s.deck_id = d.id) AS slide_count
    FROM decks d
"""


def list_decks(store: Store, *, include_archived: bool = False) -> list[Deck]:
    where = "" if include_archived else " WHERE NOT d.archived"
    return [_deck(r) for r in store.query_rows(_DECKS_SQL + where + " ORDER BY lower(d.name), d.id")]


def get_deck(store: Store, deck_id: int) -> Deck:
    rows = store.query_rows(_DECKS_SQL + " WHERE d.id = ?", [deck_id])
    if not rows:
        raise keyed_error(ValidationError, "decks.error.no_deck", deck_id=deck_id)
    return _deck(rows[0])


def find_deck(store: Store, name: str) -> Deck:
    """A deck by name (case-insensitive), else by numeric id; a clear error when neither matches."""
    wanted = (name or "").strip()
    rows = store.query_rows(_DECKS_SQL + " WHERE lower(d.name) = lower(?)", [wanted])
    if not rows and wanted.isdigit():
        rows = store.query_rows(_DECKS_SQL + " WHERE d.id = ?", [int(wanted)])
    if not rows:
        names = ", ".join(d.name for d in list_decks(store))
        if not names:
            raise keyed_error(ValidationError, "decks.error.not_found_none", name=wanted)
        raise keyed_error(ValidationError, "decks.error.not_found", name=wanted, names=names)
    return _deck(rows[0])


def _check_unique(tx: Transaction, name: str, deck_id: int | None = None) -> None:
    clash = tx.execute(
        "SELECT id FROM decks WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?", [name, deck_id]
    ).fetchone()
    if clash:
        raise keyed_error(ValidationError, "decks.error.name_taken", name=name)


def create_deck(store: Store, actor: Actor, name: str, description: str = "") -> Deck:
    name = _text(name, "deck_name", NAME_MAX, required=True)
    description = _text(description, "deck_description", TEXT_MAX)
    with store.transaction(actor) as tx:
        _check_unique(tx, name)
        row = tx.insert("decks", {"name": name, "description": description, "created_by": actor_name(actor)})
    return get_deck(store, int(row["id"]))


def update_deck(
    store: Store, actor: Actor, deck_id: int, expected_version: int, *, name: str | None = None,
    description: str | None = None, archived: bool | None = None,
) -> Deck:
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _text(name, "deck_name", NAME_MAX, required=True)
    if description is not None:
        changes["description"] = _text(description, "deck_description", TEXT_MAX)
    if archived is not None:
        changes["archived"] = bool(archived)
    with store.transaction(actor) as tx:
        if "name" in changes:
            _check_unique(tx, changes["name"], deck_id)
        tx.update("decks", deck_id, changes, expected_version=expected_version)
    return get_deck(store, deck_id)


def duplicate_deck(store: Store, actor: Actor, deck_id: int, name: str) -> Deck:
    """A copy of the deck's slides under a new name (decisions stay with the original)."""
    name = _text(name, "deck_name", NAME_MAX, required=True)
    source = get_deck(store, deck_id)
    with store.transaction(actor) as tx:
        _check_unique(tx, name)
        row = tx.insert("decks", {"name": name, "description": source.description, "created_by": actor_name(actor)})
        for slide in list_slides(store, deck_id):
            tx.insert("deck_slides", {
                "deck_id": row["id"], "position": slide.position, "kind": slide.kind, "title": slide.title,
                "body": slide.body, "notes": slide.notes, "view": slide.view, "params": _params_json(slide.params),
            })
    return get_deck(store, int(row["id"]))


def delete_deck(store: Store, actor: Actor, deck_id: int, expected_version: int | None = None) -> int:
    """Remove a deck with its slides and decisions in one transaction; returns the audit batch id."""
    with store.transaction(actor) as tx:
        for (decision_id,) in tx.execute("SELECT id FROM decisions WHERE deck_id = ?", [deck_id]).fetchall():
            tx.delete("decisions", decision_id)
        for (slide_id,) in tx.execute("SELECT id FROM deck_slides WHERE deck_id = ?", [deck_id]).fetchall():
            tx.delete("deck_slides", slide_id)
        # The slide it was presented at (research/present/session.py, migration 0015).
        for (session_id,) in tx.execute("SELECT id FROM deck_sessions WHERE deck_id = ?", [deck_id]).fetchall():
            tx.delete("deck_sessions", session_id)
        tx.delete("decks", deck_id, expected_version=expected_version)
        return tx.batch_id


# ---- slides ------------------------------------------------------------------------------


def _slide(row: Mapping[str, Any]) -> Slide:
    return Slide(
        id=int(row["id"]), deck_id=int(row["deck_id"]), position=int(row["position"]), kind=SlideKind(row["kind"]),
        title=row["title"] or "", body=row["body"] or "", notes=row["notes"] or "", view=row.get("view"),
        params=_params(row.get("params")), version=int(row["version"]),
    )


def list_slides(store: Store, deck_id: int) -> list[Slide]:
    rows = store.query_rows("SELECT * FROM deck_slides WHERE deck_id = ? ORDER BY position, id", [deck_id])
    return [_slide(r) for r in rows]


def get_slide(store: Store, slide_id: int) -> Slide:
    rows = store.query_rows("SELECT * FROM deck_slides WHERE id = ?", [slide_id])
    if not rows:
        raise keyed_error(ValidationError, "decks.error.no_slide", slide_id=slide_id)
    return _slide(rows[0])


def _append_position(tx: Transaction, deck_id: int) -> int:
    exists = tx.execute("SELECT count(*) FROM decks WHERE id = ?", [deck_id]).fetchall()[0][0]
    if not exists:
        raise keyed_error(ValidationError, "decks.error.no_deck", deck_id=deck_id)
    following = tx.execute("SELECT coalesce(max(position), 0) + 1 FROM deck_slides WHERE deck_id = ?", [deck_id])
    return int(following.fetchall()[0][0])


def add_view_slide(
    store: Store, actor: Actor, deck_id: int, view: str, params: Mapping[str, Any] | None, *, title: str, notes: str = "",
) -> Slide:
    """Append a slide that shows registered `view` with the frozen `params` it was added with."""
    view = _text(view, "view", 80, required=True)
    values = {
        "kind": SlideKind.VIEW, "view": view, "params": _params_json(params),
        "title": _text(title, "slide_title", TITLE_MAX), "notes": _text(notes, "speaker_notes", TEXT_MAX),
    }
    return _add(store, actor, deck_id, values)


def add_text_slide(
    store: Store, actor: Actor, deck_id: int, *, kind: str = "text", title: str, body: str = "", notes: str = "",
) -> Slide:
    if kind not in (SlideKind.TEXT, SlideKind.TITLE):
        raise keyed_error(ValidationError, "decks.error.text_kind", kind=kind)
    values = {
        "kind": kind, "title": _text(title, "slide_title", TITLE_MAX, required=True),
        "body": _text(body, "slide_text", TEXT_MAX), "notes": _text(notes, "speaker_notes", TEXT_MAX),
    }
    return _add(store, actor, deck_id, values)


def _add(store: Store, actor: Actor, deck_id: int, values: dict[str, Any]) -> Slide:
    with store.transaction(actor) as tx:
        row = tx.insert("deck_slides", {"deck_id": deck_id, "position": _append_position(tx, deck_id), **values})
        tx.update("decks", deck_id, {})  # bump the deck's version and updated_at
    return get_slide(store, int(row["id"]))


def update_slide(
    store: Store, actor: Actor, slide_id: int, expected_version: int, *, title: str | None = None,
    body: str | None = None, notes: str | None = None,
) -> Slide:
    current = get_slide(store, slide_id)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _text(title, "slide_title", TITLE_MAX, required=current.kind != "view")
    if body is not None:
        changes["body"] = _text(body, "slide_text", TEXT_MAX)
    if notes is not None:
        changes["notes"] = _text(notes, "speaker_notes", TEXT_MAX)
    with store.transaction(actor) as tx:
        tx.update("deck_slides", slide_id, changes, expected_version=expected_version)
    return get_slide(store, slide_id)


def move_slide(store: Store, actor: Actor, slide_id: int, step: int) -> list[Slide]:
    """Move a slide `step` places (negative: earlier); positions are renumbered 1…n."""
    slide = get_slide(store, slide_id)
    order = [s.id for s in list_slides(store, slide.deck_id)]
    index = order.index(slide_id)
    target = max(0, min(len(order) - 1, index + step))
    if target == index:
        return list_slides(store, slide.deck_id)
    order.insert(target, order.pop(index))
    return reorder_slides(store, actor, slide.deck_id, order)


def reorder_slides(store: Store, actor: Actor, deck_id: int, order: list[int]) -> list[Slide]:
    """Put the deck's slides in exactly `order` (every slide id once)."""
    current = {s.id: s for s in list_slides(store, deck_id)}
    if sorted(order) != sorted(current):
        raise keyed_error(ConflictError, "decks.error.reordered")
    with store.transaction(actor) as tx:
        for position, slide_id in enumerate(order, start=1):
            if current[slide_id].position != position:
                tx.update("deck_slides", slide_id, {"position": position})
    return list_slides(store, deck_id)


def delete_slide(store: Store, actor: Actor, slide_id: int, expected_version: int | None = None) -> None:
    with store.transaction(actor) as tx:
        tx.delete("deck_slides", slide_id, expected_version=expected_version)


# ---- decisions ---------------------------------------------------------------------------


def _decision(row: Mapping[str, Any]) -> Decision:
    def opt_int(value: Any) -> int | None:
        return None if value is None else int(value)

    return Decision(
        id=int(row["id"]), deck_id=int(row["deck_id"]), slide_id=opt_int(row.get("slide_id")),
        kind=DecisionKind(row["kind"]), text=row["text"], owner=row.get("owner"), due_date=row.get("due_date"),
        status=DecisionStatus(row["status"]),
        competitor_id=opt_int(row.get("competitor_id")), segment_id=opt_int(row.get("segment_id")),
        created_by=row.get("created_by"), created_at=row["created_at"], version=int(row["version"]),
    )


def _decision_values(
    text: object, kind: str, owner: object, due_date: dt.date | str | None, status: str | None = None,
) -> dict[str, Any]:
    if kind not in tuple(DecisionKind):  # Python 3.11: `str in DecisionKind` raises TypeError
        raise keyed_error(ValidationError, "decks.error.decision_kind", kind=kind)
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date.strip()) if due_date.strip() else None
        except ValueError as e:
            raise keyed_error(ValidationError, "decks.error.due_date", value=due_date) from e
    values: dict[str, Any] = {
        "kind": kind, "text": _text(text, "decision_text", DECISION_MAX, required=True),
        "owner": _text(owner, "owner", NAME_MAX) or None, "due_date": due_date,
    }
    if status is not None:
        if status not in tuple(DecisionStatus):
            raise keyed_error(ValidationError, "decks.error.status", status=status)
        values["status"] = status
    return values


def add_decision(
    store: Store, actor: Actor, deck_id: int, text: str, *, kind: str = "decision", owner: str | None = None,
    due_date: dt.date | str | None = None, slide_id: int | None = None, competitor_id: int | None = None,
    segment_id: int | None = None,
) -> Decision:
    values = _decision_values(text, kind, owner, due_date)
    with store.transaction(actor) as tx:
        row = tx.insert("decisions", {
            "deck_id": deck_id, "slide_id": slide_id, "competitor_id": competitor_id, "segment_id": segment_id,
            "created_by": actor_name(actor), **values,
        })
    return get_decision(store, int(row["id"]))


def get_decision(store: Store, decision_id: int) -> Decision:
    rows = store.query_rows("SELECT * FROM decisions WHERE id = ?", [decision_id])
    if not rows:
        raise keyed_error(ValidationError, "decks.error.no_decision", decision_id=decision_id)
    return _decision(rows[0])


@dataclass(frozen=True)
class DecisionEdit:
    """One edited entry of the decision log, with the version it was loaded at."""

    decision_id: int
    expected_version: int
    text: str
    kind: str
    owner: str | None
    due_date: dt.date | str | None
    status: str


def update_decision(
    store: Store, actor: Actor, decision_id: int, expected_version: int, *, text: str, kind: str,
    owner: str | None, due_date: dt.date | str | None, status: str,
) -> Decision:
    update_decisions(store, actor, [DecisionEdit(decision_id, expected_version, text, kind, owner, due_date, status)])
    return get_decision(store, decision_id)


def update_decisions(store: Store, actor: Actor, edits: Sequence[DecisionEdit]) -> int:
    """Save edited entries in one audited transaction; returns how many. Every entry is checked
    before anything is written, and a refused or stale one (ConflictError) saves none of them."""
    checked = [(edit, _decision_values(edit.text, edit.kind, edit.owner, edit.due_date, edit.status)) for edit in edits]
    if not checked:
        return 0
    with store.transaction(actor) as tx:
        for edit, values in checked:
            tx.update("decisions", edit.decision_id, values, expected_version=edit.expected_version)
    return len(checked)


def delete_decision(store: Store, actor: Actor, decision_id: int, expected_version: int | None = None) -> None:
    with store.transaction(actor) as tx:
        tx.delete("decisions", decision_id, expected_version=expected_version)


def list_decisions(
    store: Store, *, deck_id: int | None = None, since: dt.date | None = None, until: dt.date | None = None,
) -> list[Decision]:
    """Decisions of one deck (or all), optionally those recorded in [since, until)."""
    sql = "SELECT * FROM decisions WHERE (? IS NULL OR deck_id = ?)"
    params: list[Any] = [deck_id, deck_id]
    if since is not None:
        sql += " AND created_at >= ?"
        params.append(since)
    if until is not None:
        sql += " AND created_at < ?"
        params.append(until)
    return [_decision(r) for r in store.query_rows(sql + " ORDER BY created_at, id", params)]
