"""The Data page's Fields view: the custom fields of accounts, companies and products.

Lists each field (column name, kind, names in both languages, choices, how many rows hold
a value); editors add one (a form), rename one (column, names, choices) and remove one
after a step that names its uses and the values that go with it. Every change goes
through research.data.fields, which checks it and records it in the audit log; viewers
and read-only workspaces see the list only. Widget keys start with `data_fields_`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from research.data import entities, fields, grid
from research.errors import ValidationError
from research.i18n import fmt_number
from research.store import Store
from research.ui.context import actor, can, lang, option_labels, option_names, tr
from research.ui.text import escape_markdown
from research.ui.actions import Notice, attempt
from research.ui.widgets import show_error

_NOTICE = Notice("data_fields_flash")
_ADD = "data_fields_add_"
_CHANGE = "data_fields_change_"
_REMOVE = "data_fields_remove_"


def split_choices(text: str) -> list[str]:
    """The choices typed in one box, comma-separated ("Gold, Silver, Bronze")."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def fields_view(store: Store) -> None:
    _NOTICE.show()
    st.caption(tr("data.fields.help"))
    name = st.selectbox(tr("data.entity"), list(fields.ENTITIES), format_func=option_labels("data.entity"),
                        key="data_fields_entity")
    entity = entities.get_entity(name)
    defined = fields.list_fields(store, name)
    counts = grid.filled_counts(store, entity, [f.name for f in defined])
    _field_table(defined, counts)
    if store.read_only or not can("write"):
        st.caption(tr("data.fields.read_only"))
        return
    _add_form(store, name)
    if defined:
        _change_form(store, name, defined)
        _remove_step(store, name, defined, counts)


def _field_table(defined: list[fields.CustomField], counts: dict[str, int]) -> None:
    if not defined:
        st.info(tr("data.fields.none"), icon=":material/view_column:")
        return
    kinds = option_labels("data.fields.kind")
    frame = pd.DataFrame({
        tr("data.fields.col.name"): [f.name for f in defined],
        tr("data.fields.col.kind"): [kinds(f.kind) for f in defined],
        tr("data.fields.col.label_en"): [f.label_en for f in defined],
        tr("data.fields.col.label_sr"): [f.label_sr for f in defined],
        tr("data.fields.col.choices"): [", ".join(f.choices) for f in defined],
        tr("data.fields.col.rows"): [counts.get(f.name, 0) for f in defined],
    })
    st.dataframe(frame, hide_index=True, key="data_fields_table")


def _add_form(store: Store, entity: str) -> None:
    st.subheader(tr("data.fields.add"))
    with st.form(f"{_ADD}form", border=True):
        cols = st.columns(2)
        name = cols[0].text_input(tr("data.fields.name"), key=f"{_ADD}name", max_chars=63,
                                  help=tr("data.fields.name_help", example="fortune_rank"))
        kind = cols[1].selectbox(tr("data.fields.kind"), list(fields.KINDS), format_func=option_labels("data.fields.kind"),
                                 key=f"{_ADD}kind")
        cols = st.columns(2)
        label_en = cols[0].text_input(tr("data.fields.label_en"), key=f"{_ADD}label_en", max_chars=fields.MAX_LABEL,
                                      help=tr("data.fields.label_help"))
        label_sr = cols[1].text_input(tr("data.fields.label_sr"), key=f"{_ADD}label_sr", max_chars=fields.MAX_LABEL,
                                      help=tr("data.fields.label_help"))
        choices = st.text_input(tr("data.fields.choices"), key=f"{_ADD}choices",
                                help=tr("data.fields.choices_help", example="Gold, Silver, Bronze"))
        submitted = st.form_submit_button(tr("data.fields.add_submit"), type="primary", key=f"{_ADD}submit")
    if not submitted:
        return
    if kind != "choice" and split_choices(choices):
        show_error(ValidationError(tr("data.fields.choices_only")))
        return
    attempt(lambda: fields.add_field(store, actor(), entity, name, kind, label_en=label_en or None,
                                     label_sr=label_sr or None, choices=split_choices(choices) or None),
            lambda added: tr("data.fields.added", name=escape_markdown(added.name)), notice=_NOTICE, forget=(_ADD,))


def _picker(label: str, key: str, defined: list[fields.CustomField]) -> str:
    language = lang()
    shown = {"": tr("data.fields.pick_none")} | {f.name: f"{f.label(language)} ({f.name})" for f in defined}
    return st.selectbox(label, list(shown), format_func=option_names(shown), key=key)


def _change_form(store: Store, entity: str, defined: list[fields.CustomField]) -> None:
    st.subheader(tr("data.fields.change"))
    st.caption(tr("data.fields.change_help"))
    name = _picker(tr("data.fields.pick"), f"{_CHANGE}pick", defined)
    if not name:
        return
    field = next(f for f in defined if f.name == name)
    # Keys carry the entity and field, so another field's form starts from its own values.
    prefix = f"{_CHANGE}{entity}_{name}_"
    with st.form(f"{prefix}form", border=True):
        cols = st.columns(3)
        new_name = cols[0].text_input(tr("data.fields.name"), value=field.name, key=f"{prefix}name", max_chars=63,
                                      help=tr("data.fields.name_help", example="fortune_rank"))
        label_en = cols[1].text_input(tr("data.fields.label_en"), value=field.label_en, key=f"{prefix}label_en",
                                      max_chars=fields.MAX_LABEL)
        label_sr = cols[2].text_input(tr("data.fields.label_sr"), value=field.label_sr, key=f"{prefix}label_sr",
                                      max_chars=fields.MAX_LABEL)
        choices = None
        if field.kind == "choice":
            choices = st.text_input(tr("data.fields.choices"), value=", ".join(field.choices), key=f"{prefix}choices",
                                    help=tr("data.fields.choices_help", example="Gold, Silver, Bronze"))
        submitted = st.form_submit_button(tr("data.fields.change_submit"), type="primary", key=f"{prefix}submit")
    if not submitted:
        return
    new_choices = split_choices(choices) if choices is not None else None
    attempt(lambda: fields.rename_field(
        store, actor(), entity, name, new_name=new_name if new_name.strip() != name else None,
        label_en=label_en if label_en != field.label_en else None,
        label_sr=label_sr if label_sr != field.label_sr else None,
        choices=new_choices if new_choices is not None and tuple(new_choices) != field.choices else None),
        lambda changed: tr("data.fields.changed", name=escape_markdown(changed.name)), notice=_NOTICE,
        forget=(_CHANGE, _REMOVE))


def _remove_step(store: Store, entity: str, defined: list[fields.CustomField], counts: dict[str, int]) -> None:
    """Remove a field only after its uses and the values that go with it are shown and confirmed."""
    st.subheader(tr("data.fields.remove"))
    name = _picker(tr("data.fields.pick"), f"{_REMOVE}pick", defined)
    if not name:
        return
    held = counts.get(name, 0)
    st.warning(tr("data.fields.remove_rows", rows=fmt_number(held, lang()), name=escape_markdown(name)), icon=":material/warning:")
    uses = fields.field_uses(store, entity, name)
    if uses:
        # Saved names are user text: escaped, never read as markdown.
        st.markdown(tr("data.fields.remove_uses") + "\n" + "\n".join(f"- {escape_markdown(use)}" for use in uses))
    else:
        st.caption(tr("data.fields.remove_unused"))
    confirmed = st.checkbox(tr("data.fields.remove_confirm", name=escape_markdown(name)), key=f"{_REMOVE}{entity}_{name}_confirm")
    if st.button(tr("data.fields.remove_go"), key=f"{_REMOVE}go", disabled=not confirmed, icon=":material/delete:"):
        attempt(lambda: fields.remove_field(store, actor(), entity, name, confirmed=True),
                lambda removed: tr("data.fields.removed", name=escape_markdown(name), rows=fmt_number(removed, lang())),
                notice=_NOTICE, forget=(_REMOVE, _CHANGE))
