"""A deck as an editable 16:9 PowerPoint file (python-pptx).

One slide per deck slide after an opening title slide; bar, line, pie and scatter data
become native PowerPoint charts (editable, with the workspace's colours), other charts
a 2× PNG; boards are coloured text shapes, tables native tables. Every slide carries a
source footnote and speaker notes; an appendix holds the data behind each chart and the
decision log.

Text never runs off a slide: every text box is measured before it is filled (with the
metrics of DejaVu Sans, which is wider than Arial, so the estimate errs on the safe
side), the type steps down until the text fits, and text that still does not fit is cut
with an ellipsis and given in full in the speaker notes. All runs use Arial, which has
Cyrillic glyphs in Office and maps to the metric-compatible Liberation Sans in LibreOffice.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from research.charts.theme import COMPETITOR_COLORS, US_COLOR, is_hex_color
from research.exports import chart_bytes, neutralise, xml_safe
from research.i18n import fmt_date, t
from research.present.export import (
    decision_header,
    decision_row,
    footnote,
    notes_text,
    table_cells,
)
from research.present.model import Board, ExportDeck, ExportSlide, NativeChart, SlideContent

FONT = "Arial"
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in, PowerPoint's 16:9
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
TITLE_TOP, TITLE_H = Inches(0.3), Inches(0.95)
SUBTITLE_TOP, SUBTITLE_H = Inches(1.25), Inches(0.4)
CONTENT_TOP, CONTENT_BOTTOM = Inches(1.75), Inches(6.8)
FOOT_TOP, FOOT_H = Inches(6.95), Inches(0.4)
TITLE_SIZES = (32, 28, 24, 22, 20, 18, 16)
BODY_SIZES = (24, 22, 20, 18, 16, 14, 13, 12)
BOARD_SIZES = (16, 15, 14, 13, 12, 11, 10)
FOOT_SIZES = (11, 10, 9)
CHART_FONT_PT = 14
TABLE_ROWS_ON_SLIDE = 12
APPENDIX_MAX_ROWS = 120
TABLE_MAX_COLUMNS = 10
CELL_MAX_CHARS = 160
LINE_HEIGHT = 1.2  # a line of type takes 1.2× its size (PowerPoint and LibreOffice use ~1.15–1.17 for Arial)
INSET = Inches(0.08)
TEXT = RGBColor(0x1F, 0x29, 0x33)
GREY = RGBColor(0x52, 0x60, 0x6D)
HEADER_FILL = RGBColor(0xE9, 0xEC, 0xEF)
BOARD_ACCENT = RGBColor(0x3F, 0x6E, 0x9E)  # a board quadrant without a colour of its own
ELLIPSIS = "…"
_NATIVE_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "pie": XL_CHART_TYPE.PIE,
    "scatter": XL_CHART_TYPE.XY_SCATTER,
}


# ---- measuring text ----------------------------------------------------------------------

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts", "/Library/Fonts")


@lru_cache(maxsize=2)
def _metrics_font(bold: bool) -> Any:
    """DejaVu Sans at 100 px for measuring, or None (then a conservative per-character estimate)."""
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return ImageFont.truetype(str(path), 100)
    return None


@lru_cache(maxsize=20_000)
def _em_width(text: str, bold: bool) -> float:
    """Width of `text` in ems (multiply by the type size in points for points)."""
    font = _metrics_font(bold)
    if font is None:
        return len(text) * (0.68 if bold else 0.62)
    return font.getlength(text) / 100


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Points `text` takes at `size` pt (sum of word widths; a little generous)."""
    words = text.split(" ")
    return (sum(_em_width(w, bold) for w in words) + _em_width(" ", bold) * (len(words) - 1)) * size


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Lines `text` wraps into in a box `width` pt wide (words longer than a line are broken)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while text_width(word, size, bold) > width and len(word) > 1:
                cut = max(1, _fitting_prefix(word, size, width, bold))
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _fitting_prefix(word: str, size: float, width: float, bold: bool) -> int:
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(word[:mid], size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    color: RGBColor = TEXT
    scale: float = 1.0  # size relative to the box's base size
    space_after: float = 0.25  # in lines of the base size


@dataclass(frozen=True)
class Fitted:
    size: int
    paras: tuple[Para, ...]  # possibly cut, with an ellipsis
    truncated: bool


def fit(paras: Sequence[Para], width: Emu, height: Emu, sizes: Sequence[int]) -> Fitted:
    """The largest size in `sizes` at which `paras` fit the box; at the smallest, cut with an ellipsis."""
    w = Emu(width - 2 * INSET).pt * 0.96  # a 4 % reserve for renderer differences
    h = Emu(height - 2 * INSET).pt
    for size in sizes:
        if _height(paras, size, w) <= h:
            return Fitted(size, tuple(paras), False)
    size = sizes[-1]
    kept: list[Para] = []
    used = 0.0
    for para in paras:
        psize = size * para.scale
        lines = wrap(para.text, psize, w, para.bold)
        room = int((h - used) // (psize * LINE_HEIGHT))
        if room >= len(lines):
            kept.append(para)
            used += len(lines) * psize * LINE_HEIGHT + para.space_after * size
            continue
        if room > 0:
            shown = lines[:room]
            shown[-1] = ellipsize(shown[-1], psize, w, para.bold)
            kept.append(Para(" ".join(shown), para.bold, para.color, para.scale, para.space_after))
        elif kept:
            last_para = kept[-1]
            kept[-1] = Para(_ellipsize_last_line(last_para, size, w), last_para.bold, last_para.color,
                            last_para.scale, last_para.space_after)
        break
    return Fitted(size, tuple(kept), True)


def _ellipsize_last_line(para: Para, size: int, width: float) -> str:
    psize = size * para.scale
    lines = wrap(para.text, psize, width, para.bold)
    lines[-1] = ellipsize(lines[-1], psize, width, para.bold)
    return " ".join(lines)


def ellipsize(text: str, size: float, width: float, bold: bool = False) -> str:
    """`text` shortened until it and an ellipsis fit in `width` pt."""
    while text and text_width(text + ELLIPSIS, size, bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _height(paras: Sequence[Para], size: int, width: float) -> float:
    total = 0.0
    for i, para in enumerate(paras):
        psize = size * para.scale
        total += len(wrap(para.text, psize, width, para.bold)) * psize * LINE_HEIGHT
        if i < len(paras) - 1:
            total += para.space_after * size
    return total


# ---- shapes and text ---------------------------------------------------------------------


def rgb_color(color: str | None, default: RGBColor = TEXT) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper()) if is_hex_color(color) else default


def tint(color: RGBColor, amount: float = 0.86) -> RGBColor:
    """`color` mixed with white (`amount` of white)."""
    return RGBColor(*(round(c + (255 - c) * amount) for c in color))


def _run_font(run: Any, size: float, *, bold: bool = False, color: RGBColor = TEXT, italic: bool = False) -> None:
    font = run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = color


def _frame(frame: Any, *, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = INSET


def _write(frame: Any, fitted: Fitted, align: PP_ALIGN | None = None) -> None:
    """Put fitted paragraphs into a text frame (explicit font and size on every run)."""
    for i, para in enumerate(fitted.paras):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        paragraph.space_after = Pt(para.space_after * fitted.size)
        paragraph.line_spacing = 1.0
        run = paragraph.add_run()
        run.text = xml_safe(para.text)
        _run_font(run, fitted.size * para.scale, bold=para.bold, color=para.color)


def _text_box(
    slide: Any, left: Emu, top: Emu, width: Emu, height: Emu, paras: Sequence[Para], sizes: Sequence[int],
    *, align: PP_ALIGN | None = None, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP, name: str = "",
) -> Fitted:
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    _frame(box.text_frame, anchor=anchor)
    fitted = fit(paras, width, height, sizes)
    _write(box.text_frame, fitted, align)
    return fitted


class _Cut:
    """Collects text that had to be shortened on a slide, for the speaker notes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.parts: list[str] = []

    def add(self, fitted: Fitted, full: Iterable[str]) -> None:
        if fitted.truncated:
            self.parts.append(t("present.deckfile.full_text", self.lang) + "\n" + "\n".join(full))


# ---- the deck ------------------------------------------------------------------------------


def pptx_bytes(deck: ExportDeck) -> bytes:
    """The whole deck as a .pptx file."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _opening_slide(prs, deck)
    for slide in deck.slides:
        _content_slide(prs, deck, slide)
    for slide in deck.slides:
        _appendix_slides(prs, deck, slide)
    _decision_log_slides(prs, deck)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _blank(prs: Any) -> Any:
    return prs.slides.add_slide(prs.slide_layouts[6])


def _set_notes(slide: Any, text: str) -> None:
    if text:
        slide.notes_slide.notes_text_frame.text = xml_safe(text)


def _title(slide: Any, text: str, cut: _Cut) -> None:
    fitted = _text_box(slide, MARGIN, TITLE_TOP, CONTENT_W, TITLE_H, [Para(text, bold=True)], TITLE_SIZES,
                       anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [text])


def _footnote(slide: Any, text: str) -> None:
    _text_box(slide, MARGIN, FOOT_TOP, CONTENT_W, FOOT_H, [Para(text, color=GREY)], FOOT_SIZES, name="Footnote")


def _opening_slide(prs: Any, deck: ExportDeck) -> None:
    slide = _blank(prs)
    lang = deck.language
    cut = _Cut(lang)
    fitted = _text_box(slide, Inches(1), Inches(1.8), SLIDE_W - Inches(2), Inches(2.0), [Para(deck.name, bold=True)],
                       (44, 40, 36, 32, 28, 24), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [deck.name])
    lines = [Para(deck.subtitle, color=TEXT)] if deck.subtitle else []
    lines.append(Para(t("present.deckfile.workspace_date", lang, workspace=deck.workspace,
                        date=fmt_date(deck.generated_at.date(), lang)), color=GREY, scale=0.8))
    lines.append(Para(t("present.deckfile.slide_count", lang, count=len(deck.slides)), color=GREY, scale=0.8))
    fitted = _text_box(slide, Inches(1), Inches(4.0), SLIDE_W - Inches(2), Inches(2.4), lines, (24, 22, 20, 18, 16),
                       align=PP_ALIGN.CENTER, name="Subtitle")
    cut.add(fitted, [p.text for p in lines])
    _set_notes(slide, "\n".join(cut.parts))


def _content_slide(prs: Any, deck: ExportDeck, item: ExportSlide) -> None:
    slide = _blank(prs)
    content = item.content
    cut = _Cut(deck.language)
    if item.kind == "title":
        _section_slide(slide, content, cut)
    else:
        _title(slide, content.title, cut)
        top = CONTENT_TOP
        if content.subtitle:
            fitted = _text_box(slide, MARGIN, SUBTITLE_TOP, CONTENT_W, SUBTITLE_H, [Para(content.subtitle, color=GREY)],
                               (16, 14, 12), name="Subtitle")
            cut.add(fitted, [content.subtitle])
        _body(slide, deck, item, top, cut)
    _footnote(slide, footnote(deck, content))
    _set_notes(slide, notes_text(deck, item, lambda: cut.parts))


def _section_slide(slide: Any, content: SlideContent, cut: _Cut) -> None:
    fitted = _text_box(slide, Inches(1), Inches(1.6), SLIDE_W - Inches(2), Inches(2.4),
                       [Para(content.title, bold=True)],
                       (40, 36, 32, 28, 24, 20), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.BOTTOM, name="Title")
    cut.add(fitted, [content.title])
    if content.text:
        fitted = _text_box(slide, Inches(1.5), Inches(4.2), SLIDE_W - Inches(3), Inches(2.4),
                           _paras(content.text, GREY), (24, 20, 18, 16, 14), align=PP_ALIGN.CENTER, name="Text")
        cut.add(fitted, [content.text])


def _paras(text: str, color: RGBColor = TEXT) -> list[Para]:
    return [Para(line, color=color) for line in text.strip().split("\n")]


def _body(slide: Any, deck: ExportDeck, item: ExportSlide, top: Emu, cut: _Cut) -> None:
    content = item.content
    bottom = CONTENT_BOTTOM
    if content.missing:
        message = content.text or t("present.data_gone", deck.language)
        _text_box(slide, MARGIN, top, CONTENT_W, bottom - top, [Para(message, bold=True, color=GREY)], (32, 28, 24),
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="Missing")
        return
    has_visual = content.native is not None or content.chart is not None or content.board is not None \
        or (content.table is not None and not content.table.empty)
    if content.text and has_visual:
        caption_h = Inches(0.6)
        fitted = _text_box(slide, MARGIN, bottom - caption_h, CONTENT_W, caption_h, _paras(content.text), (16, 14, 12),
                           name="Caption")
        cut.add(fitted, [content.text])
        bottom -= caption_h + Inches(0.05)
    # Editable first: a native chart, then a board as shapes, and only then a picture of the chart.
    native = content.native if _drawable(content.native) else None
    if native is not None:
        _native_chart(slide, native, content.chart, MARGIN, top, CONTENT_W, bottom - top)
    elif content.board is not None:
        _board(slide, content.board, top, bottom, cut, deck.language)
    elif content.chart is not None:
        _picture(slide, content.chart, MARGIN, top, CONTENT_W, bottom - top)
    elif content.table is not None and not content.table.empty:
        header, rows = table_cells(content.table, deck.language, TABLE_MAX_COLUMNS)
        size = _table_font(len(header))
        pages = _paginate(header, rows, CONTENT_W, bottom - top - Inches(0.4), size, limit=TABLE_ROWS_ON_SLIDE)
        shown = pages[0] if pages else []
        _table(slide, header, shown, MARGIN, top, CONTENT_W, size)
        if len(shown) < len(rows):
            _text_box(slide, MARGIN, bottom - Inches(0.35), CONTENT_W, Inches(0.35),
                      [Para(t("present.deckfile.rows_shown", deck.language, shown=len(shown), total=len(rows)),
                            color=GREY)], (11, 10), name="Rows")
    elif content.text:
        fitted = _text_box(slide, MARGIN, top, CONTENT_W, bottom - top, _paras(content.text), BODY_SIZES, name="Text")
        cut.add(fitted, [content.text])


# ---- charts ------------------------------------------------------------------------------


def _category_colors(spec: dict[str, Any] | None) -> dict[str, str]:
    """Category → colour from the Vega-Lite spec's colour scale (domain + range), when it has one."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            color = node.get("color")
            if isinstance(color, dict) and isinstance(color.get("scale"), dict):
                scale = color["scale"]
                domain, rng = scale.get("domain"), scale.get("range")
                if isinstance(domain, list) and isinstance(rng, list):
                    for d, r in zip(domain, rng):
                        if is_hex_color(r):
                            found.setdefault(str(d), r)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _drawable(native: NativeChart | None) -> bool:
    """Native data PowerPoint can chart: at least one series, and categories unless it is a scatter."""
    return native is not None and bool(native.series) and (native.kind == "scatter" or bool(native.categories)) \
        and native.kind in _NATIVE_TYPES


def _label(text: str) -> str:
    # Chart data also lands in an embedded workbook: keep formula-looking labels literal.
    return neutralise(xml_safe(text))


def _native_chart(slide: Any, native: NativeChart, spec: dict[str, Any] | None, left: Emu, top: Emu, width: Emu,
                  height: Emu) -> None:
    kind = native.kind
    if kind == "scatter":
        data: Any = XyChartData()
        for series in native.series:
            s = data.add_series(_label(series.name), number_format=native.number_format)
            for x, y in zip(series.x_values or (), series.values):
                if x is not None and y is not None:
                    s.add_data_point(x, y)
    else:
        data = CategoryChartData(number_format=native.number_format)
        data.categories = [_label(c) for c in native.categories]
        for series in native.series:
            data.add_series(_label(series.name), list(series.values))
    frame = slide.shapes.add_chart(_NATIVE_TYPES[kind], left, top, width, height, data)
    frame.name = "Chart"
    chart = frame.chart
    chart.has_title = False  # the slide's title says it
    chart.font.name = FONT
    chart.font.size = Pt(CHART_FONT_PT)
    chart.font.color.rgb = TEXT
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(CHART_FONT_PT)
    by_category = _category_colors(spec)
    palette = [US_COLOR, *COMPETITOR_COLORS]
    plot = chart.plots[0]
    if kind == "pie":
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = "0%"
        labels.number_format_is_linked = False
        labels.show_percentage = True
        labels.show_value = False
        labels.font.size = Pt(CHART_FONT_PT)
        for i, point in enumerate(plot.series[0].points):
            name = native.categories[i] if i < len(native.categories) else ""
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb_color(by_category.get(name) or palette[i % len(palette)])
        return
    for i, (series, drawn) in enumerate(zip(native.series, plot.series)):
        color = rgb_color(series.color or by_category.get(series.name) or palette[i % len(palette)])
        if kind == "line":
            drawn.format.line.color.rgb = color
            drawn.format.line.width = Pt(2.5)
            drawn.smooth = False
            drawn.marker.style = XL_MARKER_STYLE.CIRCLE
            drawn.marker.format.fill.solid()
            drawn.marker.format.fill.fore_color.rgb = color
        elif kind == "scatter":
            drawn.marker.style = XL_MARKER_STYLE.CIRCLE
            drawn.marker.size = 10
            drawn.marker.format.fill.solid()
            drawn.marker.format.fill.fore_color.rgb = color
            drawn.format.line.fill.background()  # markers only, no connecting line
        else:
            drawn.format.fill.solid()
            drawn.format.fill.fore_color.rgb = color
            if len(native.series) == 1 and by_category:
                # One series whose bars are coloured by category (our company highlighted).
                for j, point in enumerate(drawn.points):
                    name = native.categories[j] if j < len(native.categories) else ""
                    if name in by_category:
                        point.format.fill.solid()
                        point.format.fill.fore_color.rgb = rgb_color(by_category[name])
    if kind in ("bar", "column", "stacked_bar", "stacked_column"):
        plot.gap_width = 60
        if kind in ("bar", "stacked_bar"):
            chart.category_axis.reverse_order = True  # first category on top, as in the app
    if kind == "scatter" and native.categories and len(native.categories) <= 25:
        _scatter_labels(plot, native)
    value_axis = chart.value_axis
    if kind.startswith("stacked") and "%" in native.number_format and _stack_max(native) <= 1.0001:
        value_axis.maximum_scale = 1.0  # shares that add up to 100 %: no axis running on to 120 %
    value_axis.tick_labels.number_format = native.number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE9, 0xEC, 0xEF)
    for axis, title in ((chart.category_axis, native.x_title), (value_axis, native.y_title)):
        axis.tick_labels.font.size = Pt(CHART_FONT_PT)
        if title:
            axis.has_title = True
            axis.axis_title.text_frame.text = xml_safe(title)
            for run in axis.axis_title.text_frame.paragraphs[0].runs:
                _run_font(run, CHART_FONT_PT, bold=False)


def _stack_max(native: NativeChart) -> float:
    totals = [sum(s.values[i] or 0.0 for s in native.series if i < len(s.values)) for i in range(len(native.categories))]
    return max(totals, default=0.0)


def _scatter_labels(plot: Any, native: NativeChart) -> None:
    """Name each scatter point (categories are the point names, in series order)."""
    names = iter(native.categories)
    for series, drawn in zip(native.series, plot.series):
        for k, (x, y) in enumerate(zip(series.x_values or (), series.values)):
            if x is None or y is None:
                continue
            name = next(names, "")
            if not name:
                continue
            frame = drawn.points[k].data_label.text_frame
            frame.text = xml_safe(name)
            for run in frame.paragraphs[0].runs:
                _run_font(run, 12)


def _png_size(data: bytes) -> tuple[int, int]:
    # PNG: the IHDR chunk right after the 8-byte signature holds width and height.
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _picture(slide: Any, spec: dict[str, Any], left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    """The chart as a 2× PNG, as large as fits the area, aspect ratio kept, centred."""
    # The slide's title and subtitle already say what the chart's own title says.
    spec = {k: v for k, v in spec.items() if k != "title"}
    try:
        data = chart_bytes(spec, "png")
    except ValueError as e:  # vl-convert reports a spec it cannot draw as ValueError
        _text_box(slide, left, top, width, height, [Para(str(e).splitlines()[0], color=GREY)], (14, 12), name="Error")
        return
    px_w, px_h = _png_size(data)
    scale = min(width / px_w, height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    picture = slide.shapes.add_picture(io.BytesIO(data), left + (width - w) // 2, top + (height - h) // 2, w, h)
    picture.name = "Chart image"


# ---- boards ------------------------------------------------------------------------------


def _board(slide: Any, board: Board, top: Emu, bottom: Emu, cut: _Cut, lang: str) -> None:
    """Quadrants as coloured rounded boxes: 2×2 for four, otherwise side-by-side columns."""
    n = len(board.quadrants)
    if n == 0:
        return
    cols = 2 if n == 4 else min(n, 4)
    rows = math.ceil(n / cols)
    gap = Inches(0.15)
    box_w = (CONTENT_W - gap * (cols - 1)) // cols
    box_h = (bottom - top - gap * (rows - 1)) // rows
    full: list[str] = []
    truncated = False
    for i, (heading, lines) in enumerate(board.quadrants):
        r, c = divmod(i, cols)
        accent = rgb_color(board.colors[i] if i < len(board.colors) else None, default=BOARD_ACCENT)
        left, box_top = MARGIN + c * (box_w + gap), top + r * (box_h + gap)
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, box_top, box_w, box_h)
        shape.name = f"Board {heading}"[:60]
        shape.fill.solid()
        shape.fill.fore_color.rgb = tint(accent)
        shape.line.color.rgb = accent
        shape.shadow.inherit = False
        frame = shape.text_frame
        _frame(frame)
        items = [Para(f"• {line}") for line in lines] or [Para(t("present.deckfile.empty_quadrant", lang), color=GREY)]
        paras = [Para(heading, bold=True, color=accent, scale=1.2, space_after=0.3), *items]
        fitted = fit(paras, box_w, box_h, BOARD_SIZES)
        _write(frame, fitted)
        truncated = truncated or fitted.truncated
        full.extend([f"{heading}:"] + [f"• {line}" for line in lines])
    if truncated:
        cut.add(Fitted(0, (), True), full)


# ---- tables ------------------------------------------------------------------------------


def _table_font(columns: int) -> int:
    return 14 if columns <= 3 else 13 if columns <= 5 else 12 if columns <= 7 else 11 if columns <= 9 else 10


def _shorten(text: str) -> str:
    return text if len(text) <= CELL_MAX_CHARS else text[: CELL_MAX_CHARS - 1].rstrip() + ELLIPSIS


def _column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], width: Emu) -> list[int]:
    """Widths proportional to each column's typical text length (bounded), summing to `width`."""
    weights = []
    for c, name in enumerate(header):
        lengths = sorted(len(_shorten(r[c])) for r in rows[:200]) or [0]
        typical = lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0]
        weights.append(min(40, max(6, len(name) * 0.7, typical)))
    total = sum(weights)
    widths = [int(width * w / total) for w in weights]
    widths[-1] += int(width) - sum(widths)
    return widths


_CELL_MARGIN_W, _CELL_MARGIN_H = Inches(0.06), Inches(0.03)


def _row_height(cells: Sequence[str], widths: Sequence[int], size: int, bold: bool = False) -> int:
    lines = max(
        len(wrap(_shorten(text) or " ", size, Emu(w - 2 * _CELL_MARGIN_W).pt * 0.95, bold))
        for text, w in zip(cells, widths)
    )
    return int(Pt(lines * size * LINE_HEIGHT)) + 2 * _CELL_MARGIN_H + Pt(2)


def _paginate(header: Sequence[str], rows: Sequence[Sequence[str]], width: Emu, height: Emu, size: int,
              limit: int | None = None) -> list[list[Sequence[str]]]:
    """Rows split into pages whose estimated table height (header included) fits `height`."""
    widths = _column_widths(header, rows, width)
    head = _row_height(header, widths, size, bold=True)
    pages: list[list[Sequence[str]]] = []
    page: list[Sequence[str]] = []
    used = head
    for row in rows:
        h = _row_height(row, widths, size)
        if page and (used + h > height or (limit is not None and len(page) >= limit)):
            pages.append(page)
            if limit is not None:
                return pages
            page, used = [], head
        page.append(row)
        used += h
    if page:
        pages.append(page)
    return pages


def _table(slide: Any, header: Sequence[str], rows: Sequence[Sequence[str]], left: Emu, top: Emu, width: Emu,
           size: int, *, widths: Sequence[int] | None = None) -> Any:
    widths = list(widths or _column_widths(header, rows, width))
    heights = [_row_height(header, widths, size, bold=True)] + [_row_height(r, widths, size) for r in rows]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, width, sum(heights))
    shape.name = "Table"
    table = shape.table
    for c, w in enumerate(widths):
        table.columns[c].width = w
    for r, h in enumerate(heights):
        table.rows[r].height = h
    for r, cells in enumerate([list(header), *[list(row) for row in rows]]):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = _CELL_MARGIN_W
            cell.margin_top = cell.margin_bottom = _CELL_MARGIN_H
            cell.vertical_anchor = MSO_ANCHOR.TOP
            frame = cell.text_frame
            frame.word_wrap = True
            paragraph = frame.paragraphs[0]
            run = paragraph.add_run()
            run.text = xml_safe(_shorten(text))
            _run_font(run, size, bold=r == 0)
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL
            else:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if r % 2 else RGBColor(0xF8, 0xF9, 0xFA)
    return shape


# ---- appendix ----------------------------------------------------------------------------


def _table_pages(prs: Any, deck: ExportDeck, title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                 size: int, note: str, source: SlideContent) -> None:
    area = CONTENT_BOTTOM - CONTENT_TOP - (Inches(0.4) if note else 0)
    pages = _paginate(header, rows, CONTENT_W, area, size) or [[]]
    widths = _column_widths(header, rows, CONTENT_W)
    for number, page in enumerate(pages, start=1):
        slide = _blank(prs)
        cut = _Cut(deck.language)
        heading = title
        if len(pages) > 1:
            heading += " " + t("present.deckfile.page", deck.language, page=number, pages=len(pages))
        _title(slide, heading, cut)
        if page:
            _table(slide, header, page, MARGIN, CONTENT_TOP, CONTENT_W, size, widths=widths)
        if note and number == len(pages):
            _text_box(slide, MARGIN, CONTENT_BOTTOM - Inches(0.35), CONTENT_W, Inches(0.35), [Para(note, color=GREY)],
                      (11, 10), name="Note")
        _footnote(slide, footnote(deck, source))
        _set_notes(slide, "\n".join(cut.parts))


def _appendix_slides(prs: Any, deck: ExportDeck, item: ExportSlide) -> None:
    content = item.content
    if content.missing or (content.native is None and content.chart is None):
        return
    if content.table is None or content.table.empty:
        return
    header, rows = table_cells(content.table, deck.language, TABLE_MAX_COLUMNS)
    note = ""
    if len(rows) > APPENDIX_MAX_ROWS:
        note = t("present.deckfile.appendix_cut", deck.language, shown=APPENDIX_MAX_ROWS, total=len(rows))
        rows = rows[:APPENDIX_MAX_ROWS]
    title = t("present.deckfile.appendix", deck.language, title=content.title)
    _table_pages(prs, deck, title, header, rows, max(12, _table_font(len(header))), note, content)


def _decision_log_slides(prs: Any, deck: ExportDeck) -> None:
    lang = deck.language
    title = t("present.deckfile.decision_log", lang)
    footer = SlideContent(title=title)
    if not deck.decisions:
        slide = _blank(prs)
        _title(slide, title, _Cut(lang))
        _text_box(slide, MARGIN, CONTENT_TOP, CONTENT_W, Inches(1), [Para(t("present.deckfile.no_decisions", lang),
                                                                          color=GREY)], (20, 18), name="Text")
        _footnote(slide, footnote(deck, footer))
        return
    rows = [decision_row(line, lang) for line in deck.decisions]
    _table_pages(prs, deck, title, decision_header(lang), rows, 12, "", footer)
