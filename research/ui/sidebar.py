"""The sidebar every page draws: language, workspace, and who acts (the local name, or the signed-in role)."""

from __future__ import annotations

import streamlit as st

from research import config
from research.i18n import LANGUAGES, fmt_bytes
from research.store import Store
from research.ui.identity import auth_mode, presenting, principal, sign_out
from research.ui.session import ACTOR_STATE, LANG_STATE, init_session, lang, option_names, tr
from research.ui.text import escape_markdown

LANG_KEY = "app_language"
ACTOR_KEY = "app_actor"


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
            format_func=option_names(LANGUAGES),
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
            placeholder=config.ACTOR.value(),
        )
