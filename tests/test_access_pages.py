"""Access in the app (AppTest): local mode, sign-in gate, "ask an admin", what viewers and editors see.

AppTest's `user` and `secrets` stand in for Streamlit's identity cookie and secrets.toml;
the real OIDC sign-in in a browser is tests/test_access_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research.access import roles as access_roles
from research.access import signed_in
from research.competitors import profiles, swot
from research.i18n import t
from research.store import Store
from tests.page_helpers import ROOT, assert_clean, run_app

SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-of-some-length",
        "client_id": "vantage",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "vantage": {"roles": {"admins": ["admin@example.com"], "editors": ["editor@example.com"], "viewers": ["@example.com"]}},
}


def signed_app(db: Path, monkeypatch: pytest.MonkeyPatch, email: str | None, *, page: str | None = None,
               params: dict[str, str] | None = None, state: dict[str, object] | None = None) -> AppTest:
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = SECRETS
    # The provider confirmed the address (`email_verified`); tests/test_security_signin.py covers unconfirmed ones.
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email, "email_verified": True}
    at.session_state["vantage_lang"] = "en"
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


def _company_id(db: Path, name: str) -> int:
    store = Store.open(str(db))
    try:
        return profiles.find_company(store, name).id
    finally:
        store.close()


def _charts_text(at: AppTest) -> str:
    """Every chart's spec and data as text (Streamlit ships an Altair chart's data apart from its spec)."""
    import pyarrow as pa

    parts = []
    for chart in at.get("vega_lite_chart"):
        parts.append(json.dumps(json.loads(chart.proto.spec)))
        for dataset in chart.proto.datasets:
            parts.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas().to_json())
    return " ".join(parts)


def test_local_mode_says_so_and_keeps_the_name_field(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="admin")
    assert_clean(at)
    assert t("access.local_mode", "en") in [c.value for c in at.sidebar.caption]
    assert at.text_input(key="app_actor") is not None
    assert t("admin.mode.local", "en", doc="docs/ACCESS.md") in [i.value for i in at.info]


def test_signed_out_people_see_only_the_sign_in(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_app(demo_copy, monkeypatch, None)
    assert_clean(at)
    assert at.button(key="access_sign_in") is not None
    assert not at.metric and not at.dataframe  # no data before sign-in


def test_unknown_users_get_ask_an_admin_and_no_data(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_app(demo_copy, monkeypatch, "stranger@elsewhere.example")
    assert_clean(at)
    assert [x.value for x in at.title] == [t("access.no_role_title", "en")]
    assert "stranger@elsewhere.example" in at.warning[0].value.replace("\\", "")
    assert not at.metric and not at.dataframe
    at.switch_page("pages/competitors.py").run()  # a deep link is gated the same way
    assert not at.dataframe and [x.value for x in at.title] == [t("access.no_role_title", "en")]


def test_viewer_sees_data_but_no_edit_controls(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    company_id = _company_id(demo_copy, "GreenFold")
    at = signed_app(demo_copy, monkeypatch, "Someone@Example.com", page="competitors",
                    state={"competitors_company": company_id, "competitors_view": "swot"})
    assert_clean(at)
    assert at.dataframe, "viewers read the SWOT items"
    assert not at.get("form") and not at.get("text_area"), "no SWOT add/edit form for a viewer"
    sidebar = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")  # markdown escapes
    assert "someone@example.com" in sidebar and t("access.role.viewer", "en") in sidebar
    assert at.button(key="access_sign_out") is not None
    for page, action in (("data", "write"), ("query", "query")):
        at.switch_page(f"pages/{page}.py").run()
        assert_clean(at)
        assert [w.value for w in at.warning] == [t("access.refused", "en", action=t(f"access.action.{action}", "en"))]
        assert not at.dataframe and not at.text_area
    at.switch_page("pages/collect.py").run()
    assert_clean(at)
    assert "collect_run_all" not in {b.key for b in at.button}


def test_a_role_given_by_an_admin_applies_on_the_next_run(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles are resolved once per run (not per check), so an admin's change shows on the person's next click."""
    at = signed_app(demo_copy, monkeypatch, "someone@example.com", page="competitors",
                    state={"competitors_company": _company_id(demo_copy, "GreenFold"), "competitors_view": "swot"})
    assert_clean(at)
    assert not at.get("form"), "a viewer (by domain) has no SWOT form"
    store = Store.open(str(demo_copy))
    try:
        access_roles.assign_role(store, "admin", "someone@example.com", "editor")
    finally:
        store.close()
    at.run()
    assert_clean(at)
    assert at.get("form") and at.text_area(key="competitors_swot_add_statement") is not None
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert t("access.role.editor", "en") in sidebar


def test_an_admin_who_removes_their_own_admin_role_loses_the_admin_page_at_once(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's st.rerun() after the change runs again in the same thread: the role is resolved afresh there too."""
    store = Store.open(str(demo_copy))
    try:
        access_roles.assign_role(store, "admin", "boss@example.com", "admin")
    finally:
        store.close()
    at = signed_app(demo_copy, monkeypatch, "boss@example.com", page="admin")
    assert_clean(at)
    assert [x.value for x in at.title] == [t("page.admin", "en")]
    at.selectbox(key="admin_remove_pick").select_index(0)
    at.button(key="admin_remove_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The admin page left the menu, so navigation falls back to the default page.
    assert [x.value for x in at.title] == [t("page.overview", "en")]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert t("access.role.viewer", "en") in sidebar and t("access.role.admin", "en") not in sidebar


def test_the_admin_page_is_in_the_menu_for_admins_only(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = signed_app(demo_copy, monkeypatch, "editor@example.com")
    assert_clean(editor)
    admin = signed_app(demo_copy, monkeypatch, "admin@example.com", page="admin")
    assert_clean(admin)
    assert [x.value for x in admin.title] == [t("page.admin", "en")]
    admin.text_input(key="admin_pattern").input("new.person@example.com")
    admin.selectbox(key="admin_role").select("editor")
    admin.button(key="admin_save").click().run()
    assert_clean(admin)
    assert any("new.person@example.com" in s.value for s in admin.success)
    store = Store.open(str(demo_copy), read_only=False)
    try:
        assert store.query_rows("SELECT pattern, role FROM user_roles") == [{"pattern": "new.person@example.com", "role": "editor"}]
    finally:
        store.close()


def test_editor_adds_a_private_swot_item_recorded_under_their_email(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    company_id = _company_id(demo_copy, "GreenFold")
    at = signed_app(demo_copy, monkeypatch, "editor@example.com", page="competitors",
                    state={"competitors_company": company_id, "competitors_view": "swot"})
    assert_clean(at)
    assert "app_actor" not in {w.key for w in at.text_input}, "no free-text name once people sign in"
    at.text_area(key="competitors_swot_add_statement").input("Rumour: GreenFold loses its Niš plant lease")
    at.checkbox(key="competitors_swot_add_private").check()
    at.button(key="competitors_swot_add_submit").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        row = store.query_rows("SELECT id, author, private FROM swot_items WHERE statement LIKE 'Rumour:%'")[0]
        actors = store.query_rows("SELECT actor FROM audit_log WHERE table_name = 'swot_items' AND row_id = ?", [str(row["id"])])
        assert row["author"] == "editor@example.com" and row["private"] is True
        assert actors == [{"actor": "editor@example.com"}]
        # Another editor does not see it; on a shared screen even its author does not.
        assert all(not i.private for i in swot.list_items(store, company_id, viewer=signed_in("x@example.com", "editor")))
    finally:
        store.close()
    at.session_state["competitors_view"] = "board"
    at.run()
    assert_clean(at)
    board = _charts_text(at)
    assert "Rumour" in board, "the author sees their private item on the board at their own desk"
    at.button(key="competitors_present").click().run()  # the very first presenting frame is already safe
    assert_clean(at)
    assert at.query_params["present"] == "1"
    specs = _charts_text(at)
    assert "SWOT: GreenFold" in specs and "Rumour" not in specs
    sidebar = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")  # markdown escapes
    assert "editor@example.com" not in sidebar, "no e-mail addresses on a shared screen"
    assert t("access.signed_in_as_role", "en", role=t("access.role.editor", "en")) in sidebar


def test_password_mode_signs_in_with_an_argon2_hash(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from research.access.passwords import hash_password

    monkeypatch.setenv("VANTAGE_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = {"vantage": {"passwords": {"editor@example.com": hash_password("editor password 1")},
                              "roles": {"editors": ["editor@example.com"]}}}
    at.session_state["vantage_lang"] = "en"
    at.run()
    assert_clean(at)
    assert not at.metric, "no data before sign-in"
    at.text_input(key="access_email").input("editor@example.com")
    at.text_input(key="access_password").input("not the password")
    at.button(key="access_password_submit").click().run()
    assert [e.value for e in at.error] == [t("access.wrong_password", "en")]
    assert not at.metric
    at.text_input(key="access_email").input("Editor@Example.com")
    at.text_input(key="access_password").input("editor password 1")
    at.button(key="access_password_submit").click().run()
    assert_clean(at)
    assert at.metric, "signed in: the Overview shows"
    sidebar = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert "editor@example.com" in sidebar and t("access.role.editor", "en") in sidebar
    at.button(key="access_sign_out").click().run()
    assert not at.metric and at.text_input(key="access_email") is not None


def test_a_plain_text_password_in_secrets_is_a_clear_error(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = {"vantage": {"passwords": {"editor@example.com": "hunter2hunter2"}}}
    at.run()
    at.text_input(key="access_email").input("editor@example.com")
    at.text_input(key="access_password").input("hunter2hunter2")
    at.button(key="access_password_submit").click().run()
    assert not at.exception and not at.metric
    assert "plain-text passwords are refused" in at.error[0].value.replace("\\", "")



@pytest.mark.parametrize("email", ["viewer@example.com", "editor@example.com"])
def test_every_page_opens_cleanly_for_viewers_and_editors(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, email: str) -> None:
    """No page writes while it renders (a viewer would hit a refusal) and none shows an error box."""
    at = signed_app(demo_copy, monkeypatch, email)
    assert_clean(at)
    for page in sorted(p.stem for p in (ROOT / "pages").glob("*.py")):
        if page == "admin":
            continue  # not in a non-admin's menu
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page
