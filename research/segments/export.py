"""Member lists of a segment, with every account's segments, and formula-safe CSV/Excel files.

The workspace's custom account fields come after the built-in columns, as stored (money in
the row's `revenue_currency`, like `annual_revenue`); `export_members` heads them by their
label in the reader's language (`custom_headers`), and the writers neutralise those headers
like every other text.

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
from research.data.fields import CustomField, list_fields
from research.errors import ValidationError
from research.exports import csv_bytes, neutralise, safe_filename, xlsx_bytes, xml_safe
from research.segments.rules import ACCOUNTS_SQL, Compiled, accounts_sql, condition_columns
from research.segments.saved import Segment, list_segments
from research.store import Store, quote_ident

EXPORT_LIMIT = 1_000_000  # below Excel's 1,048,576 rows
IDS_FIRST_MAX = 10_000  # a preview (20 rows) picks its ids first; an export reads its rows in one pass

MEMBERS_SQL = """
SELECT s.id, s.name, s.vat_id, s.website, s.country, s.region, s.city, s.industry, s.employees,
       s.annual_revenue, s.revenue_currency, s.status, s.owner, c.name AS supplier, s.contact_person,
       s.first_contact{custom}, {memberships} AS segments
FROM ({base}) s LEFT JOIN companies c ON c.id = s.supplier_id
WHERE {cond}{where}
ORDER BY s.revenue_eur DESC NULLS LAST, s.name, s.id
LIMIT ?
"""

# The ids of the first members, over only the columns the condition and the order read: at 5 M
# accounts the full base row (and every saved segment's membership) is then built for the
# `limit` rows shown, not for every member.
MEMBER_IDS_SQL = """
SELECT s.id FROM ({base}) s
WHERE {cond}
ORDER BY s.revenue_eur DESC NULLS LAST, s.name, s.id
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


# The columns MEMBERS_SQL names itself; a custom field of the same name ("segments") is
# selected under a positional alias and renamed `<name>_field` in the frame.
MEMBER_COLUMNS = (
    "id", "name", "vat_id", "website", "country", "region", "city", "industry", "employees", "annual_revenue",
    "revenue_currency", "status", "owner", "supplier", "contact_person", "first_contact", "segments",
)


def first_member_ids(store: Store, condition: Compiled, read: set[str], custom: Sequence[str], limit: int) -> list[int]:
    """The ids of the first `limit` members in MEMBERS_SQL's order (EUR revenue, largest first).

    Ordering 5 M rows by `revenue_eur` converts every revenue to EUR (a join with the rates) and
    reads every name for the tie-break: about a second. So a lower bound of the answer's smallest
    EUR revenue comes first: the EUR revenues of the `limit` largest revenues as stored (a plain
    top-N over one column). Any member of the answer has at least that EUR revenue, hence a
    stored revenue of at least bound × the smallest rate, a filter DuckDB applies in the scan.
    The bounded query then orders the few rows left exactly as the full one would.
    """
    raw = accounts_sql(read | {"id", "annual_revenue"}, custom)
    top = [int(r["id"]) for r in store.query_rows(
        f"SELECT s.id FROM ({raw}) s WHERE {condition.sql} AND s.annual_revenue IS NOT NULL "
        "ORDER BY s.annual_revenue DESC LIMIT ?", [*condition.params, limit])]
    narrow = accounts_sql(read | {"id", "name", "revenue_eur", "annual_revenue"}, custom)
    bound = None
    if len(top) == limit:  # fewer: members without a revenue are in the answer, ordered by name
        found = store.query_value(
            f"SELECT min(s.revenue_eur) FROM ({accounts_sql({'id', 'revenue_eur'})}) s "
            "WHERE s.id IN (SELECT unnest(?::INTEGER[]))", [top])
        smallest_rate = store.query_value("SELECT least(1, min(per_eur)) FROM exchange_rates")
        if found is not None and found > 0 and smallest_rate is not None:
            # A hair lower than exact, so no rounding of the division can drop a member.
            bound = (float(found) * (1 - 1e-9), float(found) * float(smallest_rate) * (1 - 1e-9))
    if bound is None:
        sql, params = MEMBER_IDS_SQL.format(base=narrow, cond=condition.sql), [*condition.params, limit]
    else:
        sql = MEMBER_IDS_SQL.format(base=narrow, cond=f"({condition.sql}) AND s.revenue_eur >= ? AND s.annual_revenue >= ?")
        params = [*condition.params, *bound, limit]
    return [int(r["id"]) for r in store.query_rows(sql, params)]


def member_fields(store: Store) -> list[CustomField]:
    """The custom account fields a member list carries, in the registry's order."""
    return list_fields(store, "accounts")


def _frame_name(field: CustomField) -> str:
    return f"{field.name}_field" if field.name in MEMBER_COLUMNS else field.name


def members(store: Store, condition: Compiled, *, limit: int = EXPORT_LIMIT,
            custom: Sequence[CustomField] | None = None) -> pd.DataFrame:
    """The accounts of a segment (largest first) with their custom fields (by column name) and the
    names of all their segments. `custom`: the fields to carry (default: every custom account field)."""
    custom = member_fields(store) if custom is None else list(custom)
    memberships, m_params = membership_sql(list_segments(store))
    # Only registry names reach SQL, quoted; the alias is positional so no name can collide.
    columns = "".join(f", s.{quote_ident(f.name)} AS _c{i}" for i, f in enumerate(custom))
    names = [f.name for f in member_fields(store)]
    read = condition_columns(condition.sql, names)
    where, w_params = "", []
    if read is not None and limit <= IDS_FIRST_MAX:
        ids = first_member_ids(store, condition, read, names, limit)
        where, w_params = " AND s.id IN (SELECT unnest(?::INTEGER[]))", [ids]
    sql = MEMBERS_SQL.format(memberships=memberships, base=ACCOUNTS_SQL, cond=condition.sql, custom=columns,
                             where=where)
    frame = store.query_df(sql, [*m_params, *condition.params, *w_params, limit])
    return frame.rename(columns={f"_c{i}": _frame_name(f) for i, f in enumerate(custom)})


def custom_headers(fields: Sequence[CustomField], lang: str) -> dict[str, str]:
    """Frame column -> header for the custom fields: the label in `lang` (control characters removed);
    a label that repeats another header (any case) gets the column name added: "Name (name_2)"."""
    taken = {c.casefold() for c in MEMBER_COLUMNS}
    headers = {}
    for f in fields:
        label = " ".join(xml_safe(f.label(lang)).split()) or f.name
        if label.casefold() in taken:
            label = f"{label} ({f.name})"
        taken.add(label.casefold())
        headers[_frame_name(f)] = label
    return headers


def export_members(store: Store, condition: Compiled, *, actor: Actor = "local", limit: int = EXPORT_LIMIT,
                   lang: str = "en") -> pd.DataFrame:
    """The members of a segment for a CSV/Excel file (raw account data: editors and admins); custom
    fields headed by their label in `lang`."""
    require(actor, "export")
    custom = member_fields(store)
    return members(store, condition, limit=limit, custom=custom).rename(columns=custom_headers(custom, lang))


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
