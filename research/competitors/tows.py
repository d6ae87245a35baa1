"""TOWS strategies: our strengths and weaknesses against a company's opportunities and threats.

A strategy of kind SO uses our S items and the chosen company's O items (likewise ST,
WO, WT); the chosen company is a competitor, or our own company standing for the
market. Links to the SWOT items it uses are kept in `tows_links` and shown as
labels like "S2×O1" (labels follow the current board order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from research.access import Actor
from research.competitors import validation as v
from research.competitors.profiles import our_company
from research.competitors.states import Quadrant, TowsKind, TowsStatus, sql_order
from research.competitors.swot import SwotItem, list_items
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store
from research.store.core import single_value


@dataclass(frozen=True)
class TowsStrategy:
    id: int
    company_id: int
    kind: TowsKind
    statement: str
    owner: str | None
    status: TowsStatus
    position: int
    author: str | None
    archived: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    item_ids: tuple[int, ...]
    label: str  # e.g. "S1+S2×O1"


STRATEGIES_SQL = """
WITH links AS (
    SELECT strategy_id, list(swot_item_id ORDER BY swot_item_id) AS item_ids FROM tows_links GROUP BY strategy_id
)
SELECT s.id, s.company_id, s.kind, s.statement, s.owner, s.status, s.position, s.author, s.archived,
       s.version, s.created_at, s.updated_at, coalesce(l.item_ids, []) AS item_ids
FROM tows_strategies s LEFT JOIN links l ON l.strategy_id = s.id
WHERE {where}
ORDER BY {kind_order}, s.position, s.id
""".replace("{kind_order}", sql_order(TowsKind, "s.kind"))


def tows_items(store: Store, company_id: int, *, today: dt.date | None = None) -> dict[str, list[SwotItem]]:
    """The SWOT items a TOWS session on `company_id` draws on: our S and W, that company's O and T."""
    us = our_company(store)
    if us is None:
        raise keyed_error(ValidationError, "competitors.error.no_us")
    ours = list_items(store, us.id, today=today)
    theirs = ours if company_id == us.id else list_items(store, company_id, today=today)
    return {
        Quadrant.STRENGTH: [i for i in ours if i.quadrant == Quadrant.STRENGTH],
        Quadrant.WEAKNESS: [i for i in ours if i.quadrant == Quadrant.WEAKNESS],
        Quadrant.OPPORTUNITY: [i for i in theirs if i.quadrant == Quadrant.OPPORTUNITY],
        Quadrant.THREAT: [i for i in theirs if i.quadrant == Quadrant.THREAT],
    }


def _label(item_ids: Iterable[int], labels: dict[int, str]) -> str:
    names = [labels[i] for i in item_ids if i in labels]
    internal = "+".join(sorted((n for n in names if n[0] in "SW"), key=_label_key))
    external = "+".join(sorted((n for n in names if n[0] in "OT"), key=_label_key))
    return "×".join(part for part in (internal, external) if part)


def _label_key(label: str) -> tuple[str, int]:
    return label[0], int(label[1:])


def list_strategies(
    store: Store, company_id: int, *, include_archived: bool = False, today: dt.date | None = None
) -> list[TowsStrategy]:
    items = tows_items(store, company_id, today=today)
    labels = {i.id: i.label for group in items.values() for i in group if i.label}
    where = "s.company_id = $company" + ("" if include_archived else " AND NOT s.archived")
    rows = store.query_rows(STRATEGIES_SQL.format(where=where), {"company": company_id})
    return [
        TowsStrategy(**{**row, "kind": TowsKind(row["kind"]), "status": TowsStatus(row["status"]),
                        "item_ids": tuple(row["item_ids"]), "label": _label(row["item_ids"], labels)})
        for row in rows
    ]


def _check_links(store: Store, company_id: int, kind: str, item_ids: Iterable[int]) -> list[int]:
    """Only our items of the strategy's internal quadrant and the company's of its external one."""
    wanted = sorted({int(i) for i in item_ids})
    items = tows_items(store, company_id)
    allowed = {i.id for i in items[kind[0]]} | {i.id for i in items[kind[1]]}
    wrong = [i for i in wanted if i not in allowed]
    if wrong:
        raise keyed_error(ValidationError, "competitors.error.links", kind=kind, internal=kind[0], external=kind[1],
                          items=", ".join(map(str, wrong)))
    return wanted


def _fields(statement: str | None, owner: str | None, status: str | None) -> dict[str, object]:
    out: dict[str, object] = {}
    if statement is not None:
        out["statement"] = v.required_text(statement, "strategy")
    if owner is not None:
        out["owner"] = v.optional_text(owner, "owner", v.MAX_NAME)
    if status is not None:
        out["status"] = v.choice(status, TowsStatus, "status")
    return out


def add_strategy(
    store: Store,
    actor: Actor,
    company_id: int,
    *,
    kind: str,
    statement: str,
    owner: str | None = None,
    status: str = "proposed",
    item_ids: Iterable[int] = (),
) -> TowsStrategy:
    kind = v.choice(v.clean_text(kind).upper(), TowsKind, "TOWS quadrant")
    values = _fields(statement, owner or "", status)
    links = _check_links(store, company_id, kind, item_ids)
    with store.transaction(actor) as tx:
        if single_value(tx.execute("SELECT count(*) FROM companies WHERE id = ?", [company_id])) == 0:
            raise keyed_error(ValidationError, "competitors.error.no_company_id", id=company_id)
        position = single_value(tx.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM tows_strategies WHERE company_id = ? AND kind = ?",
            [company_id, kind],
        ))
        row = tx.insert(
            "tows_strategies",
            {"company_id": company_id, "kind": kind, **values, "position": position, "author": tx.actor},
        )
        for item_id in links:
            tx.insert("tows_links", {"strategy_id": row["id"], "swot_item_id": item_id})
    return get_strategy(store, row["id"])


def get_strategy(store: Store, strategy_id: int) -> TowsStrategy:
    company_id = store.query_value("SELECT company_id FROM tows_strategies WHERE id = ?", [strategy_id])
    if company_id is None:
        raise keyed_error(ValidationError, "competitors.error.no_strategy", id=strategy_id)
    found = [s for s in list_strategies(store, company_id, include_archived=True) if s.id == strategy_id]
    return found[0]


def update_strategy(
    store: Store,
    actor: Actor,
    strategy_id: int,
    expected_version: int,
    *,
    statement: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    item_ids: Iterable[int] | None = None,
    archived: bool | None = None,
) -> TowsStrategy:
    """Edit a strategy (and replace its links); refused if it changed since `expected_version`."""
    current = get_strategy(store, strategy_id)
    changes = _fields(statement, owner, status)
    if archived is not None:
        changes["archived"] = bool(archived)
    links = None if item_ids is None else _check_links(store, current.company_id, current.kind, item_ids)
    with store.transaction(actor) as tx:
        # Bump the version even when only the links change, so a parallel edit is caught.
        tx.update("tows_strategies", strategy_id, changes or {"archived": current.archived}, expected_version=expected_version)
        if links is not None and list(links) != sorted(current.item_ids):
            for (link_id,) in tx.execute("SELECT id FROM tows_links WHERE strategy_id = ?", [strategy_id]).fetchall():
                tx.delete("tows_links", link_id)
            for item_id in links:
                tx.insert("tows_links", {"strategy_id": strategy_id, "swot_item_id": item_id})
    return get_strategy(store, strategy_id)
