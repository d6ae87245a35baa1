"""Chart builders are pure: DataFrame in, Altair spec out, our company always highlighted."""

from __future__ import annotations

import pandas as pd

from research.charts import COMPETITOR_COLORS, US_COLOR, company_colors
from research.charts.market import share_by_segment_chart


def _share() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_label": ["Food", "Food", "Pharma", "Pharma", "Pharma"],
            "company_label": ["Us (us)", "Rival", "Us (us)", "Rival", "Zeta"],
            "is_us": [True, False, True, False, False],
            "accounts": [30, 10, 5, 10, 5],
            "share": [0.75, 0.25, 0.25, 0.5, 0.25],
        }
    )


def _chart_dict() -> dict:
    chart = share_by_segment_chart(
        _share(), title="Share", subtitle="We lead in 1 of 2", segment_title="Industry",
        share_title="Share", company_title="Company", accounts_title="Accounts",
    )
    return chart.to_dict()


def test_our_company_gets_the_highlight_colour_and_rivals_muted_ones() -> None:
    scale = company_colors([("Rival", False), ("Us (us)", True), ("Zeta", False)]).to_dict()
    assert scale["domain"] == ["Us (us)", "Rival", "Zeta"]
    assert scale["range"] == [US_COLOR, COMPETITOR_COLORS[0], COMPETITOR_COLORS[1]]


def test_share_chart_orders_segments_by_our_share_and_stacks_us_first() -> None:
    spec = _chart_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["sort"] == ["Food", "Pharma"]
    assert bars["encoding"]["x"]["type"] == "quantitative"
    assert bars["encoding"]["color"]["scale"]["range"][0] == US_COLOR
    assert bars["encoding"]["order"]["field"] == "stack_order"
    assert spec["title"]["subtitle"] == "We lead in 1 of 2"


def test_theme_is_embedded_with_projector_sized_fonts() -> None:
    config = _chart_dict()["config"]
    assert config["axis"]["labelFontSize"] >= 14
    assert config["title"]["fontSize"] >= 20
    assert config["range"]["category"][0] == US_COLOR


def test_the_matrix_draws_its_zones_at_the_thirds_it_is_given() -> None:
    """The zone boundaries come from the caller (the domain owns them), not from the chart module."""
    from research.charts.segments import matrix_chart
    from research.segments import attractiveness

    scored = pd.DataFrame({"label": ["Food"], "accounts": [30], "our_share": [0.4], "strength": [50.0],
                           "attractiveness": [70.0], "zone_label": ["Invest"]})
    titles = dict(title="Matrix", subtitle="", x_title="Strength", y_title="Attractiveness", size_title="Accounts",
                  share_title="Share", segment_title="Segment", zone_title="Zone")

    def edges(chart_dict: dict) -> list[float]:
        zones = next(d for name, d in chart_dict["datasets"].items() if d and "x2" in d[0])
        return sorted({row["x"] for row in zones} | {row["x2"] for row in zones})

    assert edges(matrix_chart(scored, thirds=(25, 60), **titles).to_dict()) == [0, 25, 60, 100]
    assert edges(matrix_chart(scored, thirds=(attractiveness.LOW, attractiveness.HIGH), **titles).to_dict()) == [
        0, attractiveness.LOW, attractiveness.HIGH, 100,
    ]
