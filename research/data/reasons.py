"""Why deals are won and lost: the workspace's reason list, and each deal's reasons with their notes.

The list (`deal_reasons`, migration 0018) is the workspace's own: a code that files, the CLI and
saved analyses use, and a name in English and in Serbian. Reasons are added, renamed and archived,
never deleted: an archived reason stays on the deals that have it but is not offered for new ones
(adding it to a deal is refused, at the cell in the grid and the row in a file).

A deal's reasons are rows of `deal_reason_links` (unique per deal and reason, each with an optional
note). They are always set as a whole — the reasons a deal should have — in one transaction: links
no longer wanted are deleted, new ones inserted, the ones kept keep their notes, and the deal's
version moves, so two people changing one deal's reasons at once are told, as with any edit. Every
change is audited row by row, so the change log undoes it (research/data/undo.py).

Grid cells and files write a deal's reasons as one text ("Price; Lead time", "цена, rok isporuke"):
codes or names in either language, separated by ; or , (`research.data.entities` parses them).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.access import Actor
from research.data.entities import (
    _INVISIBLE,
    REASON_SEPARATORS,
    Entity,
    Field,
    Problem,
    ReasonLookup,
    problem,
    reason_key,
)
from research.data.our_company import which_is_ours
from research.data.writes import bulk_insert, bulk_update, staged
from research.errors import ValidationError
from research.i18n import Named, keyed_error
from research.store.core import Store, Transaction, to_json

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LABEL = 80
MAX_NOTE = 500
LINKS = "deal_reason_links"

# The links as an entity of their own (not in the registry: they are edited through a deal's reasons),
# so the bulk writer inserts them with their audit rows like any imported row.
_LINK_ENTITY = Entity(
    name=LINKS, table=LINKS, natural_key=("deal_id", "reason_id"),
    fields=(Field("deal_id", kind="int"), Field("reason_id", kind="int"), Field("note", max_length=MAX_NOTE)),
)


@dataclass(frozen=True)
class Reason:
    id: int
    code: str
    label_en: str
    label_sr: str
    position: int
    archived: bool
    version: int

    def label(self, lang: str) -> str:
        return self.label_sr if lang == "sr" else self.label_en


@dataclass(frozen=True)
class DealReason:
    """One reason of a deal, with the note recorded for it."""

    reason: Reason
    note: str | None


def _reason(row: Mapping[str, Any]) -> Reason:
    return Reason(int(row["id"]), row["code"], row["label_en"], row["label_sr"], int(row["position"]),
                  bool(row["archived"]), int(row["version"]))


# ---- the list --------------------------------------------------------------------------------


def list_reasons(store: Store, *, include_archived: bool = True) -> list[Reason]:
    """The workspace's reasons in their order (archived ones last)."""
    where = "" if include_archived else "WHERE NOT archived"
    return [_reason(r) for r in store.query_rows(
        f"SELECT * FROM deal_reasons {where} ORDER BY archived, position, code")]


def reason_uses(store: Store) -> dict[str, int]:
    """Code -> how many deals have the reason."""
    return {r["code"]: int(r["n"]) for r in store.query_rows(
        "SELECT r.code, count(l.id) AS n FROM deal_reasons r LEFT JOIN deal_reason_links l ON l.reason_id = r.id "
        "GROUP BY r.code")}


def offered_names(reasons: Sequence[Reason]) -> Named:
    """The names of the reasons on offer (not archived), English and Serbian: "Price, Quality, …"."""
    active = [r for r in reasons if not r.archived]
    return Named(", ".join(r.label_en for r in active), ", ".join(r.label_sr for r in active))


def reason_lookup(reasons: Sequence[Reason]) -> ReasonLookup:
    """Code, English and Serbian name (by `entities.reason_key`) -> reason id, archived ones too: an
    archived reason still names what an older deal has; adding it to a deal is refused later."""
    items: dict[str, int] = {}
    for r in reasons:
        for word in (r.code, r.label_en, r.label_sr):
            items.setdefault(reason_key(word), r.id)
    return ReasonLookup(items, offered_names(reasons))


def resolve(reasons: Sequence[Reason], words: Iterable[str]) -> list[Reason]:
    """The reasons `words` name (codes or names in either language, each once, in the order given);
    an unknown word is refused with the reasons on offer."""
    lookup = reason_lookup(reasons)
    by_id = {r.id: r for r in reasons}
    found: list[Reason] = []
    for word in words:
        for part in REASON_SEPARATORS.split(word):
            part = part.strip()
            if not part:
                continue
            reason_id = lookup.get(reason_key(part))
            if reason_id is None:
                raise keyed_error(ValidationError, "deals.error.unknown_reason", word=part,
                                  allowed=offered_names(reasons), codes=", ".join(r.code for r in reasons
                                                                                   if not r.archived))
            if by_id[reason_id] not in found:
                found.append(by_id[reason_id])
    return found


def cell_text(reasons: Sequence[Reason], codes: Any, lang: str) -> Any:
    """A grid cell of codes ("lead_time; price") by the reasons' names in `lang` ("Lead time; Price");
    a code the list no longer has stays as it is. Anything but text is returned unchanged."""
    if not isinstance(codes, str):
        return codes
    by_code = {r.code: r for r in reasons}
    parts = [p.strip() for p in REASON_SEPARATORS.split(codes) if p.strip()]
    return "; ".join(by_code[p].label(lang) if p in by_code else p for p in parts)


def cell_codes(reasons: Sequence[Reason], text: Any) -> Any:
    """A grid cell as typed ("Цена, lead time") as the codes it names, in the list's order
    ("price; lead_time"), so an unchanged cell compares equal to the stored one; a cell naming an
    unknown reason is returned as typed (the save refuses it, naming the part)."""
    if not isinstance(text, str):
        return text
    lookup = reason_lookup(reasons)
    ids: set[int] = set()
    for part in REASON_SEPARATORS.split(text):
        if not part.strip():
            continue
        found = lookup.get(reason_key(part))
        if found is None:
            return text
        ids.add(found)
    if not ids:
        return None
    return "; ".join(r.code for r in reasons_in_order(reasons) if r.id in ids)


def reasons_in_order(reasons: Sequence[Reason]) -> list[Reason]:
    """The list's order as the grid writes a deal's reasons (`CELL_SQL`): by position, then code."""
    return sorted(reasons, key=lambda r: (r.position, r.code))


# A deal's reasons as one cell of codes in the list's order (research/data/grid.py selects it per row).
CELL_SQL = ("(SELECT string_agg(r.code, '; ' ORDER BY r.position, r.code) FROM deal_reason_links l "
            "JOIN deal_reasons r ON r.id = l.reason_id WHERE l.deal_id = {deal})")


def _get(store: Store, code: str) -> Reason:
    rows = store.query_rows("SELECT * FROM deal_reasons WHERE code = ?", [str(code).strip()])
    if not rows:
        codes = ", ".join(r.code for r in list_reasons(store))
        raise keyed_error(ValidationError, "deals.error.no_reason", code=code, codes=codes)
    return _reason(rows[0])


def get_reason(store: Store, code: str) -> Reason:
    """The reason with `code`; an unknown code is refused with the codes there are."""
    return _get(store, code)


def _check_label(reasons: Sequence[Reason], label: str, which: str, own_id: int | None) -> str:
    text = " ".join(str(label or "").split())
    named = Named(which, "српски" if which == "Serbian" else "енглески")
    if not text:
        raise keyed_error(ValidationError, "deals.error.label_empty", which=named)
    if len(text) > MAX_LABEL:
        raise keyed_error(ValidationError, "deals.error.label_long", which=named, label=text[:40], max=MAX_LABEL)
    if REASON_SEPARATORS.search(text) or _INVISIBLE.search(text):
        raise keyed_error(ValidationError, "deals.error.label_chars", which=named, label=text)
    for r in reasons:
        if r.id != own_id and reason_key(text) in {reason_key(r.code), reason_key(r.label_en), reason_key(r.label_sr)}:
            raise keyed_error(ValidationError, "deals.error.label_taken", label=text, code=r.code)
    return text


def add_reason(store: Store, actor: Actor, code: str, *, label_en: str, label_sr: str,
               position: int | None = None) -> Reason:
    """Add a reason to the workspace's list (last unless `position` is given); audited."""
    code = str(code or "").strip()
    if not CODE.match(code):
        raise keyed_error(ValidationError, "deals.error.reason_code", code=code, example="lead_time")
    reasons = list_reasons(store)
    if any(r.code == code for r in reasons):
        raise keyed_error(ValidationError, "deals.error.reason_exists", code=code)
    en = _check_label(reasons, label_en, "English", None)
    sr = _check_label(reasons, label_sr, "Serbian", None)
    if reason_key(code) in {reason_key(r.label_en) for r in reasons} | {reason_key(r.label_sr) for r in reasons}:
        raise keyed_error(ValidationError, "deals.error.label_taken", label=code,
                          code=next(r.code for r in reasons if reason_key(code) in
                                    (reason_key(r.label_en), reason_key(r.label_sr))))
    if position is None:
        position = max((r.position for r in reasons), default=0) + 1
    if not 0 <= int(position) <= 100_000:
        raise keyed_error(ValidationError, "deals.error.position", position=position)
    with store.transaction(actor) as tx:
        row = tx.insert("deal_reasons", {"code": code, "label_en": en, "label_sr": sr, "position": int(position)})
    return _reason(row)


def rename_reason(store: Store, actor: Actor, code: str, *, label_en: str | None = None,
                  label_sr: str | None = None, position: int | None = None) -> Reason:
    """New names (and/or place) for a reason; its code stays, so files, links and analyses keep it."""
    reason = _get(store, code)
    reasons = list_reasons(store)
    changes: dict[str, Any] = {}
    if label_en is not None:
        changes["label_en"] = _check_label(reasons, label_en, "English", reason.id)
    if label_sr is not None:
        changes["label_sr"] = _check_label(reasons, label_sr, "Serbian", reason.id)
    if position is not None:
        if not 0 <= int(position) <= 100_000:
            raise keyed_error(ValidationError, "deals.error.position", position=position)
        changes["position"] = int(position)
    if not changes:
        raise keyed_error(ValidationError, "deals.error.nothing_to_change", code=reason.code)
    with store.transaction(actor) as tx:
        row = tx.update("deal_reasons", reason.id, changes, expected_version=reason.version)
    return _reason(row)


def archive_reason(store: Store, actor: Actor, code: str, *, archived: bool = True) -> Reason:
    """Archive a reason (kept on the deals that have it, no longer offered) or, `archived=False`, restore it."""
    reason = _get(store, code)
    if reason.archived == archived:
        return reason
    with store.transaction(actor) as tx:
        row = tx.update("deal_reasons", reason.id, {"archived": archived}, expected_version=reason.version)
    return _reason(row)


# ---- a deal's reasons ------------------------------------------------------------------------


def deal_reasons(store: Store, deal_id: int) -> list[DealReason]:
    """The deal's reasons in the list's order, with their notes."""
    rows = store.query_rows(
        "SELECT r.*, l.note AS link_note FROM deal_reason_links l JOIN deal_reasons r ON r.id = l.reason_id "
        "WHERE l.deal_id = ? ORDER BY r.position, r.code", [int(deal_id)])
    return [DealReason(_reason(r), r["link_note"]) for r in rows]


def reasons_for_deals(store: Store, deal_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Deal id -> its reasons as plain data (code, both names, note), for evidence copied elsewhere
    (a lost deal's signal keeps what the deal's reasons were when it was made)."""
    if not deal_ids:
        return {}
    rows = store.query_rows(
        "SELECT l.deal_id, r.code, r.label_en, r.label_sr, l.note FROM deal_reason_links l "
        "JOIN deal_reasons r ON r.id = l.reason_id WHERE list_contains(?, l.deal_id) "
        "ORDER BY l.deal_id, r.position, r.code", [[int(i) for i in deal_ids]])
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(int(r["deal_id"]), []).append(
            {"code": r["code"], "label_en": r["label_en"], "label_sr": r["label_sr"], "note": r["note"]})
    return out


def reasons_text(items: Sequence[Any] | None, lang: str) -> str:
    """Reasons kept as data (`reasons_for_deals`) in words: "Price (their offer was 8 % lower), Lead time"."""
    parts = []
    for item in items or ():
        if isinstance(item, Mapping):
            name = item.get("label_sr" if lang == "sr" else "label_en") or item.get("label_en") or item.get("code")
            note = item.get("note")
            parts.append(f"{name} ({note})" if note else str(name))
        else:
            parts.append(str(item))
    return ", ".join(parts)


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = " ".join(str(note).split())
    if not text:
        return None
    if len(text) > MAX_NOTE:
        raise keyed_error(ValidationError, "deals.error.note_long", max=MAX_NOTE)
    if _INVISIBLE.search(text):
        raise keyed_error(ValidationError, "deals.error.note_chars")
    return text


def set_deal_reasons(store: Store, actor: Actor, deal_id: int, words: Sequence[str], *,
                     notes: Mapping[str, str | None] | None = None, expected_version: int | None = None
                     ) -> list[DealReason]:
    """Make the deal's reasons exactly those `words` name (codes or names; none clears them), in one
    audited transaction. `notes` gives a note per reason (by code or name); reasons kept keep theirs
    unless given a new one. A reason that is archived can stay but not be added."""
    reasons = list_reasons(store)
    chosen = resolve(reasons, words)
    by_key = reason_lookup(reasons)
    wanted_notes: dict[int, str | None] = {}
    for word, note in (notes or {}).items():
        reason_id = by_key.get(reason_key(word))
        if reason_id is None or reason_id not in {r.id for r in chosen}:
            raise keyed_error(ValidationError, "deals.error.note_reason", word=word,
                              given=", ".join(r.code for r in chosen) or "–")
        wanted_notes[reason_id] = _check_note(note)
    with store.transaction(actor) as tx:
        deal = tx.execute("SELECT id, version FROM deals WHERE id = ?", [int(deal_id)]).fetchone()
        if deal is None:
            raise keyed_error(ValidationError, "deals.error.no_deal", deal=deal_id)
        have = {r[0] for r in tx.execute("SELECT reason_id FROM deal_reason_links WHERE deal_id = ?",
                                         [int(deal_id)]).fetchall()}
        for r in chosen:
            if r.archived and r.id not in have:
                raise keyed_error(ValidationError, "deals.error.reason_archived", code=r.code,
                                  command=f"python -m research deal reasons restore {r.code}")
        changed = replace_links_in(tx, {int(deal_id): [r.id for r in chosen]},
                                   {(int(deal_id), k): v for k, v in wanted_notes.items()})
        if changed:
            touch_deals_in(tx, changed, {int(deal_id): expected_version} if expected_version is not None else {})
    return deal_reasons(store, deal_id)


def touch_deals_in(tx: Transaction, deal_ids: Iterable[int], versions: Mapping[int, int | None] | None = None) -> None:
    """Move each deal's version (an audited update of nothing else) after its reasons changed: the
    grid's and forms' stale-edit check then sees the change, as it sees any other edit of the deal."""
    for deal_id in sorted(set(deal_ids)):
        tx.update("deals", deal_id, {}, expected_version=(versions or {}).get(deal_id))


def replace_links_in(tx: Transaction, wanted: Mapping[int, Sequence[int]],
                     notes: Mapping[tuple[int, int], str | None] | None = None) -> set[int]:
    """Inside a transaction: make each deal's reasons exactly `wanted[deal]` (reason ids), set-wise
    (an import sets thousands). Links no longer wanted are deleted, new ones inserted (with the note
    from `notes` keyed by (deal, reason)), kept ones keep their note unless `notes` names them.
    Every changed row is audited. Returns the deals whose reasons or notes changed."""
    if not wanted:
        return set()
    notes = notes or {}
    deals = pd.DataFrame({"deal_id": [int(d) for d in wanted]})
    with staged(tx, "_vantage_deals", deals):
        cur = tx.execute(f"SELECT l.* FROM {LINKS} l JOIN _vantage_deals d ON d.deal_id = l.deal_id ORDER BY l.id")
        names = [d[0] for d in cur.description]
        existing = [dict(zip(names, row)) for row in cur.fetchall()]
    have = {(int(r["deal_id"]), int(r["reason_id"])): r for r in existing}
    want = {(int(d), int(r)) for d, ids in wanted.items() for r in ids}
    gone = [row for key, row in have.items() if key not in want]
    new = [key for d, ids in wanted.items() for key in ((int(d), int(r)) for r in ids) if key not in have]
    changed = {d for d, _ in new} | {int(r["deal_id"]) for r in gone}
    if gone:
        _delete_links(tx, gone)
    if new:
        frame = pd.DataFrame({"deal_id": [d for d, _ in new], "reason_id": [r for _, r in new],
                              "note": pd.Series([notes.get(key) for key in new], dtype=object)})
        bulk_insert(tx, _LINK_ENTITY, frame)
    for key, note in notes.items():
        row = have.get(key)
        if row is not None and key in want and row["note"] != note:
            tx.update(LINKS, row["id"], {"note": note})
            changed.add(key[0])
    return changed


def _delete_links(tx: Transaction, rows: Sequence[Mapping[str, Any]]) -> None:
    """Delete links set-wise with one audit row each (the JSON `Transaction.delete` would write)."""
    ids = pd.DataFrame({"id": [int(r["id"]) for r in rows]})
    with staged(tx, "_vantage_links", ids):
        tx.execute(f"DELETE FROM {LINKS} WHERE id IN (SELECT id FROM _vantage_links)").fetchall()
    audit = pd.DataFrame({"batch_id": tx.batch_id, "actor": tx.actor, "table_name": LINKS,
                          "row_id": [str(int(r["id"])) for r in rows], "action": "delete",
                          "before": [to_json(r) for r in rows], "after": None})
    with staged(tx, "_vantage_audit", audit):
        tx.execute("INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after) "
                   "SELECT batch_id, actor, table_name, row_id, action, before, after FROM _vantage_audit").fetchall()


def delete_links_of_in(tx: Transaction, deal_ids: Iterable[int]) -> None:
    """Remove the reasons of deals about to be deleted (the store refuses to delete a deal that links
    point at, so a grid deletion takes its reasons with it, audited, undone together)."""
    ids = sorted({int(d) for d in deal_ids})
    if not ids:
        return
    cur = tx.execute(f"SELECT * FROM {LINKS} WHERE list_contains(?, deal_id) ORDER BY id", [ids])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row)) for row in cur.fetchall()]
    if rows:
        _delete_links(tx, rows)


# ---- checks and writes of the grid and imports -------------------------------------------------


def link_fields(entity: Entity) -> list[str]:
    """The entity's fields that are not columns of its table (a deal's reasons)."""
    return [f.name for f in entity.fields if not f.in_table]


def check_deal_rows(store: Store, frame: pd.DataFrame, rows: pd.Series, problems: list[Problem],
                    deal_ids: Mapping[Any, int] | None = None) -> None:
    """What only the workspace can say about deals, as problems by row: our own company named as the
    competitor, and an archived reason added to a deal that did not have it (`deal_ids`: frame index ->
    the existing deal a row changes; rows without one are new deals)."""
    us = which_is_ours(store)
    if us is not None and "competitor_id" in frame.columns:
        ours = frame["competitor_id"].astype("Int64") == us.id
        for idx in frame.index[ours.fillna(False)]:
            problems.append(problem(int(rows[idx]), "competitor_id", us.name, "data.problem.competitor_is_us"))
    if "reasons" not in frame.columns:
        return
    archived = {r.id: r for r in list_reasons(store) if r.archived}
    if not archived:
        return
    deal_ids = deal_ids or {}
    known = [int(d) for d in deal_ids.values()]
    have: set[tuple[int, int]] = set()
    if known:
        have = {(int(x["deal_id"]), int(x["reason_id"])) for x in store.query_rows(
            "SELECT deal_id, reason_id FROM deal_reason_links WHERE list_contains(?, deal_id)", [known])}
    for idx, ids in zip(frame.index, frame["reasons"]):
        for reason_id in ids or ():
            reason = archived.get(reason_id)
            if reason is not None and (deal_ids.get(idx), reason_id) not in have:
                problems.append(problem(int(rows[idx]), "reasons", reason.label_en, "data.problem.reason_archived"))


def write_deals_in(tx: Transaction, entity: Entity, inserting: pd.DataFrame, updating: pd.DataFrame,
                   versions: Mapping[Any, int] | None = None) -> tuple[int, int]:
    """An import's deals and their reasons, in the import's transaction: (inserted, updated).

    New deals get their ids here, so their reasons can point at them in the same batch; a row's
    reasons replace the deal's (an empty cell clears them) when the file has a reasons column.
    """
    links = [name for name in link_fields(entity) if name in inserting.columns or name in updating.columns]
    wanted: dict[int, list[int]] = {}
    inserted = updated = 0
    if not inserting.empty:
        rows = inserting.drop(columns=[c for c in links if c in inserting.columns]).reset_index(drop=True)
        ids = [int(r[0]) for r in tx.execute(f"SELECT nextval('seq_{entity.table}') FROM range(?)",
                                             [len(rows)]).fetchall()]
        rows.insert(0, "id", ids)
        # With the ids given, the bulk writer takes `id` as the rows' key instead of drawing new ones.
        inserted = bulk_insert(tx, dataclasses.replace(entity, has_id=False, natural_key=("id",)), rows)
        for name in links:
            if name in inserting.columns:
                for deal_id, cell in zip(ids, inserting[name].tolist()):
                    if isinstance(cell, tuple) and cell:
                        wanted[deal_id] = list(cell)
    if not updating.empty:
        rows = updating.drop(columns=[c for c in links if c in updating.columns]).reset_index(drop=True)
        updated = bulk_update(tx, entity, rows, versions)
        for name in links:
            if name in updating.columns:
                for deal_id, cell in zip(updating["id"].tolist(), updating[name].tolist()):
                    wanted[int(deal_id)] = list(cell) if isinstance(cell, tuple) else []
    replace_links_in(tx, wanted)
    return inserted, updated


# ---- reading deals with their reasons (the `deal` command) ---------------------------------------

DEALS_SQL = """
SELECT d.id, d.outcome, a.name AS account, d.account_id, c.name AS competitor, d.competitor_id,
       CAST(d.value AS VARCHAR) AS value, d.currency, d.closed_on, d.stage, d.owner, d.note, d.version,
       coalesce((SELECT list(r.code ORDER BY r.position, r.code) FROM deal_reason_links l
                 JOIN deal_reasons r ON r.id = l.reason_id WHERE l.deal_id = d.id), []) AS reasons
FROM deals d
JOIN accounts a ON a.id = d.account_id
LEFT JOIN companies c ON c.id = d.competitor_id
WHERE ($outcome IS NULL OR d.outcome = $outcome)
  AND ($competitor IS NULL OR d.competitor_id = $competitor)
  AND ($deal IS NULL OR d.id = $deal)
ORDER BY d.closed_on DESC NULLS FIRST, d.id DESC
LIMIT $limit
"""


def company_id(store: Store, name: str) -> int:
    """A company (a deal's competitor) by its name, ignoring case and surrounding spaces, or by its id;
    an unknown one is refused, naming the closest names there are."""
    wanted = " ".join(str(name or "").split())
    rows = store.query_rows("SELECT id FROM companies WHERE lower(name) = lower(?) OR CAST(id AS VARCHAR) = ? "
                            "ORDER BY archived, id LIMIT 1", [wanted, wanted])
    if rows:
        return int(rows[0]["id"])
    near = [r["name"] for r in store.query_rows(
        "SELECT name FROM companies ORDER BY jaro_winkler_similarity(lower(name), lower(?)) DESC, name LIMIT 3",
        [wanted[:200]])]
    raise keyed_error(ValidationError, "deals.error.no_company", name=wanted, near=", ".join(near) or "–")


def list_deals(store: Store, *, outcome: str | None = None, competitor_id: int | None = None,
               deal_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Deals, newest close date first (open ones first of all), each with its account and competitor
    names and its reason codes in the list's order."""
    return store.query_rows(DEALS_SQL, {"outcome": outcome, "competitor": competitor_id, "deal": deal_id,
                                        "limit": int(limit)})
