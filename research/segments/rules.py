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


# ---- the text form (CLI) ---------------------------------------------------------------------
#
#   region = "Western Balkans" AND employees >= 50 OR industry in ("Food", "Chemicals")
#
# Conditions joined by AND form a group; groups joined by OR — the builder's OR-of-AND
# shape, AND binding tighter as in SQL. Text values are quoted ("…" or '…', a quote
# inside doubled); numbers are bare. Category fields take =, !=, in (…), not in (…);
# number fields take >=, <=, = and between A and B (ranges include both ends). The text
# is tokenised and turned into the same JSON rule the builder stores, which compile_rule
# then checks: nothing of the text ever reaches SQL except as a bound value.

CLOSED_VALUES: dict[str, tuple[str, ...]] = {
    "status": ("customer", "prospect", "lost"),
    "employee_band": EMPLOYEE_BANDS,
    "revenue_band": REVENUE_BANDS,
}
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"]|"")*"|'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>>=|<=|!=|<>|=|>|<|\(|\)|,))"""
)
_CATEGORY_OPS = ("=", "!=", "in", "not in")
_NUMBER_OPS = (">=", "<=", "=", "between")


@dataclass(frozen=True)
class _Token:
    kind: str  # string / number / word / op / end
    text: str
    value: Any
    at: int  # 1-based character position, for messages


def _tokens(text: str) -> list[_Token]:
    out, pos = [], 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if not m or m.end() == pos:
            bad = stripped[pos:].lstrip()[:1]
            at = len(stripped) - len(stripped[pos:].lstrip()) + 1
            raise ValidationError(f"Cannot read the rule at character {at}: unexpected {bad!r}.")
        kind = m.lastgroup or "op"
        raw = m.group(kind)
        at = m.start(kind) + 1
        if kind == "string":
            value: Any = raw[1:-1].replace(raw[0] * 2, raw[0])
        elif kind == "number":
            value = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        else:
            value = raw.lower() if kind == "word" else raw
        out.append(_Token(kind, raw, value, at))
        pos = m.end()
    out.append(_Token("end", "", None, len(stripped) + 1))
    return out


def _found(token: _Token) -> str:
    return repr(token.text) if token.text else "the end of the rule"


class _RuleReader:
    """A recursive-descent reader over the tokens: rule := group (OR group)*; group := cond (AND cond)*."""

    def __init__(self, text: str, suppliers: Mapping[str, int] | None) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.names = sorted(suppliers or {})
        self.suppliers = {k.lower(): v for k, v in (suppliers or {}).items()}

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token.kind == "word" and token.value == word:
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        token = self.take()
        if token.kind != "op" or token.value != op:
            raise ValidationError(f"Expected “{op}” at character {token.at}, found {_found(token)}.")

    def rule(self) -> list[list[dict[str, Any]]]:
        groups = [self.group()]
        while self.keyword("or"):
            groups.append(self.group())
        token = self.peek()
        if token.kind != "end":
            raise ValidationError(f"Expected AND or OR at character {token.at}, found {token.text!r}.")
        return groups

    def group(self) -> list[dict[str, Any]]:
        conditions = [self.condition()]
        while self.keyword("and"):
            conditions.append(self.condition())
        return conditions

    def condition(self) -> dict[str, Any]:
        token = self.take()
        if token.kind != "word" or token.value in ("and", "or", "in", "not", "between"):
            raise ValidationError(f"Expected a field name at character {token.at}, found {_found(token)}.")
        name = token.text
        if name not in FIELDS:
            raise ValidationError(f"Segments cannot filter on {name!r}; use one of {', '.join(FIELDS)}.")
        rule_field = FIELDS[name]
        op_token = self.peek()
        if self.keyword("not"):
            if not self.keyword("in"):
                raise ValidationError(f"Expected “in” after “not” at character {self.peek().at}.")
            op = "not in"
        elif self.keyword("in"):
            op = "in"
        elif self.keyword("between"):
            op = "between"
        elif op_token.kind == "op" and op_token.value in ("=", "!=", "<>", ">=", "<=", ">", "<"):
            op = "!=" if self.take().value == "<>" else op_token.value
        else:
            raise ValidationError(
                f"Expected an operator after “{name}” at character {op_token.at}, found {_found(op_token)}."
            )
        allowed = _CATEGORY_OPS if rule_field.kind == "category" else _NUMBER_OPS
        if op not in allowed:
            hint = " (ranges include their ends: use >= or <=)" if op in (">", "<") else ""
            raise ValidationError(f"“{name}” does not take “{op}”{hint}; use one of {', '.join(allowed)}.")
        if rule_field.kind == "number":
            low = self.number(name)
            if op == "between":
                if not self.keyword("and"):
                    raise ValidationError(f"Write “{name} between A and B” (at character {self.peek().at}).")
                return {"field": name, "min": low, "max": self.number(name)}
            return {"field": name, **({"min": low} if op == ">=" else {"max": low} if op == "<=" else {"min": low, "max": low})}
        if op in ("in", "not in"):
            self.expect_op("(")
            values = [self.category(rule_field)]
            while self.peek().kind == "op" and self.peek().value == ",":
                self.take()
                values.append(self.category(rule_field))
            self.expect_op(")")
        else:
            values = [self.category(rule_field)]
        return {"field": name, "in" if op in ("=", "in") else "not_in": values}

    def number(self, name: str) -> float | int:
        token = self.take()
        if token.kind != "number":
            raise ValidationError(f"“{name}” compares with a number; found {_found(token)} at character {token.at}.")
        return token.value

    def category(self, rule_field: RuleField) -> Any:
        token = self.take()
        name = rule_field.name
        if rule_field.value_type is int:  # supplier: a company id (0 = none known) or its quoted name
            if token.kind == "number" and isinstance(token.value, int):
                return token.value
            if token.kind == "string" and token.value.lower() in self.suppliers:
                return self.suppliers[token.value.lower()]
            known = ", ".join(self.names[:10]) + (", …" if len(self.names) > 10 else "") or "none recorded"
            raise ValidationError(
                f"“{name}” takes a company id (0 = no known supplier) or a company's quoted name, not {token.text!r} "
                f"(companies: {known})."
            )
        if token.kind != "string":
            raise ValidationError(f"Quote the value of “{name}”: found {_found(token)} at character {token.at}.")
        closed = CLOSED_VALUES.get(name)
        if closed and token.value not in closed:
            raise ValidationError(f"“{name}” is never {token.value!r}; use one of {', '.join(closed)}.")
        return token.value


def parse_rule_text(text: str, suppliers: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The text form as a validated JSON rule tree; `all` (or nothing) is the rule matching every account.

    `suppliers` maps company names to ids, so `supplier = "PackPro"` can name the company.
    """
    text = (text or "").strip()
    if not text or text.lower() == "all":
        return {"op": "and", "items": []}
    return normalize_rule(rule_from_groups(_RuleReader(text, suppliers).rule()))


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return _number_text(value)


def _number_text(value: Any) -> str:
    return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else repr(value)


def rule_text(rule: Mapping[str, Any] | None) -> str | None:
    """The text form of a rule of OR-of-AND groups (parse_rule_text reads it back), or None if it nests deeper."""
    groups = dnf_groups(rule)
    if groups is None:
        return None
    texts = []
    for group in groups:
        parts = []
        for c in group:
            name = c["field"]
            if "min" in c or "max" in c:
                low, high = c.get("min"), c.get("max")
                if low is not None and high is not None:
                    parts.append(f"{name} = {_number_text(low)}" if low == high
                                 else f"{name} between {_number_text(low)} and {_number_text(high)}")
                elif low is not None:
                    parts.append(f"{name} >= {_number_text(low)}")
                elif high is not None:
                    parts.append(f"{name} <= {_number_text(high)}")
            for key, one, many in (("in", "=", "in"), ("not_in", "!=", "not in")):
                values = c.get(key) or []
                if len(values) == 1:
                    parts.append(f"{name} {one} {_quote(values[0])}")
                elif values:
                    parts.append(f"{name} {many} ({', '.join(_quote(v) for v in values)})")
        if parts:
            texts.append(" AND ".join(parts))
    return " OR ".join(texts) or "all"
