"""The rule compiler: a segment's JSON rule tree to one parameterised DuckDB condition.

A rule is a tree of groups and conditions:

    {"op": "and", "items": [
        {"field": "region", "in": ["Western Balkans"]},
        {"field": "employees", "min": 250},
        {"op": "or", "items": [{"field": "industry", "in": ["Automotive"]}, ...]}]}

Values are always bound (`?`); the only identifiers that reach SQL are the field
columns of `FIELDS` and of the workspace's custom account fields (read from the
`custom_fields` registry, never from the rule), quoted through
`research.store.quote_ident`. Conditions run over `ACCOUNTS_SQL`, the accounts with
their revenue in EUR, size bands and every custom column.

Custom fields (research.data.fields) join the rule base by kind: int, number, money and
percent are number ranges (a money field compares in EUR, converted at the newest rate
of the row's `revenue_currency` exactly like revenue; a percent in points), text, choice
and yes/no are lists of values, a date is a range of dates. `fields_of(store)` gives a
workspace's fields; `compile_rule(rule, store)` checks a rule against them and against
the workspace's size and revenue bands (research.segments.bands). Without a store only
the built-in FIELDS are known, as before.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from research.data.states import AccountStatus
from research.errors import ValidationError
from research.i18n import Named, keyed_error
from research.store import Store, quote_ident
from research.store.sql import quoted

if TYPE_CHECKING:
    from research.data.fields import CustomField
    from research.segments.bands import Bands

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
# Units of the row's currency per EUR (1 when no rate is known, as for revenue): a custom
# money field compares in EUR as `field / _eur_rate`. A custom field name must start with
# a letter, so this name can never be one.
RATE_COLUMN = "_eur_rate"
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
    RATE_COLUMN: "coalesce(r.per_eur, 1)",
}
# The built-in columns of the `accounts` table (migration 0001). Every other column is a
# custom field (or one added by hand): the full base passes those through under their own
# names (`a.* EXCLUDE (…)`), so any reader of ACCOUNTS_SQL sees them without knowing them.
TABLE_COLUMNS = (
    "id", "name", "vat_id", "website", "country", "region", "city", "industry", "employees", "annual_revenue",
    "revenue_currency", "status", "owner", "supplier_company_id", "contact_person", "first_contact", "archived",
    "version", "created_at", "updated_at",
)
_RATES_JOIN = (
    "LEFT JOIN (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency) r\n"
    "       ON r.currency = a.revenue_currency\n"
)


def accounts_sql(columns: Iterable[str] | None = None, custom: Iterable[str] = ()) -> str:
    """ACCOUNTS_SQL, or the same rows with only `columns` (in BASE_COLUMNS order, then the custom ones;
    rates joined only if needed).

    `custom` names the custom columns a narrow base may take (from the custom_fields registry:
    `custom_columns(store)`). A narrow base binds and plans faster; its columns are the very
    expressions of the full one.
    """
    custom = tuple(custom)
    if columns is None:
        picked = list(BASE_COLUMNS.items())
        passed = f",\n       a.* EXCLUDE ({', '.join(TABLE_COLUMNS)})"
        extra: list[str] = []
    else:
        wanted = set(columns)
        unknown = wanted - set(BASE_COLUMNS) - set(custom)
        if unknown:
            raise ValueError(f"Not columns of the accounts base: {sorted(unknown)}")
        picked = [(name, expr) for name, expr in BASE_COLUMNS.items() if name in wanted]
        extra = [f"a.{quote_ident(name)}" for name in dict.fromkeys(custom) if name in wanted and name not in BASE_COLUMNS]
        passed = ""
    select = ",\n       ".join(
        [expr if expr == f"a.{name}" else f"{expr} AS {quote_ident(name)}" for name, expr in picked] + extra
    )
    rates = _RATES_JOIN if any("r.per_eur" in expr for _, expr in picked) else ""
    return f"\nSELECT {select}{passed}\nFROM accounts a\n{rates}WHERE NOT a.archived\n"


ACCOUNTS_SQL = accounts_sql()


def custom_columns(store: Store) -> tuple[str, ...]:
    """The workspace's custom account fields (their column names), from the custom_fields registry."""
    from research.data.fields import list_fields

    return tuple(f.name for f in list_fields(store, "accounts"))


_COLUMN_REF = re.compile(r'\bs\.(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))')


_BARE_COLUMN = re.compile(r'(?<![\w."])(?:' + "|".join(BASE_COLUMNS) + r')(?![\w"])')


def condition_columns(sql: str, custom: Iterable[str] = ()) -> set[str] | None:
    """The base columns a condition reads (as `s.col` / `s."col"`), or None when unsure.

    Unsure = it reads a column that is neither in the base nor one of the `custom` columns,
    or names a base column without `s.` (which only the full base would resolve): such
    conditions run over ACCOUNTS_SQL.
    """
    found = {quoted or bare for quoted, bare in _COLUMN_REF.findall(sql)}
    if not found <= set(BASE_COLUMNS) | set(custom) or _BARE_COLUMN.search(_COLUMN_REF.sub("", sql)):
        return None
    return found


@dataclass(frozen=True)
class RuleField:
    name: str
    column: str  # a column of ACCOUNTS_SQL
    kind: str  # "category" (in / not_in lists), "number" (min / max) or "date" (min / max ISO dates)
    value_type: type = str
    money: bool = False  # a custom money field: compared in EUR (column / the row's rate)
    custom: CustomField | None = field(default=None, compare=False, repr=False)
    bands: Bands | None = field(default=None, compare=False, repr=False)  # the workspace's, for the band fields

    @property
    def sql(self) -> str:
        """The value a condition compares, over the base `s`."""
        column = f"s.{quote_ident(self.column)}"
        return f"CAST({column} / s.{quote_ident(RATE_COLUMN)} AS DOUBLE)" if self.money else column

    def label(self, lang: str = "en") -> str:
        """The field's name in the UI language: a custom field's own label, else the catalog's."""
        if self.custom is not None:
            return self.custom.label(lang)
        from research.i18n import MESSAGES, t

        key = f"segments.field.{self.name}"
        return t(key, lang) if key in MESSAGES else self.name

    @property
    def named(self) -> Named:
        """The field for keyed errors: its name (English, as rules write it), its label in Serbian."""
        return Named(self.name, self.label("sr"))


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
BAND_FIELDS = ("employee_band", "revenue_band")
# How a custom field's kind takes part in rules: (rule kind, value type).
CUSTOM_KINDS: dict[str, tuple[str, type]] = {
    "int": ("number", float), "number": ("number", float), "money": ("number", float), "percent": ("number", float),
    "text": ("category", str), "choice": ("category", str), "bool": ("category", bool), "date": ("date", str),
}


def custom_rule_field(custom: CustomField) -> RuleField:
    kind, value_type = CUSTOM_KINDS[custom.kind]
    return RuleField(custom.name, custom.name, kind, value_type, money=custom.kind == "money", custom=custom)


def fields_of(store: Store, *, with_bands: bool = True) -> dict[str, RuleField]:
    """The fields a rule may name in this workspace: the built-in FIELDS, then its custom account fields.

    With `with_bands`, the band fields carry the workspace's bands (research.segments.bands),
    which may read the accounts (quantiles); without, they are the fixed bands.
    """
    from research.data.fields import list_fields

    out = dict(FIELDS)
    if with_bands:
        from research.segments.bands import workspace_bands

        for bands in workspace_bands(store).values():
            out[bands.field] = RuleField(bands.field, bands.field, "category", bands=bands)
    for custom in list_fields(store, "accounts"):
        out[custom.name] = custom_rule_field(custom)
    return out


def _fields_for(rule: Any, store: Store | None, fields: Mapping[str, RuleField] | None) -> Mapping[str, RuleField]:
    if fields is not None:
        return fields
    if store is None:
        return FIELDS
    return fields_of(store, with_bands=bool(set(_mentioned(rule)) & set(BAND_FIELDS)))


def _mentioned(node: Any) -> list[str]:
    """Field names a (possibly malformed) rule mentions; the compiler reports what is wrong with it."""
    if isinstance(node, Mapping):
        if "field" in node:
            return [str(node["field"])]
        items = node.get("items", [])
        return [f for item in items for f in _mentioned(item)] if isinstance(items, (list, tuple)) else []
    return []


@dataclass(frozen=True)
class Compiled:
    """A boolean SQL condition over ACCOUNTS_SQL's columns and its bound values, in order."""

    sql: str
    params: list[Any] = field(default_factory=list)

    def and_(self, other: Compiled) -> Compiled:
        return Compiled(f"({self.sql}) AND ({other.sql})", [*self.params, *other.params])


MATCH_ALL = Compiled("TRUE")


def _category_values(rule_field: RuleField, values: Any) -> list[Any]:
    name = rule_field.named
    if not isinstance(values, (list, tuple)):
        raise keyed_error(ValidationError, "segments.error.not_a_list", field=name)
    if len(values) > MAX_VALUES:
        raise keyed_error(ValidationError, "segments.error.too_many_values", field=name, n=MAX_VALUES)
    out: list[Any] = []
    for value in values:
        if rule_field.value_type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise keyed_error(ValidationError, "segments.error.company_ids", field=name, value=repr(value))
        elif rule_field.value_type is bool:
            if not isinstance(value, bool):
                raise keyed_error(ValidationError, "segments.error.yes_no", field=name, value=repr(value))
        elif not isinstance(value, str):
            raise keyed_error(ValidationError, "segments.error.text_values", field=name, value=repr(value))
        out.append(value)
    closed = closed_values(rule_field)
    if closed is not None:
        wrong = [v for v in out if v not in closed]
        if wrong:
            # A band or choice removed since the segment was saved: the page names the field by its label.
            key = "segments.error.no_band" if rule_field.bands is not None else "segments.error.no_value"
            raise keyed_error(ValidationError, key, field=name, value=repr(wrong[0]), known=", ".join(closed))
    return out


def closed_values(rule_field: RuleField) -> tuple[str, ...] | None:
    """The only values a category field can hold (status, bands, a choice field's choices), or None."""
    if rule_field.bands is not None:
        return rule_field.bands.keys
    if rule_field.custom is not None and rule_field.custom.kind == "choice":
        return rule_field.custom.choices
    return None


def _number(rule_field: RuleField, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise keyed_error(ValidationError, f"segments.error.{key}_number", field=rule_field.named, value=repr(value))
    return float(value)


def _date(rule_field: RuleField, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise keyed_error(ValidationError, f"segments.error.{key}_date", field=rule_field.named, value=repr(value))


def _band_condition(rule_field: RuleField, values: list[Any], negate: bool) -> Compiled:
    """Workspace bands other than the fixed ones: ranges of the band's column, bounds bound."""
    assert rule_field.bands is not None
    column = f"s.{quote_ident(rule_field.bands.column)}"
    parts: list[str] = []
    params: list[Any] = []
    for band in rule_field.bands.bands:
        if band.key not in values:
            continue
        ends = []
        if band.low is not None:
            ends.append(f"{column} >= ?")
            params.append(band.low)
        if band.high is not None:
            ends.append(f"{column} < ?")
            params.append(band.high)
        parts.append(" AND ".join(ends) or f"{column} IS NOT NULL")
    either = " OR ".join(f"({p})" for p in parts) or "FALSE"
    # Like IS DISTINCT FROM for a fixed band: "not in" keeps accounts whose value is unknown.
    return Compiled(f"NOT coalesce({either}, false)" if negate else f"({either})", params)


def _compile_condition(node: Mapping[str, Any], fields: Mapping[str, RuleField] = FIELDS) -> Compiled | None:
    name = node.get("field")
    if not isinstance(name, str) or name not in fields:
        # A saved segment naming a custom field renamed or removed since: the page shows this too.
        raise keyed_error(ValidationError, "segments.error.unknown_field", name=repr(name), known=", ".join(fields))
    rule_field = fields[name]
    column = rule_field.sql
    unknown = set(node) - {"field", "in", "not_in", "min", "max"}
    if unknown:
        raise ValidationError(f"Unknown parts in the condition on “{name}”: {', '.join(sorted(unknown))}.")
    if rule_field.kind == "category":
        ranged = rule_field.bands is not None and rule_field.bands.mode != "fixed"
        parts: list[Compiled] = []
        if node.get("in"):
            values = _category_values(rule_field, node["in"])
            parts.append(_band_condition(rule_field, values, False) if ranged
                         else Compiled(f"{column} IN ({', '.join('?' for _ in values)})", values))
        if node.get("not_in"):
            values = _category_values(rule_field, node["not_in"])
            # IS DISTINCT FROM keeps accounts whose value is unknown (NULL) in "not in" rules.
            parts.append(_band_condition(rule_field, values, True) if ranged else
                         Compiled(" AND ".join(f"{column} IS DISTINCT FROM ?" for _ in values), values))
        if "min" in node or "max" in node:
            raise keyed_error(ValidationError, "segments.error.not_a_range", field=rule_field.named)
        if not parts:
            return None  # an empty pick means "any": the condition drops out
        return parts[0] if len(parts) == 1 else parts[0].and_(parts[1])
    if "in" in node or "not_in" in node:
        kind = "date" if rule_field.kind == "date" else "number"
        raise keyed_error(ValidationError, f"segments.error.{kind}_range_not_list", field=rule_field.named)
    low: str | float | None  # an ISO date for a date field, a number otherwise
    high: str | float | None
    if rule_field.kind == "date":
        low, high = _date(rule_field, "start", node.get("min")), _date(rule_field, "end", node.get("max"))
        placeholder = "CAST(? AS DATE)"
        if low is not None and high is not None and low > high:
            raise keyed_error(ValidationError, "segments.error.empty_dates", field=rule_field.named, low=low, high=high)
    else:
        low, high = _number(rule_field, "minimum", node.get("min")), _number(rule_field, "maximum", node.get("max"))
        placeholder = "?"
        if low is not None and high is not None and low > high:
            # The builder's "from" above its "to": named by the field's label on the page.
            raise keyed_error(ValidationError, "segments.error.empty_range", field=rule_field.named,
                              low=f"{low:g}", high=f"{high:g}")
    if low is None and high is None:
        return None
    if high is None:
        return Compiled(f"{column} >= {placeholder}", [low])
    if low is None:
        return Compiled(f"{column} <= {placeholder}", [high])
    return Compiled(f"{column} BETWEEN {placeholder} AND {placeholder}", [low, high])


def compile_rule(
    rule: Mapping[str, Any] | None, store: Store | None = None, *, fields: Mapping[str, RuleField] | None = None
) -> Compiled:
    """The rule tree as one bound condition; an empty rule matches every account.

    With `store` (or its `fields_of`), the workspace's custom fields and bands are known;
    without, only the built-in FIELDS with the fixed bands.
    """
    if not rule:
        return MATCH_ALL
    counter = [0]
    compiled = _compile_node(rule, 1, counter, _fields_for(rule, store, fields))
    return compiled or MATCH_ALL


def _compile_node(node: Any, depth: int, counter: list[int], fields: Mapping[str, RuleField]) -> Compiled | None:
    if not isinstance(node, Mapping):
        raise ValidationError("A segment rule must be made of groups and conditions.")
    if depth > MAX_DEPTH:
        raise ValidationError(f"Segment rules nest at most {MAX_DEPTH} groups deep.")
    if "field" in node:
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise ValidationError(f"A segment rule holds at most {MAX_CONDITIONS} conditions.")
        return _compile_condition(node, fields)
    op = str(node.get("op", "and")).lower()
    if op not in ("and", "or"):
        raise ValidationError(f"Groups combine conditions with AND or OR, not {node.get('op')!r}.")
    items = node.get("items", [])
    if not isinstance(items, (list, tuple)):
        raise ValidationError("A rule group's items must be a list.")
    parts = [c for c in (_compile_node(item, depth + 1, counter, fields) for item in items) if c is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    joiner = f" {op.upper()} "
    return Compiled(joiner.join(f"({p.sql})" for p in parts), [v for p in parts for v in p.params])


def normalize_rule(rule: Any, store: Store | None = None) -> dict[str, Any]:
    """Validate a rule (compiling it, against the workspace's fields with `store`) and return a JSON-clean copy."""
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except json.JSONDecodeError as e:
            raise ValidationError(f"The segment rule is not valid JSON: {e.msg}.") from e
    compile_rule(rule, store)
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
    groups: list[list[dict[str, Any]]] = []
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
# number fields take >=, <=, = and between A and B (ranges include both ends). Custom
# fields are named by their column name: numbers, money (in EUR) and percents (in points)
# like employees, text and choices like industry, yes/no fields take true or false (or
# yes / no), dates take the number operators with quoted dates ("2024-03-31"). The text
# is tokenised and turned into the same JSON rule the builder stores, which compile_rule
# then checks: nothing of the text ever reaches SQL except as a bound value.

CLOSED_VALUES: dict[str, tuple[str, ...]] = {
    "status": tuple(AccountStatus),
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

    def __init__(self, text: str, suppliers: Mapping[str, int] | None, fields: Mapping[str, RuleField]) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.fields = fields
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
        if name not in self.fields:
            raise ValidationError(f"Segments cannot filter on {name!r}; use one of {', '.join(self.fields)}.")
        rule_field = self.fields[name]
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
        if rule_field.kind in ("number", "date"):
            read = self.number if rule_field.kind == "number" else self.date
            low = read(name)
            if op == "between":
                if not self.keyword("and"):
                    raise ValidationError(f"Write “{name} between A and B” (at character {self.peek().at}).")
                return {"field": name, "min": low, "max": read(name)}
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

    def date(self, name: str) -> str:
        token = self.take()
        if token.kind != "string":
            raise ValidationError(
                f"“{name}” compares with a quoted date like \"2024-03-31\"; found {_found(token)} at character {token.at}.")
        return token.value

    def category(self, rule_field: RuleField) -> Any:
        token = self.take()
        name = rule_field.name
        if rule_field.value_type is bool:
            word = str(token.value).strip().lower() if token.kind in ("word", "string") else None
            if word in ("true", "yes"):
                return True
            if word in ("false", "no"):
                return False
            raise ValidationError(f"“{name}” is yes or no: write true or false, not {_found(token)} (at character {token.at}).")
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
        closed = closed_values(rule_field) or CLOSED_VALUES.get(name)
        if closed and token.value not in closed:
            # A choice may be written in any case: it is stored as the field defines it.
            folded = {c.casefold(): c for c in closed}
            if rule_field.custom is not None and token.value.casefold() in folded:
                return folded[token.value.casefold()]
            raise ValidationError(f"“{name}” is never {token.value!r}; use one of {', '.join(closed)}.")
        return token.value


def parse_rule_text(
    text: str, suppliers: Mapping[str, int] | None = None, fields: Mapping[str, RuleField] | None = None
) -> dict[str, Any]:
    """The text form as a validated JSON rule tree; `all` (or nothing) is the rule matching every account.

    `suppliers` maps company names to ids, so `supplier = "PackPro"` can name the company;
    `fields` (`fields_of(store)`) adds the workspace's custom fields and bands.
    """
    text = (text or "").strip()
    if not text or text.lower() == "all":
        return {"op": "and", "items": []}
    fields = FIELDS if fields is None else fields
    rule = rule_from_groups(_RuleReader(text, suppliers, fields).rule())
    compile_rule(rule, fields=fields)
    return normalize_rule(rule) if fields is FIELDS else json.loads(json.dumps(rule))


def _quote(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value, '"')  # a string of the rule text, written (and read) the way SQL quotes
    return _number_text(value)


def _number_text(value: Any) -> str:
    if isinstance(value, str):  # a date bound
        return _quote(value)
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
