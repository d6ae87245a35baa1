"""The point-and-click builder: a table or view, filters, group by, measures, sort, limit → one SELECT.

Identifiers are checked against the workspace's columns and quoted with the
store's one quoting helper; filter values become named parameters (`$category`),
so the generated SQL is bound, readable, editable, and saves as a parameterised query.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from research.errors import ValidationError
from research.query.saved import ParamSpec, coerce_value
from research.query.statements import keyed
from research.store import quote_ident

OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "contains")
MEASURES = ("count", "sum", "avg", "min", "max", "share")
NUMERIC_TYPES = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)", re.IGNORECASE)
DATE_TYPES = re.compile(r"^(DATE|TIMESTAMP)", re.IGNORECASE)
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class Measure:
    func: str
    column: str | None = None  # None: count of rows (count, share)

    @property
    def alias(self) -> str:
        if self.column is None:
            return "rows" if self.func == "count" else f"{self.func}_rows"
        return f"{self.func}_{self.column}"


@dataclass(frozen=True)
class BuilderSpec:
    source: str
    filters: tuple[Filter, ...] = ()
    group_by: tuple[str, ...] = ()
    measures: tuple[Measure, ...] = ()
    sort: str | None = None
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    columns: tuple[str, ...] = field(default=())  # shown columns when nothing is grouped or measured


@dataclass(frozen=True)
class BuiltQuery:
    sql: str
    params: dict[str, Any]
    specs: tuple[ParamSpec, ...]


def is_numeric(type_name: str) -> bool:
    return bool(NUMERIC_TYPES.match(type_name or ""))


def _typed_value(column: str, type_name: str, value: Any) -> tuple[Any, str]:
    """The filter value typed after its column (numbers for numeric columns, dates for date columns)."""
    if is_numeric(type_name):
        return coerce_value(ParamSpec(column, "number"), value), "number"
    if DATE_TYPES.match(type_name or ""):
        parsed = coerce_value(ParamSpec(column, "date"), value)
        return parsed, "date"
    if (type_name or "").upper() == "BOOLEAN":
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise keyed(ValidationError, "query.builder.error.bool", column=column, value=repr(value))
        return text, "text"
    return str(value), "text"


def build_sql(spec: BuilderSpec, columns: dict[str, str]) -> BuiltQuery:
    """The SELECT for `spec`; `columns` maps the source's column names to their DuckDB types."""
    if not columns:
        raise keyed(ValidationError, "query.builder.error.source", source=repr(spec.source))

    def known(column: str) -> str:
        if column not in columns:
            raise keyed(ValidationError, "query.builder.error.column", source=spec.source, column=repr(column))
        return quote_ident(column)

    where: list[str] = []
    params: dict[str, Any] = {}
    specs: list[ParamSpec] = []
    for f in spec.filters:
        if f.op not in OPERATORS:
            raise keyed(ValidationError, "query.builder.error.op", op=repr(f.op), known=", ".join(OPERATORS))
        col = known(f.column)
        name = _param_name(f.column, params)
        if f.op == "contains":
            params[name] = str(f.value)
            where.append(f"CAST({col} AS VARCHAR) ILIKE '%' || ${name} || '%'")
            specs.append(ParamSpec(name, "text", str(f.value)))
            continue
        value, kind = _typed_value(f.column, columns[f.column], f.value)
        params[name] = value
        if (columns[f.column] or "").upper() == "BOOLEAN":
            where.append(f"{col} {f.op} CAST(${name} AS BOOLEAN)")
        else:
            where.append(f"{col} {f.op} ${name}")
        specs.append(ParamSpec(name, kind, value.isoformat() if isinstance(value, dt.date) else str(value)))

    select: list[str] = []
    group = [known(c) for c in spec.group_by]
    measures = list(spec.measures)
    if group and not measures:
        measures = [Measure("count")]
    outputs: list[str] = list(spec.group_by)
    for m in measures:
        if m.func not in MEASURES:
            raise keyed(ValidationError, "query.builder.error.measure", measure=repr(m.func), known=", ".join(MEASURES))
        if m.column is None and m.func not in ("count", "share"):
            raise keyed(ValidationError, "query.builder.error.needs_column", measure=m.func)
        if m.column is not None and m.func in ("sum", "avg", "share") and not is_numeric(columns.get(m.column, "")):
            known(m.column)
            raise keyed(ValidationError, "query.builder.error.numeric", measure=m.func, column=m.column,
                        type=columns[m.column])
        measured = known(m.column) if m.column else None
        if m.func == "count":
            expr = f"count({measured})" if measured else "count(*)"
        elif m.func == "share":
            inner = f"sum({measured})" if measured else "count(*)"
            expr = f"round(100.0 * {inner} / sum({inner}) OVER (), 2)"
        elif m.func == "avg":
            expr = f"round(avg({measured}), 2)"
        else:
            expr = f"{m.func}({measured})"
        select.append(f"{expr} AS {quote_ident(m.alias)}")
        outputs.append(m.alias)
    if not group and not measures:
        shown = [known(c) for c in spec.columns] or ["*"]
        select = shown
        outputs = list(spec.columns) or list(columns)
    else:
        select = group + select

    sql = f"SELECT {', '.join(select)}\nFROM {quote_ident(spec.source)}"
    if where:
        sql += "\nWHERE " + "\n  AND ".join(where)
    if group:
        sql += "\nGROUP BY " + ", ".join(group)
    if spec.sort:
        if spec.sort not in outputs:
            raise keyed(ValidationError, "query.builder.error.sort", column=repr(spec.sort))
        sql += f"\nORDER BY {quote_ident(spec.sort)} {'DESC' if spec.descending else 'ASC'}"
    limit = int(spec.limit)
    if limit < 1:
        raise keyed(ValidationError, "query.builder.error.limit")
    sql += f"\nLIMIT {limit}"
    return BuiltQuery(sql=sql, params=params, specs=tuple(specs))


def _param_name(column: str, taken: dict[str, Any]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", column).lower() or "value"
    name, n = base, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    return name
