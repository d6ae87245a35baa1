"""Win/loss analysis over the workspace's deals: win rates overall, against each competitor, by segment and
over time, and the reasons deals were won and lost, with counts and value in EUR.

What counts (docs/COMPETITORS.md, "Win/loss"):
- A deal is *decided* when it is won or lost; open deals count nowhere here. Win rate = won / (won + lost).
- "Against X" means the deals whose competitor is X: lost to X, or won where we displaced X. A decided
  deal without a competitor is grouped under key 0 ("no competitor named").
- Values are in EUR at the rate valid on the close date (the newest rate on or before it, as the price
  views convert: research/compare/data.py). A deal closed before its currency's first rate takes that
  first rate, one without a close date the newest. A deal in a currency without any rate keeps its count
  but adds no value (`no_rate`); a deal without a value adds none either.
- A deal with several reasons counts once under each, so the reasons of a set of deals add up to more
  deals (and more value) than the set holds. Decided deals without any reason are reason 0.
- Every decided deal counts, also those of archived accounts and competitors: what was won and lost
  stays on the record. Segments are the account's industry, region and the workspace's size bands
  (research/segments/bands.py: employees, and revenue in EUR at the newest rate as segment rules use).

Aggregation happens in DuckDB: one row per group, never one per deal, so 100,000 deals stay quick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.data.states import DealOutcome
from research.errors import ValidationError
from research.i18n import keyed_error
from research.segments import bands as size_bands
from research.segments.rules import BASE_COLUMNS
from research.store import Store

BREAKDOWNS = ("industry", "region", "employee_band", "revenue_band")
PERIODS = ("month", "quarter")
OUTCOMES = (DealOutcome.LOST, DealOutcome.WON)  # the decided outcomes, in the order pages offer them
NO_COMPETITOR = 0  # the competitor key of decided deals that name none
NO_REASON = 0  # the reason key of decided deals without a recorded reason
FEW_DECIDED = 5  # a segment with fewer decided deals is drawn pale: its win rate says little yet

# Decided deals (narrowed by competitor and close-date window) with their value in EUR. The rate of each
# (currency, close date) is looked up once, not once per deal (as research/compare/data.py does).
_DEALS_EUR = """
WITH decided AS (
    SELECT d.id, d.account_id, d.outcome, coalesce(d.competitor_id, 0) AS competitor_id,
           CAST(d.value AS DOUBLE) AS value, upper(d.currency) AS currency, d.closed_on
    FROM deals d
    WHERE d.outcome IN ('won', 'lost')
      AND ($competitor IS NULL OR coalesce(d.competitor_id, 0) = $competitor)
      AND ($since IS NULL OR d.closed_on >= CAST($since AS DATE))
      AND ($until IS NULL OR d.closed_on < CAST($until AS DATE))
),
days AS (SELECT DISTINCT currency, closed_on FROM decided WHERE currency <> 'EUR' AND closed_on IS NOT NULL),
dated AS (
    SELECT d.currency, d.closed_on, CAST(r.per_eur AS DOUBLE) AS per_eur
    FROM days d ASOF LEFT JOIN exchange_rates r ON r.currency = d.currency AND d.closed_on >= r.valid_on
),
ends AS (
    SELECT upper(currency) AS currency, CAST(arg_min(per_eur, valid_on) AS DOUBLE) AS first_rate,
           CAST(arg_max(per_eur, valid_on) AS DOUBLE) AS newest_rate
    FROM exchange_rates GROUP BY ALL
),
x AS (
    SELECT de.*,
           de.value / CASE WHEN de.currency = 'EUR' THEN 1.0
                           WHEN de.closed_on IS NULL THEN e.newest_rate
                           ELSE coalesce(r.per_eur, e.first_rate) END AS value_eur
    FROM decided de
    LEFT JOIN dated r ON r.currency = de.currency AND r.closed_on = de.closed_on
    LEFT JOIN ends e ON e.currency = de.currency
)
"""

_MEASURES = """
       count(*) FILTER (WHERE x.outcome = 'won') AS won,
       count(*) FILTER (WHERE x.outcome = 'lost') AS lost,
       coalesce(sum(x.value_eur) FILTER (WHERE x.outcome = 'won'), 0) AS won_value,
       coalesce(sum(x.value_eur) FILTER (WHERE x.outcome = 'lost'), 0) AS lost_value,
       count(*) FILTER (WHERE x.value IS NOT NULL AND x.value_eur IS NULL) AS no_rate,
       count(*) FILTER (WHERE x.value IS NULL) AS no_value"""

TOTALS_SQL = _DEALS_EUR + f"""
SELECT {_MEASURES},
       (SELECT count(*) FROM deals WHERE outcome = 'open'
           AND ($competitor IS NULL OR coalesce(competitor_id, 0) = $competitor)) AS open
FROM x
"""

BY_COMPETITOR_SQL = _DEALS_EUR + f"""
SELECT x.competitor_id, c.name AS company, coalesce(c.is_us, false) AS is_us,
       coalesce(c.archived, false) AS archived, {_MEASURES}
FROM x LEFT JOIN companies c ON c.id = x.competitor_id
GROUP BY ALL
"""

# `{segment}` is one expression over accounts `a` (and the newest rate `r` of its revenue currency).
BY_SEGMENT_SQL = _DEALS_EUR + """,
acc AS (
    SELECT a.id, {segment} AS segment
    FROM accounts a
    LEFT JOIN (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency) r
           ON r.currency = a.revenue_currency
)
SELECT acc.segment, {measures}
FROM x LEFT JOIN acc ON acc.id = x.account_id
GROUP BY ALL
"""

BY_PERIOD_SQL = _DEALS_EUR + f"""
SELECT CAST(date_trunc($period, x.closed_on) AS DATE) AS period, {_MEASURES}
FROM x WHERE x.closed_on IS NOT NULL
GROUP BY ALL ORDER BY period
"""

UNDATED_SQL = _DEALS_EUR + "SELECT count(*) FROM x WHERE x.closed_on IS NULL"

# Per competitor, outcome and reason: deals and their value; decided deals without a reason as reason 0.
REASONS_SQL = _DEALS_EUR + """
SELECT x.competitor_id, x.outcome, r.id AS reason_id, r.code, r.label_en, r.label_sr, r.position,
       r.archived, count(*) AS deals, coalesce(sum(x.value_eur), 0) AS value_eur
FROM x
JOIN deal_reason_links l ON l.deal_id = x.id
JOIN deal_reasons r ON r.id = l.reason_id
WHERE ($outcome IS NULL OR x.outcome = $outcome)
GROUP BY ALL
UNION ALL
SELECT x.competitor_id, x.outcome, 0 AS reason_id, NULL AS code, NULL AS label_en, NULL AS label_sr,
       NULL AS position, false AS archived, count(*) AS deals, coalesce(sum(x.value_eur), 0) AS value_eur
FROM x
WHERE ($outcome IS NULL OR x.outcome = $outcome)
  AND NOT EXISTS (SELECT 1 FROM deal_reason_links l WHERE l.deal_id = x.id)
GROUP BY ALL
"""

_COUNTS = ("won", "lost", "no_rate", "no_value")
_VALUES = ("won_value", "lost_value")


@dataclass(frozen=True)
class Totals:
    """Decided deals of a selection: counts, value in EUR, and what could not be valued."""

    won: int
    lost: int
    won_value: float
    lost_value: float
    no_rate: int  # decided deals whose currency has no exchange rate: counted, not valued
    no_value: int  # decided deals without a value
    open: int

    @property
    def decided(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return self.won / self.decided if self.decided else None


def _params(competitor_id: int | None, since: dt.date | None, until: dt.date | None, **more: Any) -> dict[str, Any]:
    return {"competitor": None if competitor_id is None else int(competitor_id), "since": since, "until": until, **more}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as ints, values as floats, and the win rate (NaN where nothing was decided)."""
    for column in _COUNTS:
        if column in frame:
            frame[column] = frame[column].fillna(0).astype(int)
    for column in _VALUES:
        if column in frame:
            frame[column] = frame[column].fillna(0.0).astype(float)
    frame["decided"] = frame["won"] + frame["lost"]
    frame["win_rate"] = (frame["won"] / frame["decided"].where(frame["decided"] > 0)).astype(float)
    return frame


def totals(store: Store, *, competitor_id: int | None = None, since: dt.date | None = None,
           until: dt.date | None = None) -> Totals:
    """Won and lost deals (against `competitor_id`, 0 = none named; closed in [since, until)), with value."""
    row = store.query_rows(TOTALS_SQL, _params(competitor_id, since, until))[0]
    return Totals(int(row["won"]), int(row["lost"]), float(row["won_value"]), float(row["lost_value"]),
                  int(row["no_rate"]), int(row["no_value"]), int(row["open"]))


def by_competitor(store: Store, *, since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """One row per competitor the decided deals name, most decided deals first; key 0 (none named) last.

    Columns: competitor_id, company (None for 0), is_us, archived, won, lost, decided, win_rate,
    won_value, lost_value (EUR), no_rate, no_value.
    """
    frame = store.query_df(BY_COMPETITOR_SQL, _params(None, since, until))
    frame["competitor_id"] = frame["competitor_id"].astype(int)
    frame = _typed(frame)
    frame = frame.assign(none=frame["competitor_id"] == NO_COMPETITOR, sort_name=frame["company"].fillna("").str.lower())
    frame = frame.sort_values(["none", "decided", "sort_name"], ascending=[True, False, True])
    return frame.drop(columns=["none", "sort_name"]).reset_index(drop=True)


def check_breakdown(breakdown: str) -> str:
    if breakdown not in BREAKDOWNS:
        raise keyed_error(ValidationError, "winloss.error.breakdown", value=repr(breakdown), accepted=", ".join(BREAKDOWNS))
    return breakdown


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise keyed_error(ValidationError, "winloss.error.period", value=repr(period), accepted=", ".join(PERIODS))
    return period


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise keyed_error(ValidationError, "winloss.error.outcome", value=repr(outcome), accepted=", ".join(OUTCOMES))
    return outcome


def _band_expression(bands: size_bands.Bands) -> tuple[str, dict[str, Any]]:
    """The band key of an account's employees or revenue in EUR: the number of cuts at or below the value
    picks the key (cuts are lower bounds, inclusive, as research/segments/bands.py defines them)."""
    column = "a.employees" if bands.dimension == "employees" else BASE_COLUMNS["revenue_eur"]
    expression = (f"CASE WHEN {column} IS NULL THEN NULL "
                  f"ELSE list_extract($band_keys, 1 + len(list_filter($band_cuts, lambda c: c <= {column}))) END")
    return expression, {"band_keys": list(bands.keys), "band_cuts": [float(c) for c in bands.cuts]}


def by_segment(store: Store, breakdown: str, *, competitor_id: int | None = None, since: dt.date | None = None,
               until: dt.date | None = None) -> pd.DataFrame:
    """Won and lost deals per segment of their account (`breakdown`: industry, region, employee_band,
    revenue_band), against `competitor_id` when given.

    Columns: segment (the stored value or band key; "" when the account has none), position (the band's
    order; for industry and region most decided deals first), won, lost, decided, win_rate, won_value,
    lost_value, no_rate, no_value.
    """
    check_breakdown(breakdown)
    extra: dict[str, Any] = {}
    keys: tuple[str, ...] = ()
    if breakdown in ("industry", "region"):
        segment = f"nullif(trim(a.{breakdown}), '')"
    else:
        bands = size_bands.workspace_bands(store)["employees" if breakdown == "employee_band" else "revenue"]
        segment, extra = _band_expression(bands)
        keys = bands.keys
    sql = BY_SEGMENT_SQL.format(segment=segment, measures=_MEASURES)
    frame = _typed(store.query_df(sql, _params(competitor_id, since, until, **extra)))
    frame["segment"] = frame["segment"].fillna("").astype(str)
    if keys:
        order = {key: i for i, key in enumerate(keys)}
        frame["position"] = [order.get(s, len(keys)) for s in frame["segment"]]
        frame = frame.sort_values(["position", "segment"])
    else:
        # An account without the attribute ("") goes after every named segment, whatever its count.
        frame = frame.assign(unknown=frame["segment"] == "").sort_values(
            ["unknown", "decided", "segment"], ascending=[True, False, True]).drop(columns="unknown")
        frame["position"] = range(len(frame))
    return frame.reset_index(drop=True)


def over_time(store: Store, period: str = "month", *, competitor_id: int | None = None,
              since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Won and lost deals per calendar month or quarter of their close date, every period from the first to
    the last (a period without decided deals has zeros and no win rate). Deals without a close date are
    left out: `undated` counts them.

    Columns: period (first day, a date), won, lost, decided, win_rate, won_value, lost_value, no_rate, no_value.
    """
    check_period(period)
    frame = store.query_df(BY_PERIOD_SQL, _params(competitor_id, since, until, period=period))
    if frame.empty:
        return _typed(frame.assign(period=pd.Series(dtype=object)))
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    every = pd.period_range(frame["period"].min(), frame["period"].max(), freq="M" if period == "month" else "Q")
    starts = [p.start_time.date() for p in every]
    frame = pd.DataFrame({"period": starts}).merge(frame, on="period", how="left")
    return _typed(frame).reset_index(drop=True)


def undated(store: Store, *, competitor_id: int | None = None) -> int:
    """Decided deals without a close date (the over-time view cannot place them)."""
    return int(store.query_value(UNDATED_SQL, _params(competitor_id, None, None)) or 0)


def reasons(store: Store, *, competitor_id: int | None = None, outcome: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Per competitor (0 = none named), outcome and reason: decided deals and their value in EUR.

    Reason 0 (code None) holds the decided deals without any reason. Columns: competitor_id, outcome,
    reason_id, code, label_en, label_sr, position, archived, deals, value_eur; most deals first.
    """
    if outcome is not None:
        check_outcome(outcome)
    frame = store.query_df(REASONS_SQL, _params(competitor_id, since, until, outcome=outcome))
    frame["competitor_id"] = frame["competitor_id"].astype(int)
    frame["reason_id"] = frame["reason_id"].astype(int)
    frame["deals"] = frame["deals"].astype(int)
    frame["value_eur"] = frame["value_eur"].astype(float)
    return frame.sort_values(["deals", "value_eur", "reason_id"], ascending=[False, False, True]).reset_index(drop=True)


def reason_totals(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """`reasons` rows of one outcome summed over competitors: one row per reason, most deals first,
    then most value; "no reason recorded" (reason 0) last."""
    rows = frame[frame["outcome"] == outcome]
    keys = ["reason_id", "code", "label_en", "label_sr", "position"]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "deals", "value_eur"])
    summed = rows.groupby("reason_id", as_index=False).agg(
        code=("code", "first"), label_en=("label_en", "first"), label_sr=("label_sr", "first"),
        position=("position", "first"), deals=("deals", "sum"), value_eur=("value_eur", "sum"))
    summed["none"] = summed["reason_id"] == NO_REASON
    summed = summed.sort_values(["none", "deals", "value_eur", "position"], ascending=[True, False, False, True])
    return summed.drop(columns="none").reset_index(drop=True)


def reason_label(row: Any, lang: str, none: str) -> str:
    """A reason's name in `lang` (its English name when the Serbian one is blank); `none` for reason 0."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k, None))
    if int(get("reason_id") or 0) == NO_REASON:
        return none
    serbian, english = get("label_sr"), get("label_en")
    if lang == "sr" and isinstance(serbian, str) and serbian.strip():
        return serbian
    return english if isinstance(english, str) and english.strip() else str(get("code") or "")
