"""Domain values in the viewer's language: the workspace's own names for industries, regions, categories.

A workspace's industries, regions, product categories, units, capabilities and features
are text its data brought in, in one language. Table `value_labels` (migration 0016) gives
a value an English and a Serbian name; `labels_for(store, lang)` maps values to the names
a viewer of that language reads. The stored value stays the key everywhere (segment rules,
filters, saved slides, colours); only what is shown is mapped. A value without a name is
shown as it is stored.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from research.errors import ValidationError
from research.i18n import keyed_error, normalize_language
from research.permissions import Actor
from research.store import Store
from research.store.sql import quote_ident, sql_literal

# domain -> (table, column) whose distinct values it names
DOMAINS: dict[str, tuple[str, str]] = {
    "industry": ("accounts", "industry"),
    "region": ("accounts", "region"),
    "category": ("products", "category"),
    "unit": ("products", "unit"),
    "capability": ("capabilities", "capability"),
    "feature_category": ("features", "category"),
    "feature": ("features", "name"),
}
LABEL_MAX = 200
CSV_COLUMNS = ("domain", "value", "label_en", "label_sr")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


@dataclass(frozen=True)
class Labels:
    """Value -> shown name, per domain, in one language; call it like a function."""

    language: str
    names: Mapping[str, Mapping[str, str]]

    def __call__(self, domain: str, value: Any) -> str:
        if _blank(value):
            return ""
        text = str(value)
        return self.names.get(domain, {}).get(text, text)

    def series(self, domain: str, values: pd.Series) -> pd.Series:
        """`values` mapped to their names (blanks stay blank); the index is kept."""
        names = self.names.get(domain)
        if not names:
            return values
        return values.map(lambda v: v if _blank(v) else names.get(str(v), v))

    def frame(self, frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
        """A copy of `frame` with each `column` (present in the frame) mapped through its `domain`."""
        out = frame.copy()
        for column, domain in columns.items():
            if column in out.columns:
                out[column] = self.series(domain, out[column])
        return out

    def values(self, domain: str, values: Iterable[Any]) -> list[str]:
        return [self(domain, v) for v in values]


def _check_domain(domain: str) -> str:
    if domain not in DOMAINS:
        raise keyed_error(ValidationError, "labels.error.domain", domain=domain, known=", ".join(DOMAINS))
    return domain


def labels_for(store: Store, lang: str) -> Labels:
    """The names of domain values in `lang` (the English name where the Serbian one is missing)."""
    column = "coalesce(label_sr, label_en)" if normalize_language(lang) == "sr" else "label_en"
    rows = store.query_rows(f"SELECT domain, value, {column} AS name FROM value_labels WHERE {column} IS NOT NULL")
    names: dict[str, dict[str, str]] = {}
    for row in rows:
        names.setdefault(row["domain"], {})[row["value"]] = row["name"]
    return Labels(normalize_language(lang), names)


def list_labels(store: Store, domain: str | None = None, *, missing: bool = False) -> pd.DataFrame:
    """Every value in use (and every named one) with its names and how many rows use it.

    Columns: domain, value, label_en, label_sr, rows. `missing` keeps values without a Serbian name.
    """
    domains = [_check_domain(domain)] if domain else list(DOMAINS)
    used = " UNION ALL ".join(
        f"SELECT {sql_literal(d)} AS domain, CAST({quote_ident(c)} AS VARCHAR) AS value, count(*) AS rows "
        f"FROM {quote_ident(t)} WHERE {quote_ident(c)} IS NOT NULL GROUP BY ALL"
        for d, (t, c) in DOMAINS.items() if d in domains)
    frame = store.query_df(
        f"SELECT coalesce(u.domain, l.domain) AS domain, coalesce(u.value, l.value) AS value, l.label_en, l.label_sr, "
        f"coalesce(u.rows, 0) AS rows FROM ({used}) AS u "
        f"FULL JOIN (SELECT * FROM value_labels WHERE domain IN ({', '.join('?' for _ in domains)})) AS l "
        f"ON u.domain = l.domain AND u.value = l.value ORDER BY 1, 2", domains)
    if missing:
        frame = frame[frame["label_sr"].isna()]
    return frame.reset_index(drop=True)


def _name(value: Any, domain: str, of: str) -> str | None:
    if _blank(value):
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if len(text) > LABEL_MAX:
        raise keyed_error(ValidationError, "labels.error.too_long", value=of, domain=domain, max=LABEL_MAX)
    return text


def _rows(rows: Iterable[Mapping[str, Any] | tuple[Any, ...]]) -> list[tuple[str, str, str | None, str | None]]:
    """Rows checked: a known domain, a value, names of at most LABEL_MAX characters; one row per value."""
    checked: dict[tuple[str, str], tuple[str, str, str | None, str | None]] = {}
    for number, row in enumerate(rows, start=1):
        if isinstance(row, Mapping):
            domain, value, en, sr = (row.get(c) for c in CSV_COLUMNS)
        else:
            domain, value, en, sr = (tuple(row) + (None, None, None, None))[:4]
        domain = str(domain or "").strip()
        if domain not in DOMAINS:
            raise keyed_error(ValidationError, "labels.error.row_domain", row=number, domain=domain,
                              known=", ".join(DOMAINS))
        value = "" if _blank(value) else str(value)
        if not value.strip():
            raise keyed_error(ValidationError, "labels.error.row_value", row=number)
        checked[(domain, value)] = (domain, value, _name(en, domain, value), _name(sr, domain, value))
    return list(checked.values())


def set_labels(store: Store, actor: Actor, rows: Iterable[Mapping[str, Any] | tuple[Any, ...]]) -> int:
    """Give values their names (domain, value, label_en, label_sr), all or none, audited; returns rows changed.

    A row with both names empty removes the value's names (it is then shown as stored).
    """
    checked = _rows(rows)
    changed = 0
    with store.transaction(actor) as tx:
        for domain, value, en, sr in checked:
            found = tx.execute("SELECT id, label_en, label_sr FROM value_labels WHERE domain = ? AND value = ?",
                               [domain, value]).fetchone()
            if found is None:
                if en is None and sr is None:
                    continue
                tx.insert("value_labels", {"domain": domain, "value": value, "label_en": en, "label_sr": sr})
            elif en is None and sr is None:
                tx.delete("value_labels", found[0])
            elif (found[1], found[2]) != (en, sr):
                tx.update("value_labels", found[0], {"label_en": en, "label_sr": sr})
            else:
                continue
            changed += 1
    return changed


def set_label(store: Store, actor: Actor, domain: str, value: str, *, label_en: str | None = None,
              label_sr: str | None = None) -> int:
    """Name one value (a name left out keeps its stored one)."""
    _check_domain(domain)
    found = store.query_rows("SELECT label_en, label_sr FROM value_labels WHERE domain = ? AND value = ?",
                             [domain, value])
    old = found[0] if found else {"label_en": None, "label_sr": None}
    en = old["label_en"] if label_en is None else label_en
    sr = old["label_sr"] if label_sr is None else label_sr
    return set_labels(store, actor, [(domain, value, en, sr)])


def remove_label(store: Store, actor: Actor, domain: str, value: str) -> int:
    """Forget a value's names; refuses a value that has none."""
    _check_domain(domain)
    if not store.query_value("SELECT count(*) FROM value_labels WHERE domain = ? AND value = ?", [domain, value]):
        raise keyed_error(ValidationError, "labels.error.unknown", domain=domain, value=value)
    return set_labels(store, actor, [(domain, value, None, None)])


def read_csv(data: bytes | str | Path) -> list[dict[str, str]]:
    """Rows of a labels CSV (header domain,value,label_en,label_sr; UTF-8, BOM allowed)."""
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as e:
            raise keyed_error(ValidationError, "labels.error.file", file=str(data), reason=e.strerror or str(e)) from e
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if header[:2] != ["domain", "value"] or not {"label_en", "label_sr"} & set(header):
        raise keyed_error(ValidationError, "labels.error.header", columns=", ".join(CSV_COLUMNS),
                          found=", ".join(header) or "–")
    return [{k.strip(): v for k, v in row.items() if k} for row in reader]


def to_csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    frame.loc[:, list(CSV_COLUMNS)].to_csv(out, index=False)
    return out.getvalue()
