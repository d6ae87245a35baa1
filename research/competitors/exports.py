"""Exports of the competitor area: the SWOT board as PNG and as a PPTX slide, the
battlecard as PPTX and Markdown.

Text in slides stays editable (text frames and native tables, never pictures of
text). XML-illegal control characters are stripped before python-pptx sees them,
and file names built from company names are sanitised.
"""

from __future__ import annotations

import datetime as dt
import io

import vl_convert
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from research.charts.competitors import FONT_BY_IMPACT, QUADRANT_ACCENT, QUADRANT_FILL
from research.competitors.battlecard import Battlecard, evidence_line, price_summary, pricing_rows, to_markdown
from research.competitors.profiles import Company
from research.competitors.swot import SwotItem
from research.competitors.views import board_chart, company_label, quadrant_name
from research.errors import ValidationError
from research.exports import safe_filename, xml_safe
from research.i18n import fmt_date, t

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
TEXT = RGBColor(0x1F, 0x29, 0x33)
GREY = RGBColor(0x66, 0x70, 0x7A)
US = RGBColor(0xD9, 0x48, 0x0F)


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
        raise ValidationError(f"The board could not be rendered as an image: {str(e).splitlines()[0]}") from e


# ---- PPTX --------------------------------------------------------------------------------


def _new_deck() -> Presentation:
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    return deck


def _blank_slide(deck: Presentation):  # noqa: ANN202 — python-pptx's Slide has no public type
    return deck.slides.add_slide(deck.slide_layouts[6])


def _hex(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


def _textbox(slide, left: Emu, top: Emu, width: Emu, height: Emu):  # noqa: ANN001, ANN202
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    return box, frame


def _paragraph(frame, text: str, *, size: int, bold: bool = False, color: RGBColor = TEXT, first: bool = False,
               italic: bool = False, space_after: int = 4) -> None:  # noqa: ANN001
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    run = paragraph.add_run()
    run.text = xml_safe(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = color
    paragraph.space_after = Pt(space_after)


def _title(slide, title: str, subtitle: str) -> None:  # noqa: ANN001
    _, frame = _textbox(slide, Inches(0.4), Inches(0.2), Inches(12.5), Inches(0.9))
    _paragraph(frame, title, size=28, bold=True, first=True, space_after=0)
    _paragraph(frame, subtitle, size=14, color=GREY, space_after=0)


def board_pptx(company: Company, items: list[SwotItem], lang: str, *, today: dt.date | None = None) -> bytes:
    """One 16:9 slide: the 2×2 board as four editable text boxes, impact as type size and weight."""
    today = today or dt.date.today()
    deck = _new_deck()
    slide = _blank_slide(deck)
    stale = sum(1 for i in items if i.stale)
    _title(
        slide,
        t("swot.board.title", lang, company=company_label(company.name, company.is_us, lang)),
        t("swot.board.subtitle", lang, items=len(items), stale=stale, date=fmt_date(today, lang)),
    )
    width, height = Inches(6.2), Inches(3.0)
    origins = {"S": (0.4, 1.25), "W": (6.73, 1.25), "O": (0.4, 4.35), "T": (6.73, 4.35)}
    for quadrant, (left, top) in origins.items():
        group = [i for i in items if i.quadrant == quadrant]
        box = slide.shapes.add_shape(1, Inches(left), Inches(top), width, height)  # 1 = rectangle
        box.fill.solid()
        box.fill.fore_color.rgb = _hex(QUADRANT_FILL[quadrant])
        box.line.color.rgb = _hex(QUADRANT_ACCENT[quadrant])
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = 1  # top
        for margin in ("margin_left", "margin_right", "margin_top"):
            setattr(frame, margin, Inches(0.15))
        _paragraph(frame, quadrant_name(quadrant, lang), size=20, bold=True, color=_hex(QUADRANT_ACCENT[quadrant]),
                   first=True)
        # Many items need smaller type to stay inside the box.
        shrink = max(0, len(group) - 4) * 1
        if not group:
            _paragraph(frame, t("swot.board.empty", lang), size=13, color=GREY)
        for item in group:
            text = f"{item.label}  {item.statement}"
            if item.stale:
                text += f"  ({t('swot.board.stale_marker', lang, date=fmt_date(item.evidence_on, lang))})"
            size = max(10, FONT_BY_IMPACT.get(item.impact, 18) // 2 + 3 - shrink)
            _paragraph(frame, text, size=size, bold=item.impact >= 4, color=GREY if item.stale else TEXT, space_after=3)
    return _save(deck)


def battlecard_pptx(card: Battlecard, lang: str) -> bytes:
    """One slide: why we win, strengths to neutralise, pricing (native table), key items, evidence."""
    deck = _new_deck()
    slide = _blank_slide(deck)
    _title(
        slide,
        t("battlecard.title", lang, company=card.company.name),
        t("battlecard.subtitle", lang, us=card.us, date=fmt_date(card.as_of, lang)),
    )
    top, col_w = Inches(1.25), Inches(4.1)
    # Column 1: why we win, then their strengths with our answer.
    _, frame = _textbox(slide, Inches(0.4), top, col_w, Inches(5.9))
    _paragraph(frame, t("battlecard.why_we_win", lang), size=16, bold=True, color=US, first=True)
    if card.why_we_win.empty:
        _paragraph(frame, t("battlecard.no_talking_points", lang), size=11, color=GREY)
    for row in card.why_we_win.itertuples():
        _paragraph(frame, f"{row.our_strength} — {t('battlecard.versus', lang)} {row.their_weakness}", size=11)
    _paragraph(frame, t("battlecard.neutralise", lang), size=16, bold=True, space_after=4)
    for counter in card.neutralise:
        answer = counter.our_answer or t("battlecard.no_answer", lang)
        _paragraph(frame, f"{counter.their_strength.statement} → {answer}", size=11)
    # Column 2: pricing table and summary, then the freshest evidence.
    left2 = Inches(4.7)
    _, frame = _textbox(slide, left2, top, col_w, Inches(0.8))
    _paragraph(frame, t("battlecard.pricing", lang), size=16, bold=True, first=True)
    _paragraph(frame, price_summary(card, lang), size=11)
    rows = pricing_rows(card, lang)[:7]
    table_top = Inches(2.15)
    if rows:
        header = [t(f"battlecard.col.{c}", lang) for c in ("category", "products", "ours", "theirs", "index")]
        shape = slide.shapes.add_table(len(rows) + 1, len(header), left2, table_top, col_w, Inches(0.3 * (len(rows) + 1)))
        table = shape.table
        for c, text in enumerate(header):
            _cell(table.cell(0, c), text, bold=True)
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                _cell(table.cell(r, c), text)
    evidence_top = table_top + Inches(0.3 * (len(rows) + 1) + 0.25)
    _, frame = _textbox(slide, left2, evidence_top, col_w, Inches(7.2) - evidence_top)
    _paragraph(frame, t("battlecard.freshest", lang), size=16, bold=True, first=True)
    for item in card.freshest:
        _paragraph(frame, f"{item.statement} — {evidence_line(item, lang)}", size=10)
    # Column 3: key SWOT items per quadrant.
    _, frame = _textbox(slide, Inches(9.0), top, Inches(4.0), Inches(5.9))
    _paragraph(frame, t("battlecard.key_items", lang), size=16, bold=True, first=True)
    for quadrant, group in card.key_items.items():
        _paragraph(frame, quadrant_name(quadrant, lang), size=12, bold=True, color=_hex(QUADRANT_ACCENT[quadrant]),
                   space_after=2)
        for item in group:
            _paragraph(frame, f"{item.label} {item.statement}", size=10, space_after=2)
    _, frame = _textbox(slide, Inches(0.4), Inches(7.05), Inches(12.5), Inches(0.35))
    _paragraph(frame, t("battlecard.footer", lang, stale=card.stale, total=card.total, lost=card.lost_deals),
               size=10, color=GREY, italic=True, first=True)
    return _save(deck)


def _cell(cell, text: str, *, bold: bool = False) -> None:  # noqa: ANN001
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = xml_safe(text)
    run.font.size = Pt(10)
    run.font.bold = bold


def battlecard_markdown(card: Battlecard, lang: str) -> str:
    return xml_safe(to_markdown(card, lang))


def _save(deck: Presentation) -> bytes:
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
