"""View logic of the Query page: SQL editor with schema browser, builder, saved queries, history, results.

Every run goes through research.query.sandbox; the last result lives in the
session (`query_last`), so chart and paging controls rerun without re-querying.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from research.charts.query import AGGREGATES, CHART_KINDS, ChartChoice, ChartRefused, build_chart, options_for, suggest_chart
from research.compare.views import highlight_color
from research.competitors import profiles
from research.data import entities, fields
from research.data.labels import DOMAINS, labels_for
from research.errors import VantageError
from research.i18n import fmt_number
from research.present.views_query import param_kinds
from research.query import builder, export, saved, schema
from research.query.display import column_title, column_titles, shown_values
from research.query.states import RunStatus, failed_status
from research.query.sandbox import SnapshotStatus, run_sandboxed, sandbox_for, snapshot_status
from research.store import Store
from research.ui.cache import by_data_version
from research.ui.context import actor, lang, option_labels, tr
from research.ui.deck_button import add_to_deck
from research.ui.widgets import altair, show_error

VIEWS = ("sql", "builder", "saved", "history")
PAGE_SIZES = (100, 1000, 10000)
LAST = "query_last"
SQL_KEY = "query_sql"
NONE = "—"


@by_data_version
def _schema_objects(store: Store) -> list[schema.SchemaObject]:
    # Tables by their stored row count; a view is not counted (at 5 M accounts counting the views took seconds).
    return schema.schema_objects(store, count_views=False)


def _objects(database: str, store: Store) -> list[schema.SchemaObject]:
    return _schema_objects(store)  # kept until the workspace changes (a new dataset or field included)


def custom_labels(store: Store, table: str, language: str) -> dict[str, str]:
    """Column -> label in `language` of the table's custom fields (accounts, companies, products); else empty."""
    entity = next((e for e in fields.ENTITIES if entities.get_entity(e).table == table), None)
    return {f.name: f.label(language) for f in fields.list_fields(store, entity)} if entity else {}


def _column_text(labels: dict[str, str], language: str) -> Callable[[str], str]:
    """A column picker's option text: the SQL name, and beside it its name for people when that says more.

    `supplier_company_id · Current supplier`; a custom column by its own label; `industry`
    in English alone, in Serbian `industry · Делатност`. The SQL name stays the value.
    """
    def text(column: str) -> str:
        if column == NONE:
            return NONE
        title = column_title(column, language, labels)
        same = title.casefold() == column.replace("_", " ").casefold()
        return column if same else f"{column} · {title}"

    return text


def all_custom_labels(store: Store, language: str) -> dict[str, str]:
    """Column -> label in `language` of every custom field (accounts, companies, products)."""
    return {f.name: f.label(language) for f in fields.list_fields(store)}


# Columns of views named like a label domain's column hold its values (price_index.category).
_DOMAIN_BY_NAME = {"industry": "industry", "region": "region", "category": "category", "unit": "unit",
                   "capability": "capability"}


def domain_of(source: str, column: str) -> str | None:
    """The label domain (research.data.labels) whose values `source.column` holds, if any."""
    for domain, (table, name) in DOMAINS.items():
        if (table, name) == (source, column):
            return domain
    if any(table == source for table, _ in DOMAINS.values()):
        return None  # a table of the domains: only its own columns above
    return _DOMAIN_BY_NAME.get(column)


def value_text(store: Store, domain: str | None) -> Callable[[object], str]:
    """A value picker's option text: a domain value by its name in the viewer's language (the value stays raw)."""
    if domain is None:
        return lambda value: str(value)
    lab = labels_for(store, lang())
    return lambda value: NONE if value == NONE else lab(domain, value)


@by_data_version
def _saved_choices(store: Store, choices_from: str) -> list[str]:
    return saved.choices(store, choices_from)


def _choices(database: str, choices_from: str, store: Store) -> list[str]:
    return _saved_choices(store, choices_from)


# ---- header and running ----------------------------------------------------------------


def age_text(seconds: float) -> str:
    """A snapshot's age in the UI language: 12 s, 4 min, 2 h 5 min."""
    whole = int(seconds)
    if whole < 60:
        return tr("query.age_seconds", n=whole)
    if whole < 3600:
        return tr("query.age_minutes", n=whole // 60)
    return tr("query.age_hours", h=whole // 3600, m=whole % 3600 // 60)


def snapshot_caption(status: SnapshotStatus | None) -> str:
    """When the data was last seen current, how old that is, and whether a newer snapshot is being prepared."""
    if status is None or status.as_of is None:
        return tr("query.snapshot_first") if status is not None and status.preparing else tr("query.as_of_none")
    parts = [tr("query.as_of", time=f"{status.as_of:%H:%M}"), tr("query.snapshot_age", age=age_text(status.age_seconds() or 0))]
    if status.preparing:
        parts.append(tr("query.snapshot_preparing"))
    return " ".join(parts)


def snapshot_bar(store: Store) -> None:
    left, right = st.columns([4, 1], vertical_alignment="center")  # room for "Освежи податке" at 1280 px
    left.caption(snapshot_caption(snapshot_status(store)))
    if right.button(tr("query.refresh"), key="query_refresh", icon=":material/refresh:", width="stretch"):
        try:
            with st.spinner(tr("query.refreshing")):
                sandbox_for(store).refresh()
            st.rerun()
        except VantageError as error:
            show_error(error)


def run(store: Store, sql: str, params: dict[str, Any], *, title: str = "", saved_id: int | None = None) -> None:
    """Run in the sandbox, remember the result (or error) for the result panel, record history."""
    try:
        with st.spinner(tr("query.running")):
            result = run_sandboxed(store, sql, params, actor=actor())
    except VantageError as error:
        saved.record_history(store, actor(), sql, params, status=failed_status(error), message=error.message)
        st.session_state[LAST] = {"error": error, "sql": sql}
        return
    saved.record_history(store, actor(), sql, params, status=RunStatus.OK, row_count=result.rows, seconds=result.seconds)
    rid = st.session_state.get(LAST, {}).get("rid", 0) + 1
    st.session_state[LAST] = {"result": result, "sql": sql, "params": params, "title": title, "rid": rid, "saved_id": saved_id}
    if saved_id is not None:
        st.query_params.from_dict(saved.share_params(saved_id, params) | _lang_param())


def _lang_param() -> dict[str, str]:
    return {"lang": lang()} if lang() != "en" else {}


def param_inputs(store: Store, specs: list[saved.ParamSpec], prefix: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A typed input per parameter; returns the raw values (coerce with saved.coerce_values)."""
    values = values or {}
    raw: dict[str, Any] = {}
    cols = st.columns(3)
    for i, spec in enumerate(specs):
        key = f"{prefix}_{spec.name}"
        start = values.get(spec.name, spec.default)
        label = f"${spec.name}"
        with cols[i % len(cols)]:
            if spec.kind == "number":
                number = saved.coerce_value(spec, start) if start not in (None, "") else 0
                raw[spec.name] = st.number_input(label, value=float(number), key=key)
            elif spec.kind == "date":
                day = saved.coerce_value(spec, start) if start not in (None, "") else dt.date.today()
                raw[spec.name] = st.date_input(label, value=day, key=key)
            elif spec.kind == "choice" and spec.choices_from:
                options = _choices(store.database, spec.choices_from, store)
                index = options.index(start) if start in options else 0
                table, _, column = spec.choices_from.partition(".")
                raw[spec.name] = st.selectbox(label, options, index=index if options else None, key=key,
                                              format_func=value_text(store, domain_of(table, column)),
                                              placeholder=tr("query.param_placeholder"))
            else:
                raw[spec.name] = st.text_input(label, value=str(start or ""), key=key)
    return raw


def _coerced(specs: list[saved.ParamSpec], raw: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return saved.coerce_values(specs, {k: (v if not isinstance(v, float) or not v.is_integer() else int(v)) for k, v in raw.items()})
    except VantageError as error:
        show_error(error)
        return None


# ---- SQL editor ------------------------------------------------------------------------


def schema_browser(store: Store) -> None:
    objects = _objects(store.database, store)
    names = [o.name for o in objects]
    by_name = {o.name: o for o in objects}
    language = lang()
    chosen = st.selectbox(
        tr("query.schema.title"),
        names,
        format_func={n: " · ".join([n, tr("query.kind." + o.kind)] + ([] if o.rows is None else [fmt_number(o.rows, language)]))
                     for n, o in by_name.items()}.__getitem__,
        key="query_schema_object",
    )
    obj = by_name[chosen]
    if obj.description_key:
        st.caption(tr(obj.description_key))
    columns = {tr("query.schema.column"): [c.name for c in obj.columns]}
    labels = custom_labels(store, obj.name, language) if obj.kind == "table" else {}
    if labels:
        # Custom fields are real columns: their names in the UI language beside the SQL name.
        columns[tr("query.schema.label")] = [labels.get(c.name, "") for c in obj.columns]
    columns[tr("query.schema.type")] = [c.type for c in obj.columns]
    st.dataframe(
        pd.DataFrame(columns),
        hide_index=True,
        height=300,
        key="query_schema_columns",
        placeholder="",
    )


def sql_view(store: Store) -> None:
    browse, edit = st.columns([1, 2.4], gap="large")
    with browse:
        schema_browser(store)
    with edit:
        pick, use = st.columns([3, 1], vertical_alignment="bottom")
        example = pick.selectbox(
            tr("query.examples"), list(schema.EXAMPLES), format_func=option_labels("query.example"), key="query_example"
        )
        if use.button(tr("query.use_example"), key="query_use_example", width="stretch"):
            load_sql(schema.EXAMPLES[example], {n: d for n, _, d, _ in schema.EXAMPLE_PARAMS.get(example, [])},
                     [saved.ParamSpec(n, k, d, c) for n, k, d, c in schema.EXAMPLE_PARAMS.get(example, [])])
            st.rerun()
        sql = st.text_area(tr("query.sql"), key=SQL_KEY, height=220, placeholder="SELECT …")
        specs = editor_specs(store, sql)
        raw = param_inputs(store, specs, "query_p", st.session_state.get("query_editor_values"))
        if st.button(tr("query.run"), key="query_run", type="primary", icon=":material/play_arrow:"):
            values = _coerced(specs, raw)
            if values is not None:
                run(store, sql, values)


def editor_specs(store: Store, sql: str) -> list[saved.ParamSpec]:
    """Parameter specs for the editor's SQL: kinds remembered per name, a kind picker for each."""
    known: dict[str, saved.ParamSpec] = st.session_state.setdefault("query_editor_specs", {})
    specs = saved.infer_parameters(sql, known, st.session_state.get("query_editor_values"))
    if not specs:
        return []
    st.caption(tr("query.params_caption"))
    cols = st.columns(3)
    out = []
    for i, spec in enumerate(specs):
        with cols[i % len(cols)]:
            kind = st.selectbox(
                tr("query.param_kind", name=spec.name), saved.PARAM_KINDS, index=saved.PARAM_KINDS.index(spec.kind),
                format_func=option_labels("query.kind_param"), key=f"query_kind_{spec.name}",
            )
            source = spec.choices_from
            if kind == "choice":
                columns = [f"{o.name}.{c.name}" for o in _objects(store.database, store) if o.kind == "table"
                           for c in o.columns if c.type.startswith("VARCHAR")]
                source = st.selectbox(tr("query.param_source"), columns,
                                      index=columns.index(source) if source in columns else 0, key=f"query_source_{spec.name}")
        new = saved.ParamSpec(spec.name, kind, spec.default, source if kind == "choice" else None)
        known[spec.name] = new
        out.append(new)
    return out


def load_sql(sql: str, values: dict[str, Any], specs: list[saved.ParamSpec] | None = None) -> None:
    """Queue SQL (and parameter values) for the editor; applied by apply_pending() on the next run."""
    st.session_state["query_pending"] = {"sql": sql, "values": values, "specs": {s.name: s for s in specs or []}}


def apply_pending() -> None:
    """Before any widget renders: open a share link's view, or load queued SQL into the editor."""
    if "query_view" not in st.session_state:
        link_id, _ = saved.read_share_params(st.query_params)
        st.session_state["query_view"] = "saved" if link_id is not None else "sql"
    pending = st.session_state.pop("query_pending", None)
    if pending is None:
        return
    st.session_state[SQL_KEY] = pending["sql"]
    st.session_state["query_editor_values"] = pending["values"]
    st.session_state["query_editor_specs"] = pending["specs"]
    for key in [k for k in st.session_state if str(k).startswith(("query_p_", "query_kind_", "query_source_"))]:
        del st.session_state[key]
    st.session_state["query_view"] = "sql"


# ---- builder ---------------------------------------------------------------------------


def builder_view(store: Store) -> None:
    objects = [o for o in _objects(store.database, store) if o.name not in ("query_history",)]
    by_name = {o.name: o for o in objects}
    source = st.selectbox(tr("query.builder.source"), list(by_name), key="query_b_source",
                          format_func={n: f"{n} · {tr('query.kind.' + o.kind)}" for n, o in by_name.items()}.__getitem__)
    columns = {c.name: c.type for c in by_name[source].columns}
    names = list(columns)
    labelled = _column_text(custom_labels(store, source, lang()) if by_name[source].kind == "table" else {}, lang())
    st.markdown(f"**{tr('query.builder.filters')}**")
    filters = []
    for i in range(3):
        c1, c2, c3 = st.columns([2, 1, 2])
        shown: Literal["collapsed", "visible"] = "collapsed" if i else "visible"
        column = c1.selectbox(tr("query.builder.column"), [NONE, *names], key=f"query_b_fcol_{i}", format_func=labelled,
                              label_visibility=shown)
        op = c2.selectbox(tr("query.builder.op"), builder.OPERATORS, key=f"query_b_fop_{i}", label_visibility=shown,
                          format_func=lambda o: tr(f"query.op.{o}") if o == "contains" else o)
        domain = domain_of(source, column) if column != NONE and op in ("=", "!=") else None
        if domain:
            # A domain value is picked by its name in the viewer's language; the filter keeps the stored value.
            values = _choices(store.database, f"{source}.{column}", store)
            value = c3.selectbox(tr("query.builder.value"), [NONE, *values], key=f"query_b_fpick_{i}",
                                 format_func=value_text(store, domain), label_visibility=shown)
            value = "" if value == NONE else value
        else:
            value = c3.text_input(tr("query.builder.value"), key=f"query_b_fval_{i}", label_visibility=shown)
        if column != NONE and value.strip():
            filters.append(builder.Filter(column, op, value.strip()))
    left, right = st.columns(2)
    group = left.multiselect(tr("query.builder.group_by"), names, key="query_b_group", format_func=labelled,
                             placeholder=tr("query.builder.group_placeholder"))
    measures = []
    with right:
        for i in range(2):
            f1, f2 = st.columns(2)
            func = f1.selectbox(tr("query.builder.measure"), [NONE, *builder.MEASURES], key=f"query_b_mfunc_{i}",
                                format_func=option_labels("query.measure", {NONE: NONE}))
            column = f2.selectbox(tr("query.builder.of"), [NONE, *names], key=f"query_b_mcol_{i}", format_func=labelled)
            if func != NONE:
                measures.append(builder.Measure(func, None if column == NONE else column))
    outputs = group + [m.alias for m in measures] if (group or measures) else names
    s1, s2, s3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    sort = s1.selectbox(tr("query.builder.sort"), [NONE, *outputs], key="query_b_sort", format_func=labelled)
    descending = s2.toggle(tr("query.builder.descending"), value=True, key="query_b_desc")
    limit = s3.number_input(tr("query.builder.limit"), min_value=1, max_value=100_000, value=builder.DEFAULT_LIMIT, key="query_b_limit")
    spec = builder.BuilderSpec(source, tuple(filters), tuple(group), tuple(measures), None if sort == NONE else sort, descending, int(limit))
    try:
        built = builder.build_sql(spec, columns)
    except VantageError as error:
        show_error(error)
        return
    st.code(built.sql, language="sql")
    with st.container(horizontal=True):  # buttons as wide as their labels, in either language
        running = st.button(tr("query.run"), key="query_b_run", type="primary", icon=":material/play_arrow:")
        editing = st.button(tr("query.builder.edit_sql"), key="query_b_edit", icon=":material/edit:")
    if running:
        run(store, built.sql, built.params)
    if editing:
        load_sql(built.sql, {k: v for k, v in built.params.items()}, list(built.specs))
        st.rerun()


# ---- saved queries and history -----------------------------------------------------------


def saved_view(store: Store) -> None:
    items = saved.list_saved(store)
    if not items:
        st.info(tr("query.saved.empty"))
        return
    by_id = {q.id: q for q in items}
    link_id, link_values = saved.read_share_params(st.query_params)
    if link_id in by_id and "query_saved_pick" not in st.session_state:
        st.session_state["query_saved_pick"] = link_id
    chosen = st.selectbox(tr("query.saved.pick"), list(by_id), format_func={i: q.name for i, q in by_id.items()}.__getitem__, key="query_saved_pick")
    query = by_id[chosen]
    if query.description:
        st.text(query.description)
    st.code(query.sql, language="sql")
    values = link_values if link_id == query.id else {}
    raw = param_inputs(store, list(query.parameters), f"query_sp_{query.id}", values)
    b1, b2, b3 = st.columns([1, 1, 4])
    auto = link_id == query.id and not st.session_state.get("query_link_ran")
    if b1.button(tr("query.run"), key="query_saved_run", type="primary", icon=":material/play_arrow:") or auto:
        st.session_state["query_link_ran"] = True
        typed = _coerced(list(query.parameters), raw)
        if typed is not None:
            run(store, query.sql, typed, title=query.name, saved_id=query.id)
            st.session_state["query_editing"] = (query.id, query.version)
    if b2.button(tr("query.saved.edit"), key="query_saved_edit", icon=":material/edit:"):
        load_sql(query.sql, {p.name: p.default for p in query.parameters}, list(query.parameters))
        st.session_state["query_editing"] = (query.id, query.version)
        st.session_state["query_save_name"] = query.name
        st.session_state["query_save_description"] = query.description
        st.rerun()
    if st.query_params.get(saved.LINK_SAVED) == str(query.id):
        st.caption(tr("query.saved.link"))
        st.code("?" + urlencode(dict(st.query_params)), language=None)
    confirm = b3.checkbox(tr("query.saved.confirm_delete", name=query.name), key=f"query_saved_confirm_{query.id}")
    if confirm and b3.button(tr("query.saved.delete"), key="query_saved_delete", icon=":material/delete:"):
        try:
            saved.delete_saved(store, actor(), query.id, expected_version=query.version)
            st.session_state.pop("query_saved_pick", None)
            st.toast(tr("query.saved.deleted", name=query.name))
            st.rerun()
        except VantageError as error:
            show_error(error)


def history_view(store: Store) -> None:
    runs = saved.history(store, actor())
    if runs.empty:
        st.info(tr("query.history.empty"))
        return
    table = pd.DataFrame({
        tr("query.history.when"): runs["ran_at"],
        tr("query.history.status"): runs["status"].map(lambda s: tr(f"query.status.{s}")),
        tr("query.history.rows"): runs["row_count"],
        tr("query.history.sql"): runs["sql"].str.replace(r"\s+", " ", regex=True).str.slice(0, 160),
    })
    st.dataframe(table, hide_index=True, key="query_history_table", height=320, placeholder="")
    labels = {int(r["id"]): f"{r['ran_at']:%H:%M:%S} · {' '.join(str(r['sql']).split())[:80]}"
              for r in runs.to_dict("records")}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    entry = pick.selectbox(tr("query.history.pick"), list(labels), format_func=labels.__getitem__, key="query_history_pick")
    if go.button(tr("query.history.rerun"), key="query_history_rerun", icon=":material/replay:", width="stretch"):
        found = saved.history_entry(store, actor(), entry)
        if found:
            sql, values = found
            specs = saved.infer_parameters(sql, values=values)
            load_sql(sql, values, specs)
            try:
                run(store, sql, saved.coerce_values(specs, values))
            except VantageError as error:
                st.session_state[LAST] = {"error": error, "sql": sql}
            st.rerun()


# ---- result panel ------------------------------------------------------------------------


def result_panel(store: Store) -> None:
    last = st.session_state.get(LAST)
    if not last:
        st.info(tr("query.empty"))
        return
    if "error" in last:
        show_error(last["error"])
        return
    result = last["result"]
    language = lang()
    st.divider()
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("query.rows"), fmt_number(result.rows, language) + ("+" if result.truncated else ""))
    m2.metric(tr("query.elapsed"), tr("query.elapsed_ms", ms=fmt_number(result.seconds * 1000, language)))
    m3.metric(tr("query.data_as_of"), f"{result.snapshot_at:%H:%M}")
    if result.truncated:
        st.warning(tr("query.truncated", rows=fmt_number(result.max_rows, language)), icon=":material/content_cut:")
    rid = last["rid"]
    frame = result.frame
    size = st.session_state.get("query_page_rows", 1000)
    pages = max(1, -(-len(frame) // size))
    p1, p2, _ = st.columns([1, 1, 3])
    size = p1.selectbox(tr("query.page_rows"), PAGE_SIZES, index=PAGE_SIZES.index(size), key="query_page_rows")
    page = p2.number_input(tr("query.page", pages=pages), min_value=1, max_value=max(1, -(-len(frame) // size)), value=1, key=f"query_page_{rid}")
    start = (int(page) - 1) * size
    # Shown as a person reads it: domain values by their names, no "None" in empty cells.
    labels = labels_for(store, language)
    st.dataframe(shown_values(frame.iloc[start:start + size], labels, language), hide_index=True,
                 key=f"query_result_{rid}", height=420, placeholder="")
    chart = chart_panel(store, shown_values(frame, labels, language), rid, last.get("title", ""))
    exports_panel(store, last, chart, rid)
    save_panel(store, last)


def chart_panel(store: Store, frame: pd.DataFrame, rid: int, title: str):
    """The auto-chart of the result (`frame` as shown: domain values by their names), with its choices."""
    comps = profiles.company_flags(store)
    language = lang()
    custom = all_custom_labels(store, language)

    def words(column: str) -> str:  # a picker names a column as the chart titles it
        return NONE if column == NONE else column_title(column, language, custom)

    suggestion = suggest_chart(frame, comps)
    if suggestion is None:
        st.caption(tr("query.chart.none"))
        return None
    c1, c2, c3, c4, c5 = st.columns(5)
    kind = c1.selectbox(tr("query.chart.kind"), CHART_KINDS, index=CHART_KINDS.index(suggestion.kind),
                        format_func=option_labels("query.chart"), key=f"query_chart_kind_{rid}")
    options = options_for(frame, kind)
    def pick(col, label: str, field: str, default: str | None, optional: bool = False) -> str | None:
        choices = ([NONE] if optional else []) + options[field]
        if not choices:
            return None
        index = choices.index(default) if default in choices else 0
        value = col.selectbox(label, choices, index=index, key=f"query_chart_{field}_{kind}_{rid}", format_func=words)
        return None if value == NONE else value
    same = kind == suggestion.kind
    x = pick(c2, tr("query.chart.x"), "x", suggestion.x if same else None)
    y = pick(c3, tr("query.chart.y"), "y", suggestion.y if same else None)
    color = pick(c4, tr("query.chart.color"), "color", suggestion.color if same else None, optional=True)
    aggregate = c5.selectbox(tr("query.chart.aggregate"), AGGREGATES, index=AGGREGATES.index(suggestion.aggregate),
                             format_func=option_labels("query.aggregate"), key=f"query_chart_agg_{rid}")
    if x is None or (kind != "histogram" and y is None):
        st.caption(tr("query.chart.none"))
        return None
    try:
        chart = build_chart(frame, ChartChoice(kind, x, y, color, aggregate), comps, title=title,
                            titles=column_titles(frame.columns, language, custom), rows_title=tr("query.column.rows"),
                            lang=language, us_color=highlight_color(store))
    except ChartRefused as error:
        st.caption(tr(error.key, **error.params))
        return None
    except ValueError:  # a column pandas cannot draw as chosen (text that is no date…)
        st.caption(tr("query.chart.none"))
        return None
    altair(chart, key=f"query_chart_{rid}")
    last = st.session_state[LAST]
    add_to_deck("query.result", {
        "sql": last["sql"], "params": last["params"], "param_kinds": param_kinds(last["params"]),
        "saved_id": last.get("saved_id"), "title": title,
        "chart": {"kind": kind, "x": x, "y": y, "color": color, "aggregate": aggregate},
    }, title or tr("present.view.query.result"), key=f"query_deck_{rid}")
    return chart


def exports_panel(store: Store, last: dict[str, Any], chart: Any, rid: int) -> None:
    key = f"query_exports_{rid}"
    if key not in st.session_state:
        if st.button(tr("query.export.prepare"), key="query_export_prepare", icon=":material/download:"):
            files = {}
            try:
                with st.spinner(tr("query.export.preparing")):
                    title = last.get("title") or "query"
                    for fmt in export.FORMATS:
                        files[fmt] = export.export_result(store, last["sql"], last["params"], fmt, title=title, actor=actor())
                    if chart is not None:
                        for fmt in export.CHART_FORMATS:
                            files[fmt] = export.chart_export(chart, fmt, title=title)
            except VantageError as error:
                show_error(error)
                return
            st.session_state[key] = files
            st.rerun()
        return
    files = st.session_state[key]
    cols = st.columns(len(files))
    for col, (fmt, item) in zip(cols, files.items()):
        col.download_button(tr(f"query.export.{fmt}"), item.data, file_name=item.file_name, mime=item.mime,
                            key=f"query_download_{fmt}_{rid}", on_click="ignore", width="stretch")
    first = next(iter(files.values()))
    if first.truncated:
        st.caption(tr("query.export.capped", rows=fmt_number(first.rows, lang())))


def save_panel(store: Store, last: dict[str, Any]) -> None:
    editing = st.session_state.get("query_editing")
    with st.form("query_save_form", border=True):
        st.markdown(f"**{tr('query.save.title')}**")
        name = st.text_input(tr("query.save.name"), key="query_save_name", max_chars=120)
        description = st.text_input(tr("query.save.description"), key="query_save_description", max_chars=500)
        replace = st.checkbox(tr("query.save.replace"), key="query_save_replace", value=False) if editing else False
        if st.form_submit_button(tr("query.save.button"), icon=":material/bookmark_add:"):
            specs = saved.with_defaults(
                saved.infer_parameters(last["sql"], st.session_state.get("query_editor_specs", {}), last["params"]),
                last["params"],
            )
            try:
                item = saved.save_query(
                    store, actor(), name=name, description=description, sql=last["sql"], parameters=specs,
                    saved_id=editing[0] if replace and editing else None,
                    expected_version=editing[1] if replace and editing else None,
                )
            except VantageError as error:
                show_error(error)
                return
            st.session_state["query_editing"] = (item.id, item.version)
            st.success(tr("query.save.done", name=item.name))
