"""The whole app in a real browser: `streamlit run` + Debian Chromium driven by Playwright.

Loads every page in both languages, waits until Streamlit finished and the
page's main content rendered, fails on any Streamlit exception or error box,
and saves a 1920×1080 screenshot per page under screenshots/ (git-ignored).
Without Chromium the test is skipped, unless VANTAGE_REQUIRE_BROWSER=1 (as in
CI) turns the skip into a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, browser_or_skip, serve_app

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


@pytest.fixture(scope="module")
def app_url(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    browser_or_skip()
    db = tmp_path_factory.mktemp("browser") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    with serve_app(db, tmp_path_factory.mktemp("browser-log")) as url:
        yield url


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_page_renders_without_errors(app_url: str, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            for name in PAGES:
                # The default page lives at "/" (Streamlit serves no other path for it).
                path = "" if name == DEFAULT_PAGE else name
                page.goto(f"{app_url}/{path}?lang={lang}")
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
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
            browser.close()
