"""Prospect scoring: a transparent score per prospect, with the reasons listed next to it.

Every prospect starts at BASE points; fit with the target segments and signs of a
real need add points, warning signs subtract them (POINTS). The score is computed
in DuckDB for all prospects; reasons are spelled out only for the rows shown.
Declining revenue would need revenue history, which the schema does not keep, so
the financial warning sign is revenue per employee far below the industry's median.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from research.i18n import fmt_number, t
from research.segments.rules import ACCOUNTS_SQL, Compiled
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
VERY_SMALL = 20  # employees
MID_SIZE = 100
WEAK_REVENUE = 0.5  # of the industry's median revenue per employee
SHOWN = 200

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
           s.owner IS NULL AS no_owner
    FROM base s
    LEFT JOIN d ON d.account_id = s.id
    LEFT JOIN ind ON ind.industry = s.industry
    LEFT JOIN companies c ON c.id = s.supplier_id
    WHERE s.status = 'prospect'
)
SELECT *, greatest(0, least(100, {base_points}
        + CASE WHEN target_index IS NOT NULL THEN {p[in_target]} ELSE 0 END
        + CASE WHEN mid_size THEN {p[mid_size]} ELSE 0 END
        + CASE WHEN has_supplier THEN {p[has_supplier]} ELSE 0 END
        + CASE WHEN open_deal THEN {p[open_deal]} ELSE 0 END
        + CASE WHEN very_small THEN {p[very_small]} ELSE 0 END
        + CASE WHEN weak_revenue THEN {p[weak_revenue]} ELSE 0 END
        + lost_deals * {p[lost_deals]}
        + CASE WHEN no_revenue THEN {p[no_revenue]} ELSE 0 END
        + CASE WHEN no_employees THEN {p[no_employees]} ELSE 0 END
        + CASE WHEN no_contact THEN {p[no_contact]} ELSE 0 END
        + CASE WHEN no_vat THEN {p[no_vat]} ELSE 0 END
        + CASE WHEN no_owner THEN {p[no_owner]} ELSE 0 END)) AS score,
       count(*) OVER () AS scored
FROM flags
ORDER BY score DESC, revenue_eur DESC NULLS LAST, id
LIMIT ?
"""


def score_prospects(store: Store, targets: Sequence[Compiled] = (), *, limit: int = SHOWN) -> pd.DataFrame:
    """The best-scoring prospects with their flags, `score` (0–100) and `target_index` (first target matched)."""
    cases, params = [], []
    for i, cond in enumerate(targets):
        cases.append(f"WHEN {cond.sql} THEN {int(i)}")
        params.extend(cond.params)
    target = f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS INTEGER)"
    sql = SCORE_SQL.format(
        base=ACCOUNTS_SQL, target=target, mid=MID_SIZE, small=VERY_SMALL, weak=WEAK_REVENUE,
        base_points=BASE, p=POINTS,
    )
    return store.query_df(sql, [*params, limit])


def reasons(row: pd.Series, lang: str, target_names: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(points, reason) for one scored prospect, largest effect first."""
    out: list[tuple[int, str]] = []
    if pd.notna(row["target_index"]) and int(row["target_index"]) < len(target_names):
        out.append((POINTS["in_target"], t("segments.reason.in_target", lang, segment=target_names[int(row["target_index"])])))
    employees = fmt_number(row["employees"], lang) if pd.notna(row["employees"]) else "–"
    if row["mid_size"]:
        out.append((POINTS["mid_size"], t("segments.reason.mid_size", lang, employees=employees)))
    if row["has_supplier"]:
        out.append((POINTS["has_supplier"], t("segments.reason.has_supplier", lang, supplier=row["supplier"])))
    if row["open_deal"]:
        out.append((POINTS["open_deal"], t("segments.reason.open_deal", lang)))
    if row["very_small"]:
        out.append((POINTS["very_small"], t("segments.reason.very_small", lang, employees=employees)))
    if row["weak_revenue"]:
        out.append((POINTS["weak_revenue"], t("segments.reason.weak_revenue", lang)))
    if row["lost_deals"]:
        n = int(row["lost_deals"])
        out.append((POINTS["lost_deals"] * n, t("segments.reason.lost_deals", lang, n=n)))
    for flag in ("no_revenue", "no_employees", "no_contact", "no_vat", "no_owner"):
        if row[flag]:
            out.append((POINTS[flag], t(f"segments.reason.{flag}", lang)))
    return sorted(out, key=lambda p: -abs(p[0]))


def reasons_text(row: pd.Series, lang: str, target_names: Sequence[str] = ()) -> str:
    return "; ".join(f"{'+' if p > 0 else '−'}{abs(p)} {text}" for p, text in reasons(row, lang, target_names))
