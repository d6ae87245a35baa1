"""AppTest helpers shared by the page tests: run the app on a workspace, assert a clean run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_app(db: Path | str, monkeypatch: pytest.MonkeyPatch, *, page: str | None = None, lang: str = "en") -> AppTest:
    """Run app.py on workspace `db` (language `lang`), then switch to pages/<page>.py if given."""
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["vantage_lang"] = lang
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
