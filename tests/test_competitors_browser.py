"""The SWOT board in presentation mode, in a real browser, reached by its deep link.

Reuses the server fixture of test_browser.py (skipped without Chromium, a failure
under VANTAGE_REQUIRE_BROWSER=1) and saves screenshots/<lang>-competitors-present.png.
"""

from __future__ import annotations

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, app_url  # noqa: F401 — app_url is a fixture

from research.i18n import t


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_board_in_presentation_mode(app_url: str, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{app_url}/competitors?company=GreenFold&view=board&present=1&lang={lang}")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
            page.wait_for_selector('[data-testid="stVegaLiteChart"] svg.marks', timeout=30_000)
            page.wait_for_timeout(400)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0
            # Presentation mode: the board and the way out, no editing controls.
            assert page.get_by_text(t("swot.present_exit", lang)).count() == 1
            assert page.locator('[data-testid="stButtonGroup"]').count() == 0
            assert page.locator('[data-testid="stSelectbox"]').count() == 1  # only the sidebar's language
            assert page.locator('[data-testid="stForm"]').count() == 0
            assert page.locator('[data-testid="stVegaLiteChart"] svg text', has_text="SWOT: GreenFold").count() == 1
            page.screenshot(path=str(SCREENSHOTS / f"{lang}-competitors-present.png"), full_page=True)
            page.get_by_text(t("swot.present_exit", lang)).click()
            page.wait_for_selector('[data-testid="stButtonGroup"]', timeout=30_000)
            assert "present=1" not in page.url
        finally:
            browser.close()
