"""The Vantage chart theme: projector-readable type and our company's highlight colour."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeGuard

import altair as alt

THEME_NAME = "vantage"
US_COLOR = "#D9480F"  # our company, in every chart, always (a workspace may choose another)
# Muted, distinguishable tones for competitors: they should recede behind us. Blues,
# teals, violets and warm greys at similar lightness (after Paul Tol's colour-blind-safe
# "muted" scheme, desaturated): none of them can be mistaken for the orange highlight
# under deuteranopia or protanopia, and neighbours differ in lightness as well as hue.
# Position 5 is a neutral charcoal, not a slate blue: beside the dark blue of position
# 0 a slate could not be told apart on a projector.
COMPETITOR_COLORS = (
    "#3F6E9E",
    "#88AFC4",
    "#4F8F83",
    "#8E7BA6",
    "#A9A9A0",
    "#505050",
    "#B9A6C9",
    "#7FB7A8",
)
_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
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


def is_hex_color(value: object) -> TypeGuard[str]:
    """True for a `#RRGGBB` colour, the only form a workspace highlight colour may take."""
    return isinstance(value, str) and bool(_HEX_COLOR.match(value))


def company_colors(companies: Iterable[tuple[str, bool]], *, us_color: str | None = None) -> alt.Scale:
    """A colour scale over (label, is_us) pairs: us in the highlight colour, competitors in muted tones.

    `us_color` is the workspace's highlight colour (default US_COLOR). Competitors
    keep a stable colour by their position in alphabetical order, so the same
    company looks the same in every chart of one workspace.
    """
    us_color = us_color if is_hex_color(us_color) else US_COLOR
    pairs = list(dict.fromkeys(companies))
    us = [label for label, is_us in pairs if is_us]
    others = sorted(label for label, is_us in pairs if not is_us)
    domain = us + others
    colors = [us_color] * len(us) + [COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i in range(len(others))]
    return alt.Scale(domain=domain, range=colors)
