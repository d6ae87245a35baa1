"""The monthly report's signals section: the month's signals (research/signals) by kind, per company
and by how they were triaged."""

from __future__ import annotations

import pandas as pd

from research.i18n import t
from research.market import company_label
from research.present.model import ExportSlide, SlideContent, SlideKind
from research.present.report.common import (
    Section, company_bar_chart, company_native, count_text, join_sentences, section_subtitle, text_section,
)
from research.present.report.month import Month
from research.store import Store


def signals_section(store: Store, month: Month, lang: str) -> Section:
    """The month's signals (research/signals): how many of each kind, per company and how they were triaged."""
    from research.signals import drafts, records

    in_month = month.in_month(lang)
    title = t("report.signals.title", lang)
    subtitle = section_subtitle(month, lang)
    source = t("report.signals.source", lang)
    notes = t("report.signals.notes", lang, in_month=in_month)
    kinds = records.kind_counts(store, start=month.start, end=month.end)
    total = sum(kinds.values())
    if not total:
        text = t("report.signals.none", lang, in_month=in_month)
        return text_section(title, subtitle, text, source, notes)
    counts = records.counts_by_company(store, start=month.start, end=month.end)
    counts = counts[counts["total"] > 0]
    listed = "; ".join(f"{drafts.kind_label(kind, lang)}: {count_text(n, lang)}"
                       for kind, n in sorted(kinds.items(), key=lambda item: -item[1]) if n)
    sentences = [t("report.signals.total", lang, n=count_text(total, lang), in_month=in_month, kinds=listed)]
    waiting = int(counts["new"].sum())
    sentences.append(t("report.signals.triage", lang, accepted=count_text(int(counts["accepted"].sum()), lang),
                       attached=count_text(int(counts["attached"].sum()), lang),
                       dismissed=count_text(int(counts["dismissed"].sum()), lang), waiting=count_text(waiting, lang)))
    chart_frame = pd.DataFrame({
        "label": [company_label(c, bool(u), lang) for c, u in zip(counts["company"], counts["is_us"])],
        "is_us": counts["is_us"].astype(bool).tolist(), "value": counts["total"].astype(int).tolist(),
    }).sort_values(["value", "is_us", "label"], ascending=[False, False, True]).reset_index(drop=True)
    series = t("report.series.signals", lang)
    slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=title, subtitle=subtitle, text=join_sentences(*sentences), source=source,
        table=drafts.company_counts_table(counts, lang),
        chart=company_bar_chart(chart_frame, "value", series, title, subtitle),
        native=company_native(list(chart_frame["label"]), list(chart_frame["value"]), y_title=series),
    ), notes)
    return Section((slide,), sentences[0])
