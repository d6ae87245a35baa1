"""How a drawn slide fits one shared screen: the space its parts take at 1280×720, and what to leave out.

Session mode lays every slide out for a 1280×720 screen (larger 16:9 screens zoom the
whole layout, so 1920×1080 is the same slide 1.5× larger). Text is never shrunk below
18 px there: what does not fit at that size is summarised instead — the first lines of a
board quadrant with "and N more", the first rows and columns of a table with a count of
the rest, the first lines of a long text. The measures below are those of the style sheet
in research/ui/present.py (keep them in step); text widths are estimated with a
conservative average character width and greedy word wrapping, so an estimate errs
towards wrapping more, and the browser tests check the result on a real screen.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from research.present.model import Board, SlideContent

# The logical screen (CSS px at zoom 1) and the fixed parts of the session layout.
SCREEN_W, SCREEN_H = 1280, 720
PAD_X, PAD_TOP, PAD_BOTTOM = 40, 16, 8
CONTENT_W = SCREEN_W - 2 * PAD_X
GAP = 8  # between the blocks of the slide
NAV_H = 54  # the control bar: buttons, counter, its top rule and padding
SOURCE_PX, SOURCE_LINE = 18, 24
SUBTITLE_PX, SUBTITLE_LINE = 20, 27
# Title sizes, largest first: (font px, line px). A title takes the largest that fits in two lines.
TITLE_SIZES = ((40, 47), (32, 38), (26, 32))
# Text-slide sizes, largest first (the last is the 18 px floor).
TEXT_SIZES = ((26, 35), (22, 30), (18, 25))
BOARD_PX, BOARD_LINE = 20, 26  # board lines
BOARD_HEAD = 34  # a quadrant's heading line and its margin
BOARD_PAD = 17  # border and padding inside a quadrant box, each side
BOARD_GAP = 12  # between quadrant boxes
BOARD_BULLET = 26  # a bullet's indent
TABLE_PX, TABLE_ROW = 18, 38  # table text and a one-line row with its padding
TABLE_LINE = 25  # each further line of a wrapped cell
TABLE_MAX_COLUMNS = 6
CHAR_WIDTH = 0.52  # average character width in em (Source Sans; bold and Cyrillic run a little wider)
MIN_CHART_H = 220


def chars_per_line(width_px: float, font_px: float, *, bold: bool = False) -> int:
    """How many characters of average width fit on one line."""
    return max(8, int(width_px / (font_px * (CHAR_WIDTH + (0.04 if bold else 0)))))


def wrapped_lines(text: str, width_chars: int) -> int:
    """Lines `text` takes when wrapped at word boundaries to `width_chars` (each paragraph at least one)."""
    return sum(max(1, len(textwrap.wrap(p, width_chars, break_long_words=True))) for p in text.splitlines() or [""])


def title_size(title: str) -> int:
    """Index into TITLE_SIZES: the largest size at which the title takes at most two lines (else the smallest)."""
    for index, (font, _) in enumerate(TITLE_SIZES):
        if wrapped_lines(title, chars_per_line(CONTENT_W, font, bold=True)) <= (1 if index == 0 else 2):
            return index
    return len(TITLE_SIZES) - 1


def title_height(title: str) -> int:
    font, line = TITLE_SIZES[title_size(title)]
    return wrapped_lines(title, chars_per_line(CONTENT_W, font, bold=True)) * line


def caption_height(text: str) -> int:
    return wrapped_lines(text, chars_per_line(CONTENT_W, SUBTITLE_PX)) * SUBTITLE_LINE if text.strip() else 0


@dataclass(frozen=True)
class SlideFrame:
    """The vertical space of one slide: its heading block and what is left for the body."""

    title_size: int  # index into TITLE_SIZES
    head: int  # px of title, subtitle and caption text with their gaps
    body: int  # px left for the chart, board, table or text


def frame_for(content: SlideContent, *, text_is_body: bool) -> SlideFrame:
    """The space the slide's fixed parts take; `text_is_body`: the text is the slide (text slides)."""
    title = content.title or ""
    head = title_height(title) + (GAP + caption_height(content.subtitle) if content.subtitle.strip() else 0)
    if content.text.strip() and not text_is_body:
        head += GAP + caption_height(content.text)
    source = GAP + SOURCE_LINE if content.source else 0
    body = SCREEN_H - PAD_TOP - PAD_BOTTOM - head - GAP - source - GAP - NAV_H
    return SlideFrame(title_size(title), head, max(0, body))


def chart_height(frame: SlideFrame) -> int:
    """The height a single-view chart is drawn at (its axes and legend included)."""
    return max(MIN_CHART_H, frame.body - 6)


# ---- boards: top lines per quadrant, "and N more" -----------------------------------------------


def _board_columns(count: int) -> int:
    return 2 if count == 4 else max(1, min(count, 4))


def fit_lines(
    lines: Sequence[str], budget: int, width_chars: int, more: Callable[[int], str],
) -> tuple[str, ...]:
    """The first of `lines` that fit in `budget` wrapped lines, then `more(n)` for the n left out.

    A single line longer than the whole budget is cut at a word boundary with "…" (the
    full text stays in the builder and the exports).
    """
    budget = max(1, budget)
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        need = wrapped_lines(line, width_chars)
        rest = len(lines) - index - 1
        room = budget - used - (1 if rest else 0)  # keep a line for "and N more" while more follow
        if need <= room:
            kept.append(line)
            used += need
            continue
        if not kept and room >= 1:  # nothing shown yet: show the start of this one rather than nothing
            words = textwrap.wrap(line, width_chars, break_long_words=True)[:room]
            kept.append(" ".join(words).rstrip(" ,;:.") + "…")
            used += room
            rest = len(lines) - index - 1
        else:
            rest = len(lines) - index
        if rest:
            kept.append(more(rest))
        return tuple(kept)
    return tuple(kept)


def board_budget(count: int, body: int) -> tuple[int, int]:
    """(lines per quadrant, characters per line) for a board of `count` quadrants in `body` px."""
    columns = _board_columns(count)
    rows = math.ceil(count / columns) if count else 1
    box_h = (body - (rows - 1) * BOARD_GAP) / rows
    lines = int((box_h - 2 * BOARD_PAD - BOARD_HEAD) // BOARD_LINE)
    box_w = (CONTENT_W - (columns - 1) * BOARD_GAP) / columns
    return max(1, lines), chars_per_line(box_w - 2 * BOARD_PAD - BOARD_BULLET, BOARD_PX)


def fit_board(board: Board, body: int, more: Callable[[int], str]) -> Board:
    """The board with each quadrant cut to what fits in `body` px, the rest counted ("and 4 more")."""
    lines, width = board_budget(len(board.quadrants), body)
    return Board(tuple((heading, fit_lines(items, lines, width, more)) for heading, items in board.quadrants), board.colors)


# ---- tables: first rows and columns -------------------------------------------------------------


def fit_table(frame: pd.DataFrame, body: int) -> tuple[pd.DataFrame, int, int]:
    """(the rows and columns that fit in `body` px at 18 px, rows left out, columns left out)."""
    columns = list(frame.columns[:TABLE_MAX_COLUMNS])
    hidden_columns = len(frame.columns) - len(columns)
    shown = frame[columns]
    width = chars_per_line(CONTENT_W / max(1, len(columns)) - 16, TABLE_PX)

    def row_height(values: Sequence[object]) -> int:
        lines = max((wrapped_lines(str(v), width) for v in values), default=1)
        return TABLE_ROW + (lines - 1) * TABLE_LINE

    budget = body - row_height([str(c) for c in columns]) - SOURCE_LINE  # the header, and the "N more rows" line
    used, count = 0, 0
    for values in shown.itertuples(index=False):
        need = row_height(list(values))
        if used + need > budget:
            break
        used += need
        count += 1
    return shown.head(count), len(frame) - count, hidden_columns


# ---- text slides: the largest size that fits, else the first lines ----------------------------


def fit_text(text: str, body: int, more: Callable[[int], str]) -> tuple[int, str]:
    """(index into TEXT_SIZES, the text to show): the largest size that fits, else the 18 px floor with
    the first lines and `more(n)` for the n lines left out."""
    for index, (font, line) in enumerate(TEXT_SIZES):
        if wrapped_lines(text, chars_per_line(CONTENT_W, font)) * line <= body:
            return index, text
    index = len(TEXT_SIZES) - 1
    font, line = TEXT_SIZES[index]
    paragraphs = text.strip("\n").splitlines()
    return index, "\n".join(fit_lines(paragraphs, body // line, chars_per_line(CONTENT_W, font), more))
