"""Member lists of a segment, with every account's segments, and formula-safe CSV/Excel files.

The files come from research.exports (shared by every area): OWASP CSV-injection
guidance (CWE-1236), text cells starting with = + - @ tab or CR get a leading
apostrophe and Excel cells are plain strings, so no cell ever holds a live formula;
control characters are stripped from CSV text here and from Excel text there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from research.access import Actor, require
from research.errors import ValidationError
from research.exports import csv_bytes, neutralise, safe_filename, xlsx_bytes, xml_safe
from research.segments.rules import ACCOUNTS_SQL, Compiled
from research.segments.saved import Segment, list_segments
from research.store import Store

EXPORT_LIMIT = 1_000_000  # below Excel's 1,048,576 rows

MEMBERS_SQL = """
SELECT s.id, s.name, s.vat_id, s.website, s.country, s.region, s.city, s.industry, s.employees,
       s.annual_revenue, s.revenue_currency, s.status, s.owner, c.name AS supplier, s.contact_person,
       s.first_contact, {memberships} AS segments
FROM ({base}) s LEFT JOIN companies c ON c.id = s.supplier_id
WHERE {cond}
ORDER BY s.revenue_eur DESC NULLS LAST, s.name
LIMIT ?
"""


def membership_sql(segments: Sequence[Segment]) -> tuple[str, list[Any]]:
    """A list expression naming every saved segment the row `s` belongs to (segments overlap)."""
    if not segments:
        return "''", []
    parts, params = [], []
    for seg in segments:
        cond = seg.condition
        parts.append(f"CASE WHEN {cond.sql} THEN ? END")
        params.extend([*cond.params, seg.name])
    return f"array_to_string(list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL), '; ')", params


def members(store: Store, condition: Compiled, *, limit: int = EXPORT_LIMIT) -> pd.DataFrame:
    """The accounts of a segment (largest first) with the names of all their segments."""
    memberships, m_params = membership_sql(list_segments(store))
    sql = MEMBERS_SQL.format(memberships=memberships, base=ACCOUNTS_SQL, cond=condition.sql)
    return store.query_df(sql, [*m_params, *condition.params, limit])


def export_members(store: Store, condition: Compiled, *, actor: Actor = "local", limit: int = EXPORT_LIMIT) -> pd.DataFrame:
    """The members of a segment for a CSV/Excel file (raw account data: editors and admins)."""
    require(actor, "export")
    return members(store, condition, limit=limit)


def safe_text(value: Any) -> Any:
    """Neutralise a cell for spreadsheets: strip control characters, defuse formula starts."""
    return neutralise(xml_safe(value)) if isinstance(value, str) else value


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """research.exports.csv_bytes (formula-safe, BOM), with control characters stripped first."""
    clean = df.copy()
    for column in clean.columns:
        if clean[column].dtype == object or pd.api.types.is_string_dtype(clean[column]):
            clean[column] = clean[column].map(lambda v: xml_safe(v) if isinstance(v, str) else v)
    return csv_bytes(clean)


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "Members") -> bytes:
    if len(df) > EXPORT_LIMIT:
        raise ValidationError(f"Excel holds at most {EXPORT_LIMIT:,} rows; export CSV instead.")
    return xlsx_bytes(df, sheet)


def write_members(df: pd.DataFrame, path: str | Path) -> Path:
    """Write to .csv or .xlsx by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = to_csv_bytes(df)
    elif suffix == ".xlsx":
        data = to_xlsx_bytes(df)
    else:
        raise ValidationError(f"Export to .csv or .xlsx, not {suffix or 'a file without extension'}.")
    try:
        path.write_bytes(data)
    except OSError as e:
        raise ValidationError(f"Cannot write {path.name}: {e.strerror}.") from e
    return path


def safe_file_name(text: str, suffix: str) -> str:
    return safe_filename(text, suffix, fallback="segment")
