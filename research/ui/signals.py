"""Widgets of the Signals page: the inbox (filters, counts, the table, one signal's evidence and its
triage forms, bulk mode) and the rules.

Every write goes through research.signals (accept, attach, dismiss, refresh, rules), which checks the
role again: viewers see the inbox read-only. Stored and scraped text (statements, page names, diffs,
deal notes, addresses) is shown with st.text, st.code, tables or escaped markdown, never as HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from research.competitors import profiles, swot
from research.competitors.states import Quadrant
from research.data.reasons import reasons_text
from research.i18n import fmt_date, fmt_number, fmt_percent
from research.signals import drafts, records, rules, triage
from research.signals.generate import generate_signals
from research.signals.records import Signal
from research.signals.states import SignalKind, SignalStatus
from research.store import Store
from research.ui.actions import Notice, attempt
from research.ui.context import actor, can, lang, tr
from research.ui.text import escape_markdown

VIEWS = ("inbox", "rules")
VIEW_KEY = "signals_view"
NOTICE = Notice("signals_flash", escape=True)  # after a triage, a refresh or a rule change the page reruns
ALL = "all"
STATUS_CHOICES = (*SignalStatus, ALL)
MAX_SHOWN = 500


def choose_view() -> str:
    return st.segmented_control(
        tr("signals.view"), options=list(VIEWS), format_func={v: tr(f"signals.view.{v}") for v in VIEWS}.__getitem__,
        default="inbox", key=VIEW_KEY,
    ) or "inbox"


def _editor(store: Store) -> bool:
    return can("write") and not store.read_only


def _option(signal: Signal, language: str) -> str:
    return tr("signals.option", id=signal.id, date=fmt_date(signal.occurred_on, language),
              kind=drafts.kind_label(signal.kind, language), company=drafts.company_name(signal, language))


# ---- the inbox ------------------------------------------------------------------------------------


def _filters(store: Store) -> tuple[str, int | None, str | None]:
    language = lang()
    by_company = records.counts_by_company(store)
    names: dict[int, str] = {int(r["company_id"]): r["company"] + (tr("chart.us_suffix") if r["is_us"] else "")
                             for r in by_company.to_dict("records") if r["total"]}
    left, middle, right = st.columns(3)
    status = left.selectbox(
        tr("signals.filter.status"), options=list(STATUS_CHOICES), key="signals_status",
        format_func=lambda s: tr("signals.filter.all") if s == ALL else drafts.status_label(s, language),
    )
    company = middle.selectbox(
        tr("signals.filter.company"), options=[None, *names], key="signals_company",
        format_func=lambda c: tr("signals.filter.all") if c is None else names.get(c, str(c)),
    )
    kind = right.selectbox(
        tr("signals.filter.kind"), options=[None, *SignalKind], key="signals_kind",
        format_func=lambda k: tr("signals.filter.all") if k is None else drafts.kind_label(k, language),
    )
    return status, company, kind


def _refresh_button(store: Store) -> None:
    if not st.button(tr("signals.refresh"), key="signals_refresh", icon=":material/refresh:",
                     help=tr("signals.refresh_help")):
        return
    attempt(lambda: generate_signals(store, actor()),
            lambda r: tr("signals.refreshed", n=fmt_number(r.total, lang())) if r.total else tr("signals.refreshed_none"),
            notice=NOTICE)


def inbox_view(store: Store) -> None:
    language = lang()
    editor = _editor(store)
    if editor:
        _refresh_button(store)
    status, company_id, kind = _filters(store)
    counts = records.status_counts(store, company_id=company_id, kind=kind)
    for column, (name, n) in zip(st.columns(len(counts)), counts.items()):
        column.metric(drafts.status_label(name, language), fmt_number(n, language))
    if not any(records.status_counts(store).values()):
        st.info(tr("signals.empty"), icon=":material/notifications_none:")
        return
    shown = records.list_signals(store, status=None if status == ALL else status, company_id=company_id, kind=kind,
                                 limit=MAX_SHOWN)
    if not shown:
        st.info(tr("signals.empty_filtered"), icon=":material/filter_alt_off:")
        return
    total = counts[status] if status != ALL else sum(counts.values())
    st.caption(tr("signals.shown", shown=fmt_number(len(shown), language), total=fmt_number(total, language)))
    st.dataframe(drafts.inbox_table(shown, language), hide_index=True, key="signals_table")
    if editor and st.toggle(tr("signals.bulk"), key="signals_bulk"):
        _bulk(store, [s for s in shown if s.is_new])
        return
    by_id = {s.id: s for s in shown}
    picked = st.selectbox(tr("signals.pick"), options=list(by_id), key="signals_pick",
                          format_func=lambda i: _option(by_id[i], language))
    if picked is not None:
        _detail(store, by_id[picked], editor)


def _bulk(store: Store, fresh: list[Signal]) -> None:
    language = lang()
    by_id = {s.id: s for s in fresh}
    chosen = st.multiselect(tr("signals.bulk.pick"), options=list(by_id), key="signals_bulk_pick",
                            format_func=lambda i: _option(by_id[i], language))
    left, right = st.columns(2)
    if left.button(tr("signals.bulk.accept"), key="signals_bulk_accept", type="primary", icon=":material/done_all:"):
        attempt(lambda: triage.accept_many(store, actor(), chosen, lang=language),
                lambda r: tr("signals.done.accepted_many", n=fmt_number(len(r), language)), notice=NOTICE,
                forget=("signals_bulk_pick",))
    reason = right.text_input(tr("signals.form.reason"), key="signals_bulk_reason", max_chars=triage.MAX_REASON)
    if right.button(tr("signals.bulk.dismiss"), key="signals_bulk_dismiss", icon=":material/block:"):
        attempt(lambda: triage.dismiss(store, actor(), chosen, reason),
                lambda r: tr("signals.done.dismissed", n=fmt_number(len(r), language)), notice=NOTICE,
                forget=("signals_bulk_pick", "signals_bulk_reason"))


def _evidence(signal: Signal) -> None:
    language = lang()
    st.markdown(f"**{escape_markdown(tr('signals.detail.evidence'))}**")
    st.text(drafts.evidence_line(signal, language))
    if signal.source_url:
        st.caption(tr("signals.detail.source"))
        st.text(signal.source_url)
        st.link_button(tr("signals.detail.open_source"), signal.source_url, icon=":material/open_in_new:")
    else:
        st.caption(tr("signals.detail.no_source"))
    diff = signal.evidence.get("diff")
    if diff:
        st.caption(tr("signals.detail.diff"))
        st.code(str(diff), language="diff")
    note = signal.evidence.get("note")
    if note:
        st.caption(tr("signals.detail.note"))
        st.text(str(note))
    if signal.reasons:
        st.caption(tr("signals.detail.reasons"))
        st.text(reasons_text(signal.reasons, language))


def _detail(store: Store, signal: Signal, editor: bool) -> None:
    language = lang()
    with st.container(border=True):
        st.subheader(f"#{signal.id} · {drafts.kind_label(signal.kind, language)}")
        st.caption(escape_markdown(f"{fmt_date(signal.occurred_on, language)} · {drafts.company_name(signal, language)}"))
        _evidence(signal)
        if not signal.is_new:
            st.info(escape_markdown(drafts.decision_line(signal, language)), icon=":material/task_alt:")
            return
        st.markdown(f"**{escape_markdown(tr('signals.detail.draft'))}**")
        if not editor:
            st.text(f"{drafts.quadrant_label(signal.draft_quadrant, language)}: {drafts.statement(signal, language)}")
            st.caption(tr("signals.detail.read_only"))
            return
        _triage_forms(store, signal)


def _triage_forms(store: Store, signal: Signal) -> None:
    language = lang()
    prefix = f"signals_{signal.id}_"
    if signal.kind == "stale_item":
        st.caption(tr("signals.stale_hint"))
    else:
        companies = {cid: name for cid, name, _ in profiles.company_options(store)}
        with st.form(f"{prefix}accept_form", border=False):
            quadrants: list[Quadrant] = list(Quadrant)  # typed: see `kinds` in rules_view
            quadrant = st.selectbox(tr("signals.form.quadrant"), options=quadrants, key=f"{prefix}quadrant",
                                    index=quadrants.index(signal.draft_quadrant),
                                    format_func=lambda q: drafts.quadrant_label(q, language))
            company = None
            if signal.company_id is None:
                company = st.selectbox(tr("signals.form.company"), options=list(companies), key=f"{prefix}company",
                                       format_func=lambda c: companies.get(c, str(c)))
            statement = st.text_area(tr("signals.form.statement"), value=drafts.statement(signal, language),
                                     key=f"{prefix}statement", max_chars=400)
            accepted = st.form_submit_button(tr("signals.form.accept"), key=f"{prefix}accept", type="primary",
                                             icon=":material/add_task:")
        if accepted:
            attempt(lambda: triage.accept(store, actor(), signal.id, quadrant=quadrant, statement=statement,
                                          company_id=company, lang=language),
                    lambda r: tr("signals.done.accepted", id=r.signal_id, item=r.item_id), notice=NOTICE)
    _attach_form(store, signal, prefix)
    with st.form(f"{prefix}dismiss_form", border=False):
        reason = st.text_input(tr("signals.form.reason"), key=f"{prefix}reason", max_chars=triage.MAX_REASON)
        dismissed = st.form_submit_button(tr("signals.form.dismiss"), key=f"{prefix}dismiss", icon=":material/block:")
    if dismissed:
        attempt(lambda: triage.dismiss(store, actor(), [signal.id], reason),
                lambda r: tr("signals.done.dismissed", n=fmt_number(len(r), lang())), notice=NOTICE)


def _attach_form(store: Store, signal: Signal, prefix: str) -> None:
    if signal.company_id is None:
        return
    items = {i.id: i for i in swot.list_items(store, signal.company_id, viewer=actor())}
    if not items:
        st.caption(tr("signals.form.no_items"))
        return
    own = signal.evidence.get("item_id")
    with st.form(f"{prefix}attach_form", border=False):
        item_id = st.selectbox(
            tr("signals.form.attach_item"), options=list(items), key=f"{prefix}item",
            index=list(items).index(own) if own in items else 0,
            format_func=lambda i: f"{items[i].label or '–'} · {items[i].statement[:120]}",
        )
        attached = st.form_submit_button(tr("signals.form.attach"), key=f"{prefix}attach", icon=":material/attach_file:")
    if attached:
        attempt(lambda: triage.attach(store, actor(), signal.id, item_id, lang=lang()),
                lambda r: tr("signals.done.attached", id=r.signal_id, item=r.item_id), notice=NOTICE)


# ---- rules ----------------------------------------------------------------------------------------


def rules_table(found: dict[str, rules.Rule], language: str) -> pd.DataFrame:
    rows = list(found.values())
    return pd.DataFrame({
        tr("signals.rules.kind"): [drafts.kind_label(r.kind, language) for r in rows],
        tr("signals.col.rule_on"): [tr("signals.yes") if r.enabled else tr("signals.no") for r in rows],
        tr("signals.col.threshold"): [fmt_percent(r.threshold, language, 1) if r.threshold is not None else "–"
                                      for r in rows],
        tr("signals.col.window"): [fmt_number(r.window_days, language) for r in rows],
        tr("signals.col.setting"): [tr("signals.setting.default") if r.is_default else tr("signals.setting.workspace")
                                    for r in rows],
    })


def rules_view(store: Store) -> None:
    language = lang()
    st.caption(tr("signals.rules.caption"))
    found = rules.list_rules(store)
    st.dataframe(rules_table(found, language), hide_index=True, key="signals_rules_table")
    if not _editor(store):
        return
    # A typed list: given `list(SignalKind)` inline, mypy picks selectbox's overload for no options.
    kinds: list[SignalKind] = list(SignalKind)
    kind = st.selectbox(tr("signals.rules.kind"), options=kinds, key="signals_rule_kind",
                        format_func=lambda k: drafts.kind_label(k, language))
    rule = found[kind]
    with st.form(f"signals_rule_form_{kind}", border=True):
        enabled = st.checkbox(tr("signals.rules.enabled"), value=rule.enabled, key=f"signals_rule_enabled_{kind}")
        threshold = None
        if kind in rules.THRESHOLD_KINDS:
            threshold = st.number_input(tr("signals.rules.threshold"), min_value=0.0, max_value=rules.MAX_THRESHOLD * 100,
                                        value=float(rule.threshold or 0) * 100, step=0.5,
                                        key=f"signals_rule_threshold_{kind}")
        window = st.number_input(tr("signals.rules.window"), min_value=1, max_value=rules.MAX_WINDOW_DAYS,
                                 value=int(rule.window_days), step=1, key=f"signals_rule_window_{kind}")
        saved = st.form_submit_button(tr("signals.rules.save"), key=f"signals_rule_save_{kind}", type="primary")
    if saved:
        attempt(lambda: rules.set_rule(store, actor(), kind, enabled=enabled,
                                       threshold=None if threshold is None else threshold / 100,
                                       window_days=int(window), expected_version=rule.version),
                lambda _: tr("signals.rules.saved"), notice=NOTICE)
