"""Charts as on screen: native, editable PowerPoint charts in the workspace's colours, or a crisp picture.

A slide's `NativeChart` carries the data; what the screen shows beyond it is read from
the slide's own Vega-Lite spec (the chart the app draws), so the file looks like the
screen without a second copy of any colour rule:
- colours per category: a colour scale's domain → range, or a colour field drawn as is
  (`scale: null`, e.g. the sizing funnel's TAM/SAM/SOM bars);
- bubble sizes: a scatter whose points have a `size` encoding becomes a bubble chart
  whose bubble areas follow the on-screen size scale (the positioning map).
Our company's colour is the workspace highlight everywhere: the theme's default
highlight (US_COLOR) in any chart is drawn in the deck's highlight colour.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator
from typing import Any

from pptx.chart.data import BubbleChartData, CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.util import Pt

from research.charts.theme import COMPETITOR_COLORS, US_COLOR, is_hex_color
from research.exports import chart_bytes, neutralise, xml_safe
from research.present.model import NativeChart
from research.present.pptx_text import FONT, GREY, TEXT, Para, rgb_color, run_font, text_box

CHART_FONT_PT = 14
LABEL_FONT_PT = 12
GRIDLINE = RGBColor(0xE9, 0xEC, 0xEF)
BUBBLE_SCALE = 70  # % of PowerPoint's default bubble size: big bubbles overlap less, the smallest stay visible
NATIVE_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "pie": XL_CHART_TYPE.PIE,
    "scatter": XL_CHART_TYPE.XY_SCATTER,
}


# ---- what the on-screen spec says ------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def spec_rows(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline data row of a Vega-Lite spec (named datasets and `data.values`)."""
    if not spec:
        return []
    rows: list[dict[str, Any]] = []
    for values in (spec.get("datasets") or {}).values():
        rows.extend(r for r in values if isinstance(r, dict))
    for node in _walk(spec):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            rows.extend(r for r in data["values"] if isinstance(r, dict))
    return rows


def _encodings(spec: dict[str, Any] | None, channel: str) -> list[dict[str, Any]]:
    found = []
    for node in _walk(spec or {}):
        encoding = node.get("encoding")
        if isinstance(encoding, dict) and isinstance(encoding.get(channel), dict):
            found.append(encoding[channel])
    return found


def category_colours(spec: dict[str, Any] | None) -> dict[str, str]:
    """Category → colour, as the on-screen chart colours it."""
    found: dict[str, str] = {}
    raw_fields: list[str] = []
    for enc in _encodings(spec, "color"):
        scale = enc.get("scale", "missing")
        if isinstance(scale, dict):
            domain, colours = scale.get("domain"), scale.get("range")
            if isinstance(domain, list) and isinstance(colours, list):
                for d, c in zip(domain, colours):
                    if is_hex_color(c):
                        found.setdefault(str(d), c)
        elif scale is None and isinstance(enc.get("field"), str):
            raw_fields.append(enc["field"])  # the field holds the colour itself
    if raw_fields:
        for row in spec_rows(spec):
            for name in raw_fields:
                colour = row.get(name)
                if not is_hex_color(colour):
                    continue
                for key, value in row.items():
                    if key != name and isinstance(value, str) and not is_hex_color(value):
                        found.setdefault(value, colour)
    return found


def bubble_areas(spec: dict[str, Any] | None, names: tuple[str, ...]) -> dict[str, float]:
    """Point name → bubble area as on screen (the size scale's range), for points with a size encoding.

    A row belongs to the point whose name is one of its text values. Empty when the chart
    sizes nothing.
    """
    for enc in _encodings(spec, "size"):
        field = enc.get("field")
        if not isinstance(field, str):
            continue
        scale = enc.get("scale")
        if not isinstance(scale, dict):
            scale = {}
        domain, area = scale.get("domain"), scale.get("range")
        wanted = set(names)
        sizes: dict[str, float] = {}
        for row in spec_rows(spec):
            value = row.get(field)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            name = next((v for v in row.values() if isinstance(v, str) and v in wanted), None)
            if name is not None:
                sizes.setdefault(name, float(value))
        if not sizes:
            continue
        if isinstance(domain, list) and isinstance(area, list) and len(domain) == 2 and len(area) == 2:
            lo, hi = float(domain[0]), float(domain[1])
            small, big = float(area[0]), float(area[1])
            span = (hi - lo) or 1.0
            return {n: small + (min(max(v, lo), hi) - lo) / span * (big - small) for n, v in sizes.items()}
        top = max(sizes.values()) or 1.0
        return {n: max(v, top * 0.05) for n, v in sizes.items()}  # no scale: zero still shows a dot
    return {}


def axis_domains(spec: dict[str, Any] | None) -> dict[str, tuple[float, float]]:
    """"x"/"y" → the numeric scale domain the on-screen chart fixes for that axis (a map that does not start at 0)."""
    found: dict[str, tuple[float, float]] = {}
    for channel in ("x", "y"):
        for enc in _encodings(spec, channel):
            scale = enc.get("scale")
            domain = scale.get("domain") if isinstance(scale, dict) else None
            if (isinstance(domain, list) and len(domain) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in domain)):
                found.setdefault(channel, (float(domain[0]), float(domain[1])))
    return found


# ---- colours ------------------------------------------------------------------------------


def our_colour(colour: str | None, highlight: str) -> str | None:
    """`colour`, with the theme's default highlight replaced by the workspace's."""
    if isinstance(colour, str) and colour.upper() == US_COLOR.upper():
        return highlight
    return colour


def palette(highlight: str) -> list[str]:
    return [highlight, *COMPETITOR_COLORS]


# ---- native charts ---------------------------------------------------------------------------


def drawable(native: NativeChart | None) -> bool:
    """Native data PowerPoint can chart: at least one series, and categories unless it is a scatter."""
    return native is not None and bool(native.series) and (native.kind == "scatter" or bool(native.categories)) \
        and native.kind in NATIVE_TYPES


def _label(text: str) -> str:
    # Chart data also lands in an embedded workbook: keep formula-looking labels literal.
    return neutralise(xml_safe(text))


def native_chart(slide: Any, native: NativeChart, spec: dict[str, Any] | None, left: int, top: int, width: int,
                 height: int, *, highlight: str) -> Any:
    """An editable chart of `native` in the box, coloured as the on-screen `spec`; returns the graphic frame."""
    colours = {k: our_colour(v, highlight) or v for k, v in category_colours(spec).items()}
    areas = bubble_areas(spec, tuple(s.name for s in native.series)) if native.kind == "scatter" else {}
    if areas:
        return _bubble_chart(slide, native, spec, areas, colours, left, top, width, height, highlight)
    kind = native.kind
    if kind == "scatter":
        data: Any = XyChartData()
        for series in native.series:
            s = data.add_series(_label(series.name), number_format=native.number_format)
            for x, y in zip(series.x_values or (), series.values):
                if x is not None and y is not None:
                    s.add_data_point(x, y)
    else:
        data = CategoryChartData(number_format=native.number_format)
        data.categories = [_label(c) for c in native.categories]
        for series in native.series:
            data.add_series(_label(series.name), list(series.values))
    frame = slide.shapes.add_chart(NATIVE_TYPES[kind], left, top, width, height, data)
    frame.name = "Chart"
    chart = frame.chart
    _chart_text(chart)
    colour_list = palette(highlight)
    plot = chart.plots[0]
    if kind == "pie":
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = "0%"
        labels.number_format_is_linked = False
        labels.show_percentage = True
        labels.show_value = False
        labels.font.size = Pt(CHART_FONT_PT)
        for i, point in enumerate(plot.series[0].points):
            name = native.categories[i] if i < len(native.categories) else ""
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb_color(colours.get(name) or colour_list[i % len(colour_list)])
        return frame
    for i, (series, drawn) in enumerate(zip(native.series, plot.series)):
        own = our_colour(series.color, highlight)
        color = rgb_color(own or colours.get(series.name) or colour_list[i % len(colour_list)])
        if kind == "line":
            drawn.format.line.color.rgb = color
            drawn.format.line.width = Pt(2.5)
            drawn.smooth = False
            drawn.marker.style = XL_MARKER_STYLE.CIRCLE
            drawn.marker.format.fill.solid()
            drawn.marker.format.fill.fore_color.rgb = color
        elif kind == "scatter":
            drawn.marker.style = XL_MARKER_STYLE.CIRCLE
            drawn.marker.size = 12
            drawn.marker.format.fill.solid()
            drawn.marker.format.fill.fore_color.rgb = color
            drawn.format.line.fill.background()  # markers only, no connecting line
        else:
            drawn.format.fill.solid()
            drawn.format.fill.fore_color.rgb = color
            if len(native.series) == 1 and colours:
                # One series whose bars are coloured by category (our company, or SOM, highlighted).
                for j, point in enumerate(drawn.points):
                    name = native.categories[j] if j < len(native.categories) else ""
                    if name in colours:
                        point.format.fill.solid()
                        point.format.fill.fore_color.rgb = rgb_color(colours[name])
    if kind in ("bar", "column", "stacked_bar", "stacked_column"):
        plot.gap_width = 60
        if kind in ("bar", "stacked_bar"):
            chart.category_axis.reverse_order = True  # first category on top, as in the app
    if len(native.series) == 1 and kind != "scatter":
        chart.has_legend = False  # one series: the axis title says what it is
    if kind == "scatter" and native.categories and len(native.categories) <= 25:
        _point_labels(plot, native)
    _value_axis(chart, native)
    _axis_titles(chart, native)
    if kind == "scatter":
        _axis_ranges(chart, spec)
    return frame


def _chart_text(chart: Any) -> None:
    chart.has_title = False  # the slide's title says it
    chart.font.name = FONT
    chart.font.size = Pt(CHART_FONT_PT)
    chart.font.color.rgb = TEXT
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(CHART_FONT_PT)


def _value_axis(chart: Any, native: NativeChart) -> None:
    value_axis = chart.value_axis
    if native.kind.startswith("stacked") and "%" in native.number_format and _stack_max(native) <= 1.0001:
        value_axis.maximum_scale = 1.0  # shares that add up to 100 %: no axis running on to 120 %
    value_axis.tick_labels.number_format = native.number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = GRIDLINE


def _axis_titles(chart: Any, native: NativeChart) -> None:
    for axis, title in ((chart.category_axis, native.x_title), (chart.value_axis, native.y_title)):
        axis.tick_labels.font.size = Pt(CHART_FONT_PT)
        if title:
            axis.has_title = True
            axis.axis_title.text_frame.text = xml_safe(title)
            for run in axis.axis_title.text_frame.paragraphs[0].runs:
                run_font(run, CHART_FONT_PT, bold=False)


def _stack_max(native: NativeChart) -> float:
    totals = [sum(s.values[i] or 0.0 for s in native.series if i < len(s.values)) for i in range(len(native.categories))]
    return max(totals, default=0.0)


def _point_labels(plot: Any, native: NativeChart) -> None:
    """Name each scatter point (categories are the point names, in series order)."""
    names = iter(native.categories)
    for series, drawn in zip(native.series, plot.series):
        for k, (x, y) in enumerate(zip(series.x_values or (), series.values)):
            if x is None or y is None:
                continue
            name = next(names, "")
            if not name:
                continue
            label = drawn.points[k].data_label
            label.position = XL_LABEL_POSITION.RIGHT
            frame = label.text_frame
            frame.text = xml_safe(name)
            for run in frame.paragraphs[0].runs:
                run_font(run, LABEL_FONT_PT)


def _bubble_chart(slide: Any, native: NativeChart, spec: dict[str, Any] | None, areas: dict[str, float],
                  colours: dict[str, str], left: int, top: int, width: int, height: int, highlight: str) -> Any:
    """A scatter with bubble sizes: one series per point (its colour and legend entry), named by a label."""
    data = BubbleChartData(number_format=native.number_format)
    placed = []
    for series in native.series:
        s = data.add_series(_label(series.name))
        points = [(x, y) for x, y in zip(series.x_values or (), series.values) if x is not None and y is not None]
        for x, y in points:
            s.add_data_point(x, y, areas.get(series.name, min(areas.values())))
        placed.append((series, len(points)))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BUBBLE, left, top, width, height, data)
    frame.name = "Chart"
    chart = frame.chart
    _chart_text(chart)
    plot = chart.plots[0]
    plot.bubble_scale = BUBBLE_SCALE
    colour_list = palette(highlight)
    for i, ((series, count), drawn) in enumerate(zip(placed, plot.series)):
        own = our_colour(series.color, highlight)
        color = rgb_color(own or colours.get(series.name) or colour_list[i % len(colour_list)])
        drawn.format.fill.solid()
        drawn.format.fill.fore_color.rgb = color
        drawn.format.line.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        if own == highlight:
            drawn.format.line.color.rgb = TEXT  # our bubble outlined, as on screen
            drawn.format.line.width = Pt(2.5)
        for k in range(count):
            label = drawn.points[k].data_label
            label.position = XL_LABEL_POSITION.RIGHT
            label.text_frame.text = xml_safe(series.name)
            for run in label.text_frame.paragraphs[0].runs:
                run_font(run, LABEL_FONT_PT, bold=own == highlight)
    chart.has_legend = False  # every bubble carries its name
    _value_axis(chart, native)
    _axis_titles(chart, native)
    _axis_ranges(chart, spec)
    return frame


def _axis_ranges(chart: Any, spec: dict[str, Any] | None) -> None:
    """The x and y ranges of the on-screen map, widened to round ticks (an XY chart's category axis is its x axis)."""
    for channel, axis in (("x", chart.category_axis), ("y", chart.value_axis)):
        domain = axis_domains(spec).get(channel)
        if domain is None or not domain[0] < domain[1]:
            continue
        step = _nice_step((domain[1] - domain[0]) / 6)
        axis.minimum_scale = math.floor(domain[0] / step) * step
        axis.maximum_scale = math.ceil(domain[1] / step) * step
        axis.major_unit = step
        decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
        axis.tick_labels.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        axis.tick_labels.number_format_is_linked = False


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`."""
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


# ---- pictures --------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    # PNG: the IHDR chunk right after the 8-byte signature holds width and height.
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def recoloured(spec: dict[str, Any], highlight: str) -> dict[str, Any]:
    """The spec with the theme's default highlight replaced by the workspace's (a deep copy)."""
    if highlight.upper() == US_COLOR.upper():
        return spec

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return our_colour(node, highlight) if isinstance(node, str) else node

    return walk(spec)


def picture(slide: Any, spec: dict[str, Any], left: int, top: int, width: int, height: int, *,
            highlight: str) -> Any:
    """The chart as a 2× PNG, as large as fits the area, aspect ratio kept, centred."""
    # The slide's title and subtitle already say what the chart's own title says.
    spec = recoloured({k: v for k, v in spec.items() if k != "title"}, highlight)
    try:
        data = chart_bytes(spec, "png")
    except ValueError as e:  # vl-convert reports a spec it cannot draw as ValueError
        return text_box(slide, left, top, width, height, [Para(str(e).splitlines()[0], color=GREY)], (14, 12),
                        name="Error")
    px_w, px_h = _png_size(data)
    scale = min(width / px_w, height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    shape = slide.shapes.add_picture(io.BytesIO(data), left + (width - w) // 2, top + (height - h) // 2, w, h)
    shape.name = "Chart image"
    return shape
