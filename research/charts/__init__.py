"""Chart theme and pure chart builders: DataFrame in, `alt.Chart` out.

One Altair theme (registered and enabled on import) gives every chart the same
fonts, sizes and muted palette; `company_colors` gives our company the one
highlight colour it has everywhere, competitors muted tones.

Layers are built with `alt.LayerChart(layer=[...])`, not `alt.layer(...)`: since Altair 6
`alt.layer` may turn shared row/column/facet channels into a facet chart, so it is typed
`LayerChart | FacetChart`; no layer here has those channels, and the constructor is the
same call with its real type.
"""

from research.charts.theme import (
    COMPETITOR_COLORS,
    NEUTRAL_COLOR,
    THEME_NAME,
    US_COLOR,
    company_colors,
)

__all__ = ["COMPETITOR_COLORS", "NEUTRAL_COLOR", "THEME_NAME", "US_COLOR", "company_colors"]
