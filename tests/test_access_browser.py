"""A real OIDC sign-in end to end: a local OpenID provider, `streamlit run` configured against it, headless Chromium.

The provider is `oidc-provider-mock` on loopback (its login form takes any subject; the
subject is also the e-mail claim). The editor and the viewer are predefined with
`email_verified: true`; an address typed into the form comes without the claim, so a
stranger who types the admin's address is refused (issue 14, finding 3). The app gets a temporary secrets.toml through
STREAMLIT_SECRETS_FILES (Streamlit's `secrets.files` option), so the repository's
`.streamlit/` is never written; it keeps the shipped `.streamlit/config.toml`. A viewer
signs in and finds no edit controls and a refusal on the Data and Query pages' deep links;
an editor adds a SWOT item, and after the server stops the audit log names the editor's
e-mail address. Skipped without Chromium unless VANTAGE_REQUIRE_BROWSER=1 (then the skip
is a failure).
"""

from __future__ import annotations

import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, SCRIPT_DONE, browser_or_skip, serve_app

from research.i18n import t
from research.store import Store

ADMIN = "admin@example.com"
EDITOR = "editor@example.com"
VIEWER = "viewer@example.com"
STATEMENT = "Browser test: GreenFold opens a depot in Kragujevac"


@pytest.fixture
def provider() -> Iterator[str]:
    """oidc-provider-mock's WSGI app on 127.0.0.1 (a free port), in a thread of this process."""
    browser_or_skip()
    import werkzeug.serving

    import authlib.deprecate  # noqa: F401 — it turns its own warnings to "always" when imported

    with warnings.catch_warnings():  # the mock (a test tool) imports Authlib APIs Authlib marks deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import User
        from oidc_provider_mock import app as provider_app

    # People whose provider confirmed their address; any other subject typed into the
    # mock's form gets only {"email": subject}, an unconfirmed claim.
    confirmed = [User(sub=email, claims={"email": email, "email_verified": True}) for email in (EDITOR, VIEWER)]
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app(user_claims=confirmed), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _secrets(folder: Path, provider: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        # Streamlit fills in {port} with the port the server runs on.
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-long-enough-for-hs256"\n'
        'client_id = "vantage"\n'
        'client_secret = "vantage-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "\n[vantage.roles]\n"
        f'admins = ["{ADMIN}"]\n'
        f'editors = ["{EDITOR}"]\n'
        f'viewers = ["{VIEWER}"]\n',
        encoding="utf-8",
    )
    return path


def _sign_in(page, url: str, email: str, *, admitted: bool = True) -> None:  # noqa: ANN001 — playwright's Page
    page.goto(f"{url}/?lang=en")
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.get_by_role("button", name=t("access.sign_in", "en")).click()
    # The provider's own form: type the subject (it doubles as the e-mail claim) and authorize.
    page.wait_for_selector('input[name="sub"]', timeout=30_000)
    page.fill('input[name="sub"]', email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    if admitted:
        page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=30_000)


def _open(page, url: str, path: str) -> None:  # noqa: ANN001
    page.goto(f"{url}/{path}")
    page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_timeout(400)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


# The mock provider (a test tool) still calls Authlib APIs that Authlib marks deprecated.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_oidc_sign_in_enforces_roles_and_records_the_editor(
    provider: str, demo_workspace_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    db = tmp_path / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(_secrets(tmp_path, provider)))
    started = time.monotonic()
    with serve_app(db, tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # Signed out: only the sign-in, no data.
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/?lang=en")
            page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
            page.get_by_role("button", name=t("access.sign_in", "en")).wait_for(timeout=30_000)
            assert page.locator('[data-testid="stMetric"]').count() == 0
            page.close()

            # Anyone may type the admin's address into this provider's form; it does not confirm
            # it (no email_verified), so the "admin" gets no role and no data, deep links included.
            impostor = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            _sign_in(impostor, url, ADMIN, admitted=False)
            impostor.get_by_text(t("access.unverified", "en", email=ADMIN)).wait_for(timeout=30_000)
            assert impostor.locator('[data-testid="stMetric"]').count() == 0
            _open(impostor, url, "admin?lang=en")
            impostor.get_by_text(t("access.unverified_title", "en")).wait_for(timeout=30_000)
            assert impostor.locator('[data-testid="stDataFrame"]').count() == 0
            impostor.context.close()

            # A viewer: reads, but has no edit controls; deep links to edit pages refuse.
            viewer = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            _sign_in(viewer, url, VIEWER)
            sidebar = viewer.locator('[data-testid="stSidebar"]').inner_text()
            assert VIEWER in sidebar and t("access.role.viewer", "en") in sidebar
            _open(viewer, url, "competitors?company=GreenFold&view=swot&lang=en")
            viewer.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
            assert viewer.locator('[data-testid="stForm"]').count() == 0, "a viewer got a SWOT form"
            assert viewer.locator('[data-testid="stTextArea"]').count() == 0
            _open(viewer, url, "data?lang=en")
            viewer.get_by_text(t("access.refused", "en", action=t("access.action.write", "en"))).wait_for(timeout=30_000)
            assert viewer.locator('[data-testid="stDataFrame"]').count() == 0
            _open(viewer, url, "query?lang=en")
            viewer.get_by_text(t("access.refused", "en", action=t("access.action.query", "en"))).wait_for(timeout=30_000)
            viewer.context.close()

            # An editor: the SWOT form is there, and the new item is saved.
            editor = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            _sign_in(editor, url, EDITOR)
            assert EDITOR in editor.locator('[data-testid="stSidebar"]').inner_text()
            _open(editor, url, "competitors?company=GreenFold&view=swot&lang=en")
            form = editor.locator('[data-testid="stForm"]').first
            form.wait_for(timeout=30_000)
            form.locator("textarea").first.fill(STATEMENT)
            form.get_by_role("button", name=t("swot.add_submit", "en")).click()
            editor.get_by_text(t("swot.added", "en")).first.wait_for(timeout=30_000)
            assert editor.locator('[data-testid="stException"]').count() == 0
            editor.context.close()
        finally:
            browser.close()
    elapsed = time.monotonic() - started

    # serve_app stopped the server, which released the workspace: read the audit log.
    store = Store.open(str(db), read_only=True)
    try:
        rows = store.query_rows(
            "SELECT s.author, a.actor FROM swot_items s JOIN audit_log a "
            "ON a.table_name = 'swot_items' AND a.row_id = CAST(s.id AS VARCHAR) WHERE s.statement = ?",
            [STATEMENT],
        )
        viewer_writes = store.query_value("SELECT count(*) FROM audit_log WHERE actor IN (?, ?)", [VIEWER, ADMIN])
    finally:
        store.close()
    assert rows == [{"author": EDITOR, "actor": EDITOR}]
    assert viewer_writes == 0
    # A hang guard, not a speed target (timings live in bench/): generous for a loaded 2-core CI run.
    assert elapsed < 240, f"the sign-in test took {elapsed:.0f} s"
