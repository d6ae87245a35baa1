"""SWOT items: evidence-linked statements per company, their order, staleness and edits.

An item is *stale* when its evidence date — the observed-on date, else its source's
publication date, else the day it was written — is older than `stale_days`
(VANTAGE_STALE_DAYS, default 90). Labels such as S2 number the active items of a
quadrant in board order and change when items are reordered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research import config
from research.access import Actor, PermissionDenied, may_show, sees_private
from research.competitors import validation as v
from research.competitors.states import Confidence, Quadrant, sql_order
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store, Transaction
from research.store.core import single_value


# A source note is one line of evidence, as long as a statement (the item form's limit too).
MAX_SOURCE_NOTE = v.MAX_STATEMENT


def stale_days() -> int:
    days = config.STALE_DAYS.value()
    if days < 1:
        raise ValidationError(f"VANTAGE_STALE_DAYS must be at least 1, not {days}.")
    return days


@dataclass(frozen=True)
class SwotItem:
    id: int
    company_id: int
    company: str
    is_us: bool
    quadrant: Quadrant
    label: str | None  # S1, W3 … for active items; None when archived
    statement: str
    impact: int
    confidence: Confidence
    source_id: int | None
    source_title: str | None
    source_url: str | None
    source_note: str | None
    observed_on: dt.date | None
    evidence_on: dt.date
    stale: bool
    tags: tuple[str, ...]
    author: str | None
    position: int
    archived: bool
    private: bool  # shown to its author and admins only, never on a shared screen
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    changed_by: str | None  # last actor in the audit log
    changed_at: dt.datetime | None

    @property
    def evidence(self) -> str:
        """The source in one line: the URL, else the source title, else the note."""
        return self.source_url or self.source_title or self.source_note or ""


# Active items get labels by board order; the last audit row of each item names who
# changed it last. `$today`/`$days` decide staleness.
ITEMS_SQL = """
WITH last_change AS (
    SELECT row_id, arg_max(actor, id) AS changed_by, max(changed_at) AS changed_at
    FROM audit_log WHERE table_name = 'swot_items' GROUP BY row_id
), items AS (
    SELECT s.*, c.name AS company, c.is_us, c.archived AS company_archived,
           src.title AS source_title,
           coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE)) AS evidence_on,
           CASE WHEN NOT s.archived THEN
               row_number() OVER (PARTITION BY s.company_id, s.quadrant, s.archived ORDER BY s.position, s.id)
           END AS rank_no
    FROM swot_items s
    JOIN companies c ON c.id = s.company_id
    LEFT JOIN sources src ON src.id = s.source_id
)
SELECT i.id, i.company_id, i.company, i.is_us, i.quadrant,
       CASE WHEN i.rank_no IS NOT NULL THEN i.quadrant || i.rank_no END AS label,
       i.statement, CAST(i.impact AS INTEGER) AS impact, i.confidence, i.source_id, i.source_title,
       i.source_url, i.source_note, i.observed_on, i.evidence_on,
       i.evidence_on < CAST($today AS DATE) - CAST($days AS INTEGER) AS stale,
       i.tags, i.author, i.position, i.archived, coalesce(i.private, false) AS private, i.version, i.created_at, i.updated_at,
       lc.changed_by, lc.changed_at
FROM items i
LEFT JOIN last_change lc ON lc.row_id = CAST(i.id AS VARCHAR)
WHERE {where}
ORDER BY i.is_us DESC, i.company, {quadrant_order}, i.archived, i.position, i.id
""".replace("{quadrant_order}", sql_order(Quadrant, "i.quadrant"))

ITEM_COLUMNS = [f.name for f in SwotItem.__dataclass_fields__.values()]


def _rows_to_items(rows: Iterable[dict[str, Any]]) -> list[SwotItem]:
    return [SwotItem(**{**row, "quadrant": Quadrant(row["quadrant"]), "confidence": Confidence(row["confidence"]),
                        "tags": tuple(row["tags"] or ())}) for row in rows]


def _select(store: Store, where: str, params: dict[str, Any], today: dt.date | None, days: int | None) -> list[SwotItem]:
    params = {**params, "today": today or dt.date.today(), "days": stale_days() if days is None else days}
    return _rows_to_items(store.query_rows(ITEMS_SQL.format(where=where), params))


def visible(items: Iterable[SwotItem], viewer: Actor | None, *, include_private: bool = True) -> list[SwotItem]:
    """Drop the private items `viewer` may not see; all private items when `include_private` is False.

    Without a viewer (None) every private item is dropped: the safe default for shared
    outputs. Presentation mode passes include_private=False even for their author.
    """
    return [i for i in items if may_show(i.private, i.author, viewer, include_private=include_private)]


def list_items(
    store: Store,
    company_id: int,
    *,
    include_archived: bool = False,
    today: dt.date | None = None,
    days: int | None = None,
    viewer: Actor | None = None,
    include_private: bool = True,
) -> list[SwotItem]:
    """A company's items in board order (quadrant, then position), as `viewer` may see them."""
    where = "i.company_id = $company" + ("" if include_archived else " AND NOT i.archived")
    return visible(_select(store, where, {"company": company_id}, today, days), viewer, include_private=include_private)


def get_item(store: Store, item_id: int, *, today: dt.date | None = None, days: int | None = None) -> SwotItem:
    found = _select(store, "i.id = $id", {"id": item_id}, today, days)
    if not found:
        raise keyed_error(ValidationError, "competitors.error.no_item", id=item_id)
    return found[0]


def stale_items(
    store: Store,
    *,
    company_id: int | None = None,
    today: dt.date | None = None,
    days: int | None = None,
    viewer: Actor | None = None,
    include_private: bool = True,
) -> list[SwotItem]:
    """The "to re-verify" queue: active stale items of active companies, oldest evidence first."""
    where = "NOT i.archived AND NOT i.company_archived AND i.evidence_on < CAST($today AS DATE) - CAST($days AS INTEGER)"
    params: dict[str, Any] = {}
    if company_id is not None:
        where += " AND i.company_id = $company"
        params["company"] = company_id
    items = visible(_select(store, where, params, today, days), viewer, include_private=include_private)
    return sorted(items, key=lambda item: (item.evidence_on, item.company, item.quadrant, item.position))


def items_frame(items: Iterable[SwotItem]) -> pd.DataFrame:
    return pd.DataFrame([item.__dict__ for item in items], columns=ITEM_COLUMNS)


# ---- writes ---------------------------------------------------------------------------------


def _evidence(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "source_url" in values:
        out["source_url"] = v.url(values["source_url"])
    if "source_note" in values:
        out["source_note"] = v.optional_text(values["source_note"], "source note", MAX_SOURCE_NOTE)
    if "observed_on" in values:
        out["observed_on"] = v.observed_on(values["observed_on"], today)
    return out


def _validated(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The validated subset of the item fields present in `values`."""
    known = {"quadrant", "statement", "impact", "confidence", "source_url", "source_note", "observed_on", "tags", "private"}
    unknown = set(values) - known
    if unknown:
        raise ValidationError(f"SWOT items have no field {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    if "quadrant" in values:
        out["quadrant"] = v.quadrant(values["quadrant"])
    if "statement" in values:
        out["statement"] = v.required_text(values["statement"], "statement")
    if "impact" in values:
        out["impact"] = v.impact(values["impact"])
    if "confidence" in values:
        out["confidence"] = v.confidence(values["confidence"])
    if "tags" in values:
        out["tags"] = v.tags(values["tags"])
    if "private" in values:
        out["private"] = bool(values["private"])
    out.update(_evidence(values, today))
    return out


def check_private(tx: Transaction, actor: Actor, item_id: int) -> None:
    """Someone else's private item may be changed by admins only (the others cannot see it)."""
    row = tx.execute("SELECT coalesce(private, false), author FROM swot_items WHERE id = ?", [item_id]).fetchone()
    if row is not None and row[0] and not sees_private(actor, row[1]):
        raise keyed_error(PermissionDenied, "competitors.error.item_private", id=item_id)


def _company_row(tx: Transaction, company_id: int) -> tuple[str, bool]:
    row = tx.execute("SELECT name, archived FROM companies WHERE id = ?", [company_id]).fetchone()
    if row is None:
        raise keyed_error(ValidationError, "competitors.error.no_company_id", id=company_id)
    return row[0], bool(row[1])


def _next_position(tx: Transaction, company_id: int, quadrant: str) -> int:
    return int(single_value(tx.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM swot_items WHERE company_id = ? AND quadrant = ? AND NOT archived",
        [company_id, quadrant],
    )))


def add_item_in(
    tx: Transaction,
    company_id: int,
    *,
    quadrant: str,
    statement: str,
    impact: int = 3,
    confidence: str = "medium",
    source_url: str | None = None,
    source_note: str | None = None,
    observed_on: dt.date | str | None = None,
    tags: Iterable[str] | str | None = None,
    today: dt.date | None = None,
    private: bool = False,
) -> int:
    """Add an item at the end of its quadrant inside the caller's transaction; returns its id.

    The one SWOT insert with its checks: `add_item` and signal triage (research.signals.triage,
    which changes the signal in the same transaction) both write through it.
    """
    today = today or dt.date.today()
    values = _validated(
        {
            "quadrant": quadrant, "statement": statement, "impact": impact, "confidence": confidence,
            "source_url": source_url, "source_note": source_note, "observed_on": observed_on, "tags": tags,
            "private": private,
        },
        today,
    )
    name, archived = _company_row(tx, company_id)
    if archived:
        raise keyed_error(ValidationError, "competitors.error.archived_company", name=name)
    values["position"] = _next_position(tx, company_id, values["quadrant"])
    row = tx.insert("swot_items", {"company_id": company_id, **values, "author": tx.actor})
    return int(row["id"])


def add_item(
    store: Store,
    actor: Actor,
    company_id: int,
    *,
    quadrant: str,
    statement: str,
    impact: int = 3,
    confidence: str = "medium",
    source_url: str | None = None,
    source_note: str | None = None,
    observed_on: dt.date | str | None = None,
    tags: Iterable[str] | str | None = None,
    today: dt.date | None = None,
    private: bool = False,
) -> SwotItem:
    """Add an item at the end of its quadrant in a transaction of its own (`add_item_in`)."""
    today = today or dt.date.today()
    with store.transaction(actor) as tx:
        item_id = add_item_in(
            tx, company_id, quadrant=quadrant, statement=statement, impact=impact, confidence=confidence,
            source_url=source_url, source_note=source_note, observed_on=observed_on, tags=tags, today=today,
            private=private,
        )
    return get_item(store, item_id, today=today)


def update_item_in(
    tx: Transaction, actor: Actor, item_id: int, expected_version: int, *, today: dt.date | None = None,
    **changes: Any,
) -> None:
    """Edit an item inside the caller's transaction; refused if someone changed it since `expected_version`.

    The one SWOT edit with its checks: `update_item` and signal triage (attach) both write through it.
    """
    today = today or dt.date.today()
    values = _validated(changes, today)
    current = tx.execute("SELECT company_id, quadrant FROM swot_items WHERE id = ?", [item_id]).fetchone()
    if current is None:
        raise keyed_error(ValidationError, "competitors.error.no_item", id=item_id)
    check_private(tx, actor, item_id)
    if "quadrant" in values and values["quadrant"] != current[1]:
        values["position"] = _next_position(tx, current[0], values["quadrant"])
    tx.update("swot_items", item_id, values, expected_version=expected_version)


def update_item(
    store: Store, actor: Actor, item_id: int, expected_version: int, today: dt.date | None = None, **changes: Any
) -> SwotItem:
    """Edit an item in a transaction of its own (`update_item_in`)."""
    today = today or dt.date.today()
    with store.transaction(actor) as tx:
        update_item_in(tx, actor, item_id, expected_version, today=today, **changes)
    return get_item(store, item_id, today=today)


def confirm_item(store: Store, actor: Actor, item_id: int, expected_version: int, today: dt.date | None = None) -> SwotItem:
    """Re-verified today: the evidence date becomes today, so the item is fresh again."""
    today = today or dt.date.today()
    return update_item(store, actor, item_id, expected_version, today=today, observed_on=today)


def set_item_archived(
    store: Store, actor: Actor, item_id: int, expected_version: int, archived: bool = True
) -> SwotItem:
    """Archive (or restore) an item; a restored item goes to the end of its quadrant."""
    with store.transaction(actor) as tx:
        current = tx.execute("SELECT company_id, quadrant FROM swot_items WHERE id = ?", [item_id]).fetchone()
        if current is None:
            raise keyed_error(ValidationError, "competitors.error.no_item", id=item_id)
        check_private(tx, actor, item_id)
        changes: dict[str, Any] = {"archived": archived}
        if not archived:
            changes["position"] = _next_position(tx, current[0], current[1])
        tx.update("swot_items", item_id, changes, expected_version=expected_version)
    return get_item(store, item_id)


def move_item(store: Store, actor: Actor, item_id: int, expected_version: int, step: int) -> SwotItem:
    """Move an item `step` places up (negative) or down within its quadrant; positions renumbered 0…n-1."""
    if step == 0:
        return get_item(store, item_id)
    with store.transaction(actor) as tx:
        current = tx.execute(
            "SELECT company_id, quadrant, archived FROM swot_items WHERE id = ?", [item_id]
        ).fetchone()
        if current is None:
            raise keyed_error(ValidationError, "competitors.error.no_item", id=item_id)
        if current[2]:
            raise keyed_error(ValidationError, "competitors.error.archived_item")
        check_private(tx, actor, item_id)
        rows = tx.execute(
            "SELECT id, position, version FROM swot_items WHERE company_id = ? AND quadrant = ? AND NOT archived "
            "ORDER BY position, id",
            [current[0], current[1]],
        ).fetchall()
        order = [row[0] for row in rows]
        known = {row[0]: (row[1], row[2]) for row in rows}
        index = order.index(item_id)
        order.insert(max(0, min(len(order) - 1, index + step)), order.pop(index))
        for position, row_id in enumerate(order):
            old_position, version = known[row_id]
            if row_id == item_id:
                tx.update("swot_items", row_id, {"position": position}, expected_version=expected_version)
            elif old_position != position:
                tx.update("swot_items", row_id, {"position": position}, expected_version=version)
    return get_item(store, item_id)
