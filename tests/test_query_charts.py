"""Query auto-charts follow the Compare chart rules (issue 17 item 6), checked on the demo's example queries.

Ours in the workspace highlight colour, thicker and drawn after every rival; competitors in the
fixed colours Compare gives them; charts at least the theme's height; grouped bars with no hole
where a company has nothing in a category. Drawing is checked in Vega's scenegraph (what the
browser paints, in paint order), not only in the Vega-Lite spec.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert

from research.charts.query import CHART_HEIGHT, ChartChoice, build_chart, suggest_chart
from research.charts.theme import company_colors, vantage_theme
from research.compare.views import highlight_color, set_highlight_color
from research.competitors import profiles
from research.query import schema
from research.query.sandbox import close_sandbox, run_sandboxed
from research.store import Store

PARAMS = {
    "undercut": {"since": dt.date(2026, 8, 1)},
    "price_trend": {"category": "Corrugated boxes"},
    "supplier_share": {"region": "Western Balkans"},
}
OURS_COLOUR = "#2F9E44"  # a workspace colour other than the theme's, so the chart must use the workspace's


@dataclass(frozen=True)
class Demo:
    frames: dict[str, pd.DataFrame]
    companies: list[tuple[str, bool]]
    us: str
    us_color: str

    def chart(self, name: str, choice: ChartChoice | None = None, **options: Any) -> alt.TopLevelMixin:
        frame = self.frames[name]
        return build_chart(frame, choice or suggest_chart(frame, self.companies), self.companies,
                           us_color=self.us_color, **options)


@pytest.fixture(scope="module")
def demo(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """Every example query of the workbench run once on a copy of the demo workspace."""
    path = tmp_path_factory.mktemp("query_charts") / "demo.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    try:
        set_highlight_color(store, "tester", OURS_COLOUR)
        frames = {name: run_sandboxed(store, sql, PARAMS.get(name)).frame for name, sql in schema.EXAMPLES.items()}
        companies = profiles.company_flags(store)
        return Demo(frames, companies, next(n for n, us in companies if us), highlight_color(store))
    finally:
        close_sandbox(store)
        store.close()


def marks(chart: alt.TopLevelMixin) -> list[dict[str, Any]]:
    """The chart's mark groups in paint order, as Vega draws them."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("role") == "mark":
                found.append(node)
            for child in node.get("items", []) if isinstance(node.get("items"), list) else []:
                walk(child)
            if "root" in node:
                walk(node["root"])

    walk(vl_convert.vegalite_to_scenegraph(chart.to_dict())["scenegraph"])
    return found


def bar_tops(chart: alt.TopLevelMixin) -> list[float]:
    """The painted top edge of every bar, in pixels from the top of the view.

    Bars with rounded ends are drawn inside a group each (Vega-Lite's cornerRadiusEnd), so
    positions add up along the way down.
    """
    tops: list[float] = []

    def walk(node: Any, y: float) -> None:
        if not isinstance(node, dict):
            return
        for item in node.get("items", []) if isinstance(node.get("items"), list) else []:
            if node.get("marktype") == "rect" and node.get("role") == "mark":
                tops.append(y + (item.get("y") or 0))
            else:
                walk(item, y + (item.get("y") or 0) if node.get("marktype") == "group" else y)
        if "root" in node:
            walk(node["root"], y)

    walk(vl_convert.vegalite_to_scenegraph(chart.to_dict())["scenegraph"], 0.0)
    return sorted(tops)


def fixed_colours(demo: Demo) -> dict[str, str]:
    """Company -> colour as Compare colours them: the workspace-wide scale, ours highlighted."""
    scale = company_colors(demo.companies, us_color=demo.us_color)
    return dict(zip(scale.domain, scale.range))


def test_our_line_is_in_the_highlight_colour_thicker_and_drawn_after_every_rival(demo: Demo) -> None:
    chart = demo.chart("price_trend")
    assert demo.us in set(demo.frames["price_trend"]["company"]), "the example draws our company"
    lines = [m for m in marks(chart) if m["marktype"] == "line"]
    strokes = [(m["items"][0]["stroke"], m["items"][0]["strokeWidth"]) for m in lines]
    ours = [i for i, (colour, _) in enumerate(strokes) if colour == OURS_COLOUR]
    assert len(ours) == 1 and ours[0] == len(strokes) - 1, f"ours must be painted last: {strokes}"
    rivals = strokes[:-1]
    assert len(rivals) == demo.frames["price_trend"]["company"].nunique() - 1
    assert all(width < strokes[-1][1] for _, width in rivals), strokes
    colours = fixed_colours(demo)
    assert {colour for colour, _ in rivals} <= {c for name, c in colours.items() if name != demo.us}


def test_our_point_is_larger_and_drawn_after_every_rival(demo: Demo) -> None:
    frame = demo.frames["price_vs_value"]
    chart = build_chart(frame, ChartChoice("scatter", "avg_price_eur", "products", "company"), demo.companies,
                        us_color=demo.us_color)
    points = [m for m in marks(chart) if m["marktype"] == "symbol" and m["items"] and "size" in m["items"][0]]
    ours = [m for m in points if m["items"][0]["fill"] == OURS_COLOUR]
    assert ours and points[-1] is ours[-1], "ours is the last layer painted"
    assert min(i["size"] for i in ours[0]["items"]) > max(i["size"] for m in points[:-1] for i in m["items"])


def test_competitors_keep_their_fixed_colours_in_every_chart(demo: Demo) -> None:
    """A company has Compare's colour whether or not we are in the result (undercut leaves us out)."""
    colours = fixed_colours(demo)
    for name in ("undercut", "price_trend", "supplier_share", "price_vs_value"):
        scale = demo.chart(name).to_dict()["encoding"]["color"]["scale"]
        drawn = dict(zip(scale["domain"], scale["range"]))
        shown = set(demo.frames[name].iloc[:, 0]) | set(demo.frames[name].get("company", []))
        for company in shown & set(colours):
            assert drawn[company] == colours[company], (name, company)
    assert colours[demo.us] == OURS_COLOUR


def test_our_bar_is_in_the_highlight_colour(demo: Demo) -> None:
    bars = [m for m in marks(demo.chart("supplier_share")) if m["marktype"] == "rect"]
    fills = {i["fill"] for m in bars for i in m["items"]}
    assert OURS_COLOUR in fills and len(fills) == len(demo.frames["supplier_share"])


def test_every_example_chart_is_at_least_the_theme_height(demo: Demo) -> None:
    assert CHART_HEIGHT == vantage_theme()["config"]["view"]["continuousHeight"] >= 360
    for name in schema.EXAMPLES:
        spec = demo.chart(name).to_dict()
        assert spec["height"] >= CHART_HEIGHT, name
    hist = build_chart(demo.frames["lost_deals"], ChartChoice("histogram", "value"), demo.companies)
    assert hist.to_dict()["height"] >= CHART_HEIGHT


def test_grouped_bars_leave_no_hole_where_a_company_has_nothing(demo: Demo) -> None:
    frame = demo.frames["price_vs_value"]
    pairs = frame.groupby("category")["company"].nunique()
    assert pairs.min() < frame["company"].nunique(), "the demo has categories some companies do not sell in"
    chart = demo.chart("price_vs_value")
    spec = chart.to_dict()
    assert "yOffset" not in spec["encoding"]
    rows = spec["encoding"]["y"]["scale"]["domain"]
    assert len(rows) == frame["category"].nunique() + len(frame[["category", "company"]].drop_duplicates())
    # Painted: bars one band apart inside a category, two (the category's name row) between categories.
    tops = bar_tops(chart)
    assert len(tops) == len(frame)
    steps = [b - a for a, b in itertools.pairwise(tops)]
    band = min(steps)
    assert all(abs(s - band) < 0.01 or abs(s - 2 * band) < 0.01 for s in steps), steps
    assert sum(abs(s - 2 * band) < 0.01 for s in steps) == frame["category"].nunique() - 1


def test_grouped_bars_list_ours_first_under_each_category(demo: Demo) -> None:
    spec = demo.chart("price_vs_value").to_dict()
    rows = spec["encoding"]["y"]["scale"]["domain"]
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    company = next(c for c in data.columns if set(data[c]) & {demo.us})
    first_under_header = [rows[i + 1] for i, row in enumerate(rows) if row.startswith("h")]
    with_us = data.loc[data[company] == demo.us, "_row"]
    assert set(with_us) <= set(first_under_header) and len(with_us) > 0
