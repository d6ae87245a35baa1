"""The feature matrix's writes: validated, audited cell edits, new features and the demo rows.

Cells are `company_features` rows; a missing row reads as "unknown". Every save
is one transaction with one audit row per changed cell, and carries the version
each cell had when the editor loaded it, so two people saving the same cell do not
silently overwrite each other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from research.access import Actor
from research.compare.data import FEATURE_VALUES
from research.errors import ConflictError, ValidationError
from research.i18n import keyed_error
from research.store import Store, Transaction
from research.store.core import single_value

MAX_NOTE = 500
MAX_NAME = 120
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class CellEdit:
    """One edited cell: the value, note and source URL a company has for a feature."""

    feature_id: int
    company_id: int
    value: str
    note: str | None = None
    source_url: str | None = None
    cell_id: int | None = None  # the company_features row, when one existed at load time
    version: int | None = None  # its version at load time


def _clean_text(text: Any, limit: int, what: str) -> str | None:
    """Text without control characters, None when empty; `what` (source_url, note, name, category) names the
    field in the error (catalog key compare.error.too_long.<what>)."""
    if text is None or (isinstance(text, float) and text != text):  # NaN from an emptied editor cell
        return None
    cleaned = _CONTROL.sub("", str(text)).strip()
    if len(cleaned) > limit:
        raise keyed_error(ValidationError, f"compare.error.too_long.{what}", length=f"{len(cleaned):,}", limit=f"{limit:,}")
    return cleaned or None


def _clean_url(url: Any) -> str | None:
    cleaned = _clean_text(url, 2_000, "source_url")
    if cleaned and not re.match(r"^https?://[^\s]+$", cleaned, re.I):
        raise keyed_error(ValidationError, "compare.error.source", source=cleaned[:80], http="http://", https="https://")
    return cleaned


def validate_edit(edit: CellEdit) -> CellEdit:
    value = (edit.value or "").strip().lower() if isinstance(edit.value, str) else ""
    if value not in FEATURE_VALUES:
        raise keyed_error(ValidationError, "compare.error.value", value=str(edit.value)[:40],
                          values=", ".join(FEATURE_VALUES))
    return CellEdit(
        edit.feature_id, edit.company_id, value, _clean_text(edit.note, MAX_NOTE, "note"), _clean_url(edit.source_url),
        edit.cell_id, edit.version,
    )


def save_cells(store: Store, actor: Actor, edits: Iterable[CellEdit]) -> int:
    """Write edited cells in one audited transaction; returns how many rows changed.

    Every edit is validated before anything is written: one bad cell saves nothing.
    A cell whose row changed (or appeared) since it was loaded raises ConflictError.
    """
    cleaned = [validate_edit(e) for e in edits]
    if not cleaned:
        return 0
    changed = 0
    with store.transaction(actor) as tx:
        for edit in cleaned:
            values = {"value": edit.value, "note": edit.note, "source_url": edit.source_url}
            if edit.cell_id is not None:
                row = tx.update("company_features", edit.cell_id, values, expected_version=edit.version)
                changed += 1
                continue
            existing = tx.execute(
                "SELECT id FROM company_features WHERE feature_id = ? AND company_id = ?", [edit.feature_id, edit.company_id]
            ).fetchone()
            if existing:
                raise keyed_error(ConflictError, "compare.error.cell_conflict")
            row = tx.insert("company_features", {"feature_id": edit.feature_id, "company_id": edit.company_id, **values})
            changed += 1 if row else 0
    return changed


def add_feature(store: Store, actor: Actor, name: str, category: str, product_category: str | None = None) -> dict[str, Any]:
    """A new feature row (every company starts as unknown); names are unique per category."""
    clean_name = _clean_text(name, MAX_NAME, "name")
    clean_category = _clean_text(category, MAX_NAME, "category")
    if not clean_name or not clean_category:
        raise keyed_error(ValidationError, "compare.error.feature_missing")
    taken = store.query_value(
        "SELECT count(*) FROM features WHERE NOT archived AND lower(name) = lower(?) AND lower(category) = lower(?)",
        [clean_name, clean_category],
    )
    if taken:
        raise keyed_error(ValidationError, "compare.error.feature_taken", feature=clean_name, category=clean_category)
    position = int(store.query_value("SELECT coalesce(max(position), 0) + 1 FROM features") or 1)
    with store.transaction(actor) as tx:
        return tx.insert(
            "features",
            {"name": clean_name, "category": clean_category,
             "product_category": _clean_text(product_category, MAX_NAME, "product category"), "position": position},
        )


# ---- demo rows ------------------------------------------------------------------------------

# (category, feature, product category or None, capability it follows, score needed for "yes")
DEMO_FEATURES: tuple[tuple[str, str, str | None, str, int], ...] = (
    ("Ordering & service", "Online ordering portal", None, "Digital ordering", 4),
    ("Ordering & service", "EDI / ERP integration", None, "Digital ordering", 5),
    ("Ordering & service", "Dedicated account manager", None, "Service & support", 4),
    ("Ordering & service", "24/7 support hotline", None, "Service & support", 5),
    ("Ordering & service", "Vendor-managed inventory", None, "Service & support", 5),
    ("Ordering & service", "Volume rebates", None, "Price competitiveness", 3),
    ("Ordering & service", "Price-lock contracts (12 months)", None, "Price competitiveness", 5),
    ("Delivery", "48-hour delivery in Serbia", None, "Delivery speed", 4),
    ("Delivery", "Same-day dispatch", None, "Delivery speed", 5),
    ("Delivery", "Warehouses in 5+ countries", None, "Regional coverage", 4),
    ("Delivery", "Pallet pooling and returns", "Pallets", "Regional coverage", 3),
    ("Product & design", "Custom printing", "Corrugated boxes", "Custom design", 4),
    ("Product & design", "Structural design service", "Corrugated boxes", "Custom design", 5),
    ("Product & design", "Food-contact certification", "Corrugated boxes", "Product range", 3),
    ("Product & design", "UN-approved dangerous-goods packaging", "IBC containers", "Product range", 4),
    ("Product & design", "Pre-stretched film range", "Stretch film", "Product range", 3),
    ("Sustainability", "FSC-certified board", "Corrugated boxes", "Sustainability", 3),
    ("Sustainability", "Recycled-content film (30 %+)", "Stretch film", "Sustainability", 4),
    ("Sustainability", "Take-back programme", None, "Sustainability", 5),
    ("Sustainability", "Carbon footprint per product", None, "Sustainability", 4),
)

_DEMO_NOTES = {
    ("yes", "Online ordering portal"): "Catalogue, reorders and invoices online.",
    ("partial", "Dedicated account manager"): "Only for accounts above 50,000 EUR a year.",
    ("partial", "Custom printing"): "Up to two colours, minimum order 5,000 pieces.",
    ("no", "Same-day dispatch"): "Next-day dispatch at best (sales call).",
}


def _draw(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and the cell, so one seed gives the same matrix."""
    digest = hashlib.sha256("|".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def demo_feature_value(score: float | None, needed: int, draw: float, is_us: bool) -> str:
    """yes at the needed score, partial one below, else no; a few competitor cells stay unknown."""
    if score is None or (not is_us and draw < 0.07):
        return "unknown"
    if score >= needed:
        return "yes"
    return "partial" if score >= needed - 1 else "no"


def seed_demo_features(store: Store, seed: int = 42, *, actor: Actor = "demo") -> int:
    """Fill the feature matrix of an existing workspace (`compare seed-features`); see `add_demo_features`."""
    if store.query_value("SELECT count(*) FROM features"):
        return 0
    with store.transaction(actor) as tx:
        cells = add_demo_features(tx, seed)
        tx.audit("company_features", None, "bulk", None, {"demo_features_seed": seed, "cells": cells})
    return cells


def add_demo_features(tx: Transaction, seed: int = 42) -> int:
    """The demo's feature matrix, written inside the caller's transaction (the demo build's own).

    Values follow each company's score on the related capability, so the matrix,
    the radar and the advantage summary tell the same story. Reads through `tx`,
    so it sees the rows the same transaction has just written. Ids are explicit
    and no per-row audit is written, as for the rest of the demo market: one seed
    gives identical rows, and the build records one bulk audit row. Returns the
    number of cells written.
    """
    scores: Mapping[tuple[int, str], float] = {
        (int(company_id), capability): float(score)
        for company_id, capability, score in tx.execute(
            "SELECT company_id, capability, score FROM capabilities"
        ).fetchall()
    }
    everyone = tx.execute("SELECT id, is_us FROM companies WHERE NOT archived ORDER BY id").fetchall()
    web_source = single_value(tx.execute("SELECT min(id) FROM sources WHERE kind = 'web'"))
    first_feature = int(single_value(tx.execute("SELECT coalesce(max(id), 0) FROM features"))) + 1
    first_cell = int(single_value(tx.execute("SELECT coalesce(max(id), 0) FROM company_features"))) + 1
    features: list[tuple[int, str, str, str | None, int]] = []
    cells: list[tuple[int, int, int, str, str | None, int | None]] = []
    for position, (category, name, product_category, capability, needed) in enumerate(DEMO_FEATURES, 1):
        feature_id = first_feature + position - 1
        features.append((feature_id, name, category, product_category, position))
        for company_id, is_us in everyone:
            value = demo_feature_value(scores.get((company_id, capability)), needed, _draw(seed, company_id, name), is_us)
            if value == "unknown":
                continue  # unknown is the absence of a row
            source = web_source if _draw(seed, "source", company_id, name) < 0.4 else None
            cells.append((first_cell + len(cells), feature_id, company_id, value, _DEMO_NOTES.get((value, name)), source))
    tx.execute(
        "INSERT INTO features (id, name, category, product_category, position) "
        "SELECT unnest($rows, recursive := true)",
        {"rows": [dict(zip(("id", "name", "category", "product_category", "position"), f)) for f in features]},
    )
    tx.execute(
        "INSERT INTO company_features (id, feature_id, company_id, value, note, source_id) "
        "SELECT unnest($rows, recursive := true)",
        {"rows": [dict(zip(("id", "feature_id", "company_id", "value", "note", "source_id"), c)) for c in cells]},
    )
    return len(cells)
