"""Win/loss in a viewer's language: the charts, tables and one-line summaries the Competitors page, the
Present views and the battlecard show (research/competitors/winloss.py computes the figures).

Company names are proper names; ours carries the "(us)" suffix and the workspace's highlight colour,
each competitor its fixed colour (the same scale as the Compare page). Industries and regions are shown
by their names in the viewer's language (research.data.labels), size bands by the workspace's band
labels, reasons by the workspace's own names for them (deal_reasons.label_en / label_sr), outcomes and
breakdowns by catalog labels; money is rounded for its size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
from babel.dates import format_date

from research.charts import winloss as charts
from research.charts.theme import company_colors
from research.competitors import winloss
from research.competitors.profiles import Company
from research.data.labels import labels_for
from research.i18n import fmt_money_round, fmt_number, fmt_percent, locale_of, t
from research.market import company_label
from research.segments import bands as size_bands
from research.store import Store

OTHER_COLOR = "#ADB5BD"  # "no competitor named" and archived competitors: outside the fixed company colours
MAX_SEGMENTS = 10  # rows of the "where" panel: the segments with most deals lost to them
MAX_REASONS = 10


@dataclass
class Drawn:
    """One win/loss view drawn in a language: its chart, the data behind it as a readable table, and words."""

    title: str
    subtitle: str
    chart: alt.TopLevelMixin
    table: pd.DataFrame
    text: str = ""  # a one-line summary (slides, captions)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)  # the chart's rows (for the PPTX's native chart)
    empty: bool = False  # no decided deals in the selection


# ---- shared wording ---------------------------------------------------------------------------------


def money(value: float, lang: str) -> str:
    return fmt_money_round(value, "EUR", lang)


def deals_text(n: int, lang: str) -> str:
    """"1 deal", "4 deals" ("1 посао", "4 посл.")."""
    return t("winloss.deals.one", lang) if n == 1 else t("winloss.deals", lang, n=fmt_number(n, lang))


def reason_count(reason: str, deals: int, value: float, lang: str) -> str:
    """"Price (4 deals, €250k)"; without the value when none of the deals could be valued."""
    if value:
        return t("winloss.reason_count", lang, reason=reason, deals=deals_text(deals, lang), value=money(value, lang))
    return t("winloss.reason_count.no_value", lang, reason=reason, deals=deals_text(deals, lang))


def rate_text(won: int, decided: int, lang: str) -> str:
    """"40% · 4 of 10" ("–" without decided deals)."""
    if not decided:
        return "–"
    return t("winloss.rate_text", lang, rate=fmt_percent(won / decided, lang), won=fmt_number(won, lang),
             decided=fmt_number(decided, lang))


def competitor_name(company: str | None, is_us: bool, lang: str) -> str:
    return company_label(company, bool(is_us), lang) if isinstance(company, str) and company else \
        t("winloss.no_competitor", lang)


def breakdown_name(breakdown: str, lang: str) -> str:
    return t(f"winloss.breakdown.{breakdown}", lang)


def by_name(breakdown: str, lang: str) -> str:
    """"by industry" / "по делатности": the breakdown as a title reads it."""
    return t(f"winloss.by.{breakdown}", lang)


def segment_namer(store: Store, breakdown: str, lang: str) -> Callable[[str], str]:
    """A segment key of `breakdown` -> its name in `lang` ("" -> "not set")."""
    unknown = t("winloss.segment.unknown", lang)
    if breakdown in ("industry", "region"):
        names = labels_for(store, lang)
        return lambda key: names(breakdown, key) if key else unknown
    dimension = "employees" if breakdown == "employee_band" else "revenue"
    bands = size_bands.workspace_bands(store)[dimension]
    return lambda key: bands.label(key, lang) if key else unknown


def period_label(start: dt.date, period: str, lang: str) -> str:
    """"Jan 2026" / "јан 2026" for a month, "Q1 2026" / "1. кв. 2026" for a quarter."""
    if period == "quarter":
        return t("winloss.quarter", lang, n=(start.month - 1) // 3 + 1, year=start.year)
    return format_date(start, "LLL y", locale=locale_of(lang))


def reason_name(row: object, lang: str) -> str:
    return winloss.reason_label(row, lang, t("winloss.reason.none", lang))


def company_scale(store: Store, lang: str, extra: list[str] | None = None) -> alt.Scale:
    """The workspace's company colours (ours highlighted; competitors as on the Compare page, by the active
    companies), with `extra` labels (no competitor named, archived competitors) in a neutral grey."""
    from research.compare import data as compare_data
    from research.compare.views import highlight_color

    active = compare_data.companies(store)
    base = company_colors(((company_label(c.name, c.is_us, lang), c.is_us) for c in active),
                          us_color=highlight_color(store))
    domain, colours = list(base.domain), list(base.range)
    more = [label for label in dict.fromkeys(extra or []) if label not in domain]
    return alt.Scale(domain=domain + more, range=colours + [OTHER_COLOR] * len(more))


def _source_notes(frame: pd.DataFrame, lang: str) -> list[str]:
    no_rate = int(frame["no_rate"].sum()) if "no_rate" in frame else 0
    no_value = int(frame["no_value"].sum()) if "no_value" in frame else 0
    notes = []
    if no_rate:
        notes.append(t("winloss.note.no_rate", lang, n=fmt_number(no_rate, lang)))
    if no_value:
        notes.append(t("winloss.note.no_value", lang, n=fmt_number(no_value, lang)))
    return notes


def _against(store: Store, competitor_id: int | None, lang: str) -> str:
    """"all competitors", "no competitor named" or the competitor's name."""
    if competitor_id is None:
        return t("winloss.against.all", lang)
    if int(competitor_id) == winloss.NO_COMPETITOR:
        return t("winloss.against.none", lang)
    row = store.query_rows("SELECT name, is_us FROM companies WHERE id = ?", [int(competitor_id)])
    name = company_label(row[0]["name"], bool(row[0]["is_us"]), lang) if row else "–"
    return t("winloss.against.one", lang, company=name)


def _columns(lang: str, first: str) -> dict[str, str]:
    return {"label": first, "won": t("winloss.col.won", lang), "lost": t("winloss.col.lost", lang),
            "rate": t("winloss.col.win_rate", lang), "won_value": t("winloss.col.won_value", lang),
            "lost_value": t("winloss.col.lost_value", lang)}


def _table(frame: pd.DataFrame, label: str, lang: str, first: str) -> pd.DataFrame:
    names = _columns(lang, first)
    return pd.DataFrame({
        names["label"]: frame[label].tolist(),
        names["won"]: frame["won"].astype(int).tolist(),
        names["lost"]: frame["lost"].astype(int).tolist(),
        names["rate"]: [fmt_percent(r, lang) if pd.notna(r) else "–" for r in frame["win_rate"]],
        names["won_value"]: [money(v, lang) for v in frame["won_value"]],
        names["lost_value"]: [money(v, lang) for v in frame["lost_value"]],
    })


def _bar_texts(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.assign(
        text=[rate_text(int(w), int(d), lang) for w, d in zip(frame["won"], frame["decided"])],
        won_value=[money(v, lang) for v in frame["won_value"]],
        lost_value=[money(v, lang) for v in frame["lost_value"]],
    )


def _chart_labels(lang: str) -> dict[str, str]:
    return {
        "company": t("winloss.col.competitor", lang), "segment": t("winloss.col.segment", lang),
        "win_rate": t("winloss.col.win_rate", lang), "won": t("winloss.col.won", lang),
        "lost": t("winloss.col.lost", lang), "won_value": t("winloss.col.won_value", lang),
        "lost_value": t("winloss.col.lost_value", lang), "decided": t("winloss.col.decided", lang),
        "period": t("winloss.col.period", lang), "deals": t("winloss.col.deals", lang),
        "value": t("winloss.col.value", lang), "reason": t("winloss.col.reason", lang),
        "won_by": t("winloss.col.won_by", lang),
    }


def _empty(title: str, subtitle: str, lang: str, columns: list[str]) -> Drawn:
    message = t("winloss.empty", lang)
    return Drawn(title, subtitle, charts.no_data_chart(title, subtitle, message), pd.DataFrame(columns=columns),
                 text=message, empty=True)


# ---- overall and per competitor ---------------------------------------------------------------------


def summary_text(totals: winloss.Totals, lang: str) -> str:
    """"Win rate 44% over 655 decided deals: 285 won (€24.2m), 370 lost (€33.6m)." and what is not valued."""
    if not totals.decided:
        return t("winloss.empty", lang)
    parts = [t("winloss.summary", lang, rate=fmt_percent(totals.win_rate, lang), decided=fmt_number(totals.decided, lang),
               won=fmt_number(totals.won, lang), won_value=money(totals.won_value, lang),
               lost=fmt_number(totals.lost, lang), lost_value=money(totals.lost_value, lang))]
    if totals.no_rate:
        parts.append(t("winloss.note.no_rate", lang, n=fmt_number(totals.no_rate, lang)))
    if totals.no_value:
        parts.append(t("winloss.note.no_value", lang, n=fmt_number(totals.no_value, lang)))
    return " ".join(parts)


def competitors_view(store: Store, lang: str) -> Drawn:
    """Our win rate against each competitor (bars in their colours) and overall (a line in ours)."""
    title, subtitle = t("winloss.competitors.title", lang), t("winloss.competitors.subtitle", lang)
    frame = winloss.by_competitor(store)
    first = t("winloss.col.competitor", lang)
    if frame.empty:
        return _empty(title, subtitle, lang, [first])
    totals = winloss.totals(store)
    frame["company_label"] = [competitor_name(c, u, lang) for c, u in zip(frame["company"], frame["is_us"])]
    extra = [label for label, cid, archived in zip(frame["company_label"], frame["competitor_id"], frame["archived"])
             if cid == winloss.NO_COMPETITOR or archived]
    data = _bar_texts(frame, lang)
    overall_label = t("winloss.overall", lang, rate=fmt_percent(totals.win_rate, lang))
    chart = charts.win_rate_by_competitor_chart(
        data[["company_label", "win_rate", "text", "won", "lost", "won_value", "lost_value"]],
        scale=company_scale(store, lang, extra), overall=totals.win_rate, overall_label=overall_label, title=title,
        subtitle=subtitle, labels=_chart_labels(lang), us_color=_highlight(store),
    )
    text = summary_text(totals, lang)
    named = frame[frame["competitor_id"] != winloss.NO_COMPETITOR]
    if int(named["lost"].sum()) and not int(named["won"].sum()):
        # No won deal names whom we displaced: against each competitor only the losses are known.
        text = " ".join([text, t("winloss.note.no_displaced", lang)])
    return Drawn(title, subtitle, chart, _table(frame, "company_label", lang, first), text, frame=frame)


def _highlight(store: Store) -> str:
    from research.compare.views import highlight_color

    return highlight_color(store)


# ---- by segment -------------------------------------------------------------------------------------


def segments_view(store: Store, breakdown: str, lang: str, *, competitor_id: int | None = None) -> Drawn:
    """Our win rate per segment of `breakdown` (against one competitor when given)."""
    winloss.check_breakdown(breakdown)
    against = _against(store, competitor_id, lang)
    title = t("winloss.segments.title", lang, by=by_name(breakdown, lang))
    subtitle = t("winloss.segments.subtitle", lang, against=against)
    first = breakdown_name(breakdown, lang)
    frame = winloss.by_segment(store, breakdown, competitor_id=competitor_id)
    if frame.empty:
        return _empty(title, subtitle, lang, [first])
    name = segment_namer(store, breakdown, lang)
    frame["segment_label"] = [name(s) for s in frame["segment"]]
    totals = winloss.totals(store, competitor_id=competitor_id)
    data = _bar_texts(frame, lang)
    chart = charts.win_rate_by_segment_chart(
        data[["segment_label", "win_rate", "decided", "text", "won", "lost", "won_value", "lost_value"]],
        overall=totals.win_rate, overall_label=t("winloss.overall", lang, rate=fmt_percent(totals.win_rate, lang)),
        title=title, subtitle=subtitle, labels={**_chart_labels(lang), "segment": first}, us_color=_highlight(store),
        few_below=winloss.FEW_DECIDED,
    )
    text = " ".join([summary_text(totals, lang), t("winloss.segments.pale", lang, n=winloss.FEW_DECIDED)])
    return Drawn(title, subtitle, chart, _table(frame, "segment_label", lang, first), text, frame=frame)


# ---- over time --------------------------------------------------------------------------------------


def trend_view(store: Store, period: str, lang: str, *, competitor_id: int | None = None) -> Drawn:
    """Our win rate per month or quarter of the close date, with the number of decided deals."""
    winloss.check_period(period)
    against = _against(store, competitor_id, lang)
    title = t(f"winloss.trend.title.{period}", lang)
    subtitle = t("winloss.trend.subtitle", lang, against=against)
    first = t("winloss.col.period", lang)
    frame = winloss.over_time(store, period, competitor_id=competitor_id)
    if frame.empty:
        return _empty(title, subtitle, lang, [first])
    frame["period_label"] = [period_label(p, period, lang) for p in frame["period"]]
    chart = charts.win_rate_trend_chart(
        frame[["period_label", "win_rate", "decided", "won", "lost"]], title=title, subtitle=subtitle,
        labels=_chart_labels(lang), us_color=_highlight(store),
    )
    texts = [summary_text(winloss.totals(store, competitor_id=competitor_id), lang)]
    missing = winloss.undated(store, competitor_id=competitor_id)
    if missing:
        texts.append(t("winloss.note.undated", lang, n=fmt_number(missing, lang)))
    return Drawn(title, subtitle, chart, _table(frame, "period_label", lang, first), " ".join(texts), frame=frame)


# ---- reasons ----------------------------------------------------------------------------------------


def reasons_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Reasons of a competitor's deals (`winloss.reasons` rows): lost and won deals and their value per reason,
    most lost deals first, "no reason recorded" last."""
    lost = winloss.reason_totals(frame, "lost").set_index("reason_id")
    won = winloss.reason_totals(frame, "won").set_index("reason_id")
    ids = list(dict.fromkeys([*lost.index, *won.index]))
    ids.sort(key=lambda i: (i == winloss.NO_REASON, -int(lost["deals"].get(i, 0)), -float(lost["value_eur"].get(i, 0.0)),
                            -int(won["deals"].get(i, 0))))
    rows = []
    for reason_id in ids:
        source = lost.loc[reason_id] if reason_id in lost.index else won.loc[reason_id]
        rows.append({
            t("winloss.col.reason", lang): reason_name({"reason_id": reason_id, **source.to_dict()}, lang),
            t("winloss.col.lost_deals", lang): int(lost["deals"].get(reason_id, 0)),
            t("winloss.col.lost_value", lang): money(float(lost["value_eur"].get(reason_id, 0.0)), lang),
            t("winloss.col.won_deals", lang): int(won["deals"].get(reason_id, 0)),
            t("winloss.col.won_value", lang): money(float(won["value_eur"].get(reason_id, 0.0)), lang),
        })
    columns = [t(f"winloss.col.{c}", lang) for c in ("reason", "lost_deals", "lost_value", "won_deals", "won_value")]
    return pd.DataFrame(rows, columns=columns)


def top_reasons_text(frame: pd.DataFrame, outcome: str, lang: str, limit: int = 3) -> str:
    """"price (4 deals, €250k), lead time (2 deals, €40k)" — the named reasons of one outcome, most deals first."""
    totals = winloss.reason_totals(frame, outcome)
    named = totals[totals["reason_id"] != winloss.NO_REASON].head(limit)
    return ", ".join(reason_count(reason_name(row, lang), int(row["deals"]), float(row["value_eur"]), lang)
                     for row in named.to_dict("records"))


def lose_to_view(store: Store, company: Company, breakdown: str, lang: str) -> Drawn:
    """Where and why we lose to `company`: deals per segment and per reason, theirs beside ours."""
    winloss.check_breakdown(breakdown)
    them = company_label(company.name, company.is_us, lang)
    from research.competitors.profiles import our_company

    us_company = our_company(store, include_private=False)
    us = company_label(us_company.name, True, lang) if us_company else t("winloss.us", lang)
    title = t("winloss.lose_to.title", lang, company=them)
    subtitle = t("winloss.lose_to.subtitle", lang, by=by_name(breakdown, lang))
    segments = winloss.by_segment(store, breakdown, competitor_id=company.id)
    reasons = winloss.reasons(store, competitor_id=company.id)
    table = reasons_table(reasons, lang)
    if segments.empty:
        empty = _empty(title, subtitle, lang, list(table.columns))
        empty.text = t("winloss.lose_to.none", lang, company=them)
        return empty
    name = segment_namer(store, breakdown, lang)
    if breakdown in ("industry", "region"):  # the segments where they took most from us; bands keep their order
        segments = segments.sort_values(["lost", "won", "position"], ascending=[False, False, True]).head(MAX_SEGMENTS)
    where = _sides(segments, "segment", [name(s) for s in segments["segment"]], us, them, lang)
    why_rows = []
    for outcome, side in (("lost", them), ("won", us)):
        summed = winloss.reason_totals(reasons, outcome)
        for row in summed.to_dict("records"):
            why_rows.append({"reason_id": row["reason_id"], "reason": reason_name(row, lang), "company_label": side,
                             "deals": int(row["deals"]), "value_eur": float(row["value_eur"])})
    why = pd.DataFrame(why_rows, columns=["reason_id", "reason", "company_label", "deals", "value_eur"])
    lost_first = why[why["company_label"] == them].set_index("reason")["deals"]
    order = sorted(dict.fromkeys(why["reason"]), key=lambda r: (r == t("winloss.reason.none", lang), -int(lost_first.get(r, 0)), r))
    order = order[:MAX_REASONS]
    why = why[why["reason"].isin(order)].copy()
    why["reason"] = pd.Categorical(why["reason"], categories=order, ordered=True)
    why = why.sort_values(["reason", "company_label"]).assign(reason=lambda f: f["reason"].astype(str))
    why = why.assign(value=[money(v, lang) for v in why["value_eur"]],
                     text=[f"{fmt_number(n, lang)} · {money(v, lang)}" for n, v in zip(why["deals"], why["value_eur"])])
    labels = {**_chart_labels(lang), "where": t("winloss.lose_to.where", lang, by=by_name(breakdown, lang)),
              "why": t("winloss.lose_to.why", lang)}
    chart = charts.where_why_chart(where, why[["reason", "company_label", "deals", "value", "text"]],
                                   scale=company_scale(store, lang), title=title, subtitle=subtitle, labels=labels)
    totals = winloss.totals(store, competitor_id=company.id)
    text = lose_to_text(totals, reasons, them, lang)
    return Drawn(title, subtitle, chart, table, text, frame=where)


def _sides(frame: pd.DataFrame, column: str, names: list[str], us: str, them: str, lang: str) -> pd.DataFrame:
    """Per row of `frame` (won, lost, values): a bar for the deals they won (lost by us) and one for ours."""
    rows = []
    for name, won, lost, won_value, lost_value in zip(names, frame["won"], frame["lost"], frame["won_value"],
                                                      frame["lost_value"]):
        for side, deals, value in ((them, int(lost), float(lost_value)), (us, int(won), float(won_value))):
            if deals:
                rows.append({column: name, "company_label": side, "deals": deals, "value": money(value, lang),
                             "text": f"{fmt_number(deals, lang)} · {money(value, lang)}"})
    return pd.DataFrame(rows, columns=[column, "company_label", "deals", "value", "text"])


def lose_to_text(totals: winloss.Totals, reasons: pd.DataFrame, them: str, lang: str) -> str:
    """"We won 4 of 10 deals against X (40%). They won 6 (€380k), most often on: price (4 deals, €250k)…"."""
    if not totals.decided:
        return t("winloss.lose_to.none", lang, company=them)
    parts = [t("winloss.lose_to.record", lang, won=fmt_number(totals.won, lang), decided=fmt_number(totals.decided, lang),
               company=them, rate=fmt_percent(totals.win_rate, lang), lost=fmt_number(totals.lost, lang),
               lost_value=money(totals.lost_value, lang))]
    lost = top_reasons_text(reasons, "lost", lang)
    if lost:
        parts.append(t("winloss.lose_to.lost_on", lang, reasons=lost))
    won = top_reasons_text(reasons, "won", lang)
    if won:
        parts.append(t("winloss.lose_to.won_on", lang, reasons=won))
    return " ".join(parts)


def reason_matrix_view(store: Store, outcome: str, lang: str) -> Drawn:
    """Competitors × reasons: the deals we lost to each (or won against each) per reason."""
    winloss.check_outcome(outcome)
    title = t(f"winloss.matrix.title.{outcome}", lang)
    subtitle = t("winloss.matrix.subtitle", lang)
    frame = winloss.reasons(store, outcome=outcome)
    first = t("winloss.col.competitor", lang)
    if frame.empty:
        return _empty(title, subtitle, lang, [first])
    companies = store.query_df("SELECT id AS competitor_id, name AS company, is_us FROM companies")
    frame = frame.merge(companies, on="competitor_id", how="left")
    frame["company_label"] = [competitor_name(c, bool(u) if pd.notna(u) else False, lang)
                              for c, u in zip(frame["company"], frame["is_us"])]
    frame["reason"] = [reason_name(row, lang) for row in frame.to_dict("records")]
    cells = frame.groupby(["company_label", "reason"], as_index=False).agg(
        deals=("deals", "sum"), value_eur=("value_eur", "sum"), reason_id=("reason_id", "first"))
    company_order = cells.groupby("company_label")["deals"].sum().sort_values(ascending=False, kind="stable")
    none = t("winloss.reason.none", lang)
    reason_sums = cells.groupby("reason")["deals"].sum()
    reason_order = sorted(reason_sums.index, key=lambda r: (r == none, -int(reason_sums[r]), r))
    cells["value"] = [money(v, lang) for v in cells["value_eur"]]
    chart = charts.reason_matrix_chart(
        cells[["company_label", "reason", "deals", "value"]], companies=company_order.index.tolist(),
        reasons=reason_order, title=title, subtitle=subtitle, labels=_chart_labels(lang),
    )
    table = cells.pivot_table(index="company_label", columns="reason", values="deals", aggfunc="sum", fill_value=0)
    table = table.reindex(index=company_order.index, columns=reason_order, fill_value=0).astype(int)
    table = table.rename_axis(index=first, columns=None).reset_index()
    text = t(f"winloss.matrix.text.{outcome}", lang, reasons=top_reasons_text(frame, outcome, lang) or "–")
    return Drawn(title, subtitle, chart, table, text, frame=cells)
