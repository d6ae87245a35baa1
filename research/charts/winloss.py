"""Win/loss charts: win rate per competitor, per segment and over time, where and why we lose to one
competitor, and the reasons per competitor.

Pure builders: small, aggregated DataFrames in (one row per bar), Altair charts out. Titles, axis names,
labels and the pre-formatted texts (percentages, money) come in translated; colours come in as the
workspace's company scale (research.charts.theme.company_colors: ours in the highlight colour, each
competitor in its fixed muted tone), so a deal won by us is drawn in our colour and one lost to X in X's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from research.charts.theme import NEUTRAL_COLOR, TEXT_COLOR, US_COLOR

MUTED_TEXT = "#52606D"
PANEL_WIDTH = 460  # each half of the "where and why" chart
ROW = 30  # pixels per bar row


def _title(title: str, subtitle: str | Sequence[str]) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=subtitle)


def _layers(name: str, *layers: alt.Chart, **properties: Any) -> alt.LayerChart:
    """Layers with fixed names: Altair would otherwise hash each layer's data to name its view."""
    for i, layer in enumerate(layers):
        layer.name = f"{name}_{i}"
    return alt.LayerChart(layer=list(layers), **properties)


def _overall_rule(value: float, label: str, color: str) -> tuple[alt.Chart, alt.Chart]:
    """Our overall win rate as a bold vertical line in our colour, named at its top."""
    frame = pd.DataFrame({"x": [value], "label": [label]})
    rule = alt.Chart(frame).mark_rule(color=color, strokeWidth=3, strokeDash=[6, 3]).encode(x=alt.X("x:Q"))
    name = alt.Chart(frame).mark_text(color=color, fontSize=14, fontWeight="bold", align="left", baseline="bottom",
                                      dx=6, y=0, dy=-4).encode(x=alt.X("x:Q"), text=alt.Text("label:N"))
    return rule, name


def _rate_axis(title: str) -> alt.X:
    return alt.X("win_rate:Q", title=title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", tickCount=5))


def _rate_bars(
    name: str,
    data: pd.DataFrame,
    category: str,
    *,
    category_title: str,
    axis_title: str | None,
    color: alt.Color | str,
    opacity: alt.OpacityValue | None = None,
    overall: float | None,
    overall_label: str,
    overall_color: str,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.LayerChart:
    """One horizontal bar per row of `data` (in its order): the win rate against `category`, its text beside
    it, the same tooltip on both, and the overall rate as a line when there is one.

    `color` is one colour for every bar or an encoding (a company scale); `data` needs `category`,
    win_rate, text, won, lost, won_value, lost_value.
    """
    order = data[category].tolist()
    y = alt.Y(f"{category}:N", sort=order, title=axis_title, axis=alt.Axis(labelFontSize=15, labelLimit=260))
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip("win_rate:Q", title=labels["win_rate"], format=".0%"),
        alt.Tooltip("won:Q", title=labels["won"]),
        alt.Tooltip("lost:Q", title=labels["lost"]),
        alt.Tooltip("won_value:N", title=labels["won_value"]),
        alt.Tooltip("lost_value:N", title=labels["lost_value"]),
    ]
    bar_mark = alt.Chart(data).mark_bar(height=alt.RelativeBandSize(0.7),
                                        color=color if isinstance(color, str) else alt.Undefined)
    bars = bar_mark.encode(
        y=y, x=_rate_axis(labels["win_rate"]), color=alt.Undefined if isinstance(color, str) else color,
        opacity=alt.Undefined if opacity is None else opacity, tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(align="left", dx=6, fontSize=14, color=TEXT_COLOR).encode(
        y=y, x=alt.X("win_rate:Q"), text=alt.Text("text:N"), tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bars, text]
    if overall is not None:
        layers += _overall_rule(overall, overall_label, overall_color)
    return _layers(name, *layers, title=_title(title, subtitle), width="container",
                   height=max(200, ROW * len(order) + 40))


def win_rate_by_competitor_chart(
    df: pd.DataFrame,
    *,
    scale: alt.Scale,
    overall: float | None,
    overall_label: str,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """One bar per competitor (in its own colour): our win rate against it; our overall rate as a line.

    `df` (in the order to draw) needs company_label, win_rate, text (the bar's label, e.g. "40% · 4 of 10"),
    won, lost, won_value, lost_value (texts for the tooltip).
    """
    return _rate_bars("winloss_competitors", df, "company_label", category_title=labels["company"], axis_title=None,
                      color=alt.Color("company_label:N", scale=scale, legend=None), overall=overall,
                      overall_label=overall_label, overall_color=us_color, title=title, subtitle=subtitle,
                      labels=labels)


def win_rate_by_segment_chart(
    df: pd.DataFrame,
    *,
    overall: float | None,
    overall_label: str,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    few_below: int,
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """Our win rate per segment, bars in our colour (segments with fewer than `few_below` decided deals paler),
    overall as a line.

    `df` (in the order to draw) needs segment_label, win_rate, decided, text, won, lost, won_value, lost_value.
    """
    data = df.assign(few=df["decided"] < few_below)
    return _rate_bars("winloss_segments", data, "segment_label", category_title=labels["segment"],
                      axis_title=labels["segment"], color=us_color,
                      opacity=alt.OpacityValue(1.0, condition={"test": "datum.few", "value": 0.4}), overall=overall,
                      overall_label=overall_label, overall_color=TEXT_COLOR, title=title, subtitle=subtitle,
                      labels=labels)


def win_rate_trend_chart(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
    us_color: str = US_COLOR,
) -> alt.LayerChart:
    """Decided deals per period as pale bars (right axis) and our win rate as a line in our colour (left axis).

    `df` (in time order) needs period_label, win_rate (NaN where nothing was decided), decided, won, lost.
    Periods are named text (a language's month and quarter names), not dates Vega would name in English.
    """
    order = df["period_label"].tolist()
    x = alt.X("period_label:O", sort=order, title=labels["period"],
              axis=alt.Axis(labelAngle=-45 if len(order) > 8 else 0, labelOverlap="parity", labelFontSize=13))
    tooltip = [
        alt.Tooltip("period_label:N", title=labels["period"]),
        alt.Tooltip("win_rate:Q", title=labels["win_rate"], format=".0%"),
        alt.Tooltip("won:Q", title=labels["won"]),
        alt.Tooltip("lost:Q", title=labels["lost"]),
    ]
    volume = alt.Chart(df).mark_bar(color=NEUTRAL_COLOR).encode(
        x=x, y=alt.Y("decided:Q", title=labels["decided"], axis=alt.Axis(orient="right", titleColor=MUTED_TEXT)),
        tooltip=tooltip,
    )
    rate = alt.Chart(df).transform_filter("isValid(datum.win_rate)").mark_line(
        color=us_color, strokeWidth=3.5, point=alt.OverlayMarkDef(size=60, color=us_color),
    ).encode(
        x=x, y=alt.Y("win_rate:Q", title=labels["win_rate"], scale=alt.Scale(domain=[0, 1]),
                     axis=alt.Axis(format="%", titleColor=us_color)),
        tooltip=tooltip,
    )
    return _layers("winloss_trend", volume, rate, title=_title(title, subtitle), width="container", height=380,
                   resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")))


def _won_by_panel(df: pd.DataFrame, category: str, order: Sequence[str], *, scale: alt.Scale, heading: str,
                  labels: Mapping[str, str]) -> alt.LayerChart:
    """Bars of deals per category, one per side (us, the competitor), coloured by who won them."""
    y = alt.Y(f"{category}:N", sort=list(order), title=None, axis=alt.Axis(labelFontSize=14, labelLimit=200))
    offset = alt.YOffset("company_label:N", sort=scale.domain if isinstance(scale.domain, list) else None)
    tooltip = [
        alt.Tooltip(f"{category}:N", title=labels[category]),
        alt.Tooltip("company_label:N", title=labels["won_by"]),
        alt.Tooltip("deals:Q", title=labels["deals"]),
        alt.Tooltip("value:N", title=labels["value"]),
    ]
    color = alt.Color("company_label:N", scale=scale, title=labels["won_by"],
                      legend=alt.Legend(values=list(dict.fromkeys(df["company_label"])), orient="bottom"))
    # Room right of the longest bar for its "17 · €1.1m".
    top = max(1.0, float(df["deals"].max()) if not df.empty else 1.0) * 1.35
    x = alt.X("deals:Q", title=labels["deals"], scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(tickMinStep=1))
    bars = alt.Chart(df).mark_bar(height=alt.RelativeBandSize(0.85)).encode(
        y=y, yOffset=offset, x=x, color=color,
        tooltip=tooltip,
    )
    text = alt.Chart(df).mark_text(align="left", dx=5, fontSize=13, color=TEXT_COLOR).encode(
        y=y, yOffset=offset, x=x, text=alt.Text("text:N"), tooltip=tooltip,
    )
    rows = max(1, len(order)) * max(1, df["company_label"].nunique())
    # Unnamed layers: named ones inside a concatenation lose their bars in Vega-Lite 6 (the offset band is
    # resolved under the layer's name and the bars are drawn with no height).
    return alt.LayerChart(layer=[bars, text], title=alt.TitleParams(heading, fontSize=17, anchor="start"), width=PANEL_WIDTH,
                     height=max(160, 17 * rows + 30))


def where_why_chart(
    where: pd.DataFrame,
    why: pd.DataFrame,
    *,
    scale: alt.Scale,
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.HConcatChart:
    """Where and why we lose to one competitor: deals per segment (left) and per reason (right), a bar for
    the deals they won (their colour) beside the deals we won against them (ours).

    `where` needs segment, company_label, deals, value, text; `why` needs reason, company_label, deals,
    value, text; both in the order to draw (the category's first appearance).
    """
    left = _won_by_panel(where, "segment", list(dict.fromkeys(where["segment"])), scale=scale,
                         heading=labels["where"], labels=labels)
    right = _won_by_panel(why, "reason", list(dict.fromkeys(why["reason"])), scale=scale, heading=labels["why"],
                          labels=labels)
    return alt.hconcat(left, right, spacing=40, title=_title(title, subtitle))


def reason_matrix_chart(
    df: pd.DataFrame,
    *,
    companies: Sequence[str],
    reasons: Sequence[str],
    title: str,
    subtitle: str | Sequence[str],
    labels: Mapping[str, str],
) -> alt.LayerChart:
    """Competitors (rows) × reasons (columns): deals per cell on one blue ramp, the count written in it.

    `df` needs company_label, reason, deals, value (text for the tooltip); `companies` and `reasons` give
    the order (competitors with most deals first, reasons likewise).
    """
    x = alt.X("reason:N", sort=list(reasons), title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=140))
    y = alt.Y("company_label:N", sort=list(companies), title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [
        alt.Tooltip("company_label:N", title=labels["company"]),
        alt.Tooltip("reason:N", title=labels["reason"]),
        alt.Tooltip("deals:Q", title=labels["deals"]),
        alt.Tooltip("value:N", title=labels["value"]),
    ]
    top = float(df["deals"].max()) if not df.empty else 1.0
    cells = alt.Chart(df).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y, color=alt.Color("deals:Q", title=labels["deals"], scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=tooltip,
    )
    counts = alt.Chart(df).mark_text(fontSize=15, fontWeight="bold").encode(
        x=x, y=y, text=alt.Text("deals:Q"),
        color=alt.ColorValue(TEXT_COLOR, condition={"test": f"datum.deals > {top * 0.6:.6g}", "value": "white"}),
        tooltip=tooltip,
    )
    return _layers("reasons", cells, counts, title=_title(title, subtitle), width=max(360, 110 * len(reasons)),
                   height=max(160, 44 * len(companies)))


def no_data_chart(title: str, subtitle: str, message: str) -> alt.LayerChart:
    """A chart-sized notice, so a workspace without decided deals never looks like a win rate of zero."""
    notice = alt.Chart(pd.DataFrame({"message": [message]})).mark_text(fontSize=20, color="#7B8794").encode(
        text=alt.Text("message:N"))
    return _layers("winloss_none", notice, title=_title(title, subtitle), width="container", height=180)
