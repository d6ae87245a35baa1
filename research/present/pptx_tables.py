"""Tables that read: native PowerPoint tables sized from their text, paginated, with marked cells.

Column widths come from the header and the content: no column is narrower than the
widest word of its header (headers never break inside a word; at the smallest type a
header word that still cannot fit is abbreviated, "Confidence" → "Confid."), a column
of prose is at least wide enough for a readable line, and the rest of the width goes
to the columns whose text is longest. Rows are measured like text boxes
(research.present.pptx_text) and split into pages whose height fits the area, with
the rows spread evenly over the pages. Cells may carry a fill, a text colour and a solid
or dashed border (the feature matrix marks our advantages and gaps that way, as on
screen); group rows span the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from research.exports import xml_safe
from research.present.pptx_text import (
    LINE_HEIGHT,
    TEXT,
    WIDTH_RESERVE,
    _fitting_prefix,
    longest_word,
    readable_on,
    run_font,
    text_width,
    wrap,
)

CELL_MARGIN_W, CELL_MARGIN_H = Inches(0.06), Inches(0.05)  # LibreOffice draws at least 0.05 in above and below
HEADER_FILL = RGBColor(0xE9, 0xEC, 0xEF)
GROUP_FILL = RGBColor(0xF1, 0xF3, 0xF5)
BAND_FILLS = (RGBColor(0xFF, 0xFF, 0xFF), RGBColor(0xF8, 0xF9, 0xFA))
GRID_LINE = RGBColor(0xCE, 0xD4, 0xDA)
CELL_MAX_CHARS = 300  # a cell longer than this is shortened (the data export has it whole)
TABLE_SIZES = (14, 13, 12)
PROSE_EMS = 16  # a column of running text is at least this many ems wide, so it reads as lines, not words
BREAKABLE_EMS = 12  # a single word wider than this (a URL) may break rather than widen its column
ROW_SLACK = Pt(2)


@dataclass(frozen=True)
class CellStyle:
    fill: RGBColor | None = None
    color: RGBColor | None = None  # text colour; default: readable on the fill
    bold: bool = False
    border: RGBColor | None = None
    border_pt: float = 0.75
    dashed: bool = False


@dataclass(frozen=True)
class Grid:
    """A table to draw: a header, rows of text, and how particular cells look.

    `styles` maps (row, column) of `rows` to a style; `header_styles` a header column;
    `group_rows` are indexes of rows that head a group (their first cell spans the table).
    `lined` draws thin grid lines around every cell (a matrix) instead of banded rows.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    styles: Mapping[tuple[int, int], CellStyle] = field(default_factory=dict)
    header_styles: Mapping[int, CellStyle] = field(default_factory=dict)
    group_rows: frozenset[int] = frozenset()
    lined: bool = False

    @classmethod
    def plain(cls, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Grid:
        return cls(tuple(header), tuple(tuple(r) for r in rows))


@dataclass(frozen=True)
class Layout:
    """Type size, column widths (EMU) and the header as drawn (possibly abbreviated)."""

    size: float
    widths: tuple[int, ...]
    header: tuple[str, ...]


def shorten(text: str) -> str:
    return text if len(text) <= CELL_MAX_CHARS else text[: CELL_MAX_CHARS - 1].rstrip() + "…"


def _inner(width_pt: float) -> float:
    return (width_pt - 2 * Emu(CELL_MARGIN_W).pt) * WIDTH_RESERVE


def _outer(inner_pt: float) -> float:
    return inner_pt / WIDTH_RESERVE + 2 * Emu(CELL_MARGIN_W).pt + 1


def _needs(grid: Grid, header: Sequence[str], size: float) -> tuple[list[float], list[float]]:
    """(minimum, natural) width in points of every column at `size`."""
    mins, naturals = [], []
    body = [r for i, r in enumerate(grid.rows[:300]) if i not in grid.group_rows]
    for c, name in enumerate(header):
        cells = [shorten(r[c]) for r in body if c < len(r)]
        head_word = longest_word(name, size, bold=True)
        word = max((min(longest_word(x, size), BREAKABLE_EMS * size) for x in cells), default=0.0)
        lengths = sorted(text_width(x, size) for x in cells) or [0.0]
        typical = lengths[max(0, math.ceil(len(lengths) * 0.9) - 1)]
        natural = max(text_width(name, size, bold=True), typical)
        # A column of running text keeps room for a readable line (not one word per line).
        prose = PROSE_EMS * size if natural > PROSE_EMS * size else 0.0
        least = max(head_word, word, prose)
        mins.append(_outer(least))
        naturals.append(_outer(max(natural, least)))
    return mins, naturals


def layout(grid: Grid, width: int, sizes: Sequence[float] = TABLE_SIZES) -> Layout:
    """The largest size at which every column gets at least its minimum width, and the widths."""
    total = Emu(width).pt
    header = list(grid.header)
    for size in sizes:
        mins, naturals = _needs(grid, header, size)
        if sum(mins) <= total:
            return Layout(size, _spread(mins, naturals, total, width), tuple(header))
    size = sizes[-1]
    mins, naturals = _needs(grid, header, size)
    # The smallest type and still too wide: abbreviate header words to each column's share.
    shares = [total * m / sum(mins) for m in mins]
    header = [_abbreviate(name, size, _inner(share)) for name, share in zip(header, shares)]
    mins, naturals = _needs(grid, header, size)
    if sum(mins) > total:
        mins = [m * total / sum(mins) for m in mins]
        naturals = [max(n, m) for n, m in zip(naturals, mins)]
    return Layout(size, _spread(mins, naturals, total, width), tuple(header))


def _spread(mins: Sequence[float], naturals: Sequence[float], total: float, width: int) -> tuple[int, ...]:
    """Widths from the minimums up to the natural widths, then the rest in proportion; summing to `width`."""
    if sum(naturals) <= total:
        points = [n * total / sum(naturals) for n in naturals]
    else:
        room = total - sum(mins)
        wants = [n - m for n, m in zip(naturals, mins)]
        points = [m + (room * w / sum(wants) if sum(wants) else room / len(mins)) for m, w in zip(mins, wants)]
    widths = [int(Pt(p)) for p in points]
    widths[-1] += int(width) - sum(widths)
    return tuple(widths)


def _abbreviate(header: str, size: float, width: float) -> str:
    """Header words too wide for `width` pt cut short with a full stop ("Confid.")."""
    words = []
    for word in header.split():
        if text_width(word, size, bold=True) > width and len(word) > 2:
            keep = max(1, _fitting_prefix(word + ".", size, width, True) - 1)
            word = word[:keep].rstrip(".") + "."
        words.append(word)
    return " ".join(words)


def row_height(cells: Sequence[str], widths: Sequence[int], size: float, *, bold: bool = False) -> int:
    lines = max(
        (len(wrap(shorten(text) or " ", size, _inner(Emu(w).pt), bold)) for text, w in zip(cells, widths)),
        default=1,
    )
    return int(Pt(lines * size * LINE_HEIGHT)) + 2 * CELL_MARGIN_H + ROW_SLACK


def _heights(grid: Grid, lay: Layout) -> list[int]:
    full = [sum(lay.widths)]
    return [
        row_height([row[0]], full, lay.size, bold=True) if i in grid.group_rows
        else row_height(row, lay.widths, lay.size)
        for i, row in enumerate(grid.rows)
    ]


def header_height(lay: Layout) -> int:
    return row_height(lay.header, lay.widths, lay.size, bold=True)


def paginate(grid: Grid, lay: Layout, height: int, *, max_pages: int | None = None) -> list[list[int]]:
    """Row indexes per page, every page's table (header included) no taller than `height`.

    Rows are spread evenly over the pages needed (not 12 + 1); a group heading never ends
    a page. With `max_pages`, the pages after it are left off (the caller says so).
    """
    heights = _heights(grid, lay)
    head = header_height(lay)
    greedy = _pack(list(range(len(grid.rows))), heights, head, height, grid.group_rows, None)
    pages = len(greedy)
    if pages > 1:
        target = math.ceil(len(grid.rows) / pages)
        even = _pack(list(range(len(grid.rows))), heights, head, height, grid.group_rows, target)
        if len(even) == pages:
            greedy = even
    return greedy[:max_pages] if max_pages is not None else greedy


def fewest_pages(grid: Grid, width: int, height: int,
                 sizes: Sequence[float] = TABLE_SIZES) -> tuple[Layout, list[list[int]]]:
    """The layout and pages of the largest type that needs the fewest slides (30 rows on two slides at 12 pt
    rather than three at 14 pt)."""
    best: tuple[Layout, list[list[int]]] | None = None
    for i in range(len(sizes)):
        lay = layout(grid, width, sizes[i:])
        if best is not None and lay.size == best[0].size:
            continue
        pages = paginate(grid, lay, height)
        if best is None or len(pages) < len(best[1]):
            best = (lay, pages)
    assert best is not None
    return best


def _pack(indexes: list[int], heights: list[int], head: int, height: int, groups: frozenset[int],
          per_page: int | None) -> list[list[int]]:
    pages: list[list[int]] = []
    page: list[int] = []
    used = head
    for i in indexes:
        h = heights[i]
        full = page and (used + h > height or (per_page is not None and len(page) >= per_page))
        if full:
            if page[-1] in groups and len(page) > 1:  # never a group heading alone at the bottom
                moved = page.pop()
                pages.append(page)
                page, used = [moved], head + heights[moved]
            else:
                pages.append(page)
                page, used = [], head
        page.append(i)
        used += h
    if page:
        pages.append(page)
    return pages


def table_height(grid: Grid, lay: Layout, rows: Sequence[int]) -> int:
    heights = _heights(grid, lay)
    return header_height(lay) + sum(heights[i] for i in rows)


def draw(slide: Any, grid: Grid, lay: Layout, rows: Sequence[int], left: int, top: int, *,
         name: str = "Table") -> Any:
    """The header and `rows` (indexes into grid.rows) as a native table at (left, top)."""
    all_heights = _heights(grid, lay)
    heights = [header_height(lay)] + [all_heights[i] for i in rows]
    shape = slide.shapes.add_table(len(rows) + 1, len(lay.widths), left, top, sum(lay.widths), sum(heights))
    shape.name = name
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for c, w in enumerate(lay.widths):
        table.columns[c].width = w
    for r, h in enumerate(heights):
        table.rows[r].height = h
    for c, text in enumerate(lay.header):
        style = grid.header_styles.get(c, CellStyle())
        _fill_cell(table.cell(0, c), text, lay.size, fill=style.fill or HEADER_FILL, color=style.color, bold=True,
                   style=style, lined=grid.lined)
    for r, index in enumerate(rows, start=1):
        row = grid.rows[index]
        if index in grid.group_rows:
            first = table.cell(r, 0)
            if len(lay.widths) > 1:
                first.merge(table.cell(r, len(lay.widths) - 1))
            _fill_cell(first, row[0], lay.size, fill=GROUP_FILL, color=None, bold=True, style=CellStyle(),
                       lined=grid.lined)
            continue
        band = BAND_FILLS[0] if grid.lined else BAND_FILLS[(r - 1) % 2]
        for c in range(len(lay.widths)):
            text = row[c] if c < len(row) else ""
            style = grid.styles.get((index, c), CellStyle())
            _fill_cell(table.cell(r, c), text, lay.size, fill=style.fill or band, color=style.color, bold=style.bold,
                       style=style, lined=grid.lined)
    return shape


def _fill_cell(cell: Any, text: str, size: float, *, fill: RGBColor, color: RGBColor | None, bold: bool,
               style: CellStyle, lined: bool) -> None:
    cell.margin_left = cell.margin_right = CELL_MARGIN_W
    cell.margin_top = cell.margin_bottom = CELL_MARGIN_H
    cell.vertical_anchor = MSO_ANCHOR.TOP
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.line_spacing = 1.0
    run = paragraph.add_run()
    # An empty cell's line would take LibreOffice's default size (18 pt), making its row taller than planned.
    run.text = xml_safe(shorten(text)) or " "
    run_font(run, size, bold=bold, color=color or (readable_on(fill) if fill is not None else TEXT))
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    if style.border is not None:
        _borders(cell, style.border, style.border_pt, style.dashed)
    elif lined:
        _borders(cell, GRID_LINE, 0.75, False)


_BORDERS = ("a:lnL", "a:lnR", "a:lnT", "a:lnB")


def _borders(cell: Any, color: RGBColor, width_pt: float, dashed: bool) -> None:
    """Solid or dashed lines on all four sides of a cell (python-pptx has no API for cell borders)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for tag in _BORDERS:
        for old in tc_pr.findall(qn(tag)):
            tc_pr.remove(old)
    # The schema wants the lines before the cell's fill: insert them at the front, in order.
    for position, tag in enumerate(_BORDERS):
        line = etree.Element(qn(tag), w=str(int(Pt(width_pt))), cap="flat", cmpd="sng", algn="ctr")
        solid = etree.SubElement(line, qn("a:solidFill"))
        etree.SubElement(solid, qn("a:srgbClr"), val=str(color))
        etree.SubElement(line, qn("a:prstDash"), val="dash" if dashed else "solid")
        tc_pr.insert(position, line)
