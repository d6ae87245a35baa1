"""Market charts: share of accounts by segment with our company highlighted."""

from __future__ import annotations

import altair as alt
import pandas as pd

from research.charts.theme import company_colors


def share_by_segment_chart(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    segment_title: str,
    share_title: str,
    company_title: str,
    accounts_title: str,
) -> alt.LayerChart:
    """Stacked 100 % bars per segment, ours first and segments ordered by our share.

    `df` needs columns segment_label, company_label, is_us, accounts, share.
    """
    data = df.copy()
    ours = data[data["is_us"]].set_index("segment_label")["share"]
    data["our_share"] = data["segment_label"].map(ours).fillna(0.0)
    # Stack us first (at the axis), then competitors by size.
    data["stack_order"] = (~data["is_us"]).astype(int)
    order = (
        data.drop_duplicates("segment_label").sort_values(["our_share", "segment_label"], ascending=[False, True])
    )["segment_label"].tolist()
    scale = company_colors(zip(data["company_label"], data["is_us"]))
    base = alt.Chart(data).encode(
        y=alt.Y("segment_label:N", sort=order, title=segment_title),
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", stack="zero", title=share_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("company_label:N", scale=scale, title=company_title),
        order=alt.Order("stack_order:Q"),
        opacity=alt.condition("datum.is_us", alt.value(1.0), alt.value(0.85)),
        tooltip=[
            alt.Tooltip("segment_label:N", title=segment_title),
            alt.Tooltip("company_label:N", title=company_title),
            alt.Tooltip("accounts:Q", title=accounts_title, format=","),
            alt.Tooltip("share:Q", title=share_title, format=".0%"),
        ],
    )
    labels = (
        base.transform_filter("datum.is_us && datum.share >= 0.06")
        .mark_text(align="left", dx=6, color="white", fontWeight="bold")
        .encode(x=alt.value(0), text=alt.Text("share:Q", format=".0%"))
    )
    height = max(160, 44 * len(order))
    # The height is the plot's alone: Streamlit sizes a page-wide chart with autosize "fit",
    # which squeezed title, legend and axis into it, so a three-segment chart (Overview ->
    # Region, issue 17) drew no bars and its labels on top of each other. "fit-x" fits
    # only the width; title, legend and axes come on top.
    return alt.LayerChart(layer=[bars, labels]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), height=height, width="container",
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
