"""Per-process workspace store and per-session language, identity and actor for the app.

Language and actor live in plain session keys (`vantage_lang`, `vantage_actor`)
and are copied into their sidebar widgets on every run: a widget's own state is
dropped when another page renders a widget with the same key, so the widgets
only mirror the durable values (Streamlit's documented pattern for state that
must survive page switches).

Identity (docs/ACCESS.md): with an `[auth]` section in `.streamlit/secrets.toml` people
sign in through OIDC (`st.login`) and `actor()` is their `Principal` (e-mail address and
the role from `[vantage.roles]` and the `user_roles` table; only an address the provider
confirmed with `email_verified` gets a role, research/access/signin.py); without it Vantage runs in
local single-user mode and `actor()` is the sidebar's free-text name with full rights.
A small team without an identity provider can use password sign-in instead
(`[vantage.passwords]`: e-mail -> argon2 hash; research/access/passwords.py).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Mapping

import streamlit as st

from research import config, demo
from research.access import Actor, Principal, PermissionDenied, allowed, signed_in
from research.access import roles as access_roles
from research.access.signin import email_verified, trusts_missing_email_verified
from research.errors import VantageError
from research.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_bytes, normalize_language, t
from research.query.sandbox import prepare_in_background
from research.store import Store
from research.ui.text import escape_markdown

LANG_STATE = "vantage_lang"
ACTOR_STATE = "vantage_actor"
PASSWORD_STATE = "vantage_signed_in"  # password mode: the signed-in address, for this browser session
PASSWORD_FAILURES = "vantage_sign_in_failures"
PASSWORD_TRIES = 5  # wrong passwords in a row before a pause
PASSWORD_PAUSE = 30  # seconds
LANG_KEY = "app_language"
ACTOR_KEY = "app_actor"

_run_marks = threading.local()  # each script run has its own thread
_first_start_lock = threading.Lock()
_first_start_done: weakref.WeakSet[Store] = weakref.WeakSet()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(database: str) -> Store:
    # One connection per process and workspace; sessions take cursors from it.
    store = Store.open(database)
    # The query snapshot is prepared now, in the background, so the first query never waits (VANTAGE_QUERY_PREPARE).
    prepare_in_background(store)
    return store


def get_store() -> Store:
    """The workspace store; on the very first start of a new workspace, fills the demo market."""
    store = _open_store(config.database())
    if store.created and store not in _first_start_done:
        with _first_start_lock:
            if store not in _first_start_done:
                if config.get_flag("VANTAGE_DEMO") and demo.is_empty(store):
                    with st.spinner(tr("app.creating_demo")):
                        demo.build_demo(store, seed=config.get_int("VANTAGE_DEMO_SEED"), actor="demo", signals=True)
                _first_start_done.add(store)
    return store


def mark_routed() -> None:
    """Called by app.py: this script run goes through the app's navigation (and starts afresh)."""
    _run_marks.routed = True
    _run_marks.principal = None  # roles are resolved again in every run: an admin's change shows on the next


def take_routed_mark() -> bool:
    """True once per run that app.py routed (the mark is consumed)."""
    routed = getattr(_run_marks, "routed", False)
    _run_marks.routed = False
    return routed


def init_session() -> None:
    """Start a browser session in the language of `?lang=` (else the configured default)."""
    if LANG_STATE not in st.session_state:
        wanted = st.query_params.get("lang") or config.get("VANTAGE_LANG") or DEFAULT_LANGUAGE
        st.session_state[LANG_STATE] = normalize_language(wanted)
    st.session_state.setdefault(ACTOR_STATE, "")


def lang() -> str:
    return normalize_language(st.session_state.get(LANG_STATE))


def tr(key: str, **values: object) -> str:
    """`research.i18n.t` in the language chosen in this browser session."""
    return t(key, lang(), **values)


def option_labels(prefix: str, extra: Mapping[object, str] | None = None) -> Callable[[object], str]:
    """A format_func: option `x` shows as message `prefix.x` (or `extra[x]`) in this session's language.

    The language is bound when the widget is built: AppTest calls format functions
    outside the script run, where the session's language is unknown.
    """
    language = lang()
    fixed = dict(extra or {})
    return lambda option: fixed[option] if option in fixed else t(f"{prefix}.{option}", language)


def secrets_dict() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml anywhere: local mode
        return {}


def vantage_secrets() -> dict:
    """The `[vantage]` section of secrets: `roles`, `passwords`, `trust_missing_email_verified` (docs/ACCESS.md); empty without one."""
    return secrets_dict().get("vantage") or {}


def auth_mode() -> str:
    """How people sign in: "oidc" with `[auth]` in secrets, "password" with `[vantage.passwords]`, else "local"."""
    if secrets_dict().get("auth"):
        return "oidc"
    if vantage_secrets().get("passwords"):
        return "password"
    return "local"


def _claimed_email() -> str | None:
    """The address this session signed in with, confirmed or not (for the sign-in screens only)."""
    if auth_mode() == "password":
        return st.session_state.get(PASSWORD_STATE)  # proven by the password an admin listed it with
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return str(email).strip().casefold() if email else None


def _user_email() -> str | None:
    """The signed-in address that may receive a role: with OIDC only one the provider confirmed.

    An unconfirmed claim reads as no address here, so `principal()` and every check after it
    see a stranger; `gate()` tells the person why (research/access/signin.py).
    """
    email = _claimed_email()
    if email and auth_mode() == "oidc":
        trust = trusts_missing_email_verified(vantage_secrets())
        if not email_verified(st.user.to_dict(), trust_missing=trust):
            return None
    return email


def principal() -> Principal | None:
    """The signed-in user with their role; None when signed out or without a role (or in local mode)."""
    mode = auth_mode()
    if mode == "local":
        return None
    email = _user_email()
    if not email:
        return None
    # Resolved once per script run (secrets plus a `user_roles` query): the run's many
    # actor()/can() calls reuse it; app.py's mark_routed() clears it for the next run.
    cached = getattr(_run_marks, "principal", None)
    if cached is not None and cached[0] == email:
        return cached[1]
    role = access_roles.role_for(get_store(), email, vantage_secrets().get("roles"))
    found = signed_in(email, role, mode=mode) if role else None
    _run_marks.principal = (email, found)
    return found


def actor() -> Actor:
    """Who acts in this browser session: the signed-in Principal, or in local mode the sidebar name."""
    if auth_mode() == "local":
        name = str(st.session_state.get(ACTOR_STATE, "")).strip()
        return name or config.get("VANTAGE_ACTOR")
    found = principal()
    if found is None:  # app.py's gate stops such sessions before any page runs
        raise PermissionDenied("Sign in with an account that has a role to use this workspace.")
    return found


def can(action: str) -> bool:
    """May this session do `action` (research.access.ACTIONS)? Used to hide controls; the functions check again."""
    try:
        return allowed(actor(), action)
    except PermissionDenied:
        return False


def refuse_unless(action: str) -> None:
    """Stop the page with one clear sentence when this session may not do `action` (deep links to edit pages)."""
    if can(action):
        return
    st.warning(tr("access.refused", action=tr(f"access.action.{action}")), icon=":material/block:")
    st.stop()


def presenting() -> bool:
    """A shared-screen view (`?present=…`): no e-mail addresses, private notes or admin links."""
    return bool(st.query_params.get("present"))


def sign_out() -> None:
    if auth_mode() == "password":
        st.session_state.pop(PASSWORD_STATE, None)
        st.rerun()
    st.logout()


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
        if not _claimed_email():
            st.title(tr("app.title"))
            st.info(tr("access.sign_in_prompt"), icon=":material/login:")
            if mode == "password":
                _password_form()
            elif st.button(tr("access.sign_in"), key="access_sign_in", type="primary", icon=":material/login:"):
                st.login()
            return False
        if not _user_email():  # signed in, but the provider did not confirm the address
            st.title(tr("access.unverified_title"))
            st.warning(tr("access.unverified", email=escape_markdown(_claimed_email() or "—")), icon=":material/gpp_bad:")
            if st.button(tr("access.sign_out"), key="access_sign_out_unverified", icon=":material/logout:"):
                sign_out()
            return False
        found = principal()
    except VantageError as error:  # a mistake in the secrets' role or password lists: say which, show nothing else
        from research.ui.widgets import show_error  # widgets imports this module

        st.title(tr("app.title"))
        show_error(error)
        return False
    if found is None:
        st.title(tr("access.no_role_title"))
        st.warning(tr("access.no_role", email=escape_markdown(_user_email() or "—")), icon=":material/person_off:")
        if st.button(tr("access.sign_out"), key="access_sign_out_unknown", icon=":material/logout:"):
            sign_out()
        return False
    return True


def _keep(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def sidebar(store: Store) -> None:
    """Language, workspace and actor controls, rendered by every page."""
    init_session()
    st.session_state[LANG_KEY] = lang()
    st.session_state[ACTOR_KEY] = st.session_state[ACTOR_STATE]
    with st.sidebar:
        st.selectbox(
            tr("sidebar.language"),
            options=list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=LANG_KEY,
            on_change=_keep,
            args=(LANG_KEY, LANG_STATE),
        )
        st.divider()
        st.markdown(f"**{tr('sidebar.workspace')}**")
        st.text(store.name)
        st.caption(tr("sidebar.schema", version=store.schema_version(), size=fmt_bytes(store.file_size(), lang())))
        if store.read_only:
            st.warning(tr("sidebar.read_only"), icon=":material/lock:")
        st.divider()
        if auth_mode() != "local":
            who = principal()
            if who is not None:
                role = tr(f"access.role.{who.role}")
                # On a shared screen the role shows, the e-mail address does not.
                st.caption(tr("access.signed_in_as_role", role=role) if presenting()
                           else tr("access.signed_in_as", email=escape_markdown(who.name), role=role))
                if st.button(tr("access.sign_out"), key="access_sign_out", icon=":material/logout:"):
                    sign_out()
            return
        st.caption(tr("access.local_mode"))
        st.text_input(
            tr("sidebar.actor"),
            key=ACTOR_KEY,
            on_change=_keep,
            args=(ACTOR_KEY, ACTOR_STATE),
            help=tr("sidebar.actor_help"),
            max_chars=80,
            placeholder=config.get("VANTAGE_ACTOR"),
        )
