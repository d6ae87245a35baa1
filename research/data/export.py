"""Exports for spreadsheets: an entity as CSV whose formula-looking text cannot run as a formula.

Text cells starting with = + - @ tab or CR get a leading ' (OWASP ASVS 1.2.10,
CWE-1236); the import takes that ' off again, so export -> edit -> import keeps the
text exactly. Reference columns carry the referenced row's label (company name,
product SKU), which the import resolves back to ids.

Given `research.data.fields.entity_for(store, name)`, the workspace's custom fields are
exported too, headed by their label in the reader's language ("Fortune rank"), which the
import's mapping finds again (a custom field's labels are its aliases). A label that
would map to another field, repeat another header or need a `'` in front is replaced
by the field's column name, so every exported file imports back into the same fields.
"""

from __future__ import annotations

import pandas as pd

from research.access import Actor, require
from research.data.entities import Entity
from research.data.grid import _select_list, bookkeeping_columns
from research.data.mapping import fold
from research.exports import csv_bytes, neutralise, neutralise_csv
from research.store.core import Store
from research.store.sql import quote_ident

EXPORT_MAX_ROWS = 1_000_000


def export_headers(entity: Entity, lang: str = "en") -> dict[str, str]:
    """column -> header: built-in fields keep their column name, custom fields get their label."""
    headers = {f.name: f.name for f in entity.fields}
    # Every name and alias the import's mapping matches exactly, and the fields that claim it.
    claimed: dict[str, set[str]] = {"id": {"id"}}
    for f in entity.fields:
        for alias in (f.name, *f.aliases):
            if fold(alias):
                claimed.setdefault(fold(alias), set()).add(f.name)
    for f in entity.fields:
        if not f.custom:
            continue
        label = f.label(lang)
        key = fold(label)
        taken = {fold(h) for name, h in headers.items() if name != f.name}
        if key and claimed.get(key, {f.name}) == {f.name} and key not in taken and neutralise_csv(label) == label:
            headers[f.name] = label
    return headers


def export_frame(store: Store, entity: Entity, *, actor: Actor = "local", lang: str = "en") -> pd.DataFrame:
    """An entity's rows for a spreadsheet (raw data: editors and admins)."""
    require(actor, "export")
    keep = ", ".join(f"t.{c}" for c in bookkeeping_columns(entity) if c == "id")
    select = f"{keep}, {_select_list(entity)}" if keep else _select_list(entity)
    order = ", ".join(f"t.{part}" for part in entity.order_by.split(", "))
    frame = store.query_df(f"SELECT {select} FROM {quote_ident(entity.table)} t ORDER BY {order} LIMIT ?", [EXPORT_MAX_ROWS])
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].map(neutralise)
    return frame.rename(columns=export_headers(entity, lang))


def export_csv(store: Store, entity: Entity, *, actor: Actor = "local", lang: str = "en") -> bytes:
    """UTF-8 with BOM (Excel reads Cyrillic correctly), comma-separated, ISO dates; the one safe CSV writer."""
    return csv_bytes(export_frame(store, entity, actor=actor, lang=lang), date_format="%Y-%m-%d")
