"""Page layout on a 1280×720 projector, in a real browser (issue 17, item 8).

The shared demo server of tests/conftest.py and one Chromium. Every page is opened by
its own URL path (the default page too: "/overview" once answered "Page not found"),
in English and Serbian, and must show its title near the top of the screen (not under
~110 px of padding), KPI labels and button labels that are not cut off ("Our share of se…",
"Додај групу (И…"), and on
Compare the main chart in the upper half of the first screen. Screenshots go to
screenshots/layout-<lang>-<page>.png. Skipped without Chromium, a failure under
VANTAGE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_helpers import ROOT, SCREENSHOTS, SCRIPT_DONE

from research.i18n import t

WIDTH, HEIGHT = 1280, 720
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
TITLE_TOP_MAX = 80  # px from the viewport's top to the page title's text
CHART_TOP_MAX = HEIGHT // 2  # Compare's chart starts in the upper half of the first screen
# Pages whose KPI row must be there (so the truncation check is never vacuous): path -> metric count.
KPI_ROWS = {"overview": 6, "segments?view=profile": 6}
# Views opened besides each page's default one: the KPI row above, Compare views with other controls.
EXTRA_VIEWS = ("segments?view=profile", "compare?view=positioning", "compare?view=prices", "competitors?view=swot")

# The title's text box (the h1 element itself carries Streamlit's own padding).
TITLE_TOP = """() => {
  const h = document.querySelector('[data-testid="stMainBlockContainer"] h1');
  if (!h) return null;
  const range = document.createRange();
  range.selectNodeContents(h);
  return range.getBoundingClientRect().top;
}"""
# Metric labels whose text is wider than their box (shown with an ellipsis).
CUT_LABELS = """() => [...document.querySelectorAll('[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')]
  .map(e => ({text: e.innerText, cut: e.scrollWidth > e.clientWidth}))"""

# Button labels wider than their button (drawn with an ellipsis: "Додај групу (И…"), buttons on screen only.
CUT_BUTTONS = """() => [...document.querySelectorAll('[data-testid^="stBaseButton"] [data-testid="stMarkdownContainer"]')]
  .filter(e => e.clientWidth > 0)
  .map(e => ({text: e.innerText, cut: e.scrollWidth > e.clientWidth + 1}))"""


def _open(page: object, url: str) -> None:
    """`url` in the tab (a new session), once the script has finished and the title is drawn."""
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=30_000)
    page.wait_for_timeout(400)  # grids and metrics settle just after the script finishes
    assert page.locator('[data-testid="stException"]').count() == 0, url


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_page_opens_by_its_path_with_a_compact_header_whole_kpi_labels_and_compare_charts_above_the_fold(
    app_url: str, chromium, lang: str
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    seen_kpis: dict[str, int] = {}
    seen_buttons = 0
    tab = chromium.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        for path in [*PAGES, "", *EXTRA_VIEWS]:
            name = path.partition("?")[0]
            _open(tab, f"{app_url}/{path}{'&' if '?' in path else '?'}lang={lang}")
            # Streamlit answers an unknown path with a "Page not found" dialog and moves to "/".
            assert tab.get_by_text("Page not found").count() == 0, f"/{path}: page not found"
            assert urlsplit(tab.url).path == f"/{name}", f"/{path} ended at {tab.url}"
            title = tab.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()
            assert title == t(f"page.{name or 'overview'}", lang), f"/{path}: {title}"
            top = tab.evaluate(TITLE_TOP)
            assert top is not None and top <= TITLE_TOP_MAX, f"/{path}: the title starts {top} px down"
            labels = tab.evaluate(CUT_LABELS)
            assert not [label["text"] for label in labels if label["cut"]], f"/{path}: KPI labels cut off: {labels}"
            seen_kpis[path] = len(labels)
            buttons = tab.evaluate(CUT_BUTTONS)
            assert not [b["text"] for b in buttons if b["cut"]], f"/{path}: button labels cut off: {buttons}"
            seen_buttons += len(buttons)
            if name == "compare":
                chart = tab.locator('[data-testid="stVegaLiteChart"]').first
                chart.locator("svg.marks").wait_for(timeout=30_000)
                top = chart.bounding_box()["y"]
                assert top <= CHART_TOP_MAX, f"/{path}: the chart starts {top} px down a {HEIGHT} px screen"
            shot = path.replace("?", "-").replace("=", "-") or "root"
            tab.screenshot(path=str(SCREENSHOTS / f"layout-{lang}-{shot}.png"))
    finally:
        tab.close()
    for path, count in KPI_ROWS.items():
        assert seen_kpis[path] == count, f"/{path}: {seen_kpis[path]} KPI labels, expected {count}"
    assert seen_buttons >= 20, "the button check saw the pages' buttons"
