"""Competitor charts: the 2×2 SWOT board (on screen and as PNG) and the SWOT heatmap.

Pure builders: DataFrames in, Altair charts out. The board lays its text out in
pixels (wrapped here, since Vega text does not wrap), so the PNG export and the
screen show the same board.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import altair as alt
import pandas as pd

from research.charts.theme import TEXT_COLOR, US_COLOR

# Internal factors in cool tones, external in warm ones; light enough for black text.
QUADRANT_FILL = {"S": "#E6F4EA", "W": "#FDECEA", "O": "#E8F0FE", "T": "#FFF4E5"}
QUADRANT_ACCENT = {"S": "#2B8A3E", "W": "#C92A2A", "O": "#1864AB", "T": "#D9480F"}
STALE_COLOR = "#66707A"
# Impact sets the type size: 5 is the largest.
FONT_BY_IMPACT = {5: 24, 4: 22, 3: 20, 2: 18, 1: 17}
PANEL_WIDTH = 720
PADDING = 18
HEADER = 56


def board_lines(items: pd.DataFrame, quadrants: Sequence[str], width: int = PANEL_WIDTH) -> pd.DataFrame:
    """One row per wrapped line of every item of `quadrants`, with its pixel position inside its quadrant.

    `items` needs quadrant, label, statement, impact, stale and `marker` (the text
    appended to stale items, already translated).
    """
    rows = []
    for quadrant in quadrants:
        group = items[items["quadrant"] == quadrant]
        y = HEADER
        # Records rather than itertuples(): pandas-stubs type a named tuple's fields as any scalar at all.
        for item in group.to_dict("records"):
            size = FONT_BY_IMPACT.get(int(item["impact"]), 18)
            chars = max(20, int((width - 2 * PADDING - 10) / (size * 0.5)))
            text = f"{item['label']}  {item['statement']}"
            if item["stale"]:
                text += f"  ({item['marker']})"
            for n, line in enumerate(textwrap.wrap(text, chars) or [""]):
                rows.append(
                    {"quadrant": quadrant, "y": y, "text": line, "size": size, "bold": int(item["impact"]) >= 4,
                     "stale": bool(item["stale"]), "first": n == 0}
                )
                y += round(size * 1.3)
            y += 10
    return pd.DataFrame(rows, columns=["quadrant", "y", "text", "size", "bold", "stale", "first"])


def _panel(lines: pd.DataFrame, quadrant: str, title: str, empty: str, height: int, width: int) -> alt.LayerChart:
    data = lines[lines["quadrant"] == quadrant]
    if data.empty:
        data = pd.DataFrame([{"quadrant": quadrant, "y": HEADER, "text": empty, "size": 18, "bold": False,
                              "stale": True, "first": True}])
    frame = pd.DataFrame([{"x": 0, "x2": width, "y": 0, "y2": height, "title": title}])
    background = alt.Chart(frame).mark_rect(fill=QUADRANT_FILL[quadrant], stroke=QUADRANT_ACCENT[quadrant],
                                            strokeWidth=2).encode(
        x=alt.X("x:Q", scale=None, axis=None), x2="x2:Q", y=alt.Y("y:Q", scale=None, axis=None), y2="y2:Q"
    )
    heading = alt.Chart(frame).mark_text(
        align="left", baseline="top", dx=PADDING, dy=14, fontSize=28, fontWeight="bold", color=QUADRANT_ACCENT[quadrant]
    ).encode(x=alt.X("x:Q", scale=None), y=alt.Y("y:Q", scale=None), text="title:N")
    # One text layer: weight follows impact through a mark expression (Vega-Lite has no
    # fontWeight channel), which keeps the spec small and quick to validate.
    text = alt.Chart(data).mark_text(
        align="left", baseline="top", dx=PADDING, fontWeight=alt.ExprRef("datum.bold ? 'bold' : 'normal'")
    ).encode(
        x=alt.value(0),
        y=alt.Y("y:Q", scale=None, axis=None),
        text="text:N",
        size=alt.Size("size:Q", scale=None, legend=None),
        color=alt.condition("datum.stale", alt.value(STALE_COLOR), alt.value(TEXT_COLOR)),
    )
    return alt.LayerChart(layer=[background, heading, text]).properties(width=width, height=height)


def swot_board_chart(
    items: pd.DataFrame, *, title: str, subtitle: str, quadrant_titles: dict[str, str], empty: str,
    width: int = PANEL_WIDTH,
) -> alt.VConcatChart:
    """The classic 2×2 board: strengths and weaknesses on top, opportunities and threats below.

    `quadrant_titles` names the four quadrants in board order (the caller's quadrant
    set: S, W, O, T): the first two on top, the last two below. Larger and bolder type
    for higher impact; items in board order; stale items grey, with their marker.
    `items` as for `board_lines`.
    """
    top_left, top_right, bottom_left, bottom_right = quadrant_titles
    lines = board_lines(items, tuple(quadrant_titles), width)
    heights = {q: int(lines.loc[lines["quadrant"] == q, "y"].max() + 40) if (lines["quadrant"] == q).any() else 140
               for q in quadrant_titles}
    top = max(heights[top_left], heights[top_right], 160)
    bottom = max(heights[bottom_left], heights[bottom_right], 160)
    row1 = alt.hconcat(
        _panel(lines, top_left, quadrant_titles[top_left], empty, top, width),
        _panel(lines, top_right, quadrant_titles[top_right], empty, top, width),
        spacing=12,
    )
    row2 = alt.hconcat(
        _panel(lines, bottom_left, quadrant_titles[bottom_left], empty, bottom, width),
        _panel(lines, bottom_right, quadrant_titles[bottom_right], empty, bottom, width),
        spacing=12,
    )
    return (
        alt.vconcat(row1, row2, spacing=12)
        .properties(title=alt.TitleParams(text=title, subtitle=subtitle, fontSize=30, subtitleFontSize=18))
        .configure_view(stroke=None)
    )


def swot_heatmap_chart(
    df: pd.DataFrame, *, title: str, subtitle: str, company_title: str, quadrant_title: str, impact_title: str,
    items_title: str, stale_title: str,
) -> alt.LayerChart:
    """Companies × quadrants, coloured by summed impact, with the item count in each cell.

    `df` needs company_label, is_us, quadrant_label, impact, items, stale; ours is
    listed first and its name drawn in our colour.
    """
    companies = list(dict.fromkeys(df.sort_values("is_us", ascending=False, kind="stable")["company_label"]))
    ours = df.loc[df["is_us"], "company_label"].drop_duplicates().tolist()
    quadrants = list(dict.fromkeys(df["quadrant_label"]))
    us_test = " || ".join(f"datum.value === {label!r}" for label in ours) or "false"
    base = alt.Chart(df).encode(
        x=alt.X("quadrant_label:N", sort=quadrants, title=quadrant_title, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y(
            "company_label:N", sort=companies, title=company_title,
            axis=alt.Axis(
                labelColor=alt.ExprRef(f"({us_test}) ? '{US_COLOR}' : '{TEXT_COLOR}'"),
                labelFontWeight=alt.ExprRef(f"({us_test}) ? 'bold' : 'normal'"),
            ),
        ),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=3).encode(
        color=alt.Color("impact:Q", title=impact_title, scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("company_label:N", title=company_title),
            alt.Tooltip("quadrant_label:N", title=quadrant_title),
            alt.Tooltip("items:Q", title=items_title),
            alt.Tooltip("impact:Q", title=impact_title),
            alt.Tooltip("stale:Q", title=stale_title),
        ],
    )
    counts = base.mark_text(fontSize=20, fontWeight="bold").encode(
        text=alt.Text("items:Q"),
        color=alt.condition("datum.impact > 14", alt.value("white"), alt.value(TEXT_COLOR)),
    )
    return alt.LayerChart(layer=[cells, counts]).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle), width="container", height=max(200, 56 * len(companies))
    )
