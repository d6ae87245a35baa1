"""Auto-charts for query results, drawn by the Compare chart rules: ours highlighted, thicker and on top.

time + measure → line; category + measure → bar sorted by the measure; two
measures → scatter; one measure → histogram. Whenever a column holds company
names, our company gets the workspace highlight colour (thicker line, larger
point, drawn last so no rival hides it) and every competitor its fixed muted
colour (research.charts.theme.company_colors). Axis titles are words (given by
the caller in the viewer's language), not column names; charts are at least the theme's height.
Grouped bars list under each category only the groups it has, so a company
missing from one category leaves no hole. Results are reduced before charting
(grouped, binned or sampled) so a chart never carries more than MAX_CHART_ROWS
rows (Altair refuses more than 5,000).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from research.charts.theme import COMPETITOR_COLORS, US_COLOR, company_colors, vantage_theme

CHART_KINDS = ("line", "bar", "scatter", "histogram")
AGGREGATES = ("sum", "mean", "min", "max")
MAX_CHART_ROWS = 5000
MAX_BAR_CATEGORIES = 40
MAX_COLOR_VALUES = 12
COMPANY_NAMES = frozenset({"company", "supplier", "competitor", "company_name", "winner", "vendor"})
PLAIN_COLOR = COMPETITOR_COLORS[0]
CHART_HEIGHT = int(vantage_theme()["config"]["view"]["continuousHeight"])  # the theme's standard height
BAR_STEP = 28  # pixels per bar row: 15 px labels stay apart on a projector
MAX_BAR_HEIGHT = 1400
US_STROKE, RIVAL_STROKE = 4.5, 2.0  # line widths, as Compare's price history draws them
US_POINT, RIVAL_POINT = 260, 90  # scatter point areas (px²)
MISSING = "–"  # a blank category on an axis or in a legend
_ACRONYMS = {"eur": "EUR", "usd": "USD", "rsd": "RSD", "id": "ID", "url": "URL", "vat": "VAT", "sku": "SKU",
             "pct": "%", "swot": "SWOT", "acv": "ACV"}
class ChartRefused(ValueError):
    """A chart that cannot be drawn from this result: catalog message `key` with `params` (the caller words it)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}")
        self.key = key
        self.params = params


@dataclass(frozen=True)
class ChartChoice:
    kind: str
    x: str
    y: str | None = None
    color: str | None = None
    aggregate: str = "sum"


# ---- words for columns ------------------------------------------------------------------------


def humanise(name: str) -> str:
    """A column name as words: `avg_price_eur` → "Avg price EUR" (acronyms kept upper case)."""
    words = [w for w in re.split(r"[_\s]+", str(name).strip()) if w]
    if not words:
        return str(name)
    words = [_ACRONYMS.get(w.lower(), w) if w.islower() else w for w in words]
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


# ---- what to draw --------------------------------------------------------------------------


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


# ---- drawing -------------------------------------------------------------------------------


def build_chart(
    df: pd.DataFrame,
    choice: ChartChoice,
    companies: Iterable[tuple[str, bool]] = (),
    *,
    title: str = "",
    titles: Mapping[str, str] | None = None,
    rows_title: str = "Rows",
    lang: str = "en",
    us_color: str = US_COLOR,
) -> alt.TopLevelMixin:
    """The Altair chart for `choice` over `df`; ours highlighted when a company column is drawn.

    `titles` names columns for axes, legends and tooltips (column → words in the viewer's
    language; a column without one is its name in words), `rows_title` the histogram's
    count; `lang` picks how dates are written; `us_color` is the workspace highlight colour.
    Raises ChartRefused when the choice does not fit `df`.
    """
    companies = list(companies)
    for field in (choice.x, choice.y, choice.color):
        if field is not None and field not in df.columns:
            raise ChartRefused("query.chart.error.no_column", column=field)
    if choice.kind not in CHART_KINDS:
        raise ChartRefused("query.chart.error.kind", kind=choice.kind, known=", ".join(CHART_KINDS))
    titles = titles or {}
    words = {c: titles.get(c) or humanise(c) for c in (choice.x, choice.y, choice.color) if c is not None}
    if choice.kind == "histogram":
        return _histogram(df, choice.x, title, words[choice.x], rows_title)
    if choice.y is None:
        raise ChartRefused("query.chart.error.measure")
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
    # Blank categories read "–", not "null", on an axis or in a legend.
    for c in keys:
        if roles[c] != "time" and c in data.columns:
            data[c] = data[c].map(lambda v: MISSING if _blank(v) else v)
    # Field names with dots or brackets mean nested fields to Vega-Lite: chart safe aliases.
    alias = {name: f"f{i}" for i, name in enumerate(data.columns)}
    data = data.rename(columns=alias)
    x, y = alias[choice.x], alias[choice.y]
    color = alias.get(choice.color) if choice.color else None
    highlight_col = alias.get(company) if company in alias else None
    data["_is_us"] = data[highlight_col].astype(str).isin(us_names) if highlight_col else False
    color_field = color or (highlight_col if choice.kind == "bar" and highlight_col == x else None)
    color_encoding = None
    domain: list[str] = []
    if color_field:
        values = data[color_field].astype(str).unique().tolist()
        data[color_field] = data[color_field].astype(str)
        if color_field == highlight_col:
            scale = _company_scale(values, companies, us_color)
        else:
            scale = alt.Scale(domain=sorted(values), range=list(COMPETITOR_COLORS))
        domain = [v for v in scale.domain if v in set(values)]
        name = words[choice.color] if choice.color else words[choice.x]
        # Bars name their groups on the axis; lines and points in a legend of what is drawn only.
        legend = None if color_field == x or choice.kind == "bar" else alt.Legend(title=name, values=domain)
        color_encoding = alt.Color(f"{color_field}:N", scale=scale, legend=legend, title=name)
    types = {"time": "T", "measure": "Q", "category": "N"}
    # Bars draw their categories (times too) as names; the measure is always a number.
    kinds = {c: "Q" if c == choice.y else "N" if choice.kind == "bar" else types[roles[c]] for c in keys + [choice.y]}
    day_format = _time_formats(lang)[1]
    tooltip = [alt.Tooltip(f"{alias[c]}:{kind}", title=words[c], format=day_format if kind == "T" else alt.Undefined)
               for c, kind in kinds.items()]
    ours_on_top = bool(highlight_col) and color_field == highlight_col

    if choice.kind == "line":
        x_type = "T" if roles[choice.x] == "time" else "Q"
        axis_format, _ = _time_formats(lang)
        x_axis = alt.Axis(format=axis_format) if x_type == "T" and axis_format else alt.Undefined
        encodings: dict[str, Any] = {
            "x": alt.X(f"{x}:{x_type}", title=words[choice.x], axis=x_axis),
            "y": alt.Y(f"{y}:Q", title=words[choice.y], scale=alt.Scale(zero=False)),
            "tooltip": tooltip,
        }
        if color_encoding is not None:
            encodings["color"] = color_encoding
        point = len(data) <= 200
        if ours_on_top:
            # A line's width is a mark property: Vega-Lite drops a strokeWidth encoding on lines.
            rivals: dict[str, Any] = {"strokeWidth": RIVAL_STROKE, "point": alt.OverlayMarkDef(size=50) if point else False}
            ours: dict[str, Any] = {"strokeWidth": US_STROKE, "point": alt.OverlayMarkDef(size=120) if point else False}
            return _ours_last(data, "line", rivals, ours, encodings, title, CHART_HEIGHT)
        chart = alt.Chart(data).mark_line(point=point, **_plain(color_field)).encode(**encodings)
        return chart.properties(title=title or "", width="container", height=CHART_HEIGHT)
    if choice.kind == "scatter":
        encodings = {
            "x": alt.X(f"{x}:Q", title=words[choice.x], scale=alt.Scale(zero=False)),
            "y": alt.Y(f"{y}:Q", title=words[choice.y], scale=alt.Scale(zero=False)),
            "tooltip": tooltip,
        }
        if color_encoding is not None:
            encodings["color"] = color_encoding
        if ours_on_top:
            rivals = {"size": RIVAL_POINT, "opacity": 0.8}
            ours = {"size": US_POINT, "opacity": 1.0, "stroke": "white", "strokeWidth": 1.5}
            return _ours_last(data, "circle", rivals, ours, encodings, title, CHART_HEIGHT)
        chart = alt.Chart(data).mark_circle(size=RIVAL_POINT, opacity=0.8, **_plain(color_field)).encode(**encodings)
        return chart.properties(title=title or "", width="container", height=CHART_HEIGHT)
    return _bars(data, x, y, color, color_field, color_encoding, domain, tooltip, words[choice.x], words[choice.y], title,
                 highlight=bool(highlight_col))


def _company_scale(values: list[str], companies: list[tuple[str, bool]], us_color: str) -> alt.Scale:
    """Every company of the workspace in its fixed colour (ours highlighted), as Compare colours them.

    The scale covers all companies, not only those in this result, so a competitor has the
    same colour in every chart; other values of the column (e.g. "(unknown)") follow.
    """
    us_names = {name for name, is_us in companies if is_us}
    base = company_colors(companies or [(v, v in us_names) for v in values], us_color=us_color)
    domain, colours = list(base.domain), list(base.range)
    known = set(domain)
    for value in sorted(v for v in values if v not in known):
        domain.append(value)
        colours.append(COMPETITOR_COLORS[(len(domain) - 1) % len(COMPETITOR_COLORS)])
    return alt.Scale(domain=domain, range=colours)


def _time_formats(lang: str) -> tuple[str | None, str]:
    """Axis and tooltip formats of dates: Vega-Lite's month names are English, so Serbian gets numbers."""
    if lang == "sr":
        return "%-m. %Y.", "%-d. %-m. %Y."
    return None, "%d %b %Y"


def _ours_last(data: pd.DataFrame, mark: str, rival_mark: dict[str, Any], our_mark: dict[str, Any],
               encodings: dict[str, Any], title: str, height: int) -> alt.LayerChart:
    """Rivals in one layer, ours in a second drawn after it: no competitor's line or point hides ours.

    The encodings are shared at the top of the layer (one colour scale, one legend); each
    layer's mark says how thick or large it is.
    """
    rivals = getattr(alt.Chart(), f"mark_{mark}")(**rival_mark).transform_filter("!datum._is_us")
    ours = getattr(alt.Chart(), f"mark_{mark}")(**our_mark).transform_filter("datum._is_us")
    rivals.name, ours.name = "rivals", "ours"
    return alt.LayerChart(layer=[rivals, ours], data=data, title=title or "", width="container", height=height).encode(**encodings)


def _bars(
    data: pd.DataFrame, x: str, y: str, color: str | None, color_field: str | None, color_encoding: alt.Color | None,
    domain: list[str],
    tooltip: list[alt.Tooltip], x_title: str, y_title: str, title: str, *, highlight: bool,
) -> alt.Chart:
    """Horizontal bars, categories sorted by the measure; grouped bars as rows under their category.

    Grouped bars are one band per (category, group) that exists, with the category's
    name as a bold row above its groups: a group missing from a category leaves no hole
    (a yOffset band would keep an empty slot for it in every category).
    """
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        data[x] = data[x].dt.strftime("%Y-%m-%d")
    data[x] = data[x].astype(str)
    order = data.groupby(x, sort=False)[y].sum().sort_values(ascending=False).head(MAX_BAR_CATEGORIES).index.tolist()
    data = data[data[x].isin(order)].copy()
    encodings: dict[str, Any] = {"x": alt.X(f"{y}:Q", title=y_title), "tooltip": tooltip}
    if color_encoding is not None:
        encodings["color"] = color_encoding
    if highlight:
        # Ours at full strength, rivals a touch lighter (Compare's focus rule).
        encodings["opacity"] = alt.OpacityValue(0.8, condition={"test": "datum._is_us", "value": 1.0})
    if not color or color == x:
        encodings["y"] = alt.Y(f"{x}:N", sort=order, title=x_title)
        rows = len(order)
        chart = alt.Chart(data).mark_bar(**_plain(color_field)).encode(**encodings)
    else:
        # Rows: "h<i>" names category i, "r<i>_<j>" is its j-th group (ours first, then the scale's order).
        rank = {v: i for i, v in enumerate(domain)}
        groups = data.groupby(x, sort=False)[color].unique()
        rows_domain: list[str] = []
        row_text: dict[str, str] = {}
        row_of: dict[tuple[str, str], str] = {}
        for i, category in enumerate(order):
            rows_domain.append(f"h{i}")
            row_text[f"h{i}"] = category
            for j, group in enumerate(sorted(groups[category], key=lambda v: rank.get(v, len(rank)))):
                rows_domain.append(f"r{i}_{j}")
                row_text[f"r{i}_{j}"] = group
                row_of[(category, group)] = f"r{i}_{j}"
        data["_row"] = [row_of[pair] for pair in zip(data[x], data[color])]
        header = "indexof(datum.value, 'h') === 0"
        encodings["y"] = alt.Y(
            "_row:N", sort=rows_domain, scale=alt.Scale(domain=rows_domain, paddingInner=0.15), title=x_title,
            axis=alt.Axis(
                # The row's text from a lookup (JSON string literals: names cannot break out of the expression).
                labelExpr=f"{_js_literal(row_text)}[datum.value]",
                labelFontWeight=alt.expr(f"{header} ? 'bold' : 'normal'"),
                labelFontSize=alt.expr(f"{header} ? 16 : 14"),
                ticks=False, domain=False,
            ),
        )
        rows = len(rows_domain)
        # What a screen reader says of a bar: its category and group, not the row's key.
        data["_says"] = data[x] + " · " + data[color] + ": " + data[y].map(lambda v: "" if _blank(v) else f"{v:,.4g}")
        encodings["description"] = alt.Description("_says:N")
        chart = alt.Chart(data).mark_bar().encode(**encodings)
    height = max(CHART_HEIGHT, min(MAX_BAR_HEIGHT, BAR_STEP * rows))
    return chart.properties(title=title or "", width="container", height=height)


def _js_literal(value: object) -> str:
    """`value` as a literal inside a Vega expression; JSON's raw line separators are escaped for JavaScript."""
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _reduce(df: pd.DataFrame, keys: list[str], measure: str, aggregate: str) -> pd.DataFrame:
    """One row per key combination with the measure aggregated (at most MAX_CHART_ROWS rows)."""
    if aggregate not in AGGREGATES:
        raise ChartRefused("query.chart.error.aggregate", aggregate=aggregate, known=", ".join(AGGREGATES))
    values = pd.to_numeric(df[measure], errors="coerce")
    frame = df[keys].copy()
    frame[measure] = values
    reduced = frame.groupby(keys, dropna=False, sort=True)[measure].agg(aggregate).reset_index()
    return reduced.head(MAX_CHART_ROWS)


def _histogram(df: pd.DataFrame, column: str, title: str, column_words: str, rows: str) -> alt.Chart:
    values = pd.to_numeric(df[column], errors="coerce").dropna().to_numpy(dtype=float)
    if len(values) == 0:
        raise ChartRefused("query.chart.error.no_numbers", column=column_words)
    counts, edges = np.histogram(values, bins=min(30, max(5, int(np.sqrt(len(values))))))
    data = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "rows": counts})
    return (
        alt.Chart(data)
        .mark_bar(color=PLAIN_COLOR)
        .encode(
            x=alt.X("start:Q", title=column_words, bin="binned"),
            x2="end:Q",
            y=alt.Y("rows:Q", title=rows),
            tooltip=[alt.Tooltip("start:Q", format=",.2f", title=f"{column_words} ≥"),
                     alt.Tooltip("end:Q", format=",.2f", title=f"{column_words} <"),
                     alt.Tooltip("rows:Q", title=rows)],
        )
        .properties(title=title or "", width="container", height=CHART_HEIGHT)
    )


def _plain(color_field: str | None) -> dict[str, Any]:
    """One muted colour for marks that no field colours (the theme's first colour is ours)."""
    return {} if color_field else {"color": PLAIN_COLOR}
