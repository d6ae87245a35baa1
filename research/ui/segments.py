"""Views of the Segments page: rule builder, profile and comparison, clusters, sizing, matrix, prospects, export.

Each view is one function the page calls for the sub-view chosen; they hold the
widgets and the display shaping, and call research.segments for every figure.
The rule being built lives in a plain session key (`segments_groups`), mirrored
into the builder's widgets, so it survives switching views.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pandas as pd
import streamlit as st

from research.charts import segments as charts
from research.charts.market import share_by_segment_chart
from research.data.fields import list_fields
from research.data.labels import Labels, labels_for
from research.errors import ValidationError, VantageError
from research.exports import MIME, chart_bytes, safe_filename
from research.i18n import MESSAGES, country_name, error_text, fmt_money_round, fmt_number, fmt_percent
from research.market import company_label
from research.segments import (
    attractiveness,
    clustering,
    export,
    profile,
    prospects,
    saved,
    sizing,
)
from research.segments import bands as segment_bands
from research.segments.rules import (
    Compiled,
    RuleField,
    compile_rule,
    custom_columns,
    dnf_groups,
    fields_of,
    rule_from_groups,
)
from research.store import Store
from research.ui.actions import Notice
from research.ui.cache import by_data_version, by_tables
from research.ui.context import actor, can, lang, refuse_unless, tr
from research.ui.deck_button import add_to_deck
from research.ui.widgets import altair, show_error

GROUPS = "segments_groups"  # durable: list of groups, each a dict field -> value(s)
EDITING = "segments_editing"  # id of the saved segment loaded into the builder, or None
PENDING = "segments_pending_save"
CLUSTER_RESULT = "segments_cluster_result"
BUILDER_FIELDS = ("region", "country", "industry", "employee_band", "revenue_band", "status", "owner", "supplier")
RANGE_FIELDS = ("employees", "revenue_eur")
# A group's custom fields: the picked names under CUSTOM, each one's condition (without "field")
# under "cf:<name>"; widget keys use ":" too, which no field name contains.
CUSTOM = "cf"
CURRENT = -1  # the "rule being built" option in segment pickers



def png_download(chart: Any, key: str, stem: str) -> None:
    """A chart image for slides: rendered on request (vl-convert takes a moment), then offered.

    The bytes live in session state under `key`, with the chart they were drawn from, so a
    changed chart (another segment, other weights) never offers a stale image.
    """
    spec = hashlib.sha256(chart.to_json(validate=False).encode("utf-8")).hexdigest()
    if st.button(tr("segments.chart.png"), key=f"{key}_prepare", icon=":material/image:"):
        st.session_state[key], st.session_state[f"{key}_spec"] = chart_bytes(chart, "png"), spec
    if st.session_state.get(key) and st.session_state.get(f"{key}_spec") == spec:
        st.download_button(tr("segments.chart.png_save"), st.session_state[key], safe_filename(stem, "png"),
                           MIME["png"], key=f"{key}_download", icon=":material/download:")

# ---- shared ------------------------------------------------------------------------------


def value_label(store: Store, field: str, value: Any, fields: dict[str, RuleField] | None = None,
                labels: Labels | None = None) -> str:
    """A builder value as the viewer reads it; `labels` (labels_for) names industries and regions."""
    language = lang()
    rule_field = (fields or {}).get(field)
    if rule_field is not None and rule_field.bands is not None:
        return rule_field.bands.label(value, language)  # the workspace's bands, with their ranges
    if isinstance(value, bool):
        return tr("segments.value.yes" if value else "segments.value.no")
    if field == "country":
        return f"{country_name(value, language)} ({value})"
    if field in ("employee_band", "revenue_band"):
        return tr(f"segments.band.{value}")
    if field == "status":
        return tr(f"status.{value}") if f"status.{value}" in MESSAGES else str(value)
    if field in ("industry", "region") and labels is not None:
        return labels(field, value)
    if field == "owner":
        return value or tr("segments.no_owner")
    if field == "supplier":
        names = company_names(store)
        if value == 0 or value not in names:
            return tr("segments.no_supplier")
        return company_label(*names[value], language)
    return str(value)


# The builder's pick lists, read once until accounts or companies change (5 M accounts: 0.2 s, then nothing).
field_values = by_tables("accounts", "companies")(profile.field_values)
company_names = by_tables("companies")(profile.company_names)


def current_rule() -> dict[str, Any]:
    return rule_from_groups([_group_conditions(g) for g in st.session_state.get(GROUPS, [{}])])


def _group_conditions(group: dict[str, Any]) -> list[dict[str, Any]]:
    conditions: list[dict[str, Any]] = []
    for field in BUILDER_FIELDS:
        if group.get(field):
            conditions.append({"field": field, "in": list(group[field])})
    for field in RANGE_FIELDS:
        low, high = group.get(f"{field}_min"), group.get(f"{field}_max")
        if low is not None or high is not None:
            conditions.append({"field": field, "min": low, "max": high})
    for field in group.get(CUSTOM, []):
        picked = group.get(f"{CUSTOM}:{field}") or {}
        if picked.get("in"):
            conditions.append({"field": field, "in": list(picked["in"])})
        elif picked.get("min") is not None or picked.get("max") is not None:
            conditions.append({"field": field, "min": picked.get("min"), "max": picked.get("max")})
    return conditions


def _groups_from_rule(rule: dict[str, Any], custom: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]] | None:
    dnf = dnf_groups(rule)
    if dnf is None:
        return None
    groups = []
    for conditions in dnf:
        group: dict[str, Any] = {}
        for c in conditions:
            if c["field"] in BUILDER_FIELDS and "in" in c and "not_in" not in c:
                group[c["field"]] = list(c["in"])
            elif c["field"] in RANGE_FIELDS:
                group[f"{c['field']}_min"], group[f"{c['field']}_max"] = c.get("min"), c.get("max")
            elif c["field"] in custom and c["field"] not in group.get(CUSTOM, []) and "not_in" not in c:
                group.setdefault(CUSTOM, []).append(c["field"])
                group[f"{CUSTOM}:{c['field']}"] = (
                    {"in": list(c["in"])} if "in" in c else {"min": c.get("min"), "max": c.get("max")})
            else:
                return None
        groups.append(group)
    return groups or [{}]


def _widget_key(i: int, name: str) -> str:
    return f"segments_g{i}_{name}"


def _load_into_builder(store: Store) -> None:
    """on_change of the "start from" picker: copy the saved rule into the durable groups and the widgets."""
    choice = st.session_state.get("segments_load")
    for key in [k for k in st.session_state if str(k).startswith("segments_g")]:
        del st.session_state[key]
    if choice in (None, CURRENT):
        st.session_state[GROUPS], st.session_state[EDITING] = [{}], None
        return
    segment = saved.get_segment(store, int(choice))
    st.session_state[EDITING] = segment.id
    st.session_state["segments_name"] = segment.name
    st.session_state["segments_description"] = segment.description
    st.session_state["segments_colour"] = segment.colour
    groups = _groups_from_rule(segment.definition, set(custom_columns(store))) if segment.kind == "rule" else None
    st.session_state[GROUPS] = groups or [{}]


def segment_choices(store: Store, *, with_current: bool) -> tuple[list[int], dict[int, str]]:
    segments = saved.list_segments(store)
    labels = {s.id: s.name for s in segments}
    options = [s.id for s in segments]
    if with_current:
        labels[CURRENT] = tr("segments.current_rule")
        options = [CURRENT, *options]
    return options, labels


def conditions_for(store: Store, ids: list[int]) -> tuple[list[Compiled], list[str], list[str]]:
    """Compiled conditions, labels and colours for picked segment ids (CURRENT = the rule being built)."""
    by_id = {s.id: s for s in saved.list_segments(store)}
    conds, labels, colours = [], [], []
    for i in ids:
        if i == CURRENT:
            conds.append(compile_rule(current_rule(), store))
            labels.append(tr("segments.current_rule"))
            colours.append("#D9480F")
        elif i in by_id:
            conds.append(by_id[i].condition)
            labels.append(by_id[i].name)
            colours.append(by_id[i].colour)
    return conds, labels, colours


def pick_segments(store: Store, label: str, key: str, *, default: str = "first", max_selections: int | None = None,
                  allow_none: bool = False) -> tuple[list[Compiled], list[str]] | None:
    """A segment multiselect; the picked segments' conditions and names, or None (with a message shown)."""
    options, labels = segment_choices(store, with_current=True)
    saved_ids = [o for o in options if o != CURRENT]
    initial = {"first": options[:1], "saved": saved_ids[:8] or options[:1], "second": options[1:2] or options[:1]}[default]
    picked = st.multiselect(label, options, default=initial, format_func=labels.__getitem__, key=key, max_selections=max_selections)
    if not picked and not allow_none:
        st.info(tr("segments.profile.empty"))
        return None
    try:
        conds, names, _ = conditions_for(store, picked)
    except ValidationError as e:
        show_error(e)
        return None
    return conds, names


def _deck_refs(ids: list[int]) -> list[Any]:
    """Segments as a slide references them: saved ids, and the rule being built as its rule (it has no id)."""
    return [{"rule": current_rule()} if i == CURRENT else int(i) for i in ids]


# ---- build -------------------------------------------------------------------------------


def build_view(store: Store) -> None:
    st.session_state.setdefault(GROUPS, [{}])
    st.session_state.setdefault(EDITING, None)
    options, labels = segment_choices(store, with_current=True)
    if "segments_load_next" in st.session_state:
        st.session_state["segments_load"] = st.session_state.pop("segments_load_next")
    if st.session_state.get("segments_load") not in (*options, None):
        st.session_state["segments_load"] = CURRENT
    labels[CURRENT] = tr("segments.build.new")
    # Labels are computed here, not inside format_func: AppTest calls format_func outside the run.
    st.selectbox(
        tr("segments.build.load"), options, format_func=labels.__getitem__,
        key="segments_load", on_change=_load_into_builder, args=(store,),
    )
    editing = saved.get_segment(store, st.session_state[EDITING]) if st.session_state[EDITING] else None
    fields = fields_of(store)  # once per run: the custom fields and the workspace's bands
    if editing and editing.kind == "cluster":
        st.info(tr("segments.build.cluster_segment"))
    else:
        _rule_widgets(store, fields)
    condition = editing.condition if editing and editing.kind == "cluster" else None
    try:
        condition = condition or compile_rule(current_rule(), fields=fields)
    except ValidationError as e:
        show_error(e)
        _bands_editor(store, fields)
        return
    count = profile.count_members(store, condition)
    st.metric(tr("segments.count"), fmt_number(count, lang()))
    if count == 0:
        st.info(tr("segments.empty"))
    else:
        st.caption(tr("segments.preview"))
        st.dataframe(members_table(store, condition, limit=20), hide_index=True, key="segments_preview")
    _save_controls(store, editing)
    _bands_editor(store, fields)


def _rule_widgets(store: Store, fields: dict[str, RuleField]) -> None:
    st.caption(tr("segments.build.intro"))
    values = field_values(store)
    names = labels_for(store, lang())  # industries and regions by their names; the options stay the stored values
    custom = {n: f for n, f in fields.items() if f.custom is not None}
    groups: list[dict[str, Any]] = st.session_state[GROUPS]
    new_groups = []
    for i, group in enumerate(groups):
        if i:
            st.markdown(f"**{tr('segments.build.or')}**")
        with st.container(border=True):
            st.markdown(f"**{tr('segments.build.group', n=i + 1)}**")
            cols = st.columns(4)
            picked: dict[str, Any] = {}
            for j, field in enumerate(BUILDER_FIELDS):
                key = _widget_key(i, field)
                options = _options(values, field, fields)
                if key not in st.session_state:
                    st.session_state[key] = [v for v in group.get(field, []) if v in options]
                shown = {v: value_label(store, field, v, fields, names) for v in options}
                picked[field] = cols[j % 4].multiselect(
                    tr(f"segments.field.{field}"), options, format_func=shown.__getitem__, key=key,
                    placeholder=tr("segments.build.any"),
                )
            cols = st.columns(4)
            for j, field in enumerate(RANGE_FIELDS):
                for k, end in enumerate(("min", "max")):
                    key = _widget_key(i, f"{field}_{end}")
                    if key not in st.session_state:
                        st.session_state[key] = group.get(f"{field}_{end}")
                    label = tr(f"segments.build.{end}", field=tr(f"segments.field.{field}"))
                    picked[f"{field}_{end}"] = cols[2 * j + k].number_input(
                        label, min_value=0.0, value=None, step=50.0 if field == "employees" else 1_000_000.0,
                        format="%.0f", key=key,
                    )
            if custom:
                picked.update(_custom_widgets(store, i, group, custom))
            new_groups.append(picked)
    st.session_state[GROUPS] = new_groups
    with st.container(horizontal=True):  # buttons as wide as their labels: "Додај групу (ИЛИ)" was cut at 1280 px
        adding = st.button(tr("segments.build.add_group"), key="segments_add_group", icon=":material/add:")
        removing = len(new_groups) > 1 and st.button(tr("segments.build.remove_group"), key="segments_remove_group")
    if adding:
        st.session_state[GROUPS] = [*new_groups, {}]
        st.rerun()
    if removing:
        last = len(new_groups) - 1
        for key in [k for k in st.session_state if str(k).startswith(f"segments_g{last}_")]:
            del st.session_state[key]
        st.session_state[GROUPS] = new_groups[:-1]
        st.rerun()


def _options(values: dict[str, list[Any]], field: str, fields: dict[str, RuleField]) -> list[Any]:
    bands = fields[field].bands if field in fields else None
    if bands is not None:
        return list(bands.keys)
    return values.get(field, [])


def _custom_widgets(store: Store, i: int, group: dict[str, Any], custom: dict[str, RuleField]) -> dict[str, Any]:
    """Group `i`'s conditions on the workspace's own fields: pick the fields, then their values or range."""
    language = lang()
    labels = {n: f.label(language) for n, f in custom.items()}
    key = _widget_key(i, CUSTOM)
    if key not in st.session_state:
        st.session_state[key] = [n for n in group.get(CUSTOM, []) if n in custom]
    chosen = st.multiselect(tr("segments.build.more_fields"), list(custom), format_func=labels.__getitem__, key=key,
                            placeholder=tr("segments.build.any"), help=tr("segments.build.more_fields_help"))
    out: dict[str, Any] = {CUSTOM: chosen}
    if not chosen:
        return out
    texts = profile.custom_values(store, [n for n in chosen if custom[n].custom.kind == "text"])  # type: ignore[union-attr]
    cols, slot = st.columns(4), 0
    for name in chosen:
        rule_field, before = custom[name], group.get(f"{CUSTOM}:{name}") or {}
        kind = rule_field.custom.kind  # type: ignore[union-attr]
        label = labels[name]
        if kind in ("money", "percent"):  # money compares in EUR, percents in points
            label = tr(f"segments.build.in_{'eur' if kind == 'money' else 'percent'}", field=label)
        if rule_field.kind == "category":
            options: list[Any] = (list(rule_field.custom.choices) if kind == "choice"  # type: ignore[union-attr]
                                  else [True, False] if kind == "bool"
                                  else list(dict.fromkeys([*before.get("in", []), *texts.get(name, [])])))
            wkey = _widget_key(i, f"{CUSTOM}:{name}")
            if wkey not in st.session_state:
                st.session_state[wkey] = [v for v in before.get("in", []) if v in options]
            shown = {v: value_label(store, name, v) for v in options}
            out[f"{CUSTOM}:{name}"] = {"in": cols[slot % 4].multiselect(
                label, options, format_func=shown.__getitem__, key=wkey, placeholder=tr("segments.build.any"))}
            slot += 1
            continue
        ends: dict[str, Any] = {}
        for end in ("min", "max"):
            wkey = _widget_key(i, f"{CUSTOM}:{name}:{end}")
            text = tr(f"segments.build.{end}", field=label)
            if rule_field.kind == "date":
                if wkey not in st.session_state:
                    st.session_state[wkey] = dt.date.fromisoformat(before[end]) if before.get(end) else None
                day = cols[slot % 4].date_input(text, value=None, format="YYYY-MM-DD", key=wkey,
                                                min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31))
                ends[end] = day.isoformat() if isinstance(day, dt.date) else None
            else:
                if wkey not in st.session_state:
                    st.session_state[wkey] = before.get(end)
                ends[end] = cols[slot % 4].number_input(
                    text, value=None, step=1.0, format="%.0f" if kind in ("int", "money") else "%.2f", key=wkey)
            slot += 1
        out[f"{CUSTOM}:{name}"] = ends
    return out


def _bands_editor(store: Store, fields: dict[str, RuleField]) -> None:
    """The workspace's employee and revenue bands, shown with their ranges; editors change them."""
    language = lang()
    stored = segment_bands.settings(store)
    with st.expander(tr("segments.bands.title"), icon=":material/tune:"):
        st.caption(tr("segments.bands.intro"))
        choices: dict[str, tuple[str, str]] = {}
        for column, dimension in zip(st.columns(2), segment_bands.DIMENSIONS):
            current = next(f.bands for f in fields.values() if f.bands is not None and f.bands.dimension == dimension)
            with column:
                st.markdown(f"**{tr(f'segments.bands.{dimension}')}**")
                st.caption(tr("segments.bands.now", bands="; ".join(current.labels(language).values())))
                if current.setting == "auto" and current.mode == "quantiles":
                    st.caption(tr("segments.bands.auto_quantiles", share=fmt_percent(current.largest_share, language)))
                if not can("write"):
                    continue
                modes = {m: tr(f"segments.bands.mode.{m}") for m in segment_bands.MODES}
                mode = st.radio(tr(f"segments.bands.{dimension}"), list(modes), format_func=modes.__getitem__,
                                index=segment_bands.MODES.index(stored[dimension]["mode"]), horizontal=True,
                                key=f"segments_bands_{dimension}_mode", label_visibility="collapsed")
                cuts = st.text_input(tr("segments.bands.cuts"), key=f"segments_bands_{dimension}_cuts",
                                     value=", ".join(f"{c:g}" for c in (stored[dimension]["cuts"] or current.cuts)),
                                     disabled=mode != "custom")
                choices[dimension] = (mode, cuts)
        if not choices:
            return
        if st.button(tr("segments.bands.save"), key="segments_bands_save", icon=":material/save:"):
            _save_bands(store, stored, choices, confirmed=False)
        pending = st.session_state.get("segments_bands_pending")
        if pending:
            st.warning(pending)
            if st.button(tr("segments.bands.confirm"), key="segments_bands_confirm"):
                _save_bands(store, stored, choices, confirmed=True)


def _save_bands(store: Store, stored: dict[str, dict[str, Any]], choices: dict[str, tuple[str, str]], *,
                confirmed: bool) -> None:
    try:
        for dimension, (mode, cuts) in choices.items():
            before = stored[dimension]
            if mode == before["mode"] and (mode != "custom" or segment_bands.parse_cuts(cuts, dimension)
                                           == tuple(before["cuts"])):
                continue
            segment_bands.set_bands(store, actor(), dimension, mode, cuts if mode == "custom" else None,
                                    confirmed=confirmed)
    except segment_bands.BandsInUse as e:
        language = lang()
        st.session_state["segments_bands_pending"] = tr(
            "segments.bands.in_use", field=tr(f"segments.field.{e.bands.field}"),
            segments=", ".join(tr("segments.quoted", name=n) for n in e.segments),
            bands="; ".join(e.bands.labels(language).values()))
        st.rerun()
    except VantageError as e:
        show_error(e)
        return
    st.session_state["segments_bands_pending"] = None
    st.session_state["segments_flash"] = tr("segments.bands.saved")
    st.rerun()


def _save_controls(store: Store, editing: saved.Segment | None) -> None:
    if not can("write"):  # viewers build and look; saving is for editors
        return
    name_col, colour_col = st.columns([4, 1])
    name = name_col.text_input(tr("segments.name"), key="segments_name", max_chars=saved.MAX_NAME)
    colour = colour_col.color_picker(tr("segments.colour"), value="#5D6D7E", key="segments_colour")
    description = st.text_input(tr("segments.description"), key="segments_description", max_chars=saved.MAX_DESCRIPTION)
    buttons = st.columns(4)
    save_args = {"name": name, "description": description, "colour": colour}
    if buttons[0].button(tr("segments.save"), type="primary", key="segments_save", icon=":material/save:"):
        _save(store, editing, save_args, overwrite=False)
    pending = st.session_state.get(PENDING)
    if pending:
        st.warning(pending["message"])
        with st.container(horizontal=True):  # the buttons name the segments: as wide as their labels
            overwriting = st.button(tr("segments.overwrite", name=pending["name"]), key="segments_overwrite")
            renaming = st.button(tr("segments.rename", name=pending["suggestion"]), key="segments_rename")
        if overwriting:
            _save(store, editing, {**save_args, "name": pending["name"]}, overwrite=True)
            st.rerun()
        if renaming:
            _save(store, editing, {**save_args, "name": pending["suggestion"]}, overwrite=False)
            st.rerun()
    if editing is None:
        return
    if buttons[1].button(tr("segments.duplicate"), key="segments_duplicate", icon=":material/content_copy:"):
        try:
            copy = saved.duplicate_segment(store, actor(), editing)
            st.success(tr("segments.duplicated", name=copy.name))
        except VantageError as e:
            show_error(e)
    if buttons[2].button(tr("segments.archive"), key="segments_archive", icon=":material/archive:"):
        st.session_state["segments_confirm_archive"] = editing.id
    if st.session_state.get("segments_confirm_archive") == editing.id:
        st.warning(tr("segments.archive_confirm", name=editing.name))
        if st.button(tr("segments.archive_yes"), key="segments_archive_yes", type="primary"):
            try:
                saved.archive_segment(store, actor(), editing)
                st.session_state["segments_confirm_archive"] = None
                st.session_state[EDITING] = None
                st.session_state["segments_load_next"] = CURRENT
                st.session_state["segments_flash"] = tr("segments.archived", name=editing.name)
                st.rerun()
            except VantageError as e:
                show_error(e)


def _save(store: Store, editing: saved.Segment | None, values: dict[str, Any], *, overwrite: bool) -> None:
    try:
        if editing is not None and editing.kind == "cluster":
            name = saved.relabel_segment(store, actor(), editing, overwrite=overwrite, **values).name
        else:
            segment = saved.save_rule_segment(
                store, actor(), rule=current_rule(), segment_id=editing.id if editing else None,
                expected_version=editing.version if editing else None, overwrite=overwrite, **values,
            )
            st.session_state[EDITING] = segment.id
            st.session_state["segments_load_next"] = segment.id  # the picker shows it from the next run
            name = segment.name
        st.session_state[PENDING] = None
        st.session_state["segments_flash"] = tr("segments.saved", name=name)
        st.rerun()
    except saved.SegmentNameTaken as e:
        st.session_state[PENDING] = {"message": error_text(e, lang())[1], "name": e.name, "suggestion": e.suggestion}
    except VantageError as e:
        show_error(e)


def flash() -> None:
    Notice("segments_flash").show()


def members_table(store: Store, condition: Compiled, *, limit: int) -> pd.DataFrame:
    """The preview: built-in columns, then the workspace's custom fields under their labels, then segments."""
    custom = export.member_fields(store)
    df = export.members(store, condition, limit=limit, custom=custom)
    language = lang()
    names = labels_for(store, language)
    table = {
        tr("segments.col.name"): df["name"],
        tr("segments.field.country"): [country_name(c, language) for c in df["country"]],
        tr("segments.field.industry"): names.series("industry", df["industry"]),
        tr("segments.field.employees"): df["employees"],
        tr("segments.field.status"): [value_label(store, "status", s) for s in df["status"]],
        tr("segments.field.supplier"): df["supplier"].fillna(tr("segments.no_supplier")),
    }
    taken = {h.casefold() for h in (*table, tr("segments.col.segments"))}
    for column, header in export.custom_headers(custom, language).items():
        if header.casefold() in taken:  # a label like "Country" next to the built-in column
            header = f"{header} ({column})"
        taken.add(header.casefold())
        table[header] = df[column]
    table[tr("segments.col.segments")] = df["segments"]
    return pd.DataFrame(table)


# ---- profile and compare -----------------------------------------------------------------


def profile_view(store: Store) -> None:
    chosen = pick_segments(store, tr("segments.pick"), "segments_profile_pick")
    if chosen is None:
        return
    conds, names = chosen
    language = lang()
    if len(conds) == 1:
        p = profile.profile(store, conds[0])
        # Two rows of three: six in a row cut the values ("57,9 млрд. €", "285 / …") at 1280 px.
        cols = [*st.columns(3), *st.columns(3)]
        cols[0].metric(tr("segments.kpi.accounts"), fmt_number(p.accounts, language))
        cols[1].metric(tr("segments.kpi.employees"), fmt_number(p.employees, language))
        cols[2].metric(tr("segments.kpi.revenue"), fmt_money_round(p.revenue_eur, "EUR", language))
        cols[3].metric(tr("segments.kpi.our_share"), fmt_percent(p.our_share, language))
        cols[4].metric(tr("segments.kpi.deals"), f"{fmt_number(p.won, language)} / {fmt_number(p.lost_deals, language)}",
                       help=tr("segments.kpi.deals_help"))
        cols[5].metric(tr("segments.kpi.uncontacted"), fmt_number(p.not_contacted, language),
                       help=tr("segments.kpi.not_contacted_help"))
        if p.accounts == 0:
            st.info(tr("segments.empty"))
            return
        left, right = st.columns([3, 2])
        if not p.suppliers.empty:
            data = p.suppliers.assign(company_label=[company_label(n, u, language) for n, u in zip(p.suppliers["company"], p.suppliers["is_us"])])
            share_chart = charts.supplier_share_chart(
                data, title=tr("segments.share.title"), subtitle=tr("segments.share.subtitle"),
                company_title=tr("segments.col.company"), share_title=tr("segments.col.share_of_all"),
                accounts_title=tr("segments.col.accounts"),
            )
            with left:
                altair(share_chart, key="segments_profile_share")
                png_download(share_chart, "segments_profile_png", "segment-suppliers")
                add_to_deck("segments.profile", {"segment": _deck_refs(st.session_state["segments_profile_pick"])[0]},
                            tr("segments.share.title"), key="segments_profile_deck")
        with right:
            st.subheader(tr("segments.top"))
            top = p.top
            st.dataframe(pd.DataFrame({
                tr("segments.col.name"): top["name"],
                tr("segments.field.country"): [country_name(c, language) for c in top["country"]],
                tr("segments.col.revenue"): [fmt_money_round(None if pd.isna(v) else v, "EUR", language)
                                             for v in top["revenue_eur"]],
                tr("segments.field.supplier"): top["supplier"].fillna(tr("segments.no_supplier")),
            }), hide_index=True, key="segments_profile_top")
        _custom_field_summaries(store, conds[0], p.accounts)
        return
    st.subheader(tr("segments.compare"))
    table = profile.compare(store, conds)
    st.dataframe(pd.DataFrame({
        tr("segments.col.segment"): names,
        tr("segments.col.accounts"): [fmt_number(v, language) for v in table["accounts"]],
        tr("segments.col.customers"): [fmt_number(v, language) for v in table["customers"]],
        tr("segments.col.prospects"): [fmt_number(v, language) for v in table["prospects"]],
        tr("segments.col.revenue"): [fmt_money_round(v, "EUR", language) for v in table["revenue_eur"]],
        tr("segments.col.our_share"): [fmt_percent(None if pd.isna(v) else v, language) for v in table["our_share"]],
        tr("segments.col.win_rate"): [fmt_percent(None if pd.isna(v) else v, language) for v in table["win_rate"]],
        tr("segments.col.not_contacted"): [fmt_number(v, language) for v in table["not_contacted"]],
    }), hide_index=True, key="segments_compare_table")
    share = profile.suppliers(store, conds)
    if not share.empty:
        share["segment_label"] = [names[i] for i in share["seg"]]
        share["company_label"] = [company_label(n, u, language) for n, u in zip(share["company"], share["is_us"])]
        compare_chart = share_by_segment_chart(
            share, title=tr("segments.share.title"), subtitle=tr("segments.share.subtitle"),
            segment_title=tr("segments.col.segment"), share_title=tr("segments.col.share_of_all"),
            company_title=tr("segments.col.company"), accounts_title=tr("segments.col.accounts"),
        )
        altair(compare_chart, key="segments_compare_share")
        png_download(compare_chart, "segments_compare_png", "segment-comparison")
        add_to_deck("segments.compare", {"segments": _deck_refs(st.session_state["segments_profile_pick"])},
                    tr("segments.share.title"), key="segments_compare_deck")


def _custom_field_summaries(store: Store, condition: Compiled, members: int) -> None:
    """The segment by the workspace's own fields: numbers' median and ranges, lists' most common values."""
    summaries = profile.field_summaries(store, condition)
    if not summaries:
        return
    language = lang()
    st.subheader(tr("segments.custom.title"))
    st.dataframe(pd.DataFrame({
        tr("segments.custom.field"): [s.field.label(language) for s in summaries],
        tr("segments.custom.summary"): [profile.summary_text(s, members, language) for s in summaries],
    }), hide_index=True, key="segments_profile_custom",
        column_config={tr("segments.custom.summary"): st.column_config.TextColumn(width="large")})


# ---- clusters ----------------------------------------------------------------------------


def _feature_names(catalogue: dict[str, clustering.Feature]) -> dict[str, str]:
    """Each clustering feature's name in the UI language: the catalog's, a custom field's label, or the column."""
    language = lang()
    return {f: feature.label(language) or (tr(f"segments.field.{f}") if f"segments.field.{f}" in MESSAGES else f)
            for f, feature in catalogue.items()}


def cluster_view(store: Store) -> None:
    language = lang()
    catalogue = clustering.available_features(store)
    names = _feature_names(catalogue)
    # Outside the form, so that picking a feature reruns and only the picked numeric ones offer a scaling.
    features = st.multiselect(
        tr("segments.cluster.features"), list(catalogue),
        default=[f for f in ("employees", "annual_revenue", "industry", "region") if f in catalogue],
        format_func=names.__getitem__, key="segments_cluster_features",
    )
    with st.form("segments_cluster_form"):
        a, b = st.columns(2)
        auto = a.checkbox(tr("segments.cluster.auto"), value=True, key="segments_cluster_auto")
        k = b.number_input(tr("segments.cluster.k"), min_value=2, max_value=20, value=4, step=1, key="segments_cluster_k")
        numeric = [f for f in features if catalogue[f].kind == "number"]
        scaling: dict[str, str] = {}
        # Two selects a row: four in a row cut "аутоматски (по облику)" short at 1280×720.
        for row in range(0, len(numeric), 2):
            for column, feature in zip(st.columns(2), numeric[row:row + 2]):
                scaling[feature] = column.selectbox(
                    tr("segments.cluster.scaling", field=names[feature]), ["auto", *clustering.SCALINGS],
                    format_func=lambda m: tr(f"segments.scaling.{m}"), key=f"segments_cluster_scaling_{feature}",
                    help=tr("segments.cluster.scaling_help"),
                )
        run = st.form_submit_button(tr("segments.cluster.run"), type="primary", icon=":material/scatter_plot:")
    if run:
        with st.status(tr("segments.cluster.running", n=fmt_number(profile.count_members(store, compile_rule(None)), language))) as status:
            bar = st.progress(0.0)

            def show_progress(fraction: float, _step: str) -> None:
                bar.progress(min(1.0, fraction))

            try:
                fitted = clustering.cluster_accounts(
                    store, features, k=None if auto else int(k), progress=show_progress,
                    scaling={f: m for f, m in scaling.items() if f in features and m != "auto"},
                )
            except VantageError as e:
                status.update(state="error")
                show_error(e)
                return
            st.session_state[CLUSTER_RESULT] = fitted
            status.update(label=tr("segments.cluster.done", k=fitted.k, suggested=fitted.suggested_k), state="complete")
    result: clustering.ClusterResult | None = st.session_state.get(CLUSTER_RESULT)
    if result is None:
        return
    if result.imputed:
        details = ", ".join(f"{names.get(f, f)}: {fmt_number(n, language)}" for f, n in result.imputed.items())
        st.caption(tr("segments.cluster.imputed", details=details))
    if result.sample:  # a market above VANTAGE_SEGMENT_FIT_SAMPLE: fitted and described from a sample
        st.caption(result.sample_note(language))
    if result.scaling:
        used = []
        for f, method in result.scaling.items():
            text = tr(f"segments.scaling.{method}")
            if method == result.auto_scaling.get(f):
                text = tr("segments.cluster.scaling_auto", method=text)
            used.append(f"{names.get(f, f)}: {text}")
        st.caption(tr("segments.cluster.scaling_used", details="; ".join(used)))
    if not result.scan.empty:
        curve = charts.silhouette_chart(
            result.scan, result.suggested_k, title=tr("segments.cluster.curve.title"),
            subtitle=tr("segments.cluster.curve.subtitle"), k_title=tr("segments.cluster.curve.k"),
            score_title=tr("segments.cluster.curve.score"),
        )
        altair(curve, key="segments_silhouette")
        png_download(curve, "segments_silhouette_png", "silhouette-curve")
    total = sum(result.sizes) or 1
    st.dataframe(pd.DataFrame({
        tr("segments.col.cluster"): list(range(1, result.k + 1)),
        tr("segments.col.accounts"): [fmt_number(n, language) for n in result.sizes],
        tr("segments.col.share_of_all"): [fmt_percent(n / total, language) for n in result.sizes],
        tr("segments.col.description"): [result.describe(i, language) for i in range(result.k)],
    }), hide_index=True, key="segments_clusters")
    prefix_col, button_col = st.columns([3, 1])
    prefix = prefix_col.text_input(tr("segments.cluster.prefix"), value=tr("segments.cluster.prefix_default"),
                                   key="segments_cluster_prefix", max_chars=60)
    overwrite = st.session_state.get("segments_cluster_overwrite", False)
    if can("write") and button_col.button(tr("segments.cluster.save"), key="segments_cluster_save", icon=":material/save:"):
        _save_clusters(store, result, prefix, overwrite=False)
    pending = st.session_state.get("segments_cluster_pending")
    if pending and not overwrite:
        st.warning(pending)
        if st.button(tr("segments.overwrite", name=prefix), key="segments_cluster_overwrite_btn"):
            _save_clusters(store, result, prefix, overwrite=True)


def _save_clusters(store: Store, result: clustering.ClusterResult, prefix: str, *, overwrite: bool) -> None:
    from research.charts.theme import COMPETITOR_COLORS

    language = lang()
    try:
        segments = saved.save_cluster_segments(
            store, actor(),
            names=[tr("segments.cluster.name", prefix=prefix.strip(), n=i + 1) for i in range(result.k)],
            descriptions=[result.describe(i, language) for i in range(result.k)],
            members=[result.members(i) for i in range(result.k)],
            definitions=[{"features": result.features, "k": result.k, "cluster": i + 1, "scaling": result.scaling}
                         for i in range(result.k)],
            colours=[COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i in range(result.k)],
            overwrite=overwrite,
        )
        st.session_state["segments_cluster_pending"] = None
        st.success(tr("segments.cluster.saved", n=len(segments)))
    except saved.SegmentNameTaken as e:
        st.session_state["segments_cluster_pending"] = error_text(e, language)[1]
        st.warning(st.session_state["segments_cluster_pending"])
    except VantageError as e:
        show_error(e)


# ---- sizing ------------------------------------------------------------------------------


def sizing_view(store: Store) -> None:
    options, labels = segment_choices(store, with_current=False)
    if not options:
        st.info(tr("segments.none_saved"))
        return
    language = lang()
    seg_id = st.selectbox(tr("segments.sizing.segment"), options, format_func=labels.__getitem__, key="segments_sizing_pick")
    segment = saved.get_segment(store, int(seg_id))
    cond = segment.condition
    size = profile.compare(store, [cond]).iloc[0]
    defaults = sizing.default_assumptions(
        median_won_value=None if pd.isna(size["median_won_value"]) else float(size["median_won_value"]),
        our_share=None if pd.isna(size["our_share"]) else float(size["our_share"]),
        acv=None if segment.acv is None else float(segment.acv), sam_share=segment.sam_share,
        som_share=segment.som_share, sensitivity=segment.sensitivity,
    )
    st.caption(tr("segments.sizing.defaults"))
    suffix = f"_{segment.id}_{segment.version}"  # fresh widgets when another segment or version is shown
    sources = {s: tr(f"segments.sizing.source.{s}") for s in sizing.CONTRACT_SOURCES}
    source = st.radio(tr("segments.sizing.source"), list(sources), horizontal=True, key="segments_contract_source",
                      format_func=sources.__getitem__)
    contract = _contract_widgets(store, source, defaults.acv, suffix)
    if contract is None:
        return
    b, c, d = st.columns(3)
    sam = b.slider(tr("segments.sizing.sam"), 0, 100, int(round(defaults.sam_share * 100)), format="%d%%", key="segments_sam" + suffix)
    som = c.slider(tr("segments.sizing.som"), 0, 100, int(round(defaults.som_share * 100)), format="%d%%", key="segments_som" + suffix)
    band = d.slider(tr("segments.sizing.sensitivity"), 0, 50, int(round(defaults.sensitivity * 100)), format="%d%%", key="segments_band" + suffix)
    acv = contract.amount if contract.source == "constant" else defaults.acv
    try:
        valuation = sizing.value_accounts(store, cond, contract)
        result = sizing.size_segment(valuation.accounts, sizing.Assumptions(float(acv or 0), sam / 100, som / 100, band / 100),
                                     valuation=valuation)
    except VantageError as e:
        show_error(e)
        return
    described = sizing.contract_text(valuation, language)
    st.caption(described)
    funnel = charts.sizing_funnel_chart(
        result.frame(language), title=tr("segments.sizing.title"),
        subtitle=[described, tr("segments.sizing.band", band=fmt_percent(band / 100, language))],
        stage_title=tr("segments.sizing.stage"), value_title=tr("segments.sizing.value"),
        low_title=tr("segments.sizing.low"), high_title=tr("segments.sizing.high"),
    )
    altair(funnel, key="segments_funnel")
    png_download(funnel, "segments_funnel_png", f"sizing-{segment.name}")
    add_to_deck("segments.sizing", {"segment": segment.id, "acv": acv, "sam_share": sam / 100, "som_share": som / 100,
                                    "sensitivity": band / 100, "contract": contract.params()},
                tr("segments.sizing.title"), key="segments_sizing_deck")
    if not can("write"):
        return
    if contract.source != "constant":
        st.caption(tr("segments.sizing.source_not_saved"))
    if st.button(tr("segments.sizing.save"), key="segments_sizing_save", icon=":material/save:"):
        try:
            saved.save_sizing(store, actor(), segment, acv=float(acv or 0), sam_share=sam / 100, som_share=som / 100,
                              sensitivity=band / 100)
            st.session_state["segments_flash"] = tr("segments.sizing.saved")
            st.rerun()
        except VantageError as e:
            show_error(e)


def _contract_widgets(store: Store, source: str, default_acv: float, suffix: str) -> sizing.ContractValue | None:
    """The inputs of the chosen contract-value source; None (with a message) when it cannot be used."""
    if source == "constant":
        amount = st.number_input(tr("segments.sizing.acv"), min_value=0.0, value=round(default_acv, 0), step=1000.0,
                                 format="%.0f", key="segments_acv" + suffix)
        return sizing.ContractValue("constant", amount=float(amount))
    if source == "deals":
        return sizing.ContractValue("deals")
    columns = list(sizing.amount_columns(store))
    if not columns:
        st.info(tr("segments.sizing.no_columns"))
        return None
    share_col, column_col = st.columns([1, 2])
    percent = share_col.number_input(tr("segments.sizing.share"), min_value=0.0, max_value=100.0, value=0.5, step=0.1,
                                     format="%.2f", key="segments_contract_share")
    default = columns.index(sizing.DEFAULT_SHARE_COLUMN) if sizing.DEFAULT_SHARE_COLUMN in columns else 0
    custom = {f.name: f.label(lang()) for f in list_fields(store, "accounts")}
    titles = {c: f"{custom[c]} ({c})" if c in custom and custom[c] != c else _column_title(c) for c in columns}
    column = column_col.selectbox(tr("segments.sizing.column"), columns, index=default, key="segments_contract_column",
                                  format_func=titles.__getitem__)
    return sizing.ContractValue("share", share=float(percent) / 100, column=column)


def _column_title(column: str) -> str:
    key = f"segments.field.{column}"
    return f"{tr(key)} ({column})" if key in MESSAGES else column


# ---- attractiveness matrix ---------------------------------------------------------------


@by_data_version
def _segment_factors(store: Store, conditions: str) -> pd.DataFrame:
    # Keyed by the workspace's data version and the compiled conditions; sliders only re-score, never re-query.
    conds = [Compiled(c["sql"], c["params"]) for c in json.loads(conditions)]
    return attractiveness.segment_factors(store, conds)


def _factors(store: Store, database: str, conditions: str) -> pd.DataFrame:
    return _segment_factors(store, conditions)


def _apply_weight_set(sets: dict[int, saved.WeightSet]) -> None:
    set_id: int | None = st.session_state.get("segments_weight_set")
    chosen = None if set_id is None else sets.get(set_id)
    weights = chosen.weights if chosen else attractiveness.DEFAULT_WEIGHTS
    for factor in attractiveness.FACTORS:
        st.session_state[f"segments_w_{factor}"] = int(weights.get(factor, attractiveness.DEFAULT_WEIGHTS[factor]))


def matrix_view(store: Store) -> None:
    chosen = pick_segments(store, tr("segments.pick"), "segments_matrix_pick", default="saved", max_selections=12)
    if chosen is None:
        return
    conds, names = chosen
    sets = {w.id: w for w in saved.list_weight_sets(store)}
    set_labels: dict[int | None, str] = {i: f"{w.name} (v{w.version})" for i, w in sets.items()}
    set_labels[None] = tr("segments.matrix.default_weights")
    st.selectbox(tr("segments.matrix.weight_sets"), [None, *sets], key="segments_weight_set", format_func=set_labels.__getitem__,
                 on_change=_apply_weight_set, args=(sets,))
    for factor in attractiveness.FACTORS:
        st.session_state.setdefault(f"segments_w_{factor}", int(attractiveness.DEFAULT_WEIGHTS[factor]))
    chart_col, weight_col = st.columns([3, 1])
    weights = {}
    with weight_col:
        st.markdown(f"**{tr('segments.matrix.weights')}**")
        st.caption(tr("segments.matrix.attractiveness"))
        for factor in attractiveness.ATTRACTIVENESS_FACTORS:
            weights[factor] = st.slider(tr(f"segments.factor.{factor}"), 0, 100, key=f"segments_w_{factor}")
        st.caption(tr("segments.matrix.strength"))
        for factor in attractiveness.STRENGTH_FACTORS:
            weights[factor] = st.slider(tr(f"segments.factor.{factor}"), 0, 100, key=f"segments_w_{factor}")
    try:
        frame = _factors(store, store.database, json.dumps([{"sql": c.sql, "params": c.params} for c in conds], default=str))
        scored = attractiveness.score(frame, weights)
    except VantageError as e:
        show_error(e)
        return
    scored["label"] = names
    scored["zone_label"] = [tr(f"segments.zone.{z}") for z in scored["zone"]]
    unknown_value = tr("segments.matrix.unknown_value")
    chart = charts.matrix_chart(
        scored, title=tr("segments.matrix.title"), subtitle=tr("segments.matrix.subtitle"),
        x_title=tr("segments.matrix.strength"), y_title=tr("segments.matrix.attractiveness"),
        size_title=tr("segments.col.accounts"), share_title=tr("segments.col.our_share"),
        segment_title=tr("segments.col.segment"), zone_title=tr("segments.matrix.zone"), unknown_text=unknown_value,
        thirds=(attractiveness.LOW, attractiveness.HIGH),
    )
    with chart_col:
        altair(chart, key="segments_matrix_chart")
    language = lang()
    unplaced = [n for n, z in zip(names, scored["zone"]) if z == attractiveness.UNPLACED]
    if unplaced:
        st.warning(tr("segments.matrix.unplaced", segments=", ".join(unplaced)), icon=":material/help:")
    factor_table = {tr("segments.col.segment"): names}
    for factor in attractiveness.FACTORS:
        factor_table[tr(f"segments.factor.{factor}")] = [
            unknown_value if pd.isna(v) else fmt_number(v, language, 2) for v in scored[attractiveness.factor_column(factor)]
        ]
    factor_table[tr("segments.matrix.zone")] = scored["zone_label"].tolist()
    st.caption(tr("segments.matrix.factors"))
    if any(scored["unknown"]):  # the column only where something is unknown: the demo's table stays as it was
        factor_table[tr("segments.matrix.unknown")] = [attractiveness.unknown_note(u, language) for u in scored["unknown"]]
        st.caption(tr("segments.matrix.unknown_caption"))
    st.dataframe(pd.DataFrame(factor_table), hide_index=True, key="segments_factor_table",
                 column_config={tr("segments.matrix.unknown"): st.column_config.TextColumn(width="large")})
    name_col, save_col, png_col = st.columns([2, 1, 1])
    name = name_col.text_input(tr("segments.matrix.save_weights"), key="segments_weight_name", max_chars=saved.MAX_NAME)
    if can("write") and save_col.button(tr("segments.matrix.save"), key="segments_weight_save", icon=":material/save:"):
        try:
            ws = saved.save_weight_set(store, actor(), name, weights)
            st.success(tr("segments.matrix.saved", name=ws.name, version=ws.version))
        except VantageError as e:
            show_error(e)
    with png_col:
        png_download(chart, "segments_png", "segment-matrix")
        add_to_deck("segments.matrix", {"segments": _deck_refs(st.session_state["segments_matrix_pick"]), "weights": weights},
                    tr("segments.matrix.title"), key="segments_matrix_deck")


# ---- prospects ---------------------------------------------------------------------------

PROSPECT_FACTORS = "segments_prospect_factors"  # the custom fields picked as factors


def _prospect_key(kind: str, name: str) -> str:
    """Widget keys per factor: direction ("dir"), weight ("w"); per reliability check: weight ("cw"),
    source field ("cs"); ":" is in no field name."""
    return f"segments_prospect_{kind}:{name}"


def _apply_prospect_set(store: Store, sets: dict[int, prospects.ProspectWeightSet]) -> None:
    """on_change of the weight-set picker: copy the set into the widgets (default: the built-in points, no fields)."""
    set_id: int | None = st.session_state.get("segments_prospect_set")
    chosen = None if set_id is None else sets.get(set_id)
    sizes = chosen.points if chosen else {}
    for factor, points in prospects.POINTS.items():
        st.session_state[f"segments_prospect_p_{factor}"] = round(float(sizes.get(factor, abs(points))))
    factors, dropped = chosen.factors(store) if chosen else ([], [])
    st.session_state[PROSPECT_FACTORS] = [f.name for f in factors]
    for f in factors:
        st.session_state[_prospect_key("dir", f.name)] = f.direction
        st.session_state[_prospect_key("w", f.name)] = round(f.weight)
    checks, lost = chosen.reliability(store) if chosen else (prospects.make_checks(store), [])
    for check in checks:
        st.session_state[_prospect_key("cw", check.code)] = round(check.weight)
        if check.code in prospects.CHECK_KINDS:
            st.session_state[_prospect_key("cs", check.code)] = check.field.name if check.field is not None else None
    st.session_state["segments_prospect_dropped"] = [*dropped, *lost]


def _check_help(code: str, language: str) -> str:
    """What a check reads and how it scores, with this module's thresholds."""
    if code == "payment":
        values = {"good": fmt_number(prospects.PAYS_ON_TIME, language), "bad": fmt_number(prospects.PAYS_LATE, language)}
    elif code == "company_age":
        values = {"good": fmt_number(prospects.ESTABLISHED, language), "bad": fmt_number(prospects.YOUNG, language)}
    elif code == "revenue_trend":
        values = {"good": fmt_percent(prospects.GROWING, language), "bad": fmt_percent(-prospects.DECLINING, language)}
    else:
        values = {"days": fmt_number(prospects.RECENT_DAYS, language)}
    return tr(f"segments.check.help.{code}", **values)


def _reliability_widgets(store: Store) -> tuple[dict[str, float], dict[str, str | None]]:
    """One column per reliability check: its weight and, for the checks that read a field, which one.
    A field not picked yet starts at the suggested one (a conventional name); one removed since, at none."""
    language = lang()
    eligible = prospects.check_fields(store)
    suggested = prospects.suggested_sources(store, eligible)
    weights: dict[str, float] = {}
    sources: dict[str, str | None] = {}
    with st.container(border=True):
        st.markdown(f"**{tr('segments.prospects.checks')}**")
        st.caption(tr("segments.prospects.checks_intro"))
        for col, (code, default) in zip(st.columns(len(prospects.CHECKS)), prospects.CHECKS.items()):
            check = tr(f"segments.check.{code}")
            weight_key = _prospect_key("cw", code)
            st.session_state.setdefault(weight_key, default)
            weights[code] = float(col.number_input(
                tr("segments.prospects.check_weight", check=check), min_value=0, max_value=prospects.MAX_POINTS,
                step=1, key=weight_key, help=_check_help(code, language)))
            if code not in prospects.CHECK_KINDS:
                continue
            source_key = _prospect_key("cs", code)
            options: list[str | None] = [None, *eligible[code]]
            if source_key not in st.session_state:
                st.session_state[source_key] = suggested[code]
            elif st.session_state[source_key] not in options:
                st.session_state[source_key] = None
            names: dict[str | None, str] = {None: tr("segments.prospects.no_field"),
                                            **{n: f.label(language) for n, f in eligible[code].items()}}
            sources[code] = col.selectbox(tr("segments.prospects.check_source", check=check), options,
                                          format_func=names.__getitem__, key=source_key)
    return weights, sources


def _prospect_weights(store: Store) -> tuple[dict[str, float], list[prospects.Factor]]:
    """The weight-set picker, the custom factors (field, direction, weight) and the built-in points."""
    sets = {w.id: w for w in prospects.list_weight_sets(store)}
    labels: dict[int | None, str] = {i: f"{w.name} (v{w.version})" for i, w in sets.items()}
    labels[None] = tr("segments.prospects.default_weights")
    if st.session_state.get("segments_prospect_set") not in (None, *sets):
        st.session_state["segments_prospect_set"] = None
    st.selectbox(tr("segments.prospects.weight_sets"), [None, *sets], key="segments_prospect_set",
                 format_func=labels.__getitem__, on_change=_apply_prospect_set, args=(store, sets))
    dropped = st.session_state.get("segments_prospect_dropped")
    if dropped:
        st.warning(tr("segments.prospects.dropped", fields=", ".join(dropped)), icon=":material/help:")
    language = lang()
    eligible = prospects.factor_fields(store)
    factors: list[prospects.Factor] = []
    if eligible:
        names = {n: f.label(language) for n, f in eligible.items()}
        picked = st.session_state.get(PROSPECT_FACTORS) or []
        st.session_state[PROSPECT_FACTORS] = [n for n in picked if n in eligible]  # a field removed since
        chosen = st.multiselect(tr("segments.prospects.factors"), list(eligible), format_func=names.__getitem__,
                                key=PROSPECT_FACTORS, help=tr("segments.prospects.factors_help"))
        for name in chosen:
            probe = prospects.Factor(eligible[name])
            directions = {d: tr(f"segments.prospects.direction.{'bool_' if probe.is_bool else ''}{d}")
                          for d in prospects.DIRECTIONS}
            st.session_state.setdefault(_prospect_key("dir", name), "higher")
            st.session_state.setdefault(_prospect_key("w", name), prospects.DEFAULT_WEIGHT)
            left, right = st.columns([1, 2])
            direction = left.radio(tr("segments.prospects.direction", field=names[name]), list(directions),
                                   format_func=directions.__getitem__, horizontal=True, key=_prospect_key("dir", name))
            weight = right.slider(tr("segments.prospects.weight", field=names[name]), 0, prospects.MAX_POINTS,
                                  key=_prospect_key("w", name))
            factors.append(prospects.Factor(eligible[name], float(weight), str(direction)))
        if chosen:
            st.caption(tr("segments.prospects.how"))
    sizes: dict[str, float] = {}
    with st.expander(tr("segments.prospects.builtin"), icon=":material/tune:"):
        cols = st.columns(4)
        for j, (factor, points) in enumerate(prospects.POINTS.items()):
            key = f"segments_prospect_p_{factor}"
            st.session_state.setdefault(key, abs(points))
            sizes[factor] = float(cols[j % 4].number_input(tr(f"segments.prospects.factor.{factor}"), min_value=0,
                                                           max_value=prospects.MAX_POINTS, step=1, key=key))
    return sizes, factors


def prospects_view(store: Store) -> None:
    chosen = pick_segments(store, tr("segments.prospects.targets"), "segments_prospect_targets", default="second",
                           allow_none=True)
    st.caption(tr("segments.prospects.intro"))
    if chosen is None:
        return
    conds, names = chosen
    language = lang()
    sizes, factors = _prospect_weights(store)
    check_weights, check_sources = _reliability_widgets(store)
    try:
        points = prospects.check_points(sizes)
        checks = prospects.make_checks(store, check_weights, check_sources)
        scored = prospects.score_prospects(store, conds, factors=factors, points=points, checks=checks)
    except VantageError as e:
        show_error(e)
        return
    if scored.empty:
        st.info(tr("segments.empty"))
        return
    st.caption(tr("segments.prospects.count", n=fmt_number(int(scored["scored"].iloc[0]), language),
                  shown=fmt_number(len(scored), language)))
    for factor, missing, total in prospects.missing_counts(scored, factors):
        if missing:
            st.caption(tr("segments.prospects.missing", field=factor.label(language),
                          n=fmt_number(missing, language), total=fmt_number(total, language)))
    for check, unknown, total in prospects.unknown_counts(scored, checks):
        if not check.weight:
            continue
        if check.code in prospects.CHECK_KINDS and check.field is None:
            st.caption(tr("segments.prospects.check_no_field", check=check.label(language)))
        elif unknown:
            st.caption(tr("segments.prospects.check_unknown", check=check.label(language),
                          n=fmt_number(unknown, language), total=fmt_number(total, language)))
    labels = labels_for(store, language)
    table: dict[str, Any] = {
        tr("segments.col.score"): scored["score"].round().astype(int),
        tr("segments.col.name"): scored["name"],
        tr("segments.field.country"): [country_name(c, language) for c in scored["country"]],
        tr("segments.field.industry"): labels.series("industry", scored["industry"]),
    }
    for i, factor in enumerate(factors):
        header = factor.label(language)
        if header in table:
            header = f"{header} ({factor.name})"
        table[header] = [prospects.factor_value_text(factor, v, language) for v in scored[f"_f{i}"]]
    table[tr("segments.col.reasons")] = [
        prospects.reasons_text(row, language, names, points=points, factors=factors, checks=checks, labels=labels)
        for _, row in scored.iterrows()]
    st.dataframe(pd.DataFrame(table), hide_index=True, key="segments_prospects_table",
        column_config={
            tr("segments.col.score"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d", width="small"),
            tr("segments.col.reasons"): st.column_config.TextColumn(width="large"),
        })
    if not can("write"):
        return
    name_col, save_col = st.columns([3, 1])
    name = name_col.text_input(tr("segments.prospects.save_name"), key="segments_prospect_set_name",
                               max_chars=prospects.MAX_NAME)
    if save_col.button(tr("segments.prospects.save"), key="segments_prospect_save", icon=":material/save:"):
        try:
            ws = prospects.save_weight_set(store, actor(), name, points=sizes, factors=factors, checks=checks)
            st.success(tr("segments.prospects.saved", name=ws.name, version=ws.version))
        except VantageError as e:
            show_error(e)


# ---- export ------------------------------------------------------------------------------


def export_view(store: Store) -> None:
    refuse_unless("export")
    options, labels = segment_choices(store, with_current=True)
    seg_id = st.selectbox(tr("segments.export.segment"), options, index=min(1, len(options) - 1),
                          format_func=labels.__getitem__, key="segments_export_pick")
    st.caption(tr("segments.export.note"))
    if st.button(tr("segments.export.prepare"), key="segments_export_prepare", icon=":material/download:"):
        try:
            conds, names, _ = conditions_for(store, [seg_id])
            df = export.export_members(store, conds[0], actor=actor(), lang=lang()).drop(columns=["id"])
            st.session_state["segments_export_files"] = (
                names[0], len(df), export.to_csv_bytes(df), export.to_xlsx_bytes(df)
            )
        except VantageError as e:
            show_error(e)
    files = st.session_state.get("segments_export_files")
    cols = st.columns(3)
    if files:
        name, rows, csv_bytes, xlsx_bytes = files
        st.caption(tr("segments.export.rows", n=fmt_number(rows, lang())))
        cols[0].download_button(tr("segments.export.csv"), csv_bytes, export.safe_file_name(name, ".csv"),
                                "text/csv", key="segments_dl_csv")
        cols[1].download_button(tr("segments.export.xlsx"), xlsx_bytes, export.safe_file_name(name, ".xlsx"),
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="segments_dl_xlsx")
    cols[2].download_button(
        tr("segments.export.definitions"),
        json.dumps(saved.definitions_document(store), ensure_ascii=False, indent=2).encode("utf-8"),
        "segments.json", "application/json", key="segments_dl_definitions",
    )
