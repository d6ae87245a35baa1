"""Prospect scoring: a transparent score per prospect, with the reasons listed next to it.

Every prospect starts at BASE points; fit with the target segments and signs of a
real need add points, warning signs subtract them (POINTS; a weight set may change
their sizes, 0 switches one off). The score is computed in DuckDB for all prospects;
reasons are spelled out only for the rows shown. Declining revenue would need revenue
history, which the schema does not keep, so the financial warning sign is revenue per
employee far below the industry's median.

The workspace's own account fields can be factors too (`Factor`): any custom field that
is a number (int, number, money in EUR, percent) or yes/no, with a weight in points and
a direction. A number counts by its rank among the prospects that have a value (the
mid-rank percentile p, ties sharing it): the best gets +weight, the worst −weight, the
middle 0, as weight × (2p − 1) — ranks, not the raw spread, so one outlier (a revenue of
500 bn) does not squash everybody else to the middle. Yes/no is 0/1: the better answer
+weight, the other −weight. A prospect WITHOUT a value counts as the middle: 0 points,
neither best nor worst, and its reasons say so.

Weight sets for prospects live in `segment_weight_sets` next to the matrix's, as
{"kind": "prospects", "points": {built-in factor: size}, "weights": {field: weight},
"factors": {field: direction}}: custom fields are keys under "weights" and "factors",
the shapes research.data.fields finds when a field is renamed or removed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.access import Actor
from research.errors import ValidationError
from research.i18n import fmt_number, fmt_percent, keyed_error, t
from research.segments.rules import ACCOUNTS_SQL, Compiled, RuleField, custom_rule_field
from research.store import Store

BASE = 50
POINTS: dict[str, int] = {
    "in_target": 25,
    "mid_size": 10,
    "has_supplier": 5,
    "open_deal": 5,
    "very_small": -15,
    "weak_revenue": -15,
    "lost_deals": -10,  # per lost deal, at most two
    "no_revenue": -5,
    "no_employees": -5,
    "no_contact": -5,
    "no_vat": -5,
    "no_owner": -5,
}
BUILTIN_FACTORS = tuple(POINTS)
VERY_SMALL = 20  # employees
MID_SIZE = 100
WEAK_REVENUE = 0.5  # of the industry's median revenue per employee
SHOWN = 200
MAX_POINTS = 50  # the most one factor may add (or subtract)
FACTOR_KINDS = ("int", "number", "money", "percent", "bool")
DIRECTIONS = ("higher", "lower")
DEFAULT_WEIGHT = 10
WEIGHT_SET_KIND = "prospects"
MAX_NAME = 80

SCORE_SQL = """
WITH base AS ({base}),
d AS (SELECT account_id, count(*) FILTER (WHERE outcome = 'lost') AS lost_deals,
             count(*) FILTER (WHERE outcome = 'open') AS open_deals
      FROM deals GROUP BY account_id),
ind AS (SELECT industry, median(revenue_eur / employees) AS rpe FROM base WHERE employees > 0 GROUP BY industry),
flags AS (
    SELECT s.id, s.name, s.country, s.industry, s.employees, s.revenue_eur, c.name AS supplier,
           {target} AS target_index,
           coalesce(s.employees >= {mid}, false) AS mid_size,
           s.supplier_id IS NOT NULL AS has_supplier,
           coalesce(d.open_deals, 0) > 0 AS open_deal,
           coalesce(s.employees < {small}, false) AS very_small,
           coalesce(s.revenue_eur / nullif(s.employees, 0) < {weak} * ind.rpe, false) AS weak_revenue,
           least(coalesce(d.lost_deals, 0), 2) AS lost_deals,
           s.revenue_eur IS NULL AS no_revenue,
           s.employees IS NULL AS no_employees,
           s.contact_person IS NULL AS no_contact,
           s.vat_id IS NULL OR trim(s.vat_id) = '' AS no_vat,
           s.owner IS NULL AS no_owner{values}
    FROM base s
    LEFT JOIN d ON d.account_id = s.id
    LEFT JOIN ind ON ind.industry = s.industry
    LEFT JOIN companies c ON c.id = s.supplier_id
    WHERE s.status = 'prospect'
),
ranked AS (SELECT *{ranks} FROM flags),
pointed AS (SELECT *{points} FROM ranked)
SELECT *, greatest(0, least(100, {total})) AS score,
       count(*) OVER () AS scored
FROM pointed
ORDER BY score DESC, revenue_eur DESC NULLS LAST, id
LIMIT ?
"""
_NUMBER = "CAST(? AS DOUBLE)"
# The mid-rank percentile of a value among the prospects that have one: 0 for the lowest, 1 for the
# highest, ties share the middle of their ranks (so "lower is better" is exactly 1 − p); one value: 0.5.
# The mid-rank is the mean of rank − 1 (values below) and the count up to and including the value, less
# one: both over the same ordering, so DuckDB sorts once (half the time of a PARTITION BY for the ties).
# NULLs sort last and are not counted in n.
_PERCENTILE = ("CASE WHEN {v} IS NULL THEN NULL ELSE coalesce((rank() OVER (ORDER BY {v}) - 1 "
               "+ count(*) OVER (ORDER BY {v} RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1) / 2.0 "
               "/ nullif(count({v}) OVER () - 1, 0), 0.5) END")


@dataclass(frozen=True)
class Factor:
    """A custom account field as a scoring factor: from −weight (worst) to +weight points (best),
    better when higher or lower; a prospect without a value gets 0 (the middle)."""

    field: RuleField
    weight: float = DEFAULT_WEIGHT
    direction: str = "higher"

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def is_bool(self) -> bool:
        return self.field.custom is not None and self.field.custom.kind == "bool"

    def label(self, lang: str) -> str:
        return self.field.label(lang)

    def direction_text(self, lang: str) -> str:
        return t(f"segments.prospects.direction.{'bool_' if self.is_bool else ''}{self.direction}", lang)


def factor_fields(store: Store) -> dict[str, RuleField]:
    """The custom account fields that can be scoring factors (numbers and yes/no), in the registry's order."""
    from research.data.fields import list_fields

    return {f.name: custom_rule_field(f) for f in list_fields(store, "accounts") if f.kind in FACTOR_KINDS}


def _weight(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_POINTS:
        raise ValidationError(f"The weight of {name!r} must be a number of points from 0 to {MAX_POINTS}, not {value!r}.")
    return float(value)


def make_factors(store: Store, weights: Mapping[str, Any], directions: Mapping[str, str] | None = None) -> list[Factor]:
    """Factors from {field: weight} and {field: "higher" | "lower"} (default higher), checked against the workspace."""
    eligible = factor_fields(store)
    directions = directions or {}
    out = []
    for name, weight in weights.items():
        if name not in eligible:
            from research.data.fields import list_fields

            kinds = {f.name: f.kind for f in list_fields(store, "accounts")}
            allowed = ", ".join(eligible) or "none yet (add one with `python -m research field add`)"
            why = (f"it is a {kinds[name]} field" if name in kinds else "it is not a custom account field")
            raise ValidationError(
                f"{name!r} cannot be a scoring factor: {why}. Factors are custom account fields that are numbers "
                f"(int, number, money, percent) or yes/no; this workspace has: {allowed}.")
        direction = str(directions.get(name, "higher")).strip().lower()
        if direction not in DIRECTIONS:
            raise ValidationError(f"The direction of {name!r} must be 'higher' or 'lower' (which is better), not {direction!r}.")
        out.append(Factor(eligible[name], _weight(name, weight), direction))
    return out


def check_points(sizes: Mapping[str, Any] | None = None) -> dict[str, float]:
    """The built-in factors' signed points from their sizes (0–MAX_POINTS; the sign is the factor's own);
    factors not given keep their POINTS."""
    sizes = sizes or {}
    unknown = sorted(set(sizes) - set(POINTS))
    if unknown:
        raise ValidationError(f"{', '.join(map(repr, unknown))} is not a built-in prospect factor; "
                              f"they are: {', '.join(BUILTIN_FACTORS)}.")
    return {f: math.copysign(_weight(f, sizes[f]), p) if f in sizes else float(p) for f, p in POINTS.items()}


def score_prospects(store: Store, targets: Sequence[Compiled] = (), *, limit: int = SHOWN,
                    factors: Sequence[Factor] = (), points: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The best-scoring prospects with their flags, `score` (0–100) and `target_index` (first target matched).

    `points`: the built-in factors' signed points (`check_points`; default POINTS). Per custom factor i
    the frame has `_f{i}` (its value; money in EUR), `_f{i}_p` (the percentile, NULL without a value),
    `_f{i}_points` and `_f{i}_known` (prospects with a value).
    """
    signed = check_points() if points is None else {f: float(points[f]) for f in POINTS}
    cases, params = [], []
    for i, cond in enumerate(targets):
        cases.append(f"WHEN {cond.sql} THEN {int(i)}")
        params.extend(cond.params)
    target = f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS INTEGER)"
    values, ranks, point_sql = [], [], []
    for i, factor in enumerate(factors):
        v = f"_f{i}"
        values.append(f",\n           {factor.field.sql} AS {v}")
        p = f"CAST({v} AS DOUBLE)" if factor.is_bool else _PERCENTILE.format(v=v)
        ranks.append(f", {p} AS {v}_p, count({v}) OVER () AS {v}_known")
        point_sql.append(f", coalesce({_NUMBER} * (2 * {v}_p - 1), 0) AS {v}_points")
        params.append(factor.weight if factor.direction == "higher" else -factor.weight)
    flag = "CASE WHEN {} THEN " + _NUMBER + " ELSE 0 END"
    total = " + ".join([
        _NUMBER, flag.format("target_index IS NOT NULL"),
        *(flag.format(f) for f in ("mid_size", "has_supplier", "open_deal", "very_small", "weak_revenue")),
        f"lost_deals * {_NUMBER}",
        *(flag.format(f) for f in ("no_revenue", "no_employees", "no_contact", "no_vat", "no_owner")),
        *(f"_f{i}_points" for i in range(len(factors))),
    ])
    params.extend([BASE, *(signed[f] for f in ("in_target", "mid_size", "has_supplier", "open_deal", "very_small",
                                               "weak_revenue", "lost_deals", "no_revenue", "no_employees",
                                               "no_contact", "no_vat", "no_owner"))])
    sql = SCORE_SQL.format(
        base=ACCOUNTS_SQL, target=target, mid=MID_SIZE, small=VERY_SMALL, weak=WEAK_REVENUE,
        values="".join(values), ranks="".join(ranks), points="".join(point_sql), total=total,
    )
    return store.query_df(sql, [*params, limit])


def factor_value_text(factor: Factor, value: Any, lang: str) -> str:
    """A factor's value as the page shows it: money in EUR, percents, yes/no; "–" when missing."""
    from research.segments.profile import format_field_value

    return format_field_value(factor.field, None if _missing(value) else value, lang)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def missing_counts(scored: pd.DataFrame, factors: Sequence[Factor]) -> list[tuple[Factor, int, int]]:
    """(factor, prospects without a value, prospects scored) for each factor."""
    if scored.empty:
        return [(f, 0, 0) for f in factors]
    total = int(scored["scored"].iloc[0])
    return [(f, total - int(scored[f"_f{i}_known"].iloc[0]), total) for i, f in enumerate(factors)]


def reasons(row: pd.Series, lang: str, target_names: Sequence[str] = (), *, points: Mapping[str, float] | None = None,
            factors: Sequence[Factor] = ()) -> list[tuple[float, str]]:
    """(points, reason) for one scored prospect, largest effect first; a factor without a value last (0 points)."""
    p = dict(POINTS) if points is None else dict(points)
    out: list[tuple[float, str]] = []

    def add(factor: str, text: str, times: int = 1) -> None:
        if p[factor]:  # a factor switched off (0 points) gives no reason
            out.append((p[factor] * times, text))

    if pd.notna(row["target_index"]) and int(row["target_index"]) < len(target_names):
        add("in_target", t("segments.reason.in_target", lang, segment=target_names[int(row["target_index"])]))
    employees = fmt_number(row["employees"], lang) if pd.notna(row["employees"]) else "–"
    if row["mid_size"]:
        add("mid_size", t("segments.reason.mid_size", lang, employees=employees))
    if row["has_supplier"]:
        add("has_supplier", t("segments.reason.has_supplier", lang, supplier=row["supplier"]))
    if row["open_deal"]:
        add("open_deal", t("segments.reason.open_deal", lang))
    if row["very_small"]:
        add("very_small", t("segments.reason.very_small", lang, employees=employees))
    if row["weak_revenue"]:
        add("weak_revenue", t("segments.reason.weak_revenue", lang))
    if row["lost_deals"]:
        n = int(row["lost_deals"])
        add("lost_deals", t("segments.reason.lost_deals", lang, n=n), n)
    for flag in ("no_revenue", "no_employees", "no_contact", "no_vat", "no_owner"):
        if row[flag]:
            add(flag, t(f"segments.reason.{flag}", lang))
    for i, factor in enumerate(factors):
        if not factor.weight:  # weighted 0: switched off, like a built-in factor
            continue
        value, label = row[f"_f{i}"], factor.label(lang)
        if _missing(value):
            out.append((0.0, t("segments.reason.factor_missing", lang, field=label)))
            continue
        text = factor_value_text(factor, value, lang)
        if factor.is_bool:
            reason = t("segments.reason.factor_bool", lang, field=label, value=text, direction=factor.direction_text(lang))
        else:
            better = float(row[f"_f{i}_p"]) if factor.direction == "higher" else 1 - float(row[f"_f{i}_p"])
            reason = t("segments.reason.factor", lang, field=label, value=text, share=fmt_percent(better, lang),
                       direction=factor.direction_text(lang))
        out.append((float(row[f"_f{i}_points"]), reason))
    return sorted(out, key=lambda item: -abs(item[0]))


def points_text(points: float, lang: str) -> str:
    """+25, −7.5, ±0 (a value that counts as the middle)."""
    size = round(abs(float(points)), 1)
    if size == 0:
        return "±0"
    return f"{'+' if points > 0 else '−'}{fmt_number(size, lang, 0 if size.is_integer() else 1)}"


def reasons_text(row: pd.Series, lang: str, target_names: Sequence[str] = (), *,
                 points: Mapping[str, float] | None = None, factors: Sequence[Factor] = ()) -> str:
    return "; ".join(f"{points_text(p, lang)} {text}"
                     for p, text in reasons(row, lang, target_names, points=points, factors=factors))


# ---- weight sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProspectWeightSet:
    id: int
    name: str
    points: dict[str, float]  # built-in factor -> size in points (0–MAX_POINTS; the sign is the factor's)
    weights: dict[str, float]  # custom field -> weight
    directions: dict[str, str]  # custom field -> "higher" | "lower"
    version: int

    def factors(self, store: Store) -> tuple[list[Factor], list[str]]:
        """The set's factors that this workspace can still score, and the field names it can no longer
        (removed since, or no longer a number)."""
        eligible = factor_fields(store)
        usable = {n: w for n, w in self.weights.items() if n in eligible}
        return make_factors(store, usable, self.directions), [n for n in self.weights if n not in eligible]


_SETS_SQL = ("SELECT * FROM segment_weight_sets WHERE NOT archived "
             "AND json_extract_string(weights, '$.kind') = ? ORDER BY lower(name)")


def _from_row(row: Mapping[str, Any]) -> ProspectWeightSet:
    doc = json.loads(row["weights"]) if isinstance(row["weights"], str) else row["weights"]
    return ProspectWeightSet(int(row["id"]), row["name"], dict(doc.get("points") or {}), dict(doc.get("weights") or {}),
                             dict(doc.get("factors") or {}), int(row["version"]))


def list_weight_sets(store: Store) -> list[ProspectWeightSet]:
    """The saved prospect weight sets (the matrix's are research.segments.saved.list_weight_sets)."""
    return [_from_row(r) for r in store.query_rows(_SETS_SQL, [WEIGHT_SET_KIND])]


def save_weight_set(store: Store, actor: Actor, name: str, *, points: Mapping[str, Any] | None = None,
                    factors: Sequence[Factor] = ()) -> ProspectWeightSet:
    """Save the built-in factors' sizes and the custom factors under a name; saving a name again
    makes a new version (the audit log keeps the old)."""
    name = " ".join((name or "").split())
    if not name:
        raise keyed_error(ValidationError, "segments.error.no_weight_set_name")
    if len(name) > MAX_NAME:
        raise keyed_error(ValidationError, "segments.error.long_weight_set_name", n=MAX_NAME)
    sizes = {f: abs(v) for f, v in check_points(points).items()}  # factors not given keep their POINTS
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ValidationError("Each field can be a factor only once in a weight set.")
    doc = {
        "kind": WEIGHT_SET_KIND,
        "points": sizes,
        "weights": {f.name: _weight(f.name, f.weight) for f in factors},
        "factors": {f.name: f.direction for f in factors},
    }
    payload = json.dumps(doc, sort_keys=True)
    existing = store.query_value(
        "SELECT id FROM segment_weight_sets WHERE lower(name) = lower(?) AND NOT archived "
        "AND json_extract_string(weights, '$.kind') = ?", [name, WEIGHT_SET_KIND])
    with store.transaction(actor) as tx:
        if existing is None:
            row = tx.insert("segment_weight_sets", {"name": name, "weights": payload})
        else:
            row = tx.update("segment_weight_sets", existing, {"weights": payload})
    return _from_row(row)
