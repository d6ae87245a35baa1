"""Saved segments and weight sets: reading, saving (audited), duplicating, archiving.

A segment's members are defined either by its rule (evaluated live, so it follows
the accounts as they change) or, for a clustered segment, by the member list
stored in `segment_members` when the clustering was saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from research.errors import ValidationError
from research.i18n import keyed_error, t
from research.permissions import Actor
from research.segments.rules import Compiled, compile_rule, normalize_rule
from research.store import Store

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
DEFAULT_COLOUR = "#5D6D7E"
MAX_NAME = 80
MAX_DESCRIPTION = 500


class SegmentNameTaken(ValidationError):
    """Saving under a name another active segment has: overwrite it or rename."""

    title = "Name already taken"

    def __init__(self, name: str, suggestion: str) -> None:
        key = "segments.error.name_taken"
        params: dict[str, object] = {"name": name, "suggestion": suggestion}
        super().__init__(t(key, "en", **params), key=key, params=params)
        self.name = name
        self.suggestion = suggestion


@dataclass(frozen=True)
class Segment:
    id: int
    name: str
    kind: str  # rule / cluster
    definition: dict[str, Any]
    description: str
    colour: str
    acv: Decimal | None
    acv_currency: str
    sam_share: float | None
    som_share: float | None
    sensitivity: float | None
    archived: bool
    version: int
    # The workspace it was read from: a rule on custom fields or the workspace's bands compiles against it.
    store: Store | None = field(default=None, repr=False, compare=False)

    @property
    def condition(self) -> Compiled:
        """Which accounts belong: the compiled rule, or the stored members of a clustered segment."""
        if self.kind == "cluster":
            return Compiled("s.id IN (SELECT account_id FROM segment_members WHERE segment_id = ?)", [self.id])
        return compile_rule(self.definition, self.store)


def _segment(row: Mapping[str, Any], store: Store | None = None) -> Segment:
    definition = row["definition"]
    return Segment(
        id=int(row["id"]),
        name=row["name"],
        kind=row["kind"],
        definition=json.loads(definition) if isinstance(definition, str) else dict(definition or {}),
        description=row["description"] or "",
        colour=row["colour"],
        acv=row["acv"],
        acv_currency=row["acv_currency"],
        sam_share=row["sam_share"],
        som_share=row["som_share"],
        sensitivity=row["sensitivity"],
        archived=bool(row["archived"]),
        version=int(row["version"]),
        store=store,
    )


def list_segments(store: Store, *, include_archived: bool = False) -> list[Segment]:
    rows = store.query_rows(
        "SELECT * FROM segments WHERE ? OR NOT archived ORDER BY archived, lower(name), id", [include_archived]
    )
    return [_segment(r, store) for r in rows]


def get_segment(store: Store, name_or_id: str | int) -> Segment:
    """An active segment by id or by name (case-insensitive); archived ones by id only."""
    if isinstance(name_or_id, int):
        rows = store.query_rows("SELECT * FROM segments WHERE id = ?", [name_or_id])
    else:
        rows = store.query_rows(
            "SELECT * FROM segments WHERE lower(name) = lower(?) AND NOT archived ORDER BY id LIMIT 1",
            [name_or_id.strip()],
        )
    if not rows:
        raise ValidationError(f"There is no segment “{name_or_id}”.", title="Unknown segment")
    return _segment(rows[0], store)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise keyed_error(ValidationError, "segments.error.no_name")
    if len(name) > MAX_NAME:
        raise keyed_error(ValidationError, "segments.error.long_name", n=MAX_NAME)
    return name


def _clean_colour(colour: str | None) -> str:
    colour = (colour or DEFAULT_COLOUR).strip()
    if not _COLOUR.match(colour):
        raise keyed_error(ValidationError, "segments.error.colour", colour=repr(colour))
    return colour.upper()


def free_name(store: Store, name: str) -> str:
    """`name`, or `name (2)`, `name (3)`… whichever no active segment uses."""
    taken = {
        r["n"] for r in store.query_rows("SELECT lower(name) AS n FROM segments WHERE NOT archived")
    }
    if name.lower() not in taken:
        return name
    n = 2
    while f"{name} ({n})".lower() in taken:
        n += 1
    return f"{name} ({n})"


def _taken_by(store: Store, name: str, except_id: int | None) -> int | None:
    return store.query_value(
        "SELECT id FROM segments WHERE lower(name) = lower(?) AND NOT archived AND id IS DISTINCT FROM ? LIMIT 1",
        [name, except_id],
    )


def save_rule_segment(
    store: Store,
    actor: Actor,
    *,
    name: str,
    rule: Mapping[str, Any] | str,
    description: str = "",
    colour: str | None = None,
    segment_id: int | None = None,
    expected_version: int | None = None,
    overwrite: bool = False,
) -> Segment:
    """Create a rule segment, or update `segment_id`; a name in use raises SegmentNameTaken unless `overwrite`."""
    name = _clean_name(name)
    definition = normalize_rule(rule, store)
    description = (description or "").strip()[:MAX_DESCRIPTION]
    values = {
        "name": name,
        "kind": "rule",
        "definition": json.dumps(definition, ensure_ascii=False),
        "description": description,
        "colour": _clean_colour(colour),
    }
    clash = _taken_by(store, name, segment_id)
    if clash is not None and not overwrite:
        raise SegmentNameTaken(name, free_name(store, name))
    with store.transaction(actor) as tx:
        if clash is not None:
            if segment_id is None:
                segment_id, expected_version = clash, None  # overwrite the one holding the name
            else:
                tx.update("segments", clash, {"archived": True})
        if segment_id is None:
            row = tx.insert("segments", values)
        else:
            row = tx.update("segments", segment_id, values, expected_version=expected_version)
            tx.execute("DELETE FROM segment_members WHERE segment_id = ?", [segment_id])
    return _segment(row, store)


def relabel_segment(
    store: Store, actor: Actor, segment: Segment, *, name: str, description: str, colour: str | None, overwrite: bool = False
) -> Segment:
    """Change a segment's name, description and colour only (a clustered segment keeps its members).

    A name another active segment holds raises SegmentNameTaken; with `overwrite`, that one is archived.
    """
    name = _clean_name(name)
    clash = _taken_by(store, name, segment.id)
    if clash is not None and not overwrite:
        raise SegmentNameTaken(name, free_name(store, name))
    with store.transaction(actor) as tx:
        if clash is not None:
            tx.update("segments", clash, {"archived": True})
        row = tx.update(
            "segments", segment.id,
            {"name": name, "description": (description or "").strip()[:MAX_DESCRIPTION], "colour": _clean_colour(colour)},
            expected_version=segment.version,
        )
    return _segment(row, store)


def duplicate_segment(store: Store, actor: Actor, segment: Segment) -> Segment:
    name = free_name(store, f"{segment.name} (copy)")
    with store.transaction(actor) as tx:
        row = tx.insert(
            "segments",
            {
                "name": name,
                "kind": segment.kind,
                "definition": json.dumps(segment.definition, ensure_ascii=False),
                "description": segment.description,
                "colour": segment.colour,
                "acv": segment.acv,
                "acv_currency": segment.acv_currency,
                "sam_share": segment.sam_share,
                "som_share": segment.som_share,
                "sensitivity": segment.sensitivity,
            },
        )
        if segment.kind == "cluster":
            tx.execute(
                "INSERT INTO segment_members SELECT ?, account_id FROM segment_members WHERE segment_id = ?",
                [row["id"], segment.id],
            )
            tx.audit("segment_members", row["id"], "bulk", None, {"copied_from": segment.id})
    return _segment(row, store)


def archive_segment(store: Store, actor: Actor, segment: Segment, *, archived: bool = True) -> Segment:
    with store.transaction(actor) as tx:
        row = tx.update("segments", segment.id, {"archived": archived}, expected_version=segment.version)
    return _segment(row, store)


def save_sizing(
    store: Store,
    actor: Actor,
    segment: Segment,
    *,
    acv: float,
    sam_share: float,
    som_share: float,
    sensitivity: float,
    currency: str = "EUR",
) -> Segment:
    """Store the segment's sizing assumptions (shares as fractions 0–1)."""
    if acv < 0:
        raise ValidationError("The expected annual contract value cannot be negative.")
    for label, share in (("serviceable", sam_share), ("obtainable", som_share), ("sensitivity", sensitivity)):
        if not 0 <= share <= 1:
            raise ValidationError(f"The {label} share must be between 0 % and 100 %.")
    with store.transaction(actor) as tx:
        row = tx.update(
            "segments",
            segment.id,
            {
                "acv": Decimal(str(round(acv, 2))),
                "acv_currency": currency,
                "sam_share": sam_share,
                "som_share": som_share,
                "sensitivity": sensitivity,
            },
            expected_version=segment.version,
        )
    return _segment(row, store)


def save_cluster_segments(
    store: Store,
    actor: Actor,
    *,
    names: Sequence[str],
    descriptions: Sequence[str],
    members: Sequence[Sequence[int]],
    definitions: Sequence[Mapping[str, Any]],
    colours: Sequence[str],
    overwrite: bool = False,
) -> list[Segment]:
    """Save clusters as segments with their stored member lists, in one transaction."""
    names = [_clean_name(n) for n in names]
    if len({n.lower() for n in names}) != len(names):
        raise keyed_error(ValidationError, "segments.error.same_cluster_names")
    clashes = [n for n in names if _taken_by(store, n, None) is not None]
    if clashes and not overwrite:
        raise SegmentNameTaken(clashes[0], free_name(store, clashes[0]))
    saved = []
    with store.transaction(actor) as tx:
        for name in clashes:
            old = tx.execute(
                "SELECT id FROM segments WHERE lower(name) = lower(?) AND NOT archived", [name]
            ).fetchall()
            for (old_id,) in old:
                tx.update("segments", old_id, {"archived": True})
        for name, description, ids, definition, colour in zip(names, descriptions, members, definitions, colours):
            row = tx.insert(
                "segments",
                {
                    "name": name,
                    "kind": "cluster",
                    "definition": json.dumps(definition, ensure_ascii=False),
                    "description": description[:MAX_DESCRIPTION],
                    "colour": _clean_colour(colour),
                },
            )
            # One bound list, not executemany: half a million members insert in a fraction of a second.
            tx.execute(
                "INSERT INTO segment_members SELECT ?, unnest(?::INTEGER[])", [row["id"], [int(i) for i in ids]]
            )
            tx.audit("segment_members", row["id"], "bulk", None, {"segment": name, "members": len(ids)})
            saved.append(_segment(row, store))
    return saved


# ---- weight sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightSet:
    id: int
    name: str
    weights: dict[str, float]
    version: int


# The matrix's weight sets; a prospect-score set is marked {"kind": "prospects", …} (research.segments.prospects).
_MATRIX_SETS = "coalesce(json_extract_string(weights, '$.kind'), 'matrix') = 'matrix'"


def list_weight_sets(store: Store, *, every_kind: bool = False) -> list[WeightSet]:
    """The matrix's weight sets (`every_kind`: the prospect-score sets too, as their stored JSON)."""
    kind = "" if every_kind else f" AND {_MATRIX_SETS}"
    rows = store.query_rows(f"SELECT * FROM segment_weight_sets WHERE NOT archived{kind} ORDER BY lower(name)")
    return [WeightSet(int(r["id"]), r["name"], json.loads(r["weights"]), int(r["version"])) for r in rows]


def save_weight_set(store: Store, actor: Actor, name: str, weights: Mapping[str, float]) -> WeightSet:
    """Save weights under a name; an existing name gets a new version (the audit log keeps the old)."""
    name = _clean_name(name)
    clean = {}
    for key, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ValidationError(f"The weight of {key} must be a number from 0 to 100.")
        clean[str(key)] = float(value)
    payload = json.dumps(clean, sort_keys=True)
    existing = store.query_value(
        f"SELECT id FROM segment_weight_sets WHERE lower(name) = lower(?) AND NOT archived AND {_MATRIX_SETS}", [name]
    )
    with store.transaction(actor) as tx:
        if existing is None:
            row = tx.insert("segment_weight_sets", {"name": name, "weights": payload})
        else:
            row = tx.update("segment_weight_sets", existing, {"weights": payload})
    return WeightSet(int(row["id"]), row["name"], json.loads(row["weights"]), int(row["version"]))


def definitions_document(store: Store) -> dict[str, Any]:
    """Every segment definition and weight set, for export alongside the workspace."""
    return {
        "segments": [
            {
                "name": s.name,
                "kind": s.kind,
                "definition": s.definition,
                "description": s.description,
                "colour": s.colour,
                "acv": None if s.acv is None else str(s.acv),
                "acv_currency": s.acv_currency,
                "sam_share": s.sam_share,
                "som_share": s.som_share,
                "sensitivity": s.sensitivity,
                "archived": s.archived,
            }
            for s in list_segments(store, include_archived=True)
        ],
        "weight_sets": [{"name": w.name, "weights": w.weights, "version": w.version}
                        for w in list_weight_sets(store, every_kind=True)],
    }
