"""Slides from the Competitors page: a company's SWOT board, TOWS strategies, battlecard, and the SWOT heatmap.

Private SWOT items (issue 10) never reach a slide while presenting or without a
viewer, and otherwise only for whoever may see them (research.present.views.swot_items);
the battlecard, a shared output, never holds them (research.competitors.battlecard).
Stale items carry the board's "(stale, date)" mark on every face of the slide (screen,
PPTX, Markdown); product categories are shown by their names in the viewer's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from research.charts.competitors import QUADRANT_ACCENT, QUADRANT_ORDER
from research.competitors import analysis, battlecard, profiles, tows, views
from research.competitors.profiles import Company
from research.data.labels import labels_for
from research.errors import ValidationError
from research.i18n import fmt_date, t
from research.present.model import Board, RenderContext, SlideContent
from research.present.views import DataGone, as_datetime, int_param, now, register, swot_items
from research.store import Store

TOWS_COLOURS = ("#2B8A3E", "#1864AB", "#E67700", "#C92A2A")  # SO, ST, WO, WT


def company_for(store: Store, params: dict[str, Any]) -> Company:
    """The slide's company; DataGone when it was deleted or archived."""
    company_id = int_param(params, "company_id")
    try:
        company = profiles.get_company(store, company_id)
    except ValidationError:
        raise DataGone(f"company {company_id} is gone") from None
    if company.archived:
        raise DataGone(f"company {company_id} is archived")
    return company


def _today(ctx: RenderContext) -> dt.date:
    return ctx.today or dt.date.today()


def _line(item: Any, lang: str) -> str:
    """An item as the board writes it: label, statement and, when stale, "(stale, date of its evidence)"."""
    text = f"{item.label or '–'} {item.statement}".strip()
    if getattr(item, "stale", False):
        text += f" ({t('swot.board.stale_marker', lang, date=fmt_date(item.evidence_on, lang))})"
    return text


def _latest(items: list[Any]) -> dt.datetime | None:
    return max((as_datetime(i.evidence_on) for i in items if i.evidence_on), default=None)


@register("competitors.swot", "competitors", "present.view.competitors.swot")
def swot_board(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"company_id": id} — the company's SWOT board, as on the Board view and its PNG."""
    lang, today = ctx.language, _today(ctx)
    company = company_for(store, params)
    items = swot_items(store, company.id, ctx, today=today)
    chart = views.board_chart(company, items, lang, today).to_dict()
    board = Board(
        tuple((views.quadrant_name(q, lang), tuple(_line(i, lang) for i in items if i.quadrant == q)) for q in QUADRANT_ORDER),
        tuple(QUADRANT_ACCENT[q] for q in QUADRANT_ORDER),
    )
    columns = [t(f"swot.col.{c}", lang) for c in ("label", "quadrant", "statement", "impact", "confidence", "evidence", "observed")]
    table = views.items_table(items, lang)[columns] if items else pd.DataFrame(columns=columns)
    stale = sum(1 for i in items if i.stale)
    return SlideContent(
        title=t("swot.board.title", lang, company=views.company_label(company.name, company.is_us, lang)),
        subtitle=t("swot.board.subtitle", lang, items=len(items), stale=stale, date=fmt_date(today, lang)),
        chart=chart, board=board, table=table, source=t("present.source.swot", lang),
        as_of=_latest(items) or now(), links={"competitor_id": company.id},
    )


@register("competitors.tows", "competitors", "present.view.competitors.tows")
def tows_board(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"company_id": id} — TOWS strategies (SO/ST/WO/WT) against that company."""
    lang = ctx.language
    company = company_for(store, params)
    us = profiles.our_company(store)
    if us is None:
        raise DataGone("no company is ours")
    strategies = tows.list_strategies(store, company.id, today=_today(ctx))
    quadrants = []
    for kind in ("SO", "ST", "WO", "WT"):
        lines = tuple(
            f"{s.label or '–'} · {s.statement} ({t('tows.meta', lang, owner=s.owner or '–', status=t(f'tows.status.{s.status}', lang))})"
            for s in strategies if s.kind == kind
        )
        quadrants.append((t(f"tows.kind.{kind}", lang), lines or (t("tows.none", lang),)))
    table = pd.DataFrame({
        t("tows.col.kind", lang): [s.kind for s in strategies],
        t("swot.col.label", lang): [s.label or "–" for s in strategies],
        t("tows.col.statement", lang): [s.statement for s in strategies],
        t("tows.col.owner", lang): [s.owner or "–" for s in strategies],
        t("tows.col.status", lang): [t(f"tows.status.{s.status}", lang) for s in strategies],
    })
    context = t("tows.market", lang) if company.is_us else company.name
    return SlideContent(
        title=t("present.tows.title", lang, company=views.company_label(company.name, company.is_us, lang)),
        subtitle=t("tows.explain", lang, company=context, us=us.name),
        board=Board(tuple(quadrants), TOWS_COLOURS), table=table, source=t("present.source.tows", lang),
        as_of=max((as_datetime(s.updated_at) for s in strategies), default=None) or now(),
        links={"competitor_id": company.id},
    )


@register("competitors.battlecard", "competitors", "present.view.competitors.battlecard")
def battlecard_board(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"company_id": id} — the competitor's battlecard as a four-part board."""
    lang, today = ctx.language, _today(ctx)
    company = company_for(store, params)
    try:
        card = battlecard.build_battlecard(store, company.id, today=today)
    except ValidationError:
        raise DataGone("no battlecard for this company") from None
    # A battlecard is a shared output: build_battlecard already leaves every private SWOT item out.
    win_lines = tuple(
        f"{row.our_strength} — {t('battlecard.versus', lang)} {row.their_weakness}" for row in card.why_we_win.itertuples()
    ) or (t("battlecard.no_talking_points", lang),)
    neutralise = tuple(
        f"{c.their_strength.statement} → {c.our_answer or t('battlecard.no_answer', lang)}" for c in card.neutralise
    )
    names = labels_for(store, lang)
    rows = [(names("category", category) or "–", *rest) for category, *rest in battlecard.pricing_rows(card, lang)]
    pricing = (battlecard.price_summary(card, lang),) + tuple(
        f"{category}: {ours} / {theirs} ({index})" for category, _, ours, theirs, index in rows
    )
    key_items = tuple(
        f"{views.quadrant_name(q, lang)}: {_line(i, lang)}"
        for q, group in card.key_items.items() for i in group
    )
    header = [t(f"battlecard.col.{c}", lang) for c in ("category", "products", "ours", "theirs", "index")]
    return SlideContent(
        title=t("battlecard.title", lang, company=company.name),
        subtitle=t("battlecard.subtitle", lang, us=card.us, date=fmt_date(card.as_of, lang)),
        board=Board((
            (t("battlecard.why_we_win", lang), win_lines),
            (t("battlecard.neutralise", lang), neutralise),
            (t("battlecard.pricing", lang), pricing),
            (t("battlecard.key_items", lang), key_items),
        ), ("#2B8A3E", "#C92A2A", "#1864AB", "#495057")),
        table=pd.DataFrame(rows, columns=header),
        text=t("battlecard.footer", lang, stale=card.stale, total=card.total, lost=card.lost_deals),
        source=t("present.source.battlecard", lang), as_of=as_datetime(card.as_of),
        links={"competitor_id": company.id},
    )


@register("competitors.heatmap", "competitors", "present.view.competitors.heatmap")
def swot_heatmap(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {} — SWOT weight (items, summed impact, stale) per competitor and quadrant."""
    lang = ctx.language
    heat = analysis.swot_heatmap_data(store, today=_today(ctx))
    chart = views.heatmap_chart(heat, lang)
    title = t("swot.heatmap.title", lang)
    source = t("present.source.swot", lang)
    if chart is None:
        return SlideContent(title=title, text=t("swot.heatmap.empty", lang), source=source, as_of=now())
    table = pd.DataFrame({
        t("competitors.col.company", lang): [views.company_label(n, u, lang) for n, u in zip(heat["company"], heat["is_us"])],
        t("swot.col.quadrant", lang): [views.quadrant_name(q, lang) for q in heat["quadrant"]],
        t("competitors.col.swot_items", lang): heat["items"].astype(int).tolist(),
        t("swot.heatmap.impact", lang): heat["impact"].astype(int).tolist(),
        t("competitors.col.stale", lang): heat["stale"].astype(int).tolist(),
    })
    return SlideContent(
        title=title, subtitle=t("swot.heatmap.subtitle", lang), chart=chart.to_dict(), table=table, source=source,
        as_of=now(),
    )
