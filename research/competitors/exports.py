"""Exports of the competitor area: the SWOT board as PNG and as PPTX, the battlecard as PPTX and Markdown.

The PPTX files are drawn with the deck's toolkit (research.present.pptx and its text,
table and chart parts): the same fitted, editable text boxes, native tables and type
sizes as a deck's slides, our company in the workspace's highlight colour, and content
that does not fit one slide at a readable size continued on the next rather than cut.
XML-illegal control characters are stripped before python-pptx sees them, and file
names built from company names are sanitised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import vl_convert
from pptx.util import Inches, Pt

from research.charts.competitors import QUADRANT_ACCENT
from research.competitors.battlecard import (
    Battlecard,
    deal_record_text,
    deal_sections,
    evidence_line,
    price_summary,
    pricing_rows,
    to_markdown,
)
from research.competitors.profiles import Company
from research.competitors.states import Quadrant
from research.competitors.swot import SwotItem
from research.competitors.views import board_chart, company_label, quadrant_name
from research.errors import ValidationError
from research.exports import safe_filename, xml_safe  # noqa: F401 — part of this module's interface
from research.i18n import fmt_date, keyed_error, t
from research.present import pptx, pptx_tables
from research.present.pptx_tables import Grid
from research.present.pptx_text import GREY, CutText, Para, fits, highlight_rgb, paras_height, rgb_color

BATTLECARD_SIZES = (14, 13, 12, 11)  # a battlecard is a one-page handout: a little smaller than a deck slide
PRICING_ROWS = 7


def board_filename(company: Company, extension: str, today: dt.date | None = None) -> str:
    day = (today or dt.date.today()).isoformat()
    return safe_filename(f"swot-{company.name}-{day}", extension, fallback=f"swot-{day}")


def battlecard_filename(company: Company, extension: str, today: dt.date | None = None) -> str:
    day = (today or dt.date.today()).isoformat()
    return safe_filename(f"battlecard-{company.name}-{day}", extension, fallback=f"battlecard-{day}")


def board_png(company: Company, items: list[SwotItem], lang: str, *, today: dt.date | None = None, scale: int = 2) -> bytes:
    """The board exactly as on screen, rendered offline by vl-convert."""
    chart = board_chart(company, items, lang, today)
    try:
        return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
    except ValueError as e:  # vl-convert reports rendering failures as ValueError
        raise keyed_error(ValidationError, "competitors.error.board_image", reason=str(e).splitlines()[0]) from e


# ---- PPTX --------------------------------------------------------------------------------


def _item_para(item: SwotItem, lang: str) -> Para:
    """An item as on the board: label and statement, bold for high impact, grey with its marker when stale."""
    text = f"• {item.label}  {item.statement}" if item.label else f"• {item.statement}"
    if item.stale:
        text += f"  ({t('swot.board.stale_marker', lang, date=fmt_date(item.evidence_on, lang))})"
        return Para(text, bold=item.impact >= 4, color=GREY)
    return Para(text, bold=item.impact >= 4)


def board_pptx(company: Company, items: list[SwotItem], lang: str, *, today: dt.date | None = None) -> bytes:
    """The 2×2 board as editable text boxes (continued on a second slide if it cannot fit one)."""
    today = today or dt.date.today()
    prs = pptx.new_presentation()
    stale = sum(1 for i in items if i.stale)
    title = t("swot.board.title", lang, company=company_label(company.name, company.is_us, lang))
    subtitle = t("swot.board.subtitle", lang, items=len(items), stale=stale, date=fmt_date(today, lang))
    top = pptx.content_top(subtitle)
    quadrants = [(quadrant_name(q, lang), [_item_para(i, lang) for i in items if i.quadrant == q])
                 for q in Quadrant]
    boxes = [
        replace(box, empty=Para(t("swot.board.empty", lang), color=GREY))
        for box in pptx.board_boxes(quadrants, [QUADRANT_ACCENT[q] for q in Quadrant], top, pptx.CONTENT_BOTTOM,
                                    lang)
    ]
    laid = pptx.fitted_boxes(boxes, top, pptx.CONTENT_BOTTOM, pptx.BOARD_SIZES)
    pptx.flow_slides(prs, laid, title, subtitle, lang)
    return pptx.save(prs)


def battlecard_pptx(card: Battlecard, lang: str) -> bytes:
    """Three columns: why we win and their strengths to neutralise; pricing (a native table) and the
    freshest evidence; why we lose to them / why we win (from the deals) and their key SWOT items. A
    battlecard is a one-page handout: when it does not fit one slide at 11 pt, the longest overflowing
    list is shortened ("… and 2 more") — the Markdown export and the app have it whole — and only a list
    that cannot be shortened further continues."""
    us = highlight_rgb(card.highlight)
    title = t("battlecard.title", lang, company=card.company.name)
    subtitle = t("battlecard.subtitle", lang, us=card.us, date=fmt_date(card.as_of, lang))
    top, bottom = pptx.content_top(subtitle), pptx.CONTENT_BOTTOM
    col_w = (pptx.CONTENT_W - 2 * pptx.GAP) // 3
    lefts = [pptx.MARGIN + i * (col_w + pptx.GAP) for i in range(3)]

    def heading(key: str, color: Any = None) -> Para:
        return Para(t(key, lang), bold=True, scale=1.15, space_after=0.3, **({"color": color} if color else {}))

    lists = {
        "win": [Para(f"• {row.our_strength} — {t('battlecard.versus', lang)} {row.their_weakness}")
                for row in card.why_we_win.itertuples()],
        "neutralise": [Para(f"• {c.their_strength.statement} → {c.our_answer or t('battlecard.no_answer', lang)}")
                       for c in card.neutralise],
        "freshest": [Para(f"• {i.statement} — {evidence_line(i, lang)}") for i in card.freshest],
    }
    longest_quadrant = max((len(g) for g in card.key_items.values()), default=0)
    limits = {name: len(items) for name, items in lists.items()} | {"key": longest_quadrant}

    def shown(name: str) -> tuple[Para, ...]:
        items = lists[name]
        cut = items[: limits[name]]
        more = [Para(t("present.deckfile.more_lines", lang, count=len(items) - len(cut)), color=GREY)]
        return tuple(cut + (more if len(cut) < len(items) else []))

    def key_items() -> tuple[Para, ...]:
        out: list[Para] = []
        for quadrant, group in card.key_items.items():
            out.append(Para(quadrant_name(quadrant, lang), bold=True, color=rgb_color(QUADRANT_ACCENT[quadrant]),
                            space_after=0.15))
            out += [Para(f"• {i.label} {i.statement}", space_after=0.15) for i in group[: limits["key"]]] or [Para("–")]
        return tuple(out)

    rows = pricing_rows(card, lang)[:PRICING_ROWS]
    header = [t(f"battlecard.col.{c}", lang) for c in ("category", "products", "ours", "theirs", "index")]
    grid = Grid.plain(header, rows)
    lay = pptx_tables.layout(grid, col_w, sizes=(12, 11, 10)) if rows else None
    table_h = pptx_tables.table_height(grid, lay, range(len(rows))) if lay is not None else 0
    price_paras = [heading("battlecard.pricing"), Para(price_summary(card, lang))]
    # Why we lose to them / why we win, from the deals: a few lines that keep their height above the key
    # items, which give way ("… and N more") when the slide is full.
    deal_paras = [heading("battlecard.deals"), Para(deal_record_text(card, lang))]
    for side, entries in deal_sections(card, lang):
        deal_paras += [Para(side, bold=True, space_after=0.15), *(Para(f"• {entry}", space_after=0.15) for entry in entries)]

    def boxes(size: float, split_y: float) -> list[pptx.Box]:
        first_h = int((bottom - top - pptx.GAP) * split_y)
        price_h = int(Inches(0.2)) + int(Pt(paras_height(price_paras, size, pptx.inner_width(col_w))))
        fresh_top = top + price_h + table_h + 2 * pptx.GAP
        deals_h = int(Inches(0.2)) + int(Pt(paras_height(deal_paras, size, pptx.inner_width(col_w))))
        key_top = top + deals_h + pptx.GAP
        return [
            pptx.Box(lefts[0], top, col_w, first_h, heading("battlecard.why_we_win", us), shown("win"),
                     empty=Para(t("battlecard.no_talking_points", lang), color=GREY), name="win"),
            pptx.Box(lefts[0], top + first_h + pptx.GAP, col_w, bottom - top - first_h - pptx.GAP,
                     heading("battlecard.neutralise"), shown("neutralise"),
                     empty=Para(t("battlecard.no_strengths", lang), color=GREY), name="neutralise"),
            pptx.Box(lefts[1], top, col_w, price_h, price_paras[0], tuple(price_paras[1:]), name="pricing"),
            pptx.Box(lefts[1], fresh_top, col_w, max(bottom - fresh_top, Inches(0.5)), heading("battlecard.freshest"),
                     shown("freshest"), empty=Para("–", color=GREY), name="freshest"),
            pptx.Box(lefts[2], top, col_w, deals_h, deal_paras[0], tuple(deal_paras[1:]), name="deals"),
            pptx.Box(lefts[2], key_top, col_w, bottom - key_top, heading("battlecard.key_items"), key_items(), name="key"),
        ]

    def one_slide() -> pptx.Flow | None:
        for size in BATTLECARD_SIZES:
            for split_y in (0.5, 0.4, 0.6, 0.3, 0.7):
                candidate = boxes(size, split_y)
                if all(fits(pptx.box_paras(b, b.items), b.width, b.height, size) for b in candidate):
                    return pptx.Flow(size, [[(b, b.items) for b in candidate]])
        return None

    laid = one_slide()
    while laid is None:
        size = BATTLECARD_SIZES[-1]
        over = [b.name for b in boxes(size, 0.5) if not fits(pptx.box_paras(b, b.items), b.width, b.height, size)]
        shorter = [name for name in over if limits.get(name, 0) > 1]
        if not shorter:  # nothing left to shorten: continue on a second slide
            laid = pptx.flow(boxes(size, 0.5), (size,), lambda n: pptx.grid_boxes(n, top, bottom))
            break
        longest = max(shorter, key=lambda name: limits[name])
        limits[longest] -= 1
        laid = one_slide()
    price_box = next(b for b, _ in laid.pages[0] if b.name == "pricing")

    def pricing_table(slide: Any, cut: CutText) -> None:
        if lay is not None:
            pptx_tables.draw(slide, grid, lay, list(range(len(rows))), price_box.left,
                             price_box.top + price_box.height + pptx.GAP)

    prs = pptx.new_presentation()
    pptx.flow_slides(prs, laid, title, subtitle, lang, first=pricing_table,
                     foot=t("battlecard.footer", lang, stale=card.stale, total=card.total, lost=card.lost_deals))
    return pptx.save(prs)


def battlecard_markdown(card: Battlecard, lang: str) -> str:
    return xml_safe(to_markdown(card, lang))

