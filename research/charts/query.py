"""Auto-charts for query results: a sensible Altair chart from the result's column types, ours highlighted.

time + measure → line; category + measure → bar sorted by the measure; two
measures → scatter; one measure → histogram. Whenever a column holds company
names, our company gets US_COLOR and competitors the muted tones. Results are
reduced before charting (grouped, binned or sampled) so a chart never carries more
than MAX_CHART_ROWS rows (Altair refuses more than 5,000).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from research.charts.theme import COMPETITOR_COLORS, company_colors

CHART_KINDS = ("line", "bar", "scatter", "histogram")
AGGREGATES = ("sum", "mean", "min", "max")
MAX_CHART_ROWS = 5000
MAX_BAR_CATEGORIES = 40
MAX_COLOR_VALUES = 12
COMPANY_NAMES = frozenset({"company", "supplier", "competitor", "company_name", "winner", "vendor"})
PLAIN_COLOR = COMPETITOR_COLORS[0]


@dataclass(frozen=True)
class ChartChoice:
    kind: str
    x: str
    y: str | None = None
    color: str | None = None
    aggregate: str = "sum"


def column_roles(df: pd.DataFrame) -> dict[str, str]:
    """Each column as "time", "measure" or "category" (ids and flags are categories, not measures)."""
    roles = {}
    for name in df.columns:
        series = df[name]
        lowered = str(name).lower()
        if pd.api.types.is_datetime64_any_dtype(series):
            roles[name] = "time"
        elif pd.api.types.is_bool_dtype(series):
            roles[name] = "category"
        elif pd.api.types.is_numeric_dtype(series):
            is_key = lowered == "id" or lowered.endswith("_id") or lowered in ("year",)
            roles[name] = "category" if is_key else "measure"
        else:
            first = series.dropna().head(1)
            value = first.iloc[0] if len(first) else None
            if isinstance(value, (dt.date, dt.datetime)):
                roles[name] = "time"
            elif value is not None and _is_decimal(value):
                roles[name] = "measure"
            else:
                roles[name] = "category"
    return roles


def _is_decimal(value: object) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal)


def company_column(df: pd.DataFrame, companies: Iterable[tuple[str, bool]]) -> str | None:
    """The column that names companies: by its name, else by its values matching the workspace's companies."""
    names = {name for name, _ in companies}
    roles = column_roles(df)
    candidates = [c for c in df.columns if roles[c] == "category" and not pd.api.types.is_bool_dtype(df[c])]
    for col in candidates:
        if str(col).lower() in COMPANY_NAMES:
            return col
    for col in candidates:
        values = set(df[col].dropna().astype(str).unique()[:200])
        if values and names and len(values & names) >= max(1, len(values) // 2):
            return col
    return None


def suggest_chart(df: pd.DataFrame, companies: Iterable[tuple[str, bool]] = ()) -> ChartChoice | None:
    """The chart the result's column types call for; None when nothing sensible can be drawn."""
    if df.empty:
        return None
    companies = list(companies)
    roles = column_roles(df)
    times = [c for c, r in roles.items() if r == "time"]
    measures = [c for c, r in roles.items() if r == "measure"]
    categories = [c for c, r in roles.items() if r == "category"]
    company = company_column(df, companies)
    few = [c for c in categories if df[c].nunique() <= MAX_COLOR_VALUES]
    if times and measures:
        color = company or (few[0] if few else None)
        return ChartChoice("line", times[0], measures[0], color, _default_aggregate(measures[0]))
    if categories and measures:
        axis = next((c for c in categories if c != company), company) if company and len(categories) > 1 else categories[0]
        color = company if company and company != axis else None
        if color and df[color].nunique() > MAX_COLOR_VALUES:
            color = None
        return ChartChoice("bar", axis, measures[0], color, _default_aggregate(measures[0]))
    if len(measures) >= 2:
        return ChartChoice("scatter", measures[0], measures[1], company or (few[0] if few else None))
    if measures:
        return ChartChoice("histogram", measures[0])
    return None


def _default_aggregate(measure: str) -> str:
    # Indexes, averages and prices do not add up; counts and totals do.
    lowered = measure.lower()
    if any(word in lowered for word in ("avg", "mean", "index", "price", "share", "rate", "pct", "percent")):
        return "mean"
    return "sum"


def options_for(df: pd.DataFrame, kind: str) -> dict[str, list[str]]:
    """Columns a person may pick for each field of a chart kind."""
    roles = column_roles(df)
    measures = [c for c, r in roles.items() if r == "measure"]
    categories = [c for c, r in roles.items() if r == "category"]
    times = [c for c, r in roles.items() if r == "time"]
    if kind == "line":
        return {"x": times + measures, "y": measures, "color": categories}
    if kind == "bar":
        return {"x": categories + times, "y": measures, "color": categories}
    if kind == "scatter":
        return {"x": measures, "y": measures, "color": categories}
    return {"x": measures, "y": [], "color": []}


def build_chart(
    df: pd.DataFrame,
    choice: ChartChoice,
    companies: Iterable[tuple[str, bool]] = (),
    *,
    title: str = "",
) -> alt.TopLevelMixin:
    """The Altair chart for `choice` over `df`; ours highlighted when a company column is drawn."""
    companies = list(companies)
    for field in (choice.x, choice.y, choice.color):
        if field is not None and field not in df.columns:
            raise ValueError(f"The result has no column {field!r}.")
    if choice.kind not in CHART_KINDS:
        raise ValueError(f"Unknown chart type {choice.kind!r}.")
    if choice.kind == "histogram":
        return _histogram(df, choice.x, title)
    if choice.y is None:
        raise ValueError(f"A {choice.kind} chart needs a measure.")
    company = company_column(df, companies)
    us_names = {name for name, is_us in companies if is_us}
    roles = column_roles(df)
    df = df.assign(**{c: pd.to_datetime(df[c]) for c, r in roles.items() if r == "time" and c in (choice.x, choice.color)})
    keys = [c for c in (choice.x, choice.color) if c is not None]
    if choice.kind == "scatter":
        cols = list(dict.fromkeys([choice.x, choice.y, *([choice.color] if choice.color else [])]))
        data = df[cols].dropna(subset=[choice.x, choice.y]).head(MAX_CHART_ROWS)
    else:
        data = _reduce(df, keys, choice.y, choice.aggregate)
    # Field names with dots or brackets mean nested fields to Vega-Lite: chart safe aliases.
    alias = {name: f"f{i}" for i, name in enumerate(data.columns)}
    data = data.rename(columns=alias)
    x, y = alias[choice.x], alias[choice.y]
    color = alias.get(choice.color) if choice.color else None
    highlight_col = alias.get(company) if company in alias else None
    encodings: dict[str, object] = {}
    if highlight_col:
        data["_is_us"] = data[highlight_col].astype(str).isin(us_names)
    color_scale = None
    color_field = color or (highlight_col if choice.kind == "bar" and highlight_col == x else None)
    if color_field:
        values = data[color_field].dropna().astype(str).unique().tolist()
        if color_field == highlight_col:
            color_scale = company_colors((v, v in us_names) for v in values)
        else:
            color_scale = alt.Scale(domain=sorted(values), range=list(COMPETITOR_COLORS))
        legend = None if color_field == x else alt.Legend(title=_title(choice.color or choice.x))
        encodings["color"] = alt.Color(f"{color_field}:N", scale=color_scale, legend=legend, title=_title(choice.color or choice.x))
    tooltip = [alt.Tooltip(f"{alias[c]}", title=_title(c)) for c in [choice.x, choice.y, *( [choice.color] if choice.color else [])]]

    if choice.kind == "line":
        x_type = "T" if roles[choice.x] == "time" else "Q"
        chart = alt.Chart(data).mark_line(point=len(data) <= 200, **_plain(color_field)).encode(
            x=alt.X(f"{x}:{x_type}", title=_title(choice.x)),
            y=alt.Y(f"{y}:Q", title=_title(choice.y)),
            tooltip=tooltip,
            **encodings,
        )
        if highlight_col and color_field == highlight_col:
            chart = chart.encode(
                strokeWidth=alt.StrokeWidth("_is_us:N", scale=alt.Scale(domain=[True, False], range=[4.5, 2]), legend=None)
            )
    elif choice.kind == "bar":
        order = (
            data.groupby(x, dropna=False)[y].sum().sort_values(ascending=False).head(MAX_BAR_CATEGORIES).index.tolist()
        )
        data = data[data[x].isin(order)]
        kwargs: dict[str, object] = {}
        if color and color != x:
            kwargs["yOffset"] = alt.YOffset(f"{color}:N")
        chart = alt.Chart(data).mark_bar(**_plain(color_field)).encode(
            y=alt.Y(f"{x}:N", sort=[str(v) for v in order], title=_title(choice.x)),
            x=alt.X(f"{y}:Q", title=_title(choice.y)),
            tooltip=tooltip,
            **encodings,
            **kwargs,
        )
        if highlight_col:
            chart = chart.encode(opacity=alt.condition("datum._is_us", alt.value(1.0), alt.value(0.8)))
        bars = len(order) * (data[color].nunique() if color and color != x else 1)
        chart = chart.properties(height=max(200, min(1400, 26 * bars)))
    else:
        chart = alt.Chart(data).mark_circle(size=90, opacity=0.8, **_plain(color_field)).encode(
            x=alt.X(f"{x}:Q", title=_title(choice.x), scale=alt.Scale(zero=False)),
            y=alt.Y(f"{y}:Q", title=_title(choice.y), scale=alt.Scale(zero=False)),
            tooltip=tooltip,
            **encodings,
        )
        if highlight_col:
            chart = chart.encode(size=alt.Size("_is_us:N", scale=alt.Scale(domain=[True, False], range=[260, 90]), legend=None))
    return chart.properties(title=title or "", width="container")


def _reduce(df: pd.DataFrame, keys: list[str], measure: str, aggregate: str) -> pd.DataFrame:
    """One row per key combination with the measure aggregated (at most MAX_CHART_ROWS rows)."""
    if aggregate not in AGGREGATES:
        raise ValueError(f"Unknown aggregate {aggregate!r}.")
    values = pd.to_numeric(df[measure], errors="coerce")
    frame = df[keys].copy()
    frame[measure] = values
    reduced = frame.groupby(keys, dropna=False, sort=True)[measure].agg(aggregate).reset_index()
    return reduced.head(MAX_CHART_ROWS)


def _histogram(df: pd.DataFrame, column: str, title: str) -> alt.Chart:
    values = pd.to_numeric(df[column], errors="coerce").dropna().to_numpy(dtype=float)
    if len(values) == 0:
        raise ValueError(f"{column} has no numbers to draw.")
    counts, edges = np.histogram(values, bins=min(30, max(5, int(np.sqrt(len(values))))))
    data = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "rows": counts})
    return (
        alt.Chart(data)
        .mark_bar(color=PLAIN_COLOR)
        .encode(
            x=alt.X("start:Q", title=_title(column), bin="binned"),
            x2="end:Q",
            y=alt.Y("rows:Q", title="rows"),
            tooltip=[alt.Tooltip("start:Q", format=",.2f"), alt.Tooltip("end:Q", format=",.2f"), "rows:Q"],
        )
        .properties(title=title or "", width="container")
    )


def _plain(color_field: str | None) -> dict[str, str]:
    """One muted colour for marks that no field colours (the theme's first colour is ours)."""
    return {} if color_field else {"color": PLAIN_COLOR}


def _title(name: str | None) -> str:
    return str(name).replace("_", " ") if name else ""
