"""The monthly report's SWOT section: items added or changed in the month (created, updated, or named
by the audit log), items whose evidence was observed in it, and the items stale now, by company; then
the items themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from research.competitors import swot
from research.i18n import fmt_date, t
from research.market import company_label
from research.present.model import ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.common import (
    BLUE, GREY, TEAL, Section, active_companies, count_text, grouped_bar_chart, grouped_native, join_sentences,
    section_subtitle,
)
from research.present.report.month import Month
from research.store import Store

MAX_ITEM_ROWS = 20  # rows of the SWOT item list
MAX_STATEMENT = 140

SWOT_CHANGED_SQL = """
SELECT DISTINCT TRY_CAST(row_id AS INTEGER) AS id
FROM audit_log
WHERE table_name = 'swot_items' AND action = 'update' AND changed_at >= $start AND changed_at < $end
"""


def swot_section(store: Store, month: Month, ctx: RenderContext, lang: str, today: dt.date) -> Section:
    in_month = month.in_month(lang)
    days = swot.stale_days()
    companies = active_companies(store)
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
    subtitle = section_subtitle(month, lang, t("report.swot.subtitle", lang, days=days, date=fmt_date(today, lang)))
    source = t("report.swot.source", lang)
    notes = t("report.swot.notes", lang, in_month=in_month, days=days)

    sentences = []
    if not new and not changed:
        sentences.append(t("report.swot.none", lang, in_month=in_month))
    else:
        ranked = counts.sort_values(["new_changed", "is_us", "label"], ascending=[False, False, True])
        lead, k = ranked.iloc[0], int(ranked.iloc[0]["new_changed"])
        values = {"new": count_text(len(new), lang), "changed": count_text(len(changed), lang), "in_month": in_month}
        if k > 1 and (len(ranked) == 1 or k > int(ranked.iloc[1]["new_changed"])):  # a clear leader only
            sentences.append(t("report.swot.activity", lang, company=lead["name"], k=count_text(k, lang), **values))
        else:
            sentences.append(t("report.swot.activity_plain", lang, **values))
    if evidence:
        key = "report.swot.evidence.one" if len(evidence) == 1 else "report.swot.evidence"
        sentences.append(t(key, lang, n=count_text(len(evidence), lang), in_month=in_month))
    if stale:
        lead = counts.sort_values(["stale", "is_us", "label"], ascending=[False, False, True]).iloc[0]
        if len(stale) == 1:
            sentences.append(t("report.swot.stale.one", lang, n=count_text(1, lang), days=days, company=stale[0].company))
        else:
            sentences.append(t("report.swot.stale", lang, n=count_text(len(stale), lang), days=days, company=lead["name"],
                               k=count_text(lead["stale"], lang)))
    else:
        sentences.append(t("report.swot.stale_none", lang))
    text = join_sentences(*sentences)

    table = pd.DataFrame({
        t("col.company", lang): counts["label"],
        t("report.col.new", lang): counts["new"],
        t("report.col.changed", lang): counts["changed"],
        t("report.col.evidence", lang): counts["evidence"],
        t("report.col.stale", lang): counts["stale"],
        t("report.col.active", lang): counts["active"],
    })
    series = [("new_changed", t("report.series.new_changed", lang), BLUE),
              ("evidence", t("report.series.evidence", lang), TEAL),
              ("stale", t("report.series.stale", lang), GREY)]
    shown = counts[(counts[["new_changed", "evidence", "stale"]].sum(axis=1) > 0)].rename(columns={"label": "category"})
    chart = native = None
    if not shown.empty:
        chart = grouped_bar_chart(shown, t("col.company", lang), series, title, subtitle)
        native = grouped_native(shown, series)
    overview = ExportSlide(SlideKind.VIEW, SlideContent(title=title, subtitle=subtitle, text=text, source=source, table=table,
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
        items_text = t("report.swot.items_text", lang, n=count_text(len(stale), lang), date=fmt_date(stale[0].evidence_on, lang),
                       company=stale[0].company)
    elif listed:
        items_text = t("report.swot.items_text_fresh", lang, in_month=in_month)
    else:
        items_text = t("report.swot.items_none", lang)
    item_slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=t("report.swot.items_title", lang), subtitle=subtitle, text=items_text, source=source,
        table=pd.DataFrame(listed) if listed else None,
    ), notes)
    return Section((overview, item_slide), sentences[0])
