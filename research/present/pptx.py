"""Decks, boards and battlecards as editable 16:9 PowerPoint files: the one PPTX toolkit.

Built on three parts: research.present.pptx_text (text that fits), .pptx_tables (tables
that read) and .pptx_charts (charts as on screen). This module lays out slides with them:
a title band, an optional subtitle, the content area and a source footnote; boxes of
text (board quadrants, battlecard sections) that flow onto continuation slides; and the
deck itself, which `pptx_bytes` writes: an opening slide, then every deck slide — a
native chart, a board, the feature matrix as a native table, a table, text — each
continued over as many slides as it needs at a readable size ("Title (2 of 3)") rather
than shrunk or cut. With `deck.appendix` (the monthly report; optional for decks) the
data behind each chart follows, one table per slide, then the decision log.

Our company is drawn in the workspace's highlight colour (`deck.highlight`) on every chart
and table. research.competitors.exports builds the SWOT board and battlecard files with
the same parts.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches

from research.charts.compare import GAP_COLOR
from research.charts.theme import US_COLOR, is_hex_color
from research.exports import xml_safe
from research.i18n import fmt_date, t
from research.present import pptx_charts, pptx_tables
from research.present.export import decision_header, decision_row, footnote, notes_text, table_cells
from research.present.model import Board, ExportDeck, ExportSlide, SlideContent
from research.present.pptx_charts import spec_rows
from research.present.pptx_tables import CellStyle, Grid
from research.present.pptx_text import (  # noqa: F401 — re-exported for research.present.images
    ELLIPSIS,
    GREY,
    TEXT,
    CutText,
    Fitted,
    Para,
    ellipsize,
    fit,
    fits,
    inner_width,
    lines_to_paras,
    rgb_color,
    set_frame,
    split,
    text_box,
    text_width,
    tint,
    wrap,
    write,
)

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in, PowerPoint's 16:9
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
TITLE_TOP, TITLE_H = Inches(0.3), Inches(0.95)
SUBTITLE_TOP = Inches(1.25)
SUBTITLE_LINE_H, SUBTITLE_TWO_LINES_H = Inches(0.4), Inches(0.64)
CONTENT_TOP_PLAIN = Inches(1.4)  # no subtitle
CONTENT_BOTTOM = Inches(6.8)
FOOT_TOP, FOOT_H = Inches(6.85), Inches(0.55)
GAP = Inches(0.15)
TITLE_SIZES = (32, 28, 24, 22, 20, 18, 16, 14)  # 14 pt: three lines hold the longest title a slide may have
SUBTITLE_SIZES = (14, 13, 12)
BODY_SIZES = (28, 24, 22, 20, 18, 16)
BOARD_SIZES = (18, 16, 15, 14, 13)  # 13 pt is ~17 px on a 1280-px-wide projector: the least a board is drawn at
CAPTION_SIZES = (16, 15, 14, 13, 12)
FOOT_SIZES = (11, 10, 9)
NOTE_SIZES = (12, 11)
TABLE_MAX_PAGES = 3  # a table slide continues over at most this many slides, then says how many rows are left
APPENDIX_MAX_PAGES = 3
TABLE_MAX_COLUMNS = 10
BOARD_ACCENT = RGBColor(0x3F, 0x6E, 0x9E)  # a board quadrant without a colour of its own
GAP_BORDER = rgb_color(GAP_COLOR)  # a feature-matrix gap: dashed, in the matrix chart's colour


# ---- files and slides ------------------------------------------------------------------------


def new_presentation() -> Any:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    return prs


def blank_slide(prs: Any) -> Any:
    return prs.slides.add_slide(prs.slide_layouts[6])


def save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def set_notes(slide: Any, text: str) -> None:
    """Speaker notes, one paragraph per line."""
    if text.strip():
        slide.notes_slide.notes_text_frame.text = xml_safe(text.strip())


def part_title(title: str, page: int, pages: int, lang: str) -> str:
    return title if pages <= 1 else f"{title} {t('present.deckfile.page', lang, page=page, pages=pages)}"


def add_title(slide: Any, text: str, cut: CutText) -> None:
    fitted = text_box(slide, MARGIN, TITLE_TOP, CONTENT_W, TITLE_H, [Para(text, bold=True)], TITLE_SIZES,
                      anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [text])


def subtitle_height(text: str) -> int:
    """One line when the subtitle fits one at its full size, else room for two."""
    if fits([Para(text, color=GREY)], CONTENT_W, SUBTITLE_LINE_H, SUBTITLE_SIZES[0]):
        return SUBTITLE_LINE_H
    return SUBTITLE_TWO_LINES_H


def add_subtitle(slide: Any, text: str, cut: CutText) -> int:
    """The subtitle under the title; returns where the content area starts."""
    if not text:
        return CONTENT_TOP_PLAIN
    height = subtitle_height(text)
    fitted = text_box(slide, MARGIN, SUBTITLE_TOP, CONTENT_W, height, [Para(text, color=GREY)], SUBTITLE_SIZES,
                      name="Subtitle")
    cut.add(fitted, [text])
    return SUBTITLE_TOP + height + Inches(0.1)


def add_footnote(slide: Any, text: str, cut: CutText) -> None:
    fitted = text_box(slide, MARGIN, FOOT_TOP, CONTENT_W, FOOT_H, [Para(text, color=GREY)], FOOT_SIZES,
                      name="Footnote")
    cut.add(fitted, [text])


def add_note(slide: Any, text: str, bottom: int, cut: CutText, name: str = "Note") -> int:
    """A grey line just above `bottom` (rows left off, …); returns the new bottom of the content."""
    height = Inches(0.38)
    fitted = text_box(slide, MARGIN, bottom - height, CONTENT_W, height, [Para(text, color=GREY)], NOTE_SIZES,
                      name=name)
    cut.add(fitted, [text])
    return bottom - height - Inches(0.05)


def caption_height(text: str) -> int:
    """Room for a caption under a chart: as many lines as it needs at 14 pt, at most three."""
    paras = lines_to_paras(text)
    for lines in (1, 2, 3):
        height = Inches(0.18) + int(Inches(0.235) * lines)
        if fits(paras, CONTENT_W, height, 14):
            return height
    return Inches(0.18) + int(Inches(0.235) * 3)


# ---- boxes of text that flow onto continuation slides ----------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle of text: a heading, then items; on a continuation slide the items left over."""

    left: int
    top: int
    width: int
    height: int
    heading: Para | None = None
    items: tuple[Para, ...] = ()
    empty: Para | None = None  # shown when there are no items at all
    fill: RGBColor | None = None
    line: RGBColor | None = None
    name: str = "Text"


@dataclass
class Flow:
    """Boxes laid out over one or more slides at one type size: pages[page] = [(box, items on it), …]."""

    size: float
    pages: list[list[tuple[Box, tuple[Para, ...]]]] = field(default_factory=list)


def box_paras(box: Box, items: Sequence[Para]) -> list[Para]:
    """What a box shows: its heading, then `items` (or its `empty` line)."""
    shown = list(items) or ([box.empty] if box.empty is not None else [])
    return ([box.heading] if box.heading is not None else []) + shown


Relayout = Callable[[int], list[tuple[int, int, int, int]]]  # count -> rectangles for a continuation slide


def flow(boxes: Sequence[Box], sizes: Sequence[float], relayout: Relayout | None = None) -> Flow:
    """The largest size at which every box holds all its items; else the smallest, continued over slides.

    On a continuation slide only the boxes with items left are drawn, re-laid over the
    whole area by `relayout` (two quadrants left: two full-height columns), their headings
    repeated.
    """
    for size in sizes:
        if all(fits(box_paras(b, b.items), b.width, b.height, size) for b in boxes):
            return Flow(size, [[(b, tuple(b.items)) for b in boxes]])
    size = sizes[-1]
    pending = [(b, list(b.items)) for b in boxes]
    pages: list[list[tuple[Box, tuple[Para, ...]]]] = []
    while pending:
        if pages and relayout is not None:
            pending = [(replace(b, left=r[0], top=r[1], width=r[2], height=r[3]), rest)
                       for (b, rest), r in zip(pending, relayout(len(pending)))]
        page: list[tuple[Box, tuple[Para, ...]]] = []
        left_over: list[tuple[Box, list[Para]]] = []
        for box, rest in pending:
            keep = 1 if box.heading is not None else 0
            taken, remaining = split(box_paras(box, rest), box.width, box.height, size, keep=keep)
            page.append((box, tuple(taken[keep:]) if rest else ()))
            if remaining:
                left_over.append((box, remaining))
        pages.append(page)
        pending = left_over
    return Flow(size, pages)


def draw_box(slide: Any, box: Box, items: tuple[Para, ...], size: float, cut: CutText) -> None:
    """One box with its heading and `items` at `size` (cut with an ellipsis only if a single item is taller)."""
    paras = box_paras(box, items)
    if box.fill is not None or box.line is not None:
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, box.left, box.top, box.width, box.height)
        if box.fill is not None:
            shape.fill.solid()
            shape.fill.fore_color.rgb = box.fill
        else:
            shape.fill.background()
        if box.line is not None:
            shape.line.color.rgb = box.line
        else:
            shape.line.fill.background()
        shape.shadow.inherit = False
    else:
        shape = slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
    shape.name = box.name[:60]
    frame = shape.text_frame
    set_frame(frame)
    fitted = fit(paras, box.width, box.height, (size,))
    write(frame, fitted, PP_ALIGN.LEFT)  # a shape's text is centred unless told otherwise
    cut.add(fitted, [p.text for p in paras])


def grid_boxes(count: int, top: int, bottom: int, *, left: int = MARGIN, width: int = CONTENT_W,
               split_x: float = 0.5, split_y: float = 0.5) -> list[tuple[int, int, int, int]]:
    """(left, top, width, height) of `count` boxes: 2×2 for four (column and row split at `split_x`,
    `split_y` of the area), otherwise side-by-side columns of equal width."""
    if count == 4:
        widths = [int((width - GAP) * split_x), 0]
        widths[1] = width - GAP - widths[0]
        heights = [int((bottom - top - GAP) * split_y), 0]
        heights[1] = bottom - top - GAP - heights[0]
        return [(left + (0 if c == 0 else widths[0] + GAP), top + (0 if r == 0 else heights[0] + GAP), widths[c],
                 heights[r]) for r in (0, 1) for c in (0, 1)]
    cols = max(1, min(count, 4))
    rows = math.ceil(count / cols) if count else 1
    box_w = (width - GAP * (cols - 1)) // cols
    box_h = (bottom - top - GAP * (rows - 1)) // rows
    out = []
    for i in range(count):
        r, c = divmod(i, cols)
        out.append((left + c * (box_w + GAP), top + r * (box_h + GAP), box_w, box_h))
    return out


# 2×2 splits tried in turn: even first, then more room for the fuller row or column.
SPLITS = ((0.5, 0.5), (0.5, 0.4), (0.5, 0.6), (0.42, 0.5), (0.58, 0.5), (0.42, 0.4), (0.58, 0.4), (0.42, 0.6),
          (0.58, 0.6), (0.5, 0.32), (0.5, 0.68))


def fitted_boxes(boxes: Sequence[Box], top: int, bottom: int, sizes: Sequence[float]) -> Flow:
    """Boxes on one slide at the largest size any layout allows (a 2×2 tries uneven splits), else flowed
    over continuation slides at the smallest size."""
    candidates = [boxes]
    if len(boxes) == 4:
        candidates = [[replace(b, left=r[0], top=r[1], width=r[2], height=r[3])
                       for b, r in zip(boxes, grid_boxes(4, top, bottom, split_x=x, split_y=y))] for x, y in SPLITS]
    for size in sizes:
        for laid in candidates:
            if all(fits(box_paras(b, b.items), b.width, b.height, size) for b in laid):
                return Flow(size, [[(b, tuple(b.items)) for b in laid]])
    return flow(boxes, sizes[-1:], lambda n: grid_boxes(n, top, bottom))


def board_boxes(quadrants: Sequence[tuple[str, Sequence[Para]]], colors: Sequence[str | None], top: int, bottom: int,
                lang: str) -> list[Box]:
    """Board quadrants as coloured boxes (heading in the quadrant's colour, a light fill of it)."""
    boxes = []
    for i, ((heading, items), rect) in enumerate(zip(quadrants, grid_boxes(len(quadrants), top, bottom))):
        accent = rgb_color(colors[i] if i < len(colors) else None, default=BOARD_ACCENT)
        boxes.append(Box(
            *rect, heading=Para(heading, bold=True, color=accent, scale=1.2, space_after=0.3), items=tuple(items),
            empty=Para(t("present.deckfile.empty_quadrant", lang), color=GREY), fill=tint(accent), line=accent,
            name=f"Board {heading}",
        ))
    return boxes


def flow_slides(prs: Any, laid: Flow, title: str, subtitle: str, lang: str, *, foot: str = "",
                first: Callable[[Any, CutText], None] | None = None) -> None:
    """One slide per page of `laid` under `title` ("(1 of 2)" when continued) and `subtitle`;
    `first` draws anything else the first slide holds (a table, say)."""
    for number, page in enumerate(laid.pages, start=1):
        slide = blank_slide(prs)
        cut = CutText(lang)
        add_title(slide, part_title(title, number, len(laid.pages), lang), cut)
        add_subtitle(slide, subtitle, cut)
        for box, items in page:
            draw_box(slide, box, items, laid.size, cut)
        if first is not None and number == 1:
            first(slide, cut)
        if foot:
            add_footnote(slide, foot, cut)
        set_notes(slide, "\n".join(cut.parts))


def content_top(subtitle: str) -> int:
    """Where the content area starts under the title and `subtitle`."""
    return CONTENT_TOP_PLAIN if not subtitle else SUBTITLE_TOP + subtitle_height(subtitle) + Inches(0.1)


# ---- the deck ------------------------------------------------------------------------------

Drawer = Callable[[Any, int, int, CutText], None]  # (slide, top, bottom, cut) -> draws one page of a body


def highlight_of(deck: ExportDeck) -> str:
    return deck.highlight if is_hex_color(deck.highlight) else US_COLOR


def pptx_bytes(deck: ExportDeck) -> bytes:
    """The whole deck as a .pptx file."""
    prs = new_presentation()
    _opening_slide(prs, deck)
    for item in deck.slides:
        _content_slides(prs, deck, item)
    if deck.appendix:
        for item in deck.slides:
            _appendix_slides(prs, deck, item)
    if deck.appendix or deck.decisions:
        _decision_log_slides(prs, deck)
    return save(prs)


def _opening_slide(prs: Any, deck: ExportDeck) -> None:
    slide = blank_slide(prs)
    lang = deck.language
    cut = CutText(lang)
    fitted = text_box(slide, Inches(1), Inches(1.6), SLIDE_W - Inches(2), Inches(2.2), [Para(deck.name, bold=True)],
                      (44, 40, 36, 32, 28, 24), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [deck.name])
    lines = [Para(line, color=TEXT) for line in deck.subtitle.split("\n") if line.strip()]
    lines.append(Para(t("present.deckfile.workspace_date", lang, workspace=deck.workspace,
                        date=fmt_date(deck.generated_at.date(), lang)), color=GREY, scale=0.8))
    lines.append(Para(t("present.deckfile.slide_count", lang, count=len(deck.slides)), color=GREY, scale=0.8))
    fitted = text_box(slide, Inches(1), Inches(4.0), SLIDE_W - Inches(2), Inches(2.6), lines, (24, 22, 20, 18, 16),
                      align=PP_ALIGN.CENTER, name="Subtitle")
    cut.add(fitted, [p.text for p in lines])
    set_notes(slide, "\n".join(cut.parts))


def _content_slides(prs: Any, deck: ExportDeck, item: ExportSlide) -> None:
    content = item.content
    lang = deck.language
    if item.kind == "title":
        slide = blank_slide(prs)
        cut = CutText(lang)
        _section_slide(slide, content, cut)
        add_footnote(slide, footnote(deck, content), cut)
        set_notes(slide, notes_text(deck, item, lambda: cut.parts))
        return
    top = content_top(content.subtitle)
    caption = content.text if content.text and _has_visual(content) and not content.missing else ""
    bottom = CONTENT_BOTTOM - (caption_height(caption) + Inches(0.05) if caption else 0)
    pages = _body_pages(deck, content, top, bottom)
    for number, draw in enumerate(pages, start=1):
        slide = blank_slide(prs)
        cut = CutText(lang)
        add_title(slide, part_title(content.title, number, len(pages), lang), cut)
        add_subtitle(slide, content.subtitle, cut)
        if caption and number == 1:
            height = caption_height(caption)
            fitted = text_box(slide, MARGIN, CONTENT_BOTTOM - height, CONTENT_W, height, lines_to_paras(caption),
                              CAPTION_SIZES, name="Caption")
            cut.add(fitted, [caption])
        draw(slide, top, bottom, cut)
        add_footnote(slide, footnote(deck, content), cut)
        if number == 1:
            set_notes(slide, notes_text(deck, item, lambda: cut.parts))
        else:
            set_notes(slide, "\n".join(cut.parts))


def _has_visual(content: SlideContent) -> bool:
    return content.native is not None or content.chart is not None or content.board is not None \
        or (content.table is not None and not content.table.empty)


def _section_slide(slide: Any, content: SlideContent, cut: CutText) -> None:
    fitted = text_box(slide, Inches(1), Inches(1.4), SLIDE_W - Inches(2), Inches(2.6), [Para(content.title, bold=True)],
                      (40, 36, 32, 28, 24, 20, 18), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [content.title])
    if content.text:
        fitted = text_box(slide, Inches(1.5), Inches(4.2), SLIDE_W - Inches(3), Inches(2.5),
                          lines_to_paras(content.text, GREY), (24, 20, 18, 16, 14), align=PP_ALIGN.CENTER,
                          name="Text")
        cut.add(fitted, [content.text])


def _body_pages(deck: ExportDeck, content: SlideContent, top: int, bottom: int) -> list[Drawer]:
    """How the slide's content is drawn, one drawer per slide it takes."""
    lang = deck.language
    highlight = highlight_of(deck)
    if content.missing:
        message = content.text or t("present.data_gone", lang)

        def missing(slide: Any, top: int, bottom: int, cut: CutText) -> None:
            text_box(slide, MARGIN, top, CONTENT_W, bottom - top, [Para(message, bold=True, color=GREY)], (32, 28, 24),
                     align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="Missing")

        return [missing]
    # Editable first: a native chart, the feature matrix as a table, a board as shapes, then a picture.
    native = content.native if pptx_charts.drawable(content.native) else None
    if native is not None:
        return [lambda slide, top, bottom, cut: pptx_charts.native_chart(
            slide, native, content.chart, MARGIN, top, CONTENT_W, bottom - top, highlight=highlight)]
    if content.board is not None:
        grid = matrix_grid(content.board, content.chart, highlight)
        if grid is not None:
            return _grid_pages(grid, top, bottom, lang, max_pages=None)
        return _board_pages(content.board, content.chart, top, bottom, lang)
    if content.chart is not None:
        spec = content.chart
        return [lambda slide, top, bottom, cut: pptx_charts.picture(
            slide, spec, MARGIN, top, CONTENT_W, bottom - top, highlight=highlight)]
    if content.table is not None and not content.table.empty:
        header, rows = table_cells(content.table, lang, TABLE_MAX_COLUMNS)
        return _grid_pages(Grid.plain(header, rows), top, bottom, lang, max_pages=TABLE_MAX_PAGES)
    if content.text:
        return _text_pages(content.text, top, bottom)
    return [lambda slide, top, bottom, cut: None]


def _text_pages(text: str, top: int, bottom: int) -> list[Drawer]:
    paras = lines_to_paras(text)
    for size in BODY_SIZES:
        if fits(paras, CONTENT_W, bottom - top, size):
            return [_text_drawer(paras, size)]
    size = BODY_SIZES[-1]
    pages: list[Drawer] = []
    rest = paras
    while rest:
        taken, rest = split(rest, CONTENT_W, bottom - top, size)
        pages.append(_text_drawer(taken, size))
    return pages


def _text_drawer(paras: Sequence[Para], size: float) -> Drawer:
    def draw(slide: Any, top: int, bottom: int, cut: CutText) -> None:
        fitted = text_box(slide, MARGIN, top, CONTENT_W, bottom - top, paras, (size,), name="Text")
        cut.add(fitted, [p.text for p in paras])

    return draw


def _board_pages(board: Board, spec: dict[str, Any] | None, top: int, bottom: int, lang: str) -> list[Drawer]:
    quadrants = [(heading, board_paras(lines, spec)) for heading, lines in board.quadrants]
    boxes = board_boxes(quadrants, board.colors, top, bottom, lang)
    laid = fitted_boxes(boxes, top, bottom, BOARD_SIZES)

    def drawer(page: list[tuple[Box, tuple[Para, ...]]]) -> Drawer:
        def draw(slide: Any, top: int, bottom: int, cut: CutText) -> None:
            for box, items in page:
                draw_box(slide, box, items, laid.size, cut)

        return draw

    return [drawer(page) for page in laid.pages]


# ---- what the on-screen chart adds to a board ------------------------------------------------

_SPACES = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def screen_lines(spec: dict[str, Any] | None) -> list[tuple[str, bool, bool]]:
    """The items of a board chart as the screen words them: (text, stale, bold).

    The SWOT board chart (research.charts.competitors.board_lines) draws each item as
    wrapped lines — label, statement and, for a stale item, its "(stale, date)" marker —
    flagged `first`, `stale` and `bold`; the lines of an item are joined back here.
    """
    items: list[tuple[str, bool, bool]] = []
    for row in spec_rows(spec):
        if not {"quadrant", "text", "first", "stale"} <= set(row):
            continue
        if row["first"] or not items:
            items.append((str(row["text"]), bool(row["stale"]), bool(row.get("bold"))))
        else:
            text, stale, bold = items[-1]
            items[-1] = (f"{text} {row['text']}", stale, bold)
    return [(_squeeze(text), stale, bold) for text, stale, bold in items]


def board_paras(lines: Sequence[str], spec: dict[str, Any] | None) -> list[Para]:
    """A quadrant's lines as bullet paragraphs; a line the screen marks stale keeps its marker and is grey."""
    shown = screen_lines(spec)
    out = []
    for line in lines:
        wanted = _squeeze(line)
        match = next((s for s in shown if s[0] == wanted or s[0].startswith(wanted + " ")), None) if wanted else None
        if match is not None and match[1]:
            out.append(Para(f"• {match[0]}", color=GREY, bold=match[2]))
        else:
            out.append(Para(f"• {line}", bold=bool(match and match[2])))
    return out


# ---- the feature matrix as a table ---------------------------------------------------------


def matrix_grid(board: Board, spec: dict[str, Any] | None, highlight: str) -> Grid | None:
    """A feature-matrix board as a table, our column first, cells marked as on screen; None for other boards.

    The matrix chart (research.charts.compare.feature_matrix_chart) holds one row per
    feature × company with its category, value label, `is_us` and `edge`: an `advantage`
    cell (we offer more) is outlined solid in our colour, a `gap` dashed; cells are
    filled in the chart's value colours.
    """
    rows = [r for r in spec_rows(spec) if {"feature", "company_label", "value_label", "edge", "is_us"} <= set(r)]
    if not rows or len(board.quadrants) < 2:
        return None
    first_heading, features = board.quadrants[0]
    companies = [heading for heading, _ in board.quadrants[1:]]
    ours = {r["company_label"] for r in rows if r["is_us"]}
    companies = [c for c in companies if c in ours] + [c for c in companies if c not in ours]
    cells = {(r["feature"], r["company_label"]): r for r in rows}
    shown = {heading: lines for heading, lines in board.quadrants[1:]}
    fills = pptx_charts.category_colours(spec)
    category = {r["feature"]: str(r.get("category") or "") for r in rows}
    grouped = len({category.get(f, "") for f in features}) > 1
    out_rows: list[tuple[str, ...]] = []
    styles: dict[tuple[int, int], CellStyle] = {}
    groups: set[int] = set()
    current = None
    us_rgb = rgb_color(highlight)
    for f_index, feature in enumerate(features):
        if grouped and category.get(feature, "") != current:
            current = category.get(feature, "")
            groups.add(len(out_rows))
            out_rows.append((current or "–",) + ("",) * len(companies))
        r = len(out_rows)
        texts = [feature]
        for c, company in enumerate(companies, start=1):
            row = cells.get((feature, company))
            if row:
                text = str(row["value_label"])
            else:  # a pair the chart has no row for: what the board says
                text = shown[company][f_index] if f_index < len(shown[company]) else "–"
            texts.append(text)
            fill = rgb_color(fills.get(text), default=RGBColor(0xFF, 0xFF, 0xFF)) if row else None
            edge = row.get("edge") if row else ""
            if edge == "advantage":
                styles[(r, c)] = CellStyle(fill=fill, bold=True, border=us_rgb, border_pt=3.0)
            elif edge == "gap":
                styles[(r, c)] = CellStyle(fill=fill, border=GAP_BORDER, border_pt=2.0, dashed=True)
            elif fill is not None:
                styles[(r, c)] = CellStyle(fill=fill, bold=company in ours)
        out_rows.append(tuple(texts))
    header_styles = {c: CellStyle(color=us_rgb) for c, company in enumerate(companies, start=1) if company in ours}
    return Grid((first_heading, *companies), tuple(out_rows), styles, header_styles, frozenset(groups), lined=True)


# ---- tables ------------------------------------------------------------------------------


def _grid_pages(grid: Grid, top: int, bottom: int, lang: str, *, max_pages: int | None) -> list[Drawer]:
    """A table over as many slides as it needs (at most `max_pages`, then a note says how many rows are shown)."""
    area = bottom - top
    lay, pages = pptx_tables.fewest_pages(grid, CONTENT_W, area)
    note = ""
    if max_pages is not None and len(pages) > max_pages:
        pages = pptx_tables.paginate(grid, lay, area - Inches(0.45), max_pages=max_pages)
        shown = sum(1 for page in pages for i in page if i not in grid.group_rows)
        total = sum(1 for i in range(len(grid.rows)) if i not in grid.group_rows)
        note = t("present.deckfile.appendix_cut", lang, shown=shown, total=total)
    pages = pages or [[]]

    def drawer(rows: list[int], last: bool) -> Drawer:
        def draw(slide: Any, top: int, bottom: int, cut: CutText) -> None:
            pptx_tables.draw(slide, grid, lay, rows, MARGIN, top)
            if note and last:
                add_note(slide, note, bottom, cut, name="Rows")

        return draw

    return [drawer(rows, i == len(pages) - 1) for i, rows in enumerate(pages)]


# ---- appendix ----------------------------------------------------------------------------


def _table_slides(prs: Any, deck: ExportDeck, title: str, grid: Grid, source: SlideContent,
                  max_pages: int | None) -> None:
    lang = deck.language
    pages = _grid_pages(grid, CONTENT_TOP_PLAIN, CONTENT_BOTTOM, lang, max_pages=max_pages)
    for number, draw in enumerate(pages, start=1):
        slide = blank_slide(prs)
        cut = CutText(lang)
        add_title(slide, part_title(title, number, len(pages), lang), cut)
        draw(slide, CONTENT_TOP_PLAIN, CONTENT_BOTTOM, cut)
        add_footnote(slide, footnote(deck, source), cut)
        set_notes(slide, "\n".join(cut.parts))


def _appendix_slides(prs: Any, deck: ExportDeck, item: ExportSlide) -> None:
    """The data behind a chart slide: one table, over at most APPENDIX_MAX_PAGES slides."""
    content = item.content
    if content.missing or (content.native is None and content.chart is None):
        return
    if content.table is None or content.table.empty:
        return
    header, rows = table_cells(content.table, deck.language, TABLE_MAX_COLUMNS)
    title = t("present.deckfile.appendix", deck.language, title=content.title)
    _table_slides(prs, deck, title, Grid.plain(header, rows), content, APPENDIX_MAX_PAGES)


def _decision_log_slides(prs: Any, deck: ExportDeck) -> None:
    lang = deck.language
    title = t("present.deckfile.decision_log", lang)
    source = SlideContent(title=title)
    if not deck.decisions:
        slide = blank_slide(prs)
        cut = CutText(lang)
        add_title(slide, title, cut)
        text_box(slide, MARGIN, CONTENT_TOP_PLAIN, CONTENT_W, Inches(1),
                 [Para(t("present.deckfile.no_decisions", lang), color=GREY)], (20, 18), name="Text")
        add_footnote(slide, footnote(deck, source), cut)
        return
    rows = [decision_row(line, lang) for line in deck.decisions]
    _table_slides(prs, deck, title, Grid.plain(decision_header(lang), rows), source, None)
