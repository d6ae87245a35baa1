"""The view registry: every chart and board that can be put on a slide, drawn again from frozen params.

Each entry maps a view id ("overview.share", "segments.matrix", "competitors.swot", …)
to a renderer `(store, params, ctx) -> SlideContent` that reuses the same research
functions the page uses, so a slide shows exactly what the page showed with those
settings. A renderer raises `DataGone` when the data it shows no longer exists
(a deleted competitor or segment): the slide then says "data no longer available".
The renderers live in research/present/views_<page>.py (overview, segments,
competitors, compare, query); importing this module registers them all. Each
renderer's docstring states the params it takes, which the page's "Add to deck"
button (research/ui/deck_button.py) passes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.i18n import LANGUAGES, t
from research.present.decks import Slide, plain_title
from research.present.model import NativeChart, NativeKind, RenderContext, Series, SlideContent
from research.store import Store


class DataGone(Exception):
    """The slide's source data was removed from the workspace."""


Renderer = Callable[[Store, dict[str, Any], RenderContext], SlideContent]


@dataclass(frozen=True)
class ViewSpec:
    id: str
    page: str  # the page it comes from ("overview", "segments", …)
    label_key: str  # i18n key of a short name for pickers
    render: Renderer


VIEWS: dict[str, ViewSpec] = {}


def register(view_id: str, page: str, label_key: str) -> Callable[[Renderer], Renderer]:
    def wrap(render: Renderer) -> Renderer:
        VIEWS[view_id] = ViewSpec(view_id, page, label_key, render)
        return render

    return wrap


def missing(title: str, ctx: RenderContext) -> SlideContent:
    return SlideContent(title=title, text=t("present.data_gone", ctx.language), missing=True)


def render_slide(store: Store, slide: Slide, ctx: RenderContext) -> SlideContent:
    """Draw one stored slide; never raises for missing data or an unknown view.

    A view slide shows the view's own title, drawn in `ctx.language`, unless someone typed a
    title of their own: a stored title that is only the view's default (in any language, as
    "Add to deck" stored it before titles were automatic) is not a title of one's own.
    """
    if slide.kind in ("text", "title"):
        return SlideContent(title=slide.title, text=slide.body)
    spec = VIEWS.get(slide.view or "")
    if spec is None:
        return missing(slide.title or t("present.slide.untitled", ctx.language), ctx)
    try:
        content = spec.render(store, dict(slide.params), ctx)
    except DataGone:
        # Nothing to take the view's title from: its short name, unless the slide has a title of its own.
        own = slide.title if slide.title and not _default_by_label(slide) else ""
        return missing(own or view_label(slide.view, ctx.language), ctx)
    content.view_title = content.title
    if slide.title and not is_default_title(store, slide, content, ctx):
        content.title = slide.title
    return content


def view_label(view_id: str | None, lang: str) -> str:
    """A short name of a registered view for pickers and captions ("" for an unknown view)."""
    spec = VIEWS.get(view_id or "")
    return t(spec.label_key, lang) if spec else ""


def _default_by_label(slide: Slide) -> bool:
    wanted = plain_title(slide.title)
    return any(wanted == plain_title(view_label(slide.view, lang)) for lang in LANGUAGES)


# Verdicts of is_default_title for titles that needed the view drawn in the other languages,
# per workspace file and slide version (a slide whose title is edited gets a new version).
_DEFAULT_VERDICTS: OrderedDict[tuple[str, int, int, str], bool] = OrderedDict()
_VERDICTS_MAX = 1024
_VERDICTS_LOCK = threading.Lock()


def is_default_title(store: Store, slide: Slide, content: SlideContent, ctx: RenderContext) -> bool:
    """Whether the view slide's stored title is only its view's default title: the one `content` (the view drawn
    in `ctx.language`) carries, the view's short name, or the view's title in another language.

    The other languages' titles need the view drawn again; that verdict is remembered per slide version.
    """
    wanted = plain_title(slide.title)
    if wanted == plain_title(content.title) or _default_by_label(slide):
        return True
    spec = VIEWS.get(slide.view or "")
    if spec is None or spec.page == "query":  # a query slide's title is its params' title, the same in every language
        return False
    key = (str(getattr(store, "database", "")), slide.id, slide.version, slide.title)
    with _VERDICTS_LOCK:
        if key in _DEFAULT_VERDICTS:
            _DEFAULT_VERDICTS.move_to_end(key)
            return _DEFAULT_VERDICTS[key]
    verdict = False
    for lang in LANGUAGES:
        if lang == ctx.language:
            continue
        try:
            other = spec.render(store, dict(slide.params), dataclasses.replace(ctx, language=lang))
        except DataGone:
            continue
        if wanted == plain_title(other.title):
            verdict = True
            break
    with _VERDICTS_LOCK:
        _DEFAULT_VERDICTS[key] = verdict
        while len(_DEFAULT_VERDICTS) > _VERDICTS_MAX:
            _DEFAULT_VERDICTS.popitem(last=False)
    return verdict


# ---- helpers shared by the renderers (research/present/views_<page>.py) --------------------


def now() -> dt.datetime:
    """"As of" for live workspace data: the moment the slide was drawn, to the minute."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def as_datetime(value: Any) -> dt.datetime | None:
    """A date or timestamp from the workspace as a datetime (None when missing)."""
    if value is None or (not isinstance(value, (dt.date, dt.datetime)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def int_param(params: dict[str, Any], name: str) -> int:
    """A required id from the frozen params; a slide whose params lost it can no longer be drawn."""
    value = params.get(name)
    if value is None:
        raise DataGone(f"{name} is missing")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DataGone(f"{name} is missing") from None


def scale_colours(scale: Any) -> dict[str, str]:
    """label -> colour from an Altair colour scale (research.charts.theme.company_colors)."""
    domain, colours = list(scale.domain), list(scale.range)
    return {str(label): colours[i] for i, label in enumerate(domain) if i < len(colours)}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def category_native(
    frame: pd.DataFrame, *, kind: NativeKind, category: str, series: str, value: str, categories: Sequence[str],
    series_order: Sequence[str], colours: dict[str, str] | None = None, fill: float | None = None,
    x_title: str = "", y_title: str = "", number_format: str = "General",
) -> NativeChart:
    """A category chart (bar/column/line, stacked or not) from long rows: one series per `series` value.

    Values are aligned to `categories`; a missing pair is `fill` (None: a gap).
    """
    lookup = {(str(r[category]), str(r[series])): _number(r[value]) for r in frame.to_dict("records")}
    out = []
    for name in series_order:
        values = tuple(lookup.get((str(c), str(name)), fill) for c in categories)
        out.append(Series(str(name), values, (colours or {}).get(str(name))))
    return NativeChart(kind, tuple(str(c) for c in categories), tuple(out), x_title, y_title, number_format)


def share_stack(share: pd.DataFrame) -> tuple[list[str], list[str], dict[str, str]]:
    """Segment order, company order and colours of research.charts.market.share_by_segment_chart.

    `share` has segment_label, company_label, is_us, share: segments by our share (highest
    first), then name; companies us first, then competitors by name, in the chart's colours.
    """
    from research.charts.theme import company_colors

    ours = share[share["is_us"]].set_index("segment_label")["share"]
    firsts = share.drop_duplicates("segment_label").copy()
    firsts["our_share"] = firsts["segment_label"].map(ours).fillna(0.0)
    order = firsts.sort_values(["our_share", "segment_label"], ascending=[False, True])["segment_label"].tolist()
    colours = scale_colours(company_colors(zip(share["company_label"], share["is_us"])))
    return order, list(colours), colours


# ---- private SWOT items (issue 10): never on a shared screen, else only for who may see them ----


def swot_items(store: Store, company_id: int, ctx: RenderContext, **kwargs: Any) -> list[Any]:
    """A company's active SWOT items as `ctx` may show them: research.competitors.swot.visible drops private
    items always while presenting or without a viewer, else unless the viewer may see them."""
    from research.competitors import swot

    return swot.list_items(store, company_id, viewer=ctx.viewer, include_private=not ctx.presenting, **kwargs)


def frame_columns(frame: pd.DataFrame, lang: str, *, drop: Iterable[str] = ()) -> pd.DataFrame:
    """A chart's rows with readable column names in `lang` (present.col.<name>), helper columns dropped."""
    from research.i18n import MESSAGES

    kept = frame.drop(columns=[c for c in frame.columns if c in set(drop) or c in ("is_us", "company_label")])
    names = {c: t(f"present.col.{c}", lang) for c in kept.columns if f"present.col.{c}" in MESSAGES}
    return kept.rename(columns=names).reset_index(drop=True)


# Every view registers itself on import; importing this module registers them all.
from research.present import views_compare, views_competitors, views_overview, views_query, views_segments  # noqa: E402,F401
