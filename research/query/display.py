"""What a query result looks like to a person: columns named in words, domain values and codes by their names.

A result's columns are the names its SQL gave them and its cells the workspace's stored
values. For what is shown (the table on the Query page, the auto-chart, a slide) columns
get titles in the viewer's language (`column_title`) and domain values their names
(`shown_values`: industries, regions, categories… through research.data.labels; fixed
codes such as a status through the catalog). The result itself keeps the stored values:
exports, parameters and saved queries never see a translated value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from research.charts.query import humanise
from research.data.labels import DOMAINS, Labels
from research.i18n import MESSAGES, t

# Builder measure aliases (research.query.builder.Measure.alias): avg_list_price → "Average list price".
MEASURE_PREFIXES = ("count", "sum", "avg", "min", "max", "share")
# Fixed codes shown by their catalog labels when every value of a column so named is one of them.
CODE_COLUMNS = {
    "status": "status.",
    "price_positioning": "competitors.positioning.",
    "quadrant": "swot.quadrant.",
    "confidence": "swot.confidence.",
}
DISTINCT_LOOKED_AT = 2000  # distinct values of a column compared with the labels (a result holds ≤ 10,000 rows)


def _lower_first(text: str) -> str:
    """"List price" → "list price" inside a sentence; "VAT number" stays as it is."""
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1:2].islower() else text


def _known_title(name: str, lang: str, labels: Mapping[str, str] | None) -> str | None:
    if labels and name in labels:
        return labels[name]
    for key in (f"query.column.{name.lower()}", f"data.field.{name.lower()}"):
        if key in MESSAGES:
            return t(key, lang)
    return None


def column_title(name: str | None, lang: str = "en", labels: Mapping[str, str] | None = None) -> str:
    """An axis, legend or tooltip title for a result column, in `lang`.

    A custom field's label (`labels`: column → label in `lang`), else the catalog's name for
    a known column (`query.column.*`, then the data grid's `data.field.*`), else a builder
    measure over a known column ("Average list price"), else the name turned into words.
    """
    if not name:
        return ""
    text = str(name)
    known = _known_title(text, lang, labels)
    if known:
        return known
    func, _, rest = text.partition("_")
    if func.lower() in MEASURE_PREFIXES and rest:
        inner = _known_title(rest, lang, labels)
        if inner:
            return t(f"query.axis.{func.lower()}", lang, column=_lower_first(inner))
    return humanise(text)


def column_titles(columns: Iterable[str], lang: str, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """`column_title` of every column: what research.charts.query.build_chart takes as `titles`."""
    return {str(c): column_title(str(c), lang, labels) for c in columns}


def _domain_of(column: str, distinct: set[str], labels: Labels) -> str | None:
    """The label domain whose named values this column holds: most of its values, or some under a domain's name."""
    best, best_hits = None, 0
    lowered = column.lower()
    for domain, (_, domain_column) in DOMAINS.items():
        named = labels.names.get(domain)
        if not named:
            continue
        hits = len(distinct & named.keys())
        hinted = lowered in (domain, domain_column)
        if hits and (hits > best_hits or (hits == best_hits and hinted)):
            best, best_hits = domain, hits
    if best is None:
        return None
    hinted = lowered in (best, DOMAINS[best][1])
    return best if hinted or best_hits * 2 > len(distinct) else None


def shown_values(frame: pd.DataFrame, labels: Labels | None, lang: str) -> pd.DataFrame:
    """The result as a person reads it: domain values by their names, fixed codes by their catalog labels.

    A text column whose values are mostly named values of one label domain (or some, when
    the column is named like the domain) is mapped through `labels`; a `status`, `quadrant`…
    column whose every value is a known code through the catalog. Other columns, and
    `frame` itself, are left as they are.
    """
    out = frame
    for column in frame.columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        distinct = {v for v in series.dropna().unique()[:DISTINCT_LOOKED_AT] if isinstance(v, str)}
        if not distinct:
            continue
        mapped: pd.Series | None = None
        prefix = CODE_COLUMNS.get(str(column).lower())
        if prefix and all(prefix + v in MESSAGES for v in distinct):
            names = {v: t(prefix + v, lang) for v in distinct}
            mapped = series.map(lambda v, names=names: names.get(v, v) if isinstance(v, str) else v)
        elif labels is not None:
            domain = _domain_of(str(column), distinct, labels)
            if domain:
                mapped = labels.series(domain, series)
        if mapped is not None:
            if out is frame:
                out = frame.copy()
            out[column] = mapped
    return out
