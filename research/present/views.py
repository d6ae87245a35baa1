"""The view registry: every chart and board that can be put on a slide, drawn again from frozen params.

Each entry maps a view id ("overview.share", "segments.matrix", "competitors.swot", …)
to a renderer `(store, params, ctx) -> SlideContent` that reuses the same research
functions the page uses, so a slide shows exactly what the page showed with those
settings. A renderer raises `DataGone` when the data it shows no longer exists
(a deleted competitor or segment): the slide then says "data no longer available".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from research.i18n import t
from research.present.decks import Slide
from research.present.model import RenderContext, SlideContent
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
    """Draw one stored slide; never raises for missing data or an unknown view."""
    if slide.kind in ("text", "title"):
        return SlideContent(title=slide.title, text=slide.body)
    spec = VIEWS.get(slide.view or "")
    if spec is None:
        return missing(slide.title, ctx)
    try:
        content = spec.render(store, dict(slide.params), ctx)
    except DataGone:
        return missing(slide.title, ctx)
    if slide.title:
        content.title = slide.title
    return content
