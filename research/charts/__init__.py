"""Chart theme and pure chart builders: DataFrame in, `alt.Chart` out.

One Altair theme (registered and enabled on import) gives every chart the same
fonts, sizes and muted palette; `company_colors` gives our company the one
highlight colour it has everywhere, competitors muted tones.
"""

from research.charts.theme import (
    COMPETITOR_COLORS,
    NEUTRAL_COLOR,
    THEME_NAME,
    US_COLOR,
    company_colors,
)

__all__ = ["COMPETITOR_COLORS", "NEUTRAL_COLOR", "THEME_NAME", "US_COLOR", "company_colors"]
