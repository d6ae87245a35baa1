"""Typing "-7" into the grid in a real browser (issue 17 item 7): the minus reaches the save, which refuses it.

Pins the bug the AppTest tests cannot see: with `min_value=0` on a NumberColumn, Streamlit's number
editor does not accept a minus sign, so "-7" typed into Employees became 7 and was saved without a
word. The page is served by `streamlit run` and driven with Playwright in headless Chromium.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCRIPT_DONE,
    browser_or_skip,
    serve_app,
)

from research.data import entities
from research.i18n import t
from research.store import Store

GRID = '[data-testid="stDataFrame"]'


def _first_account(db: Path) -> dict:
    store = Store.open(str(db))
    try:
        return store.query_rows("SELECT id, employees, version FROM accounts ORDER BY name, id LIMIT 1")[0]
    finally:
        store.close()


def _idle(page) -> None:
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.wait_for_selector(GRID, timeout=60_000)
    time.sleep(1.0)  # the grid's canvas is drawn a moment after the script ends


def test_minus_seven_typed_into_employees_is_refused_not_saved_as_seven(
        demo_workspace_file: Path, tmp_path: Path) -> None:
    browser_or_skip()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    db = tmp_path / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    before = _first_account(db)
    # Columns from Id: the version, then the fields in order (the row marker column comes first).
    steps = 1 + entities.get_entity("accounts").field_names.index("employees") + 1
    with serve_app(db, tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/data")
            _idle(page)
            editor = page.locator("#portal input.gdg-input")
            for attempt in range(6):  # on a loaded machine the canvas may take the first clicks before it is live
                _idle(page)
                box = page.locator(GRID).first.bounding_box()  # read again: the layout may still have moved
                # The first row's Id cell (past the row-marker column), then right to Employees.
                page.mouse.click(box["x"] + 60, box["y"] + 52)
                for _ in range(steps):
                    page.keyboard.press("ArrowRight")
                page.keyboard.press("Enter")  # open the cell's editor (loaded on first use), replace its value
                try:
                    editor.wait_for(timeout=15_000)
                    break
                except PlaywrightTimeout:
                    if attempt == 5:
                        raise
                    page.keyboard.press("Escape")
                    time.sleep(2.0)
            assert editor.input_value() == str(before["employees"])  # the Employees cell of the first row
            page.keyboard.press("Control+a")
            page.keyboard.type("-7", delay=120)
            assert editor.input_value() == "-7"  # the minus is kept (with min_value=0 it was dropped)
            page.keyboard.press("Enter")
            _idle(page)
            # The summary before saving: the minus reached the server.
            page.get_by_text(t("data.pending", "en", changed="1", added="0", deleted="0")).wait_for(timeout=30_000)
            page.get_by_role("button", name=t("data.save", "en")).click()
            page.get_by_text(t("data.problems_in_rows", "en", count="1", rows="1")).wait_for(timeout=30_000)
            _idle(page)
            page.screenshot(path=str(tmp_path / "refused.png"))
        finally:
            browser.close()
    assert _first_account(db) == before  # not 7, not anything: nothing was saved
