"""What every section of the monthly report shares: the `Section` a section returns, numbers and
sentences in the report's words, and its charts (bars per company and grouped bars, each as a
Vega-Lite spec and as a native chart for PowerPoint)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
from babel import Locale
from babel.numbers import format_currency as _babel_currency

from research.charts.theme import COMPETITOR_COLORS, company_colors
from research.competitors import profiles
from research.i18n import fmt_number, fmt_percent, locale_of
from research.present.model import ExportSlide, NativeChart, Series, SlideContent, SlideKind
from research.present.report.month import Month
from research.store import Store

CHART_WIDTH = 640
MAX_BARS = 12  # segments / categories drawn; the table keeps them all
# Series colours that are not companies: muted tones, never our highlight colour.
BLUE, LIGHT_BLUE, TEAL, VIOLET, GREY = COMPETITOR_COLORS[:5]


def count_text(value: float, lang: str) -> str:
    """A count as a whole number in the locale's digits: "1,234" / "1.234"."""
    return fmt_number(int(value), lang)


def percent_text(value: float | None, lang: str, signed: bool = False) -> str:
    """A share with one decimal ("3.5%"), "+3.5%" when `signed` and up, "–" for none."""
    if value is None:
        return "–"
    text = fmt_percent(abs(value) if not signed else value, lang, 1)
    return ("+" + text) if signed and value > 0 else text


def euro_text(value: float, lang: str) -> str:
    """Whole euros in the locale's currency pattern: "€1,295,200" / "1.295.200 €"."""
    pattern = Locale.parse(locale_of(lang)).currency_formats["standard"].pattern.split(";")[0]
    pattern = re.sub(r"0[.,]0+", "0", pattern)
    return _babel_currency(round(value), "EUR", format=pattern, locale=locale_of(lang), currency_digits=False)


def join_sentences(*sentences: str) -> str:
    """The sentences given, blanks left out, as one paragraph."""
    return " ".join(s for s in sentences if s)


def section_subtitle(month: Month, lang: str, extra: str = "") -> str:
    """"October 2026 · extra": the month, capitalised, and what the section adds."""
    return month.label(lang)[:1].upper() + month.label(lang)[1:] + (f" · {extra}" if extra else "")


def active_companies(store: Store) -> pd.DataFrame:
    """Active companies (id, name, is_us): ours first, then by name."""
    return pd.DataFrame(profiles.company_options(store), columns=["id", "name", "is_us"])


def company_native(categories: Sequence[str], values: Sequence[int], *, y_title: str) -> NativeChart:
    """One bar series over companies; the PPTX exporter colours each bar from the chart spec's
    company scale, so our bar carries US_COLOR there as in the app."""
    return NativeChart("bar", tuple(categories), (Series(y_title, tuple(float(v) for v in values), BLUE),),
                       y_title=y_title, number_format="#,##0")


def company_bar_chart(frame: pd.DataFrame, value: str, value_title: str, title: str, subtitle: str) -> dict[str, Any]:
    """Horizontal bars per company (`label`, `is_us`, `value`), ours in the highlight colour."""
    scale = company_colors(zip(frame["label"], frame["is_us"]))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(frame["label"]), title=None, scale=alt.Scale(paddingInner=0.25)),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1, tickCount=6, format="d")),
            color=alt.Color("label:N", scale=scale, legend=None),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip(f"{value}:Q", title=value_title, format=",")],
        )
        .properties(title=alt.TitleParams(text=title, subtitle=subtitle), width=CHART_WIDTH,
                    height=40 * max(1, len(frame)))
    )
    return chart.to_dict()


def grouped_bar_chart(
    frame: pd.DataFrame, category_title: str, series: Sequence[tuple[str, str, str]], title: str, subtitle: str,
) -> dict[str, Any]:
    """Grouped horizontal bars: one row per `category`, one bar per (column, label, colour) series."""
    long = frame.melt(id_vars=["category"], value_vars=[c for c, _, _ in series], var_name="series", value_name="value")
    names = {c: label for c, label, _ in series}
    long["series"] = long["series"].map(names)
    order = list(frame["category"])
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=category_title),
            yOffset=alt.YOffset("series:N", sort=[label for _, label, _ in series]),
            x=alt.X("value:Q", title=None, axis=alt.Axis(tickMinStep=1, tickCount=6, format="d")),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=[label for _, label, _ in series], range=[c for _, _, c in series]),
                title=None,
            ),
            tooltip=[alt.Tooltip("category:N", title=category_title), alt.Tooltip("series:N", title=" "),
                     alt.Tooltip("value:Q", title=" ", format=",")],
        )
        .properties(title=alt.TitleParams(text=title, subtitle=subtitle), width=CHART_WIDTH,
                    height=max(160, 20 * len(series) * len(order) + 20))
    )
    return chart.to_dict()


def grouped_native(frame: pd.DataFrame, series: Sequence[tuple[str, str, str]]) -> NativeChart:
    return NativeChart(
        "bar",
        tuple(str(c) for c in frame["category"]),
        tuple(Series(label, tuple(float(v) for v in frame[column]), colour) for column, label, colour in series),
        number_format="#,##0",
    )


@dataclass(frozen=True)
class Section:
    slides: tuple[ExportSlide, ...]
    headline: str  # first sentence, for the executive summary


def text_section(title: str, subtitle: str, text: str, source: str, notes: str) -> Section:
    """A section of one slide that only says something (no data in the month): its text is its headline."""
    return Section((ExportSlide(SlideKind.VIEW, SlideContent(title=title, subtitle=subtitle, text=text, source=source),
                                notes),), text)
