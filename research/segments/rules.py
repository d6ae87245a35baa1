"""The rule compiler: a segment's JSON rule tree to one parameterised DuckDB condition.

A rule is a tree of groups and conditions:

    {"op": "and", "items": [
        {"field": "region", "in": ["Western Balkans"]},
        {"field": "employees", "min": 250},
        {"op": "or", "items": [{"field": "industry", "in": ["Automotive"]}, ...]}]}

Values are always bound (`?`); the only identifiers that reach SQL are the field
columns of `FIELDS`, quoted through `research.store.quote_ident`. Conditions run
over `ACCOUNTS_SQL`, the accounts with their revenue in EUR and size bands.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from research.errors import ValidationError
from research.store import quote_ident

MAX_DEPTH = 4
MAX_CONDITIONS = 60
MAX_VALUES = 500

EMPLOYEE_BANDS = ("lt50", "50_249", "250_999", "1000plus")
REVENUE_BANDS = ("lt2m", "2m_10m", "10m_50m", "50mplus")

# The accounts a rule runs over: one row per active account, revenue converted to EUR
# at the newest rate of its currency, size bands, and keys for "unknown" values
# (no supplier = 0, no owner = '') so that a rule can ask for them with a bound value.
# Column name -> expression over `accounts a` and `r` (the newest rate of its currency).
_REVENUE_EUR = "a.annual_revenue / coalesce(r.per_eur, 1)"
BASE_COLUMNS: dict[str, str] = {
    "id": "a.id", "name": "a.name", "vat_id": "a.vat_id", "website": "a.website", "country": "a.country",
    "region": "a.region", "city": "a.city", "industry": "a.industry", "employees": "a.employees",
    "annual_revenue": "a.annual_revenue", "revenue_currency": "a.revenue_currency",
    "revenue_eur": f"CAST({_REVENUE_EUR} AS DOUBLE)",
    "status": "a.status", "owner": "a.owner", "owner_key": "coalesce(a.owner, '')",
    "supplier_id": "a.supplier_company_id", "supplier_key": "coalesce(a.supplier_company_id, 0)",
    "contact_person": "a.contact_person", "first_contact": "a.first_contact",
    "employee_band": "CASE WHEN a.employees IS NULL THEN NULL WHEN a.employees < 50 THEN 'lt50' "
                     "WHEN a.employees < 250 THEN '50_249' WHEN a.employees < 1000 THEN '250_999' ELSE '1000plus' END",
    "revenue_band": f"CASE WHEN a.annual_revenue IS NULL THEN NULL WHEN {_REVENUE_EUR} < 2000000 THEN 'lt2m' "
                    f"WHEN {_REVENUE_EUR} < 10000000 THEN '2m_10m' WHEN {_REVENUE_EUR} < 50000000 THEN '10m_50m' "
                    "ELSE '50mplus' END",
}
_RATES_JOIN = (
    "LEFT JOIN (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency) r\n"
    "       ON r.currency = a.revenue_currency\n"
)


def accounts_sql(columns: Iterable[str] | None = None) -> str:
    """ACCOUNTS_SQL, or the same rows with only `columns` (in BASE_COLUMNS order; rates joined only if needed).

    A narrow base binds and plans faster; its columns are the very expressions of the full one.
    """
    wanted = set(BASE_COLUMNS) if columns is None else set(columns)
    unknown = wanted - set(BASE_COLUMNS)
    if unknown:
        raise ValueError(f"Not columns of the accounts base: {sorted(unknown)}")
    picked = [(name, expr) for name, expr in BASE_COLUMNS.items() if name in wanted]
    select = ",\n       ".join(expr if expr == f"a.{name}" else f"{expr} AS {name}" for name, expr in picked)
    rates = _RATES_JOIN if any("r.per_eur" in expr for _, expr in picked) else ""
    return f"\nSELECT {select}\nFROM accounts a\n{rates}WHERE NOT a.archived\n"


ACCOUNTS_SQL = accounts_sql()

_COLUMN_REF = re.compile(r'\bs\.(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))')


_BARE_COLUMN = re.compile(r'(?<![\w."])(?:' + "|".join(BASE_COLUMNS) + r')(?![\w"])')


def condition_columns(sql: str) -> set[str] | None:
    """The base columns a condition reads (as `s.col` / `s."col"`), or None when unsure.

    Unsure = it reads a column that is not in the base, or names a base column without
    `s.` (which only the full base would resolve): such conditions run over ACCOUNTS_SQL.
    """
    found = {quoted or bare for quoted, bare in _COLUMN_REF.findall(sql)}
    if not found <= set(BASE_COLUMNS) or _BARE_COLUMN.search(_COLUMN_REF.sub("", sql)):
        return None
    return found


@dataclass(frozen=True)
class RuleField:
    name: str
    column: str  # a column of ACCOUNTS_SQL
    kind: str  # "category" (in / not_in lists) or "number" (min / max)
    value_type: type = str


FIELDS: dict[str, RuleField] = {
    f.name: f
    for f in (
        RuleField("region", "region", "category"),
        RuleField("country", "country", "category"),
        RuleField("city", "city", "category"),
        RuleField("industry", "industry", "category"),
        RuleField("employee_band", "employee_band", "category"),
        RuleField("revenue_band", "revenue_band", "category"),
        RuleField("status", "status", "category"),
        RuleField("owner", "owner_key", "category"),
        RuleField("supplier", "supplier_key", "category", int),
        RuleField("employees", "employees", "number", float),
        RuleField("revenue_eur", "revenue_eur", "number", float),
    )
}
CATEGORY_FIELDS = tuple(n for n, f in FIELDS.items() if f.kind == "category")
NUMBER_FIELDS = tuple(n for n, f in FIELDS.items() if f.kind == "number")


@dataclass(frozen=True)
class Compiled:
    """A boolean SQL condition over ACCOUNTS_SQL's columns and its bound values, in order."""

    sql: str
    params: list[Any] = field(default_factory=list)

    def and_(self, other: Compiled) -> Compiled:
        return Compiled(f"({self.sql}) AND ({other.sql})", [*self.params, *other.params])


MATCH_ALL = Compiled("TRUE")


def _category_values(rule_field: RuleField, values: Any) -> list[Any]:
    if not isinstance(values, (list, tuple)):
        raise ValidationError(f"The values of “{rule_field.name}” must be a list.")
    if len(values) > MAX_VALUES:
        raise ValidationError(f"“{rule_field.name}” lists more than {MAX_VALUES} values.")
    out: list[Any] = []
    for value in values:
        if rule_field.value_type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"“{rule_field.name}” takes company ids (0 = no known supplier), not {value!r}.")
        elif not isinstance(value, str):
            raise ValidationError(f"“{rule_field.name}” takes text values, not {value!r}.")
        out.append(value)
    return out


def _number(rule_field: RuleField, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"The {key} of “{rule_field.name}” must be a number, not {value!r}.")
    return float(value)


def _compile_condition(node: Mapping[str, Any]) -> Compiled | None:
    name = node.get("field")
    if name not in FIELDS:
        raise ValidationError(f"Segments cannot filter on {name!r}; use one of {', '.join(FIELDS)}.")
    rule_field = FIELDS[name]
    column = f"s.{quote_ident(rule_field.column)}"
    unknown = set(node) - {"field", "in", "not_in", "min", "max"}
    if unknown:
        raise ValidationError(f"Unknown parts in the condition on “{name}”: {', '.join(sorted(unknown))}.")
    if rule_field.kind == "category":
        parts: list[Compiled] = []
        if node.get("in"):
            values = _category_values(rule_field, node["in"])
            parts.append(Compiled(f"{column} IN ({', '.join('?' for _ in values)})", values))
        if node.get("not_in"):
            values = _category_values(rule_field, node["not_in"])
            # IS DISTINCT FROM keeps accounts whose value is unknown (NULL) in "not in" rules.
            parts.append(
                Compiled(" AND ".join(f"{column} IS DISTINCT FROM ?" for _ in values), values)
            )
        if "min" in node or "max" in node:
            raise ValidationError(f"“{name}” is a list of values, not a number range.")
        if not parts:
            return None  # an empty pick means "any": the condition drops out
        return parts[0] if len(parts) == 1 else parts[0].and_(parts[1])
    if "in" in node or "not_in" in node:
        raise ValidationError(f"“{name}” is a number range (min / max), not a list of values.")
    low, high = _number(rule_field, "minimum", node.get("min")), _number(rule_field, "maximum", node.get("max"))
    if low is not None and high is not None and low > high:
        raise ValidationError(f"The range of “{name}” is empty: the minimum {low:g} is above the maximum {high:g}.")
    if low is None and high is None:
        return None
    if high is None:
        return Compiled(f"{column} >= ?", [low])
    if low is None:
        return Compiled(f"{column} <= ?", [high])
    return Compiled(f"{column} BETWEEN ? AND ?", [low, high])


def compile_rule(rule: Mapping[str, Any] | None) -> Compiled:
    """The rule tree as one bound condition; an empty rule matches every account."""
    if not rule:
        return MATCH_ALL
    counter = [0]
    compiled = _compile_node(rule, 1, counter)
    return compiled or MATCH_ALL


def _compile_node(node: Any, depth: int, counter: list[int]) -> Compiled | None:
    if not isinstance(node, Mapping):
        raise ValidationError("A segment rule must be made of groups and conditions.")
    if depth > MAX_DEPTH:
        raise ValidationError(f"Segment rules nest at most {MAX_DEPTH} groups deep.")
    if "field" in node:
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise ValidationError(f"A segment rule holds at most {MAX_CONDITIONS} conditions.")
        return _compile_condition(node)
    op = str(node.get("op", "and")).lower()
    if op not in ("and", "or"):
        raise ValidationError(f"Groups combine conditions with AND or OR, not {node.get('op')!r}.")
    items = node.get("items", [])
    if not isinstance(items, (list, tuple)):
        raise ValidationError("A rule group's items must be a list.")
    parts = [c for c in (_compile_node(item, depth + 1, counter) for item in items) if c is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    joiner = f" {op.upper()} "
    return Compiled(joiner.join(f"({p.sql})" for p in parts), [v for p in parts for v in p.params])


def normalize_rule(rule: Any) -> dict[str, Any]:
    """Validate a rule (compiling it) and return a JSON-clean copy to store."""
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except json.JSONDecodeError as e:
            raise ValidationError(f"The segment rule is not valid JSON: {e.msg}.") from e
    compile_rule(rule)
    return json.loads(json.dumps(rule or {"op": "and", "items": []}))


def dnf_groups(rule: Mapping[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    """The rule as OR-of-AND groups of conditions (the builder's shape), or None if it is deeper."""
    if not rule:
        return [[]]
    if "field" in rule:
        return [[dict(rule)]]
    items = list(rule.get("items", []))
    if rule.get("op", "and") == "and":
        if all("field" in i for i in items):
            return [[dict(i) for i in items]]
        return None
    groups = []
    for item in items:
        if "field" in item:
            groups.append([dict(item)])
        elif item.get("op", "and") == "and" and all("field" in i for i in item.get("items", [])):
            groups.append([dict(i) for i in item.get("items", [])])
        else:
            return None
    return groups or [[]]


def rule_from_groups(groups: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """The builder's OR-of-AND groups as a rule tree (one group stays a plain AND)."""
    clean = [[dict(c) for c in g] for g in groups if g]
    if not clean:
        return {"op": "and", "items": []}
    if len(clean) == 1:
        return {"op": "and", "items": clean[0]}
    return {"op": "or", "items": [{"op": "and", "items": g} for g in clean]}


def rule_fields(rule: Mapping[str, Any] | None) -> list[str]:
    """Field names a rule uses (for summaries)."""
    if not rule:
        return []
    if "field" in rule:
        return [str(rule["field"])]
    return [f for item in rule.get("items", []) for f in rule_fields(item)]
