"""AppTest helpers shared by the page tests: run the app on a workspace, assert a clean run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_app(db: Path | str, monkeypatch: pytest.MonkeyPatch, *, page: str | None = None, lang: str = "en") -> AppTest:
    """Run app.py on workspace `db` (language `lang`), on pages/<page>.py if given.

    A page is opened straight, as a link to it opens it: app.py gives every page its file name as
    url_path, the hash AppTest uses for a switch before the first run (this saves drawing the Overview
    first, in about a hundred tests). Should a run land anywhere else, the page is opened the
    documented way: run app.py, switch, run.
    """
    monkeypatch.setenv("VANTAGE_DB", str(db))

    def prepared() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["vantage_lang"] = lang
        return at

    if not page:
        return prepared().run()
    at = prepared().switch_page(f"pages/{page}.py").run()
    if not on_page(at, page):
        at = prepared().run()
        at.switch_page(f"pages/{page}.py").run()
    return at


def on_page(at: AppTest, page: str) -> bool:
    """Whether the last run of `at` drew pages/<page>.py (AppTest keeps the registered pages, not public API)."""
    registered = getattr(at, "_registered_pages", None) or {}
    script = registered.get(getattr(at, "_finished_page_script_hash", ""), {}).get("script_path")
    return script is not None and Path(str(script)).resolve() == (ROOT / "pages" / f"{page}.py").resolve()


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
