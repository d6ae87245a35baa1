"""The Data page's Names view: industries, regions, categories, … named in English and Serbian.

Pick a kind of value; a grid lists every value the data uses (and every named one) with
its English and Serbian names and how many rows use it. Editors type names and save them
in one audited batch, or load a CSV of names; everyone may download the names as CSV.
The stored values never change: only what screens, slides and reports show. Widget keys
start with `data_labels_`.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from research.data import labels
from research.i18n import fmt_number
from research.store import Store
from research.ui.actions import Notice, attempt, save_grid_edits
from research.ui.context import actor, can, lang, option_labels, tr

_NOTICE = Notice("data_labels_flash")


def labels_view(store: Store) -> None:
    _NOTICE.show()
    st.caption(tr("data.labels.help"))
    domain = st.selectbox(tr("data.labels.domain"), list(labels.DOMAINS),
                          format_func=option_labels("data.labels.domain"), key="data_labels_domain")
    frame = labels.list_labels(store, domain)
    if frame.empty:
        st.info(tr("data.labels.empty"), icon=":material/translate:")
        return
    language = lang()
    missing = int(frame["label_sr"].isna().sum())
    st.caption(tr("data.labels.missing", n=fmt_number(missing, language), total=fmt_number(len(frame), language))
               if missing else tr("data.labels.all_named"))
    editable = not store.read_only and can("write")
    shown = frame.loc[:, ["value", "label_en", "label_sr", "rows"]]
    editor = f"data_labels_grid_{domain}"
    edited = st.data_editor(
        shown, hide_index=True, disabled=not editable or ["value", "rows"], num_rows="fixed", key=editor,
        column_config={
            "value": st.column_config.TextColumn(tr("data.labels.col.value")),
            "label_en": st.column_config.TextColumn(tr("data.labels.col.label_en"), max_chars=labels.LABEL_MAX),
            "label_sr": st.column_config.TextColumn(tr("data.labels.col.label_sr"), max_chars=labels.LABEL_MAX),
            "rows": st.column_config.NumberColumn(tr("data.labels.col.rows"), format="localized"),
        },
    )
    st.download_button(tr("data.labels.download"), labels.to_csv(labels.list_labels(store)).encode("utf-8"),
                       file_name="names.csv", mime="text/csv", icon=":material/download:",
                       key="data_labels_download")
    if not editable:
        st.caption(tr("data.labels.read_only"))
        return
    if st.button(tr("data.labels.save"), type="primary", icon=":material/save:", key="data_labels_save"):
        save_grid_edits(_changed_names(domain, shown, edited), lambda rows: labels.set_labels(store, actor(), rows), _saved,
                        notice=_NOTICE, editor=(editor,), nothing=tr("data.labels.unchanged"))
    upload = st.file_uploader(tr("data.labels.upload"), type=["csv"], help=tr("data.labels.upload_help", columns=", ".join(labels.CSV_COLUMNS)),
                              key="data_labels_upload")
    if upload is not None and st.button(tr("data.labels.upload_save"), key="data_labels_upload_save"):
        data = upload.getvalue()
        attempt(lambda: labels.set_labels(store, actor(), labels.read_csv(data)), _saved, notice=_NOTICE)


def _changed_names(domain: str, before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[object, ...]]:
    """The rows whose names differ from the loaded ones, as (domain, value, label_en, label_sr)."""
    return [
        (domain, value, en, sr)
        for value, en, sr, old_en, old_sr in zip(after["value"], after["label_en"], after["label_sr"],
                                                 before["label_en"], before["label_sr"], strict=True)
        if not (_same(en, old_en) and _same(sr, old_sr))
    ]


def _blank(value: object) -> bool:
    """An empty name: missing (None, NaN, pd.NA) or only spaces."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


def _same(a: object, b: object) -> bool:
    blank_a, blank_b = _blank(a), _blank(b)
    return (blank_a and blank_b) or (not blank_a and not blank_b and str(a).strip() == str(b).strip())


def _saved(count: int) -> str:
    return tr("data.labels.saved", n=fmt_number(count, lang()))
