"""Text that fits: measuring, wrapping and fitting type into PowerPoint text boxes.

Every text box is measured before it is filled, with the metrics of Liberation Sans
(Arial's metrics, where the fonts LibreOffice uses are installed; else DejaVu Sans, which is
wider), a 4 % reserve on every line and 1.2× line spacing, so an estimate errs on the safe side.
Type steps down through a list of sizes until the text fits; text that does not fit
even at the smallest size is either split (`split`: the rest goes on a continuation
slide) or, as a last resort, cut with an ellipsis (`fit`) and given in full in the
speaker notes. All runs use Arial, which has Cyrillic glyphs in Office and maps to the
metric-compatible Liberation Sans in LibreOffice.

Lines break only between words; a single word wider than its box is the one thing
that is broken inside (a URL in a narrow column, say).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from research.charts.theme import US_COLOR, is_hex_color
from research.exports import xml_safe
from research.i18n import t

FONT = "Arial"
LINE_HEIGHT = 1.2  # a line of type takes 1.2× its size (PowerPoint and LibreOffice use ~1.15–1.17 for Arial)
INSET = Inches(0.08)
WIDTH_RESERVE = 0.96  # 4 % of a box's width kept free for renderer differences
TEXT = RGBColor(0x1F, 0x29, 0x33)
GREY = RGBColor(0x52, 0x60, 0x6D)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ELLIPSIS = "…"

# ---- measuring text ----------------------------------------------------------------------

_FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/liberation", "/usr/share/fonts/truetype/dejavu",
              "/usr/share/fonts/dejavu", "/usr/local/share/fonts", "/Library/Fonts")
# Liberation Sans has Arial's metrics (what PowerPoint and LibreOffice lay out with); DejaVu Sans,
# wider, is the cautious stand-in where it is missing.
_METRIC_FONTS = {False: ("LiberationSans-Regular.ttf", "DejaVuSans.ttf"),
                 True: ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf")}


@lru_cache(maxsize=2)
def _metrics_font(bold: bool) -> Any:
    """Liberation Sans (else DejaVu Sans) at 100 px for measuring, or None (then a per-character estimate)."""
    from PIL import ImageFont

    for name in _METRIC_FONTS[bold]:
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


def longest_word(text: str, size: float, bold: bool = False) -> float:
    """Points the widest single word of `text` takes at `size` pt (0 for no words)."""
    return max((text_width(w, size, bold) for w in text.split()), default=0.0)


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


def ellipsize(text: str, size: float, width: float, bold: bool = False) -> str:
    """`text` shortened until it and an ellipsis fit in `width` pt."""
    while text and text_width(text + ELLIPSIS, size, bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


# ---- fitting paragraphs into a box ------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    color: RGBColor = TEXT
    scale: float = 1.0  # size relative to the box's base size
    space_after: float = 0.25  # in lines of the base size
    italic: bool = False


@dataclass(frozen=True)
class Fitted:
    size: float
    paras: tuple[Para, ...]  # possibly cut, with an ellipsis
    truncated: bool


def inner_width(width: int) -> float:
    """Points of a box `width` EMU wide that text may use (insets and the renderer reserve taken off)."""
    return Emu(width - 2 * INSET).pt * WIDTH_RESERVE


def inner_height(height: int) -> float:
    return Emu(height - 2 * INSET).pt


def paras_height(paras: Sequence[Para], size: float, width: float) -> float:
    """Points `paras` take at base `size` in a column `width` pt wide."""
    total = 0.0
    for i, para in enumerate(paras):
        psize = size * para.scale
        total += len(wrap(para.text, psize, width, para.bold)) * psize * LINE_HEIGHT
        if i < len(paras) - 1:
            total += para.space_after * size
    return total


def fits(paras: Sequence[Para], width: int, height: int, size: float) -> bool:
    """True when `paras` fit a box of `width` × `height` EMU at base `size`."""
    return paras_height(paras, size, inner_width(width)) <= inner_height(height)


def fit(paras: Sequence[Para], width: int, height: int, sizes: Sequence[float]) -> Fitted:
    """The largest size in `sizes` at which `paras` fit the box; at the smallest, cut with an ellipsis."""
    for size in sizes:
        if fits(paras, width, height, size):
            return Fitted(size, tuple(paras), False)
    return _cut(paras, width, height, sizes[-1])


def _cut(paras: Sequence[Para], width: int, height: int, size: float) -> Fitted:
    w, h = inner_width(width), inner_height(height)
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
            kept.append(replace(para, text=" ".join(shown)))
        elif kept:
            last = kept[-1]
            lsize = size * last.scale
            last_lines = wrap(last.text, lsize, w, last.bold)
            last_lines[-1] = ellipsize(last_lines[-1], lsize, w, last.bold)
            kept[-1] = replace(last, text=" ".join(last_lines))
        break
    return Fitted(size, tuple(kept), True)


def split(paras: Sequence[Para], width: int, height: int, size: float, *,
          keep: int = 0) -> tuple[list[Para], list[Para]]:
    """The leading paragraphs that fit the box at `size`, and the rest (for a continuation slide).

    The first `keep` paragraphs (a heading) always stay in the box. A paragraph is split
    between lines only when not even one whole paragraph after the kept ones fits, so
    each box shows at least one item.
    """
    w, h = inner_width(width), inner_height(height)
    taken = list(paras[:keep])
    rest = list(paras[keep:])
    while rest and paras_height([*taken, rest[0]], size, w) <= h:
        taken.append(rest.pop(0))
    if rest and len(taken) == keep:  # a single paragraph taller than the box: split it by lines
        para = rest.pop(0)
        psize = size * para.scale
        lines = wrap(para.text, psize, w, para.bold)
        used = paras_height(taken, size, w) + (para.space_after * size if taken else 0)
        room = max(1, int((h - used) // (psize * LINE_HEIGHT)))
        taken.append(replace(para, text=" ".join(lines[:room])))
        if lines[room:]:
            rest.insert(0, replace(para, text=" ".join(lines[room:])))
    return taken, rest


# ---- colours ------------------------------------------------------------------------------


def rgb_color(color: str | None, default: RGBColor = TEXT) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper()) if is_hex_color(color) else default


def highlight_rgb(color: str | None) -> RGBColor:
    """The workspace highlight colour (our company), the theme's when none is set."""
    return rgb_color(color if is_hex_color(color) else US_COLOR)


def tint(color: RGBColor, amount: float = 0.86) -> RGBColor:
    """`color` mixed with white (`amount` of white)."""
    return RGBColor(*(round(c + (255 - c) * amount) for c in color))


def readable_on(fill: RGBColor) -> RGBColor:
    """Dark text on a light fill, white text on a dark one (relative luminance, WCAG)."""
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in fill)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return WHITE if luminance < 0.35 else TEXT


# ---- writing text into shapes ----------------------------------------------------------------


def run_font(run: Any, size: float, *, bold: bool = False, color: RGBColor = TEXT, italic: bool = False) -> None:
    font = run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = color


def set_frame(frame: Any, *, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP, inset: int = INSET) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = inset


def write(frame: Any, fitted: Fitted, align: PP_ALIGN | None = None) -> None:
    """Put fitted paragraphs into a text frame (explicit font and size on every run)."""
    for i, para in enumerate(fitted.paras):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        paragraph.space_after = Pt(para.space_after * fitted.size) if i < len(fitted.paras) - 1 else Pt(0)
        paragraph.line_spacing = 1.0
        run = paragraph.add_run()
        run.text = xml_safe(para.text)
        run_font(run, fitted.size * para.scale, bold=para.bold, color=para.color, italic=para.italic)


def text_box(
    slide: Any, left: int, top: int, width: int, height: int, paras: Sequence[Para], sizes: Sequence[float],
    *, align: PP_ALIGN | None = None, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP, name: str = "",
) -> Fitted:
    """A text box holding `paras` at the largest size in `sizes` that fits (else cut at the smallest)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    set_frame(box.text_frame, anchor=anchor)
    fitted = fit(paras, width, height, sizes)
    write(box.text_frame, fitted, align)
    return fitted


def lines_to_paras(text: str, color: RGBColor = TEXT) -> list[Para]:
    """Text as paragraphs, one per line (blank lines dropped)."""
    return [Para(line, color=color) for line in text.strip().split("\n") if line.strip()]


class CutText:
    """Collects text that had to be shortened on a slide, for the speaker notes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.parts: list[str] = []

    def add(self, fitted: Fitted, full: Iterable[str]) -> None:
        if fitted.truncated:
            self.parts.append(t("present.deckfile.full_text", self.lang) + "\n" + "\n".join(full))
