"""The Vantage chart theme: projector-readable type and our company's highlight colour."""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt

THEME_NAME = "vantage"
US_COLOR = "#D9480F"  # our company, in every chart, always
# Muted, distinguishable tones for competitors: they should recede behind us.
COMPETITOR_COLORS = (
    "#5D6D7E",
    "#93A1AD",
    "#7B8D6F",
    "#B5A58C",
    "#6F7FA6",
    "#A68C9A",
    "#8AA9A6",
    "#C2C8CF",
)
NEUTRAL_COLOR = "#DEE2E6"
FONT = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif"
TEXT_COLOR = "#1F2933"


@alt.theme.register(THEME_NAME, enable=True)
def vantage_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 600, "continuousHeight": 360},
            "title": {"fontSize": 22, "fontWeight": 600, "color": TEXT_COLOR, "anchor": "start",
                      "subtitleFontSize": 15, "subtitleColor": "#52606D", "offset": 12},
            "axis": {"labelFontSize": 15, "titleFontSize": 16, "labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR,
                     "gridColor": "#E9ECEF", "domainColor": "#ADB5BD", "tickColor": "#ADB5BD",
                     "labelLimit": 260, "titlePadding": 10},
            "legend": {"labelFontSize": 15, "titleFontSize": 15, "symbolSize": 180, "labelLimit": 320,
                       "orient": "bottom", "direction": "horizontal", "columns": 4},
            "header": {"labelFontSize": 15, "titleFontSize": 16},
            "text": {"fontSize": 15, "color": TEXT_COLOR},
            "range": {"category": [US_COLOR, *COMPETITOR_COLORS]},
            "bar": {"cornerRadiusEnd": 2},
            "line": {"strokeWidth": 2.5},
        }
    }


def company_colors(companies: Iterable[tuple[str, bool]]) -> alt.Scale:
    """A colour scale over (label, is_us) pairs: us in US_COLOR, competitors in muted tones.

    Competitors keep a stable colour by their position in alphabetical order, so
    the same company looks the same in every chart of one workspace.
    """
    pairs = list(dict.fromkeys(companies))
    us = [label for label, is_us in pairs if is_us]
    others = sorted(label for label, is_us in pairs if not is_us)
    domain = us + others
    colors = [US_COLOR] * len(us) + [COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i in range(len(others))]
    return alt.Scale(domain=domain, range=colors)
