"""Compare page: where we beat each competitor and where we lag, in projector-ready charts."""

import streamlit as st

from research.compare import data
from research.errors import VantageError
from research.i18n import t
from research.market import SEGMENT_DIMENSIONS
from research.ui import can, lang, page_setup, show_error, tr
from research.ui import compare as ui

store = page_setup("compare", caption=tr("compare.caption"))
ui.NOTICE.show()
language = lang()
# Format functions take the language as a bound value, not from session state when
# called: AppTest formats option labels outside the script run.
label = lambda prefix: lambda v, language=language: t(f"{prefix}.{v}", language)  # noqa: E731

rivals = [c.name for c in data.companies(store) if not c.is_us]
unknown = ui.init_state(store, rivals)
ui.keep_focus_valid()
if unknown:
    st.warning(tr("compare.url.unknown", names=", ".join(unknown)), icon=":material/link_off:")

top = st.columns([3, 2])
picked = top[0].multiselect(tr("compare.competitors"), options=rivals, key=ui.COMPETITORS_KEY, help=tr("compare.competitors_help"))
chosen = data.pick_companies(store, picked)
focus = top[1].segmented_control(tr("compare.focus"), options=picked, key=ui.FOCUS_KEY, help=tr("compare.focus_help"))
view = st.segmented_control(tr("compare.view"), options=ui.VIEWS, format_func=label("compare.view"), key=ui.VIEW_KEY) or "matrix"
price_kind = None

# The chart comes right under the pickers, so it opens above the fold on a 1280×720 projector;
# a view's own options (category, axes, price kind…) are drawn under it but read first.
chart_area = st.container(key="compare_chart_area")
if not picked:
    with chart_area:
        ui.no_competitors()


def show(kind: str, key: str, view_id: str, deck_options: dict | None = None, **options: object) -> None:
    with chart_area:
        ui.show_chart(ui.chart_spec(store, kind, chosen, **options), key=key, focus=focus,
                      deck=(view_id, ui.deck_params(chosen, focus, **(options if deck_options is None else deck_options))))


try:
    if view == "matrix":
        category = st.selectbox(tr("compare.matrix.filter"), [None, *data.feature_categories(store)], key="compare_matrix_category",
                                format_func=ui.category_names(store, tr("compare.all_categories")))
        show("matrix", "compare_matrix_chart", "compare.matrix", {"category": category}, product_category=category)
        ui.offer_demo_features(store)
        if can("write") and st.toggle(tr("compare.edit.toggle"), key="compare_edit_toggle"):
            ui.feature_editor(store, chosen, category)
            ui.add_feature_form(store)
    elif view in ("canvas", "radar", "share"):
        options = {}
        if view == "share":
            sources = ("saved", *SEGMENT_DIMENSIONS) if data.saved_segments_available(store) else SEGMENT_DIMENSIONS
            st.session_state.setdefault("compare_share_source", sources[0])
            options["source"] = st.segmented_control(tr("compare.share.by"), sources, key="compare_share_source",
                                                     format_func=label("compare.share.source")) or sources[0]
        show(view, f"compare_{view}_chart", f"compare.{view}", **options)
    elif view == "positioning":
        x, y, size = ui.positioning_controls(store)
        show("positioning", "compare_positioning_chart", "compare.positioning", x=x, y=y, size=size)
        ui.profile(store, chosen, (x, y, size))
    elif view == "prices":
        st.session_state.setdefault(ui.PRICE_KIND_KEY, "index")
        price_kind = st.radio(tr("compare.prices.kind"), ui.PRICE_KINDS, horizontal=True, key=ui.PRICE_KIND_KEY,
                              format_func=label("compare.prices.kind"))
        if price_kind == "index":
            show("price-index", "compare_price_index_chart", "compare.price_index")
        elif price_kind == "distribution":
            show("price-distribution", "compare_price_dist_chart", "compare.price_distribution")
        elif categories := data.price_categories(store, ours_only=True):
            cols = st.columns([2, 1])
            category = cols[0].selectbox(tr("col.category"), categories, key="compare_history_category",
                                         format_func=ui.category_names(store))
            threshold = cols[1].number_input(tr("compare.prices.threshold"), 0.5, 50.0, 3.0, 0.5, key="compare_threshold")
            show("price-history", "compare_price_history_chart", "compare.price_history", category=category,
                 threshold=threshold / 100)
        else:
            with chart_area:
                st.info(tr("compare.prices.empty"))
    else:
        with chart_area:
            ui.summary(store, chosen, focus)
except VantageError as e:
    with chart_area:
        show_error(e)
ui.write_url(view, picked, focus, price_kind)

st.divider()
ui.highlight_setting(store)
