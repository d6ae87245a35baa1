"""Who acts in this browser session, and what they may do (docs/ACCESS.md).

With an `[auth]` section in `.streamlit/secrets.toml` people sign in through OIDC
(`st.login`) and `actor()` is their `Principal` (e-mail address and the role from
`[vantage.roles]` and the `user_roles` table; only an address the provider confirmed
with `email_verified` gets a role, research/access/signin.py); without it Vantage runs
in local single-user mode and `actor()` is the sidebar's free-text name with full rights.
A small team without an identity provider can use password sign-in instead
(`[vantage.passwords]`: e-mail -> argon2 hash; research/access/passwords.py). The
sign-in screens themselves are research/ui/gate.py.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from research import config
from research.access import Actor, PermissionDenied, Principal, allowed, signed_in
from research.access import roles as access_roles
from research.access.signin import email_verified, trusts_missing_email_verified
from research.ui.session import ACTOR_STATE, tr
from research.ui.workspace import get_store

PASSWORD_STATE = "vantage_signed_in"  # password mode: the signed-in address, for this browser session

_run = threading.local()  # each script run has its own thread: the principal resolved in this run


def forget_run_principal() -> None:
    """Roles are resolved again in every run: an admin's change shows on the next (app.py's routing calls this)."""
    _run.principal = None


def secrets_dict() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml anywhere: local mode
        return {}


def vantage_secrets() -> dict[str, Any]:
    """The `[vantage]` section of secrets: `roles`, `passwords`, `trust_missing_email_verified` (docs/ACCESS.md); empty without one."""
    return secrets_dict().get("vantage") or {}


def auth_mode() -> str:
    """How people sign in: "oidc" with `[auth]` in secrets, "password" with `[vantage.passwords]`, else "local"."""
    if secrets_dict().get("auth"):
        return "oidc"
    if vantage_secrets().get("passwords"):
        return "password"
    return "local"


def claimed_email() -> str | None:
    """The address this session signed in with, confirmed or not (for the sign-in screens only)."""
    if auth_mode() == "password":
        return st.session_state.get(PASSWORD_STATE)  # proven by the password an admin listed it with
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return str(email).strip().casefold() if email else None


def user_email() -> str | None:
    """The signed-in address that may receive a role: with OIDC only one the provider confirmed.

    An unconfirmed claim reads as no address here, so `principal()` and every check after it
    see a stranger; `gate()` tells the person why (research/access/signin.py).
    """
    email = claimed_email()
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
    email = user_email()
    if not email:
        return None
    # Resolved once per script run (secrets plus a `user_roles` query): the run's many
    # actor()/can() calls reuse it; app.py's mark_routed() clears it for the next run.
    cached = getattr(_run, "principal", None)
    if cached is not None and cached[0] == email:
        return cached[1]
    role = access_roles.role_for(get_store(), email, vantage_secrets().get("roles"))
    found = signed_in(email, role, mode=mode) if role else None
    _run.principal = (email, found)
    return found


def actor() -> Actor:
    """Who acts in this browser session: the signed-in Principal, or in local mode the sidebar name."""
    if auth_mode() == "local":
        name = str(st.session_state.get(ACTOR_STATE, "")).strip()
        return name or config.ACTOR.value()
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
