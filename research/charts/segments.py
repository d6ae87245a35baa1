"""Segment charts: silhouette curve, supplier share bars, TAM/SAM/SOM funnel, GE-McKinsey bubble matrix.

Pure builders: a small, already aggregated DataFrame in, an Altair chart out.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from research.charts.theme import NEUTRAL_COLOR, US_COLOR, company_colors


def silhouette_chart(scan: pd.DataFrame, suggested: int, *, title: str, subtitle: str, k_title: str, score_title: str) -> alt.LayerChart:
    """Silhouette score per k (`scan`: k, silhouette); the suggested k in our colour."""
    data = scan.assign(suggested=scan["k"] == suggested)
    base = alt.Chart(data).encode(
        x=alt.X("k:O", title=k_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("silhouette:Q", title=score_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("k:O", title=k_title), alt.Tooltip("silhouette:Q", title=score_title, format=".3f")],
    )
    line = base.mark_line(color="#5D6D7E", point=alt.OverlayMarkDef(color="#5D6D7E", size=90))
    pick = base.transform_filter("datum.suggested").mark_point(color=US_COLOR, filled=True, size=420)
    label = base.transform_filter("datum.suggested").mark_text(dy=-22, color=US_COLOR, fontWeight="bold").encode(
        text=alt.Text("silhouette:Q", format=".2f")
    )
    return alt.LayerChart(layer=[line, pick, label]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), height=320, width="container"
    )


def sizing_funnel_chart(
    sizing: pd.DataFrame, *, title: str, subtitle: str | list[str], stage_title: str, value_title: str, low_title: str,
    high_title: str,
) -> alt.LayerChart:
    """TAM → SAM → SOM as a centred funnel of bars with the ± band as whiskers (`sizing`: stage, value, low, high).

    `subtitle` may be several lines: the sizing says where its contract value came from.
    """
    data = sizing.copy()
    data["left"], data["right"] = -data["value"] / 2, data["value"] / 2
    data["low_left"], data["low_right"] = -data["low"] / 2, data["high"] / 2
    data["colour"] = data["stage"].map({"TAM": "#93A1AD", "SAM": "#5D6D7E", "SOM": US_COLOR})
    y = alt.Y("stage:N", sort=["TAM", "SAM", "SOM"], title=stage_title)
    # Amounts as the caller wrote them (SizingResult.frame(lang): "€38.5m", "38,5 мил. €"), else
    # d3's SI form, which knows neither the currency nor the language ("38.5M", "1.2G").
    written = "value_text" in data
    tooltip = [
        alt.Tooltip("stage:N", title=stage_title),
        *([alt.Tooltip(f"{k}_text:N", title=name) for k, name in (("value", value_title), ("low", low_title),
                                                             ("high", high_title))] if written else
          [alt.Tooltip("value:Q", title=value_title, format=",.0f"), alt.Tooltip("low:Q", title=low_title, format=",.0f"),
           alt.Tooltip("high:Q", title=high_title, format=",.0f")]),
    ]
    bars = alt.Chart(data).mark_bar(height=54).encode(
        y=y, x=alt.X("left:Q", title=value_title, axis=None), x2="right:Q",
        color=alt.Color("colour:N", scale=None), tooltip=tooltip,
    )
    band = alt.Chart(data).mark_rule(strokeWidth=3, color="#1F2933", strokeDash=[4, 3]).encode(
        y=y, x="low_left:Q", x2="low_right:Q"
    )
    labels = alt.Chart(data).mark_text(align="left", dx=10, color="#1F2933", fontWeight="bold", fontSize=17).encode(
        y=y, x="low_right:Q", text=alt.Text("value_text:N") if written else alt.Text("value:Q", format=",.3~s")
    )
    return alt.LayerChart(layer=[bars, band, labels]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), height=300, width="container"
    )


def matrix_chart(
    scored: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    size_title: str,
    share_title: str,
    segment_title: str,
    zone_title: str,
    thirds: tuple[float, float],
    unknown_text: str = "–",
) -> alt.LayerChart:
    """GE-McKinsey bubbles: x = strength, y = attractiveness (0–100), size = accounts, colour = our share.

    `scored` needs label, accounts, our_share (0–1 or NaN), strength, attractiveness, zone_label.
    Segments without a score on an axis (NaN) are left off: the caller names them. An unknown
    share is drawn hollow and reads `unknown_text`, not 0 %. `thirds` = (low, high) are the
    boundaries of the background's zones, the ones that gave `zone_label`
    (research.segments.attractiveness LOW, HIGH).
    """
    low, high = thirds
    data = scored.dropna(subset=["attractiveness", "strength"])
    data = data[["label", "accounts", "our_share", "strength", "attractiveness", "zone_label"]].copy()
    known_share = "isValid(datum.our_share)"
    zones = pd.DataFrame(
        [
            {"x": x0, "x2": x1, "y": y0, "y2": y1, "tone": tone}
            for (x0, x1), i in zip(((0, low), (low, high), (high, 100)), range(3))
            for (y0, y1), j in zip(((0, low), (low, high), (high, 100)), range(3))
            for tone in ["#FBE3D6" if i + j >= 3 else ("#F1F3F5" if i + j <= 1 else "#FAF5EF")]
        ]
    )
    scale = alt.Scale(domain=[0, 100], nice=False)
    background = alt.Chart(zones).mark_rect(stroke="white", strokeWidth=2).encode(
        x=alt.X("x:Q", scale=scale, title=x_title), x2="x2:Q",
        y=alt.Y("y:Q", scale=scale, title=y_title), y2="y2:Q",
        color=alt.Color("tone:N", scale=None),
    )
    bubbles = alt.Chart(data).transform_calculate(
        share_text=f"{known_share} ? format(datum.our_share, '.0%') : {json.dumps(unknown_text)}"
    ).mark_circle(stroke="#1F2933", strokeWidth=1.2, opacity=0.9).encode(
        x=alt.X("strength:Q", scale=scale),
        y=alt.Y("attractiveness:Q", scale=scale),
        size=alt.Size("accounts:Q", title=size_title, scale=alt.Scale(range=[300, 6000]), legend=None),
        color=alt.condition(
            known_share,
            alt.Color(
                "our_share:Q", title=share_title,
                scale=alt.Scale(domain=[0, 1], range=[NEUTRAL_COLOR, US_COLOR], interpolate="rgb"),
                legend=alt.Legend(format="%", orient="right", direction="vertical"),
            ),
            alt.value("white"),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=segment_title),
            alt.Tooltip("accounts:Q", title=size_title, format=","),
            alt.Tooltip("share_text:N", title=share_title),
            alt.Tooltip("attractiveness:Q", title=y_title, format=".0f"),
            alt.Tooltip("strength:Q", title=x_title, format=".0f"),
            alt.Tooltip("zone_label:N", title=zone_title),
        ],
    )
    # A white halo under each label keeps it readable where it crosses a bubble.
    label = alt.Chart(data).encode(x="strength:Q", y="attractiveness:Q", text="label:N")
    halo = label.mark_text(align="left", dx=14, fontWeight="bold", fontSize=15, stroke="white", strokeWidth=4)
    labels = label.mark_text(align="left", dx=14, fontWeight="bold", fontSize=15, color="#1F2933")
    return alt.LayerChart(layer=[background, bubbles, halo, labels]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), height=560, width="container"
    )


def supplier_share_chart(df: pd.DataFrame, *, title: str, subtitle: str, company_title: str, share_title: str, accounts_title: str) -> alt.Chart:
    """Horizontal bars of one segment's supplier shares (`df`: company_label, is_us, accounts, share), us highlighted."""
    scale = company_colors(zip(df["company_label"], df["is_us"]))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("company_label:N", sort="-x", title=company_title),
        x=alt.X("share:Q", title=share_title, axis=alt.Axis(format="%")),
        color=alt.Color("company_label:N", scale=scale, legend=None),
        tooltip=[
            alt.Tooltip("company_label:N", title=company_title),
            alt.Tooltip("accounts:Q", title=accounts_title, format=","),
            alt.Tooltip("share:Q", title=share_title, format=".0%"),
        ],
    ).properties(title=alt.TitleParams(text=title, subtitle=subtitle), height=max(160, 40 * len(df)), width="container")
