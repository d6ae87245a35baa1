"""Session mode in a real browser at 1920×1080 and 1280×720: one clean projector slide, no scrolling.

A deck (title, chart, SWOT board, text) is built in a copy of the demo workspace before
the server starts. Each resolution opens `?present=<id>`, checks that the app chrome is
hidden and the chart fits the viewport, steps to the next slide, and saves
screenshots/present-session-<width>.png (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    SCREENSHOTS,
    SCRIPT_DONE,
    browser_or_skip,
    own_pages,
    serve_app,
)

from research.i18n import t
from research.present import decks
from research.store import Store

SIZES = [(1920, 1080), (1280, 720)]
CHART = '[data-testid="stVegaLiteChart"] svg.marks'


@pytest.fixture(scope="module")
def session_app(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    browser_or_skip()
    db = tmp_path_factory.mktemp("present-browser") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    store = Store.open(str(db))
    try:
        rival = store.query_value("SELECT min(id) FROM companies WHERE NOT is_us")
        deck = decks.create_deck(store, "ana", "Board meeting")
        decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"}, title="",
                             notes="Our share first")
        decks.add_text_slide(store, "ana", deck.id, kind="title", title="Q4 strategy", body="Board meeting, 28 November")
        decks.add_view_slide(store, "ana", deck.id, "competitors.swot", {"company_id": rival}, title="")
        decks.add_text_slide(store, "ana", deck.id, title="Next steps",
                             body="- Match film prices in pharma\n- Visit the three largest prospects\n- Review in January")
        ids = {"deck": deck.id}
    finally:
        store.close()
    with serve_app(db, tmp_path_factory.mktemp("present-browser-log")) as url:
        yield url, ids


def _settled(page) -> None:  # noqa: ANN001
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def _fits(page) -> dict:  # noqa: ANN001
    return page.evaluate("""() => ({
        scroll: document.scrollingElement.scrollHeight, inner: window.innerHeight,
        main: document.querySelector('[data-testid="stMain"]').scrollHeight})""")


@pytest.mark.parametrize("width, height", SIZES)
def test_session_mode_fills_the_screen_without_scrolling(session_app, chromium, width: int, height: int) -> None:
    url, ids = session_app
    SCREENSHOTS.mkdir(exist_ok=True)
    with own_pages(chromium) as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{url}/present?present={ids['deck']}&lang=en")
        page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
        page.wait_for_selector(CHART, timeout=30_000)
        _settled(page)
        # The app chrome is hidden: no sidebar, no header, no edit controls.
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        assert page.locator('[data-testid="stSelectbox"]').count() == 0
        assert page.locator("h1").first.inner_text().strip() == "Market share by segment"
        assert page.get_by_text("1 / 4", exact=True).is_visible()
        # The chart is on screen in full, and the page does not scroll.
        box = page.locator(CHART).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        sizes = _fits(page)
        assert sizes["scroll"] <= sizes["inner"] + 2, sizes
        for label in ("present.session.next", "present.session.exit", "present.decision.record"):
            control = page.get_by_role("button", name=t(label, "en"))
            control_box = control.first.bounding_box()
            assert control_box and control_box["y"] + control_box["height"] <= height, (label, control_box)
        page.screenshot(path=str(SCREENSHOTS / f"present-session-{width}.png"))
        # Next: the counter and the address follow.
        page.get_by_role("button", name=t("present.session.next", "en")).click()
        page.wait_for_function("() => document.body.innerText.includes('2 / 4')", timeout=30_000)
        _settled(page)
        assert "slide=2" in page.url
        assert page.locator("h1").first.inner_text().strip() == "Q4 strategy"
        # The SWOT board slide fits too.
        page.get_by_role("button", name=t("present.session.next", "en")).click()
        page.wait_for_function("() => document.body.innerText.includes('3 / 4')", timeout=30_000)
        page.wait_for_selector(CHART, timeout=30_000)
        _settled(page)
        sizes = _fits(page)
        assert sizes["scroll"] <= sizes["inner"] + 2, sizes
        box = page.locator(CHART).first.bounding_box()
        assert box and box["y"] + box["height"] <= height, box
        page.screenshot(path=str(SCREENSHOTS / f"present-session-{width}-board.png"))
        # A reload stays on the slide.
        page.reload()
        page.wait_for_selector(CHART, timeout=30_000)
        _settled(page)
        assert page.get_by_text("3 / 4", exact=True).is_visible()


def test_builder_draws_every_preview_and_starts_the_session(session_app, chromium) -> None:
    url, ids = session_app
    SCREENSHOTS.mkdir(exist_ok=True)
    with own_pages(chromium) as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/present?deck={ids['deck']}&lang=sr")
        page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        charts.first.locator("svg.marks").wait_for(timeout=30_000)
        assert charts.count() == 2
        for i in range(charts.count()):
            charts.nth(i).locator("svg.marks").wait_for(timeout=30_000)
        _settled(page)
        assert page.locator("h1").first.inner_text().strip() == t("page.present", "sr")
        assert page.locator('[data-testid="stSidebar"]').is_visible()
        page.screenshot(path=str(SCREENSHOTS / "sr-present-builder.png"), full_page=True)
        page.get_by_role("button", name=t("present.present", "sr")).click()
        page.wait_for_function("() => document.body.innerText.includes('1 / 4')", timeout=30_000)
        page.wait_for_selector(CHART, timeout=30_000)
        _settled(page)
        assert f"present={ids['deck']}" in page.url and "slide=1" in page.url
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        page.get_by_role("button", name=t("present.session.exit", "sr")).click()
        page.wait_for_selector("h1", timeout=30_000)
        page.wait_for_function("() => !location.search.includes('present=')", timeout=30_000)
        _settled(page)
        assert page.locator("h1").first.inner_text().strip() == t("page.present", "sr")
