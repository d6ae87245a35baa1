"""The app's context for pages and views, one import for the jobs kept in their own modules.

- research/ui/workspace.py: the workspace store (one per process), the demo on a first start;
- research/ui/session.py: the session's language, `tr` and `option_labels` in it;
- research/ui/identity.py: who acts (`actor`, `principal`) and what they may do (`can`, `refuse_unless`);
- research/ui/gate.py: the sign-in screens app.py draws before any page;
- research/ui/routing.py: the mark of a run that app.py's navigation routed;
- research/ui/sidebar.py: the sidebar every page draws.
"""

from __future__ import annotations

from research.ui.gate import gate
from research.ui.identity import (
    actor,
    auth_mode,
    can,
    presenting,
    principal,
    refuse_unless,
    secrets_dict,
    sign_out,
    vantage_secrets,
)
from research.ui.routing import mark_routed, take_routed_mark
from research.ui.session import ACTOR_STATE, LANG_STATE, init_session, lang, option_labels, option_names, tr
from research.ui.sidebar import sidebar
from research.ui.workspace import get_store, prepare_query_snapshot

__all__ = [
    "ACTOR_STATE", "LANG_STATE", "actor", "auth_mode", "can", "gate", "get_store", "init_session", "lang",
    "mark_routed", "option_labels", "option_names", "prepare_query_snapshot", "presenting", "principal", "refuse_unless",
    "secrets_dict", "sidebar", "sign_out", "take_routed_mark", "tr", "vantage_secrets",
]
