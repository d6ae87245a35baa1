"""The monthly report's decisions section: the decisions and actions recorded in the month in any
deck, with their status today, and the report's decision log."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from research.i18n import fmt_date, t
from research.present import decks
from research.present.model import DecisionLine, ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.common import Section, count_text, join_sentences, section_subtitle, text_section
from research.present.report.month import Month
from research.store import Store


def decisions_section(
    store: Store, month: Month, ctx: RenderContext, lang: str, today: dt.date,
) -> tuple[Section, tuple[DecisionLine, ...]]:
    found = decks.list_decisions(store, since=month.start, until=month.end)
    in_month = month.in_month(lang)
    title = t("report.decisions.title", lang)
    subtitle = section_subtitle(month, lang)
    source = t("report.decisions.source", lang)
    notes = t("report.decisions.notes", lang, in_month=in_month)
    if not found:
        text = t("report.decisions.none", lang, in_month=in_month)
        return text_section(title, subtitle, text, source, notes), ()
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
    sentences = [t("report.decisions.total", lang, decisions=count_text(n_decisions, lang), actions=count_text(n_actions, lang),
                   open=count_text(n_open, lang), in_month=in_month)]
    done, dropped = sum(d.status == "done" for d in found), sum(d.status == "dropped" for d in found)
    if done or dropped:
        sentences.append(t("report.decisions.done", lang, done=count_text(done, lang), dropped=count_text(dropped, lang)))
    overdue = sum(1 for d in found if d.kind == "action" and d.status == "open" and d.due_date and d.due_date < today)
    if overdue:
        sentences.append(t("report.decisions.overdue", lang, n=count_text(overdue, lang)))
    owners = pd.Series([d.owner for d in found if d.owner]).value_counts()
    if len(owners) > 1 and owners.iloc[0] > owners.iloc[1]:
        sentences.append(t("report.decisions.owner", lang, owner=owners.index[0], k=count_text(owners.iloc[0], lang)))

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
    slide = ExportSlide(SlideKind.VIEW, SlideContent(title=title, subtitle=subtitle, text=join_sentences(*sentences), source=source,
                                             table=table), notes)
    return Section((slide,), sentences[0]), lines
