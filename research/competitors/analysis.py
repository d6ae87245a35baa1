"""Across competitors: SWOT weight by company and quadrant, our strengths against their
weaknesses (talking points), and list prices compared product by product.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from research.competitors.profiles import our_company_id
from research.competitors.states import Quadrant, sql_list, sql_order
from research.competitors.swot import stale_days
from research.store import Store

# Aggregated in DuckDB: one row per (company, quadrant), never one per item. Private items
# (migration 0010) stay out of both cross-competitor views: they are made for the shared screen.
HEATMAP_SQL = """
WITH q AS (SELECT unnest({quadrants}) AS quadrant),
c AS (SELECT id, name, is_us FROM companies WHERE NOT archived),
s AS (
    SELECT s.company_id, s.quadrant, count(*) AS items, sum(s.impact) AS impact,
           count(*) FILTER (WHERE coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE))
                                  < CAST($today AS DATE) - CAST($days AS INTEGER)) AS stale
    FROM swot_items s LEFT JOIN sources src ON src.id = s.source_id
    WHERE NOT s.archived AND NOT coalesce(s.private, false) GROUP BY ALL
)
SELECT c.id AS company_id, c.name AS company, c.is_us, q.quadrant,
       coalesce(s.items, 0) AS items, coalesce(CAST(s.impact AS INTEGER), 0) AS impact, coalesce(s.stale, 0) AS stale
FROM c CROSS JOIN q LEFT JOIN s ON s.company_id = c.id AND s.quadrant = q.quadrant
ORDER BY c.is_us DESC, c.name, {quadrant_order}
""".replace("{quadrants}", sql_list(Quadrant)).replace("{quadrant_order}", sql_order(Quadrant, "q.quadrant"))

# Our strengths that answer a competitor's weaknesses: they share at least one tag.
# Ranked by the two impacts together; `$company` NULL means every competitor.
TALKING_POINTS_SQL = """
WITH ours AS (
    SELECT s.id, s.statement, s.impact, s.tags FROM swot_items s JOIN companies c ON c.id = s.company_id
    WHERE c.is_us AND s.quadrant = 'S' AND NOT s.archived AND NOT coalesce(s.private, false)
), theirs AS (
    SELECT s.id, s.company_id, c.name AS company, s.statement, s.impact, s.tags
    FROM swot_items s JOIN companies c ON c.id = s.company_id
    WHERE NOT c.is_us AND NOT c.archived AND s.quadrant = 'W' AND NOT s.archived AND NOT coalesce(s.private, false)
      AND ($company IS NULL OR s.company_id = $company)
)
SELECT t.company_id, t.company, o.id AS our_item_id, o.statement AS our_strength, o.impact AS our_impact,
       t.id AS their_item_id, t.statement AS their_weakness, t.impact AS their_impact,
       list_intersect(o.tags, t.tags) AS shared_tags,
       CAST(o.impact + t.impact AS INTEGER) AS score
FROM ours o JOIN theirs t ON len(list_intersect(o.tags, t.tags)) > 0
ORDER BY score DESC, t.company, o.id, t.id
LIMIT $limit
"""

# Like-for-like list prices: products of the same name and unit, converted to EUR at
# the newest rate of each currency; one row per category with the median ratio. `$us` is
# our company (profiles.our_company_id); without one, nothing compares.
PRICE_COMPARISON_SQL = """
WITH rates AS (
    SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency
), priced AS (
    SELECT p.company_id, p.name, p.unit, p.category,
           CAST(p.list_price AS DOUBLE) / CAST(coalesce(r.per_eur, CASE WHEN p.currency = 'EUR' THEN 1 END) AS DOUBLE)
               AS price_eur
    FROM products p LEFT JOIN rates r ON r.currency = p.currency
    WHERE NOT p.archived AND p.list_price IS NOT NULL
), ours AS (
    SELECT name, unit, category, median(price_eur) AS price_eur FROM priced
    WHERE company_id = $us GROUP BY ALL
), theirs AS (
    SELECT name, unit, category, median(price_eur) AS price_eur FROM priced WHERE company_id = $company GROUP BY ALL
)
SELECT t.category, count(*) AS products,
       median(o.price_eur) AS our_median_eur, median(t.price_eur) AS their_median_eur,
       median(t.price_eur / o.price_eur) AS price_index
FROM theirs t JOIN ours o ON o.name = t.name AND o.unit = t.unit
WHERE o.price_eur > 0 AND t.price_eur IS NOT NULL
GROUP BY t.category
ORDER BY products DESC, t.category
"""


def swot_heatmap_data(store: Store, *, today: dt.date | None = None, days: int | None = None) -> pd.DataFrame:
    """Items, summed impact and stale items per active company and quadrant (ours first)."""
    return store.query_df(
        HEATMAP_SQL, {"today": today or dt.date.today(), "days": stale_days() if days is None else days}
    )


def talking_points(store: Store, company_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    """Our strengths matched to competitors' weaknesses by shared tags, strongest pairs first."""
    return store.query_df(TALKING_POINTS_SQL, {"company": company_id, "limit": limit})


def price_comparison(store: Store, company_id: int) -> pd.DataFrame:
    """Per category: like-for-like products, our and their median list price in EUR, and their index (1.10 = 10 % above us)."""
    return store.query_df(PRICE_COMPARISON_SQL, {"company": company_id, "us": our_company_id(store)})


def overall_price_index(comparison: pd.DataFrame) -> float | None:
    """Their prices against ours over all compared products (weighted by product count)."""
    if comparison.empty or comparison["products"].sum() == 0:
        return None
    weights = comparison["products"].astype(float)
    return float((comparison["price_index"] * weights).sum() / weights.sum())
