"""What a browser session carries: its language (and in local mode the actor's name), and `tr` in that language.

Language and actor live in plain session keys (`vantage_lang`, `vantage_actor`)
and are copied into their sidebar widgets on every run (research/ui/sidebar.py): a
widget's own state is dropped when another page renders a widget with the same key,
so the widgets only mirror the durable values (Streamlit's documented pattern for
state that must survive page switches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from research import config
from research.i18n import DEFAULT_LANGUAGE, normalize_language, t

LANG_STATE = "vantage_lang"
ACTOR_STATE = "vantage_actor"


def init_session() -> None:
    """Start a browser session in the language of `?lang=` (else the configured default)."""
    if LANG_STATE not in st.session_state:
        wanted = st.query_params.get("lang") or config.LANG.value() or DEFAULT_LANGUAGE
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


def option_names(names: Mapping[Any, str]) -> Callable[[Any], str]:
    """A format_func: each option by its name in `names` (built before the widget; an option without one as itself)."""
    return lambda option: names.get(option, str(option))
