"""Views of the Data page: grid editor, import wizard, datasets, change log with undo, backup download.

Each view lays out widgets and calls research.data; slow work (checking a file,
importing, exporting, backing up) runs behind a button. Widget keys start with `data_`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import streamlit as st

from research.data import (
    backup,
    datasets,
    entities,
    export,
    fields,
    grid,
    imports,
    labels,
    mapping,
    reading,
    undo,
)
from research.data import reasons as deal_reasons
from research.errors import VantageError
from research.i18n import MESSAGES, country_name, fmt_bytes, fmt_datetime, fmt_number, t
from research.store import Store
from research.ui.actions import Notice, save_grid_edits
from research.ui.cache import by_tables
from research.ui.context import actor, can, lang, option_labels, tr
from research.ui.links import links_section
from research.ui.widgets import show_error

GRID_KEY = "data_grid"
_PLAN = "data_plan"
NOTICE = Notice("data_flash")  # after a save, an import or an undo the page reloads its rows
_PAGE = "data_grid_page"
_DRAFT = "data_grid_draft"  # grid.Draft: the edits of a refused save, kept for fixing in place
_CONFIRM_DELETE = "data_confirm_delete"
_GRID_STATE = (GRID_KEY, _DRAFT, _CONFIRM_DELETE, _PAGE)  # the editor's state; the loaded page last
PROBLEMS_COLUMN = "__problems__"  # the grid's read-only column of a refused save's messages
# A refused row's read-only cells (Styler colours reach only those in an editor).
_REFUSED_STYLE = "background-color: #fdecea; color: #8a1c1c"


def _or(label_key: str):
    """Options with "" meaning none (all / not imported), language bound as in `_labels`."""
    empty = tr(label_key)
    return lambda value: value or empty


def field_label(name: str, required: bool = False) -> str:
    label = tr(f"data.field.{name}")
    return tr("data.required_mark", field=label) if required else label


def entity_picker(key: str, store: Store | None = None) -> entities.Entity:
    """The chosen table's schema; with `store`, its custom fields included (`fields.entity_for`)."""
    name = st.selectbox(tr("data.entity"), list(entities.ENTITIES), format_func=option_labels("data.entity"), key=key)
    return fields.entity_for(store, name) if store is not None else entities.get_entity(name)


def column_label(entity: entities.Entity, column: str) -> str:
    """A problem's column for people: a field by its label, anything else (a key of several columns) as named."""
    if column in entity.field_names:
        f = entity.field(column)
        return f.label(lang()) if f.custom else field_label(column)
    return tr(f"data.field.{column}") if f"data.field.{column}" in MESSAGES else column


def _problems_table(entity: entities.Entity, problems: list[entities.Problem]) -> None:
    """A file's problems by line, field, value and reason, in the viewer's language."""
    language = lang()
    items = sorted(problems, key=lambda p: (p.row, p.column))[:1000]
    frame = pd.DataFrame(
        [(p.row, column_label(entity, p.column), p.value[:80], entities.problem_text(p, language)) for p in items],
        columns=[tr("data.col.row"), tr("data.col.column"), tr("data.col.value"), tr("data.col.reason")])
    st.dataframe(frame, hide_index=True, key=f"data_problems_{len(problems)}")


def problem_note(entity: entities.Entity, problems: list[entities.Problem]) -> str:
    """One row's problems as its Problems cell: "Employees (-7): cannot be negative (0 or more)"."""
    language = lang()
    notes = []
    for p in sorted(problems, key=lambda p: entity.field_names.index(p.column) if p.column in entity.field_names else -1):
        value = f" ({p.value[:40]})" if p.value else ""
        notes.append(f"{column_label(entity, p.column)}{value}: {entities.problem_text(p, language)}")
    return "; ".join(notes)


def _column_config(entity: entities.Entity, refs: dict[str, list[str]],
                   names: dict[str, dict[str, str]], reasons_help: str = "") -> dict[str, Any]:
    """The editor's columns, headed by their labels; coded fields offer their names (`names`, from
    `grid.choice_labels`). Number columns carry no min/max/step: the browser's number editor drops
    the minus sign of "-7" when the minimum is 0 and clamps values past the maximum, silently; the
    save checks the bounds instead and says what is wrong next to the row. A deal's reasons are one
    text cell ("Price; Lead time", `reasons_help` lists them); a reference to a table too large to
    list (a deal's account) takes a name or id as text."""
    config: dict[str, Any] = {c: st.column_config.Column(field_label(c), disabled=True)
                              for c in grid.bookkeeping_columns(entity)}
    language = lang()
    for f in entity.fields:
        # A custom field is named by the workspace in both languages; built-in ones by the catalog.
        label = f.label(language) if f.custom else field_label(f.name, f.required)
        if f.name in names:
            config[f.name] = st.column_config.SelectboxColumn(label, options=list(names[f.name].values()))
        elif f.kind in ("int", "decimal"):
            config[f.name] = st.column_config.NumberColumn(label)
        elif f.kind == "percent":  # stored in points: 12.5 is 12.5 %
            config[f.name] = st.column_config.NumberColumn(label, format="%.2f %%")
        elif f.kind == "date":
            config[f.name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif f.kind == "timestamp":
            config[f.name] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif f.kind == "bool":
            config[f.name] = st.column_config.CheckboxColumn(label)
        elif f.kind == "choice":
            config[f.name] = st.column_config.SelectboxColumn(label, options=list(f.choices))
        elif f.kind == "country":
            config[f.name] = st.column_config.SelectboxColumn(label, options=sorted(entities.COUNTRY_CODES))
        elif f.kind == "ref" and f.name in refs:
            config[f.name] = st.column_config.SelectboxColumn(label, options=refs[f.name])
        elif f.kind == "reasons":
            config[f.name] = st.column_config.TextColumn(label, help=reasons_help or None, width="medium")
        else:
            config[f.name] = st.column_config.TextColumn(label, max_chars=f.max_length)
    return config


def _filter_format(name: str, names: dict[str, dict[str, str]], domain: labels.Labels) -> Callable[[str], str]:
    """A filter's options by name: codes by their labels, countries by their names, regions in the
    viewer's language (value_labels); "" as "(all)". The stored value stays the option."""
    empty, language = tr("data.filter.any"), lang()
    coded = names.get(name, {})

    def shown(value: str) -> str:
        if not value:
            return empty
        if value in coded:
            return coded[value]
        if name in ("country", "hq_country"):
            return country_name(value, language)
        return domain("region", value) if name == "region" else value

    return shown


def _clear_grid(*, page: bool = True) -> None:
    """Forget the editor's state and any refused draft (and the loaded page, so it is read again)."""
    for key in _GRID_STATE if page else _GRID_STATE[:-1]:
        st.session_state.pop(key, None)


def _highlighted(frame: pd.DataFrame, refused: set[int], columns: list[str]) -> Any:
    """The refused rows' read-only cells coloured (an editor styles only cells nobody can edit)."""
    def paint(row: pd.Series) -> list[str]:
        return [_REFUSED_STYLE if row.name in refused and c in columns else "" for c in row.index]

    return frame.style.apply(paint, axis=1)


@by_tables("accounts", "companies")  # the tables with pick-list filters (built-in fields only)
def _filter_options(store: Store, entity: str, region: str) -> dict[str, list[str]]:
    """`grid.filter_options`, kept until the table changes: at 5 M accounts each pick list is a scan."""
    return grid.filter_options(store, entities.get_entity(entity), {"region": region})


def edit_view(store: Store) -> None:
    entity = entity_picker("data_entity", store)
    language = lang()
    names = grid.choice_labels(entity, language)
    domain = labels.labels_for(store, language)
    options = _filter_options(store, entity.name, st.session_state.get("data_filter_region") or "")
    cols = st.columns([3, *[2] * len(options), 1])
    search = cols[0].text_input(tr("data.search"), key="data_search", help=tr("data.search_help"))
    filters: dict[str, str] = {}
    for col, (name, values) in zip(cols[1:], options.items()):
        chosen = col.selectbox(tr(f"data.filter.{name}"), ["", *values], format_func=_filter_format(name, names, domain),
                               key=f"data_filter_{name}")
        if chosen:
            filters[name] = chosen
    page_no = int(cols[-1].number_input(tr("data.page"), min_value=1, value=1, step=1, key="data_page"))
    # The field list is part of it: a field added or renamed meanwhile reloads the rows.
    signature = (entity.name, tuple(entity.field_names), search, tuple(sorted(filters.items())), page_no)
    held = st.session_state.get(_PAGE)
    if held is None or held[0] != signature:
        # Another slice of the table: edits made against the previous rows no longer apply.
        _clear_grid(page=False)
    state = st.session_state.get(GRID_KEY) or {}
    draft: grid.Draft | None = st.session_state.get(_DRAFT)
    if held is not None and held[0] == signature and (
            draft is not None or any(state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))):
        # While edits are pending the rows stay as loaded: their versions are what the
        # save checks, so a row someone else changed meanwhile is refused, not overwritten.
        page = held[1]
    else:
        page = grid.load_page(store, entity, search=search, filters=filters, page=page_no)
        st.session_state[_PAGE] = (signature, page)
        draft = None
    rows, origin = (draft.rows, draft.origin) if draft is not None else (page.frame, tuple(range(len(page.frame))))
    # A deal's reasons: stored as codes, shown by their names in the viewer's language, read back as codes.
    reason_names, reason_codes = grid.reason_cells(store, entity, language)
    shown = grid.shown_frame(rows, {**names, **reason_names})
    offered = _offered_reasons(store, entity, language)
    config = _column_config(entity, grid.reference_options(store, entity), names,
                            tr("deals.reasons_help", reasons=offered) if offered else "")
    data: Any = shown
    if draft is not None and draft.problems:
        count = sum(len(p) for p in draft.problems.values())
        st.error(tr("data.problems_in_rows", count=fmt_number(count, language),
                    rows=fmt_number(len(draft.problems), language)), icon=":material/error:")
        # "" rather than None for a row without problems: the grid draws a missing text value as "None".
        shown.insert(0, PROBLEMS_COLUMN, [problem_note(entity, draft.problems[i]) if i in draft.problems else ""
                                          for i in range(len(shown))])
        config[PROBLEMS_COLUMN] = st.column_config.TextColumn(tr("data.col.problems"), disabled=True, width="large")
        data = _highlighted(shown, set(draft.problems), [PROBLEMS_COLUMN, *grid.bookkeeping_columns(entity)])
    st.caption(tr("data.page_info", shown=fmt_number(len(page.frame), language), total=fmt_number(page.total, language),
                  page=page.page, pages=page.pages))
    # Empty cells drawn empty, not as Streamlit's faded "None".
    st.data_editor(data, key=GRID_KEY, num_rows="dynamic", hide_index=True, width="stretch", height=460,
                   column_config=config, placeholder="")
    st.caption(tr("data.grid_help"))
    if offered:
        st.caption(tr("deals.reasons_caption", reasons=offered, command="python -m research deal reasons list|add|archive"))
    back: dict[str, Any] = {name: {label: value for value, label in mapped.items()} for name, mapped in names.items()}
    back |= reason_codes
    current, now_origin = grid.apply_edits(rows, origin, st.session_state.get(GRID_KEY), back)
    pending = grid.pending_changes(page.frame, current, now_origin, entity.field_names)
    _save_row(store, entity, page, pending, current, now_origin)


def _offered_reasons(store: Store, entity: entities.Entity, language: str) -> str:
    """The reasons a deal may be given, by their names in `language` ("" for entities without reasons)."""
    if not deal_reasons.link_fields(entity):
        return ""
    named = deal_reasons.offered_names(deal_reasons.list_reasons(store))
    return named.sr if language == "sr" else str(named)


def _save_row(store: Store, entity: entities.Entity, page: grid.GridPage, pending: grid.Pending,
              current: pd.DataFrame, origin: list[int | None]) -> None:
    """What will be saved, the deletion check, and Save / Discard / Export."""
    language = lang()
    if pending.empty:
        st.caption(tr("data.pending_none"))
    else:
        st.info(tr("data.pending", changed=fmt_number(len(pending.edited), language),
                   added=fmt_number(len(pending.added), language), deleted=fmt_number(len(pending.deleted), language)),
                icon=":material/pending_actions:")
    confirmed = bool(pending.deleted) and st.checkbox(
        tr("data.confirm_delete", deleted=fmt_number(len(pending.deleted), language)), key=_CONFIRM_DELETE)
    with st.container(horizontal=True):  # buttons as wide as their labels, in either language
        saving = st.button(tr("data.save"), type="primary", key="data_save", disabled=store.read_only)
        discarding = st.button(tr("data.discard"), key="data_discard")
        if can("export") and st.button(tr("data.export"), key="data_export", help=tr("data.export_help")):
            name = f"{entity.name}.csv"
            st.download_button(tr("data.export_download", name=name),
                               export.export_csv(store, entity, actor=actor(), lang=lang()),
                               file_name=name, mime="text/csv", key="data_export_download")
    if saving:
        if pending.deleted and not confirmed:
            st.warning(tr("data.confirm_delete_first", deleted=fmt_number(len(pending.deleted), language)),
                       icon=":material/delete:")
        else:
            _save(store, entity, page, pending, current, origin)
    if discarding:
        _clear_grid()
        st.rerun()


def _save(store: Store, entity: entities.Entity, page: grid.GridPage, pending: grid.Pending,
          current: pd.DataFrame, origin: list[int | None]) -> None:
    """Save the pending changes as one batch; a refusal keeps the edits and marks the rows it names."""
    def refused(error: VantageError) -> None:
        if not isinstance(error, grid.GridRefused):
            show_error(error)  # a stale row: the edits stay, Discard reloads
            return
        draft = grid.Draft(grid.typed_like(page.frame, current), tuple(origin),
                           grid.problems_by_row(pending, error.problems, len(page.frame)))
        _clear_grid(page=False)
        # The rows as left, with the messages beside them; the editor starts again from them.
        st.session_state[_DRAFT] = draft
        st.rerun()

    def saved(result: grid.SaveResult) -> str | None:
        if result.batch_id is None:
            return None
        return tr("data.saved", batch=result.batch_id, inserted=result.inserted, updated=result.updated,
                  deleted=result.deleted)

    save_grid_edits({} if pending.empty else pending.state,
                    lambda state: grid.save_grid(store, entity, page.frame, state, actor()), saved,
                    notice=NOTICE, editor=_GRID_STATE, nothing=tr("data.nothing_to_save"), refused=refused)


def _read_source(prefix: str) -> tuple[bytes, str] | None:
    source = st.radio(tr("data.source"), ["upload", "paste"], format_func=option_labels("data.source"),
                      horizontal=True, key=f"{prefix}_source")
    if source == "paste":
        text = st.text_area(tr("data.paste"), key=f"{prefix}_paste", height=160)
        return (text.encode("utf-8"), "pasted.csv") if text.strip() else None
    upload = st.file_uploader(tr("data.upload"), type=["csv", "tsv", "txt", "xlsx", "parquet"], key=f"{prefix}_upload")
    return (upload.getvalue(), upload.name) if upload is not None else None


def _encoding_picker(key: str) -> str | None:
    """The encoding chosen over the detected one (None: detect it)."""
    chosen = st.selectbox(tr("data.encoding"), ["", *reading.ENCODINGS], format_func=_or("data.encoding_auto"),
                          key=key, help=tr("data.encoding_help"))
    return chosen or None


def _header_row_picker(key: str) -> int | None:
    """The row chosen to hold the column names (None: found by the reader, `reading.header_index`)."""
    picked = st.number_input(tr("data.header_row"), min_value=1, value=None, step=1,
                             placeholder=tr("data.header_row_auto"), key=key, help=tr("data.header_row_help"))
    return None if picked is None else int(picked)


def read_step(data: bytes, file_name: str, prefix: str) -> reading.RawTable | None:
    """Sheet and encoding choice, what was detected and a preview; None (after saying why) when refused."""
    try:
        sheets = reading.list_sheets(data, file_name)
        sheet = st.selectbox(tr("data.sheet"), sheets, key=f"{prefix}_sheet") if len(sheets) > 1 else None
        text_file = not sheets and reading.sniff_kind(data, file_name) == "csv"
        pasted = st.session_state.get(f"{prefix}_source") == "paste"
        # A wrong guess between Cyrillic and Latin code pages shows in the preview; the
        # user picks the right one here (pasted rows are text already).
        encoding = _encoding_picker(f"{prefix}_encoding") if text_file and not pasted else None
        # A report's title and filters above its table are skipped; this picks another row.
        header_row = _header_row_picker(f"{prefix}_header_row") if text_file or sheets else None
        raw = reading.read_upload(data, file_name, sheet=sheet, encoding=encoding, header_row=header_row)
    except VantageError as error:
        show_error(error)
        return None
    st.caption(tr("data.detected", rows=fmt_number(len(raw.frame), lang()), kind=raw.kind, encoding=raw.encoding or "–",
                  delimiter=repr(raw.delimiter) if raw.delimiter else "–", decimal=repr(raw.decimal),
                  dates=raw.date_format or "–"))
    for note in raw.notes:
        st.caption(getattr(note, "sr", note) if lang() == "sr" else note)  # notes are i18n.Named (reading.py)
    st.dataframe(raw.frame.head(5), hide_index=True, key=f"{prefix}_preview", placeholder="")  # empty, not "None"
    return raw


def _label(entity: entities.Entity, name: str, required: bool = False) -> str:
    """A field's name in the wizard: a custom field's own (in the session's language), a built-in one's from the catalog."""
    if name != "id" and entity.field(name).custom:
        return entity.field(name).label(lang())
    return field_label(name, required)


def _required_in_file(entity: entities.Entity, name: str) -> bool:
    """Whether the wizard marks a field as required: not when the workspace fills it from another
    field (region from the country, `Field.derived_from`)."""
    f = entity.field(name)
    return f.required and not f.derived_from


_MAPPED_COLUMNS = "data_mapped_columns"  # the entity and the columns the mapping picks were made for


def import_view(store: Store) -> None:
    entity = entity_picker("data_import_entity", store)
    source = _read_source("data_import")
    if source is None:
        st.info(tr("data.check_first"))
        return
    data, file_name = source
    raw = read_step(data, file_name, "data_import")
    if raw is None:
        return
    st.subheader(tr("data.mapping"))
    st.caption(tr("data.mapping_help"))
    suggestion = mapping.suggest_for_file(entity, raw, imports.reference_lookups(store, entity))
    suggested = suggestion.mapping
    # Other columns (another file, sheet or header row): their own suggestions, not the picks made for the last ones.
    table = (entity.name, tuple(raw.columns))
    if st.session_state.get(_MAPPED_COLUMNS) != table:
        for key in [k for k in st.session_state if str(k).startswith(f"data_map_{entity.name}_")]:
            del st.session_state[key]
        st.session_state[_MAPPED_COLUMNS] = table
    chosen: dict[str, str] = {}
    names = (["id"] if entity.has_id else []) + entity.field_names
    columns = st.columns(4)
    for i, name in enumerate(names):
        default = suggested.get(name, "")
        options = ["", *raw.columns]
        label = _label(entity, name, name != "id" and _required_in_file(entity, name))
        picked = columns[i % 4].selectbox(label, options, index=options.index(default),
                                          format_func=_or("data.unmapped"),
                                          key=f"data_map_{entity.name}_{name}")
        if picked:
            chosen[name] = picked
    for f in entity.fields:
        if f.derived_from and f.name not in chosen:
            st.caption(tr("data.derived_note", field=_label(entity, f.name), source=_label(entity, f.derived_from)))
    kept, ignored = _unmapped_columns(store, entity, raw, chosen, suggestion.rejected)
    constants = _constants_step(entity, chosen)
    # Kept columns are number fields too: a list in US$ millions needs its profit multiplied as well.
    scales = _scales_step(imports.kept_entity(entity, kept), {**chosen, **{k.name: k.column for k in kept}})
    mode = st.radio(tr("data.mode"), list(imports.MODES), format_func=option_labels("data.mode"),
                    horizontal=True, key="data_import_mode")
    signature = (entity.name, tuple(entity.field_names), raw.sha256, raw.sheet, raw.encoding, raw.header_row,
                 tuple(sorted(chosen.items())), mode, tuple(sorted(constants.items())), tuple(sorted(scales.items())),
                 tuple(kept), tuple(ignored))
    if st.button(tr("data.check"), key="data_check", type="primary"):
        try:
            with st.spinner(tr("data.checking")):
                st.session_state[_PLAN] = (signature, imports.prepare_import(
                    store, entity, raw, chosen, mode, constants=constants, scales=scales, ignored=ignored, kept=kept))
        except VantageError as error:
            show_error(error)
            return
    held = st.session_state.get(_PLAN)
    if not held or held[0] != signature:
        return
    _plan_report(store, held[1])


_KEEP_KINDS = "data_keep_kinds"  # session cache: (file, entity, column) -> kind read from the column
_KEEP_ACTIONS = ("none", "keep", "ignore")


def keep_key(entity_name: str, position: int, part: str) -> str:
    """The widget key of the keep step for the file's column at `position` (`action`, `name` or `kind`)."""
    return f"data_keep_{entity_name}_{position}_{part}"


def _kept_kind(entity: entities.Entity, raw: reading.RawTable, column: str) -> str:
    """The kind read from a column's values, once per file and column (a large file reruns the page often)."""
    cache = st.session_state.setdefault(_KEEP_KINDS, {})
    key = (raw.sha256, raw.sheet, raw.encoding, raw.header_row, entity.name, column)
    if key not in cache:
        if len(cache) > 200:
            cache.clear()
        cache[key] = mapping.kept_kind(raw.frame[column], column, raw.decimal)
    return cache[key]


def _unmapped_columns(store: Store, entity: entities.Entity, raw: reading.RawTable, chosen: dict[str, str],
                      rejected: list[mapping.Rejected]) -> tuple[list[mapping.KeptColumn], list[str]]:
    """Every column of the file is accounted for: mapped, kept as a new custom field (name and kind
    read from it, both editable), ignored on purpose, or listed as not imported; never dropped silently.

    Returns the kept columns and the ones ignored on purpose.
    """
    unmapped = [c for c in raw.columns if c not in chosen.values()]
    if not unmapped:
        st.caption(tr("data.all_columns_mapped"))
        return [], []
    custom = entity.name in fields.ENTITIES
    st.markdown(f"**{tr('data.keep.title')}**")
    st.caption(tr("data.keep.help" if custom else "data.keep.help_no_fields"))
    positions = {c: i for i, c in enumerate(raw.columns)}
    # Before the per-column choices are drawn, so it can set them in this run.
    if custom and st.button(tr("data.keep.all"), key=f"data_keep_all_{entity.name}"):
        for column in unmapped:
            st.session_state[keep_key(entity.name, positions[column], "action")] = "keep"
    actions = _KEEP_ACTIONS if custom else ("none", "ignore")
    action_labels = option_labels("data.keep.action")
    kind_labels = option_labels("data.keep.kind")
    kept: list[mapping.KeptColumn] = []
    ignored: list[str] = []
    undecided: list[str] = []
    for column in unmapped:
        position = positions[column]
        row = st.columns([3, 3, 3, 2])
        row[0].text(column)  # the file's header, shown as typed (never as markdown)
        action = row[1].selectbox(tr("data.keep.action_label"), list(actions), format_func=action_labels,
                                  key=keep_key(entity.name, position, "action"), label_visibility="collapsed")
        if action == "ignore":
            ignored.append(column)
        elif action == "keep":
            kind_guess = _kept_kind(entity, raw, column)
            try:
                guess = mapping.suggest_keep(store, entity, raw, column, kind=kind_guess,
                                             taken=[k.name for k in kept])
            except VantageError as error:
                show_error(error)
                continue
            name = row[2].text_input(tr("data.keep.name"), value=guess.name, max_chars=63,
                                     key=keep_key(entity.name, position, "name"), label_visibility="collapsed")
            kind = row[3].selectbox(tr("data.keep.kind"), list(fields.KINDS), index=fields.KINDS.index(kind_guess),
                                    format_func=kind_labels, key=keep_key(entity.name, position, "kind"),
                                    label_visibility="collapsed")
            choices = mapping.column_choices(raw.frame[column]) if kind == "choice" else ()
            kept.append(mapping.KeptColumn(column, name.strip(), kind, choices=choices))
        else:
            undecided.append(column)
    if undecided:
        st.warning(tr("data.not_imported", columns=", ".join(undecided)),
                   icon=":material/visibility_off:")
    for r in rejected:
        if r.column in undecided:
            st.caption(tr("data.not_guessed", column=r.column, field=_label(entity, r.field),
                          valid=fmt_number(r.valid, lang()), sampled=fmt_number(r.sampled, lang())))
    return kept, ignored


def _constants_step(entity: entities.Entity, chosen: dict[str, str]) -> dict[str, str]:
    """A "same value for every row" input per field no column feeds (checked with the file)."""
    free = [f for f in entity.fields if f.name not in chosen]
    if not free:
        return {}
    st.markdown(f"**{tr('data.constants')}**")
    st.caption(tr("data.constants_help"))
    constants: dict[str, str] = {}
    columns = st.columns(4)
    for i, f in enumerate(free):
        value = columns[i % 4].text_input(_label(entity, f.name, _required_in_file(entity, f.name)),
                                          key=f"data_const_{entity.name}_{f.name}", max_chars=f.max_length or 200)
        if value.strip():
            constants[f.name] = value.strip()
    return constants


_SCALES = (1, 1_000, 1_000_000)


def _scales_step(entity: entities.Entity, chosen: dict[str, str]) -> dict[str, float]:
    """A unit multiplier per mapped or kept number field (a list in US$ millions needs ×1,000,000)."""
    numeric = [n for n in chosen if n != "id" and n in entity.field_names
               and entity.field(n).kind in mapping.NUMERIC_KINDS]
    if not numeric:
        return {}
    st.markdown(f"**{tr('data.scales')}**")
    scales: dict[str, float] = {}
    columns = st.columns(4)
    labels = option_labels("data.scale")
    for i, name in enumerate(numeric):
        factor = columns[i % 4].selectbox(tr("data.scale_label", field=_label(entity, name)), list(_SCALES),
                                          format_func=labels, key=f"data_scale_{entity.name}_{name}")
        if factor != 1:
            scales[name] = float(factor)
    return scales


def _kept_report(plan: imports.ImportPlan) -> None:
    """The columns the import keeps as custom fields: which are new, their kinds and how many values they get."""
    if not plan.kept:
        return
    language = lang()
    kinds = option_labels("data.keep.kind")
    frame = pd.DataFrame([
        (k.column, k.name, kinds(k.kind), tr("data.keep.state.existing" if k.existing else "data.keep.state.new"),
         plan.kept_values(k)) for k in plan.kept],
        columns=[tr("data.col.column"), tr("data.keep.col.field"), tr("data.keep.kind"), tr("data.keep.col.state"),
                 tr("data.keep.col.values")])
    st.info(tr("data.keep.report", new=fmt_number(len(plan.new_fields), language)), icon=":material/add_column_right:")
    st.dataframe(frame, hide_index=True, key="data_kept")


# The reasons research.data.imports.find_duplicates gives, in the catalog (its sentences are fixed).
_DUPLICATE_REASONS = (
    (re.compile(r"same VAT number"), "data.duplicate.same_vat"),
    (re.compile(r"same website"), "data.duplicate.same_website"),
    (re.compile(r"same name as file row (?P<row>\d+)"), "data.duplicate.same_in_file"),
    (re.compile(r"same name"), "data.duplicate.same_name"),
    (re.compile(r"similar name \((?P<score>\d+)%\)"), "data.duplicate.similar"),
)


def duplicate_reason(reason: str, language: str) -> str:
    for pattern, key in _DUPLICATE_REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return t(key, language, **found.groupdict())
    return reason


def duplicates_table(duplicates: pd.DataFrame, language: str) -> pd.DataFrame:
    """Possible duplicates as people read them: the reason in words, "–" where no row of the workspace matched."""
    return pd.DataFrame({
        t("data.col.row", language): duplicates["row"].tolist(),
        t("data.col.name", language): duplicates["name"].tolist(),
        t("data.col.reason", language): [duplicate_reason(str(r), language) for r in duplicates["reason"]],
        t("data.col.existing_id", language): [_whole_or_dash(v) for v in duplicates["existing_id"]],
        t("data.col.existing_name", language): [v if isinstance(v, str) and v else "–"
                                                for v in duplicates["existing_name"]],
    })


def _plan_report(store: Store, plan: imports.ImportPlan) -> None:
    language = lang()
    cols = st.columns(5)
    cols[0].metric(tr("data.kpi.rows"), fmt_number(plan.rows, language))
    cols[1].metric(tr("data.kpi.new"), fmt_number(plan.inserts, language))
    cols[2].metric(tr("data.kpi.updates"), fmt_number(plan.updates, language))
    cols[3].metric(tr("data.kpi.problems"), fmt_number(len(plan.problems), language))
    cols[4].metric(tr("data.kpi.duplicates"), fmt_number(len(plan.duplicates), language))
    if plan.problems:
        st.error(tr("data.problems_file"), icon=":material/error:")
        _problems_table(plan.entity, plan.problems)
        return
    _kept_report(plan)
    for money, (currency, default) in plan.default_currencies.items():
        st.info(tr("data.default_currency", field=_label(plan.entity, money), currency=default or "–",
                   currency_field=_label(plan.entity, currency)), icon=":material/currency_exchange:")
    decision = "refuse"
    if not plan.duplicates.empty:
        st.warning(tr("data.duplicates"), icon=":material/content_copy:")
        st.dataframe(duplicates_table(plan.duplicates, language), hide_index=True, key="data_duplicates")
        decision = st.radio(tr("data.duplicates_decision"), ["skip", "import"],
                            format_func=option_labels("data.duplicates"), horizontal=True, key="data_dup_decision")
    again = False
    if plan.previous and plan.mode == "append":
        prev = plan.previous
        st.warning(tr("data.same_file", actor=prev["actor"], when=fmt_datetime(prev["created_at"], language),
                      batch=prev["batch_id"]), icon=":material/history:")
        again = st.checkbox(tr("data.same_file_again"), key="data_again")
    if st.button(tr("data.import_go", rows=fmt_number(plan.rows, language)), key="data_import_go", type="primary",
                 disabled=store.read_only):
        try:
            with st.spinner(tr("data.importing")):
                result = imports.apply_import(store, plan, actor(), duplicates=decision, again=again)
        except VantageError as error:
            show_error(error)
            return
        st.session_state.pop(_PLAN, None)
        st.success(tr("data.imported", batch=result.batch_id, inserted=fmt_number(result.inserted, language),
                      updated=fmt_number(result.updated, language), skipped=fmt_number(result.skipped, language)),
                   icon=":material/check_circle:")
        if plan.new_fields:
            st.success(tr("data.keep.created", fields=", ".join(k.name for k in plan.new_fields)),
                       icon=":material/add_column_right:")


def dataset_view(store: Store) -> None:
    st.caption(tr("data.dataset_help"))
    name = st.text_input(tr("data.dataset_name"), key="data_ds_name", max_chars=60)
    source = _read_source("data_ds")
    encoding = _encoding_picker("data_ds_encoding") if st.session_state.get("data_ds_source") != "paste" else None
    header_row = _header_row_picker("data_ds_header_row")
    mode = st.radio(tr("data.dataset_mode"), list(datasets.MODES), format_func=option_labels("data.dataset_mode"),
                    horizontal=True, key="data_ds_mode")
    if st.button(tr("data.dataset_go"), key="data_ds_go", type="primary",
                 disabled=not (name and source) or store.read_only) and source is not None:
        data, file_name = source
        try:
            with st.spinner(tr("data.importing")), tempfile.TemporaryDirectory(prefix="vantage-upload-") as tmp:
                if len(data) > reading.max_upload_bytes():
                    reading.read_upload(data, file_name)  # refuses with the size message
                path = os.path.join(tmp, "upload" + os.path.splitext(file_name)[1])
                with open(path, "wb") as handle:
                    handle.write(data)
                result = datasets.import_dataset(store, name, path, actor(), mode=mode, file_name=file_name,
                                                 encoding=encoding, header_row=header_row)
        except VantageError as error:
            show_error(error)
        else:
            st.success(tr("data.dataset_done", table=result.table, rows=fmt_number(result.rows, lang()),
                          columns=", ".join(result.columns), batch=result.batch_id), icon=":material/check_circle:")
    st.subheader(tr("data.datasets"))
    frame = datasets.list_datasets(store)
    if frame.empty:
        st.info(tr("data.no_datasets"))
    else:
        frame.columns = [tr("data.col.table"), tr("data.col.rows"), tr("data.col.columns")]
        st.dataframe(frame, hide_index=True, key="data_ds_table")
        links_section(store)


def _words(listed: Any, describe: Any) -> str:
    """A comma-separated list of codes ("deck_slides, decks") described one by one."""
    if not isinstance(listed, str) or not listed:
        return "–"
    return ", ".join(describe(part.strip()) for part in listed.split(","))


def _whole_or_dash(value: Any) -> str:
    """A batch or row number, "–" for none."""
    return "–" if value is None or pd.isna(value) else str(int(value))


def batches_table(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The change log as people read it: tables and actions in words, times in the locale, "–" for none."""
    def action(code: str) -> str:
        return t(f"action.{code}", language) if f"action.{code}" in MESSAGES else code

    return pd.DataFrame({
        t("data.col.batch", language): [int(b) for b in frame["batch_id"]],
        t("data.col.when", language): [fmt_datetime(v, language) for v in frame["changed_at"]],
        t("data.col.actor", language): [v or "–" for v in frame["actor"]],
        t("data.col.tables", language): [_words(v, lambda name: entities.table_label(name, language))
                                         for v in frame["tables"]],
        t("data.col.rows", language): [fmt_number(int(v), language) for v in frame["rows"]],
        t("data.col.actions", language): [_words(v, action) for v in frame["actions"]],
        t("data.col.file", language): [v if isinstance(v, str) and v else "–" for v in frame["file_name"]],
        t("data.col.undone_by", language): [_whole_or_dash(v) for v in frame["undone_by"]],
    })


def blockers_table(blockers: list[dict[str, Any]], language: str) -> pd.DataFrame:
    """The rows that keep a batch from being undone: table in words, who changed it and when ("–" if unknown)."""
    return pd.DataFrame({
        t("data.col.table", language): [entities.table_label(str(b["table"]), language) for b in blockers],
        t("data.col.row", language): [t("data.blocker.all_rows", language) if b["row_id"] == "*" else str(b["row_id"])
                                      for b in blockers],
        t("data.col.actor", language): [b.get("actor") or "–" for b in blockers],
        t("data.col.when", language): [fmt_datetime(b["changed_at"], language) if b.get("changed_at") else "–"
                                       for b in blockers],
    })


def history_view(store: Store) -> None:
    st.caption(tr("data.history_help"))
    frame = undo.list_batches(store)
    if frame.empty:
        st.info(tr("data.no_batches"))
        return
    shown = batches_table(frame, lang())
    st.dataframe(shown, hide_index=True, key="data_batches")
    left, right = st.columns([1, 2])
    newest = int(cast(int, frame["batch_id"].iat[0]))  # a cell: the stubs type it as any scalar
    batch = int(left.number_input(tr("data.undo_batch"), min_value=1, value=newest, step=1,
                                  key="data_undo_batch"))
    confirmed = right.checkbox(tr("data.undo_confirm"), key="data_undo_confirm")
    if st.button(tr("data.undo_go"), key="data_undo_go", disabled=not confirmed or store.read_only):
        try:
            result = undo.undo_batch(store, batch, actor())
        except undo.UndoBlocked as blocked:
            # The rows are listed below in words, so the sentence needs only the count.
            st.error(tr("data.undo_blocked", batch=batch, count=fmt_number(len(blocked.blockers), lang())),
                     icon=":material/error:")
            st.dataframe(blockers_table(blocked.blockers, lang()), hide_index=True, key="data_blockers")
        except VantageError as error:
            show_error(error)
        else:
            NOTICE.leave(tr("data.undone", batch=result.batch_id, rows=result.reverted, undo=result.undo_batch_id))
            st.rerun()


def backup_view(store: Store) -> None:
    st.caption(tr("data.backup_help"))
    if st.button(tr("data.backup_make"), key="data_backup_make", type="primary"):
        try:
            with st.spinner(tr("data.backup_making")):
                archive = backup.backup_zip(store, actor=actor())
        except VantageError as error:
            show_error(error)
            return
        st.download_button(tr("data.backup_download", size=fmt_bytes(len(archive), lang())), archive,
                           file_name=f"vantage-backup-{datasets.sanitize_identifier(store.name)}.zip",
                           mime="application/zip", key="data_backup_download")
    st.caption(tr("data.backup_restore_hint"))
    st.code("python -m research restore BACKUP_FOLDER --db data/restored.duckdb", language="bash")
