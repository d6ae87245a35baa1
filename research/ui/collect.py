"""Widgets of the Collect page: watchers table and runs, the add form with Test (and why), change log, history."""

from __future__ import annotations

import streamlit as st

from research.collect import inbox, views
from research.collect.collector import (
    RunRow,
    TestOutcome,
    collect_into_store,
    test_watcher,
)
from research.collect.extract import FIELD_TYPES
from research.collect.states import Schedule, WatcherKind
from research.collect.watchers import (
    add_watcher,
    companies_and_products,
    list_watchers,
    remove_watcher,
)
from research.errors import VantageError
from research.i18n import fmt_number
from research.store import Store
from research.ui.context import actor, can, lang, option_labels, option_names, tr
from research.ui.text import escape_markdown
from research.ui.widgets import altair, show_error

VIEWS = ("watchers", "add", "changes", "history")


def merge_waiting_results(store: Store) -> None:
    """Results a cron `collect` left in the inbox while this app held the workspace: record them once."""
    if store.read_only or not can("collect") or not inbox.pending_batches():
        return
    try:
        summary = inbox.merge_inbox(store, actor())
    except VantageError as error:
        show_error(error)
        return
    if summary.recorded:
        st.success(tr("collect.merged", recorded=summary.recorded), icon=":material/inbox:")


def choose_view() -> str:
    return st.segmented_control(
        tr("collect.view"), options=list(VIEWS), format_func=option_labels("collect.view"),
        default="watchers", key="collect_view",
    ) or "watchers"


def _watcher_names(store: Store) -> dict[int, str]:
    return {w.id: f"#{w.id} · {w.title[:80]}" for w in list_watchers(store)}


def watchers_section(store: Store) -> None:
    names = _watcher_names(store)
    if not names:
        st.info(tr("collect.empty"), icon=":material/travel_explore:")
        return
    if not can("collect"):  # viewers and editors look at the watchers; admins run and remove them
        st.dataframe(views.status_badges(views.watchers_view(store, lang()), lang()), hide_index=True,
                     key="collect_watchers_table")
        return
    chosen = st.multiselect(tr("collect.select_hint"), options=list(names), format_func=option_names(names),
                            key="collect_selected",
                            placeholder=tr("collect.choose"))
    left, middle, test_col, right = st.columns(4)
    run_selected = left.button(tr("collect.run_selected"), key="collect_run_selected", icon=":material/play_arrow:")
    run_all = middle.button(tr("collect.run_all"), key="collect_run_all", type="primary", icon=":material/fast_forward:")
    test = test_col.button(tr("collect.test_selected"), key="collect_test_selected", icon=":material/science:")
    remove = right.toggle(tr("collect.remove"), key="collect_remove_toggle")
    if test:
        if len(chosen) != 1:
            st.warning(tr("collect.test_one"))
        else:
            try:
                with st.spinner(tr("collect.running", count=1)):
                    show_test(test_watcher(views.draft_of(list_watchers(store, chosen)[0])))
            except VantageError as error:
                show_error(error)
    if run_selected or run_all:
        if run_selected and not chosen:
            st.warning(tr("collect.nothing_selected"))
        else:
            run_watchers(store, list_watchers(store, chosen) if run_selected else list_watchers(store, enabled_only=True))
    if remove:
        if not chosen:
            st.warning(tr("collect.nothing_selected"))
        elif st.button(tr("collect.remove_confirm", count=len(chosen)), key="collect_remove_confirm", type="primary"):
            try:
                for watcher_id in chosen:
                    remove_watcher(store, actor(), watcher_id)
            except VantageError as error:
                show_error(error)
            else:
                st.session_state.pop("collect_selected", None)
                st.session_state.pop("collect_remove_toggle", None)
                st.rerun()
    # Drawn after any run, so the statuses are the fresh ones.
    table = views.watchers_view(store, lang())
    st.dataframe(views.status_badges(table, lang()), hide_index=True, key="collect_watchers_table")


def run_watchers(store: Store, watchers: list) -> None:
    """Run now with a progress bar and one live line per finished page."""
    language = lang()
    bar = st.progress(0.0, text=tr("collect.running", count=len(watchers)))
    with st.status(tr("collect.running", count=len(watchers)), expanded=True) as status:

        def on_row(row: RunRow, done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=tr("collect.progress", done=done, total=total, watcher=row.watcher[:80]))
            message = views.message_text(row.message, language)
            st.text(f"{views.status_label(row.status, language)} · {row.watcher[:100]}" + (f" — {message[:160]}" if message else ""))

        try:
            summary = collect_into_store(store, actor(), watchers, on_row=on_row)
        except VantageError as error:
            status.update(state="error")
            show_error(error)
            return
        counts = summary.counts()
        status.update(
            label=tr(
                "collect.finished", seconds=f"{summary.seconds:.1f}", changed=counts.get("changed", 0),
                unchanged=counts.get("unchanged", 0), new=counts.get("new", 0),
                failed=counts.get("error", 0) + counts.get("blocked", 0),
            ),
            state="complete" if summary.ok else "error",
        )
    if summary.new_signals:
        st.info(tr("collect.new_signals", n=fmt_number(summary.new_signals, language)), icon=":material/notifications:")
        st.page_link("pages/signals.py", label=tr("collect.open_signals"), icon=":material/arrow_forward:")


def add_section(store: Store) -> None:
    companies, products = companies_and_products(store)
    company_names = dict(zip(companies["id"].astype(int), companies["name"]))
    product_names = {
        int(r["id"]): f"{r['company']} — {r['name']}" + (f" ({r['sku']})" if r["sku"] else "")
        for r in products.to_dict("records")
    }
    none = tr("collect.form.none")
    with st.form("collect_add_form"):
        top = st.columns(2)
        middle = st.columns(3)
        fields_col, ignore_col = st.columns(2)
        bottom = st.columns(3)
        values = {
            "url": top[0].text_input(tr("collect.form.url"), key="collect_url", placeholder="https://", max_chars=2000),
            "label": top[1].text_input(tr("collect.form.label"), key="collect_label", max_chars=120),
            "company": middle[0].selectbox(tr("collect.form.company"), options=[None, *company_names], key="collect_company",
                                           format_func=lambda c: none if c is None else company_names[c]),
            "product": middle[1].selectbox(tr("collect.form.product"), options=[None, *product_names], key="collect_product",
                                           format_func=lambda p: none if p is None else product_names[p]),
            "kind": middle[2].selectbox(tr("collect.form.kind"), options=list(WatcherKind), key="collect_kind",
                                        format_func=option_labels("collect.kind")),
            "fields": fields_col.text_area(
                tr("collect.form.fields"), key="collect_fields", height=100,
                help=tr("collect.form.fields_help", types=", ".join(FIELD_TYPES),
                        examples="price=.product-price · stock=.availability · image=img.main@src · date:date=time")),
            "ignore": ignore_col.text_area(tr("collect.form.ignore"), key="collect_ignore", placeholder="#cookie-banner",
                                           height=100),
            "items": bottom[0].text_input(tr("collect.form.items"), key="collect_items", placeholder="li.product"),
            "min_change": bottom[1].number_input(tr("collect.form.min_change"), min_value=0.0, max_value=1000.0, value=0.0,
                                                 step=0.5, key="collect_min_change"),
            "schedule": bottom[2].selectbox(tr("collect.form.schedule"), options=list(Schedule), index=2,
                                            key="collect_schedule", format_func=option_labels("collect.schedule")),
        }
        saved_page = st.file_uploader(tr("collect.form.file", ext=".html"), type=["html", "htm"], key="collect_file",
                                      help=tr("collect.form.file_help"))
        left, right = st.columns(2)
        test = left.form_submit_button(tr("collect.form.test"), icon=":material/science:")
        save = right.form_submit_button(tr("collect.form.save"), type="primary", icon=":material/save:")
    if not (test or save):
        return
    try:
        if test and saved_page is not None:  # the address is optional: it only names the page
            draft = views.draft_from_form(values, need_url=False)
            show_test(views.test_saved_page(saved_page.getvalue(), draft), file=saved_page.name)
        elif test:
            draft = views.draft_from_form(values)
            with st.spinner(tr("collect.running", count=1)):
                show_test(test_watcher(draft))
        else:
            watcher = add_watcher(store, actor(), views.draft_from_form(values))
            st.success(tr("collect.saved", id=watcher.id), icon=":material/check_circle:")
    except VantageError as error:
        show_error(error)


def show_test(outcome: TestOutcome, file: str | None = None) -> None:
    """What the watcher would record, and for product pages each field's candidates and why the winner won."""
    language = lang()
    if outcome.extraction is None:
        st.error(tr("collect.test.failed", status=views.status_label(outcome.status, language),
                    message=escape_markdown(views.message_text(outcome.message, language) or views.BLANK)))
        return
    extraction = outcome.extraction
    st.markdown(tr("collect.test.ok_file", file=escape_markdown(file)) if file else tr("collect.test.ok"))
    st.dataframe(views.extraction_view(extraction, language), hide_index=True, key="collect_test_values")
    if "items" in extraction.values:
        st.caption(tr("collect.test.items", count=extraction.values.get("count", 0)))
        st.dataframe(views.items_view(extraction, language), hide_index=True, key="collect_test_items")
    if outcome.missing:
        st.warning(tr("collect.test.missing", fields=escape_markdown(views.missing_text(outcome.missing, language))),
                   icon=":material/warning:")
    if extraction.notes:  # e.g. a JSON-LD block nested too deeply to read
        st.caption(tr("collect.test.notes", notes=escape_markdown(" ".join(extraction.notes))))
    explained = views.explanation_view(extraction.evidence, extraction.values, language)
    if explained:
        st.subheader(tr("collect.explain.title"))
        st.caption(tr("collect.explain.caption"))
    for field in explained:
        # Labels and markdown hold scraped text: escaped, and cells stay plain text in a dataframe.
        with st.expander(escape_markdown(field.heading), expanded=False):
            st.markdown(escape_markdown(field.reason))
            st.dataframe(field.candidates, hide_index=True, key=f"collect_explain_{field.field}")


def changes_section(store: Store) -> None:
    companies, _ = companies_and_products(store)
    names = dict(zip(companies["id"].astype(int), companies["name"]))
    left, right = st.columns([3, 1])
    company = left.selectbox(tr("collect.changes.company"), options=[None, *names], key="collect_changes_company",
                             format_func=lambda c: tr("collect.changes.all") if c is None else names[c])
    prices_only = right.toggle(tr("collect.changes.prices_only"), key="collect_changes_prices")
    table, diff = views.changes_view(store, lang(), company_id=company, prices_only=prices_only)
    if table.empty:
        st.info(tr("collect.changes.empty"))
        return
    st.dataframe(table, hide_index=True, key="collect_changes_table")
    if diff:
        st.caption(tr("collect.changes.diff"))
        st.code(diff, language="diff")


def history_section(store: Store) -> None:
    names = _watcher_names(store)
    if not names:
        st.info(tr("collect.empty"))
        return
    watcher_id = st.selectbox(tr("collect.history.watcher"), options=list(names), format_func=option_names(names),
                              key="collect_history_watcher")
    chart = views.history_view(store, int(watcher_id), lang())
    if chart is None:
        st.info(tr("collect.history.empty"))
    else:
        altair(chart, key="collect_history_chart")
