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

Reliability checks (`Check`, issue 20 item 4) are the questions an account manager asks before
pursuing a prospect, each worth up to its weight (0 switches one off) and each a reason with its value:

- payment: average days late on invoices, from a custom number field (at most PAYS_ON_TIME days:
  +weight; over PAYS_LATE: −weight; in between 0);
- company_age: years since founding, from a custom founding year (int) or founding date (ESTABLISHED
  years or more: +weight; under YOUNG: −weight; in between 0);
- revenue_trend: annual revenue against the previous year's, from a custom field holding that
  (money, number or int, in the account's revenue currency; GROWING or more: +weight; DECLINING or
  worse: −weight; in between 0);
- segment_losses: the share of decided deals lost among the OTHER accounts of the prospect's industry
  and region in the RECENT_DAYS days to the newest decided deal (not after today), −weight × that share.
  Anchored at the newest deal, like the matrix's growth, so a workspace whose deals stop a while ago
  still reads its last year rather than an empty window.

The schema keeps no payment or revenue history, so the first three read custom fields the workspace
names for them (by default a field with a conventional name such as `payment_days_late`,
`founded_year`, `revenue_prev`). A check without data for a prospect — no field chosen, the field
empty, no decided deals in the segment — is unknown: 0 points, and its reason says why. A weight
set keeps them as "checks": {check: {"weight": w, "field": name}}: "field" is the key
research.data.fields rewrites on a rename and finds before a removal.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pandas as pd

from research.access import Actor
from research.errors import ValidationError
from research.i18n import fmt_date, fmt_number, fmt_percent, keyed_error, t
from research.segments.rules import ACCOUNTS_SQL, Compiled, RuleField, custom_rule_field
from research.store import Store, quote_ident

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

# Reliability checks and their default weights (points at most, 0–MAX_POINTS).
CHECKS: dict[str, int] = {"payment": 15, "company_age": 10, "revenue_trend": 10, "segment_losses": 10}
# The custom field kinds each field-based check reads (segment_losses reads deals).
CHECK_KINDS: dict[str, tuple[str, ...]] = {
    "payment": ("int", "number"),
    "company_age": ("int", "date"),
    "revenue_trend": ("money", "number", "int"),
}
# Field names a check takes by default when the workspace has one of them (first found wins).
CONVENTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "payment": ("payment_days_late", "days_late", "avg_days_late", "payment_delay_days"),
    "company_age": ("founded_year", "year_founded", "founded", "founded_on", "established"),
    "revenue_trend": ("revenue_prev", "previous_revenue", "revenue_last_year", "prior_revenue"),
}
PAYS_ON_TIME = 7  # average days late at most: +weight
PAYS_LATE = 30  # average days late above: −weight
ESTABLISHED = 10  # years or more: +weight
YOUNG = 3  # years, under: −weight
GROWING = 0.05  # revenue change at least: +weight
DECLINING = -0.10  # revenue change at most: −weight
RECENT_DAYS = 365  # the window of segment_losses

SCORE_SQL = """
WITH base AS ({base}),
d AS (SELECT account_id, count(*) FILTER (WHERE outcome = 'lost') AS lost_deals,
             count(*) FILTER (WHERE outcome = 'open') AS open_deals,
             count(*) FILTER (WHERE outcome IN ('won', 'lost') AND closed_on > CAST(? AS DATE)
                              AND closed_on <= CAST(? AS DATE)) AS recent_decided,
             count(*) FILTER (WHERE outcome = 'lost' AND closed_on > CAST(? AS DATE)
                              AND closed_on <= CAST(? AS DATE)) AS recent_lost
      FROM deals GROUP BY account_id),
-- its own scan of the deals: read from d, d would be a CTE used twice, which DuckDB materializes,
-- and the statement took twice the CPU time
seg_losses AS (SELECT a.industry, a.region, count(*) FILTER (WHERE sd.outcome = 'lost') AS lost, count(*) AS decided
               FROM deals sd JOIN accounts a ON a.id = sd.account_id
               WHERE NOT a.archived AND sd.outcome IN ('won', 'lost')
                 AND sd.closed_on > CAST(? AS DATE) AND sd.closed_on <= CAST(? AS DATE)
               GROUP BY a.industry, a.region),
ind AS (SELECT industry, median(revenue_eur / employees) AS rpe FROM base WHERE employees > 0 GROUP BY industry),
flags AS (
    SELECT s.id, s.name, s.country, s.region, s.industry, s.employees, s.revenue_eur, c.name AS supplier,
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
           s.owner IS NULL AS no_owner,
           -- the prospect's own deals are its built-in lost_deals, not the segment's record
           coalesce(sl.lost, 0) - coalesce(d.recent_lost, 0) AS _r_segment_losses,
           coalesce(sl.decided, 0) - coalesce(d.recent_decided, 0) AS _r_segment_losses_decided{values}{checks}
    FROM base s
    LEFT JOIN d ON d.account_id = s.id
    LEFT JOIN ind ON ind.industry = s.industry
    LEFT JOIN companies c ON c.id = s.supplier_id
    LEFT JOIN seg_losses sl ON sl.industry = s.industry AND sl.region = s.region
    WHERE s.status = 'prospect'
),
graded AS (SELECT *{grades} FROM flags),
ranked AS (SELECT *{ranks} FROM graded),
pointed AS (SELECT *{points} FROM ranked)
SELECT *, greatest(0, least(100, {total})) AS score,
       count(*) OVER () AS scored{known}
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


@dataclass(frozen=True)
class Check:
    """A reliability check: up to ±weight points; `field` is the custom field its data comes from
    (None for segment_losses, which reads deals, and for a check no field holds: unknown)."""

    code: str
    weight: float
    field: RuleField | None = None

    @property
    def kind(self) -> str | None:
        """The custom field's kind (int, number, money, date), None without a field."""
        return self.field.custom.kind if self.field is not None and self.field.custom is not None else None

    def label(self, lang: str) -> str:
        return t(f"segments.check.{self.code}", lang)

    def source_label(self, lang: str) -> str | None:
        return None if self.field is None else self.field.label(lang)


def check_fields(store: Store) -> dict[str, dict[str, RuleField]]:
    """Per field-based check, the custom account fields of a kind it can read, in the registry's order."""
    from research.data.fields import list_fields

    customs = list_fields(store, "accounts")
    return {code: {f.name: custom_rule_field(f) for f in customs if f.kind in kinds} for code, kinds in CHECK_KINDS.items()}


def suggested_sources(store: Store, eligible: Mapping[str, Mapping[str, RuleField]] | None = None) -> dict[str, str | None]:
    """The field each field-based check reads by default: the first with a conventional name, else None."""
    eligible = check_fields(store) if eligible is None else eligible
    return {code: next((n for n in CONVENTIONAL_FIELDS[code] if n in eligible[code]), None) for code in CHECK_KINDS}


_CHECK_DATA = {
    "payment": "payment behaviour (average days late on invoices)",
    "company_age": "the company's age (a founding year or founding date)",
    "revenue_trend": "the revenue trend (the previous year's revenue)",
}


def make_checks(store: Store, weights: Mapping[str, Any] | None = None,
                sources: Mapping[str, str | None] | None = None) -> list[Check]:
    """All four checks, in CHECKS order: weights from `weights` (default CHECKS), fields from `sources`
    (check -> field name, None or "" for none; a check not named there takes its suggested field)."""
    weights, sources = dict(weights or {}), dict(sources or {})
    unknown = sorted((set(weights) | set(sources)) - set(CHECKS), key=str)
    if unknown:
        raise ValidationError(f"{', '.join(map(repr, unknown))} is not a reliability check; "
                              f"they are: {', '.join(CHECKS)}.")
    if sources.get("segment_losses"):
        raise ValidationError("'segment_losses' is computed from the deals and takes no field.")
    eligible = check_fields(store)
    suggested = suggested_sources(store, eligible)
    out = []
    for code, default in CHECKS.items():
        weight = _weight(code, weights.get(code, default))
        field = None
        if code in CHECK_KINDS:
            name = sources[code] if code in sources else suggested[code]
            name = str(name).strip() if name is not None else ""
            if name:
                if name not in eligible[code]:
                    raise ValidationError(_source_problem(store, code, name, eligible[code]))
                field = eligible[code][name]
        out.append(Check(code, weight, field))
    return out


def _source_problem(store: Store, code: str, name: str, eligible: Mapping[str, RuleField]) -> str:
    from research.data.fields import list_fields

    kinds = {f.name: f.kind for f in list_fields(store, "accounts")}
    why = f"it is a {kinds[name]} field" if name in kinds else "it is not a custom account field"
    allowed = ", ".join(eligible) or "none yet (add one with `python -m research field add`)"
    return (f"{name!r} cannot hold {_CHECK_DATA[code]}: {why}. The {code} check reads a custom account field "
            f"that is {' or '.join(CHECK_KINDS[code])}; this workspace has: {allowed}.")


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
                    factors: Sequence[Factor] = (), points: Mapping[str, float] | None = None,
                    checks: Sequence[Check] | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """The best-scoring prospects with their flags, `score` (0–100) and `target_index` (first target matched).

    `points`: the built-in factors' signed points (`check_points`; default POINTS). Per custom factor i
    the frame has `_f{i}` (its value; money in EUR), `_f{i}_p` (the percentile, NULL without a value),
    `_f{i}_points` and `_f{i}_known` (prospects with a value). `checks`: the reliability checks (default
    `make_checks(store)`: default weights, suggested fields; () for none); per check `_r_{code}` (its
    value: days late, years, revenue change, lost deals), `_r_{code}_grade` (1 pass, 0 in between, −1
    fail, −share lost for segment_losses; NULL = unknown), `_r_{code}_points` and `_r_{code}_known`.
    `today` (default: the clock) dates the company age and bounds the window of recent losses.
    """
    signed = check_points() if points is None else {f: float(points[f]) for f in POINTS}
    checks = make_checks(store) if checks is None else list(checks)
    if len({c.code for c in checks}) != len(checks):
        raise ValidationError("Each reliability check can be given only once.")
    today = today or dt.date.today()
    # The window of recent losses ends at the newest decided deal not after today. Read first and
    # bound: as a scalar subquery inside the statement it doubled the statement's CPU time (DuckDB 2.0).
    end = store.query_value(_NEWEST_DECIDED_SQL, [today]) or today
    start = end - dt.timedelta(days=RECENT_DAYS)
    params: list[Any] = [start, end, start, end, start, end]  # the window in d and in seg_losses
    cases = []
    for i, cond in enumerate(targets):
        cases.append(f"WHEN {cond.sql} THEN {int(i)}")
        params.extend(cond.params)
    target = f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS INTEGER)"
    values, ranks, point_sql, point_params = [], [], [], []
    for i, factor in enumerate(factors):
        v = f"_f{i}"
        values.append(f",\n           {factor.field.sql} AS {v}")
        p = f"CAST({v} AS DOUBLE)" if factor.is_bool else _PERCENTILE.format(v=v)
        ranks.append(f", {p} AS {v}_p, count({v}) OVER () AS {v}_known")
        point_sql.append(f", coalesce({_NUMBER} * (2 * {v}_p - 1), 0) AS {v}_points")
        point_params.append(factor.weight if factor.direction == "higher" else -factor.weight)
    check_values, grades, known = [], [], []
    for check in checks:
        sql, check_params = _check_value_sql(check, today)
        check_values.append(sql)
        params.extend(check_params)
        grades.append(f", CAST({_GRADES[check.code]} AS DOUBLE) AS _r_{check.code}_grade")
        # counted in the final window, next to `scored`: a window of its own would copy every row once more
        known.append(f", count(_r_{check.code}_grade) OVER () AS _r_{check.code}_known")
        point_sql.append(f", coalesce(_r_{check.code}_grade, 0) * {_NUMBER} AS _r_{check.code}_points")
        point_params.append(check.weight)
    params.extend(point_params)
    flag = "CASE WHEN {} THEN " + _NUMBER + " ELSE 0 END"
    total = " + ".join([
        _NUMBER, flag.format("target_index IS NOT NULL"),
        *(flag.format(f) for f in ("mid_size", "has_supplier", "open_deal", "very_small", "weak_revenue")),
        f"lost_deals * {_NUMBER}",
        *(flag.format(f) for f in ("no_revenue", "no_employees", "no_contact", "no_vat", "no_owner")),
        *(f"_f{i}_points" for i in range(len(factors))),
        *(f"_r_{c.code}_points" for c in checks),
    ])
    params.extend([BASE, *(signed[f] for f in ("in_target", "mid_size", "has_supplier", "open_deal", "very_small",
                                               "weak_revenue", "lost_deals", "no_revenue", "no_employees",
                                               "no_contact", "no_vat", "no_owner"))])
    sql = SCORE_SQL.format(
        base=ACCOUNTS_SQL, target=target, mid=MID_SIZE, small=VERY_SMALL, weak=WEAK_REVENUE,
        values="".join(values), checks="".join(check_values), grades="".join(grades), ranks="".join(ranks),
        points="".join(point_sql), total=total, known="".join(known),
    )
    frame = store.query_df(sql, [*params, limit])
    frame["_r_segment_losses_at"] = end
    return frame


_NEWEST_DECIDED_SQL = "SELECT max(closed_on) FROM deals WHERE outcome IN ('won', 'lost') AND closed_on <= CAST(? AS DATE)"

# Each check's grade from its value (1 pass, 0 in between, −1 fail; NULL = unknown); the thresholds
# are constants of this module, never input.
_GRADES = {
    "payment": (f"CASE WHEN _r_payment IS NULL THEN NULL WHEN _r_payment <= {PAYS_ON_TIME} THEN 1 "
                f"WHEN _r_payment > {PAYS_LATE} THEN -1 ELSE 0 END"),
    "company_age": (f"CASE WHEN _r_company_age IS NULL THEN NULL WHEN _r_company_age >= {ESTABLISHED} THEN 1 "
                    f"WHEN _r_company_age < {YOUNG} THEN -1 ELSE 0 END"),
    "revenue_trend": (f"CASE WHEN _r_revenue_trend IS NULL THEN NULL WHEN _r_revenue_trend >= {GROWING!r} THEN 1 "
                      f"WHEN _r_revenue_trend <= {DECLINING!r} THEN -1 ELSE 0 END"),
    # the share of the segment's decided deals that were lost, as a penalty; no decided deal: unknown
    "segment_losses": ("CASE WHEN _r_segment_losses_decided > 0 "
                       "THEN -CAST(_r_segment_losses AS DOUBLE) / _r_segment_losses_decided END"),
}


def _check_value_sql(check: Check, today: dt.date) -> tuple[str, list[Any]]:
    """The columns a check adds to the flags (its value, and what the reason shows), with their parameters."""
    col = check.field.sql if check.field is not None else None
    column = check.field.column if check.field is not None else None
    if check.code == "payment":
        return f",\n           CAST({col or 'NULL'} AS DOUBLE) AS _r_payment", []
    if check.code == "company_age":
        if col is None:
            return ",\n           NULL AS _r_company_age_value, CAST(NULL AS BIGINT) AS _r_company_age", []
        if check.kind == "date":
            age = f"CASE WHEN {col} <= CAST(? AS DATE) THEN date_sub('year', {col}, CAST(? AS DATE)) END"
        else:  # a founding year; anything not a past year (a typo, an age typed in) is unknown
            age = f"CASE WHEN {col} BETWEEN 1000 AND year(CAST(? AS DATE)) THEN year(CAST(? AS DATE)) - {col} END"
        return f",\n           {col} AS _r_company_age_value, CAST({age} AS BIGINT) AS _r_company_age", [today, today]
    if check.code == "revenue_trend":
        if col is None or column is None:
            return ",\n           CAST(NULL AS DOUBLE) AS _r_revenue_trend_prev, CAST(NULL AS DOUBLE) AS _r_revenue_trend", []
        # Both amounts are in the account's revenue currency (a money field's currency is that column),
        # so the ratio needs no rate; the previous revenue is shown in EUR when it is money.
        raw = f"CAST(s.{quote_ident(column)} AS DOUBLE)"
        trend = f"CASE WHEN {raw} > 0 THEN round(CAST(s.annual_revenue AS DOUBLE) / {raw} - 1, 6) END"
        return f",\n           CAST({col} AS DOUBLE) AS _r_revenue_trend_prev, {trend} AS _r_revenue_trend", []
    return "", []  # segment_losses: its columns are always in the flags


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


Labeller = Callable[[str, Any], str]  # research.data.labels.Labels: (domain, value) -> the value's name


def reasons(row: pd.Series, lang: str, target_names: Sequence[str] = (), *, points: Mapping[str, float] | None = None,
            factors: Sequence[Factor] = (), checks: Sequence[Check] = (),
            labels: Labeller | None = None) -> list[tuple[float, str]]:
    """(points, reason) for one scored prospect, largest effect first; a factor without a value and an
    unknown check last (0 points). `labels` names the industry and region in `lang` (default: as stored)."""
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
    for check in checks:
        if check.weight:  # weighted 0: switched off
            out.append((float(row[f"_r_{check.code}_points"]), check_reason(check, row, lang, labels)))
    return sorted(out, key=lambda item: -abs(item[0]))


def _years_text(years: int, lang: str) -> str:
    return t(f"segments.check.years.{'one' if years == 1 else 'other'}", lang, n=fmt_number(years, lang))


def _signed_percent(change: float, lang: str) -> str:
    """+12%, −18%, ±0% (the typographic minus, as in the points)."""
    size = fmt_percent(abs(change), lang, 0 if round(abs(change) * 100, 6).is_integer() else 1)
    return ("+" if change > 0 else "−" if change < 0 else "±") + size


def segment_text(row: pd.Series, lang: str, labels: Labeller | None = None) -> str:
    """The prospect's industry and region as a segment: "Food & beverage · Western Balkans"."""
    name = labels or (lambda _domain, value: "" if _missing(value) else str(value))
    return f"{name('industry', row['industry'])} · {name('region', row['region'])}"


def check_reason(check: Check, row: pd.Series, lang: str, labels: Labeller | None = None) -> str:
    """One check's reason for one scored prospect, with its value; an unknown one says why."""
    grade, value = row[f"_r_{check.code}_grade"], row[f"_r_{check.code}"]
    label = check.label(lang)
    if check.code == "segment_losses":
        where = {"segment": segment_text(row, lang, labels), "days": fmt_number(RECENT_DAYS, lang),
                 "date": fmt_date(pd.Timestamp(row["_r_segment_losses_at"]).date(), lang)}
        if _missing(grade):
            return t("segments.reason.check_unknown", lang, check=label,
                     why=t("segments.reason.why.no_deals", lang, **where))
        decided = fmt_number(int(row["_r_segment_losses_decided"]), lang)
        if not int(value):
            return t("segments.reason.segment_losses.none", lang, decided=decided, **where)
        return t("segments.reason.segment_losses", lang, lost=fmt_number(int(value), lang), decided=decided, **where)
    if check.field is None:
        return t("segments.reason.check_unknown", lang, check=label, why=t("segments.reason.why.no_field", lang))
    field = check.source_label(lang)
    level = None if _missing(grade) else {1: "good", 0: "middle", -1: "bad"}[int(grade)]
    if check.code == "payment":
        if level is None:
            return t("segments.reason.check_unknown", lang, check=label,
                     why=t("segments.reason.why.no_value", lang, field=field))
        days = float(value)
        shown = fmt_number(days, lang, 0 if days.is_integer() else 1)
        limit = PAYS_ON_TIME if level == "good" else PAYS_LATE
        return t(f"segments.reason.payment.{level}", lang, field=field, value=shown, limit=fmt_number(limit, lang))
    if check.code == "company_age":
        raw = row["_r_company_age_value"]
        if _missing(raw):
            return t("segments.reason.check_unknown", lang, check=label,
                     why=t("segments.reason.why.no_value", lang, field=field))
        shown = fmt_date(pd.Timestamp(raw).date(), lang) if check.kind == "date" else str(int(raw))  # a year: no separator
        if level is None:
            return t("segments.reason.check_unknown", lang, check=label,
                     why=t("segments.reason.why.not_past", lang, field=field, value=shown))
        return t(f"segments.reason.company_age.{level}", lang, age=_years_text(int(value), lang), field=field, value=shown)
    # revenue_trend
    previous = row["_r_revenue_trend_prev"]
    if level is None:
        if _missing(previous):
            why = t("segments.reason.why.no_value", lang, field=field)
        elif _missing(row["revenue_eur"]):
            why = t("segments.reason.why.no_revenue", lang)
        else:
            why = t("segments.reason.why.not_positive", lang, field=field,
                    value=check_value_text(check, previous, lang))
        return t("segments.reason.check_unknown", lang, check=label, why=why)
    return t(f"segments.reason.revenue_trend.{level}", lang, change=_signed_percent(float(value), lang), field=field,
             value=check_value_text(check, previous, lang))


def check_value_text(check: Check, value: Any, lang: str) -> str:
    """A check's field value in its units (money in EUR); "–" when missing."""
    from research.segments.profile import format_field_value

    if check.field is None:
        return "–"
    return format_field_value(check.field, None if _missing(value) else value, lang)


def unknown_counts(scored: pd.DataFrame, checks: Sequence[Check]) -> list[tuple[Check, int, int]]:
    """(check, prospects it is unknown for, prospects scored) for each check."""
    if scored.empty:
        return [(c, 0, 0) for c in checks]
    total = int(scored["scored"].iloc[0])
    return [(c, total - int(scored[f"_r_{c.code}_known"].iloc[0]), total) for c in checks]


def points_text(points: float, lang: str) -> str:
    """+25, −7.5, ±0 (a value that counts as the middle)."""
    size = round(abs(float(points)), 1)
    if size == 0:
        return "±0"
    return f"{'+' if points > 0 else '−'}{fmt_number(size, lang, 0 if size.is_integer() else 1)}"


def reasons_text(row: pd.Series, lang: str, target_names: Sequence[str] = (), *,
                 points: Mapping[str, float] | None = None, factors: Sequence[Factor] = (),
                 checks: Sequence[Check] = (), labels: Labeller | None = None) -> str:
    return "; ".join(f"{points_text(p, lang)} {text}" for p, text in
                     reasons(row, lang, target_names, points=points, factors=factors, checks=checks, labels=labels))


# ---- weight sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProspectWeightSet:
    id: int
    name: str
    points: dict[str, float]  # built-in factor -> size in points (0–MAX_POINTS; the sign is the factor's)
    weights: dict[str, float]  # custom field -> weight
    directions: dict[str, str]  # custom field -> "higher" | "lower"
    version: int
    checks: dict[str, dict[str, Any]] = dataclass_field(default_factory=dict)  # check -> {"weight": w, "field": name}

    def factors(self, store: Store) -> tuple[list[Factor], list[str]]:
        """The set's factors that this workspace can still score, and the field names it can no longer
        (removed since, or no longer a number)."""
        eligible = factor_fields(store)
        usable = {n: w for n, w in self.weights.items() if n in eligible}
        return make_factors(store, usable, self.directions), [n for n in self.weights if n not in eligible]

    def reliability(self, store: Store) -> tuple[list[Check], list[str]]:
        """The set's reliability checks, and the fields it names that can no longer hold their check
        (removed since, or of another kind now): those checks are left without a field (unknown).
        A set saved before the checks existed gets the default ones."""
        if not self.checks:
            return make_checks(store), []
        eligible = check_fields(store)
        weights = {c: spec.get("weight", CHECKS[c]) for c, spec in self.checks.items() if c in CHECKS}
        sources: dict[str, str | None] = {}
        dropped: list[str] = []
        for code in CHECK_KINDS:
            name = (self.checks.get(code) or {}).get("field")
            if name and name not in eligible[code]:
                dropped.append(str(name))
                name = None
            sources[code] = name
        return make_checks(store, weights, sources), dropped


_SETS_SQL = ("SELECT * FROM segment_weight_sets WHERE NOT archived "
             "AND json_extract_string(weights, '$.kind') = ? ORDER BY lower(name)")


def _from_row(row: Mapping[str, Any]) -> ProspectWeightSet:
    doc = json.loads(row["weights"]) if isinstance(row["weights"], str) else row["weights"]
    return ProspectWeightSet(int(row["id"]), row["name"], dict(doc.get("points") or {}), dict(doc.get("weights") or {}),
                             dict(doc.get("factors") or {}), int(row["version"]),
                             {c: dict(v) for c, v in (doc.get("checks") or {}).items() if isinstance(v, dict)})


def list_weight_sets(store: Store) -> list[ProspectWeightSet]:
    """The saved prospect weight sets (the matrix's are research.segments.saved.list_weight_sets)."""
    return [_from_row(r) for r in store.query_rows(_SETS_SQL, [WEIGHT_SET_KIND])]


def save_weight_set(store: Store, actor: Actor, name: str, *, points: Mapping[str, Any] | None = None,
                    factors: Sequence[Factor] = (), checks: Sequence[Check] | None = None) -> ProspectWeightSet:
    """Save the built-in factors' sizes, the custom factors and the reliability checks (default:
    `make_checks(store)`) under a name; saving a name again makes a new version (the audit log keeps the old)."""
    name = " ".join((name or "").split())
    if not name:
        raise keyed_error(ValidationError, "segments.error.no_weight_set_name")
    if len(name) > MAX_NAME:
        raise keyed_error(ValidationError, "segments.error.long_weight_set_name", n=MAX_NAME)
    sizes = {f: abs(v) for f, v in check_points(points).items()}  # factors not given keep their POINTS
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ValidationError("Each field can be a factor only once in a weight set.")
    checks = make_checks(store) if checks is None else list(checks)
    if sorted(c.code for c in checks) != sorted(CHECKS):
        raise ValidationError(f"A weight set holds each reliability check once: {', '.join(CHECKS)}.")
    doc = {
        "kind": WEIGHT_SET_KIND,
        "points": sizes,
        "weights": {f.name: _weight(f.name, f.weight) for f in factors},
        "factors": {f.name: f.direction for f in factors},
        # "field" is a key research.data.fields follows when the field is renamed or removed
        "checks": {c.code: {"weight": _weight(c.code, c.weight),
                            **({"field": c.field.name if c.field is not None else None} if c.code in CHECK_KINDS else {})}
                   for c in checks},
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
