"""The whole app in a real browser: `streamlit run` + Debian Chromium driven by Playwright.

Visits every page in both languages (the first by its address, the others through
the app's menu, as a person moves between them), waits until Streamlit finished and
the page's main content rendered, fails on any Streamlit exception or error box,
and saves a 1920×1080 screenshot per page under screenshots/ (git-ignored).
Without Chromium the test is skipped, unless VANTAGE_REQUIRE_BROWSER=1 (as in
CI) turns the skip into a failure.
"""

from __future__ import annotations

import pytest
from browser_helpers import ROOT, SCREENSHOTS

from research.i18n import t

# Every page of the app (url path = file name); the default page is also served at "/".
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
DEFAULT_PAGE = "overview"
# Content that must have rendered on a page, beyond its title (CSS selectors).
REQUIRED = {
    "overview": ['[data-testid="stVegaLiteChart"] svg.marks', '[data-testid="stMetric"]', '[data-testid="stDataFrame"]'],
    "segments": ['[data-testid="stMetric"]', '[data-testid="stDataFrame"]'],
    "competitors": ['[data-testid="stDataFrame"]', '[data-testid="stButtonGroup"]'],
    "compare": ['[data-testid="stVegaLiteChart"] svg.marks', '[data-testid="stDownloadButton"]', '[data-testid="stButtonGroup"]'],
    "collect": ['[data-testid="stButtonGroup"]', '[data-testid="stAlert"]'],
    "query": ['[data-testid="stTextArea"]', '[data-testid="stDataFrame"]'],
    "data": ['[data-testid="stDataFrame"]'],
    "present": ['[data-testid="stAlert"]', '[data-testid="stExpander"] [data-testid="stForm"]'],
}
# Views reached by link that are worth their own screenshot: name -> URL path and query.
VIEWS = {
    "segments-matrix": "segments?view=matrix",
    "compare-radar": "compare?view=radar",
    "compare-positioning": "compare?view=positioning",
    "compare-prices": "compare?view=prices",
}


# A page has been drawn: the address is its path, Streamlit has finished the script, and the title is the page's own.
PAGE_DRAWN = """([path, title]) => {
  const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
  return location.pathname === path && h1 !== null && h1.innerText.trim() === title
      && document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') !== null;
}"""


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_page_renders_without_errors(app_url: str, chromium, lang: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        for number, name in enumerate(PAGES):
            # The default page lives at "/" (Streamlit serves no other path for it).
            path = "" if name == DEFAULT_PAGE else name
            if number == 0:
                page.goto(f"{app_url}/{path}?lang={lang}")
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
            else:
                # The rest through the app's menu, as a person moves on (no reload: the session and its
                # language go along); tests/test_layout_browser.py opens every page by its own path.
                page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
            page.wait_for_function(PAGE_DRAWN, arg=[f"/{path}", t(f"page.{name}", lang)], timeout=60_000)
            page.wait_for_selector("h1", timeout=30_000)
            for selector in REQUIRED.get(name, []):
                page.wait_for_selector(selector, timeout=30_000)
            # Every chart on the page must have drawn its marks.
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            for i in range(charts.count()):
                charts.nth(i).locator("svg.marks").wait_for(timeout=30_000)
            page.wait_for_timeout(400)  # grids settle just after the script finishes
            exceptions = page.locator('[data-testid="stException"]')
            assert exceptions.count() == 0, f"{name}: {exceptions.first.inner_text()}"
            assert page.get_by_text("Page not found").count() == 0, f"{name}: Streamlit did not find the page"
            errors = page.locator('[data-testid="stAlertContentError"]')
            assert errors.count() == 0, f"{name}: {errors.first.inner_text()}"
            assert page.locator("h1").first.inner_text().strip(), f"{name}: no page title"
            # The grouped menu of app.py, not Streamlit's file-name list of pages/.
            nav = page.locator('[data-testid="stSidebarNav"]')
            assert t("nav.market", lang) in nav.inner_text(), f"{name}: app.py's navigation did not run"
            assert page.locator('[data-testid="stSidebarNav"] a[href$="/app"]').count() == 0
            page.screenshot(path=str(SCREENSHOTS / f"{lang}-{name}.png"), full_page=True)
        for name, path in VIEWS.items():
            page.goto(f"{app_url}/{path}&lang={lang}")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
            page.locator('[data-testid="stVegaLiteChart"] svg.marks').first.wait_for(timeout=30_000)
            page.wait_for_timeout(400)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0, name
            page.screenshot(path=str(SCREENSHOTS / f"{lang}-{name}.png"), full_page=True)
    finally:
        page.close()
