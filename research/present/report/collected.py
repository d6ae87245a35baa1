"""The monthly report's collected page changes: the collection change log of the month, per page and
per company."""

from __future__ import annotations

import pandas as pd

from research.i18n import t
from research.market import company_label
from research.present.model import ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.common import (
    Section, company_bar_chart, company_native, count_text, join_sentences, percent_text, section_subtitle,
    text_section,
)
from research.present.report.month import Month
from research.store import Store


COLLECTED_SQL = """
SELECT detected_at, watcher_id, watcher, company, is_us, field, change_pct
FROM watcher_changes
WHERE detected_at >= $start AND detected_at < $end
ORDER BY detected_at, watcher_id
"""


def collected_changes(store: Store, month: Month) -> pd.DataFrame:
    """The collection change log of `month` (one row per changed field or page text)."""
    return store.query_df(COLLECTED_SQL, {"start": month.start, "end": month.end})


def collected_section(store: Store, month: Month, ctx: RenderContext, lang: str) -> Section:
    changes = collected_changes(store, month)
    in_month = month.in_month(lang)
    title = t("report.collect.title", lang)
    subtitle = section_subtitle(month, lang)
    source = t("report.collect.source", lang)
    notes = t("report.collect.notes", lang, in_month=in_month)
    if changes.empty:
        text = t("report.collect.none", lang, in_month=in_month)
        return text_section(title, subtitle, text, source, notes)
    no_company = t("report.collect.no_company", lang)
    changes["label"] = [company_label(c, bool(u), lang) if isinstance(c, str) else no_company
                        for c, u in zip(changes["company"], changes["is_us"])]
    changes["is_price"] = changes["change_pct"].notna()
    n, prices = len(changes), int(changes["is_price"].sum())
    pages = changes["watcher_id"].nunique()
    key = "report.collect.total.one" if n == 1 else "report.collect.total"
    sentences = [t(key, lang, n=count_text(n, lang), pages=count_text(pages, lang), prices=count_text(prices, lang), in_month=in_month)]
    per_company = (
        changes.groupby(["label", "is_us"]).size().reset_index(name="changes")
        .sort_values(["changes", "is_us", "label"], ascending=[False, False, True]).reset_index(drop=True)
    )
    lead = per_company.iloc[0]
    sentences.append(t("report.collect.leader", lang, company=lead["label"], k=count_text(lead["changes"], lang)))
    if prices:
        biggest = changes.iloc[int(changes["change_pct"].abs().argmax())]  # the first of the largest; NaN skipped
        sentences.append(t("report.collect.largest", lang, pct=percent_text(float(biggest["change_pct"]), lang, True),
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
        t("report.col.largest_change", lang): [percent_text(float(v), lang, True) if pd.notna(v) else "–"
                                               for v in per_page["largest"]],
    }).reset_index(drop=True)
    chart_frame = per_company.rename(columns={"changes": "value"})
    slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=title, subtitle=subtitle, text=join_sentences(*sentences), source=source, table=table,
        chart=company_bar_chart(chart_frame, "value", t("report.series.changes", lang), title, subtitle),
        native=company_native(list(per_company["label"]), list(per_company["changes"]),
                               y_title=t("report.series.changes", lang)),
    ), notes)
    return Section((slide,), sentences[0])
