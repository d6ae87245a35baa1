"""Comparison data from the workspace: companies, features, capabilities, prices, positioning, share.

Every function aggregates in DuckDB and returns small DataFrames (one row per
company × factor, category or week), so charts never see raw rows. Missing data
stays missing (NULL/NaN), never a zero: a competitor without scores or comparable
prices is reported as "no data" by the callers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from research.data import fields
from research.errors import ValidationError
from research.i18n import keyed_error
from research.market import PRICE_MOVE_THRESHOLD, SEGMENT_DIMENSIONS, share_by_segment
from research.store import Store, quote_ident

FEATURE_VALUES = ("yes", "partial", "no", "unknown")
# How much of a feature a value means; unknown has no rank (it is not a "no").
VALUE_RANK = {"yes": 2, "partial": 1, "no": 0}
PRICE_LOOKBACK_DAYS = 56  # latest observation per product within the last 8 weeks


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    is_us: bool


def companies(store: Store) -> list[Company]:
    """Active companies, ours first, then competitors by name.

    Which one is ours is its `is_us` flag, read here as everywhere (the rule is owned by
    research.data.our_company; the database allows one flagged company).
    """
    rows = store.query_rows("SELECT id, name, is_us FROM companies WHERE NOT archived ORDER BY is_us DESC, lower(name), id")
    return [Company(int(r["id"]), r["name"], bool(r["is_us"])) for r in rows]


def pick_companies(store: Store, competitors: Sequence[str] | None) -> list[Company]:
    """Us plus the named competitors (all competitors for None); unknown names are refused."""
    everyone = companies(store)
    if competitors is None:
        return everyone
    by_name = {c.name.lower(): c for c in everyone if not c.is_us}
    unknown = [n for n in competitors if n.strip().lower() not in by_name]
    if unknown:
        known = ", ".join(c.name for c in everyone if not c.is_us) or "–"
        raise keyed_error(ValidationError, "compare.error.unknown_competitor", names=", ".join(unknown), known=known)
    wanted = {by_name[n.strip().lower()].id for n in competitors}
    return [c for c in everyone if c.is_us or c.id in wanted]


def default_competitors(store: Store, n: int = 2) -> list[str]:
    """The `n` competitors serving the most accounts: the usual pair to put beside us."""
    rows = store.query_rows(
        """SELECT c.name FROM companies c LEFT JOIN accounts a ON a.supplier_company_id = c.id AND NOT a.archived
           WHERE NOT c.is_us AND NOT c.archived GROUP BY c.id, c.name ORDER BY count(a.id) DESC, lower(c.name) LIMIT ?""",
        [n],
    )
    return [r["name"] for r in rows]


def data_version(store: Store) -> tuple[int, int]:
    """`Store.data_version()`: the one fingerprint of the workspace's data (every write is audited).

    Caches of comparison charts are keyed on it, so a saved feature edit, a new price
    or a new highlight colour shows on the next run without clearing anything.
    """
    return store.data_version()


def _ids(chosen: Sequence[Company]) -> list[int]:
    return [c.id for c in chosen]


# ---- companies' own attributes, custom fields included ------------------------------------

NUMERIC_KINDS = ("int", "number", "money", "percent")


def company_fields(store: Store) -> list[fields.CustomField]:
    """The workspace's custom company fields (research.data.fields), in their order."""
    return fields.list_fields(store, "companies")


# The newest rate per currency turns revenue and custom money fields into EUR: one
# yardstick across companies that report in different currencies.
_LATEST_RATES = "(SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY ALL)"


def company_profile(store: Store, chosen: Sequence[Company]) -> pd.DataFrame:
    """One row per chosen company, in `chosen`'s order: country, employees, revenue and every custom field.

    `per_eur` is the company currency's newest rate (1 for EUR, NaN when none is known),
    for money fields that are compared across companies.
    """
    custom = company_fields(store)
    columns = "".join(f", c.{quote_ident(f.name)}" for f in custom)
    df = store.query_df(
        f"""SELECT c.id AS company_id, c.hq_country, c.employees, c.revenue_estimate, c.revenue_currency{columns},
                   CASE WHEN upper(c.revenue_currency) = 'EUR' THEN 1.0 ELSE CAST(r.per_eur AS DOUBLE) END AS per_eur
            FROM companies c
            LEFT JOIN {_LATEST_RATES} r ON r.currency = upper(c.revenue_currency)
            WHERE c.id IN (SELECT unnest($ids))""",
        {"ids": _ids(chosen)},
    )
    order = pd.DataFrame({"company_id": _ids(chosen), "company": [c.name for c in chosen], "is_us": [c.is_us for c in chosen]})
    return order.merge(df, on="company_id", how="left")


# ---- features -----------------------------------------------------------------------------

FEATURE_MATRIX_SQL = """
SELECT f.id AS feature_id, f.name AS feature, f.category, f.product_category, f.position,
       c.id AS company_id, c.name AS company, c.is_us,
       coalesce(cf.value, 'unknown') AS value, cf.note, cf.source_url, s.title AS source_title,
       cf.id AS cell_id, cf.version
FROM features f
CROSS JOIN companies c
LEFT JOIN company_features cf ON cf.feature_id = f.id AND cf.company_id = c.id
LEFT JOIN sources s ON s.id = cf.source_id
WHERE NOT f.archived AND c.id IN (SELECT unnest($ids))
  AND ($category IS NULL OR f.product_category IS NULL OR f.product_category = $category)
ORDER BY lower(f.category), f.position, lower(f.name), f.id, c.is_us DESC, lower(c.name)
"""


def feature_categories(store: Store) -> list[str]:
    """Product categories features are tied to (for the matrix filter)."""
    rows = store.query_rows(
        "SELECT DISTINCT product_category FROM features WHERE NOT archived AND product_category IS NOT NULL ORDER BY 1"
    )
    return [r["product_category"] for r in rows]


def feature_groups(store: Store) -> list[str]:
    """The categories features are grouped in (Delivery, Sustainability …), for the add-feature form."""
    rows = store.query_rows("SELECT DISTINCT category FROM features WHERE NOT archived ORDER BY lower(category)")
    return [r["category"] for r in rows]


def feature_matrix(store: Store, chosen: Sequence[Company], *, product_category: str | None = None) -> pd.DataFrame:
    """One row per feature × chosen company, with `edge` = advantage/gap on competitor cells.

    A competitor cell is an `advantage` when our value ranks above theirs (yes >
    partial > no) and a `gap` when below; unknown on either side compares as nothing.
    """
    df = store.query_df(FEATURE_MATRIX_SQL, {"ids": _ids(chosen), "category": product_category})
    if df.empty:
        df["rank"] = pd.Series(dtype="float")
        df["edge"] = pd.Series(dtype="object")
        return df
    df["rank"] = df["value"].map(VALUE_RANK)
    ours = df[df["is_us"]].set_index("feature_id")["rank"]
    our_rank = df["feature_id"].map(ours)
    diff = our_rank - df["rank"]
    df["edge"] = None
    df.loc[~df["is_us"] & (diff > 0), "edge"] = "advantage"
    df.loc[~df["is_us"] & (diff < 0), "edge"] = "gap"
    return df


# ---- capabilities ---------------------------------------------------------------------------

CAPABILITIES_SQL = """
SELECT c.id AS company_id, c.name AS company, c.is_us, cap.capability, CAST(cap.score AS DOUBLE) AS score,
       cap.note, cap.assessed_on
FROM capabilities cap
JOIN companies c ON c.id = cap.company_id
WHERE c.id IN (SELECT unnest($ids))
ORDER BY c.is_us DESC, lower(c.name), cap.capability
"""


def capability_scores(store: Store, chosen: Sequence[Company]) -> pd.DataFrame:
    """Scores (1–5) per chosen company and capability; capabilities in a stable order (ours by score)."""
    return store.query_df(CAPABILITIES_SQL, {"ids": _ids(chosen)})


def capability_order(scores: pd.DataFrame) -> list[str]:
    """Factors for the canvas: every capability, ordered by our score (highest first), then name.

    Ordering by our own curve makes the value curve read left to right from where
    we are strong to where we are weak, the usual layout of a strategy canvas.
    """
    if scores.empty:
        return []
    ours = scores[scores["is_us"]].set_index("capability")["score"]
    caps = sorted(scores["capability"].unique())
    return sorted(caps, key=lambda c: (-(ours.get(c, -1.0)), c))


def missing_companies(chosen: Sequence[Company], present: pd.Series) -> list[str]:
    """Chosen companies that have no row in a dataset: the ones a chart marks "no data"."""
    have = set(present.tolist())
    return [c.name for c in chosen if c.name not in have]


# ---- prices -------------------------------------------------------------------------------

# Each chosen company's active products with their latest price (observation within
# the lookback before the newest observation in the workspace, else the list price),
# converted to EUR with the exchange rate valid on the price's date (ASOF: the newest
# rate on or before it). Products without a usable rate keep per_eur NULL and are
# counted apart ("excluded" rows), never mixed in as if they were EUR.
#
# Shaped for speed on large workspaces (demo --scale 100: 3.3M observations): the
# newest observation arrives as a literal ($newest), so the time filter prunes row
# groups in the scan; observations are narrowed to the chosen companies' products
# before they are aggregated; and each (currency, day) is looked up in the rates
# once instead of once per product.
_PRICED_PRODUCTS = """
WITH chosen AS (
    SELECT p.id AS product_id, p.company_id, p.category, p.unit, lower(trim(p.name)) AS name_key,
           p.list_price, p.currency AS list_currency
    FROM products p
    WHERE NOT p.archived AND p.company_id IN (SELECT unnest($ids)) AND ($category IS NULL OR p.category = $category)
),
latest AS (
    SELECT po.product_id, arg_max(po.price, po.observed_at) AS price,
           arg_max(po.currency, po.observed_at) AS currency, max(po.observed_at) AS observed_at
    FROM price_observations po
    JOIN chosen ch ON ch.product_id = po.product_id
    WHERE po.observed_at >= CAST($newest AS TIMESTAMP) - to_days(CAST($lookback AS INTEGER))
    GROUP BY po.product_id
),
priced AS (
    SELECT ch.product_id, ch.company_id, ch.category, ch.unit, ch.name_key,
           CAST(coalesce(l.price, ch.list_price) AS DOUBLE) AS price,
           upper(coalesce(l.currency, ch.list_currency)) AS currency,
           coalesce(CAST(l.observed_at AS DATE), CAST($newest AS DATE), current_date) AS priced_on
    FROM chosen ch
    LEFT JOIN latest l ON l.product_id = ch.product_id
    WHERE coalesce(l.price, ch.list_price) IS NOT NULL
),
days AS (SELECT DISTINCT currency, priced_on FROM priced WHERE currency <> 'EUR'),
rates AS (
    SELECT d.currency, d.priced_on, CAST(r.per_eur AS DOUBLE) AS per_eur
    FROM days d ASOF LEFT JOIN exchange_rates r ON r.currency = d.currency AND d.priced_on >= r.valid_on
),
converted AS (
    SELECT pr.*, CASE WHEN pr.currency = 'EUR' THEN 1.0 ELSE r.per_eur END AS per_eur
    FROM priced pr
    LEFT JOIN rates r ON r.currency = pr.currency AND r.priced_on = pr.priced_on
),
eur AS (
    SELECT cv.product_id, cv.company_id, c.is_us, cv.category, cv.unit, cv.name_key, cv.price / cv.per_eur AS price_eur
    FROM converted cv JOIN companies c ON c.id = cv.company_id
    WHERE cv.per_eur IS NOT NULL
),
ours_by_name AS (
    SELECT category, unit, name_key, median(price_eur) AS our_eur FROM eur WHERE is_us GROUP BY ALL
),
ours_by_unit AS (
    SELECT category, unit, median(price_eur) AS our_eur FROM eur WHERE is_us GROUP BY ALL
),
-- Each product against our price for the same product name (same category and
-- unit), else against our median for its category and unit.
indexed AS (
    SELECT e.*, e.price_eur / coalesce(n.our_eur, u.our_eur) * 100 AS idx
    FROM eur e
    LEFT JOIN ours_by_name n ON n.category = e.category AND n.unit = e.unit AND n.name_key = e.name_key
    LEFT JOIN ours_by_unit u ON u.category = e.category AND u.unit = e.unit
    WHERE coalesce(n.our_eur, u.our_eur) > 0 AND e.price_eur > 0
)
"""

# One statement per view: the compared rows, then one "excluded" row per currency
# whose products no exchange rate covers (their count in `products`), so a view
# never runs the price CTE a second time just for its note.
_EXCLUDED_ROWS = """
UNION ALL
SELECT 'excluded' AS row_kind, NULL AS company, NULL AS is_us, currency AS category, {nulls}, count(*) AS products
FROM converted WHERE per_eur IS NULL GROUP BY currency
ORDER BY row_kind DESC, category, is_us DESC, lower(company)
"""

PRICE_INDEX_SQL = _PRICED_PRODUCTS + """
SELECT 'compared' AS row_kind, c.name AS company, c.is_us, i.category,
       CASE WHEN c.is_us THEN 100.0 ELSE exp(avg(ln(i.idx))) END AS price_index,
       count(*) AS products
FROM indexed i
JOIN companies c ON c.id = i.company_id
GROUP BY c.name, c.is_us, i.category
""" + _EXCLUDED_ROWS.format(nulls="NULL AS price_index")

PRICE_DISTRIBUTION_SQL = _PRICED_PRODUCTS + """
SELECT 'compared' AS row_kind, c.name AS company, c.is_us, i.category,
       min(i.idx) AS low, quantile_cont(i.idx, 0.25) AS q1, median(i.idx) AS median,
       quantile_cont(i.idx, 0.75) AS q3, max(i.idx) AS high, count(*) AS products
FROM indexed i
JOIN companies c ON c.id = i.company_id
GROUP BY c.name, c.is_us, i.category
""" + _EXCLUDED_ROWS.format(nulls="NULL AS low, NULL AS q1, NULL AS median, NULL AS q3, NULL AS high")


@dataclass(frozen=True)
class PriceComparison:
    """Compared prices (one row per company and category) and the products left out per currency."""

    rows: pd.DataFrame
    excluded: dict[str, int]


def newest_observation(store: Store) -> object:
    """When the newest price observation was made (None without observations)."""
    return store.query_value("SELECT max(observed_at) FROM price_observations")


def _compare_prices(
    store: Store, sql: str, chosen: Sequence[Company], category: str | None, lookback: int
) -> PriceComparison:
    params = {"ids": _ids(chosen), "category": category, "lookback": lookback, "newest": newest_observation(store)}
    df = store.query_df(sql, params)
    compared = df[df["row_kind"] == "compared"].drop(columns="row_kind").reset_index(drop=True)
    compared["is_us"] = compared["is_us"].astype(bool)
    compared["products"] = compared["products"].astype(int)
    for column in compared.columns.difference(["company", "is_us", "category", "products"]):
        compared[column] = compared[column].astype(float)
    excluded = df[df["row_kind"] == "excluded"]
    return PriceComparison(compared, {str(c): int(n) for c, n in zip(excluded["category"], excluded["products"])})


def compare_price_index(
    store: Store, chosen: Sequence[Company], *, category: str | None = None, lookback: int = PRICE_LOOKBACK_DAYS
) -> PriceComparison:
    """Index per company and category (ours = 100) and the products excluded for want of a rate, in one query.

    Each product is compared with our price for the same product name, else with our
    median for its category and unit (piece, roll, kg … are never mixed), and the
    product indices are averaged geometrically per company and category.
    """
    return _compare_prices(store, PRICE_INDEX_SQL, chosen, category, lookback)


def compare_price_distribution(
    store: Store, chosen: Sequence[Company], *, category: str | None = None, lookback: int = PRICE_LOOKBACK_DAYS
) -> PriceComparison:
    """Spread of product indices (as in `compare_price_index`) per company and category: min, quartiles, max."""
    return _compare_prices(store, PRICE_DISTRIBUTION_SQL, chosen, category, lookback)


def price_index(
    store: Store, chosen: Sequence[Company], *, category: str | None = None, lookback: int = PRICE_LOOKBACK_DAYS
) -> pd.DataFrame:
    """The index rows of `compare_price_index`: company, is_us, category, price_index, products."""
    return compare_price_index(store, chosen, category=category, lookback=lookback).rows


def unconverted_prices(
    store: Store, chosen: Sequence[Company], *, category: str | None = None, lookback: int = PRICE_LOOKBACK_DAYS
) -> dict[str, int]:
    """Products left out of price comparisons because no exchange rate covers their currency and date."""
    return compare_price_index(store, chosen, category=category, lookback=lookback).excluded


def overall_price_index(index: pd.DataFrame) -> pd.DataFrame:
    """One index per company over all compared categories (geometric mean); ours is 100 by definition."""
    if index.empty:
        return pd.DataFrame(columns=["company", "is_us", "price_index", "categories"])
    grouped = index.assign(log=lambda d: d["price_index"].map(math.log)).groupby(["company", "is_us"], sort=False)
    out = grouped.agg(log=("log", "mean"), categories=("category", "nunique")).reset_index()
    out["price_index"] = out["log"].map(math.exp)
    return out.drop(columns="log")


def market_price_index(index: pd.DataFrame) -> pd.DataFrame:
    """Per category: the competitors' combined index (geometric mean) and whether we are cheaper."""
    rivals = index[~index["is_us"]]
    if rivals.empty:
        return pd.DataFrame(columns=["category", "rival_index", "rivals", "we_are_cheaper"])
    out = (
        rivals.assign(log=rivals["price_index"].map(math.log))
        .groupby("category")
        .agg(log=("log", "mean"), rivals=("company", "nunique"))
        .reset_index()
    )
    out["rival_index"] = out["log"].map(math.exp)
    out["we_are_cheaper"] = out["rival_index"] > 100
    return out.drop(columns="log")


def price_categories(store: Store, *, ours_only: bool = False) -> list[str]:
    """Product categories with active products (only those we sell, with `ours_only`)."""
    rows = store.query_rows(
        "SELECT DISTINCT p.category FROM products p JOIN companies c ON c.id = p.company_id "
        "WHERE NOT p.archived AND (c.is_us OR NOT ?) ORDER BY 1",
        [ours_only],
    )
    return [r["category"] for r in rows]


PRICE_HISTORY_SQL = """
WITH obs AS (
    SELECT CAST(date_trunc('week', po.observed_at) AS DATE) AS week, p.company_id, p.unit,
           CAST(po.price AS DOUBLE) AS price, upper(po.currency) AS currency, CAST(po.observed_at AS DATE) AS on_day
    FROM price_observations po
    JOIN products p ON p.id = po.product_id
    WHERE p.category = $category AND NOT p.archived AND p.company_id IN (SELECT unnest($ids))
),
-- The rate valid on each (currency, day) is looked up once, not once per observation:
-- an ASOF join over hundreds of thousands of observations was most of this query's time.
days AS (SELECT DISTINCT currency, on_day FROM obs WHERE currency <> 'EUR'),
rates AS (
    SELECT d.currency, d.on_day, CAST(r.per_eur AS DOUBLE) AS per_eur
    FROM days d ASOF LEFT JOIN exchange_rates r ON r.currency = d.currency AND d.on_day >= r.valid_on
),
eur AS (
    SELECT o.week, o.company_id, o.unit, o.price / CASE WHEN o.currency = 'EUR' THEN 1.0 ELSE r.per_eur END AS price_eur
    FROM obs o
    LEFT JOIN rates r ON r.currency = o.currency AND r.on_day = o.on_day
),
weekly AS (
    SELECT week, company_id, unit, median(price_eur) AS median_eur
    FROM eur WHERE price_eur IS NOT NULL GROUP BY ALL
),
base AS (
    SELECT w.unit, arg_min(w.median_eur, w.week) AS base_eur
    FROM weekly w JOIN companies c ON c.id = w.company_id WHERE c.is_us GROUP BY ALL
),
levels AS (
    SELECT w.week, c.name AS company, c.is_us, exp(avg(ln(w.median_eur / b.base_eur))) * 100 AS level
    FROM weekly w JOIN base b USING (unit) JOIN companies c ON c.id = w.company_id
    WHERE b.base_eur > 0 AND w.median_eur > 0
    GROUP BY ALL
)
SELECT week, company, is_us, level,
       level / lag(level) OVER (PARTITION BY company ORDER BY week) - 1 AS change
FROM levels
ORDER BY company, week
"""


def price_history(
    store: Store, chosen: Sequence[Company], category: str, *, threshold: float = PRICE_MOVE_THRESHOLD
) -> pd.DataFrame:
    """Weekly price level per company in one category, in EUR, indexed to our first week = 100.

    `is_move` flags weeks whose level moved by at least `threshold` (0.03 = 3 %)
    against the week before: the events the history chart annotates.
    """
    if threshold < 0:
        raise keyed_error(ValidationError, "compare.error.threshold")
    df = store.query_df(PRICE_HISTORY_SQL, {"ids": _ids(chosen), "category": category})
    df["is_move"] = df["change"].abs() >= threshold if not df.empty else pd.Series(dtype=bool)
    return df


# ---- share of served accounts ---------------------------------------------------------------

COMPANY_SHARE_SQL = """
SELECT c.name AS company, c.is_us, count(a.id) AS accounts,
       CAST(count(a.id) AS DOUBLE) / nullif(sum(count(a.id)) OVER (), 0) AS share
FROM companies c
LEFT JOIN accounts a ON a.supplier_company_id = c.id AND NOT a.archived
WHERE NOT c.archived
GROUP BY ALL
"""


def company_share(store: Store) -> pd.DataFrame:
    """Share of all served accounts per company (every active company, so shares add up)."""
    return store.query_df(COMPANY_SHARE_SQL)


def saved_segments_available(store: Store) -> bool:
    """True when the workspace has saved segments (research.segments) to compare share in."""
    if "segments" not in store.tables():
        return False
    return bool(store.query_value("SELECT count(*) FROM segments WHERE NOT archived"))


def share_in_saved_segments(store: Store, *, max_segments: int = 12) -> pd.DataFrame:
    """Accounts served per company in each saved segment, in market.share_by_segment's columns."""
    from research.segments.rules import ACCOUNTS_SQL
    from research.segments.saved import list_segments

    parts, params = [], []
    for segment in list_segments(store)[:max_segments]:
        condition = segment.condition
        parts.append(f"SELECT ? AS segment, s.supplier_id FROM ({ACCOUNTS_SQL}) s WHERE s.supplier_id IS NOT NULL AND ({condition.sql})")
        params += [segment.name, *condition.params]
    if not parts:
        return pd.DataFrame(columns=["segment", "company", "is_us", "accounts", "share", "segment_accounts"])
    sql = f"""
    WITH members AS ({' UNION ALL '.join(parts)}),
    served AS (
        SELECT m.segment, c.name AS company, c.is_us, count(*) AS accounts
        FROM members m JOIN companies c ON c.id = m.supplier_id GROUP BY ALL
    )
    SELECT segment, company, is_us, accounts,
           CAST(accounts AS DOUBLE) / sum(accounts) OVER (PARTITION BY segment) AS share,
           sum(accounts) OVER (PARTITION BY segment) AS segment_accounts
    FROM served ORDER BY segment_accounts DESC, segment, accounts DESC, company
    """
    return store.query_df(sql, params)


SEGMENT_SOURCES = ("saved", *SEGMENT_DIMENSIONS)


def share_by_segment_for(store: Store, source: str, chosen: Sequence[Company]) -> pd.DataFrame:
    """Share per segment (saved segments, or a dimension of the accounts) with `lead` = our share − best rival's.

    Shares are of all served accounts in the segment (every company counts), then
    the rows are narrowed to the chosen companies; segments come sorted by our lead.
    """
    if source not in SEGMENT_SOURCES:
        raise keyed_error(ValidationError, "compare.error.segment_source", source=repr(source), sources=", ".join(SEGMENT_SOURCES))
    share = share_in_saved_segments(store) if source == "saved" else share_by_segment(store, source)
    if share.empty:
        share["lead"] = pd.Series(dtype="float")
        return share
    ours = share[share["is_us"]].groupby("segment")["share"].sum()
    best = share[~share["is_us"]].groupby("segment")["share"].max()
    segments = share["segment"].drop_duplicates()
    lead = segments.map(ours).fillna(0.0) - segments.map(best).fillna(0.0)
    share["lead"] = share["segment"].map(dict(zip(segments, lead)))
    names = {c.name for c in chosen}
    share = share[share["company"].isin(names)]
    return share.sort_values(["lead", "segment", "is_us", "accounts"], ascending=[False, True, False, False]).reset_index(drop=True)
