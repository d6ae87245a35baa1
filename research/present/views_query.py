"""Slides from the Query page: a query result with its chart, re-run in the query sandbox.

params: {"sql": str, "params": {name: value}, "param_kinds": {name: "text" | "number" | "date"},
"saved_id": id | None, "title": str, "chart": {"kind", "x", "y", "color", "aggregate"} | None}.
The statement runs through research.query.sandbox.run_sandboxed (read-only, time-limited,
row-capped) exactly as on the page; the table is the first rows (research.query.deck) and
the chart is research.charts.query.build_chart with the choices the page had.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from research.charts.query import AGGREGATES, CHART_KINDS, MAX_BAR_CATEGORIES, ChartChoice, build_chart, company_column
from research.charts.theme import COMPETITOR_COLORS, company_colors
from research.compare.views import highlight_color
from research.competitors import profiles
from research.data import fields
from research.data.labels import labels_for
from research.errors import VantageError
from research.i18n import error_text, t
from research.present.model import NativeChart, NativeKind, RenderContext, Series, SlideContent
from research.present.views import DataGone, register, scale_colours
from research.query import deck, saved
from research.query.display import column_titles, shown_values
from research.query.sandbox import run_sandboxed
from research.store import Store

SOURCE_SQL_CHARS = 80


def typed_values(params: dict[str, Any]) -> dict[str, Any]:
    """The frozen parameter values, typed again (dates come back from JSON as text)."""
    values = params.get("params")
    values = values if isinstance(values, dict) else {}
    kinds = params.get("param_kinds")
    kinds = kinds if isinstance(kinds, dict) else {}
    typed = {}
    for name, value in values.items():
        kind = kinds.get(name) or saved.guess_kind(name, value)
        typed[name] = saved.coerce_value(saved.ParamSpec(name, kind if kind in saved.PARAM_KINDS else "text"), value)
    return typed


def param_kinds(values: dict[str, Any]) -> dict[str, str]:
    """How to type each value again when the slide is drawn (for the Add to deck button)."""
    import datetime as dt

    def kind(value: Any) -> str:
        if isinstance(value, dt.date):
            return "date"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "number"
        return "text"

    return {name: kind(value) for name, value in values.items()}


def chart_choice(params: dict[str, Any]) -> ChartChoice | None:
    raw = params.get("chart")
    if not isinstance(raw, dict) or raw.get("kind") not in CHART_KINDS or not raw.get("x"):
        return None
    aggregate = str(raw["aggregate"]) if raw.get("aggregate") in AGGREGATES else "sum"
    return ChartChoice(raw["kind"], raw["x"], raw.get("y") or None, raw.get("color") or None, aggregate)


def _colours(values: list[str], companies: list[tuple[str, bool]]) -> dict[str, str]:
    """Colours as build_chart gives them: company names in company colours (ours highlighted), else muted tones."""
    if set(values) & {name for name, _ in companies}:
        us = {name for name, is_us in companies if is_us}
        return scale_colours(company_colors((v, v in us) for v in values))
    return {v: COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i, v in enumerate(sorted(values))}


def native_chart(frame: pd.DataFrame, choice: ChartChoice, companies: list[tuple[str, bool]]) -> NativeChart | None:
    """The editable PowerPoint chart of a bar, line or scatter choice; None for a histogram."""
    if choice.kind == "histogram" or choice.y is None:
        return None
    if choice.kind == "scatter":
        groups = [(str(k), g) for k, g in frame.groupby(choice.color, sort=True)] if choice.color else [(choice.y, frame)]
        colours = _colours([name for name, _ in groups], companies) if choice.color else {}
        series = tuple(
            Series(name, tuple(pd.to_numeric(g[choice.y], errors="coerce").astype(float).tolist()),
                   colours.get(name, COMPETITOR_COLORS[0]), tuple(pd.to_numeric(g[choice.x], errors="coerce").astype(float).tolist()))
            for name, g in groups
        )
        return NativeChart("scatter", (), series, choice.x, choice.y)
    keys = [c for c in (choice.x, choice.color) if c is not None]
    reduced = frame[keys].copy()
    reduced[choice.y] = pd.to_numeric(frame[choice.y], errors="coerce")
    reduced = reduced.groupby(keys, dropna=False, sort=True)[choice.y].agg(choice.aggregate).reset_index()
    if choice.kind == "bar":
        order = reduced.groupby(choice.x)[choice.y].sum().sort_values(ascending=False).head(MAX_BAR_CATEGORIES).index
        categories = [str(v) for v in order]
    else:
        categories = [str(v) for v in sorted(reduced[choice.x].dropna().unique())]
    reduced[choice.x] = reduced[choice.x].astype(str)
    kind: NativeKind = "bar" if choice.kind == "bar" else "line"
    if choice.color:
        names = sorted(reduced[choice.color].dropna().astype(str).unique())
        label = reduced[choice.color].astype(str)
    elif kind == "bar" and company_column(frame, companies) == choice.x:
        # Company bars each in their company's colour: a stacked bar whose every series fills only its own row.
        names, label, kind = categories, reduced[choice.x], "stacked_bar"
    else:
        names, label = [choice.y], pd.Series(choice.y, index=reduced.index)
    colours = _colours(names, companies) if names != [choice.y] else {choice.y: COMPETITOR_COLORS[0]}
    lookup = {(x, name): value for x, name, value in zip(reduced[choice.x], label, reduced[choice.y])}
    series = tuple(
        Series(name, tuple(None if pd.isna(lookup.get((c, name))) else float(lookup[(c, name)]) for c in categories),
               colours.get(name))
        for name in names
    )
    return NativeChart(kind, tuple(categories), series, choice.x, choice.y)


@register("query.result", "query", "present.view.query.result")
def query_result(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """A query's first rows and its chart, from the frozen SQL, parameter values and chart choices."""
    lang = ctx.language
    sql = str(params.get("sql") or "").strip()
    if not sql:
        raise DataGone("no SQL")
    saved_id = params.get("saved_id")
    if saved_id not in (None, "") and saved.get_saved(store, int(saved_id)) is None:
        raise DataGone(f"saved query {saved_id} was deleted")
    title = str(params.get("title") or "").strip() or t("present.view.query.result", lang)
    first_line = next((line.strip() for line in sql.splitlines() if line.strip()), "")
    source = t("present.source.query", lang, sql=first_line[:SOURCE_SQL_CHARS])
    try:
        values = typed_values(params)
        result = run_sandboxed(store, sql, values)
    except VantageError as error:
        # The query no longer runs (a table changed, the time limit): say so on the slide.
        return SlideContent(title=title, text=t("present.query.failed", lang, message=error_text(error, lang)[1]), source=source)
    choice = chart_choice(params)
    companies = profiles.company_flags(store)
    # Drawn as the Query page draws it: values by their names, columns in words, our highlight colour.
    shown = shown_values(result.frame, labels_for(store, lang), lang)
    result = dataclasses.replace(result, frame=shown)
    custom = {f.name: f.label(lang) for f in fields.list_fields(store)}
    chart = None
    if choice is not None and not shown.empty:
        try:
            chart = build_chart(shown, choice, companies, title=title, titles=column_titles(shown.columns, lang, custom),
                                rows_title=t("query.column.rows", lang), lang=lang, us_color=highlight_color(store))
        except ValueError:
            chart = None
    item = deck.deck_item(result, title=title, sql=sql, params=values, chart=chart)
    native = native_chart(shown, choice, companies) if chart is not None and choice is not None else None
    rows = t("present.query.rows", lang, shown=len(item.table), rows=result.rows) + ("+" if result.truncated else "")
    return SlideContent(
        title=title, subtitle=rows, chart=item.chart_spec, native=native, table=item.table, source=source,
        as_of=item.data_as_of,
    )

