"""Segment profiles, aggregated in DuckDB: size, who serves it, our deals, open prospects, top accounts.

Every function takes one or more compiled conditions (a rule, or a saved segment's
`condition`) and runs a few set-based queries over ACCOUNTS_SQL; several segments
are profiled in one pass each (`UNION ALL` of their members, grouped by segment).
The live count and the one-segment profile read a narrow base instead (the same
rows, only the columns the rule and the figures use: `base_sql`). `field_summaries`
describes a segment by the workspace's custom fields (numbers: median, middle half and
range, money in EUR; lists and yes/no: the most common values), in one statement too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel.numbers import format_compact_currency

from research.data.our_company import OUR_COMPANY_ID_SQL
from research.i18n import fmt_date, fmt_number, fmt_percent, locale_of, t
from research.segments.rules import (
    ACCOUNTS_SQL,
    Compiled,
    RuleField,
    accounts_sql,
    condition_columns,
    custom_columns,
    custom_rule_field,
)
from research.store import Store, quote_ident

TOP_ACCOUNTS = 10


def members_sql(conditions: Sequence[Compiled]) -> tuple[str, list[Any]]:
    """`WITH base AS (…), m AS (…)`: the members of each condition, tagged with its position `seg`."""
    if not conditions:
        conditions = [Compiled("FALSE")]
    parts, params = [], []
    for i, cond in enumerate(conditions):
        parts.append(f"SELECT {int(i)} AS seg, s.* FROM base s WHERE {cond.sql}")
        params.extend(cond.params)
    return f"WITH base AS ({ACCOUNTS_SQL}), m AS ({' UNION ALL '.join(parts)})", params


SIZES_SQL = """
{members}
SELECT seg, count(*) AS accounts,
       coalesce(sum(employees), 0) AS employees,
       coalesce(sum(revenue_eur), 0) AS revenue_eur,
       count(*) FILTER (WHERE status = 'customer') AS customers,
       count(*) FILTER (WHERE status = 'prospect') AS prospects,
       count(*) FILTER (WHERE status = 'lost') AS lost,
       -- "not yet contacted": a prospect with no named contact and no deal of any kind
       count(*) FILTER (WHERE status = 'prospect' AND contact_person IS NULL
                        AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.account_id = m.id)) AS not_contacted,
       count(*) FILTER (WHERE supplier_id IS NOT NULL) AS served,
       count(*) FILTER (WHERE supplier_id = ({ours})) AS ours
FROM m GROUP BY seg
"""

# Deals of each segment's accounts; "recent" and "prior" are the last two years before the
# newest deal date in the workspace (the growth proxy of the attractiveness matrix).
DEALS_SQL = """
{members},
newest AS (SELECT coalesce(max(closed_on), current_date) AS at FROM deals)
SELECT m.seg,
       count(*) FILTER (WHERE d.outcome = 'won') AS won,
       count(*) FILTER (WHERE d.outcome = 'lost') AS lost_deals,
       count(*) FILTER (WHERE d.outcome = 'open') AS open_deals,
       coalesce(sum(d.value) FILTER (WHERE d.outcome = 'won'), 0) AS won_value,
       median(d.value) FILTER (WHERE d.outcome = 'won') AS median_won_value,
       count(*) FILTER (WHERE d.closed_on > newest.at - INTERVAL 365 DAY) AS deals_recent,
       count(*) FILTER (WHERE d.closed_on <= newest.at - INTERVAL 365 DAY
                        AND d.closed_on > newest.at - INTERVAL 730 DAY) AS deals_prior
FROM m JOIN deals d ON d.account_id = m.id, newest
GROUP BY m.seg
"""

SUPPLIERS_SQL = """
{members}
SELECT m.seg, c.id AS company_id, c.name AS company, c.is_us, c.price_positioning, count(*) AS accounts
FROM m JOIN companies c ON c.id = m.supplier_id
GROUP BY ALL
ORDER BY m.seg, accounts DESC, company
"""

# The live profile in ONE statement (one parse/bind/plan, one round trip). The members are
# filtered once into a narrow materialized set: only the columns the figures need, because
# every column read costs a pass over all 500,000 rows (names etc. are read for the ten top
# accounts only, by id). The deals of the members are counted per member (the deals scan
# probes the members' ids) and joined back, so ONE aggregate over the members yields every
# figure: sizes, supplier counts (a histogram), deals, prospects without contact or deal, and
# the top accounts (best revenue, then employees, then the lower id: deterministic). The
# company names label the suppliers, and `us` is our company by its one rule
# (research.data.our_company). Python only unpacks one row.
PROFILE_SQL = """
WITH m AS MATERIALIZED (
    SELECT s.id, s.employees, s.revenue_eur, s.status, s.contact_person IS NULL AS no_contact, s.supplier_id
    FROM ({base}) s WHERE {cond}
),
dm AS (
    SELECT account_id, count(*) FILTER (WHERE outcome = 'won') AS won, count(*) FILTER (WHERE outcome = 'lost') AS lost,
           count(*) FILTER (WHERE outcome = 'open') AS open
    FROM deals WHERE account_id IN (SELECT id FROM m) GROUP BY account_id
),
a AS (
    SELECT count(*) AS accounts, coalesce(sum(m.employees), 0) AS employees, coalesce(sum(m.revenue_eur), 0) AS revenue_eur,
           count(*) FILTER (WHERE m.status = 'customer') AS customers,
           count(*) FILTER (WHERE m.status = 'prospect') AS prospects,
           count(*) FILTER (WHERE m.status = 'lost') AS lost,
           count(*) FILTER (WHERE m.status = 'prospect' AND m.no_contact AND dm.account_id IS NULL) AS not_contacted,
           count(m.supplier_id) AS served,
           histogram(m.supplier_id) AS supplier_counts,
           coalesce(sum(dm.won), 0) AS won, coalesce(sum(dm.lost), 0) AS lost_deals, coalesce(sum(dm.open), 0) AS open_deals,
           max_by({{'id': m.id, 'employees': m.employees, 'revenue_eur': m.revenue_eur, 'status': m.status,
                    'supplier_id': m.supplier_id}},
                  (coalesce(m.revenue_eur, -1), coalesce(m.employees, -1), -m.id), ?) AS top
    FROM m LEFT JOIN dm ON dm.account_id = m.id
),
t AS (SELECT unnest(list_transform(top, lambda r: r.id)) AS id FROM a),
n AS (SELECT list((x.id, x.name, x.country, x.industry)) AS names FROM accounts x JOIN t ON x.id = t.id),
c AS (SELECT list((id, name, is_us, price_positioning)) AS companies FROM companies),
u AS (SELECT ({ours}) AS us)
SELECT * FROM a, n, c, u
"""
# The columns of the accounts base the profile itself reads (besides those of the rule).
_PROFILE_COLUMNS = ("id", "employees", "revenue_eur", "status", "contact_person", "supplier_id")

_SIZE_COLUMNS = ("accounts", "employees", "revenue_eur", "customers", "prospects", "lost", "not_contacted", "served", "ours")
_DEAL_COLUMNS = ("won", "lost_deals", "open_deals", "won_value", "median_won_value", "deals_recent", "deals_prior")


@dataclass(frozen=True)
class SegmentProfile:
    accounts: int
    employees: int
    revenue_eur: float
    customers: int
    prospects: int
    lost: int
    not_contacted: int
    served: int
    ours: int
    won: int
    lost_deals: int
    open_deals: int
    suppliers: pd.DataFrame  # company, is_us, accounts, share
    top: pd.DataFrame

    @property
    def our_share(self) -> float | None:
        return self.ours / self.served if self.served else None

    @property
    def win_rate(self) -> float | None:
        decided = self.won + self.lost_deals
        return self.won / decided if decided else None


def base_sql(condition: Compiled, *needed: str, custom: Iterable[str] = ()) -> str:
    """The accounts base for `condition`: only the columns it and the caller need, else ACCOUNTS_SQL.

    `custom` names the custom columns the narrow base may take (`rules.custom_columns`);
    a condition reading another column gets the full base, which passes every column through.
    """
    custom = tuple(custom)
    columns = condition_columns(condition.sql, custom)
    return ACCOUNTS_SQL if columns is None else accounts_sql({*columns, *needed}, custom)


def _custom_for(store: Store, condition: Compiled) -> tuple[str, ...]:
    # Only a condition that reads a quoted column outside the built-in base can need a custom one.
    return custom_columns(store) if condition_columns(condition.sql) is None else ()


def count_members(store: Store, condition: Compiled) -> int:
    base = base_sql(condition, "id", custom=_custom_for(store, condition))
    return int(store.query_value(f"SELECT count(*) FROM ({base}) s WHERE {condition.sql}", condition.params))


def sizes(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    """One row per condition (`seg` = its position): size, status mix, served and ours."""
    members, params = members_sql(conditions)
    found = store.query_df(SIZES_SQL.format(members=members, ours=OUR_COMPANY_ID_SQL), params)
    frame = pd.DataFrame({"seg": range(len(conditions))}).merge(found, on="seg", how="left")
    return frame.fillna({c: 0 for c in _SIZE_COLUMNS})


def deals(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    members, params = members_sql(conditions)
    found = store.query_df(DEALS_SQL.format(members=members), params)
    frame = pd.DataFrame({"seg": range(len(conditions))}).merge(found, on="seg", how="left")
    return frame.fillna({c: 0 for c in _DEAL_COLUMNS if c != "median_won_value"})


def suppliers(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    """Accounts per supplier within each segment, with each supplier's share of the served accounts."""
    members, params = members_sql(conditions)
    df = store.query_df(SUPPLIERS_SQL.format(members=members), params)
    df["share"] = df["accounts"] / df.groupby("seg")["accounts"].transform("sum") if not df.empty else []
    return df


def profile(store: Store, condition: Compiled, *, top: int = TOP_ACCOUNTS) -> SegmentProfile:
    """The live profile of one segment: one DuckDB statement, no per-account Python."""
    base = base_sql(condition, *_PROFILE_COLUMNS, custom=_custom_for(store, condition))
    sql = PROFILE_SQL.format(base=base, cond=condition.sql, ours=OUR_COMPANY_ID_SQL)
    row = store.query_rows(sql, [*condition.params, top])[0]
    names = {int(cid): (name, bool(is_us), positioning) for cid, name, is_us, positioning in row["companies"] or []}
    us = None if row["us"] is None else int(row["us"])
    counts = row["supplier_counts"] or {}
    label = {cid: names.get(cid, (str(cid), False, None)) for cid in counts}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], label[kv[0]][0]))
    served = sum(counts.values())
    suppliers_df = pd.DataFrame(
        {
            "company_id": [cid for cid, _ in ranked],
            "company": [label[cid][0] for cid, _ in ranked],
            "is_us": [cid == us for cid, _ in ranked],
            "price_positioning": [label[cid][2] for cid, _ in ranked],
            "accounts": [int(n) for _, n in ranked],
            "share": [n / served for _, n in ranked],
        },
        columns=["company_id", "company", "is_us", "price_positioning", "accounts", "share"],
    )
    # The few top rows, shown by best revenue (unknown last), then employees, then name.
    info = {r[0]: r[1:] for r in row["names"] or []}
    rows = sorted(
        ((t["id"], *info[t["id"]], t["employees"], t["revenue_eur"], t["status"], t["supplier_id"]) for t in row["top"] or []),
        key=lambda r: (-(r[5] if r[5] is not None else -1), -(r[4] if r[4] is not None else -1), r[1]),
    )
    top_df = pd.DataFrame(
        [(*r[:7], names[r[7]][0] if r[7] in names else None, r[7] is not None and r[7] == us) for r in rows],
        columns=["id", "name", "country", "industry", "employees", "revenue_eur", "status", "supplier", "is_us"],
    )
    return SegmentProfile(
        **{k: int(row[k] or 0) for k in ("accounts", "employees", "customers", "prospects", "lost", "not_contacted",
                                         "served", "won", "lost_deals", "open_deals")},
        ours=int(counts.get(us, 0)) if us is not None else 0,
        revenue_eur=float(row["revenue_eur"] or 0),
        suppliers=suppliers_df,
        top=top_df,
    )


def compare(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    """Side by side: one row per segment with size, shares, deals and win rate."""
    frame = sizes(store, conditions).merge(deals(store, conditions), on="seg", how="left")
    frame["our_share"] = (frame["ours"] / frame["served"]).where(frame["served"] > 0)
    decided = frame["won"] + frame["lost_deals"]
    frame["win_rate"] = (frame["won"] / decided).where(decided > 0)
    return frame


# Each column is grouped as stored, then named: a GROUP BY on the raw column reads its dictionary
# (10 ms at 5 M accounts), one on `coalesce(owner, '')` decodes every row (about 30 times slower).
FIELD_VALUES_SQL = """
SELECT field, coalesce(value, '') AS value, sum(n) AS n FROM (  -- no owner: ''
    SELECT 'region' AS field, region AS value, count(*) AS n FROM accounts WHERE NOT archived GROUP BY ALL
    UNION ALL SELECT 'country', country, count(*) FROM accounts WHERE NOT archived GROUP BY ALL
    UNION ALL SELECT 'industry', industry, count(*) FROM accounts WHERE NOT archived GROUP BY ALL
    UNION ALL SELECT 'status', status, count(*) FROM accounts WHERE NOT archived GROUP BY ALL
    UNION ALL SELECT 'owner', owner, count(*) FROM accounts WHERE NOT archived GROUP BY ALL
)
GROUP BY ALL
ORDER BY field, n DESC, value
"""


def field_values(store: Store) -> dict[str, list[Any]]:
    """The values the builder offers per category field (most common first); suppliers as company ids."""
    out: dict[str, list[Any]] = {}
    for row in store.query_rows(FIELD_VALUES_SQL):
        out.setdefault(row["field"], []).append(row["value"])
    out["supplier"] = [r["id"] for r in store.query_rows("SELECT id FROM companies WHERE NOT archived ORDER BY NOT is_us, name")] + [0]
    return out


def custom_values(store: Store, names: Sequence[str], *, limit: int = 200) -> dict[str, list[Any]]:
    """The most common values of custom text fields (for the builder's pick lists), most common first.

    `names` must be custom account fields of the registry: the column names reach SQL only through
    quote_ident, after that check.
    """
    known = set(custom_columns(store))
    out: dict[str, list[Any]] = {}
    for name in names:
        if name not in known:
            continue
        column = quote_ident(name)
        rows = store.query_rows(
            f"SELECT {column} AS value, count(*) AS n FROM accounts WHERE NOT archived AND {column} IS NOT NULL "
            "GROUP BY 1 ORDER BY n DESC, value LIMIT ?", [limit])
        out[name] = [r["value"] for r in rows]
    return out


def company_names(store: Store) -> dict[int, tuple[str, bool]]:
    return {int(r["id"]): (r["name"], bool(r["is_us"])) for r in store.query_rows("SELECT id, name, is_us FROM companies")}


# ---- custom fields -------------------------------------------------------------------------

TOP_VALUES = 3


@dataclass(frozen=True)
class FieldSummary:
    """One field over a segment's members: how many have a value, and what they look like."""

    field: RuleField
    known: int
    quartiles: tuple[Any, Any, Any] | None = None  # numbers and dates: 25th, 50th, 75th percentile
    minimum: Any = None
    maximum: Any = None
    top: tuple[tuple[Any, int], ...] = ()  # lists and yes/no: (value, members), most common first
    distinct: int = 0

    @property
    def median(self) -> Any:
        return self.quartiles[1] if self.quartiles else None


def summary_fields(store: Store) -> list[RuleField]:
    """The fields a profile describes: the workspace's custom account fields."""
    from research.data.fields import list_fields

    return [custom_rule_field(f) for f in list_fields(store, "accounts")]


def field_summaries(store: Store, condition: Compiled, fields: Sequence[RuleField] | None = None) -> list[FieldSummary]:
    """Each field (default: every custom account field) over the members of `condition`, in ONE statement:
    the members' values are filtered once into a narrow materialized set; numbers get their quartiles
    and range (money in EUR, as rules compare it), dates the same as dates, lists and yes/no their
    most common values with counts and an approximate number of distinct values."""
    fields = summary_fields(store) if fields is None else list(fields)
    if not fields:
        return []
    values = ", ".join(f"{f.sql} AS f{i}" for i, f in enumerate(fields))
    figures = ["count(*) AS members"]
    for i, f in enumerate(fields):
        figures.append(f"count(f{i}) AS f{i}_known")
        if f.kind in ("number", "date"):
            quantile = "quantile_cont" if f.kind == "number" else "quantile_disc"
            figures += [f"{quantile}(f{i}, [0.25, 0.5, 0.75]) AS f{i}_q", f"min(f{i}) AS f{i}_min", f"max(f{i}) AS f{i}_max"]
        else:
            figures += [
                f"approx_count_distinct(f{i}) AS f{i}_distinct",
                f"(SELECT list((v, n)) FROM (SELECT f{i} AS v, count(*) AS n FROM m WHERE f{i} IS NOT NULL "
                f"GROUP BY 1 ORDER BY n DESC, v LIMIT {int(TOP_VALUES)})) AS f{i}_top",
            ]
    custom = [c for f in fields for c in ((f.column,) if f.custom is not None else ())]
    base = base_sql(condition, *[f.column for f in fields], *(["_eur_rate"] if any(f.money for f in fields) else []),
                    custom=[*custom, *_custom_for(store, condition)])
    sql = (f"WITH m AS MATERIALIZED (SELECT {values} FROM ({base}) s WHERE {condition.sql})\n"
           f"SELECT {', '.join(figures)} FROM m")
    row = store.query_rows(sql, condition.params)[0]
    out = []
    for i, f in enumerate(fields):
        if f.kind in ("number", "date"):
            q = row[f"f{i}_q"]
            out.append(FieldSummary(f, int(row[f"f{i}_known"]), tuple(q) if q else None, row[f"f{i}_min"], row[f"f{i}_max"]))
        else:
            top = tuple((v, int(n)) for v, n in (row[f"f{i}_top"] or []))
            out.append(FieldSummary(f, int(row[f"f{i}_known"]), top=top, distinct=int(row[f"f{i}_distinct"] or 0)))
    return out


def format_field_value(rule_field: RuleField, value: Any, lang: str) -> str:
    """A value in the field's units: money in EUR (compact), percents in points, dates, yes/no."""
    if value is None:
        return "–"
    kind = rule_field.custom.kind if rule_field.custom is not None else rule_field.kind
    if isinstance(value, bool) or kind == "bool":
        return t("segments.value.yes" if value else "segments.value.no", lang)
    if isinstance(value, (dt.date, dt.datetime)):
        return fmt_date(value if isinstance(value, dt.date) else value.date(), lang)
    if kind == "money" or rule_field.name == "revenue_eur":
        return format_compact_currency(float(value), "EUR", locale=locale_of(lang), fraction_digits=1)
    if kind == "percent":
        return fmt_percent(float(value) / 100, lang, 0 if float(value).is_integer() else 1)
    if isinstance(value, (int, float)) or kind in ("int", "number"):
        number = float(value)
        return fmt_number(number, lang, 0 if number.is_integer() or abs(number) >= 100 else 2)
    return str(value)


def summary_text(summary: FieldSummary, members: int, lang: str) -> str:
    """One line: "median €1.2M, middle half €0.4M–€3.1M (range …); 940 of 1,000 known" or
    "CA 40 %, NY 35 %, TX 20 % (3 values); 1,000 of 1,000 known"."""
    f = summary.field
    known = t("segments.summary.known", lang, known=fmt_number(summary.known, lang), members=fmt_number(members, lang))
    if not summary.known:
        return known
    if summary.quartiles is not None:
        low, median, high = (format_field_value(f, v, lang) for v in summary.quartiles)
        text = t("segments.summary.numbers", lang, median=median, low=low, high=high,
                 minimum=format_field_value(f, summary.minimum, lang), maximum=format_field_value(f, summary.maximum, lang))
    else:
        tops = ", ".join(f"{format_field_value(f, v, lang)} {fmt_percent(n / summary.known, lang)}" for v, n in summary.top)
        text = (t("segments.summary.values", lang, top=tops, distinct=fmt_number(summary.distinct, lang))
                if summary.distinct > len(summary.top) else tops)
    return f"{text}; {known}"
