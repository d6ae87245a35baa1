"""Comparison charts: feature matrix, strategy canvas, radar, positioning map, prices and share.

Pure builders: small, aggregated DataFrames in, Altair charts out. Every chart
takes the company colour scale (ours in the workspace highlight colour) and adds
the `focus` click selection on the company, which the page reads back with
`on_select` to focus one competitor. Missing data is drawn as "no data" text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from research.charts.theme import NEUTRAL_COLOR, TEXT_COLOR, US_COLOR

FOCUS = "focus"  # the selection parameter every comparison chart carries
# Feature values on a single-hue (blue) ramp: readable in any colour-vision deficiency
# and clearly apart from the highlight colour used for "our advantage" outlines.
VALUE_COLORS = {"yes": "#2B5C8A", "partial": "#8DB3D5", "no": "#E4E7EB", "unknown": "#FFFFFF"}
VALUE_SYMBOLS = {"yes": "✓", "partial": "◐", "no": "✗", "unknown": "?"}
GAP_COLOR = "#1F2933"
_BUBBLE = (250.0, 3200.0)  # bubble areas (px²) of the smallest and largest company on the positioning map
MATRIX_COLUMN = 180  # pixels per company column of the feature matrix
RADAR_UNIT, RADAR_X, RADAR_Y = 215, 1.95, 1.25  # pixels per unit radius; half-widths of the radar's view


def focus_selection() -> alt.Parameter:
    return alt.selection_point(name=FOCUS, fields=["company_label"], on="click", clear="dblclick")


def _focus_opacity(selection: alt.Parameter, dimmed: float = 0.3, focused: float = 1.0) -> alt.OpacityValue:
    """Full opacity for the focused company and for us (we never fade), `dimmed` for the rest.

    With nothing focused every mark is at full opacity (the selection's empty state).
    """
    # Channel objects, not alt.condition()/shorthand strings: Altair turns those into
    # objects through a schema lookup that costs ~10 ms each (most of a chart's build).
    return alt.OpacityValue(dimmed, condition={"test": {"or": [{"param": selection.name}, "datum.is_us"]}, "value": focused})


def _title(title: str, subtitle: str | Sequence[str]) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=subtitle)


def _layers(name: str, *layers: alt.Chart, title: str, subtitle: str | Sequence[str], **properties: Any) -> alt.LayerChart:
    """Layers titled and sized in one constructor call, each named `name_i`.

    Named layers and constructor keywords spare Altair its per-layer hashing (a JSON
    dump of each layer's DataFrame, to invent view names) and a validation per
    `.properties()` call: most of a chart's build time. `to_dict()` still validates
    the whole spec once.
    """
    for i, layer in enumerate(layers):
        layer.name = f"{name}_{i}"
    return alt.LayerChart(layer=list(layers), title=_title(title, subtitle), **properties)


def company_color(df: pd.DataFrame, scale: alt.Scale, title: str) -> alt.Color:
    """Colour by company on the workspace-wide scale (stable colours), with a legend of the companies shown only."""
    shown = set(df["company_label"])
    domain = scale.domain if isinstance(scale.domain, list) else sorted(shown)
    return alt.Color("company_label:N", scale=scale, title=title, legend=alt.Legend(values=[c for c in domain if c in shown]))


def no_data_chart(title: str, subtitle: str, message: str) -> alt.LayerChart:
    """A chart-sized "no data" notice, so a missing dataset never looks like zeros."""
    frame = pd.DataFrame({"message": [message]})
    notice = alt.Chart(frame).mark_text(fontSize=22, color="#7B8794").encode(text=alt.Text("message:N"))
    return _layers("no_data", notice, title=title, subtitle=subtitle, width="container", height=200)


# ---- feature matrix -------------------------------------------------------------------------


def feature_matrix_chart(
    df: pd.DataFrame,
    *,
    companies: Sequence[str],
    value_labels: Mapping[str, str],
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    us_color: str = US_COLOR,
) -> alt.FacetChart:
    """Features (rows, grouped by category) × companies (ours first); our edges outlined.

    `df` needs feature, category, company_label, is_us, value, value_label, edge, note.
    An `advantage` cell (we have more of the feature) gets a thick outline in our
    colour, a `gap` cell a dashed dark outline.
    """
    data = df[["feature", "category", "company_label", "is_us", "value", "value_label", "edge", "note"]].assign(
        symbol=df["value"].map(VALUE_SYMBOLS), text_color=(df["value"] == "yes").map({True: "white", False: TEXT_COLOR})
    )
    # Object NaN would reach the spec as invalid JSON: empty text instead.
    data[["edge", "note"]] = data[["edge", "note"]].astype(object).fillna("")
    selection = focus_selection()
    # Company names read horizontally above their columns, ours in bold in our colour.
    ours = next((c for c in companies if c in set(df.loc[df["is_us"], "company_label"])), "")
    x = alt.X("company_label:N", sort=list(companies), title=None, axis=alt.Axis(
        orient="top", labelAngle=0, labelLimit=MATRIX_COLUMN - 8, labelFontSize=15,
        labelFontWeight=alt.expr(f"datum.value === {json.dumps(ours)} ? 'bold' : 'normal'"),
        labelColor=alt.expr(f"datum.value === {json.dumps(ours)} ? {json.dumps(us_color)} : '{TEXT_COLOR}'"),
    ))
    y = alt.Y("feature:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    tooltip = [
        alt.Tooltip("feature:N", title=labels["feature"]),
        alt.Tooltip("company_label:N", title=labels["company"]),
        alt.Tooltip("value_label:N", title=labels["value"]),
        alt.Tooltip("note:N", title=labels["note"]),
    ]
    order = list(value_labels.values())
    cells = (
        alt.Chart()
        .mark_rect(stroke="#CED4DA", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "value_label:N",
                scale=alt.Scale(domain=order, range=[VALUE_COLORS[v] for v in value_labels]),
                title=labels["value"], legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            opacity=_focus_opacity(selection, 0.35),
            tooltip=tooltip,
        )
        .add_params(selection)
    )
    edges = (
        alt.Chart()
        .transform_filter("datum.edge")
        .mark_rect(fill=None, strokeWidth=3.5)
        .encode(
            x=x,
            y=y,
            stroke=alt.Stroke(
                "edge_label:N",
                scale=alt.Scale(domain=[labels["advantage"], labels["gap"]], range=[us_color, GAP_COLOR]),
                title=labels["edge"], legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            strokeDash=alt.StrokeDash(
                "edge_label:N", scale=alt.Scale(domain=[labels["advantage"], labels["gap"]], range=[[1, 0], [5, 3]]), legend=None
            ),
            tooltip=tooltip,
        )
    )
    symbols = alt.Chart().mark_text(fontSize=17, fontWeight="bold").encode(
        x=x, y=y, text=alt.Text("symbol:N"), color=alt.Color("text_color:N", scale=None), tooltip=tooltip
    )
    data = data.assign(edge_label=data["edge"].map({"advantage": labels["advantage"], "gap": labels["gap"]}))
    for i, layer in enumerate((cells, edges, symbols)):
        layer.name = f"matrix_{i}"
    cell_layers = alt.LayerChart(layer=[cells, edges, symbols], width=MATRIX_COLUMN * len(companies), height=alt.Step(32))
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelFontWeight="bold", labelOrient="top")
    return cell_layers.facet(
        row=alt.Row("category:N", title=None, header=header), data=data, title=_title(title, subtitle),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
    )


# ---- capabilities ---------------------------------------------------------------------------


def capability_canvas_chart(
    df: pd.DataFrame,
    *,
    order: Sequence[str],
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.LayerChart:
    """Strategy canvas (value curves): factors on x, score 1–5 on y, one line per company, ours bold on top.

    `df` needs capability, company_label, is_us, score.
    """
    selection = focus_selection()
    base = alt.Chart(df).encode(
        x=alt.X("capability:N", sort=list(order), title=labels["capability"], axis=alt.Axis(labelAngle=0, labelLimit=180)),
        y=alt.Y("score:Q", title=labels["score"], scale=alt.Scale(domain=[0.5, 5.5]), axis=alt.Axis(values=[1, 2, 3, 4, 5])),
        color=company_color(df, scale, labels["company"]),
        detail=alt.Detail("company_label:N"),
        tooltip=[
            alt.Tooltip("company_label:N", title=labels["company"]),
            alt.Tooltip("capability:N", title=labels["capability"]),
            alt.Tooltip("score:Q", title=labels["score"]),
        ],
    )
    rivals = base.transform_filter("!datum.is_us")
    lines = rivals.mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=70)).encode(opacity=_focus_opacity(selection, 0.2))
    ours = base.transform_filter("datum.is_us").mark_line(strokeWidth=6, point=alt.OverlayMarkDef(size=160))
    hit = rivals.mark_point(size=300, opacity=0).add_params(selection)  # a generous click target
    return _layers("canvas", lines, ours, hit, title=title, subtitle=subtitle, width="container", height=420)


def radar_points(df: pd.DataFrame, order: Sequence[str], max_score: float = 5.0) -> pd.DataFrame:
    """Polar positions (x, y) for each company's scores, first factor at 12 o'clock, clockwise, polygon closed."""
    n = len(order)
    angle = {cap: 2 * math.pi * i / n for i, cap in enumerate(order)}
    rows = []
    for (label, is_us), group in df.groupby(["company_label", "is_us"], sort=False):
        scored = group.set_index("capability")["score"]
        caps = [c for c in order if c in scored.index]
        for step, cap in enumerate([*caps, caps[0]] if caps else []):
            r = float(scored[cap]) / max_score
            rows.append({"company_label": label, "is_us": bool(is_us), "capability": cap, "score": float(scored[cap]),
                         "x": r * math.sin(angle[cap]), "y": r * math.cos(angle[cap]), "step": step})
    return pd.DataFrame(rows, columns=["company_label", "is_us", "capability", "score", "x", "y", "step"])


def _radar_frame(order: Sequence[str], max_score: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The radar's web (rings and spokes as one set of paths) and its factor names, with their alignment."""
    n = len(order)
    web = []
    for level in range(1, int(max_score) + 1):
        for step in range(n + 1):
            a = 2 * math.pi * (step % n) / n
            r = level / max_score
            web.append({"path": f"ring {level}", "step": step, "x": r * math.sin(a), "y": r * math.cos(a)})
    for i in range(n):
        a = 2 * math.pi * i / n
        web += [{"path": f"spoke {i}", "step": 0, "x": 0.0, "y": 0.0},
                {"path": f"spoke {i}", "step": 1, "x": math.sin(a), "y": math.cos(a)}]
    names = []
    for i, cap in enumerate(order):
        sin, cos = math.sin(2 * math.pi * i / n), math.cos(2 * math.pi * i / n)
        names.append({"capability": cap, "x": 1.1 * sin, "y": 1.1 * cos,
                      "align": "center" if abs(sin) < 0.2 else ("left" if sin > 0 else "right"),
                      "baseline": "bottom" if cos > 0.5 else ("top" if cos < -0.5 else "middle")})
    # The scale's levels along the first spoke, so a shared screen can read the rings.
    levels = [{"capability": str(level), "x": 0.03, "y": level / max_score, "align": "left", "baseline": "bottom"}
              for level in range(1, int(max_score) + 1)]
    return pd.DataFrame(web), pd.DataFrame(names + levels)


def capability_radar_chart(
    df: pd.DataFrame,
    *,
    order: Sequence[str],
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    max_score: float = 5.0,
) -> alt.LayerChart:
    """A radar built from polar coordinates (Vega-Lite has none): rings, spokes, one closed line per company."""
    points = radar_points(df, order, max_score)
    web, names = _radar_frame(order, max_score)
    names["is_level"] = names["capability"].str.isdigit()
    selection = focus_selection()
    # Wider on x for the factor names left and right of the circle; the same pixels per
    # unit on both axes keep the rings round.
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-RADAR_X, RADAR_X]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-RADAR_Y, RADAR_Y]))
    grid = alt.Chart(web).mark_line(color=NEUTRAL_COLOR, strokeWidth=1.2).encode(
        x=x, y=y, detail=alt.Detail("path:N"), order=alt.Order("step:Q")
    )
    # One text layer: alignment, size and colour per label come from the data.
    text = alt.Chart(names).mark_text(
        align=alt.expr("datum.align"), baseline=alt.expr("datum.baseline"),
        fontSize=alt.expr("datum.is_level ? 12 : 16"), color=alt.expr(f"datum.is_level ? '#9AA5B1' : '{TEXT_COLOR}'"),
        fontWeight=alt.expr("datum.is_level ? 'normal' : 600"),
    ).encode(x=x, y=y, text=alt.Text("capability:N"))
    base = alt.Chart(points).encode(
        x=x,
        y=y,
        order=alt.Order("step:Q"),
        color=company_color(df, scale, labels["company"]),
        detail=alt.Detail("company_label:N"),
        tooltip=[
            alt.Tooltip("company_label:N", title=labels["company"]),
            alt.Tooltip("capability:N", title=labels["capability"]),
            alt.Tooltip("score:Q", title=labels["score"]),
        ],
    )
    rivals = base.transform_filter("!datum.is_us").mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=60)).encode(
        opacity=_focus_opacity(selection, 0.15)
    )
    ours = base.transform_filter("datum.is_us").mark_line(strokeWidth=6, point=alt.OverlayMarkDef(size=150))
    hit = base.transform_filter("!datum.is_us").mark_point(size=400, opacity=0).add_params(selection)
    return _layers("radar", grid, text, rivals, ours, hit, title=title, subtitle=subtitle,
                   width=round(2 * RADAR_X * RADAR_UNIT), height=round(2 * RADAR_Y * RADAR_UNIT))


# ---- positioning ----------------------------------------------------------------------------


def positioning_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    x_split: float,
    y_split: float,
    quadrants: Mapping[str, str],
    white_space: Sequence[str],
    white_space_label: str,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    x_format: str = ",.0f",
    y_format: str = ",.1f",
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """Bubbles at (x, y) sized by `size`, quadrant lines at the splits, quadrant names and white space.

    `df` needs company_label, is_us, x, y, size. `quadrants` maps "tl", "tr", "bl",
    "br" to names; `white_space` lists the empty quadrants to annotate.
    """
    xs = [*df["x"].tolist(), x_split]
    ys = [*df["y"].tolist(), y_split]
    x_pad = max((max(xs) - min(xs)) * 0.18, abs(x_split) * 0.05, 1e-6)
    y_pad = max((max(ys) - min(ys)) * 0.2, abs(y_split) * 0.05, 1e-6)
    x_dom = [min(xs) - x_pad, max(xs) + x_pad]
    y_dom = [min(ys) - y_pad, max(ys) + y_pad]
    corner = {"tl": (x_dom[0], y_dom[1]), "tr": (x_dom[1], y_dom[1]), "bl": (x_dom[0], y_dom[0]), "br": (x_dom[1], y_dom[0])}
    quad = pd.DataFrame([
        {"x": corner[q][0], "y": corner[q][1], "name": quadrants[q], "align": "left" if q[1] == "l" else "right",
         "baseline": "top" if q[0] == "t" else "bottom", "dx": 10 if q[1] == "l" else -10, "dy": 8 if q[0] == "t" else -8}
        for q in ("tl", "tr", "bl", "br")
    ])
    centre = {q: ((corner[q][0] + x_split) / 2, (corner[q][1] + y_split) / 2) for q in corner}
    space = pd.DataFrame([{"x": centre[q][0], "y": centre[q][1], "text": white_space_label} for q in white_space],
                         columns=["x", "y", "text"])
    # Bubble areas from a zero-based linear scale, so each name can sit just above its own bubble.
    top_size = max(float(df["size"].max()), 1e-9)
    placed = df.assign(label_dy=[-(math.sqrt((_BUBBLE[0] + (_BUBBLE[1] - _BUBBLE[0]) * max(s, 0.0) / top_size) / math.pi) + 12)
                                 for s in df["size"]])
    selection = focus_selection()
    x = alt.X("x:Q", title=labels["x"], scale=alt.Scale(domain=x_dom, nice=False, zero=False), axis=alt.Axis(format=x_format, tickCount=8))
    y = alt.Y("y:Q", title=labels["y"], scale=alt.Scale(domain=y_dom, nice=False, zero=False), axis=alt.Axis(format=y_format, tickCount=8))
    size = alt.Size("size:Q", title=labels["size"], scale=alt.Scale(domain=[0, top_size], range=list(_BUBBLE)), legend=None)
    split_rule: dict[str, Any] = {"color": "#ADB5BD", "strokeDash": [6, 4], "strokeWidth": 1.5}
    x_rule = alt.Chart(pd.DataFrame({"x": [x_split]})).mark_rule(**split_rule).encode(x=alt.X("x:Q"))
    y_rule = alt.Chart(pd.DataFrame({"y": [y_split]})).mark_rule(**split_rule).encode(y=alt.Y("y:Q"))
    names = alt.Chart(quad).mark_text(
        fontSize=16, fontStyle="italic", color="#7B8794", align=alt.expr("datum.align"), baseline=alt.expr("datum.baseline"),
        dx=alt.expr("datum.dx"), dy=alt.expr("datum.dy"),
    ).encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("name:N"))
    spaces = alt.Chart(space).mark_text(fontSize=20, fontWeight="bold", color=us_color, opacity=0.6).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("text:N")
    )
    tooltip = [
        alt.Tooltip("company_label:N", title=labels["company"]),
        alt.Tooltip("x:Q", title=labels["x"], format=x_format),
        alt.Tooltip("y:Q", title=labels["y"], format=y_format),
        alt.Tooltip("size:Q", title=labels["size"], format=labels.get("size_format", ",.0f")),
    ]
    bubbles = (
        alt.Chart(placed)
        .mark_circle(stroke="white", strokeWidth=1.5)
        .encode(
            x=x, y=y, size=size,
            color=alt.Color("company_label:N", scale=scale, legend=None),
            opacity=_focus_opacity(selection, 0.3, 0.9),
            tooltip=tooltip,
        )
        .add_params(selection)
    )
    ours_ring = alt.Chart(placed).transform_filter("datum.is_us").mark_circle(
        fill=None, strokeWidth=3.5, stroke=TEXT_COLOR
    ).encode(x=x, y=y, size=size)
    text = alt.Chart(placed).mark_text(
        dy=alt.expr("datum.label_dy"), fontSize=alt.expr("datum.is_us ? 18 : 15"),
        fontWeight=alt.expr("datum.is_us ? 'bold' : 'normal'"), color=alt.expr(f"datum.is_us ? '{TEXT_COLOR}' : '#52606D'"),
    ).encode(x=x, y=y, text=alt.Text("company_label:N"))
    return _layers("positioning", x_rule, y_rule, names, spaces, bubbles, ours_ring, text, title=title, subtitle=subtitle,
                   width="container", height=540)


# ---- prices ---------------------------------------------------------------------------------


def _our_price_line(label: str, us_color: str) -> tuple[alt.Chart, alt.Chart]:
    """Our price, the yardstick of the price charts: a bold line at 100 in our colour, named at its top."""
    ours = pd.DataFrame({"x": [100.0], "label": [label]})
    rule = alt.Chart(ours).mark_rule(color=us_color, strokeWidth=4).encode(x=alt.X("x:Q"))
    name = alt.Chart(ours).mark_text(
        color=us_color, fontSize=15, fontWeight="bold", align="left", baseline="bottom", dx=6, y=0, dy=-4,
    ).encode(x=alt.X("x:Q"), text=alt.Text("label:N"))
    return rule, name


def price_index_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """Per category, each competitor's index as a bar from our price (100, a bold line in our colour).

    `df` needs category, company_label, is_us, price_index (NaN = no data), products.
    Bars right of 100: they are dearer than us; left: cheaper. A competitor without
    comparable prices in a category gets a "no data" label, never a bar of zero.
    `labels["us"]` names the line at 100 (our company).
    """
    rivals = df[~df["is_us"]]
    data = rivals.assign(base=100.0, no_data=rivals["price_index"].isna(),
                         dearer=rivals["price_index"].fillna(100.0) >= 100.0)
    selection = focus_selection()
    y = alt.Y("category:N", title=None, sort=labels.get("category_order"), axis=alt.Axis(labelFontSize=16, labelPadding=8))
    offset = alt.YOffset("company_label:N", sort=scale.domain if isinstance(scale.domain, list) else None)
    tooltip = [
        alt.Tooltip("category:N", title=labels["category"]),
        alt.Tooltip("company_label:N", title=labels["company"]),
        alt.Tooltip("price_index:Q", title=labels["index"], format=".1f"),
        alt.Tooltip("products:Q", title=labels["products"], format=","),
    ]
    known = alt.Chart(data).transform_filter("!datum.no_data")
    bars = known.mark_bar(height=alt.RelativeBandSize(0.8)).encode(
        y=y, yOffset=offset, x=alt.X("price_index:Q", title=labels["index"], scale=alt.Scale(zero=False, nice=True),
                                     axis=alt.Axis(tickCount=8)),
        x2=alt.X2("base"), color=company_color(data, scale, labels["company"]),
        opacity=_focus_opacity(selection, 0.3), tooltip=tooltip,
    ).add_params(selection)
    # The value at the outer end of each bar: right of a dearer bar, left of a cheaper one.
    values = known.mark_text(
        fontSize=15, fontWeight=600, align=alt.expr("datum.dearer ? 'left' : 'right'"), dx=alt.expr("datum.dearer ? 6 : -6"),
    ).encode(y=y, yOffset=offset, x=alt.X("price_index:Q"), text=alt.Text("price_index:Q", format=".0f"))
    missing = alt.Chart(data).transform_filter("datum.no_data").mark_text(
        align="left", dx=6, fontSize=14, color="#7B8794", fontStyle="italic"
    ).encode(y=y, yOffset=offset, x=alt.X("base:Q"), text=alt.TextValue(labels["no_data"]), tooltip=tooltip)
    rule, rule_label = _our_price_line(labels["us"], us_color)
    rows = data["category"].nunique() * max(1, data["company_label"].nunique())
    return _layers("price_index", bars, values, missing, rule, rule_label, title=title, subtitle=subtitle, width="container",
                   height=max(260, 26 * rows + 40))


def price_distribution_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """Box plots from precomputed quantiles (low, q1, median, q3, high) per category and competitor; 100 = our price.

    Our own products are the yardstick (each is 100 against itself), so we are the bold
    line at 100 in our colour rather than a box of zero width.
    """
    rivals = df[~df["is_us"]]
    selection = focus_selection()
    y = alt.Y("category:N", title=None, axis=alt.Axis(labelFontSize=16, labelPadding=8))
    offset = alt.YOffset("company_label:N", sort=scale.domain if isinstance(scale.domain, list) else None)
    color = company_color(rivals, scale, labels["company"])
    tooltip = [alt.Tooltip("category:N", title=labels["category"]), alt.Tooltip("company_label:N", title=labels["company"])] + [
        alt.Tooltip(f"{f}:Q", title=labels[f], format=".0f") for f in ("low", "q1", "median", "q3", "high")
    ] + [alt.Tooltip("products:Q", title=labels["products"], format=",")]
    x = alt.X("low:Q", title=labels["index"], scale=alt.Scale(type="log"), axis=alt.Axis(tickCount=8))
    whisker = alt.Chart(rivals).mark_rule(strokeWidth=2).encode(y=y, yOffset=offset, x=x, x2=alt.X2("high"), color=color,
                                                              opacity=_focus_opacity(selection, 0.3), tooltip=tooltip)
    box = alt.Chart(rivals).mark_bar(height=alt.RelativeBandSize(0.7)).encode(
        y=y, yOffset=offset, x=alt.X("q1:Q"), x2=alt.X2("q3"), color=color, opacity=_focus_opacity(selection, 0.3), tooltip=tooltip
    ).add_params(selection)
    median = alt.Chart(rivals).mark_tick(color="white", thickness=3).encode(y=y, yOffset=offset, x=alt.X("median:Q"))
    rule, rule_label = _our_price_line(labels["us"], us_color)
    height = max(260, 26 * rivals["category"].nunique() * max(1, rivals["company_label"].nunique()) + 40)
    return _layers("price_spread", whisker, box, median, rule, rule_label, title=title, subtitle=subtitle, width="container",
                   height=height)


def price_history_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.LayerChart:
    """Weekly price level per company (ours bold) with moves above the threshold marked and labelled.

    `df` needs week, company_label, is_us, level, change, is_move.
    """
    selection = focus_selection()
    base = alt.Chart(df).encode(
        x=alt.X("week:T", title=labels["week"]),
        y=alt.Y("level:Q", title=labels["level"], scale=alt.Scale(zero=False)),
        color=company_color(df, scale, labels["company"]),
        tooltip=[
            alt.Tooltip("company_label:N", title=labels["company"]),
            alt.Tooltip("week:T", title=labels["week"], format="%Y-%m-%d"),
            alt.Tooltip("level:Q", title=labels["level"], format=".1f"),
            alt.Tooltip("change:Q", title=labels["change"], format="+.1%"),
        ],
    )
    rivals = base.transform_filter("!datum.is_us").mark_line(strokeWidth=2).encode(opacity=_focus_opacity(selection, 0.2))
    ours = base.transform_filter("datum.is_us").mark_line(strokeWidth=4.5)
    hit = base.mark_point(size=120, opacity=0).add_params(selection)
    moves = base.transform_filter("datum.is_move").mark_point(size=140, filled=True, stroke="white", strokeWidth=1.5)
    move_text = base.transform_filter("datum.is_move").mark_text(dy=-14, fontSize=13, fontWeight="bold").encode(
        text=alt.Text("change:Q", format="+.0%")
    )
    return _layers("price_history", rivals, ours, hit, moves, move_text, title=title, subtitle=subtitle, width="container",
                   height=420)


# ---- share by segment -----------------------------------------------------------------------


def segment_share_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.LayerChart:
    """Grouped bars of share per segment (segments sorted by our lead over the best rival), ours first.

    `df` needs segment_label, company_label, is_us, accounts, share, lead.
    """
    order = df.drop_duplicates("segment_label").sort_values("lead", ascending=False)["segment_label"].tolist()
    selection = focus_selection()
    y = alt.Y("segment_label:N", sort=order, title=labels["segment"])
    offset = alt.YOffset("company_label:N", sort=scale.domain if isinstance(scale.domain, list) else None)
    bars = alt.Chart(df).mark_bar(height=alt.RelativeBandSize(0.9)).encode(
        y=y, yOffset=offset,
        x=alt.X("share:Q", title=labels["share"], axis=alt.Axis(format="%")),
        color=company_color(df, scale, labels["company"]),
        opacity=_focus_opacity(selection, 0.3),
        tooltip=[
            alt.Tooltip("segment_label:N", title=labels["segment"]),
            alt.Tooltip("company_label:N", title=labels["company"]),
            alt.Tooltip("accounts:Q", title=labels["accounts"], format=","),
            alt.Tooltip("share:Q", title=labels["share"], format=".1%"),
            alt.Tooltip("lead:Q", title=labels["lead"], format="+.1%"),
        ],
    ).add_params(selection)
    ours = alt.Chart(df).transform_filter("datum.is_us").mark_text(align="left", dx=5, fontSize=13, fontWeight="bold").encode(
        y=y, yOffset=offset, x=alt.X("share:Q"), text=alt.Text("share:Q", format=".0%")
    )
    height = max(260, 16 * len(order) * max(1, df["company_label"].nunique()) + 40)
    return _layers("share", bars, ours, title=title, subtitle=subtitle, width="container", height=height)
