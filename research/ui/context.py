"""Per-process workspace store and per-session language and actor for the app.

Language and actor live in plain session keys (`vantage_lang`, `vantage_actor`)
and are copied into their sidebar widgets on every run: a widget's own state is
dropped when another page renders a widget with the same key, so the widgets
only mirror the durable values (Streamlit's documented pattern for state that
must survive page switches).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping

import streamlit as st

from research import config, demo
from research.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_bytes, normalize_language, t
from research.store import Store

LANG_STATE = "vantage_lang"
ACTOR_STATE = "vantage_actor"
LANG_KEY = "app_language"
ACTOR_KEY = "app_actor"

_run_marks = threading.local()  # each script run has its own thread
_first_start_lock = threading.Lock()
_first_start_done: weakref.WeakSet[Store] = weakref.WeakSet()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(database: str) -> Store:
    # One connection per process and workspace; sessions take cursors from it.
    return Store.open(database)


def get_store() -> Store:
    """The workspace store; on the very first start of a new workspace, fills the demo market."""
    store = _open_store(config.database())
    if store.created and store not in _first_start_done:
        with _first_start_lock:
            if store not in _first_start_done:
                if config.get_flag("VANTAGE_DEMO") and demo.is_empty(store):
                    with st.spinner(tr("app.creating_demo")):
                        demo.build_demo(store, seed=config.get_int("VANTAGE_DEMO_SEED"), actor="demo")
                _first_start_done.add(store)
    return store


def mark_routed() -> None:
    """Called by app.py: this script run goes through the app's navigation."""
    _run_marks.routed = True


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


def actor() -> str:
    """Who is making changes in this browser session (the sidebar name, else the default)."""
    name = str(st.session_state.get(ACTOR_STATE, "")).strip()
    return name or config.get("VANTAGE_ACTOR")


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
        st.text_input(
            tr("sidebar.actor"),
            key=ACTOR_KEY,
            on_change=_keep,
            args=(ACTOR_KEY, ACTOR_STATE),
            help=tr("sidebar.actor_help"),
            max_chars=80,
            placeholder=config.get("VANTAGE_ACTOR"),
        )
