"""Exports for spreadsheets: an entity as CSV whose formula-looking text cannot run as a formula.

Text cells starting with = + - @ tab or CR get a leading ' (OWASP ASVS 1.2.10,
CWE-1236); the import takes that ' off again, so export -> edit -> import keeps the
text exactly. Reference columns carry the referenced row's label (company name,
product SKU), which the import resolves back to ids.
"""

from __future__ import annotations

import pandas as pd

from research.access import Actor, require
from research.data.entities import Entity
from research.data.grid import _select_list, bookkeeping_columns
from research.exports import csv_bytes, neutralise
from research.store.core import Store, quote_ident

EXPORT_MAX_ROWS = 1_000_000


def export_frame(store: Store, entity: Entity, *, actor: Actor = "local") -> pd.DataFrame:
    """An entity's rows for a spreadsheet (raw data: editors and admins)."""
    require(actor, "export")
    keep = ", ".join(f"t.{c}" for c in bookkeeping_columns(entity) if c == "id")
    select = f"{keep}, {_select_list(entity)}" if keep else _select_list(entity)
    order = ", ".join(f"t.{part}" for part in entity.order_by.split(", "))
    frame = store.query_df(f"SELECT {select} FROM {quote_ident(entity.table)} t ORDER BY {order} LIMIT ?", [EXPORT_MAX_ROWS])
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].map(neutralise)
    return frame


def export_csv(store: Store, entity: Entity, *, actor: Actor = "local") -> bytes:
    """UTF-8 with BOM (Excel reads Cyrillic correctly), comma-separated, ISO dates; the one safe CSV writer."""
    return csv_bytes(export_frame(store, entity, actor=actor), date_format="%Y-%m-%d")
