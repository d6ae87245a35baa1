"""A deck as a folder (or zip) of images, one PNG or SVG per slide in order, plus an index.md.

Chart slides are the slide's Vega-Lite chart, titled with the slide's title, rendered
offline by vl-convert (PNG at 2×). Every other slide (text, title, board, table, "data
no longer available") is drawn as a 1280×720 picture of the slide — text and rectangles
placed by pixel in a Vega-Lite layer — so every slide has an image. index.md lists the
images with their sources, speaker notes and the decision log.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from pptx.util import Emu

from research.exports import chart_bytes, safe_filename, xml_safe
from research.i18n import fmt_date, t
from research.present.export import footnote, table_cells
from research.present.markdown import decision_log, escape, quote
from research.present.model import ExportDeck, ExportSlide, SlideContent
from research.present.pptx import BOARD_ACCENT, Para, ellipsize, fit, rgb_color, text_width, tint, wrap
from research.present.pptx import GREY as GREY_RGB

WIDTH, HEIGHT = 1280, 720
PAD = 48
# The font the text is measured with (research.present.pptx_text: Liberation Sans, else DejaVu Sans).
FONT = "Liberation Sans, DejaVu Sans, sans-serif"
TEXT, GREY = "#1F2933", "#52606D"
_PT = 12700  # EMU per point: the scene's pixels are measured like points


def _emu(px: float) -> Emu:
    return Emu(int(px * _PT))


class _Scene:
    """Rectangles and lines of text at pixel positions, turned into one Vega-Lite spec."""

    def __init__(self) -> None:
        self.rects: list[dict[str, Any]] = []
        self.texts: list[dict[str, Any]] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str) -> None:
        self.rects.append({"x": x, "x2": x + w, "y": y, "y2": y + h, "fill": fill, "stroke": stroke})

    def text(self, x: float, y: float, w: float, h: float, paras: Sequence[Para], sizes: Sequence[int],
             *, center: bool = False, middle: bool = False) -> None:
        """Fit `paras` into the box (same rules as the PPTX: step down, then ellipsis) and place the lines."""
        fitted = fit(paras, _emu(w), _emu(h), sizes)
        inner = w - 2 * 6
        lines: list[tuple[str, float, bool, str]] = []
        for para in fitted.paras:
            size = fitted.size * para.scale
            for line in wrap(para.text, size, inner * 0.96, para.bold):
                lines.append((line, size, para.bold, f"#{para.color}"))
        total = sum(size * 1.2 for _, size, _, _ in lines)
        cursor = y + 6 + (max(0.0, (h - 12 - total) / 2) if middle else 0)
        for line, size, bold, color in lines:
            self.texts.append({
                "x": x + w / 2 if center else x + 6, "y": cursor, "text": line, "size": size, "color": color,
                "bold": bold, "center": center,
            })
            cursor += size * 1.2

    def spec(self) -> dict[str, Any]:
        pixel = {"type": "quantitative", "scale": None}
        layers: list[dict[str, Any]] = []
        if self.rects:
            layers.append({
                "data": {"values": self.rects},
                "mark": {"type": "rect", "strokeWidth": 2, "cornerRadius": 4},
                "encoding": {
                    "x": {"field": "x", **pixel}, "x2": {"field": "x2"}, "y": {"field": "y", **pixel},
                    "y2": {"field": "y2"}, "fill": {"field": "fill", "type": "nominal", "scale": None},
                    "stroke": {"field": "stroke", "type": "nominal", "scale": None},
                },
            })
        for bold in (False, True):
            for center in (False, True):
                rows = [r for r in self.texts if r["bold"] == bold and r["center"] == center]
                if not rows:
                    continue
                layers.append({
                    "data": {"values": rows},
                    "mark": {"type": "text", "align": "center" if center else "left", "baseline": "top",
                             "fontWeight": "bold" if bold else "normal", "font": FONT},
                    "encoding": {
                        "x": {"field": "x", **pixel}, "y": {"field": "y", **pixel}, "text": {"field": "text"},
                        "size": {"field": "size", **pixel},  # a text mark's size channel is its font size
                        "color": {"field": "color", "type": "nominal", "scale": None},
                    },
                })
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": WIDTH, "height": HEIGHT, "padding": 0, "autosize": {"type": "none"},
            "background": "white", "config": {"view": {"stroke": None}},
            "layer": layers,
        }


def _slide_scene(deck: ExportDeck, item: ExportSlide) -> dict[str, Any]:
    c = item.content
    lang = deck.language
    scene = _Scene()
    inner_w = WIDTH - 2 * PAD
    if item.kind == "title":
        scene.text(PAD, 150, inner_w, 200, [Para(c.title, bold=True)], (48, 40, 34, 28, 24), center=True, middle=True)
        if c.text:
            scene.text(PAD * 2, 380, WIDTH - 4 * PAD, 220,
                       [Para(line, color=GREY_RGB) for line in c.text.split("\n")],
                       (26, 22, 18, 16), center=True)
    else:
        scene.text(PAD, 24, inner_w, 90, [Para(c.title, bold=True)], (34, 30, 26, 22, 18))
        top = 118
        if c.subtitle:
            scene.text(PAD, 112, inner_w, 34, [Para(c.subtitle, color=GREY_RGB)], (18, 16, 14))
            top = 150
        bottom = HEIGHT - 64
        if c.missing:
            scene.text(PAD, top, inner_w, bottom - top, [Para(c.text or t("present.data_gone", lang), bold=True,
                                                              color=GREY_RGB)], (36, 30), center=True, middle=True)
        elif c.board is not None:
            _board(scene, c, top, bottom, lang)
        elif c.table is not None and not c.table.empty:
            _table(scene, c, top, bottom, lang)
        elif c.text:
            scene.text(PAD, top, inner_w, bottom - top, [Para(line) for line in c.text.split("\n")],
                       (26, 24, 22, 20, 18, 16, 14))
    scene.text(PAD, HEIGHT - 44, inner_w, 32, [Para(footnote(deck, c), color=GREY_RGB)], (14, 13, 12))
    return scene.spec()


def _board(scene: _Scene, c: SlideContent, top: float, bottom: float, lang: str) -> None:
    assert c.board is not None
    n = len(c.board.quadrants)
    if n == 0:
        return
    cols = 2 if n == 4 else min(n, 4)
    rows = -(-n // cols)
    gap = 12
    w = (WIDTH - 2 * PAD - gap * (cols - 1)) / cols
    h = (bottom - top - gap * (rows - 1)) / rows
    for i, (heading, lines) in enumerate(c.board.quadrants):
        r, col = divmod(i, cols)
        accent = rgb_color(c.board.colors[i] if i < len(c.board.colors) else None, default=BOARD_ACCENT)
        x, y = PAD + col * (w + gap), top + r * (h + gap)
        scene.rect(x, y, w, h, f"#{tint(accent)}", f"#{accent}")
        paras = [Para(heading, bold=True, color=accent, scale=1.2)]
        none = Para(t("present.deckfile.empty_quadrant", lang), color=GREY_RGB)
        paras += [Para(f"• {line}") for line in lines] or [none]
        scene.text(x + 4, y + 4, w - 8, h - 8, paras, (20, 18, 16, 14, 13, 12))


def _table(scene: _Scene, c: SlideContent, top: float, bottom: float, lang: str) -> None:
    assert c.table is not None
    header, rows = table_cells(c.table, lang, max_columns=8)
    size = 18 if len(header) <= 4 else 16 if len(header) <= 6 else 14
    row_h = size * 1.6
    fit_rows = int((bottom - top) // row_h) - 1
    shown = rows[: max(1, min(12, fit_rows))]
    col_w = (WIDTH - 2 * PAD) / len(header)
    for r, cells in enumerate([header, *shown]):
        y = top + r * row_h
        if r == 0:
            scene.rect(PAD, y - 4, WIDTH - 2 * PAD, row_h, "#E9ECEF", "#E9ECEF")
        for k, cell in enumerate(cells):
            text = _clip(cell, size, col_w - 12, bold=r == 0)
            scene.texts.append({"x": PAD + k * col_w + 6, "y": y, "text": text, "size": size, "color": TEXT,
                                "bold": r == 0, "center": False})
    if len(shown) < len(rows):
        scene.texts.append({"x": PAD, "y": top + (len(shown) + 1) * row_h + 6, "size": 14, "color": GREY,
                            "text": t("present.deckfile.more_lines", lang, count=len(rows) - len(shown)),
                            "bold": False, "center": False})


def _clip(text: str, size: float, width: float, *, bold: bool) -> str:
    return text if text_width(text, size, bold) <= width else ellipsize(text, size, width, bold)


def _chart_spec(item: ExportSlide) -> dict[str, Any]:
    """The slide's chart, titled with the slide's title (and subtitle) like the slide is."""
    c = item.content
    spec = copy.deepcopy(c.chart) or {}
    title: dict[str, Any] = dict(spec["title"]) if isinstance(spec.get("title"), dict) else {}
    title["text"] = xml_safe(c.title)
    if c.subtitle:
        title["subtitle"] = xml_safe(c.subtitle)
    spec["title"] = title
    return spec


def slide_image(deck: ExportDeck, item: ExportSlide, fmt: str) -> bytes:
    """One slide as PNG (2×) or SVG bytes."""
    c = item.content
    if c.chart is not None and not c.missing:
        try:
            return chart_bytes(_chart_spec(item), fmt)
        except ValueError:  # a chart vl-convert cannot draw: fall back to the slide picture
            pass
    return chart_bytes(_slide_scene(deck, item), fmt)


def file_names(deck: ExportDeck, fmt: str) -> list[str]:
    width = 3 if len(deck.slides) >= 100 else 2
    return [
        f"{n:0{width}d}-{safe_filename(item.content.title, fmt, fallback='slide')}"
        for n, item in enumerate(deck.slides, start=1)
    ]


def index_markdown(deck: ExportDeck, names: Sequence[str]) -> str:
    lang = deck.language
    out = [f"# {escape(deck.name)}", ""]
    if deck.subtitle:
        out += [escape(deck.subtitle), ""]
    out += [escape(t("present.deckfile.workspace_date", lang, workspace=deck.workspace,
                     date=fmt_date(deck.generated_at.date(), lang))), "",
            f"## {escape(t('present.deckfile.slides', lang))}", ""]
    for n, (name, item) in enumerate(zip(names, deck.slides), start=1):
        out.append(f"{n}. [{escape(item.content.title)}]({name})  ")
        out.append(f"   *{escape(footnote(deck, item.content))}*")
        if item.notes.strip():
            out += ["", "   " + quote(item.notes).replace("\n", "\n   ")]
        out.append("")
    out += decision_log(deck)
    return "\n".join(out)


def slide_images(deck: ExportDeck, fmt: str = "png") -> dict[str, bytes]:
    """File name → bytes for every slide in order, and index.md."""
    names = file_names(deck, fmt)
    files = {name: slide_image(deck, item, fmt) for name, item in zip(names, deck.slides)}
    files["index.md"] = index_markdown(deck, names).encode("utf-8")
    return files


def images_zip(deck: ExportDeck, fmt: str = "png") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in slide_images(deck, fmt).items():
            archive.writestr(name, data)
    return buffer.getvalue()
