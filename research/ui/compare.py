"""Compare page widgets: cached charts with click-to-focus and downloads, URL state, the feature editor, the summary.

The only Compare module that imports streamlit; everything it shows comes from
research.compare (data, wording, exports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st

from research import config
from research.compare import data, features, views
from research.compare.summary import summary_for
from research.data.labels import labels_for
from research.errors import VantageError
from research.store import Store
from research.ui.actions import Notice, attempt, save_grid_edits
from research.ui.cache import data_version
from research.ui.context import actor, can, lang, option_names, tr
from research.ui.deck_button import add_to_deck
from research.ui.text import escape_markdown
from research.ui.widgets import show_error

VIEWS = ("matrix", "canvas", "radar", "positioning", "prices", "share", "summary")
PRICE_KINDS = ("index", "distribution", "history")
VIEW_KEY = "compare_view"
COMPETITORS_KEY = "compare_competitors"
FOCUS_KEY = "compare_focus"
PRICE_KIND_KEY = "compare_price_kind"
EDITOR_KEY = "compare_feature_editor"
EDITOR_SNAPSHOT = "compare_feature_snapshot"
_URL_SEEN = "compare_url_seen"  # the query parameters last applied to (or written from) this session
NOTICE = Notice("compare_flash", toast=True, icon=":material/check:")


# ---- state: defaults, the URL and click-to-focus -------------------------------------------------


def init_state(store: Store, rivals: Sequence[str]) -> list[str]:
    """Default view and competitors, then whatever the URL asks for; returns names the URL had wrong.

    Widgets get their values through session state, never both a default and a state
    (Streamlit warns about that). The URL form is
    `?view=radar&competitors=Adria Pack,PackPro International&focus=Adria Pack&prices=history`;
    it is applied when a session opens the page and whenever the URL changes.
    """
    st.session_state.setdefault(VIEW_KEY, "matrix")
    if COMPETITORS_KEY not in st.session_state:
        st.session_state[COMPETITORS_KEY] = data.default_competitors(store)
    wanted = _url_params()
    if not wanted or st.session_state.get(_URL_SEEN) == wanted:
        return []
    st.session_state[_URL_SEEN] = wanted
    values = dict(wanted)
    first = {name: found[0] if found else "" for name, found in values.items()}
    unknown: list[str] = []
    if first.get("view") in VIEWS:
        st.session_state[VIEW_KEY] = first["view"]
    if first.get("prices") in PRICE_KINDS:
        st.session_state[PRICE_KIND_KEY] = first["prices"]
    if "competitors" in values:
        names, unknown = match_names(values["competitors"], rivals)
        st.session_state[COMPETITORS_KEY] = names
    if first.get("focus"):
        focus, _ = match_names(first["focus"], rivals)
        st.session_state[FOCUS_KEY] = focus[0] if focus else None
    return unknown


def _url_params() -> tuple[tuple[str, tuple[str, ...]], ...]:
    params = st.query_params
    return tuple(
        (name, tuple(params.get_all(name)))
        for name in ("view", "competitors", "focus", "prices")
        if name in params
    )


def match_names(entries: Sequence[str] | str, rivals: Sequence[str]) -> tuple[list[str], list[str]]:
    """Competitor names from URL entries (repeated, or comma-separated), case-insensitively; and the unknown ones."""
    by_lower = {r.lower(): r for r in rivals}
    found: list[str] = []
    unknown: list[str] = []
    for entry in [entries] if isinstance(entries, str) else entries:
        entry = entry.strip()
        # A name may itself contain a comma: take the entry whole when it is a known name.
        parts = [entry] if entry.lower() in by_lower else [p.strip() for p in entry.split(",")]
        for part in filter(None, parts):
            name = by_lower.get(part.lower())
            if name and name not in found:
                found.append(name)
            elif not name:
                unknown.append(part[:80])
    return found, unknown


def write_url(view: str, picked: Sequence[str], focus: str | None, price_kind: str | None) -> None:
    """Keep the address bar on what is shown, so the link can be copied for the next presentation."""
    wanted: dict[str, list[str] | str] = {"view": view}
    if picked:
        # One comma-separated parameter reads best; repeated ones when a name holds a comma.
        wanted["competitors"] = list(picked) if any("," in p for p in picked) else ",".join(picked)
    if focus:
        wanted["focus"] = focus
    if view == "prices" and price_kind:
        wanted["prices"] = price_kind
    for name in ("view", "competitors", "focus", "prices"):
        if name not in wanted and name in st.query_params:
            del st.query_params[name]
    for name, value in wanted.items():
        current = st.query_params.get_all(name)
        if current != ([value] if isinstance(value, str) else value):
            st.query_params[name] = value
    st.session_state[_URL_SEEN] = _url_params()


def keep_focus_valid() -> None:
    """The focus control offers the chosen competitors only: a focus on anyone else is dropped."""
    if st.session_state.get(FOCUS_KEY) not in st.session_state.get(COMPETITORS_KEY, []):
        st.session_state[FOCUS_KEY] = None


def _focus_from_chart(key: str) -> None:
    """A chart's selection changed (Streamlit calls this before the rerun): focus the clicked competitor.

    A double click clears the chart's selection and with it the focus; a click on our
    own company changes nothing (we are always highlighted).
    """
    label = _picked_label(st.session_state.get(key))
    if label is None:
        st.session_state[FOCUS_KEY] = None
    elif label in st.session_state.get(COMPETITORS_KEY, []):
        st.session_state[FOCUS_KEY] = label


def _picked_label(event: object) -> str | None:
    try:
        points = event["selection"][views.charts.FOCUS]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get("company_label")
    return None


# ---- charts ------------------------------------------------------------------------------------------


@st.cache_data(
    max_entries=config.COMPARE_CACHE_ENTRIES.value(), ttl=config.COMPARE_CACHE_TTL.value(),
    show_spinner=False,
)
def _cached_spec(
    _store: Store, database: str, version: tuple[int, int], kind: str, companies: tuple[tuple[int, str, bool], ...],
    language: str, options: tuple[tuple[str, object], ...],
) -> views.ChartSpec:
    # Keyed on the workspace and its data version (any audited write bumps it), so an
    # edit shows on the next run; the store itself is not hashed.
    chosen = [data.Company(*c) for c in companies]
    return views.chart_spec(_store, kind, chosen, language, **dict(options))


def chart_spec(store: Store, kind: str, chosen: Sequence[data.Company], **options: object) -> views.ChartSpec:
    """A chart in the session's language, from the cache when nothing was written since it was drawn."""
    companies = tuple((c.id, c.name, c.is_us) for c in chosen)
    return _cached_spec(store, store.database, data_version(store), kind, companies, lang(),
                        tuple(sorted(options.items())))


def deck_params(chosen: Sequence[data.Company], focus: str | None, **options: object) -> dict[str, object]:
    """A Compare chart's state as a slide keeps it (research.present.views_compare): company ids, focus, options."""
    focus_id = next((c.id for c in chosen if c.name == focus), None)
    return {"competitors": [c.id for c in chosen if not c.is_us], "focus": focus_id, **options}


def show_chart(spec: views.ChartSpec, *, key: str, focus: str | None, deck: tuple[str, dict[str, object]] | None = None) -> None:
    """The chart (the focused competitor stands out, a click focuses another), its notes, PNG/SVG/CSV downloads and
    "Add to deck" (`deck`: the registered view id and its params)."""
    for note in spec.notes:
        st.caption(escape_markdown(note))
    shown = spec.focused(focus)
    # A click on a company focuses it through a callback: it runs only when the selection
    # really changed, so a double click (selection cleared) can clear the focus.
    width: Literal["stretch", "content"] = "stretch" if spec.stretch else "content"
    if spec.selectable:
        st.vega_lite_chart(spec=shown, theme=None, width=width, key=key, on_select=partial(_focus_from_chart, key),
                           selection_mode=[views.charts.FOCUS])
    else:
        st.vega_lite_chart(spec=shown, theme=None, width=width, key=key)
    frame = spec.data
    with st.container(horizontal=True):
        # A "no data" chart has nothing worth exporting.
        st.download_button(tr("compare.download.png"), lambda: views.image_bytes(shown, "png"), f"{spec.name}.png",
                           "image/png", key=f"{key}_png", icon=":material/image:", on_click="ignore", disabled=frame.empty)
        st.download_button(tr("compare.download.svg"), lambda: views.image_bytes(shown, "svg"), f"{spec.name}.svg",
                           "image/svg+xml", key=f"{key}_svg", icon=":material/draw:", on_click="ignore", disabled=frame.empty)
        st.download_button(tr("compare.download.csv"), lambda: views.csv_bytes(frame), f"{spec.name}.csv", "text/csv",
                           key=f"{key}_csv", icon=":material/table:", on_click="ignore", disabled=frame.empty)
        if deck is not None and not frame.empty:
            title = shown.get("title")
            add_to_deck(deck[0], deck[1], str(title.get("text", "") if isinstance(title, dict) else title or ""), key=f"{key}_deck")


# ---- positioning: axes over built-in and custom attributes, the companies side by side ----------------


def positioning_controls(store: Store) -> tuple[str, str, str]:
    """x, y and bubble size pickers: the built-in attributes, then numeric custom company fields by their names."""
    labels = views.attribute_labels(store, lang())
    axes, sizes = views.position_attributes(store), views.size_attributes(store)
    for key, options in (("compare_pos_x", axes), ("compare_pos_y", axes), ("compare_pos_size", sizes)):
        if key in st.session_state and st.session_state[key] not in options:
            del st.session_state[key]  # a custom field renamed or removed since the last run
    cols = st.columns(3)
    x = cols[0].selectbox(tr("compare.positioning.x"), axes, format_func=option_names(labels), key="compare_pos_x")
    # The y axis offers every attribute but x's, so the two axes can never be the same.
    y_axes = [a for a in axes if a != x]
    if st.session_state.get("compare_pos_y") not in (None, *y_axes):
        del st.session_state["compare_pos_y"]
    y = cols[1].selectbox(tr("compare.positioning.y"), y_axes, format_func=option_names(labels), key="compare_pos_y")
    size = cols[2].selectbox(tr("compare.positioning.size_by"), sizes, format_func=option_names(labels),
                             key="compare_pos_size")
    return x, y, size


def profile(store: Store, chosen: Sequence[data.Company], attributes: Sequence[str]) -> None:
    """The chosen companies side by side: the plotted `attributes`, then their own fields, custom ones included;
    our row in the highlight colour. The same table as the positioning slide's."""
    if len(chosen) < 2:
        return
    table = views.profile_table(store, chosen, lang(), attributes=attributes)
    colour = views.highlight_color(store)
    ours = {views.company_label(c.name, True, lang()) for c in chosen if c.is_us}
    styled = table.style.apply(
        lambda column: [f"background-color: {colour}26; font-weight: 600" if column.name in ours else ""] * len(column))
    st.subheader(tr("compare.profile.title"))
    st.caption(tr("compare.profile.caption"))
    st.dataframe(styled, hide_index=True, key="compare_profile_table")


# ---- the advantage summary ---------------------------------------------------------------------------


def summary(store: Store, chosen: Sequence[data.Company], focus: str | None) -> None:
    """Advantages and gaps per competitor (the focused one first), rendered, then the same list as plain text to copy
    (no Markdown marks: it is pasted into slides and e-mails as it is)."""
    ordered = sorted(chosen, key=lambda c: (c.is_us, c.name != focus))
    summaries = summary_for(store, ordered)
    if not summaries:
        st.info(tr("compare.summary.pick"))
        return
    if focus:
        st.caption(escape_markdown(tr("compare.summary.focused", competitor=focus)))
    names = labels_for(store, lang())
    st.markdown(views.summary_markdown(summaries, lang(), escape=escape_markdown, names=names))
    st.caption(tr("compare.summary.copy"))
    st.code(views.summary_text(summaries, lang(), names=names), language=None, wrap_lines=True)


# ---- feature matrix edits ----------------------------------------------------------------------------


def feature_editor(store: Store, chosen: Sequence[data.Company], product_category: str | None) -> None:
    """Edit one company's feature values, notes and sources in place; saved in one audited transaction."""
    language = lang()
    company = st.selectbox(
        tr("compare.edit.company"), options=chosen, key="compare_edit_company",
        format_func=lambda c: views.company_label(c.name, c.is_us, language),
    )
    if company is None:
        return
    snapshot_key = (company.id, product_category)
    if st.session_state.get(EDITOR_SNAPSHOT, (None,))[0] != snapshot_key:
        # Edits are compared with the snapshot taken when the editor opened; a cell someone
        # else saved meanwhile is refused on save by its version, never overwritten.
        matrix = data.feature_matrix(store, [company], product_category=product_category)
        st.session_state[EDITOR_SNAPSHOT] = (snapshot_key, matrix)
        st.session_state.pop(EDITOR_KEY, None)
    loaded: pd.DataFrame = st.session_state[EDITOR_SNAPSHOT][1]
    if loaded.empty:
        st.info(tr("compare.matrix.empty"))
        return
    # Category and feature by their names in the viewer's language (both read-only); rows stay aligned with
    # `loaded`, which keeps the ids. Empty notes and sources as empty cells, not "None".
    names = labels_for(store, language)
    table = names.frame(loaded[["category", "feature", "value", "note", "source_url"]],
                        {"category": "feature_category", "feature": "feature"}).reset_index(drop=True)
    table[["note", "source_url"]] = table[["note", "source_url"]].astype(object).where(table[["note", "source_url"]].notna(), "")
    value_names = {v: tr(f"compare.value.{v}") for v in data.FEATURE_VALUES}
    edited = st.data_editor(
        table,
        key=EDITOR_KEY,
        hide_index=True,
        width="stretch",
        disabled=["category", "feature"],
        column_config={
            "category": st.column_config.TextColumn(tr("compare.label.category")),
            "feature": st.column_config.TextColumn(tr("compare.label.feature")),
            "value": st.column_config.SelectboxColumn(tr("compare.label.value"), options=list(data.FEATURE_VALUES), required=True,
                                                      format_func=option_names(value_names)),
            "note": st.column_config.TextColumn(tr("compare.label.note"), max_chars=features.MAX_NOTE),
            "source_url": st.column_config.LinkColumn(tr("compare.label.source")),
        },
    )
    if st.button(tr("compare.edit.save"), key="compare_edit_save", type="primary", icon=":material/save:"):
        save_grid_edits(changed_cells(loaded, edited), lambda edits: features.save_cells(store, actor(), edits),
                        lambda saved: tr("compare.edit.saved", n=saved), notice=NOTICE,
                        editor=(EDITOR_SNAPSHOT, EDITOR_KEY), nothing=tr("compare.edit.nothing"))


def changed_cells(loaded: pd.DataFrame, edited: pd.DataFrame) -> list[features.CellEdit]:
    """Cells whose value, note or source differ from the loaded snapshot, as CellEdits with load-time versions."""
    edits = []
    for i, (_, row) in enumerate(loaded.reset_index(drop=True).iterrows()):
        new = edited.iloc[i]
        if all(_same(row[c], new[c]) for c in ("value", "note", "source_url")):
            continue
        edits.append(
            features.CellEdit(
                int(row["feature_id"]), int(row["company_id"]), new["value"], new["note"], new["source_url"],
                None if pd.isna(row["cell_id"]) else int(row["cell_id"]),
                None if pd.isna(row["version"]) else int(row["version"]),
            )
        )
    return edits


def _same(a: object, b: object) -> bool:
    empty_a = a is None or (isinstance(a, float) and a != a) or a == ""
    empty_b = b is None or (isinstance(b, float) and b != b) or b == ""
    return (empty_a and empty_b) or a == b


def add_feature_form(store: Store) -> None:
    """A new feature (category, name, optional product category); every company starts as unknown."""
    categories = data.feature_groups(store)
    product_categories = data.price_categories(store)
    none = tr("compare.add.no_product_category")
    names = labels_for(store, lang())
    with st.form("compare_add_feature", clear_on_submit=True, border=True):
        st.markdown(f"**{tr('compare.add.title')}**")
        cols = st.columns([2, 3, 2])
        category = cols[0].selectbox(
            tr("compare.label.category"), options=categories, index=None, accept_new_options=True,
            placeholder=tr("compare.add.category_placeholder"), key="compare_add_category",
            format_func=lambda c: names("feature_category", c),
        )
        name = cols[1].text_input(tr("compare.label.feature"), max_chars=features.MAX_NAME, key="compare_add_name")
        product_category = cols[2].selectbox(
            tr("compare.matrix.filter"), options=[None, *product_categories], key="compare_add_product_category",
            format_func=lambda c: none if c is None else names("category", c),
        )
        submitted = st.form_submit_button(tr("compare.add.submit"), icon=":material/add:")
    if not submitted:
        return
    try:
        feature = features.add_feature(store, actor(), name, category or "", product_category)
    except VantageError as e:
        show_error(e)
        return
    st.session_state.pop(EDITOR_SNAPSHOT, None)
    st.success(tr("compare.add.added", feature=escape_markdown(feature["name"]), category=escape_markdown(feature["category"])),
               icon=":material/check:")


# ---- workspace highlight colour ------------------------------------------------------------------------


def highlight_setting(store: Store) -> None:
    """Pick and save the workspace's highlight colour for our company."""
    if not can("write"):
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        colour = st.color_picker(tr("compare.highlight.label"), value=views.highlight_color(store), key="compare_highlight")
        save = st.button(tr("compare.highlight.save"), key="compare_highlight_save")
    if save:
        attempt(lambda: views.set_highlight_color(store, actor(), colour), tr("compare.highlight.saved"), notice=NOTICE)


def offer_demo_features(store: Store) -> None:
    """On a demo workspace whose feature matrix is empty, one click fills it (the demo build leaves it empty)."""
    seed = store.meta("demo_seed")
    if seed is None or not can("write") or data.feature_groups(store) or store.read_only:
        return
    if st.button(tr("compare.matrix.seed_demo"), key="compare_seed_features", icon=":material/auto_awesome:"):
        attempt(lambda: features.seed_demo_features(store, int(seed) if seed.isdigit() else 42, actor=actor()),
                lambda cells: tr("compare.matrix.seeded", n=cells), notice=NOTICE)


def category_names(store: Store, every: str | None = None) -> Callable[[str | None], str]:
    """A product-category picker's format_func: each category by its name in the viewer's language (the stored value
    stays the option), None as `every`."""
    names, everything = labels_for(store, lang()), every or ""
    return lambda category: everything if category is None else names("category", category)


def no_competitors() -> None:
    st.info(tr("compare.pick_competitors"))
