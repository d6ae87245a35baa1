"""The sign-in screens drawn before any page: OIDC or password sign-in, an unconfirmed address, no role."""

from __future__ import annotations

import time

import streamlit as st

from research.errors import VantageError
from research.ui.identity import PASSWORD_STATE, auth_mode, claimed_email, principal, sign_out, user_email, vantage_secrets
from research.ui.session import tr
from research.ui.text import escape_markdown
from research.ui.widgets import show_error

PASSWORD_FAILURES = "vantage_sign_in_failures"
PASSWORD_TRIES = 5  # wrong passwords in a row before a pause
PASSWORD_PAUSE = 30  # seconds


def _password_form() -> None:
    """E-mail and password against the argon2 hashes of `[vantage.passwords]`; a pause after repeated failures."""
    from research.access.passwords import verify  # argon2 loads only in password mode

    failures, last = st.session_state.get(PASSWORD_FAILURES, (0, 0.0))
    wait = int(PASSWORD_PAUSE - (time.monotonic() - last)) if failures >= PASSWORD_TRIES else 0
    with st.form("access_password_form"):
        email = st.text_input(tr("access.email"), key="access_email", max_chars=200)
        password = st.text_input(tr("access.password"), type="password", key="access_password", max_chars=200)
        submitted = st.form_submit_button(tr("access.sign_in"), type="primary", key="access_password_submit")
    if not submitted:
        return
    if wait > 0:
        st.error(tr("access.too_many_attempts", seconds=wait), icon=":material/timer:")
        return
    signed = verify(vantage_secrets().get("passwords"), email, password)
    if signed is None:
        st.session_state[PASSWORD_FAILURES] = (failures + 1, time.monotonic())
        st.error(tr("access.wrong_password"), icon=":material/lock:")
        return
    st.session_state.pop(PASSWORD_FAILURES, None)
    st.session_state[PASSWORD_STATE] = signed
    st.rerun()


def gate() -> bool:
    """Draw the sign-in or "ask an admin" page when this session may not see data; True when it may."""
    mode = auth_mode()
    if mode == "local":
        return True
    try:
        if not claimed_email():
            st.title(tr("app.title"))
            st.info(tr("access.sign_in_prompt"), icon=":material/login:")
            if mode == "password":
                _password_form()
            elif st.button(tr("access.sign_in"), key="access_sign_in", type="primary", icon=":material/login:"):
                st.login()
            return False
        if not user_email():  # signed in, but the provider did not confirm the address
            st.title(tr("access.unverified_title"))
            st.warning(tr("access.unverified", email=escape_markdown(claimed_email() or "—")), icon=":material/gpp_bad:")
            if st.button(tr("access.sign_out"), key="access_sign_out_unverified", icon=":material/logout:"):
                sign_out()
            return False
        found = principal()
    except VantageError as error:  # a mistake in the secrets' role or password lists: say which, show nothing else
        st.title(tr("app.title"))
        show_error(error)
        return False
    if found is None:
        st.title(tr("access.no_role_title"))
        st.warning(tr("access.no_role", email=escape_markdown(user_email() or "—")), icon=":material/person_off:")
        if st.button(tr("access.sign_out"), key="access_sign_out_unknown", icon=":material/logout:"):
            sign_out()
        return False
    return True
