"""The monthly report: what changed in one calendar month, as an `ExportDeck` that writes itself.

`build_report(store, month, ctx)` returns a title slide, an executive summary and the slides of its
sections, one module each, every one reading the workspace once:

- `prices` — price moves by competitor and by product category (the market's one price-move rule);
- `swot` — SWOT items new, changed, with evidence in the month, and stale now;
- `accounts` — accounts won/lost/new by segment, with the reasons recorded with the deals;
- `collected` — collected page changes;
- `signals` — the month's signals by kind, company and triage;
- `decisions` — decisions taken, and the report's decision log.

Each section slide carries its chart (Vega-Lite, plus a `NativeChart` for an editable PowerPoint
chart), the data table, a source line and a short summary written from the data with the i18n
catalog's template sentences (no external services); `common` holds what they share and `month`
the calendar month. `report_file` turns the deck into PPTX or Markdown with the Present exporters.

Months are calendar months [first day, first day of the next month). Private SWOT items
count and show only for a viewer who may see them, and never while presenting.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from research.data.labels import labels_for
from research.errors import ValidationError
from research.exports import check_file_target, write_atomically
from research.i18n import fmt_date, keyed_error, normalize_language, t
from research.present.export import export_bytes
from research.present.model import ExportDeck, ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.accounts import accounts_section
from research.present.report.collected import collected_section
from research.present.report.common import section_subtitle
from research.present.report.decisions import decisions_section
from research.present.report.month import (
    Month, default_month, default_month_note, last_month, latest_data_month, parse_month,
)
from research.present.report.prices import price_section
from research.present.report.signals import signals_section
from research.present.report.swot import swot_section
from research.store import Store

__all__ = [
    "FORMATS", "Month", "build_report", "default_month", "default_month_note", "last_month", "latest_data_month",
    "parse_month", "report_file", "report_format", "write_report",
]

FORMATS = ("pptx", "md")


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
        price_section(store, period, ctx, lang, names),
        swot_section(store, period, ctx, lang, today),
        accounts_section(store, period, ctx, lang, names),
        collected_section(store, period, ctx, lang),
        signals_section(store, period, lang),
    ]
    decided, decision_lines = decisions_section(store, period, ctx, lang, today)
    sections.append(decided)

    title_text = t("report.title.text", lang, in_month=period.in_month(lang))
    if period.start <= today < period.end:
        title_text += "\n" + t("report.title.partial", lang, date=fmt_date(today, lang))
    summary_slide = ExportSlide(SlideKind.TEXT, SlideContent(
        title=t("report.summary.title", lang), subtitle=section_subtitle(period, lang),
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
