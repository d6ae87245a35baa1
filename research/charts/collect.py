"""Collection charts: a watcher's collected price over time with its changes marked."""

from __future__ import annotations

import altair as alt
import pandas as pd

from research.charts.theme import company_colors


def price_history_chart(
    df: pd.DataFrame,
    *,
    company: str,
    is_us: bool,
    title: str,
    subtitle: str,
    date_title: str,
    price_title: str,
    changed_title: str,
    company_title: str,
) -> alt.LayerChart:
    """A step line of the price per visit in the company's colour; changes drawn as large points.

    `df` needs columns fetched_at, price, changed (one row per good fetch, ≤ 4,000 rows).
    """
    data = df[["fetched_at", "price", "changed"]].dropna(subset=["price"]).copy()
    data["company"] = company
    scale = company_colors([(company, is_us)])
    base = alt.Chart(data).encode(
        x=alt.X("fetched_at:T", title=date_title),
        y=alt.Y("price:Q", title=price_title, scale=alt.Scale(zero=False)),
        color=alt.Color("company:N", scale=scale, title=company_title),
    )
    line = base.mark_line(interpolate="step-after")
    visits = base.mark_point(filled=True, size=40, opacity=0.6)
    tooltip = [
        alt.Tooltip("fetched_at:T", title=date_title, format="%Y-%m-%d %H:%M"),
        alt.Tooltip("price:Q", title=price_title, format=",.2f"),
    ]
    changes = (
        base.transform_filter("datum.changed")
        .mark_point(filled=True, size=220, stroke="white", strokeWidth=2, opacity=1)
        .encode(tooltip=tooltip, shape=alt.value("diamond"))
    )
    return alt.LayerChart(layer=[line, visits.encode(tooltip=tooltip), changes]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), height=380, width="container"
    )
