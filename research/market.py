"""Market overview figures: KPIs, share of accounts by segment, price moves, recent changes.

Named SQL lives here and runs through the Store; callers get typed records or
DataFrames ready for charts and tables.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import altair as alt
import pandas as pd

from research.access import audit_viewer_params, visible_audit_log
from research.charts.market import share_by_segment_chart
from research.data import fields
from research.errors import ValidationError
from research.i18n import MESSAGES, country_name, fmt_date, fmt_datetime, fmt_money, fmt_percent, t
from research.store import Store, quote_ident

SEGMENT_DIMENSIONS = ("industry", "country", "region")  # the built-in ones Compare's share view offers too
# Overview segments by any categorical account field: these built-in ones, then the
# workspace's custom fields of these kinds (research.data.fields), each labelled by its names.
BUILTIN_DIMENSIONS = (*SEGMENT_DIMENSIONS, "status")
CATEGORICAL_KINDS = ("choice", "text", "bool")
PRICE_MOVE_DAYS = 30
PRICE_MOVE_THRESHOLD = 0.03  # a move of 3 % or more is worth a look


@dataclass(frozen=True)
class OverviewKpis:
    competitors: int
    customers: int
    prospects: int
    lost: int
    served_accounts: int
    our_served_accounts: int
    prices_as_of: dt.date | None

    @property
    def our_share(self) -> float | None:
        if not self.served_accounts:
            return None
        return self.our_served_accounts / self.served_accounts


KPI_SQL = """
SELECT
    (SELECT count(*) FROM companies WHERE NOT is_us AND NOT archived) AS competitors,
    count(*) FILTER (WHERE a.status = 'customer') AS customers,
    count(*) FILTER (WHERE a.status = 'prospect') AS prospects,
    count(*) FILTER (WHERE a.status = 'lost') AS lost,
    count(*) FILTER (WHERE a.supplier_company_id IS NOT NULL) AS served_accounts,
    count(*) FILTER (WHERE c.is_us) AS our_served_accounts
FROM accounts a
LEFT JOIN companies c ON c.id = a.supplier_company_id
WHERE NOT a.archived
"""

# Each product's price against its previous observation, for observations inside
# the window that ends at the newest observation in the workspace (so a workspace
# whose collection paused still shows its last moves).
PRICE_MOVES_SQL = """
WITH newest AS (SELECT max(observed_at) AS at FROM price_observations),
recent AS (
    SELECT po.product_id, po.observed_at, po.price, po.currency,
           lag(po.price) OVER (PARTITION BY po.product_id ORDER BY po.observed_at) AS previous_price,
           lag(po.currency) OVER (PARTITION BY po.product_id ORDER BY po.observed_at) AS previous_currency
    FROM price_observations po, newest
    WHERE po.observed_at >= newest.at - to_days(CAST($days AS INTEGER) * 3)
)
SELECT r.observed_at, c.name AS company, c.is_us, p.name AS product, p.category,
       r.previous_price, r.price, r.currency,
       CAST(r.price / r.previous_price - 1 AS DOUBLE) AS change
FROM recent r, newest
JOIN products p ON p.id = r.product_id
JOIN companies c ON c.id = p.company_id
WHERE r.observed_at > newest.at - to_days(CAST($days AS INTEGER))
  AND r.previous_price > 0
  AND r.currency = r.previous_currency  -- a price re-quoted in another currency is not a move
  AND abs(r.price / r.previous_price - 1) >= $threshold
  AND NOT p.archived
ORDER BY r.observed_at DESC, abs(r.price / r.previous_price - 1) DESC, p.name
"""

# The segment is text ('true'/'false' for a yes/no field); accounts without a value form
# the segment '' ("not set"), so they are counted rather than silently dropped.
SHARE_BY_SEGMENT_SQL = """
WITH served AS (
    SELECT coalesce(CAST(a.{dimension} AS VARCHAR), '') AS segment, c.name AS company, c.is_us, count(*) AS accounts
    FROM accounts a
    JOIN companies c ON c.id = a.supplier_company_id
    WHERE NOT a.archived
    GROUP BY ALL
)
SELECT segment, company, is_us, accounts,
       CAST(accounts AS DOUBLE) / sum(accounts) OVER (PARTITION BY segment) AS share,
       sum(accounts) OVER (PARTITION BY segment) AS segment_accounts
FROM served
ORDER BY segment_accounts DESC, segment, accounts DESC, company
"""

RECENT_CHANGES_SQL = f"""
SELECT changed_at, actor, table_name, action, row_id,
       coalesce(
           after ->> 'name', before ->> 'name',
           after ->> 'statement', before ->> 'statement',
           after ->> 'capability', before ->> 'capability',
           after ->> 'title', before ->> 'title'
       ) AS item,
       after ->> 'demo_seed' AS demo_seed
-- Overview is a shared screen: nobody's private audit rows (migration 0012), no role assignments.
FROM {visible_audit_log()}
ORDER BY id DESC
LIMIT $limit
"""


def overview_kpis(store: Store) -> OverviewKpis:
    row = store.query_rows(KPI_SQL)[0]
    as_of = store.query_value("SELECT CAST(max(observed_at) AS DATE) FROM price_observations")
    return OverviewKpis(
        competitors=int(row["competitors"]),
        customers=int(row["customers"]),
        prospects=int(row["prospects"]),
        lost=int(row["lost"]),
        served_accounts=int(row["served_accounts"]),
        our_served_accounts=int(row["our_served_accounts"]),
        prices_as_of=as_of,
    )


def price_moves(store: Store, *, days: int = PRICE_MOVE_DAYS, threshold: float = PRICE_MOVE_THRESHOLD) -> pd.DataFrame:
    """Price changes of at least `threshold` (0.03 = 3 %) within the last `days` of observations."""
    if days < 1:
        raise ValidationError("The price-move window must be at least one day.")
    if threshold < 0:
        raise ValidationError("The price-move threshold cannot be negative.")
    return store.query_df(PRICE_MOVES_SQL, {"days": days, "threshold": threshold})


def custom_dimensions(store: Store) -> list[fields.CustomField]:
    """The workspace's categorical custom account fields (choice, text, yes/no), in their order."""
    return [f for f in fields.list_fields(store, "accounts") if f.kind in CATEGORICAL_KINDS]


def segment_dimensions(store: Store) -> list[str]:
    """Every account field the share can be segmented by: the built-in ones, then categorical custom fields."""
    return [*BUILTIN_DIMENSIONS, *(f.name for f in custom_dimensions(store))]


def dimension_label(store: Store, dimension: str, lang: str) -> str:
    """A dimension's name in `lang`: the catalog's for a built-in one, the field's own for a custom one."""
    if f"dimension.{dimension}" in MESSAGES:
        return t(f"dimension.{dimension}", lang)
    field = next((f for f in custom_dimensions(store) if f.name == dimension), None)
    return field.label(lang) if field else dimension


def dimension_labels(store: Store, lang: str) -> dict[str, str]:
    """Every offered dimension -> its label in `lang` (a picker's format_func)."""
    return {d: dimension_label(store, d, lang) for d in segment_dimensions(store)}


def share_by_segment(store: Store, dimension: str = "industry", *, max_segments: int = 12) -> pd.DataFrame:
    """Accounts served per company in each segment, with shares; the largest segments first.

    `dimension` is one of `segment_dimensions(store)`; `segment` is text, '' for accounts
    without a value.
    """
    offered = segment_dimensions(store)
    if dimension not in offered:
        raise ValidationError(f"Cannot segment by {dimension!r}; choose one of {', '.join(offered)}.")
    df = store.query_df(SHARE_BY_SEGMENT_SQL.format(dimension=quote_ident(dimension)))
    keep = df.drop_duplicates("segment")["segment"].head(max_segments)
    return df[df["segment"].isin(keep)].reset_index(drop=True)


def segments_we_lead(share: pd.DataFrame) -> list[str]:
    """Segments in which our company serves strictly more accounts than any competitor."""
    if share.empty:
        return []
    ours = share[share["is_us"]].groupby("segment")["accounts"].sum()
    best_rival = share[~share["is_us"]].groupby("segment")["accounts"].max()
    rival = best_rival.reindex(ours.index).fillna(0)
    return sorted(ours[ours > rival].index.tolist())


def recent_changes(store: Store, limit: int = 15) -> pd.DataFrame:
    """The newest audited changes, as anyone may see them on a shared screen (no private rows, even one's own)."""
    return store.query_df(RECENT_CHANGES_SQL, {"limit": limit, **audit_viewer_params(None)})


# ---- shaped for display ----------------------------------------------------------------


def segment_label(dimension: str, value: object, lang: str, *, kind: str | None = None) -> str:
    """A segment's name in `lang`: countries and statuses by their names, a yes/no field's
    'true'/'false' as yes/no (`kind` = the custom field's kind), no value as "not set"."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return t("overview.share.not_set", lang)
    if dimension == "country":
        return country_name(str(value), lang)
    if dimension == "status" and f"status.{value}" in MESSAGES:
        return t(f"status.{value}", lang)
    if kind == "bool" and str(value).lower() in ("true", "false"):
        return t(f"overview.share.{str(value).lower()}", lang)
    return str(value)


def company_label(name: str, is_us: bool, lang: str) -> str:
    return name + t("chart.us_suffix", lang) if is_us else name


def labelled_share(store: Store, dimension: str, lang: str) -> pd.DataFrame:
    """`share_by_segment` with display labels in `lang` (segment_label, company_label)."""
    share = share_by_segment(store, dimension)
    kind = next((f.kind for f in custom_dimensions(store) if f.name == dimension), None)
    share["segment_label"] = [segment_label(dimension, v, lang, kind=kind) for v in share["segment"]]
    share["company_label"] = [company_label(n, u, lang) for n, u in zip(share["company"], share["is_us"])]
    return share


def share_chart(
    share: pd.DataFrame, dimension: str, lang: str, *, dimension_title: str | None = None
) -> tuple[alt.TopLevelMixin | None, int, int]:
    """The share-by-segment chart of a `labelled_share` frame, and (segments we lead, segments shown).

    `dimension_title` names the axis (`dimension_label`; a built-in dimension's by default).
    """
    if share.empty:
        return None, 0, 0
    lead = len(segments_we_lead(share))
    total = share["segment"].nunique()
    chart = share_by_segment_chart(
        share,
        title=t("overview.share.title", lang),
        subtitle=t("overview.share.subtitle", lang, lead=lead, total=total),
        segment_title=dimension_title or (t(f"dimension.{dimension}", lang) if f"dimension.{dimension}" in MESSAGES
                                          else dimension),
        share_title=t("col.share", lang),
        company_title=t("col.company", lang),
        accounts_title=t("col.accounts", lang),
    )
    return chart, lead, total


def share_by_segment_view(store: Store, dimension: str, lang: str) -> tuple[alt.TopLevelMixin | None, int, int]:
    """The share-by-segment chart in `lang`, and (segments we lead, segments shown)."""
    return share_chart(labelled_share(store, dimension, lang), dimension, lang,
                       dimension_title=dimension_label(store, dimension, lang))


def price_moves_table(moves: pd.DataFrame, lang: str, limit: int = 12) -> pd.DataFrame:
    """Latest price moves as display text: money per locale, change as a signed percentage."""
    rows = moves.head(limit)
    return pd.DataFrame(
        {
            t("col.observed", lang): [fmt_date(v.date(), lang) for v in rows["observed_at"]],
            t("col.company", lang): [company_label(n, u, lang) for n, u in zip(rows["company"], rows["is_us"])],
            t("col.product", lang): rows["product"].tolist(),
            t("col.old_price", lang): [fmt_money(p, c, lang) for p, c in zip(rows["previous_price"], rows["currency"])],
            t("col.new_price", lang): [fmt_money(p, c, lang) for p, c in zip(rows["price"], rows["currency"])],
            t("col.change", lang): [("+" if v > 0 else "") + fmt_percent(v, lang, 1) for v in rows["change"]],
        }
    )


def _change_item(row: pd.Series, lang: str) -> str:
    if isinstance(row["item"], str):
        return row["item"]
    if isinstance(row["demo_seed"], str):
        return t("changes.demo_built", lang, seed=row["demo_seed"])
    return ""


def recent_changes_table(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.when", lang): [fmt_datetime(v, lang) for v in changes["changed_at"]],
            t("col.who", lang): changes["actor"].tolist(),
            t("col.what", lang): [t(f"action.{a}", lang) for a in changes["action"]],
            t("col.table", lang): [t("changes.all_tables", lang) if v == "*" else v for v in changes["table_name"]],
            t("col.item", lang): [_change_item(row, lang) for _, row in changes.iterrows()],
        }
    )
