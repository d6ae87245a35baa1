"""Market overview figures: KPIs, share of accounts by segment, price moves, recent changes.

Named SQL lives here and runs through the Store; callers get typed records or
DataFrames ready for charts and tables.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

import altair as alt
import pandas as pd

from research.access import audit_viewer_params, visible_audit_log
from research.charts.market import share_by_segment_chart
from research.data import fields
from research.data.labels import Labels, labels_for
from research.errors import ValidationError
from research.i18n import (
    MESSAGES,
    country_name,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_money_round,
    fmt_number,
    fmt_percent,
    locale_of,
    t,
)
from research.store import Store, quote_ident

SEGMENT_DIMENSIONS = ("industry", "country", "region")  # the built-in ones Compare's share view offers too
# Overview segments by any categorical account field: these built-in ones, then the
# workspace's custom fields of these kinds (research.data.fields), each labelled by its names.
BUILTIN_DIMENSIONS = (*SEGMENT_DIMENSIONS, "status")
CATEGORICAL_KINDS = ("choice", "text", "bool")
# The built-in dimensions whose values the workspace names per language (research.data.labels DOMAINS).
LABELLED_DIMENSIONS = ("industry", "region")
PRICE_MOVE_DAYS = 30
# A move of 3 % or more is worth a look: the one threshold of the Overview, the monthly report, the signals'
# default and Compare's price-history marks.
PRICE_MOVE_THRESHOLD = 0.03


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


# Accounts are counted per (status, supplier) first, so the companies join and the company
# flags touch a few dozen groups instead of every account (5 M at demo scale 1000).
KPI_SQL = """
WITH counted AS (
    SELECT a.status, a.supplier_company_id, count(*) AS n
    FROM accounts a
    WHERE NOT a.archived
    GROUP BY ALL
)
SELECT
    (SELECT count(*) FROM companies WHERE NOT is_us AND NOT archived) AS competitors,
    coalesce(sum(a.n) FILTER (WHERE a.status = 'customer'), 0) AS customers,
    coalesce(sum(a.n) FILTER (WHERE a.status = 'prospect'), 0) AS prospects,
    coalesce(sum(a.n) FILTER (WHERE a.status = 'lost'), 0) AS lost,
    coalesce(sum(a.n) FILTER (WHERE a.supplier_company_id IS NOT NULL), 0) AS served_accounts,
    coalesce(sum(a.n) FILTER (WHERE c.is_us), 0) AS our_served_accounts
FROM counted a
LEFT JOIN companies c ON c.id = a.supplier_company_id
"""

# The one price-move rule (Overview, monthly report, signals): an observation in the window [$start, $end)
# whose price differs by $threshold or more from the same product's previous observation (any time
# before, in the same currency, above 0), for products not archived. A product's observations are
# ordered by time, then id: of two taken at the very same time, the one stored first comes first.
#
# Sorting every product's observations for lag() is what costs (4 M rows in 90 days at demo scale
# 1000), so `spans` first keeps the products that CAN hold a move, in one hash aggregate over the window
# and a reach before it ($reach = start - 2 × the window's length): a move from p to q (|q/p - 1| >=
# threshold) needs max/min >= 1 + threshold over the product's prices in the window plus the last one
# before them. Exact, not an estimate: every move's two prices are in that set, so max/min >= q/p or p/q;
# the 1e-9 slack keeps float rounding from dropping a move at exactly the threshold. A product with no
# observation in the reach (a long gap, or none before) is looked up further back in `earlier`, only for
# those few products. Only the kept products (a few thousand of 320,000) are sorted, and only their
# observations in the window: the first one's previous price is the last one before (`last_before`).
# Bounds are values, not a join, so DuckDB filters the scan itself (and skips row groups by their
# min/max where observations were stored in time order).
# "The latest observation" orders by time, then id (two observations at one moment). As one
# HUGEINT rather than a (time, id) struct: the same order, and arg_max over 33 M rows 1.5 times faster.
LATEST_KEY = "epoch_us(observed_at)::HUGEINT * 9223372036854775808 + id"

PRICE_MOVES_SQL = """
WITH spans AS (
    SELECT product_id,
           min(price) FILTER (WHERE observed_at >= $start) AS low,
           max(price) FILTER (WHERE observed_at >= $start) AS high,
           arg_max(price, {LATEST_KEY}) FILTER (WHERE observed_at < $start) AS before,
           arg_max(currency, {LATEST_KEY}) FILTER (WHERE observed_at < $start) AS before_currency
    FROM price_observations
    WHERE observed_at >= $reach AND observed_at < $end
    GROUP BY product_id
    HAVING low IS NOT NULL
),
earlier AS (
    SELECT product_id,
           arg_max(price, {LATEST_KEY}) AS before,
           arg_max(currency, {LATEST_KEY}) AS before_currency
    FROM price_observations
    WHERE observed_at < $reach AND product_id IN (SELECT product_id FROM spans WHERE before IS NULL)
    GROUP BY product_id
),
last_before AS (
    SELECT s.product_id, s.low, s.high,
           CASE WHEN s.before IS NULL THEN e.before ELSE s.before END AS before,
           CASE WHEN s.before IS NULL THEN e.before_currency ELSE s.before_currency END AS before_currency
    FROM spans s LEFT JOIN earlier e USING (product_id)
),
moving AS (
    SELECT product_id, before, before_currency FROM last_before
    WHERE least(low, before) <= 0
       OR greatest(high, before) / least(low, before) - 1 >= $threshold - 1e-9
),
recent AS (
    SELECT po.product_id, po.observed_at, po.price, po.currency,
           coalesce(lag(po.price) OVER w, m.before) AS previous_price,
           coalesce(lag(po.currency) OVER w, m.before_currency) AS previous_currency
    FROM price_observations po
    JOIN moving m ON m.product_id = po.product_id
    WHERE po.observed_at >= $start AND po.observed_at < $end
    WINDOW w AS (PARTITION BY po.product_id ORDER BY po.observed_at, po.id)
)
SELECT r.observed_at, c.id AS company_id, c.name AS company, c.is_us, p.name AS product, p.category,
       r.previous_price, r.price, r.currency,
       CAST(r.price / r.previous_price - 1 AS DOUBLE) AS change
FROM recent r
JOIN products p ON p.id = r.product_id
JOIN companies c ON c.id = p.company_id
WHERE r.previous_price > 0
  AND r.currency = r.previous_currency  -- a price re-quoted in another currency is not a move
  AND abs(r.price / r.previous_price - 1) >= $threshold
  AND NOT p.archived
ORDER BY r.observed_at DESC, abs(r.price / r.previous_price - 1) DESC, p.name, c.name
""".replace("{LATEST_KEY}", LATEST_KEY)

# The segment is text ('true'/'false' for a yes/no field); accounts without a value form
# the segment '' ("not set"), so they are counted rather than silently dropped. Accounts are
# counted per (value, supplier) before the companies join, which then names a few hundred groups
# rather than every account (5 M at demo scale 1000); `served` groups again by the company's name
# and flag, the share's unit.
SHARE_BY_SEGMENT_SQL = """
WITH counted AS (
    SELECT a.{dimension} AS value, a.supplier_company_id AS company_id, count(*) AS accounts
    FROM accounts a
    WHERE NOT a.archived AND a.supplier_company_id IS NOT NULL
    GROUP BY ALL
),
served AS (
    SELECT coalesce(CAST(s.value AS VARCHAR), '') AS segment, c.name AS company, c.is_us,
           CAST(sum(s.accounts) AS BIGINT) AS accounts
    FROM counted s
    JOIN companies c ON c.id = s.company_id
    GROUP BY ALL
)
SELECT segment, company, is_us, accounts,
       CAST(accounts AS DOUBLE) / sum(accounts) OVER (PARTITION BY segment) AS share,
       sum(accounts) OVER (PARTITION BY segment) AS segment_accounts
FROM served
ORDER BY segment_accounts DESC, segment, accounts DESC, company
"""

# The newest changes, one row per batch and table and action (an import of 120 accounts is one
# line, "Added: 120 accounts"), with the newest row's fields that name the item. Only the fields
# named here leave the audit images, so nothing else of a before/after reaches the screen.
RECENT_CHANGES_SQL = f"""
WITH v AS (
    SELECT * FROM {visible_audit_log()}
    -- Overview is a shared screen: nobody's private audit rows (migration 0012), no role assignments.
),
groups AS (
    SELECT batch_id, table_name, action, max(id) AS last_id, count(*) AS rows
    FROM v
    GROUP BY ALL
    ORDER BY last_id DESC
    LIMIT $limit
)
SELECT v.changed_at, v.actor, g.table_name, g.action, g.batch_id, g.rows, v.row_id,
       coalesce(
           after ->> 'name', before ->> 'name',
           after ->> 'statement', before ->> 'statement',
           after ->> 'capability', before ->> 'capability',
           after ->> 'title', before ->> 'title',
           after ->> 'text', before ->> 'text',
           after ->> 'label', before ->> 'label'
       ) AS item,
       coalesce(after ->> 'label_en', before ->> 'label_en') AS label_en,
       coalesce(after ->> 'label_sr', before ->> 'label_sr') AS label_sr,
       coalesce(after ->> 'view', before ->> 'view') AS view,
       coalesce(after ->> 'domain', before ->> 'domain') AS domain,
       coalesce(after ->> 'value', before ->> 'value') AS value,
       coalesce(after ->> 'price', before ->> 'price') AS price,
       coalesce(after ->> 'currency', before ->> 'currency') AS currency,
       coalesce(after ->> 'url', before ->> 'url') AS url,
       after ->> 'demo_seed' AS demo_seed,
       before ->> 'demo_replace_deleted' AS demo_replaced,
       coalesce(after ->> 'segment', before ->> 'segment') AS segment,
       after ->> 'members' AS members,
       coalesce(after ->> 'dataset', before ->> 'dataset', after ->> 'dataset_link') AS dataset,
       coalesce(after ->> 'custom_field_removed', before ->> 'custom_field') AS custom_field
FROM groups g
JOIN v ON v.id = g.last_id
ORDER BY g.last_id DESC
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
    """Price moves of at least `threshold` (0.03 = 3 %) within the last `days` of observations: the window
    (newest - days, newest] ends at the newest observation, so a workspace whose collection paused still
    shows its last moves. Newest first."""
    if days < 1:
        raise ValidationError("The price-move window must be at least one day.")
    newest = store.query_value("SELECT max(observed_at) FROM price_observations")
    if newest is None:  # no observations: an empty window, and the frame keeps its columns
        return price_moves_between(store, dt.datetime.min, dt.datetime.min, threshold=threshold)
    # observed_at is a TIMESTAMP (microseconds): (newest - days, newest] is [... + 1 µs, newest + 1 µs).
    end = _shifted(newest, dt.timedelta(microseconds=1))
    return price_moves_between(store, _shifted(end, -dt.timedelta(days=days)), end, threshold=threshold)


def price_moves_between(
    store: Store, start: dt.date, end: dt.date, *, threshold: float = PRICE_MOVE_THRESHOLD,
) -> pd.DataFrame:
    """Every price move of at least `threshold` observed in [start, end) (dates or datetimes; a date is its
    midnight), by `PRICE_MOVES_SQL`'s rule: one row per observation, newest first, with the company's id,
    name and flag, the product's name and category, the previous and new price, and the change."""
    if threshold < 0:
        raise ValidationError("The price-move threshold cannot be negative.")
    start_at, end_at = _as_datetime(start), _as_datetime(end)
    if end_at < start_at:
        raise ValidationError(f"The price-move window ends ({end_at}) before it starts ({start_at}).")
    reach = _shifted(start_at, -2 * (end_at - start_at))  # how far `spans` looks for the price before
    return store.query_df(PRICE_MOVES_SQL, {"start": start_at, "end": end_at, "reach": reach, "threshold": threshold})


def _as_datetime(day: dt.date) -> dt.datetime:
    return day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())


def _shifted(at: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """`at + by` (SQL's arithmetic on a TIMESTAMP), held at the earliest or latest datetime beyond them."""
    try:
        return at + by
    except OverflowError:
        return dt.datetime.max if by > dt.timedelta(0) else dt.datetime.min


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
    """The newest audited changes, one row per batch, table and action (`rows` = how many rows it
    touched), as anyone may see them on a shared screen (no private rows, even one's own)."""
    return store.query_df(RECENT_CHANGES_SQL, {"limit": limit, **audit_viewer_params(None)})


# ---- shaped for display ----------------------------------------------------------------


def segment_label(dimension: str, value: object, lang: str, *, kind: str | None = None,
                  labels: Labels | None = None) -> str:
    """A segment's name in `lang`: countries and statuses by their names, industries and regions by
    the workspace's names for them (`labels`: research.data.labels.labels_for), a yes/no field's
    'true'/'false' as yes/no (`kind` = the custom field's kind), no value as "not set"."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return t("overview.share.not_set", lang)
    if dimension == "country":
        return country_name(str(value), lang)
    if labels is not None and dimension in LABELLED_DIMENSIONS:
        return labels(dimension, value)
    if dimension == "status" and f"status.{value}" in MESSAGES:
        return t(f"status.{value}", lang)
    if kind == "bool" and str(value).lower() in ("true", "false"):
        return t(f"overview.share.{str(value).lower()}", lang)
    return str(value)


def company_label(name: str, is_us: bool, lang: str) -> str:
    return name + t("chart.us_suffix", lang) if is_us else name


def labelled_share(store: Store, dimension: str, lang: str) -> pd.DataFrame:
    """`share_by_segment` with display labels in `lang` (segment_label, company_label); `segment`
    keeps the stored value (the key of filters and saved slides)."""
    share = share_by_segment(store, dimension)
    kind = next((f.kind for f in custom_dimensions(store) if f.name == dimension), None)
    labels = labels_for(store, lang) if dimension in LABELLED_DIMENSIONS else None
    share["segment_label"] = [segment_label(dimension, v, lang, kind=kind, labels=labels) for v in share["segment"]]
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


# ---- recent changes in words -----------------------------------------------------------------

# Settings kept in workspace_meta that a change can touch, by their key (audit row_id).
SETTING_KEYS = ("segment_bands", "highlight_color")
DATASET_PREFIX = "ds_"  # research.data.datasets.PREFIX: a user's research dataset is a table of its own


def _plural(lang: str, n: int) -> str:
    """CLDR's plural category of `n` in `lang`: English one/other, Serbian one/few/other."""
    from babel import Locale

    return str(Locale.parse(locale_of(lang)).plural_form(abs(int(n))))


def change_thing(table: str, rows: int, lang: str) -> str:
    """What a change touched, in words: "slide", "12 accounts", "whole workspace" — never a table name.

    The catalog holds a table's noun in its plural forms, "|"-separated (English one|other,
    Serbian one|few|other); a research dataset is a "dataset", any other table a "record".
    """
    if table == "*":
        return t("changes.all_tables", lang)
    key = f"changes.thing.{table}"
    if key not in MESSAGES:
        key = "changes.thing.dataset" if table.startswith(DATASET_PREFIX) else "changes.thing.other"
    forms = t(key, lang).split("|")
    if rows <= 1:
        return forms[0]
    category = _plural(lang, rows)
    index = {"one": 0, "few": 1 if len(forms) > 2 else len(forms) - 1}.get(category, len(forms) - 1)
    return t("changes.count", lang, n=fmt_number(rows, lang), thing=forms[index])


def _text(value: object) -> str | None:
    """A cell's text, or None for no value (None, NaN, blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _number(value: object) -> float | None:
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def change_item(row: Mapping[str, object], lang: str, labels: Callable[[str, str], str] | None = None) -> str:
    """The item a change touched, in words: its name, a slide's title, a price, a setting; "–" when
    nothing names it. `labels(domain, value)` shows domain values (capabilities…) in `lang`."""
    shown = labels or (lambda _domain, value: value)
    table = str(row["table_name"])
    item = _text(row.get("item"))
    if table == "*":
        if _text(row.get("demo_seed")):
            return t("changes.demo_built", lang, seed=row["demo_seed"])
        return t("changes.demo_replaced", lang) if _text(row.get("demo_replaced")) else "–"
    if table == "custom_fields":
        label = _text(row.get("label_sr" if lang == "sr" else "label_en")) or _text(row.get("label_en"))
        return label or item or (t("changes.field_removed", lang, field=row["custom_field"])
                                 if _text(row.get("custom_field")) else "–")
    if _text(row.get("custom_field")):  # a custom field removed with the values it held
        return t("changes.field_removed", lang, field=row["custom_field"])
    if table == "deck_slides" and not item:
        view = _text(row.get("view"))
        key = f"present.view.{view}"
        return t(key, lang) if key in MESSAGES else "–"
    if item and item in MESSAGES:  # a title stored as a message key (issue 17: titles in the viewer's language)
        return t(item, lang)
    if table == "capabilities" and item:
        item = shown("capability", item)
    elif table == "features" and item:
        item = shown("feature", item)
    elif table == "value_labels" and _text(row.get("value")):
        item = shown(str(row.get("domain") or ""), str(row["value"]))
    elif table == "price_observations" and _number(row.get("price")) is not None:
        item = fmt_money(_number(row["price"]), str(row.get("currency") or "EUR"), lang)
    elif table == "deals" and _number(row.get("value")) is not None:
        item = fmt_money_round(_number(row["value"]), str(row.get("currency") or "EUR"), lang)
    elif table == "company_features" and f"compare.value.{row.get('value')}" in MESSAGES:
        item = t(f"compare.value.{row['value']}", lang)
    elif table == "segment_members" and _text(row.get("segment")):
        members = _number(row.get("members"))
        item = (t("changes.members", lang, segment=row["segment"], n=fmt_number(members, lang))
                if members is not None else str(row["segment"]))
    elif table == "workspace_meta":
        key = str(row.get("row_id") or "")
        item = t(f"changes.setting.{key}", lang) if key in SETTING_KEYS else None
    elif table.startswith(DATASET_PREFIX):
        item = _text(row.get("dataset")) or table
        item = item.removeprefix(DATASET_PREFIX)
    elif table == "watchers" and not item:
        item = _text(row.get("url"))
    if not item:
        return "–"
    rows = int(_number(row.get("rows")) or 1)
    return t("changes.and_more", lang, item=item, n=fmt_number(rows - 1, lang)) if rows > 1 else item


def change_what(row: Mapping[str, object], lang: str) -> str:
    """The action and what it touched: "Changed: slide", "Added: 120 accounts", "Bulk load: whole workspace"."""
    action = str(row["action"])
    key = f"action.{action}"
    verb = t(key, lang) if key in MESSAGES else action
    thing = change_thing(str(row["table_name"]), int(_number(row.get("rows")) or 1), lang)
    return t("changes.what", lang, action=verb[:1].upper() + verb[1:], thing=thing)


def recent_changes_table(changes: pd.DataFrame, lang: str,
                         labels: Callable[[str, str], str] | None = None) -> pd.DataFrame:
    """`recent_changes` in words: when, who, what happened to how many of what, and the item."""
    rows = cast(list[dict[str, object]], changes.to_dict("records"))  # the stubs key records by Hashable
    return pd.DataFrame(
        {
            t("col.when", lang): [fmt_datetime(v, lang) for v in changes["changed_at"]],
            t("col.who", lang): [_text(v) or "–" for v in changes["actor"]],
            t("col.what", lang): [change_what(r, lang) for r in rows],
            t("col.item", lang): [change_item(r, lang, labels) for r in rows],
        }
    )
