"""The monthly report: what changed in one calendar month, as an `ExportDeck` that writes itself.

`build_report(store, month, ctx)` reads the workspace once per section and returns a title
slide, an executive summary and one slide per section — price moves by competitor and by
product category, SWOT items (new, changed, stale), accounts won/lost/new by segment (with
the reasons recorded with the deals), collected page changes and decisions taken — each with
its chart (Vega-Lite, plus a `NativeChart` for an editable PowerPoint chart), the data table,
a source line and a short summary written from the data with the i18n catalog's template
sentences (no external services). `report_file` turns it into PPTX or Markdown with the
Present exporters.

Months are calendar months [first day, first day of the next month). Private SWOT items
count and show only for a viewer who may see them, and never while presenting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_currency as _babel_currency

from research.charts.theme import COMPETITOR_COLORS, company_colors
from research.competitors import profiles, swot, winloss, winloss_views
from research.data.labels import Labels, labels_for
from research.errors import ValidationError
from research.exports import check_file_target, write_atomically
from research.i18n import (
    fmt_date, fmt_money_round, fmt_number, fmt_percent, keyed_error, locale_of, normalize_language, t,
)
from research.market import PRICE_MOVE_THRESHOLD, company_label
from research.present import decks
from research.present.export import export_bytes
from research.present.model import (
    DecisionLine,
    ExportDeck,
    ExportSlide,
    NativeChart,
    RenderContext,
    Series,
    SlideContent,
)
from research.segments import saved
from research.segments.profile import members_sql
from research.store import Store

FORMATS = ("pptx", "md")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
CHART_WIDTH = 640
MAX_BARS = 12  # segments / categories drawn; the table keeps them all
MAX_ITEM_ROWS = 20  # rows of the SWOT item list
MAX_STATEMENT = 140
# Series colours that are not companies: muted tones, never our highlight colour.
_BLUE, _LIGHT_BLUE, _TEAL, _VIOLET, _GREY = COMPETITOR_COLORS[:5]


# ---- the month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    start: dt.date  # first day
    end: dt.date  # first day of the next month (exclusive)

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    def label(self, lang: str) -> str:
        """"October 2026" / "октобар 2026" (Babel's stand-alone month name)."""
        return _babel_date(self.start, "LLLL y", locale=locale_of(lang))

    def in_month(self, lang: str) -> str:
        """"in October 2026" / "у октобру 2026" (Serbian needs the locative)."""
        return t(f"report.in_month.{self.start.month}", lang, year=self.start.year)


def _month_of(day: dt.date) -> Month:
    start = day.replace(day=1)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return Month(start, end)


def parse_month(value: str | dt.date, today: dt.date | None = None) -> Month:
    """A calendar month from "YYYY-MM" (or a date inside it); future months are refused."""
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        month = _month_of(value)
    else:
        text = str(value if value is not None else "")
        found = _MONTH.match(text)
        example = f"{today:%Y-%m}"
        if not text.strip():
            raise keyed_error(ValidationError, "report.error.month_missing", example=example)
        if not found:
            raise keyed_error(ValidationError, "report.error.not_month", value=text.strip(), example=example)
        year, number = int(found.group(1)), int(found.group(2))
        if not 1 <= number <= 12:
            raise keyed_error(ValidationError, "report.error.month_range", value=text.strip())
        if year < 1900:
            raise keyed_error(ValidationError, "report.error.too_old", value=text.strip())
        month = Month(dt.date(year, number, 1), _month_of(dt.date(year, number, 1)).end)
    if month.start > today:
        raise keyed_error(ValidationError, "report.error.future", month=month.key, today=today.isoformat())
    return month


# The newest business date of every section: prices observed, deals closed, first contacts,
# SWOT evidence observed, page changes collected, decisions recorded. Rows' own created_at is
# left out: an import or the demo stamps thousands of rows with the day they were loaded.
LATEST_DATA_SQL = """
SELECT max(day) FROM (
    SELECT max(CAST(observed_at AS DATE)) AS day FROM price_observations WHERE CAST(observed_at AS DATE) <= $today
    UNION ALL SELECT max(closed_on) FROM deals WHERE outcome IN ('won', 'lost') AND closed_on <= $today
    UNION ALL SELECT max(first_contact) FROM accounts WHERE NOT archived AND first_contact <= $today
    UNION ALL SELECT max(observed_on) FROM swot_items WHERE observed_on <= $today
    UNION ALL SELECT max(CAST(detected_at AS DATE)) FROM watcher_changes WHERE CAST(detected_at AS DATE) <= $today
    UNION ALL SELECT max(CAST(created_at AS DATE)) FROM decisions WHERE CAST(created_at AS DATE) <= $today
)
"""


def last_month(today: dt.date | None = None) -> str:
    """Last calendar month as "YYYY-MM"."""
    first = (today or dt.date.today()).replace(day=1)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def latest_data_month(store: Store, today: dt.date | None = None) -> str | None:
    """The newest month ("YYYY-MM") any report section has data in, up to today; None without data."""
    day = store.query_value(LATEST_DATA_SQL, {"today": today or dt.date.today()})
    return None if day is None else f"{day:%Y-%m}"


def default_month(today: dt.date | None = None, store: Store | None = None) -> str:
    """The month a report shows unless told: last calendar month (the report a team reads at the start
    of a month), or, given the workspace, the latest month with data when its data ends earlier."""
    month = last_month(today)
    if store is not None:
        latest = latest_data_month(store, today)
        if latest is not None and latest < month:
            return latest
    return month


def default_month_note(store: Store, month: str, lang: str, today: dt.date | None = None) -> str:
    """Why the default month was chosen: "Showing November 2026, the latest month with data." (or that
    no month has data yet), for the page and the CLI."""
    label = parse_month(month, today).label(lang)
    key = "report.latest_month" if latest_data_month(store, today) is not None else "report.no_data_month"
    return t(key, lang, month=label)


# ---- small helpers -----------------------------------------------------------------------


def _n(value: float | int, lang: str) -> str:
    return fmt_number(int(value), lang)


def _pct(value: float | None, lang: str, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = fmt_percent(abs(value) if not signed else value, lang, 1)
    return ("+" + text) if signed and value > 0 else text


def _euros(value: float, lang: str) -> str:
    """Whole euros in the locale's currency pattern: "€1,295,200" / "1.295.200 €"."""
    pattern = Locale.parse(locale_of(lang)).currency_formats["standard"].pattern.split(";")[0]
    pattern = re.sub(r"0[.,]0+", "0", pattern)
    return _babel_currency(round(value), "EUR", format=pattern, locale=locale_of(lang), currency_digits=False)


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _section_subtitle(month: Month, lang: str, extra: str = "") -> str:
    return month.label(lang)[:1].upper() + month.label(lang)[1:] + (f" · {extra}" if extra else "")


def _companies(store: Store) -> pd.DataFrame:
    """Active companies (id, name, is_us): ours first, then by name."""
    return pd.DataFrame(profiles.company_options(store), columns=["id", "name", "is_us"])


def _company_native(categories: Sequence[str], values: Sequence[int], *, y_title: str) -> NativeChart:
    """One bar series over companies; the PPTX exporter colours each bar from the chart spec's
    company scale, so our bar carries US_COLOR there as in the app."""
    return NativeChart("bar", tuple(categories), (Series(y_title, tuple(float(v) for v in values), _BLUE),),
                       y_title=y_title, number_format="#,##0")


def _company_bar_chart(frame: pd.DataFrame, value: str, value_title: str, title: str, subtitle: str) -> dict[str, Any]:
    """Horizontal bars per company (`label`, `is_us`, `value`), ours in the highlight colour."""
    scale = company_colors(zip(frame["label"], frame["is_us"]))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(frame["label"]), title=None, scale=alt.Scale(paddingInner=0.25)),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1, tickCount=6, format="d")),
            color=alt.Color("label:N", scale=scale, legend=None),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip(f"{value}:Q", title=value_title, format=",")],
        )
        .properties(title=alt.TitleParams(text=title, subtitle=subtitle), width=CHART_WIDTH,
                    height=40 * max(1, len(frame)))
    )
    return chart.to_dict()


def _grouped_bar_chart(
    frame: pd.DataFrame, category_title: str, series: Sequence[tuple[str, str, str]], title: str, subtitle: str,
) -> dict[str, Any]:
    """Grouped horizontal bars: one row per `category`, one bar per (column, label, colour) series."""
    long = frame.melt(id_vars=["category"], value_vars=[c for c, _, _ in series], var_name="series", value_name="value")
    names = {c: label for c, label, _ in series}
    long["series"] = long["series"].map(names)
    order = list(frame["category"])
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=category_title),
            yOffset=alt.YOffset("series:N", sort=[label for _, label, _ in series]),
            x=alt.X("value:Q", title=None, axis=alt.Axis(tickMinStep=1, tickCount=6, format="d")),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=[label for _, label, _ in series], range=[c for _, _, c in series]),
                title=None,
            ),
            tooltip=[alt.Tooltip("category:N", title=category_title), alt.Tooltip("series:N", title=" "),
                     alt.Tooltip("value:Q", title=" ", format=",")],
        )
        .properties(title=alt.TitleParams(text=title, subtitle=subtitle), width=CHART_WIDTH,
                    height=max(160, 20 * len(series) * len(order) + 20))
    )
    return chart.to_dict()


def _grouped_native(frame: pd.DataFrame, series: Sequence[tuple[str, str, str]]) -> NativeChart:
    return NativeChart(
        "bar",
        tuple(str(c) for c in frame["category"]),
        tuple(Series(label, tuple(float(v) for v in frame[column]), colour) for column, label, colour in series),
        number_format="#,##0",
    )


@dataclass(frozen=True)
class _Section:
    slides: tuple[ExportSlide, ...]
    headline: str  # first sentence, for the executive summary


# ---- price moves -------------------------------------------------------------------------

# Each product's price against its previous observation (any time before), for observations
# inside the month; the Overview's rule for what counts as a move (research.market).
PRICE_MOVES_SQL = """
WITH obs AS (
    SELECT po.product_id, po.observed_at, po.price, po.currency,
           lag(po.price) OVER w AS previous_price,
           lag(po.currency) OVER w AS previous_currency
    FROM price_observations po
    WHERE po.observed_at < $end
    WINDOW w AS (PARTITION BY po.product_id ORDER BY po.observed_at, po.id)
)
SELECT o.observed_at, c.id AS company_id, c.name AS company, c.is_us, p.name AS product,
       coalesce(nullif(trim(p.category), ''), '–') AS category,
       o.previous_price, o.price, o.currency,
       CAST(o.price / o.previous_price - 1 AS DOUBLE) AS change
FROM obs o
JOIN products p ON p.id = o.product_id
JOIN companies c ON c.id = p.company_id
WHERE o.observed_at >= $start
  AND o.previous_price > 0
  AND o.currency = o.previous_currency
  AND abs(o.price / o.previous_price - 1) >= $threshold
  AND NOT p.archived
ORDER BY o.observed_at, c.name, p.name
"""


def price_moves_in_month(store: Store, month: Month, threshold: float = PRICE_MOVE_THRESHOLD) -> pd.DataFrame:
    """Every price move of `threshold` or more observed in `month` (one row per observation)."""
    return store.query_df(PRICE_MOVES_SQL, {"start": month.start, "end": month.end, "threshold": threshold})


def _price_sections(store: Store, month: Month, ctx: RenderContext, lang: str, names: Labels) -> _Section:
    moves = price_moves_in_month(store, month)
    moves["category"] = names.series("category", moves["category"])  # shown text; the month's rows are read
    companies = _companies(store)
    threshold = fmt_percent(PRICE_MOVE_THRESHOLD, lang)
    in_month = month.in_month(lang)
    subtitle = _section_subtitle(month, lang, t("report.prices.subtitle", lang, threshold=threshold))
    source = t("report.prices.source", lang)
    notes = t("report.prices.notes", lang, threshold=threshold, in_month=in_month)

    moves["up"] = moves["change"] > 0
    per_company = (
        moves.groupby("company_id")
        .agg(moves=("change", "size"), up=("up", "sum"), avg=("change", "mean"))
        .reindex(companies["id"]).fillna({"moves": 0, "up": 0})
    )
    main_category = (
        moves.groupby(["company_id", "category"]).size().reset_index(name="k")
        .sort_values(["company_id", "k", "category"], ascending=[True, False, True])
        .drop_duplicates("company_id").set_index("company_id")["category"]
    ) if not moves.empty else pd.Series(dtype=object)
    table_rows = []
    for row in companies.itertuples():
        stats = per_company.loc[row.id]
        n = int(stats["moves"])
        table_rows.append({
            "label": company_label(row.name, bool(row.is_us), lang), "is_us": bool(row.is_us), "name": row.name,
            "moves": n, "up": int(stats["up"]), "down": n - int(stats["up"]),
            "avg": float(stats["avg"]) if n else None, "category": main_category.get(row.id, "") if n else "",
        })
    frame = pd.DataFrame(table_rows, columns=["label", "is_us", "name", "moves", "up", "down", "avg", "category"])
    frame = frame.sort_values(["moves", "is_us", "label"], ascending=[False, False, True])
    frame = frame.reset_index(drop=True)
    table = pd.DataFrame({
        t("col.company", lang): frame["label"],
        t("report.col.moves", lang): frame["moves"].astype(int),
        t("report.col.increases", lang): frame["up"].astype(int),
        t("report.col.cuts", lang): frame["down"].astype(int),
        t("report.col.avg_change", lang): [_pct(float(v), lang, signed=True) if pd.notna(v) else "–" for v in frame["avg"]],
        t("report.col.main_category", lang): [c or "–" for c in frame["category"]],
    })

    total = len(moves)
    up = int(moves["up"].sum()) if total else 0
    title = t("report.prices.title", lang)
    if total == 0:
        text = t("report.prices.none", lang, in_month=in_month)
        company_slide = ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source,
                                                         table=table if not frame.empty else None), notes)
        category_slide = ExportSlide("view", SlideContent(
            title=t("report.prices.category_title", lang), subtitle=subtitle, text=text, source=source), notes)
        return _Section((company_slide, category_slide), text)

    key = "report.prices.total.one" if total == 1 else "report.prices.total"
    sentences = [t(key, lang, n=_n(total, lang), up=_n(up, lang), down=_n(total - up, lang), threshold=threshold,
                   in_month=in_month)]
    competitors = frame[~frame["is_us"] & (frame["moves"] > 0)]
    if not competitors.empty:
        lead = competitors.iloc[0]
        k, ups, downs = int(lead["moves"]), int(lead["up"]), int(lead["down"])
        company_moves = moves[moves["company"] == lead["name"]]
        if downs == k or ups == k:
            key = ("report.prices.leader_cut" if downs == k else "report.prices.leader_raise") + (".one" if k == 1 else "")
            values = {"company": lead["name"], "pct": _pct(float(company_moves["change"].abs().mean()), lang),
                      "category": lead["category"]}
            sentences.append(t(key, lang, **values) if k == 1 else t(key, lang, k=_n(k, lang), **values))
        else:
            sentences.append(t("report.prices.leader_mixed", lang, company=lead["name"], k=_n(k, lang),
                               up=_n(ups, lang), down=_n(downs, lang), category=lead["category"]))
    us = frame[frame["is_us"]]
    if not us.empty:
        ours = us.iloc[0]
        sentences.append(
            t("report.prices.us.one", lang, company=ours["name"]) if ours["moves"] == 1
            else t("report.prices.us", lang, company=ours["name"], k=_n(ours["moves"], lang)) if ours["moves"]
            else t("report.prices.us_none", lang, company=ours["name"])
        )
    text = _join(*sentences)
    chart_frame = frame[["label", "is_us", "moves"]]
    company_slide = ExportSlide("view", SlideContent(
        title=title, subtitle=subtitle, text=text, source=source, table=table,
        chart=_company_bar_chart(chart_frame, "moves", t("report.col.moves", lang), title, subtitle),
        native=_company_native(list(frame["label"]), list(frame["moves"]), y_title=t("report.col.moves", lang)),
    ), notes)

    # by product category
    by_cat = (
        moves.groupby("category")
        .agg(moves=("change", "size"), up=("up", "sum"), avg=("change", "mean"),
             companies=("company", lambda s: ", ".join(sorted(set(s)))))
        .reset_index().sort_values(["moves", "category"], ascending=[False, True]).reset_index(drop=True)
    )
    by_cat["down"] = by_cat["moves"] - by_cat["up"]
    lead = by_cat.iloc[0]
    cat_sentences = [t("report.prices.category_lead", lang, category=lead["category"], k=_n(lead["moves"], lang),
                       up=_n(lead["up"], lang), down=_n(lead["down"], lang), pct=_pct(float(lead["avg"]), lang, True))]
    if len(by_cat) > 1:
        nxt = by_cat.iloc[1]
        cat_sentences.append(t("report.prices.category_next", lang, category=nxt["category"], k=_n(nxt["moves"], lang)))
        cat_sentences.append(t("report.prices.categories", lang, n=_n(len(by_cat), lang)))
    cat_title = t("report.prices.category_title", lang)
    drawn = by_cat.head(MAX_BARS)
    series = [("up", t("report.series.increases", lang), _TEAL), ("down", t("report.series.cuts", lang), _VIOLET)]
    cat_table = pd.DataFrame({
        t("col.category", lang): by_cat["category"],
        t("report.col.moves", lang): by_cat["moves"].astype(int),
        t("report.col.increases", lang): by_cat["up"].astype(int),
        t("report.col.cuts", lang): by_cat["down"].astype(int),
        t("report.col.avg_change", lang): [_pct(float(v), lang, signed=True) for v in by_cat["avg"]],
        t("report.col.companies", lang): by_cat["companies"],
    })
    category_slide = ExportSlide("view", SlideContent(
        title=cat_title, subtitle=subtitle, text=_join(*cat_sentences), source=source, table=cat_table,
        chart=_grouped_bar_chart(drawn, t("col.category", lang), series, cat_title, subtitle),
        native=_grouped_native(drawn, series),
    ), notes)
    return _Section((company_slide, category_slide), sentences[0])


# ---- SWOT --------------------------------------------------------------------------------

SWOT_CHANGED_SQL = """
SELECT DISTINCT TRY_CAST(row_id AS INTEGER) AS id
FROM audit_log
WHERE table_name = 'swot_items' AND action = 'update' AND changed_at >= $start AND changed_at < $end
"""


def _swot_sections(store: Store, month: Month, ctx: RenderContext, lang: str, today: dt.date) -> _Section:
    in_month = month.in_month(lang)
    days = swot.stale_days()
    companies = _companies(store)
    changed_ids = {int(r["id"]) for r in store.query_rows(SWOT_CHANGED_SQL, {"start": month.start, "end": month.end})
                   if r["id"] is not None}
    start_ts, end_ts = dt.datetime.combine(month.start, dt.time()), dt.datetime.combine(month.end, dt.time())
    items = [
        i for cid in companies["id"]
        for i in swot.list_items(store, int(cid), include_archived=True, today=today, days=days,
                                 viewer=ctx.viewer, include_private=not ctx.presenting)
    ]
    new = [i for i in items if start_ts <= i.created_at < end_ts]
    changed = [i for i in items if i.created_at < start_ts
               and (i.id in changed_ids or start_ts <= i.updated_at < end_ts)]
    new_ids = {i.id for i in new}
    evidence = [i for i in items if not i.archived and i.observed_on is not None
                and month.start <= i.observed_on < month.end and i.id not in new_ids]
    stale = swot.stale_items(store, today=today, days=days, viewer=ctx.viewer, include_private=not ctx.presenting)
    active = [i for i in items if not i.archived]

    def count(group: list[Any]) -> pd.Series:
        return pd.Series([i.company_id for i in group], dtype="int64").value_counts()

    counts = pd.DataFrame({
        "new": count(new), "changed": count(changed), "evidence": count(evidence), "stale": count(stale),
        "active": count(active),
    }).reindex(companies["id"]).fillna(0).astype(int)
    counts["label"] = [company_label(n, bool(u), lang) for n, u in zip(companies["name"], companies["is_us"])]
    counts["name"] = list(companies["name"])
    counts["is_us"] = list(companies["is_us"].astype(bool))
    counts["new_changed"] = counts["new"] + counts["changed"]
    counts = counts.reset_index(drop=True)

    title = t("report.swot.title", lang)
    subtitle = _section_subtitle(month, lang, t("report.swot.subtitle", lang, days=days, date=fmt_date(today, lang)))
    source = t("report.swot.source", lang)
    notes = t("report.swot.notes", lang, in_month=in_month, days=days)

    sentences = []
    if not new and not changed:
        sentences.append(t("report.swot.none", lang, in_month=in_month))
    else:
        ranked = counts.sort_values(["new_changed", "is_us", "label"], ascending=[False, False, True])
        lead, k = ranked.iloc[0], int(ranked.iloc[0]["new_changed"])
        values = {"new": _n(len(new), lang), "changed": _n(len(changed), lang), "in_month": in_month}
        if k > 1 and (len(ranked) == 1 or k > int(ranked.iloc[1]["new_changed"])):  # a clear leader only
            sentences.append(t("report.swot.activity", lang, company=lead["name"], k=_n(k, lang), **values))
        else:
            sentences.append(t("report.swot.activity_plain", lang, **values))
    if evidence:
        key = "report.swot.evidence.one" if len(evidence) == 1 else "report.swot.evidence"
        sentences.append(t(key, lang, n=_n(len(evidence), lang), in_month=in_month))
    if stale:
        lead = counts.sort_values(["stale", "is_us", "label"], ascending=[False, False, True]).iloc[0]
        if len(stale) == 1:
            sentences.append(t("report.swot.stale.one", lang, n=_n(1, lang), days=days, company=stale[0].company))
        else:
            sentences.append(t("report.swot.stale", lang, n=_n(len(stale), lang), days=days, company=lead["name"],
                               k=_n(lead["stale"], lang)))
    else:
        sentences.append(t("report.swot.stale_none", lang))
    text = _join(*sentences)

    table = pd.DataFrame({
        t("col.company", lang): counts["label"],
        t("report.col.new", lang): counts["new"],
        t("report.col.changed", lang): counts["changed"],
        t("report.col.evidence", lang): counts["evidence"],
        t("report.col.stale", lang): counts["stale"],
        t("report.col.active", lang): counts["active"],
    })
    series = [("new_changed", t("report.series.new_changed", lang), _BLUE),
              ("evidence", t("report.series.evidence", lang), _TEAL),
              ("stale", t("report.series.stale", lang), _GREY)]
    shown = counts[(counts[["new_changed", "evidence", "stale"]].sum(axis=1) > 0)].rename(columns={"label": "category"})
    chart = native = None
    if not shown.empty:
        chart = _grouped_bar_chart(shown, t("col.company", lang), series, title, subtitle)
        native = _grouped_native(shown, series)
    overview = ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source, table=table,
                                                chart=chart, native=native), notes)

    # the items themselves: added and changed first, then the oldest stale evidence
    def row(item: Any, status: str) -> dict[str, str]:
        statement = item.statement if len(item.statement) <= MAX_STATEMENT else item.statement[: MAX_STATEMENT - 1] + "…"
        return {
            t("report.col.status", lang): t(f"report.status.{status}", lang),
            t("col.company", lang): company_label(item.company, bool(item.is_us), lang),
            t("report.col.item", lang): item.label or t(f"swot.quadrant.{item.quadrant}", lang),
            t("report.col.statement", lang): statement,
            t("report.col.evidence_on", lang): fmt_date(item.evidence_on, lang),
        }

    listed = [row(i, "new") for i in new] + [row(i, "changed") for i in changed]
    listed = listed[: MAX_ITEM_ROWS - min(len(stale), MAX_ITEM_ROWS // 2)]
    listed += [row(i, "stale") for i in stale[: MAX_ITEM_ROWS - len(listed)]]
    if stale:
        items_text = t("report.swot.items_text", lang, n=_n(len(stale), lang), date=fmt_date(stale[0].evidence_on, lang),
                       company=stale[0].company)
    elif listed:
        items_text = t("report.swot.items_text_fresh", lang, in_month=in_month)
    else:
        items_text = t("report.swot.items_none", lang)
    item_slide = ExportSlide("view", SlideContent(
        title=t("report.swot.items_title", lang), subtitle=subtitle, text=items_text, source=source,
        table=pd.DataFrame(listed) if listed else None,
    ), notes)
    return _Section((overview, item_slide), sentences[0])


# ---- accounts ----------------------------------------------------------------------------

# `{membership}` defines mm(seg, id): which accounts belong to which segment. Wins and losses
# are accounts with a deal won/lost in the month; new accounts are first contacted (else
# entered) in the month. Values in EUR at each currency's newest rate.
ACCOUNTS_SQL = """
{membership},
rates AS (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency),
d AS (
    SELECT d.account_id, d.outcome, d.competitor_id,
           CAST(d.value / coalesce(r.per_eur, 1) AS DOUBLE) AS value_eur
    FROM deals d LEFT JOIN rates r ON r.currency = d.currency
    WHERE d.outcome IN ('won', 'lost') AND d.closed_on >= ? AND d.closed_on < ?
),
n AS (
    SELECT id FROM accounts
    WHERE NOT archived AND coalesce(first_contact, CAST(created_at AS DATE)) >= ?
      AND coalesce(first_contact, CAST(created_at AS DATE)) < ?
)
SELECT mm.seg,
       count(DISTINCT d.account_id) FILTER (WHERE d.outcome = 'won') AS won,
       count(DISTINCT d.account_id) FILTER (WHERE d.outcome = 'lost') AS lost,
       count(DISTINCT n.id) AS new_accounts,
       coalesce(sum(d.value_eur) FILTER (WHERE d.outcome = 'won'), 0) AS won_value
FROM mm
LEFT JOIN d ON d.account_id = mm.id
LEFT JOIN n ON n.id = mm.id
GROUP BY mm.seg
"""

# Per segment: the competitors that won the accounts we lost in the month.
LOST_BY_SQL = """
{membership}
SELECT mm.seg, c.name AS company, count(DISTINCT d.account_id) AS accounts
FROM mm
JOIN deals d ON d.account_id = mm.id
JOIN companies c ON c.id = d.competitor_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ?
GROUP BY ALL
"""

LOST_TO_SQL = """
SELECT c.name, count(DISTINCT d.account_id) AS accounts
FROM deals d JOIN accounts a ON a.id = d.account_id JOIN companies c ON c.id = d.competitor_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ? AND NOT a.archived
GROUP BY c.name ORDER BY accounts DESC, c.name LIMIT 1
"""

_ALL_ACCOUNTS = "WITH mm AS (SELECT 0 AS seg, id FROM accounts WHERE NOT archived)"
_BY_INDUSTRY = "WITH mm AS (SELECT coalesce(nullif(trim(industry), ''), '') AS seg, id FROM accounts WHERE NOT archived)"


# Per segment: the reasons recorded with the deals lost in the month (a deal counts under each of its reasons).
LOST_REASONS_SQL = """
{membership}
SELECT mm.seg, r.id AS reason_id, r.code, r.label_en, r.label_sr, r.position, count(DISTINCT d.id) AS deals
FROM mm
JOIN deals d ON d.account_id = mm.id
JOIN deal_reason_links l ON l.deal_id = d.id
JOIN deal_reasons r ON r.id = l.reason_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ?
GROUP BY ALL
"""


def _membership(store: Store) -> tuple[str, list[Any], list[saved.Segment]]:
    """The `{membership}` of the accounts queries and its parameters: saved segments when any exist, else industries."""
    segments = saved.list_segments(store)
    if not segments:
        return _BY_INDUSTRY, [], []
    members, params = members_sql([s.condition for s in segments])
    return members + ", mm AS (SELECT seg, id FROM m)", list(params), segments


def lost_reasons_by_segment(store: Store, month: Month) -> pd.DataFrame:
    """Per segment (`seg` as in accounts_by_segment) and reason: the deals lost in `month` that name it."""
    membership, params, _ = _membership(store)
    return store.query_df(LOST_REASONS_SQL.format(membership=membership), [*params, month.start, month.end])


def accounts_by_segment(store: Store, month: Month) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """(won/lost/new per segment, totals, "saved" | "industry"): saved segments when any exist."""
    window = [month.start, month.end, month.start, month.end]
    membership, params, segments = _membership(store)
    if segments:
        frame = store.query_df(ACCOUNTS_SQL.format(membership=membership), [*params, *window])
        frame = pd.DataFrame({"seg": range(len(segments))}).merge(frame, on="seg", how="left")
        lost_by = store.query_df(LOST_BY_SQL.format(membership=membership), [*params, month.start, month.end])
        frame["segment"] = [s.name for s in segments]
        kind = "saved"
    else:
        frame = store.query_df(ACCOUNTS_SQL.format(membership=_BY_INDUSTRY), window)
        lost_by = store.query_df(LOST_BY_SQL.format(membership=_BY_INDUSTRY), [month.start, month.end])
        frame["segment"] = frame["seg"]
        kind = "industry"
    frame = frame.fillna({"won": 0, "lost": 0, "new_accounts": 0, "won_value": 0.0})
    for column in ("won", "lost", "new_accounts"):
        frame[column] = frame[column].astype(int)
    # the competitor that took most of the segment's lost accounts; ties by name, so every run agrees
    top = lost_by.sort_values(["seg", "accounts", "company"], ascending=[True, False, True]).drop_duplicates("seg")
    lost_to = dict(zip(top["seg"], top["company"]))
    frame["lost_to"] = [lost_to.get(seg, "") for seg in frame["seg"]]
    frame = frame.sort_values(["won", "lost", "new_accounts", "segment"], ascending=[False, False, False, True])
    totals = store.query_rows(ACCOUNTS_SQL.format(membership=_ALL_ACCOUNTS), window)
    total = totals[0] if totals else {"won": 0, "lost": 0, "new_accounts": 0, "won_value": 0.0}
    lost_to = store.query_rows(LOST_TO_SQL, [month.start, month.end])
    summary = {k: total[k] or 0 for k in ("won", "lost", "new_accounts", "won_value")}
    summary["lost_to"] = (lost_to[0]["name"], int(lost_to[0]["accounts"])) if lost_to else None
    return frame.reset_index(drop=True), summary, kind


def _accounts_section(store: Store, month: Month, ctx: RenderContext, lang: str, names: Labels) -> _Section:
    frame, total, kind = accounts_by_segment(store, month)
    in_month = month.in_month(lang)
    unknown = t("report.unknown_segment", lang)
    if kind == "industry":  # industries by their names in the viewer's language; saved segments by their own
        frame["segment"] = names.series("industry", frame["segment"])
    frame["segment"] = [s if s else unknown for s in frame["segment"]]
    title = t("report.accounts.title", lang)
    subtitle = _section_subtitle(month, lang, t(f"report.accounts.subtitle.{kind}", lang))
    source = t("report.accounts.source", lang)
    notes = t("report.accounts.notes", lang, in_month=in_month)
    won, lost, new = int(total["won"]), int(total["lost"]), int(total["new_accounts"])
    if won + lost + new == 0:
        text = t("report.accounts.none", lang, in_month=in_month)
        return _Section((ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source),
                                     notes),), text)

    sentences = [t("report.accounts.total", lang, won=_n(won, lang), lost=_n(lost, lang), new=_n(new, lang),
                   in_month=in_month)]
    if won:
        sentences.append(t("report.accounts.won_value", lang, value=fmt_money_round(float(total["won_value"]), "EUR", lang)))
    if lost:
        top = frame.sort_values(["lost", "segment"], ascending=[False, True]).iloc[0]
        company, m = total["lost_to"] or ("–", 0)
        sentences.append(t("report.accounts.lost_lead", lang, segment=top["segment"], k=_n(top["lost"], lang),
                           company=company, m=_n(m, lang)))
    elif won:
        top = frame.sort_values(["won", "segment"], ascending=[False, True]).iloc[0]
        sentences.append(t("report.accounts.won_lead", lang, segment=top["segment"], k=_n(top["won"], lang)))
    else:
        top = frame.sort_values(["new_accounts", "segment"], ascending=[False, True]).iloc[0]
        sentences.append(t("report.accounts.new_lead", lang, segment=top["segment"], k=_n(top["new_accounts"], lang)))
    # Why: the reasons recorded with the month's decided deals (research/competitors/winloss.py), most deals
    # first. The slide's caption has room for the two most named in losses; the speaker notes take the wins.
    reasons = winloss.reasons(store, since=month.start, until=month.end)
    lost_on = winloss_views.top_reasons_text(reasons, "lost", lang, limit=2)
    if lost_on:
        sentences.append(t("report.accounts.lost_reasons", lang, reasons=lost_on, in_month=in_month))
    won_on = winloss_views.top_reasons_text(reasons, "won", lang)
    if won_on:
        notes = _join(notes, t("report.accounts.won_reasons", lang, reasons=won_on, in_month=in_month))

    active = frame[(frame["won"] + frame["lost"] + frame["new_accounts"]) > 0]
    lost_by_segment = _lost_on(lost_reasons_by_segment(store, month), lang)
    table = pd.DataFrame({
        t("col.segment", lang): active["segment"],
        t("report.col.won", lang): active["won"],
        t("report.col.lost", lang): active["lost"],
        t("report.col.new_accounts", lang): active["new_accounts"],
        t("report.col.won_value", lang): [_euros(float(v), lang) if v else "–" for v in active["won_value"]],
        t("report.col.lost_to", lang): [c or "–" for c in active["lost_to"]],
        t("report.col.lost_reasons", lang): [lost_by_segment.get(seg, "–") for seg in active["seg"]],
    })
    drawn = active.head(MAX_BARS).rename(columns={"segment": "category", "new_accounts": "new"})
    series = [("won", t("report.series.won", lang), _TEAL), ("lost", t("report.series.lost", lang), _VIOLET),
              ("new", t("report.series.new", lang), _LIGHT_BLUE)]
    slide = ExportSlide("view", SlideContent(
        title=title, subtitle=subtitle, text=_join(*sentences), source=source, table=table.reset_index(drop=True),
        chart=_grouped_bar_chart(drawn, t("col.segment", lang), series, title, subtitle),
        native=_grouped_native(drawn, series),
    ), notes)
    return _Section((slide,), sentences[0])


def _lost_on(reasons: pd.DataFrame, lang: str, limit: int = 2) -> dict[Any, str]:
    """seg -> "Price (3), Lead time (1)": the reasons most named by the segment's deals lost in the month."""
    ranked = reasons.sort_values(["seg", "deals", "position", "reason_id"], ascending=[True, False, True, True])
    return {seg: ", ".join(f"{winloss.reason_label(row, lang, '')} ({_n(row['deals'], lang)})"
                           for row in group.head(limit).to_dict("records"))
            for seg, group in ranked.groupby("seg", sort=False)}


# ---- collected page changes --------------------------------------------------------------

COLLECTED_SQL = """
SELECT detected_at, watcher_id, watcher, company, is_us, field, change_pct
FROM watcher_changes
WHERE detected_at >= $start AND detected_at < $end
ORDER BY detected_at, watcher_id
"""


def collected_changes(store: Store, month: Month) -> pd.DataFrame:
    """The collection change log of `month` (one row per changed field or page text)."""
    return store.query_df(COLLECTED_SQL, {"start": month.start, "end": month.end})


def _collect_section(store: Store, month: Month, ctx: RenderContext, lang: str) -> _Section:
    changes = collected_changes(store, month)
    in_month = month.in_month(lang)
    title = t("report.collect.title", lang)
    subtitle = _section_subtitle(month, lang)
    source = t("report.collect.source", lang)
    notes = t("report.collect.notes", lang, in_month=in_month)
    if changes.empty:
        text = t("report.collect.none", lang, in_month=in_month)
        return _Section((ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source),
                                     notes),), text)
    no_company = t("report.collect.no_company", lang)
    changes["label"] = [company_label(c, bool(u), lang) if isinstance(c, str) else no_company
                        for c, u in zip(changes["company"], changes["is_us"])]
    changes["is_price"] = changes["change_pct"].notna()
    n, prices = len(changes), int(changes["is_price"].sum())
    pages = changes["watcher_id"].nunique()
    key = "report.collect.total.one" if n == 1 else "report.collect.total"
    sentences = [t(key, lang, n=_n(n, lang), pages=_n(pages, lang), prices=_n(prices, lang), in_month=in_month)]
    per_company = (
        changes.groupby(["label", "is_us"]).size().reset_index(name="changes")
        .sort_values(["changes", "is_us", "label"], ascending=[False, False, True]).reset_index(drop=True)
    )
    lead = per_company.iloc[0]
    sentences.append(t("report.collect.leader", lang, company=lead["label"], k=_n(lead["changes"], lang)))
    if prices:
        biggest = changes.loc[changes["change_pct"].abs().idxmax()]
        sentences.append(t("report.collect.largest", lang, pct=_pct(float(biggest["change_pct"]), lang, True),
                           watcher=biggest["watcher"]))
    per_page = (
        changes.groupby(["label", "watcher"])
        .agg(changes=("field", "size"), prices=("is_price", "sum"),
             largest=("change_pct", lambda s: s.loc[s.abs().idxmax()] if s.notna().any() else None))
        .reset_index().sort_values(["changes", "label", "watcher"], ascending=[False, True, True])
    )
    table = pd.DataFrame({
        t("col.company", lang): per_page["label"],
        t("report.col.watcher", lang): per_page["watcher"],
        t("report.col.changes", lang): per_page["changes"].astype(int),
        t("report.col.price_changes", lang): per_page["prices"].astype(int),
        t("report.col.largest_change", lang): [_pct(float(v), lang, True) if pd.notna(v) else "–"
                                               for v in per_page["largest"]],
    }).reset_index(drop=True)
    chart_frame = per_company.rename(columns={"changes": "value"})
    slide = ExportSlide("view", SlideContent(
        title=title, subtitle=subtitle, text=_join(*sentences), source=source, table=table,
        chart=_company_bar_chart(chart_frame, "value", t("report.series.changes", lang), title, subtitle),
        native=_company_native(list(per_company["label"]), list(per_company["changes"]),
                               y_title=t("report.series.changes", lang)),
    ), notes)
    return _Section((slide,), sentences[0])


# ---- signals -----------------------------------------------------------------------------


def _signals_section(store: Store, month: Month, lang: str) -> _Section:
    """The month's signals (research/signals): how many of each kind, per company and how they were triaged."""
    from research.signals import drafts, records

    in_month = month.in_month(lang)
    title = t("report.signals.title", lang)
    subtitle = _section_subtitle(month, lang)
    source = t("report.signals.source", lang)
    notes = t("report.signals.notes", lang, in_month=in_month)
    kinds = records.kind_counts(store, start=month.start, end=month.end)
    total = sum(kinds.values())
    if not total:
        text = t("report.signals.none", lang, in_month=in_month)
        return _Section((ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source),
                                     notes),), text)
    counts = records.counts_by_company(store, start=month.start, end=month.end)
    counts = counts[counts["total"] > 0]
    listed = "; ".join(f"{drafts.kind_label(kind, lang)}: {_n(n, lang)}"
                       for kind, n in sorted(kinds.items(), key=lambda item: -item[1]) if n)
    sentences = [t("report.signals.total", lang, n=_n(total, lang), in_month=in_month, kinds=listed)]
    waiting = int(counts["new"].sum())
    sentences.append(t("report.signals.triage", lang, accepted=_n(int(counts["accepted"].sum()), lang),
                       attached=_n(int(counts["attached"].sum()), lang),
                       dismissed=_n(int(counts["dismissed"].sum()), lang), waiting=_n(waiting, lang)))
    chart_frame = pd.DataFrame({
        "label": [company_label(c, bool(u), lang) for c, u in zip(counts["company"], counts["is_us"])],
        "is_us": counts["is_us"].astype(bool).tolist(), "value": counts["total"].astype(int).tolist(),
    }).sort_values(["value", "is_us", "label"], ascending=[False, False, True]).reset_index(drop=True)
    series = t("report.series.signals", lang)
    slide = ExportSlide("view", SlideContent(
        title=title, subtitle=subtitle, text=_join(*sentences), source=source,
        table=drafts.company_counts_table(counts, lang),
        chart=_company_bar_chart(chart_frame, "value", series, title, subtitle),
        native=_company_native(list(chart_frame["label"]), list(chart_frame["value"]), y_title=series),
    ), notes)
    return _Section((slide,), sentences[0])


# ---- decisions ---------------------------------------------------------------------------


def _decisions_section(
    store: Store, month: Month, ctx: RenderContext, lang: str, today: dt.date,
) -> tuple[_Section, tuple[DecisionLine, ...]]:
    found = decks.list_decisions(store, since=month.start, until=month.end)
    in_month = month.in_month(lang)
    title = t("report.decisions.title", lang)
    subtitle = _section_subtitle(month, lang)
    source = t("report.decisions.source", lang)
    notes = t("report.decisions.notes", lang, in_month=in_month)
    if not found:
        text = t("report.decisions.none", lang, in_month=in_month)
        return _Section((ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=text, source=source),
                                     notes),), text), ()
    from research.present.views import view_label  # the registry pulls in every area's views

    deck_names = {d.id: d.name for d in decks.list_decks(store, include_archived=True)}
    # A view slide without a title of its own shows its view's title: named here by the view.
    slide_titles = {int(r["id"]): r["title"] or view_label(r["view"], lang) for r in store.query_rows(
        "SELECT id, title, view FROM deck_slides WHERE deck_id IN (SELECT DISTINCT deck_id FROM decisions)")}
    companies = {int(r["id"]): r["name"] for r in store.query_rows("SELECT id, name FROM companies")}
    segments = {int(r["id"]): r["name"] for r in store.query_rows("SELECT id, name FROM segments")}
    n_decisions = sum(d.kind == "decision" for d in found)
    n_actions = len(found) - n_decisions
    n_open = sum(d.status == "open" for d in found)
    sentences = [t("report.decisions.total", lang, decisions=_n(n_decisions, lang), actions=_n(n_actions, lang),
                   open=_n(n_open, lang), in_month=in_month)]
    done, dropped = sum(d.status == "done" for d in found), sum(d.status == "dropped" for d in found)
    if done or dropped:
        sentences.append(t("report.decisions.done", lang, done=_n(done, lang), dropped=_n(dropped, lang)))
    overdue = sum(1 for d in found if d.kind == "action" and d.status == "open" and d.due_date and d.due_date < today)
    if overdue:
        sentences.append(t("report.decisions.overdue", lang, n=_n(overdue, lang)))
    owners = pd.Series([d.owner for d in found if d.owner]).value_counts()
    if len(owners) > 1 and owners.iloc[0] > owners.iloc[1]:
        sentences.append(t("report.decisions.owner", lang, owner=owners.index[0], k=_n(owners.iloc[0], lang)))

    lines = tuple(
        DecisionLine(
            kind=d.kind, text=d.text, owner=d.owner or "", due=fmt_date(d.due_date, lang) if d.due_date else "",
            status=d.status, slide=slide_titles.get(d.slide_id, "") if d.slide_id else "",
            about=companies.get(d.competitor_id or -1) or segments.get(d.segment_id or -1) or "",
        )
        for d in found
    )
    table = pd.DataFrame({
        t("report.col.kind", lang): [t(f"report.kind.{d.kind}", lang) for d in found],
        t("report.col.text", lang): [d.text for d in found],
        t("report.col.owner", lang): [d.owner or "" for d in found],
        t("report.col.due", lang): [fmt_date(d.due_date, lang) if d.due_date else "" for d in found],
        t("report.col.status", lang): [t(f"report.dstatus.{d.status}", lang) for d in found],
        t("report.col.deck", lang): [deck_names.get(d.deck_id, "") for d in found],
    })
    slide = ExportSlide("view", SlideContent(title=title, subtitle=subtitle, text=_join(*sentences), source=source,
                                             table=table), notes)
    return _Section((slide,), sentences[0]), lines


# ---- the report --------------------------------------------------------------------------


def build_report(store: Store, month: str | dt.date, ctx: RenderContext, *, appendix: bool = True) -> ExportDeck:
    """The monthly report for `month` ("YYYY-MM" or a date in it) as an ExportDeck for the exporters.

    Unlike a deck, the report carries its data appendix and decision log unless told not to.
    """
    from research.compare.views import highlight_color  # the workspace colour's one owner
    lang = normalize_language(ctx.language)
    today = ctx.today or dt.date.today()
    period = parse_month(month, today)
    generated = dt.datetime.now().replace(microsecond=0)
    label = period.label(lang)
    names = labels_for(store, lang)
    sections = [
        _price_sections(store, period, ctx, lang, names),
        _swot_sections(store, period, ctx, lang, today),
        _accounts_section(store, period, ctx, lang, names),
        _collect_section(store, period, ctx, lang),
        _signals_section(store, period, lang),
    ]
    decisions_section, decision_lines = _decisions_section(store, period, ctx, lang, today)
    sections.append(decisions_section)

    title_text = t("report.title.text", lang, in_month=period.in_month(lang))
    if period.start <= today < period.end:
        title_text += "\n" + t("report.title.partial", lang, date=fmt_date(today, lang))
    summary_slide = ExportSlide("text", SlideContent(
        title=t("report.summary.title", lang), subtitle=_section_subtitle(period, lang),
        text="\n".join(s.headline for s in sections), source=t("report.summary.source", lang), as_of=generated,
    ))
    # The exporters' opening slide is the report's title page: deck name, then this subtitle.
    slides = [summary_slide]
    for section in sections:
        for slide in section.slides:
            slide.content.as_of = generated
            slides.append(slide)
    return ExportDeck(
        name=t("report.deck_name", lang, month=label), workspace=store.name, language=lang, generated_at=generated,
        slides=tuple(slides), decisions=decision_lines, subtitle=title_text, highlight=highlight_color(store),
        appendix=appendix,
    )


def report_file(store: Store, month: str | dt.date, fmt: str, ctx: RenderContext, *, appendix: bool = True) -> bytes:
    """The monthly report as PPTX or Markdown bytes (UTF-8), via the Present exporters."""
    if fmt not in FORMATS:
        raise keyed_error(ValidationError, "report.error.format", fmt=fmt)
    return export_bytes(build_report(store, month, ctx, appendix=appendix), fmt)


def report_format(out_path: str | os.PathLike[str]) -> str:
    """"pptx" or "md", from the output file's suffix; anything else is refused."""
    fmt = Path(out_path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise keyed_error(ValidationError, "report.error.suffix", path=str(out_path))
    return fmt


def write_report(store: Store, month: str | dt.date, out_path: str | os.PathLike[str], ctx: RenderContext, *,
                 appendix: bool = True) -> Path:
    """Write the report to `out_path` (.pptx or .md) atomically: the file appears complete or not at all."""
    target = Path(out_path)
    fmt = report_format(target)
    check_file_target(target)  # before the report is built, not after
    write_atomically(target, report_file(store, month, fmt, ctx, appendix=appendix))
    return target

