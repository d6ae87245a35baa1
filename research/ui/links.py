"""The Data page's link between a dataset and accounts (research.data.links): its columns as account fields."""

from __future__ import annotations

import streamlit as st

from research.data import datasets, fields, links
from research.i18n import fmt_number
from research.store import Store
from research.ui.context import actor, can, lang, tr
from research.ui.actions import Notice, attempt

_NOTICE = Notice("data_links_flash")
_FORM = "data_link_"  # every widget of the section: a done change draws them afresh


def links_section(store: Store) -> None:
    """Existing links with refresh and unlink, and a form that links a dataset by a key column."""
    st.subheader(tr("data.links.title"))
    _NOTICE.show()
    st.caption(tr("data.links.help"))
    existing = links.list_links(store)
    language = lang()
    for link in existing:
        name = link.dataset.removeprefix(datasets.PREFIX)
        copied = ", ".join(f"{source} → {field}" for source, field in link.columns)
        st.markdown(tr("data.links.row", dataset=name, column=link.dataset_key, account_key=link.account_key,
                       columns=copied, matched=fmt_number(link.matched or 0, language),
                       unmatched=fmt_number(link.unmatched or 0, language)))
        if can("import") and not store.read_only:
            with st.container(horizontal=True):  # buttons as wide as their labels, in either language
                refreshing = st.button(tr("data.links.refresh"), key=f"data_link_refresh_{name}")
                unlinking = st.button(tr("data.links.unlink"), key=f"data_link_unlink_{name}")
            if refreshing:
                attempt(lambda: links.refresh_link(store, actor(), name),
                        lambda done: tr("data.links.refreshed", dataset=name,
                                        matched=fmt_number(done.matched or 0, language)),
                        notice=_NOTICE, forget=(_FORM,))
            if unlinking:
                attempt(lambda: links.unlink_dataset(store, actor(), name),
                        lambda _: tr("data.links.unlinked", dataset=name), notice=_NOTICE, forget=(_FORM,))
    linked = {link.dataset for link in existing}
    candidates = [t for t in datasets.list_datasets(store)["table_name"] if t not in linked]
    if not candidates or not can("import") or store.read_only:
        return
    table = st.selectbox(tr("data.links.dataset"), candidates, key="data_link_dataset",
                         format_func=lambda t: t.removeprefix(datasets.PREFIX))
    columns = fields.table_columns(store, table)
    custom = [f.name for f in fields.list_fields(store, "accounts")]
    with st.form("data_link_form", border=False):
        left, right = st.columns(2)
        key = left.selectbox(tr("data.links.key"), columns, key="data_link_key")
        account_key = right.selectbox(tr("data.links.account_key"), [*links.ACCOUNT_KEYS, *custom], index=2,
                                      key="data_link_account_key")
        chosen = st.multiselect(tr("data.links.columns"), columns, key="data_link_columns",
                                help=tr("data.links.columns_help"))
        submitted = st.form_submit_button(tr("data.links.go"), type="primary")
    if submitted:
        attempt(lambda: links.link_dataset(store, actor(), table, key=key, account_key=account_key,
                                           columns=[c for c in chosen if c != key] or None),
                lambda done: tr("data.links.done", dataset=done.dataset.removeprefix(datasets.PREFIX),
                                fields=", ".join(f for _, f in done.columns),
                                matched=fmt_number(done.matched or 0, language),
                                unmatched=fmt_number(done.unmatched or 0, language)),
                notice=_NOTICE, forget=(_FORM,))

