"""What a slide is once drawn: the contract between the view registry, the app and the exporters.

A deck slide is stored as a reference (`kind`, `view`, frozen `params`); drawing it
gives a `SlideContent`: everything the Present page, session mode and every export
(PPTX, PNG/SVG folder, Markdown) need, computed once from the workspace.

- `chart` is a Vega-Lite spec (dict) drawn in the app with Altair and exported as
  PNG/SVG with vl-convert.
- `native` is the same chart's data in a shape PowerPoint charts take
  (`NativeChart`); when None, the PPTX gets a 2× PNG of `chart` instead.
- `table` is the data behind the chart (appendix, Markdown) or a table slide.
- `board` is a SWOT/TOWS-like board: ordered quadrants of short lines.
- `missing` says the slide's source data no longer exists ("data no longer available").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import pandas as pd


class SlideKind(StrEnum):
    """What a deck slide shows (deck_slides.kind); tests/test_states.py checks the set against the schema."""

    VIEW = "view"  # a registered view, drawn from the workspace with its frozen params
    TEXT = "text"
    TITLE = "title"


class DecisionKind(StrEnum):
    """A decision-log entry: a decision taken, or an action someone owns (decisions.kind)."""

    DECISION = "decision"
    ACTION = "action"


class DecisionStatus(StrEnum):
    """Where a decision-log entry stands (decisions.status)."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


NativeKind = Literal["bar", "stacked_bar", "column", "stacked_column", "line", "pie", "scatter"]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    color: str | None = None  # "#RRGGBB"; our company always US_COLOR
    x_values: tuple[float | None, ...] | None = None  # scatter only


@dataclass(frozen=True)
class NativeChart:
    """Data for an editable PowerPoint chart (python-pptx CategoryChartData / XyChartData)."""

    kind: NativeKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    x_title: str = ""
    y_title: str = ""
    number_format: str = "General"  # Excel format code, e.g. '0%' or '#,##0'


@dataclass(frozen=True)
class Board:
    """Quadrants (or columns) of short text lines: SWOT, TOWS, battlecard, feature matrix as text."""

    quadrants: tuple[tuple[str, tuple[str, ...]], ...]  # ((heading, (line, …)), …) in display order
    colors: tuple[str, ...] = ()  # one heading colour per quadrant, optional


@dataclass
class SlideContent:
    title: str
    subtitle: str = ""
    chart: dict[str, Any] | None = None
    native: NativeChart | None = None
    table: pd.DataFrame | None = None
    board: Board | None = None
    text: str = ""  # body text of text/title slides, or a short caption
    source: str = ""  # "Data: accounts, deals" — the footnote adds workspace and date
    as_of: dt.datetime | None = None
    missing: bool = False  # the source data was deleted: "data no longer available"
    links: dict[str, int] = field(default_factory=dict)  # {"competitor_id": 3, "segment_id": 7}
    # A view slide: the view's own title in the language drawn; `title` differs when the slide has
    # a title someone typed (research.present.views.render_slide).
    view_title: str = ""


@dataclass(frozen=True)
class RenderContext:
    """How to draw: language, who is looking (private items), and whether on a shared screen."""

    language: str = "en"
    viewer: Any = None  # research.access.Actor or None (None: hide private items)
    presenting: bool = False
    today: dt.date | None = None


@dataclass(frozen=True)
class DecisionLine:
    """A decision-log entry as exported: plain text fields, already resolved and formatted."""

    kind: DecisionKind
    text: str
    owner: str = ""
    due: str = ""  # formatted date or ""
    status: DecisionStatus = DecisionStatus.OPEN
    slide: str = ""  # title of the slide it was taken on ("" when none or removed)
    about: str = ""  # competitor / segment name


@dataclass(frozen=True)
class ExportSlide:
    kind: SlideKind
    content: SlideContent
    notes: str = ""


@dataclass(frozen=True)
class ExportDeck:
    """Everything an exporter needs; exporters never read the workspace themselves."""

    name: str
    workspace: str
    language: str
    generated_at: dt.datetime
    slides: tuple[ExportSlide, ...]
    decisions: tuple[DecisionLine, ...] = ()
    subtitle: str = ""  # e.g. the monthly report's month
    highlight: str | None = None  # the workspace's colour for our company ("#RRGGBB"); None: the theme's
    appendix: bool = False  # add the data behind each chart and the decision log after the slides
