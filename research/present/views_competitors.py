"""Slides from the Competitors page: a company's SWOT board, TOWS strategies, battlecard, the SWOT heatmap,
and win/loss (win rate per competitor, by segment, over time; reasons per competitor; where and why we lose).

Private SWOT items (issue 10) never reach a slide while presenting or without a
viewer, and otherwise only for whoever may see them (research.present.views.swot_items);
the battlecard, a shared output, never holds them (research.competitors.battlecard).
Stale items carry the board's "(stale, date)" mark on every face of the slide (screen,
PPTX, Markdown); product categories are shown by their names in the viewer's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from research.charts.competitors import QUADRANT_ACCENT
from research.compare.views import highlight_color
from research.competitors import analysis, battlecard, profiles, tows, views, winloss, winloss_views
from research.competitors.profiles import Company
from research.competitors.states import Quadrant, TowsKind
from research.data.labels import labels_for
from research.errors import ValidationError
from research.i18n import fmt_date, t
from research.present.model import Board, NativeChart, NativeKind, RenderContext, SlideContent
from research.present.views import (
    DataGone,
    as_datetime,
    category_native,
    int_param,
    now,
    register,
    scale_colours,
    swot_items,
)
from research.store import Store

TOWS_COLOURS = ("#2B8A3E", "#1864AB", "#E67700", "#C92A2A")  # SO, ST, WO, WT
BOARD_REASONS = 2  # reasons per side on the battlecard slide's board


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


def _latest(values: Iterable[Any]) -> dt.datetime | None:
    """The newest of these dates or timestamps; None when none is one."""
    return max((at for at in map(as_datetime, values) if at is not None), default=None)


@register("competitors.swot", "competitors", "present.view.competitors.swot")
def swot_board(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"company_id": id} — the company's SWOT board, as on the Board view and its PNG."""
    lang, today = ctx.language, _today(ctx)
    company = company_for(store, params)
    items = swot_items(store, company.id, ctx, today=today)
    chart = views.board_chart(company, items, lang, today).to_dict()
    board = Board(
        tuple((views.quadrant_name(q, lang), tuple(_line(i, lang) for i in items if i.quadrant == q)) for q in Quadrant),
        tuple(QUADRANT_ACCENT[q] for q in Quadrant),
    )
    columns = [t(f"swot.col.{c}", lang) for c in ("label", "quadrant", "statement", "impact", "confidence", "evidence", "observed")]
    table = views.items_table(items, lang)[columns] if items else pd.DataFrame(columns=columns)
    stale = sum(1 for i in items if i.stale)
    return SlideContent(
        title=t("swot.board.title", lang, company=views.company_label(company.name, company.is_us, lang)),
        subtitle=t("swot.board.subtitle", lang, items=len(items), stale=stale, date=fmt_date(today, lang)),
        chart=chart, board=board, table=table, source=t("present.source.swot", lang),
        as_of=_latest(i.evidence_on for i in items) or now(), links={"competitor_id": company.id},
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
    for kind in TowsKind:
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
        as_of=_latest(s.updated_at for s in strategies) or now(),
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
    # Why we lose to them / why we win, from the deals: one line each, first in the quadrant it answers (the
    # board keeps its two slides; a caption would be cut). The battlecard itself lists every reason.
    won_on, lost_on = (
        (t(f"battlecard.deals.{side}_on", lang, line="; ".join(lines[:BOARD_REASONS])),) if lines else ()
        for side, lines in ((side, battlecard.reason_lines(card, side, lang)) for side in ("win", "lose"))
    )
    win_lines = won_on + tuple(
        f"{row.our_strength} — {t('battlecard.versus', lang)} {row.their_weakness}" for row in card.why_we_win.itertuples()
    ) or (t("battlecard.no_talking_points", lang),)
    neutralise = lost_on + tuple(
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
        text="\n".join([battlecard.deal_record_text(card, lang),
                        t("battlecard.footer", lang, stale=card.stale, total=card.total, lost=card.lost_deals)]),
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


# ---- win/loss (issue 20 item 2): research/competitors/winloss.py and winloss_views.py -----------------


def _choice(params: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    """A choice from the frozen params (its default when absent); a slide whose params hold another value
    can no longer be drawn as it was."""
    value = params.get(name, default)
    if value not in allowed:
        raise DataGone(f"{name} {value!r} is not one of {allowed}")
    return str(value)


def _against(store: Store, params: dict[str, Any]) -> int | None:
    """The competitor a win/loss slide is narrowed to: None (all), 0 (none named) or a company that still exists."""
    value = params.get("competitor_id")
    if value is None:
        return None
    competitor_id = int_param(params, "competitor_id")
    if competitor_id != winloss.NO_COMPETITOR:
        company_for(store, {"company_id": competitor_id})  # DataGone when it was deleted or archived
    return competitor_id


def _winloss_slide(drawn: winloss_views.Drawn, lang: str, *, native: NativeChart | None = None,
                   links: dict[str, int] | None = None) -> SlideContent:
    return SlideContent(
        title=drawn.title, subtitle=drawn.subtitle, chart=drawn.chart.to_dict(), native=None if drawn.empty else native,
        table=drawn.table, text=drawn.text, source=t("present.source.deals", lang), as_of=now(), links=links or {},
    )


def _rates(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    return frame.assign(series=frame[category], rate=frame["win_rate"].astype(float))


def _our_rate_slide(store: Store, drawn: winloss_views.Drawn, lang: str, *, kind: NativeKind, category: str,
                    x_title: str, against: int | None) -> SlideContent:
    """Our win rate over the rows of `drawn.frame[category]` (segments, periods): one series in the workspace
    colour, as bars or a line; linked to the competitor the slide is narrowed to, if any."""
    native = None
    if not drawn.empty:
        rate = t("winloss.col.win_rate", lang)
        native = category_native(
            drawn.frame.assign(series=rate, rate=drawn.frame["win_rate"].astype(float)), kind=kind,
            category=category, series="series", value="rate", categories=drawn.frame[category].tolist(),
            series_order=[rate], colours={rate: highlight_color(store)}, x_title=x_title, y_title=rate,
            number_format="0%",
        )
    return _winloss_slide(drawn, lang, native=native, links={"competitor_id": against} if against else None)


@register("competitors.winloss", "competitors", "present.view.competitors.winloss")
def winloss_competitors(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {} — our win rate against each competitor (bars in their colours) and overall (a line in ours)."""
    lang = ctx.language
    drawn = winloss_views.competitors_view(store, lang)
    native = None
    if not drawn.empty:
        labels = drawn.frame["company_label"].tolist()
        extra = [label for label, cid, archived in zip(labels, drawn.frame["competitor_id"], drawn.frame["archived"])
                 if cid == winloss.NO_COMPETITOR or archived]
        colours = scale_colours(winloss_views.company_scale(store, lang, extra))
        # One bar per competitor in its own colour: a stacked bar whose every series fills only its own row.
        native = category_native(
            _rates(drawn.frame, "company_label"), kind="stacked_bar", category="company_label", series="series",
            value="rate", categories=labels, series_order=labels, colours=colours,
            x_title=t("winloss.col.competitor", lang), y_title=t("winloss.col.win_rate", lang), number_format="0%",
        )
    return _winloss_slide(drawn, lang, native=native)


@register("competitors.winloss_segments", "competitors", "present.view.competitors.winloss_segments")
def winloss_segments(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"breakdown": "industry" | "region" | "employee_band" | "revenue_band", "competitor_id": id | 0 | None}
    — our win rate per segment, against one competitor (0: deals naming none) or all (None)."""
    lang = ctx.language
    breakdown = _choice(params, "breakdown", winloss.BREAKDOWNS, "industry")
    against = _against(store, params)
    drawn = winloss_views.segments_view(store, breakdown, lang, competitor_id=against)
    return _our_rate_slide(store, drawn, lang, kind="bar", category="segment_label",
                           x_title=winloss_views.breakdown_name(breakdown, lang), against=against)


@register("competitors.winloss_time", "competitors", "present.view.competitors.winloss_time")
def winloss_time(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"period": "month" | "quarter", "competitor_id": id | 0 | None} — our win rate per period of the
    close date, with the decided deals."""
    lang = ctx.language
    period = _choice(params, "period", winloss.PERIODS, "quarter")
    against = _against(store, params)
    drawn = winloss_views.trend_view(store, period, lang, competitor_id=against)
    return _our_rate_slide(store, drawn, lang, kind="line", category="period_label",
                           x_title=t("winloss.col.period", lang), against=against)


@register("competitors.reasons", "competitors", "present.view.competitors.reasons")
def winloss_reasons(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"outcome": "lost" | "won"} — competitors × reasons: the deals lost to (or won against) each, per reason."""
    lang = ctx.language
    outcome = _choice(params, "outcome", winloss.OUTCOMES, "lost")
    return _winloss_slide(winloss_views.reason_matrix_view(store, outcome, lang), lang)


@register("competitors.lossreasons", "competitors", "present.view.competitors.lossreasons")
def winloss_lose_to(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"company_id": id, "breakdown": "industry" | …} — where (segments) and why (reasons) we lose to
    that competitor, beside where and why we win against it; the table lists every reason with counts and value."""
    lang = ctx.language
    company = company_for(store, params)
    breakdown = _choice(params, "breakdown", winloss.BREAKDOWNS, "industry")
    drawn = winloss_views.lose_to_view(store, company, breakdown, lang)
    return _winloss_slide(drawn, lang, links={"competitor_id": company.id})
