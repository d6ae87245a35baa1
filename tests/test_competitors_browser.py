"""The SWOT board in presentation mode, in a real browser, reached by its deep link.

Uses the shared demo server of tests/conftest.py (skipped without Chromium, a failure
under VANTAGE_REQUIRE_BROWSER=1) and saves screenshots/<lang>-competitors-present.png.
"""

from __future__ import annotations

import pytest
from browser_helpers import SCREENSHOTS

from research.i18n import t


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_board_in_presentation_mode(app_url: str, chromium, lang: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
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
        page.close()
