"""Session mode, the presenter view and the Competitors presentation modes in a real browser (issue 17).

One server for the module, on a copy of the demo workspace with a deck that holds a title
slide, a long text slide and one slide of every registered view (tests/test_present_views.py
CASES), each with speaker notes. At 1280×720 and at 1920×1080 every slide must fit: the
document and the app's own scroller do not scroll, the slide ends above the control bar, the
controls lie inside the window, and no slide text is smaller than 18 px at 720p (27 px at
1080p). The audience window never shows notes; the presenter view does, and a step in either
window moves the other. Screenshots go to screenshots/ (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_helpers import (
    SCREENSHOTS,
    SCRIPT_DONE,
    browser_or_skip,
    own_pages,
    serve_app,
)
from test_present_views import CASES, rivals

from research.competitors import tows
from research.i18n import t
from research.present import decks
from research.segments import saved
from research.store import Store

SIZES = ((1280, 720), (1920, 1080))
LONG_TEXT = "\n".join(f"- Point {i}: what we saw in the market this quarter and what it means for us" for i in range(30))

# Everything that decides whether a slide fits, measured in the page. Text sizes are the
# slide's own text (HTML); chart text is drawn by Vega inside the scaled picture.
_MEASURE = """() => {
  const box = el => { if (!el) return null; const b = el.getBoundingClientRect();
                      return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
  const main = document.querySelector('[data-testid="stMain"]');
  const slide = document.querySelector('.st-key-present_slide');
  const nav = document.querySelector('.st-key-present_nav');
  let bottom = 0, smallest = 1000;
  for (const el of slide ? slide.querySelectorAll('*') : []) {
    const b = el.getBoundingClientRect();
    if (b.height > 0 && b.width > 0) bottom = Math.max(bottom, b.bottom);
  }
  for (const el of slide ? slide.querySelectorAll('h1, p, li, td, th') : []) {
    if (!el.innerText.trim() || el.closest('[data-testid="stVegaLiteChart"]')) continue;
    const zoom = parseFloat(getComputedStyle(document.querySelector('[data-testid="stMainBlockContainer"]')).zoom) || 1;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize) * zoom);
  }
  return {
    doc: document.scrollingElement.scrollHeight, inner: innerHeight, width: innerWidth,
    main: main.scrollHeight, mainClient: main.clientHeight, mainWide: main.scrollWidth, mainClientWide: main.clientWidth,
    slideBottom: bottom, navTop: nav ? nav.getBoundingClientRect().top : null, smallest,
    controls: [...document.querySelectorAll('.st-key-present_nav button, .st-key-present_nav a')].map(box),
    chart: box(document.querySelector('.st-key-present_body svg.marks')),
    text: document.body.innerText,
  };
}"""


@pytest.fixture(scope="module")
def session_app(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    browser_or_skip()
    db = tmp_path_factory.mktemp("present-session-browser") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    store = Store.open(str(db))
    try:
        # As tests/test_present_views.py's workspace: two saved segments and a TOWS strategy.
        saved.save_rule_segment(store, "ana", name="Balkan", rule={"field": "region", "in": ["Western Balkans"]})
        saved.save_rule_segment(store, "ana", name="Automotive", rule={"field": "industry", "in": ["Automotive"]})
        rival = rivals(store)[0]
        items = tows.tows_items(store, rival)
        tows.add_strategy(store, "ana", rival, kind="SO", statement="Sell next-day delivery where they are slow",
                          owner="Ana", status="proposed", item_ids=[items["S"][0].id, items["O"][0].id])
        deck = decks.create_deck(store, "ana", "Everything")
        decks.add_text_slide(store, "ana", deck.id, kind="title", title="Q4 strategy", body="Board meeting, 28 November",
                             notes="Secret note 0")
        decks.add_text_slide(store, "ana", deck.id, title="What we heard from customers this quarter, and what we do next",
                             body=LONG_TEXT, notes="Secret note 1")
        for n, (view, case) in enumerate(CASES.items(), start=2):
            decks.add_view_slide(store, "ana", deck.id, view, case(store), title="", notes=f"Secret note {n}")
        ids = {"deck": deck.id, "slides": 2 + len(CASES), "rival": store.query_value("SELECT name FROM companies WHERE id = ?",
                                                                                     [rival])}
    finally:
        store.close()
    with serve_app(db, tmp_path_factory.mktemp("present-session-browser-log")) as url:
        yield url, ids


def _settled(page) -> None:  # noqa: ANN001
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.wait_for_timeout(600)
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def _assert_fits(m: dict, where: str, *, min_text: float | None) -> None:
    height, width = m["inner"], m["width"]
    assert m["doc"] <= height + 2, (where, "the document scrolls", m["doc"], height)
    assert m["main"] <= m["mainClient"] + 2, (where, "the app scrolls", m["main"], m["mainClient"])
    assert m["mainWide"] <= m["mainClientWide"] + 2, (where, "the app scrolls sideways")
    if m["navTop"] is not None:
        assert m["slideBottom"] <= m["navTop"] + 1, (where, "the slide runs under the control bar", m["slideBottom"], m["navTop"])
    assert m["controls"], (where, "no controls")
    for box in m["controls"]:
        assert 0 <= box["left"] and box["right"] <= width and 0 <= box["top"] and box["bottom"] <= height, (where, box)
    if m["chart"]:
        chart = m["chart"]
        assert chart["left"] >= 0 and chart["right"] <= width + 1 and chart["top"] >= 0, (where, chart)
        assert m["navTop"] is None or chart["bottom"] <= m["navTop"] + 1, (where, chart)
    if min_text is not None and m["smallest"] < 1000:
        assert m["smallest"] >= min_text, (where, "text below the floor", m["smallest"])


def _resize(page, width: int, height: int) -> None:  # noqa: ANN001
    page.set_viewport_size({"width": width, "height": height})
    # The layout follows the new size by the next frames (the zoom is a media query; charts keep their width).
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def test_every_slide_fits_both_screens_and_shows_no_notes(session_app, chromium) -> None:
    url, ids = session_app
    SCREENSHOTS.mkdir(exist_ok=True)
    total = ids["slides"]
    with own_pages(chromium) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/present?present={ids['deck']}&slide=1&lang=sr")
        _settled(page)
        for number in range(1, total + 1):
            page.wait_for_function(f"() => document.body.innerText.includes('{number} / {total}')", timeout=30_000)
            _settled(page)
            for width, height in SIZES:
                _resize(page, width, height)
                m = page.evaluate(_MEASURE)
                where = f"slide {number} at {width}×{height}"
                _assert_fits(m, where, min_text=17.5 * height / 720)
                assert "Secret note" not in m["text"], (where, "speaker notes on the shared screen")
                if number in (2, 6, 10, 12) or width == 1280 and number == 1:  # long text, sizing, battlecard, matrix
                    page.screenshot(path=str(SCREENSHOTS / f"sr-present-fit-{number:02d}-{width}.png"))
            _resize(page, 1280, 720)
            if number < total:
                page.get_by_role("button", name=t("present.session.next", "sr")).click()
        # The long text slide was summarised at 18 px, not shrunk: "… and N more lines".
        page.goto(f"{url}/present?present={ids['deck']}&slide=2&lang=sr")
        _settled(page)
        more = t("present.session.more_lines", "sr", count=0).split("0")[0]
        assert page.get_by_text(more, exact=False).count() == 1
        assert page.get_by_text("Point 0:", exact=False).count() == 1


def _slide_of(page) -> str:  # noqa: ANN001
    return page.evaluate("() => new URLSearchParams(location.search).get('slide')")


def _follows(page, slide: str) -> None:  # noqa: ANN001
    # The other window's fragment looks every second; allow a loaded machine some slack.
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('slide') === '{slide}'", timeout=20_000)
    page.wait_for_function(f"() => document.body.innerText.includes('{slide} / ')", timeout=20_000)


def test_presenter_and_audience_windows_move_together(session_app, chromium) -> None:
    url, ids = session_app
    total = ids["slides"]
    with own_pages(chromium) as browser:
        presenter = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        audience = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        # The presenter (re)starts the session on slide 3; the audience window opens from its link.
        presenter.goto(f"{url}/present?present={ids['deck']}&presenter=1&slide=3&lang=en")
        _settled(presenter)
        presenter.get_by_role("button", name=t("present.presenter.restart", "en")).click()
        _settled(presenter)
        link = presenter.get_by_role("link", name=t("present.presenter.audience", "en")).get_attribute("href")
        assert link == f"?present={ids['deck']}&slide=3&lang=en"
        audience.goto(f"{url}/present{link}")
        _follows(audience, "3")
        _settled(audience)
        assert "Secret note" not in audience.inner_text("body")
        assert f"3 / {total}" in presenter.inner_text("body")
        assert "Secret note 2" in presenter.inner_text("body")  # slide 3's notes, for the presenter only
        # Next in the presenter window: the audience follows.
        presenter.get_by_role("button", name=t("present.session.next", "en")).click()
        _follows(presenter, "4")
        _follows(audience, "4")
        _settled(audience)
        assert "Secret note" not in audience.inner_text("body")
        _assert_fits(audience.evaluate(_MEASURE), "audience window", min_text=None)
        # Previous in the audience window: the presenter follows, with that slide's notes.
        audience.get_by_role("button", name=t("present.session.prev", "en")).click()
        _follows(audience, "3")
        _follows(presenter, "3")
        _settled(presenter)
        assert "Secret note 2" in presenter.inner_text("body")
        assert presenter.get_by_text(t("present.presenter.next", "en", title=""), exact=False).count() == 1
        assert presenter.get_by_text(t("present.presenter.elapsed", "en", time=""), exact=False).count() == 1
        presenter.screenshot(path=str(SCREENSHOTS / "present-presenter-1280.png"))
        audience.screenshot(path=str(SCREENSHOTS / "present-audience-1920.png"))


@pytest.mark.parametrize("view", ["board", "battlecard"])
def test_competitors_presentation_modes_fit_without_the_sidebar(session_app, chromium, view: str) -> None:
    url, ids = session_app
    with own_pages(chromium) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/competitors?company={quote(ids['rival'])}&view={view}&present=1&lang=sr")
        page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
        if view == "board":
            page.wait_for_selector('[data-testid="stVegaLiteChart"] svg.marks', timeout=30_000)
        _settled(page)
        for width, height in SIZES:
            _resize(page, width, height)
            assert not page.locator('[data-testid="stSidebar"]').is_visible()
            assert not page.get_by_role("heading", name=t("page.competitors", "sr")).is_visible()
            m = page.evaluate(_MEASURE)
            _assert_fits(m, f"{view} at {width}×{height}", min_text=17.5 * height / 720)
            if view == "board":  # all four quadrants: the whole board is on screen
                assert m["chart"] and m["chart"]["right"] <= width and m["chart"]["bottom"] <= height
            else:
                for part in ("why_we_win", "neutralise", "pricing", "key_items"):
                    assert page.get_by_text(t(f"battlecard.{part}", "sr"), exact=True).is_visible()
            page.screenshot(path=str(SCREENSHOTS / f"sr-competitors-present-{view}-{width}.png"))
        page.get_by_role("button", name=t("swot.present_exit", "sr")).click()
        page.wait_for_selector('[data-testid="stButtonGroup"]', timeout=30_000)
        _settled(page)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
