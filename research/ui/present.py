"""Present page widgets: the deck builder, session mode, the presenter view, the decision log, exports and the monthly report.

The builder and session mode are two faces of one page. Session mode is the address
`?present=<deck id>&slide=<n>` (n counts from 1): the sidebar, header and every edit
control are hidden, one slide fills the screen (fitted by research/present/screen.py:
long boards, tables and texts are summarised, never shrunk below 18 px at 720p), and
the address follows each step so a reload (or a bookmark) stays on the slide. Adding
`&presenter=1` gives the presenter view: the current and the next slide, the speaker
notes, the counter and a clock. Speaker notes are drawn nowhere else in session mode.

Both windows follow the deck's live session (research/present/session.py): a step in
either one moves the session, and a fragment that reruns every second in each window
(`st.fragment(run_every=…)`) reads its one row and moves the window when the session
moved. Each window links to the other on the slide it shows.

Slides are drawn only from what each slide stored (its view and frozen parameters): no
filter widget can change a slide while it is on the shared screen. Controls that change
the workspace are grouped in functions whose names start with `_edit_`; `may_edit()` is
the one place that decides whether they are offered (the store refuses the writes anyway).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from research.errors import ValidationError, VantageError
from research.exports import safe_filename
from research.i18n import error_text, fmt_datetime, t
from research.present import decks, screen, session
from research.present import export as deck_export
from research.present import report as monthly
from research.present.model import Board, DecisionKind, DecisionStatus, RenderContext, SlideContent
from research.present.views import render_slide, view_label
from research.store import Store
from research.ui.actions import Notice, attempt, save_grid_edits
from research.ui.cache import data_version
from research.ui.context import actor, can, lang, option_labels, tr
from research.ui.text import escape_markdown
from research.ui.widgets import page_setup, show_error

PRESENT_PARAM = "present"
SLIDE_PARAM = "slide"
PRESENTER_PARAM = "presenter"
DECK_PARAM = "deck"
DECK_STATE = "present_deck_id"  # the chosen deck, kept while the picker is not drawn (session mode)
DECK_PICK = "present_deck_pick"
SECTION_KEY = "present_section"
SECTIONS = ("slides", "decisions", "export")
_NOTICE = Notice("present_flash", toast=True)  # a message to toast on the next run (after a write and st.rerun)
# The same for a step other windows could not follow (the sentence may quote user text).
_PROBLEM = Notice("present_flash_problem", toast=True, icon=":material/sync_problem:", escape=True)
# A refused decision of the session-mode form, shown under the bar (the popover closes when the form is submitted).
_DECISION_ERROR = Notice("present_decision_error")
_LOG_NOTICE = Notice("present_log_result")  # under the decision log: how its save went
_URL_SEEN = "present_url_deck_seen"
_JOINED = "present_session_joined"  # the deck this browser session follows (its step is read on arrival)
_SEEN = "present_session_seen"  # (deck id, step) of the live session this window last followed
_OPENED = "present_session_opened"  # when this window opened: the clock of a session that was never started
FOLLOW_SECONDS = 1.0  # how often each window looks whether the session moved (one indexed row)
PREVIEW_CHART_HEIGHT = 300
ChartWidth = Literal["stretch", "content"]  # how Streamlit sizes a chart: to its column, or by its spec
NEXT_CHART_HEIGHT = 190
# The shared screen is laid out for 1280×720 (research/present/screen.py) and larger screens
# zoom the whole layout (CSS `zoom`, in steps of min(width/1280, height/720)), so a 1920×1080
# projector shows the same slide 1.5× larger instead of a small chart in a sea of white.
_ZOOM_STEPS = ((1440, 810, 1.125), (1600, 900, 1.25), (1920, 1080, 1.5), (2560, 1440, 2.0), (3840, 2160, 3.0))
_CHROME = ('[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], '
           '[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], '
           '[data-testid="stStatusWidget"]')


def _shared_screen_css(*, page_title: bool = False) -> str:
    """Constant CSS only (never user text): no app chrome; the slide takes the height the control bar leaves.

    The page's main block becomes a column as tall as the window: the slide (`present_slide`)
    grows, its body (`present_body`) takes what the heading and source line leave, a chart is
    scaled down to that box if it is still taller (concatenated charts keep their own size),
    and the control bar (`present_nav`) stays at the bottom. `page_title`: also hide the page's
    own title (a presentation mode inside an ordinary page).
    """
    s = screen
    zoom = "\n".join(
        f'@media (min-width: {w}px) and (min-height: {h}px) {{ [data-testid="stMainBlockContainer"] {{ zoom: {z}; }} }}'
        for w, h, z in _ZOOM_STEPS
    )
    titles = "\n".join(
        f".st-key-present_head_{i} h1 {{ font-size: {font}px !important; line-height: {line}px !important; }}"
        for i, (font, line) in enumerate(s.TITLE_SIZES)
    )
    texts = "\n".join(
        f".st-key-present_slide .st-key-present_text_{i} [data-testid=\"stMarkdownContainer\"] p, "
        f".st-key-present_slide .st-key-present_text_{i} [data-testid=\"stMarkdownContainer\"] li {{ font-size: {font}px !important; "
        f"line-height: {line}px !important; margin: 0 !important; color: inherit; }}"
        for i, (font, line) in enumerate(s.TEXT_SIZES)
    )
    hide_title = ('[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > '
                  '[data-testid="stElementContainer"]:has(h1) { display: none !important; }') if page_title else ""
    return f"""
<style>
{_CHROME} {{ display: none !important; }}
[data-testid="stMain"] {{ margin-left: 0 !important; }}
[data-testid="stMainBlockContainer"] {{
  padding: {s.PAD_TOP}px {s.PAD_X}px {s.PAD_BOTTOM}px {s.PAD_X}px !important; max-width: 100% !important;
  height: 100%; box-sizing: border-box; display: flex; flex-direction: column;
}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {{ flex: 1 1 auto; min-height: 0; gap: {s.GAP}px; }}
{hide_title}
[data-testid="stLayoutWrapper"]:has(> .st-key-present_slide) {{ flex: 1 1 auto; }}
.st-key-present_slide {{ height: 100%; gap: {s.GAP}px; flex-wrap: nowrap; }}
.st-key-present_slide h1 {{ padding: 0 !important; margin: 0 !important; }}
/* Streamlit pulls each text block up by 1rem (a negative bottom margin); the layout counts real heights */
.st-key-present_slide [data-testid="stMarkdownContainer"], .st-key-present_slide [data-testid="stCaptionContainer"],
.st-key-present_nav [data-testid="stMarkdownContainer"] {{ margin-bottom: 0 !important; }}
.st-key-present_slide ul, .st-key-present_slide ol {{ margin: 0 !important; padding-left: 1.3em !important; }}
[class*="st-key-present_head_"] {{ gap: {s.GAP}px; }}
[class*="st-key-present_head_"] [data-testid="stMarkdownContainer"] p {{
  font-size: {s.SUBTITLE_PX}px !important; line-height: {s.SUBTITLE_LINE}px !important; margin: 0 !important; color: #3E4C59;
}}
{titles}
.st-key-present_head_title h1 {{ font-size: 52px !important; line-height: 60px !important; }}
.st-key-present_slide:has(.st-key-present_head_title) {{ justify-content: center; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-present_body) {{ flex: 1 1 auto; }}
.st-key-present_body > [data-testid="stLayoutWrapper"] {{ flex: 1 1 auto; }}
.st-key-present_body {{ height: 100%; gap: {s.GAP}px; }}
.st-key-present_body [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) {{
  flex: 1 1 0; min-height: 0; height: 100%;
}}
.st-key-present_body [data-testid="stFullScreenFrame"], .st-key-present_body [data-testid="stFullScreenFrame"] > div,
.st-key-present_body [data-testid="stVegaLiteChart"] {{ height: 100%; max-height: 100%; }}
.st-key-present_body [data-testid="stVegaLiteChart"] svg.marks {{
  max-height: 100%; max-width: 100%; width: auto !important; height: auto !important;
}}
{texts}
.st-key-present_board {{ height: 100%; gap: {s.BOARD_GAP}px; }}
.st-key-present_board > [data-testid="stLayoutWrapper"] {{ flex: 1 1 0; }}
.st-key-present_board [data-testid="stHorizontalBlock"] {{ height: 100%; gap: {s.BOARD_GAP}px; }}
.st-key-present_board [data-testid="stColumn"] {{ padding: {s.BOARD_PAD - 1}px !important; }}
.st-key-present_board [data-testid="stMarkdownContainer"] p,
.st-key-present_board [data-testid="stMarkdownContainer"] li {{
  font-size: {s.BOARD_PX}px !important; line-height: {s.BOARD_LINE}px !important; margin: 0 !important;
}}
.st-key-present_board [data-testid="stMarkdownContainer"] p:first-child {{ margin-bottom: 8px !important; font-size: 22px !important; }}
.st-key-present_table td, .st-key-present_table th {{ font-size: {s.TABLE_PX}px !important; }}
.st-key-present_slide [data-testid="stCaptionContainer"] p {{
  font-size: {s.SOURCE_PX}px !important; line-height: {s.SOURCE_LINE}px !important; margin: 0 !important;
}}
.st-key-present_nav {{ border-top: 1px solid #D9DEE3; padding-top: 6px; flex: 0 0 auto; }}
.st-key-present_nav [data-testid="stMarkdownContainer"] p {{ font-size: 20px !important; font-weight: 600; margin: 0; }}
{zoom}
</style>
"""


SESSION_CSS = _shared_screen_css()
PRESENTATION_MODE_CSS = _shared_screen_css(page_title=True)
PRESENTER_CSS = f"""
<style>
{_CHROME} {{ display: none !important; }}
[data-testid="stMain"] {{ margin-left: 0 !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 0.8rem 1.5rem 0.8rem 1.5rem !important; max-width: 100% !important; }}
.st-key-present_speaker_notes [data-testid="stMarkdownContainer"] p,
.st-key-present_speaker_notes [data-testid="stMarkdownContainer"] li {{ font-size: 1.35rem !important; line-height: 1.4 !important; }}
.st-key-present_presenter_bar [data-testid="stMarkdownContainer"] p,
.st-key-present_clock [data-testid="stMarkdownContainer"] p {{ font-size: 1.25rem !important; font-weight: 600; margin: 0; }}
</style>
"""


def may_edit(store: Store) -> bool:
    """Whether this session is offered controls that change the workspace (the store refuses writes anyway)."""
    return not store.read_only and can("write")


# ---- rendering ---------------------------------------------------------------------------


@st.cache_data(max_entries=128, ttl=900, show_spinner=False)
def _cached_content(
    _store: Store, database: str, version: tuple[int, int], slide: decks.Slide, language: str, viewer: Any,
    presenting: bool,
) -> SlideContent:
    # Keyed on the workspace file and its data version (every audited write bumps it),
    # so an edit anywhere shows on the next run; the store itself is not hashed.
    return render_slide(_store, slide, RenderContext(language, viewer=viewer or None, presenting=presenting))


def slide_content(
    store: Store, slide: decks.Slide, *, presenting: bool, version: tuple[int, int] | None = None,
) -> SlideContent:
    """A slide drawn from its stored view and parameters, once per data version, language and viewer.

    `version`: research.ui.cache.data_version, when the caller already read it for this run.
    """
    version = data_version(store) if version is None else version
    return _cached_content(store, store.database, version, slide, lang(), actor(), presenting)


_COMPOSED = ("hconcat", "vconcat", "concat", "facet", "repeat")
# Chart text on the shared screen: at least these sizes (px at 1280×720), whatever the chart's theme says.
_SCREEN_FONTS = {
    "axis": {"labelFontSize": 16, "titleFontSize": 17},
    "legend": {"labelFontSize": 16, "titleFontSize": 17},
    "header": {"labelFontSize": 16, "titleFontSize": 17},
    "text": {"fontSize": 16},
}


def _composed(spec: Mapping[str, Any]) -> bool:
    """A concatenation, facet or repeat: it keeps its own size (Vega-Lite cannot fit those to a box)."""
    if any(k in spec for k in _COMPOSED):
        return True
    encodings = [spec.get("encoding") or {}, *((layer.get("encoding") or {}) for layer in spec.get("layer") or ())]
    return any(k in enc for enc in encodings for k in ("row", "column", "facet"))


def _screen_config(config: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(config)
    for part, sizes in _SCREEN_FONTS.items():
        current = dict(out.get(part) or {})
        for name, size in sizes.items():
            current[name] = max(float(current.get(name) or 0), size)
        out[part] = current
    return out


def _chart_spec(spec: Mapping[str, Any], *, presenting: bool, height: int) -> tuple[dict[str, Any], ChartWidth]:
    """The spec to draw (without its title: the slide shows it) and the Streamlit width mode.

    On the shared screen a single or layered view is fitted to the slide's body box, `height`
    px tall (`autosize: fit` counts axes and legend in), with readable text; a preview is
    `height` px tall and as wide as its column.
    """
    shown = {k: v for k, v in spec.items() if k != "title"}
    if _composed(shown):
        return shown, "content"
    if not presenting:
        shown["height"] = height
        return shown, "stretch"
    shown["width"], shown["height"] = screen.CONTENT_W, height
    shown["autosize"] = {"type": "fit", "contains": "padding"}
    shown["config"] = _screen_config(shown.get("config") or {})
    return shown, "content"


def _text_markdown(text: str) -> str:
    """Typed slide text shown literally; lines starting with "- " or "* " become bullets."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped[:2] in ("- ", "* ", "• "):
            lines.append(f"- {escape_markdown(stripped[2:].strip())}")
        elif stripped:
            if lines and lines[-1].startswith("- "):
                lines.append("")  # a plain line after a bullet stays a line of its own, not part of the bullet
            lines.append(f"{escape_markdown(stripped)}  ")
        else:
            lines.append("")
    return "\n".join(lines)


def draw_slide(content: SlideContent, kind: str, *, key: str, chart_height: int | None = None) -> None:
    """A slide's preview (builder cards, presenter view): text, chart, board or table; "data no longer available"
    when its data is gone. The shared screen draws slides with `draw_screen_slide` instead."""
    if content.subtitle:
        st.caption(escape_markdown(content.subtitle))
    if content.missing:
        st.warning(tr("present.data_gone"), icon=":material/link_off:")
        return
    if content.text:
        st.markdown(_text_markdown(content.text))
    if content.chart is not None:
        spec, width = _chart_spec(content.chart, presenting=False, height=chart_height or PREVIEW_CHART_HEIGHT)
        st.vega_lite_chart(spec=spec, theme=None, width=width, key=f"{key}_chart")
    elif content.board is not None:
        _draw_board(content.board, key=f"{key}_board")
    elif content.table is not None and not content.table.empty:
        st.dataframe(content.table, hide_index=True, key=f"{key}_table")
    if content.source:
        st.caption(escape_markdown(tr("present.slide.source", source=content.source)))


def _draw_board(board: Board, *, key: str) -> None:
    quadrants = board.quadrants
    per_row = 2 if len(quadrants) == 4 else max(1, min(len(quadrants), 4))
    with st.container(key=key):
        for start in range(0, len(quadrants), per_row):
            cols = st.columns(per_row, border=True)
            for col, (heading, lines) in zip(cols, quadrants[start:start + per_row]):
                bullets = "\n".join(f"- {escape_markdown(line)}" for line in lines)
                col.markdown(f"**{escape_markdown(heading)}**\n\n{bullets}")


def _shown_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing cells as "–" on a shared screen (never "None")."""
    shown = frame.astype(object)
    return shown.where(shown.notna(), "–")


def _text_is_body(content: SlideContent, kind: str) -> bool:
    has_table = content.table is not None and not content.table.empty
    return kind in ("text", "title") or (content.chart is None and content.board is None and not has_table)


def draw_screen_slide(content: SlideContent, kind: str, *, key: str, title_in_chart: bool = False) -> None:
    """One slide fitted to the shared screen: the heading, a body that takes what the heading, the source line
    and the control bar leave, and the source. What does not fit at a readable size is summarised with
    "and N more" (research/present/screen.py). A title slide is its title and text, centred.
    `title_in_chart`: the chart draws its own title and subtitle (the Competitors page's board), so the
    slide has no heading."""
    text_is_body = _text_is_body(content, kind)
    heading = content if not title_in_chart else SlideContent("", source=content.source)
    frame = screen.frame_for(heading, text_is_body=text_is_body)
    title_slide = kind == "title"
    with st.container(key="present_slide"):
        if not title_in_chart:
            size = "title" if title_slide and frame.title_size == 0 else frame.title_size
            with st.container(key=f"present_head_{size}"):
                st.markdown(f"# {escape_markdown(content.title or tr('present.slide.untitled'))}")
                if content.subtitle.strip():
                    st.markdown(escape_markdown(content.subtitle))
                if content.text.strip() and not text_is_body:
                    st.markdown(escape_markdown(content.text))
                if title_slide:  # one block in the middle of the screen (the larger title takes ~13 px more)
                    _draw_screen_text(content.text, frame.body - 13)
        if not title_slide:
            with st.container(key="present_body"):
                _draw_screen_body(content, frame, text_is_body=text_is_body, key=key, title_in_chart=title_in_chart)
        if content.source:
            st.caption(escape_markdown(tr("present.slide.source", source=content.source)))


def _draw_screen_body(
    content: SlideContent, frame: screen.SlideFrame, *, text_is_body: bool, key: str, title_in_chart: bool,
) -> None:
    if content.missing:
        st.warning(tr("present.data_gone"), icon=":material/link_off:")
    elif text_is_body:
        _draw_screen_text(content.text, frame.body)
    elif content.chart is not None:
        width: ChartWidth = "content"  # a chart that carries its own title is drawn as composed
        spec = dict(content.chart)
        if not title_in_chart:
            spec, width = _chart_spec(content.chart, presenting=True, height=screen.chart_height(frame))
        st.vega_lite_chart(spec=spec, theme=None, width=width, key=f"{key}_chart")
    elif content.board is not None:
        board = screen.fit_board(content.board, frame.body, lambda n: tr("present.session.more", count=n))
        _draw_board(board, key="present_board")
    elif content.table is not None:
        _draw_screen_table(content.table, frame.body)


def _draw_screen_text(text: str, body: int) -> None:
    """Typed text at the largest size that fits (18 px at least), else its first lines and "and N more lines"."""
    if not text.strip():
        return
    size, shown = screen.fit_text(text, body, lambda n: tr("present.session.more_lines", count=n))
    with st.container(key=f"present_text_{size}"):
        st.markdown(_text_markdown(shown))


def _draw_screen_table(table: pd.DataFrame, body: int) -> None:
    shown, rows_left, columns_left = screen.fit_table(table, body)
    with st.container(key="present_table"):
        st.table(_shown_cells(shown), hide_index=True)
    left = [tr("present.session.more_rows", count=rows_left)] if rows_left else []
    left += [tr("present.session.more_columns", count=columns_left)] if columns_left else []
    if left:
        st.markdown(escape_markdown(" · ".join(left)))


# ---- session mode ------------------------------------------------------------------------


def presenting_deck() -> int | None:
    """The deck id of `?present=<id>`, or None when the page is in builder mode."""
    raw = st.query_params.get(PRESENT_PARAM, "")
    return int(raw) if raw.isdigit() else None


def session_setup() -> Store:
    """page_setup without the sidebar and the page title: the shared screen shows only the slide."""
    return page_setup("present", chrome=False)


def _drives(store: Store) -> bool:
    """Whether this window's steps move the deck's live session (a write), so other windows follow."""
    return may_edit(store)


def _session_link(deck_id: int, number: int, *, presenter: bool) -> str:
    """The address of the other window (relative to this page), on the slide this one shows."""
    params = {PRESENT_PARAM: deck_id, SLIDE_PARAM: number, **({PRESENTER_PARAM: 1} if presenter else {}), "lang": lang()}
    return f"?{urlencode(params)}"


def _go(store: Store, deck_id: int, number: int) -> None:
    st.query_params[SLIDE_PARAM] = str(number)
    if not _drives(store):
        return
    try:
        live = session.move_to(store, actor(), deck_id, number)
    except VantageError as e:  # e.g. two windows stepping at the same instant: this one still moves
        _PROBLEM.leave(tr("present.session.not_followed", message=error_text(e, lang())[1]))
        return
    st.session_state[_SEEN] = (deck_id, live.step)


def _start(store: Store, deck_id: int) -> None:
    st.query_params[PRESENT_PARAM] = str(deck_id)
    st.query_params[SLIDE_PARAM] = "1"
    st.session_state.pop(_JOINED, None)  # arriving: note where the live session stands
    st.session_state.pop(_OPENED, None)
    if not _drives(store):
        return
    try:
        live = session.start(store, actor(), deck_id)
    except VantageError as e:
        _PROBLEM.leave(tr("present.session.not_followed", message=error_text(e, lang())[1]))
        return
    st.session_state[_JOINED] = deck_id
    st.session_state[_SEEN] = (deck_id, live.step)


def _restart_clock(store: Store, deck_id: int, number: int) -> None:
    st.session_state[_OPENED] = dt.datetime.now()
    try:
        live = session.start(store, actor(), deck_id, number)
    except VantageError as e:
        _PROBLEM.leave(tr("present.session.not_followed", message=error_text(e, lang())[1]))
        return
    st.session_state[_SEEN] = (deck_id, live.step)


def _exit(deck_id: int) -> None:
    for name in (PRESENT_PARAM, SLIDE_PARAM, PRESENTER_PARAM):
        if name in st.query_params:
            del st.query_params[name]
    st.query_params[DECK_PARAM] = str(deck_id)
    st.session_state[DECK_STATE] = deck_id
    st.session_state.pop(_JOINED, None)


def _slide_number(store: Store, deck_id: int, total: int) -> int:
    """The slide of `?slide=` clamped to the deck; the address is corrected to what is shown.

    Arriving (a link, a reload), a window notes where the live session stands, so that it
    follows the session's next move, not an old one.
    """
    if st.session_state.get(_JOINED) != deck_id:
        st.session_state[_JOINED] = deck_id
        live = session.current(store, deck_id)
        st.session_state[_SEEN] = (deck_id, live.step if live else 0)
    raw = st.query_params.get(SLIDE_PARAM, "1")
    number = max(1, min(total, int(raw) if raw.isdigit() else 1))
    if st.query_params.get(SLIDE_PARAM) != str(number):
        st.query_params[SLIDE_PARAM] = str(number)
    return number


@st.fragment(run_every=FOLLOW_SECONDS)
def _follow(store: Store, deck_id: int, total: int, clock: bool) -> None:
    """Every second: move this window when the deck's session moved elsewhere; the presenter's clock."""
    live = session.current(store, deck_id)
    if live is not None and st.session_state.get(_SEEN) != (deck_id, live.step):
        st.session_state[_SEEN] = (deck_id, live.step)
        target = str(live.shown(total))
        if st.query_params.get(SLIDE_PARAM) != target:
            st.query_params[SLIDE_PARAM] = target
            st.rerun()  # the whole page: the other slide
    if clock:
        now = dt.datetime.now()
        opened = st.session_state.setdefault(_OPENED, now)
        # A session nobody moved for hours is over: the clock runs from when this window opened.
        started = live.started_at if live is not None and live.running(now) else opened
        st.markdown(tr("present.presenter.elapsed", time=session.fmt_elapsed(max(dt.timedelta(0), now - started))))


def session_mode(store: Store, deck_id: int) -> None:
    """The shared screen (one fitted slide, previous/next, counter, the decision form, Exit) or, with
    `&presenter=1`, the presenter view; both follow the deck's live session."""
    presenter = st.query_params.get(PRESENTER_PARAM) == "1"
    st.html(PRESENTER_CSS if presenter else SESSION_CSS)
    _NOTICE.show()
    _PROBLEM.show()
    try:
        deck = decks.get_deck(store, deck_id)
    except VantageError:
        st.warning(tr("present.session.gone"), icon=":material/link_off:")
        st.button(tr("present.session.exit"), key="present_exit", on_click=_exit, args=(deck_id,), icon=":material/close:")
        return
    slides = decks.list_slides(store, deck.id)
    if not slides:
        st.info(tr("present.session.empty"))
        st.button(tr("present.session.exit"), key="present_exit", on_click=_exit, args=(deck.id,), icon=":material/close:")
        return
    number = _slide_number(store, deck.id, len(slides))
    slide = slides[number - 1]
    content = slide_content(store, slide, presenting=True)
    if presenter:
        _presenter_view(store, deck, slides, number, content)
    else:
        draw_screen_slide(content, slide.kind, key=f"present_session_{slide.id}")
        with st.container(horizontal=True, vertical_alignment="center", key="present_nav"):
            _step_buttons(store, deck.id, number, len(slides))
            st.space("stretch")
            st.link_button(tr("present.session.presenter"), _session_link(deck.id, number, presenter=True),
                           icon=":material/co_present:", help=tr("present.session.presenter_help"))
            if may_edit(store):
                _edit_record_decision(store, deck.id, slide.id, content.links)
            st.button(tr("present.session.exit"), key="present_exit", on_click=_exit, args=(deck.id,), icon=":material/close:")
        _follow(store, deck.id, len(slides), False)
    _DECISION_ERROR.show()  # under the bar, not in the popover


def _step_buttons(store: Store, deck_id: int, number: int, total: int) -> None:
    st.button(tr("present.session.prev"), key="present_prev", icon=":material/chevron_left:", disabled=number == 1,
              on_click=_go, args=(store, deck_id, number - 1), shortcut="PageUp")
    st.markdown(tr("present.session.counter", n=number, total=total))
    st.button(tr("present.session.next"), key="present_next", icon=":material/chevron_right:", type="primary",
              disabled=number == total, on_click=_go, args=(store, deck_id, number + 1), shortcut="PageDown")


def _presenter_view(
    store: Store, deck: decks.Deck, slides: list[decks.Slide], number: int, content: SlideContent,
) -> None:
    """The presenter's window: controls, counter and clock; the slide on screen; the notes and the next slide."""
    slide = slides[number - 1]
    following = slides[number] if number < len(slides) else None
    with st.container(horizontal=True, vertical_alignment="center", key="present_presenter_bar"):
        _step_buttons(store, deck.id, number, len(slides))
        st.space("stretch")
        st.link_button(tr("present.presenter.audience"), _session_link(deck.id, number, presenter=False),
                       icon=":material/open_in_new:", help=tr("present.presenter.audience_help"))
        if may_edit(store):
            _edit_record_decision(store, deck.id, slide.id, content.links)
        st.button(tr("present.session.exit"), key="present_exit", on_click=_exit, args=(deck.id,), icon=":material/close:")
    if not _drives(store):
        st.caption(tr("present.presenter.alone"))
    now, side = st.columns([3, 2], gap="large")
    with now:
        title = content.title or tr("present.slide.untitled")
        st.markdown(f"**{escape_markdown(tr('present.presenter.now', title=title))}**")
        with st.container(border=True, key="present_current"):
            draw_slide(content, slide.kind, key=f"present_current_{slide.id}")
    with side:
        with st.container(horizontal=True, vertical_alignment="center", key="present_clock"):
            _follow(store, deck.id, len(slides), True)
            if _drives(store):
                st.button(tr("present.presenter.restart"), key="present_restart", icon=":material/restart_alt:",
                          on_click=_restart_clock, args=(store, deck.id, number))
        st.markdown(f"**{escape_markdown(tr('present.presenter.notes'))}**")
        with st.container(border=True, key="present_speaker_notes"):
            if slide.notes.strip():
                st.markdown(_text_markdown(slide.notes))
            else:
                st.caption(tr("present.presenter.no_notes"))
        if following is None:
            st.caption(tr("present.presenter.last"))
        else:
            upcoming = slide_content(store, following, presenting=True)
            title = upcoming.title or tr("present.slide.untitled")
            st.markdown(f"**{escape_markdown(tr('present.presenter.next', title=title))}**")
            with st.container(border=True, key="present_upcoming"):
                draw_slide(upcoming, following.kind, key=f"present_upcoming_{following.id}", chart_height=NEXT_CHART_HEIGHT)


def _edit_record_decision(store: Store, deck_id: int, slide_id: int, links: Mapping[str, int]) -> None:
    """A compact form under the slide: the entry links to the slide and to the competitor/segment it shows."""
    with st.popover(tr("present.decision.record"), icon=":material/gavel:"):
        with st.form("present_decision_form", border=False):
            st.radio(tr("present.decision.kind"), list(DecisionKind), horizontal=True, key="present_decision_kind",
                     format_func=option_labels("present.decision.kind"))
            st.text_area(tr("present.decision.text"), key="present_decision_text", max_chars=decks.DECISION_MAX, height=90)
            cols = st.columns(2)
            cols[0].text_input(tr("present.decision.owner"), key="present_decision_owner", max_chars=decks.NAME_MAX)
            cols[1].date_input(tr("present.decision.due"), value=None, key="present_decision_due", format="YYYY-MM-DD")
            st.form_submit_button(tr("present.decision.save"), key="present_decision_submit", type="primary",
                                  on_click=_record_decision, args=(store, deck_id, slide_id, dict(links)))


def _record_decision(store: Store, deck_id: int, slide_id: int, links: dict[str, int]) -> None:
    # A callback: it runs before the rerun, so the form can be emptied after a success
    # and keeps what was typed after a refusal.
    state = st.session_state
    try:
        decks.add_decision(
            store, actor(), deck_id, state.get("present_decision_text", ""), kind=state.get("present_decision_kind", "decision"),
            owner=state.get("present_decision_owner"), due_date=state.get("present_decision_due"), slide_id=slide_id,
            competitor_id=links.get("competitor_id"), segment_id=links.get("segment_id"),
        )
    except VantageError as e:
        _DECISION_ERROR.leave(e)
        return
    state["present_decision_text"] = ""
    state["present_decision_owner"] = ""
    state["present_decision_due"] = None
    _NOTICE.leave(tr("present.decision.recorded"))


# ---- builder: decks ----------------------------------------------------------------------


def _open_deck(deck: decks.Deck) -> None:
    st.session_state[DECK_STATE] = deck.id


def _url_deck() -> int | None:
    raw = st.query_params.get(DECK_PARAM, "")
    return int(raw) if raw.isdigit() else None


def _keep_deck() -> None:
    st.session_state[DECK_STATE] = st.session_state[DECK_PICK]


def choose_deck(store: Store) -> decks.Deck | None:
    """The deck picker (remembered in the session and in `?deck=`), with the new-deck form; None when there is none."""
    _NOTICE.show()
    every = {d.id: d for d in decks.list_decks(store, include_archived=True)}
    wanted = _url_deck()
    if wanted is not None and st.session_state.get(_URL_SEEN) != wanted:
        # A link (or a reload) names a deck: open it, showing archived decks if it is one.
        st.session_state[_URL_SEEN] = wanted
        if wanted in every:
            st.session_state[DECK_STATE] = wanted
            if every[wanted].archived:
                st.session_state["present_show_archived"] = True
        else:
            st.warning(tr("present.deck.unknown_link"), icon=":material/link_off:")
    show_archived = False
    if any(d.archived for d in every.values()):
        show_archived = st.toggle(tr("present.deck.show_archived"), key="present_show_archived")
    available = [d for d in every.values() if show_archived or not d.archived]
    by_id = {d.id: d for d in available}
    if not available:
        st.info(tr("present.deck.none"), icon=":material/slideshow:")
        if may_edit(store):
            _edit_new_deck(store, expanded=True)
        return None
    if st.session_state.get(DECK_STATE) not in by_id:
        st.session_state[DECK_STATE] = available[0].id
    st.session_state[DECK_PICK] = st.session_state[DECK_STATE]
    language = lang()

    def label(deck_id: int) -> str:
        deck = by_id[deck_id]
        key = "present.deck.option_archived" if deck.archived else "present.deck.option"
        return t(key, language, name=deck.name, count=deck.slide_count)

    cols = st.columns([4, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox(tr("present.deck.choose"), list(by_id), format_func=label, key=DECK_PICK, on_change=_keep_deck)
    deck = by_id[chosen]
    cols[1].button(tr("present.present"), key="present_start", type="primary", icon=":material/slideshow:",
                   help=tr("present.present_help"), on_click=_start, args=(store, deck.id), width="stretch",
                   disabled=deck.slide_count == 0)
    if st.query_params.get(DECK_PARAM) != str(deck.id):
        st.query_params[DECK_PARAM] = str(deck.id)
        st.session_state[_URL_SEEN] = deck.id
    if deck.description:
        st.caption(escape_markdown(deck.description))
    if deck.archived:
        st.info(tr("present.deck.is_archived"), icon=":material/inventory_2:")
    if may_edit(store):
        _edit_new_deck(store, expanded=False)
        _edit_deck_settings(store, deck)
    return deck


def _edit_new_deck(store: Store, *, expanded: bool) -> None:
    with st.expander(tr("present.deck.new"), expanded=expanded, icon=":material/add:"):
        with st.form("present_new_deck", border=False):
            name = st.text_input(tr("present.deck.name"), key="present_new_name", max_chars=decks.NAME_MAX)
            description = st.text_area(tr("present.deck.description"), key="present_new_description", height=80)
            if st.form_submit_button(tr("present.deck.create"), key="present_new_submit", type="primary"):
                attempt(lambda: decks.create_deck(store, actor(), name, description),
                        lambda deck: tr("present.deck.created", name=deck.name), then=_open_deck, notice=_NOTICE)


def _edit_deck_settings(store: Store, deck: decks.Deck) -> None:
    with st.expander(tr("present.deck.settings"), icon=":material/settings:"):
        with st.form(f"present_deck_form_{deck.id}", border=False):
            name = st.text_input(tr("present.deck.name"), value=deck.name, max_chars=decks.NAME_MAX,
                                 key=f"present_deck_name_{deck.id}_{deck.version}")
            description = st.text_area(tr("present.deck.description"), value=deck.description, height=80,
                                       key=f"present_deck_description_{deck.id}_{deck.version}")
            if st.form_submit_button(tr("present.deck.save"), key="present_deck_save"):
                attempt(lambda: decks.update_deck(store, actor(), deck.id, deck.version, name=name, description=description),
                        tr("present.deck.saved"), notice=_NOTICE)
        cols = st.columns([3, 1], vertical_alignment="bottom")
        copy_name = cols[0].text_input(tr("present.deck.duplicate_name"), value=tr("present.deck.copy_of", name=deck.name),
                                       max_chars=decks.NAME_MAX, key=f"present_copy_name_{deck.id}")
        if cols[1].button(tr("present.deck.duplicate"), key="present_duplicate", icon=":material/content_copy:", width="stretch"):
            attempt(lambda: decks.duplicate_deck(store, actor(), deck.id, copy_name),
                    lambda copy: tr("present.deck.duplicated", name=copy.name), then=_open_deck, notice=_NOTICE)
        with st.container(horizontal=True):
            archive_label = tr("present.deck.unarchive") if deck.archived else tr("present.deck.archive")
            if st.button(archive_label, key="present_archive", icon=":material/inventory_2:"):
                done = tr("present.deck.unarchived") if deck.archived else tr("present.deck.archived")
                attempt(lambda: decks.update_deck(store, actor(), deck.id, deck.version, archived=not deck.archived), done,
                        notice=_NOTICE)
            if st.button(tr("present.deck.delete"), key="present_delete", icon=":material/delete:"):
                st.session_state["present_delete_deck"] = (deck.id, deck.version)
        if st.session_state.get("present_delete_deck", (None,))[0] == deck.id:
            _edit_confirm_delete_deck(store, deck)


def _edit_confirm_delete_deck(store: Store, deck: decks.Deck) -> None:
    _, loaded_version = st.session_state["present_delete_deck"]
    n_decisions = len(decks.list_decisions(store, deck_id=deck.id))
    st.warning(tr("present.deck.delete_confirm", name=deck.name, slides=deck.slide_count, decisions=n_decisions),
               icon=":material/warning:")
    with st.container(horizontal=True):
        if st.button(tr("present.deck.delete_yes"), key="present_delete_yes", type="primary"):
            st.session_state.pop("present_delete_deck", None)
            attempt(lambda: decks.delete_deck(store, actor(), deck.id, expected_version=loaded_version),
                    tr("present.deck.deleted", name=deck.name), then=_forget_deck, notice=_NOTICE)
        if st.button(tr("present.cancel"), key="present_delete_cancel"):
            st.session_state.pop("present_delete_deck", None)
            st.rerun()


def _forget_deck(_batch: object) -> None:
    st.session_state.pop(DECK_STATE, None)
    if DECK_PARAM in st.query_params:
        del st.query_params[DECK_PARAM]


# ---- builder: slides ---------------------------------------------------------------------


def section() -> str:
    """Slides, decision log or export."""
    st.session_state.setdefault(SECTION_KEY, "slides")
    return st.segmented_control(tr("present.section"), SECTIONS, key=SECTION_KEY, format_func=option_labels("present.section"),
                                label_visibility="collapsed") or "slides"


def slide_list(store: Store, deck: decks.Deck) -> None:
    """Every slide with its position, kind, title and a live preview; reorder, edit and delete controls."""
    slides = decks.list_slides(store, deck.id)
    if not slides:
        st.info(tr("present.slides.empty"), icon=":material/post_add:")
    editable = may_edit(store)
    kinds = option_labels("present.kind")
    version = data_version(store)  # one read for every preview of this run
    for number, slide in enumerate(slides, start=1):
        content = slide_content(store, slide, presenting=False, version=version)
        with st.container(border=True, key=f"present_card_{slide.id}"):
            head = st.columns([8, 1, 1, 1, 1], vertical_alignment="center")
            title = content.title or slide.title or tr("present.slide.untitled")
            head[0].markdown(f"**{escape_markdown(tr('present.slide.heading', position=number, title=title))}** · "
                             f"{escape_markdown(kinds(slide.kind))}")
            if editable:
                _edit_slide_buttons(store, slide, number, len(slides), head[1:])
            draw_slide(content, slide.kind, key=f"present_preview_{slide.id}")
            if slide.notes:
                st.caption(escape_markdown(tr("present.slide.notes_shown", notes=slide.notes)))
            if editable:
                _edit_slide_forms(store, slide, content, number, title)
    if editable:
        _edit_add_slide(store, deck)


def _edit_slide_buttons(store: Store, slide: decks.Slide, number: int, total: int, cols: list[Any]) -> None:
    if cols[0].button("", key=f"present_up_{slide.id}", icon=":material/arrow_upward:", help=tr("present.slide.up"),
                      disabled=number == 1):
        attempt(lambda: decks.move_slide(store, actor(), slide.id, -1), tr("present.slide.saved"), notice=_NOTICE)
    if cols[1].button("", key=f"present_down_{slide.id}", icon=":material/arrow_downward:", help=tr("present.slide.down"),
                      disabled=number == total):
        attempt(lambda: decks.move_slide(store, actor(), slide.id, 1), tr("present.slide.saved"), notice=_NOTICE)
    if cols[2].button("", key=f"present_edit_{slide.id}", icon=":material/edit:", help=tr("present.slide.edit")):
        editing = st.session_state.get("present_editing")
        st.session_state["present_editing"] = None if editing and editing[0] == slide.id else (slide.id, slide.version)
    if cols[3].button("", key=f"present_del_{slide.id}", icon=":material/delete:", help=tr("present.slide.delete")):
        st.session_state["present_delete_slide"] = (slide.id, slide.version)


def _own_title(slide: decks.Slide, content: SlideContent) -> str:
    """The title someone typed for a view slide, "" when it shows its view's own (automatic) title."""
    if slide.kind != "view" or content.missing or not content.view_title:
        return slide.title
    return slide.title if slide.title and content.title != content.view_title else ""


def _edit_slide_forms(store: Store, slide: decks.Slide, content: SlideContent, number: int, title: str) -> None:
    editing = st.session_state.get("present_editing")
    if editing and editing[0] == slide.id:
        loaded_version = editing[1]
        view = slide.kind == "view" and not content.missing and bool(content.view_title)
        automatic = content.view_title
        with st.form(f"present_slide_form_{slide.id}"):
            # A view slide's title field is empty while the slide shows its view's own title, drawn in each
            # viewer's language ("(automatic)"); clearing a typed title goes back to it.
            typed = st.text_input(tr("present.slide.title"), value=_own_title(slide, content), max_chars=decks.TITLE_MAX,
                                  key=f"present_slide_title_{slide.id}",
                                  placeholder=tr("present.slide.title_automatic", title=automatic) if view else None,
                                  help=tr("present.slide.title_help") if slide.kind == "view" else None)
            new_title = decks.stored_title(typed, automatic) if view else typed
            body = None
            if slide.kind in ("text", "title"):
                body = st.text_area(tr("present.slide.body"), value=slide.body, max_chars=decks.TEXT_MAX,
                                    key=f"present_slide_body_{slide.id}")
            notes = st.text_area(tr("present.slide.notes"), value=slide.notes, max_chars=decks.TEXT_MAX,
                                 key=f"present_slide_notes_{slide.id}")
            if st.form_submit_button(tr("present.slide.save"), key=f"present_slide_save_{slide.id}", type="primary"):
                st.session_state["present_editing"] = None
                attempt(lambda: decks.update_slide(store, actor(), slide.id, loaded_version, title=new_title, body=body,
                                                   notes=notes), tr("present.slide.saved"), notice=_NOTICE)
    deleting = st.session_state.get("present_delete_slide")
    if deleting and deleting[0] == slide.id:
        st.warning(tr("present.slide.delete_confirm", position=number, title=title), icon=":material/warning:")
        with st.container(horizontal=True):
            if st.button(tr("present.slide.delete_yes"), key=f"present_del_yes_{slide.id}", type="primary"):
                st.session_state["present_delete_slide"] = None
                attempt(lambda: decks.delete_slide(store, actor(), slide.id, expected_version=deleting[1]),
                        tr("present.slide.deleted"), notice=_NOTICE)
            if st.button(tr("present.cancel"), key=f"present_del_cancel_{slide.id}"):
                st.session_state["present_delete_slide"] = None
                st.rerun()


def _edit_add_slide(store: Store, deck: decks.Deck) -> None:
    with st.expander(tr("present.slide.add"), icon=":material/post_add:", expanded=deck.slide_count == 0):
        with st.form("present_add_slide", clear_on_submit=False, border=False):
            kind = st.radio(tr("present.slide.kind"), ("text", "title"), horizontal=True, key="present_add_kind",
                            format_func=option_labels("present.kind"))
            title = st.text_input(tr("present.slide.title"), key="present_add_title", max_chars=decks.TITLE_MAX)
            body = st.text_area(tr("present.slide.body"), key="present_add_body", max_chars=decks.TEXT_MAX)
            notes = st.text_area(tr("present.slide.notes"), key="present_add_notes", max_chars=decks.TEXT_MAX)
            if st.form_submit_button(tr("present.slide.add_button"), key="present_add_submit", type="primary"):
                attempt(lambda: decks.add_text_slide(store, actor(), deck.id, kind=kind, title=title, body=body, notes=notes),
                        tr("present.slide.added"), then=_empty_add_form, notice=_NOTICE)


def _empty_add_form(_slide: object) -> None:
    # Dropping the widgets' state (they are drawn again empty) rather than assigning to it,
    # which Streamlit refuses once a widget has been drawn in the run.
    for key in ("present_add_title", "present_add_body", "present_add_notes"):
        st.session_state.pop(key, None)


# ---- builder: the decision log -----------------------------------------------------------

_LOG_COLUMNS = ("kind", "text", "owner", "due", "status")


def _log_frame(store: Store, deck: decks.Deck) -> pd.DataFrame:
    language = lang()
    # Titles as the slides show them (a view's own title in this language); drawn once per data version.
    version = data_version(store)
    titles = {s.id: slide_content(store, s, presenting=False, version=version).title or view_label(s.view, language)
              for s in decks.list_slides(store, deck.id)}
    rows = []
    for d in decks.list_decisions(store, deck_id=deck.id):
        slide = "" if d.slide_id is None else titles.get(d.slide_id, tr("present.decision.slide_gone"))
        rows.append({
            "id": d.id, "version": d.version, "kind": d.kind, "text": d.text, "owner": d.owner or "", "due": d.due_date,
            "status": d.status, "slide": slide, "by": d.created_by or "", "when": fmt_datetime(d.created_at, language),
        })
    columns = ["id", "version", *_LOG_COLUMNS, "slide", "by", "when"]
    return pd.DataFrame(rows, columns=columns)


def decision_log(store: Store, deck: decks.Deck) -> None:
    """The deck's decisions and action items, editable in place with optimistic versions; deletable with confirmation."""
    frame = _log_frame(store, deck)
    if frame.empty:
        st.info(tr("present.log.empty"), icon=":material/gavel:")
        return
    editor_key = f"present_log_{deck.id}"
    snapshot_key = f"present_log_snapshot_{deck.id}"
    edits = st.session_state.get(editor_key) or {}
    pending = bool(edits.get("edited_rows")) if isinstance(edits, dict) else False
    loaded = st.session_state.get(snapshot_key)
    # The grid shows what was loaded when editing began: a save then carries those versions,
    # and a row someone else changed meanwhile is refused instead of overwritten.
    if loaded is None or (not pending and not loaded.equals(frame)):
        st.session_state[snapshot_key] = loaded = frame
    editable = may_edit(store)
    config = {
        "id": None, "version": None,
        "kind": st.column_config.SelectboxColumn(tr("present.decision.kind"), options=list(DecisionKind),
                                                 format_func=option_labels("present.decision.kind"), required=True),
        "text": st.column_config.TextColumn(tr("present.decision.text"), max_chars=decks.DECISION_MAX, required=True,
                                            width="large"),
        "owner": st.column_config.TextColumn(tr("present.decision.owner"), max_chars=decks.NAME_MAX),
        "due": st.column_config.DateColumn(tr("present.decision.due"), format="YYYY-MM-DD"),
        "status": st.column_config.SelectboxColumn(tr("present.decision.status"), options=list(DecisionStatus),
                                                   format_func=option_labels("present.decision.status"), required=True),
        "slide": st.column_config.TextColumn(tr("present.decision.slide")),
        "by": st.column_config.TextColumn(tr("present.decision.by")),
        "when": st.column_config.TextColumn(tr("present.decision.when")),
    }
    edited = st.data_editor(loaded, key=editor_key, hide_index=True, column_config=config, num_rows="fixed",
                            placeholder="–", disabled=True if not editable else ["slide", "by", "when"])
    if editable:
        if st.button(tr("present.log.save"), key="present_log_save", type="primary", icon=":material/save:"):
            # All entries in one transaction. A stale one cannot be saved and the grid has no Discard:
            # it reloads the entries as they are now, with the sentence; other refusals keep the edits.
            save_grid_edits(_log_edits(loaded, edited), lambda edits: decks.update_decisions(store, actor(), edits),
                            lambda saved: tr("present.log.saved", count=saved), notice=_LOG_NOTICE,
                            editor=(editor_key, snapshot_key), nothing=tr("present.log.nothing"),
                            reload_on_conflict=True)
        _edit_delete_decision(store, frame)
    _LOG_NOTICE.show()


def _cell(value: object) -> object:
    """A grid cell, with a missing value (None, NaN, NaT, pd.NA) as None."""
    missing = value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    return None if missing else value


def _due(value: object) -> dt.date | str | None:
    """A due-date cell as a date (a typed one the domain reads, or refuses, as text)."""
    value = _cell(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None if value is None else str(value)[:10]


def _text(value: object) -> str:
    value = _cell(value)
    return "" if value is None else str(value)


def _log_edits(loaded: pd.DataFrame, edited: pd.DataFrame) -> list[decks.DecisionEdit]:
    """The entries whose kind, text, owner, due date or status differ from those loaded, with the loaded versions."""
    edits = []
    for (_, before), (_, after) in zip(loaded.iterrows(), edited.iterrows(), strict=True):
        if (before["kind"], _text(before["text"]), _text(before["owner"]), _due(before["due"]), before["status"]) == (
                after["kind"], _text(after["text"]), _text(after["owner"]), _due(after["due"]), after["status"]):
            continue
        edits.append(decks.DecisionEdit(int(before["id"]), int(before["version"]), _text(after["text"]), str(after["kind"]),
                                        _text(after["owner"]) or None, _due(after["due"]), str(after["status"])))
    return edits


def _edit_delete_decision(store: Store, frame: pd.DataFrame) -> None:
    versions = dict(zip(frame["id"], frame["version"]))
    texts = dict(zip(frame["id"], frame["text"]))
    cols = st.columns([4, 2, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox(tr("present.log.delete_pick"), [None, *versions], key="present_log_delete_pick",
                               format_func=lambda i: "—" if i is None else texts[i][:80])
    sure = cols[1].checkbox(tr("present.log.delete_confirm"), key="present_log_delete_sure", disabled=chosen is None)
    if cols[2].button(tr("present.log.delete"), key="present_log_delete", icon=":material/delete:",
                      disabled=chosen is None or not sure):
        attempt(lambda: decks.delete_decision(store, actor(), int(chosen), expected_version=int(versions[chosen])),
                tr("present.log.deleted"), notice=_NOTICE)


# ---- exports and the monthly report ------------------------------------------------------

_EXPORTS = {  # export kind (research.present.export.export_bytes) -> (label key, mime type)
    "pptx": ("present.export.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "md": ("present.export.markdown", "text/markdown"),
    "zip": ("present.export.images", "application/zip"),
}


def _deck_export(store: Store, deck_id: int, kind: str, appendix: bool = False) -> bytes:
    """The deck as PPTX, Markdown or a ZIP of slide images, drawn for this session's viewer."""
    deck = deck_export.build_export(store, deck_id, RenderContext(lang(), viewer=actor(), presenting=False),
                                    appendix=appendix)
    return deck_export.export_bytes(deck, kind)


def export_panel(store: Store, deck: decks.Deck) -> None:
    """Prepare-then-download buttons for the deck; an empty deck gets the clear message instead."""
    st.caption(tr("present.export.intro"))
    if deck.slide_count == 0:
        show_error(ValidationError(tr("present.export.empty"), tr("present.export.empty_title")))
        return
    appendix = st.checkbox(tr("present.export.appendix"), key="present_export_appendix",
                           help=tr("present.export.appendix_help"))
    version = data_version(store)
    cols = st.columns(len(_EXPORTS))
    for col, (kind, (label_key, mime)) in zip(cols, _EXPORTS.items()):
        name = tr(label_key)
        state_key = f"present_export_{deck.id}_{kind}{'_appendix' if appendix else ''}"
        with col:
            if st.button(tr("present.export.prepare", format=name), key=f"present_prepare_{kind}", icon=":material/build:"):
                with st.spinner(tr("present.export.working")):
                    _prepare(state_key, version, lambda: _deck_export(store, deck.id, kind, appendix))
            _offer_download(state_key, version, name, safe_filename(deck.name, kind, fallback="deck"), mime)


def _prepare(state_key: str, version: tuple[int, int], build: Callable[[], bytes]) -> None:
    try:
        st.session_state[state_key] = (version, build())
    except VantageError as e:
        show_error(e)


def _offer_download(state_key: str, version: tuple[int, int], name: str, file_name: str, mime: str) -> None:
    prepared = st.session_state.get(state_key)
    if prepared is not None and prepared[0] == version:  # an export of data since changed is not offered
        st.download_button(tr("present.export.download", format=name), prepared[1], file_name, mime,
                           key=f"{state_key}_download", type="primary", icon=":material/download:", on_click="ignore")


def _months(today: dt.date, count: int = 24, *, down_to: str = "") -> list[str]:
    """This month and the `count - 1` before it, newest first, going further back to include `down_to`."""
    year, month = today.year, today.month
    out: list[str] = []
    while len(out) < count or (down_to and out[-1] > down_to):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _report_bytes(store: Store, month: str, fmt: str) -> bytes:
    return monthly.report_file(store, month, fmt, RenderContext(lang(), viewer=actor(), presenting=False))


def report_panel(store: Store) -> None:
    """The monthly report of a chosen month as PowerPoint or Markdown; by default the latest month with data
    (last month unless the data ends earlier), which the panel says."""
    st.subheader(tr("present.report.title"))
    st.caption(tr("present.report.intro"))
    default = monthly.default_month(store=store)
    months = _months(dt.date.today(), down_to=default)
    cols = st.columns([2, 2, 2], vertical_alignment="bottom")
    language = lang()
    month = cols[0].selectbox(tr("present.report.month"), months, index=months.index(default),
                              key="present_report_month", format_func=lambda m: monthly.parse_month(m).label(language))
    version = data_version(store)
    for col, fmt in zip(cols[1:], ("pptx", "md")):
        label_key, mime = _EXPORTS[fmt]
        name = tr(label_key)
        state_key = f"present_report_{month}_{fmt}"
        with col:
            if st.button(tr("present.export.prepare", format=name), key=f"present_report_prepare_{fmt}", icon=":material/build:"):
                with st.spinner(tr("present.export.working")):
                    _prepare(state_key, version, lambda: _report_bytes(store, month, fmt))
            _offer_download(state_key, version, name, safe_filename(f"vantage-report-{month}", fmt), mime)
    if month == default:
        st.caption(escape_markdown(monthly.default_month_note(store, default, language)))

