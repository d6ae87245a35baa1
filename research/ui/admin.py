"""The Admin page's views: who has which role (secrets and the workspace table) and what each role may do."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from research.access import ACTIONS, ROLES
from research.access import roles as access_roles
from research.errors import ValidationError, VantageError
from research.i18n import keyed_error
from research.permissions import normalize_pattern
from research.store import Store
from research.ui.actions import Notice, attempt
from research.ui.context import actor, auth_mode, option_labels, tr, vantage_secrets
from research.ui.widgets import show_error

NOTICE = Notice("admin_flash")


def mode_note() -> None:
    mode = auth_mode()
    if mode == "local":
        st.info(tr("admin.mode.local", doc="docs/ACCESS.md"), icon=":material/person:")
    else:
        st.info(tr(f"admin.mode.{mode}", domain="@example.com"), icon=":material/badge:")
    NOTICE.show()


def actions_table() -> None:
    st.subheader(tr("admin.actions"))
    st.dataframe(
        pd.DataFrame({
            tr("admin.col.action"): [tr(f"access.action.{a}") for a in ACTIONS],
            tr("admin.col.least_role"): [tr(f"access.role.{r}") for r in ACTIONS.values()],
        }),
        hide_index=True, key="admin_actions",
    )


def _rules_frame(rules: Sequence[tuple[str, str]], notes: Sequence[str | None] | None = None) -> pd.DataFrame:
    frame = {tr("admin.col.pattern"): [p for p, _ in rules], tr("admin.col.role"): [tr(f"access.role.{r}") for _, r in rules]}
    if notes is not None:
        frame[tr("admin.col.note")] = [n or "" for n in notes]
    return pd.DataFrame(frame)


def _check_pattern(pattern: str) -> None:
    """Refuse a malformed address rule in the viewer's language; the rule itself stays in research.permissions."""
    try:
        normalize_pattern(pattern)
    except ValidationError:
        raise keyed_error(ValidationError, "admin.error.pattern", pattern=(pattern or "").strip()[:200],
                          person="ana@example.com", domain="@example.com") from None


def assignments(store: Store) -> None:
    found = access_roles.list_assignments(store, actor())
    st.subheader(tr("admin.table"))
    if found:
        st.dataframe(_rules_frame([(a.pattern, a.role) for a in found], [a.note for a in found]),
                     hide_index=True, key="admin_table")
    else:
        st.caption(tr("admin.table_empty"))
    st.subheader(tr("admin.secrets"))
    try:
        rules = access_roles.secrets_rules_table(vantage_secrets().get("roles"))
    except VantageError as error:
        show_error(error)
        rules = []
    if rules:
        st.dataframe(_rules_frame(rules), hide_index=True, key="admin_secrets")
    else:
        st.caption(tr("admin.secrets_empty"))

    left, right = st.columns(2)
    with left.form("admin_assign", clear_on_submit=True):
        st.markdown(f"**{tr('admin.assign')}**")
        pattern = st.text_input(tr("admin.pattern"), key="admin_pattern", max_chars=200,
                                help=tr("admin.pattern_help", person="ana@example.com", domain="@example.com"))
        role = st.selectbox(tr("admin.role"), ROLES, format_func=option_labels("access.role"), key="admin_role")
        note = st.text_input(tr("admin.note"), key="admin_note", max_chars=200)
        if st.form_submit_button(tr("admin.save"), type="primary", key="admin_save"):
            def assign() -> access_roles.Assignment:
                _check_pattern(pattern)
                return access_roles.assign_role(store, actor(), pattern, role, note=note)
            attempt(assign, lambda saved: tr("admin.saved", pattern=saved.pattern, role=tr(f"access.role.{saved.role}")),
                    notice=NOTICE)
    if found:
        with right.form("admin_remove"):
            st.markdown(f"**{tr('admin.remove')}**")
            by_id = {a.id: a for a in found}
            roles = {r: tr(f"access.role.{r}") for r in ROLES}  # bound now: AppTest formats outside the run
            picked = st.selectbox(tr("admin.remove_pick"), list(by_id), key="admin_remove_pick",
                                  format_func=lambda i: f"{by_id[i].pattern} ({roles[by_id[i].role]})")
            if st.form_submit_button(tr("admin.remove_button"), key="admin_remove_button"):
                attempt(lambda: access_roles.remove_assignment(store, actor(), picked, expected_version=by_id[picked].version),
                        tr("admin.removed", pattern=by_id[picked].pattern), notice=NOTICE)
