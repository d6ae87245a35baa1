"""Views of the Competitors page: company list, profile, SWOT editing, board, TOWS,
cross-competitor view, battlecard, win/loss, the stale queue and the history panel.

Each `render_*` function draws one sub-view; the page picks which one runs. Writes
go through research.competitors with the version the form was loaded with, so a
parallel edit is refused instead of overwritten. User text is shown with
st.text/st.dataframe or escaped markdown, never as HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from research.collect import views as collect_views
from research.competitors import analysis, battlecard, exports, profiles, swot, tows, views, winloss, winloss_views
from research.competitors import validation as v
from research.competitors.profiles import Company
from research.competitors.states import Confidence, Quadrant, TowsKind, TowsStatus
from research.data import fields
from research.data.labels import labels_for
from research.data.states import PricePosition
from research.errors import VantageError
from research.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from research.present import views_competitors
from research.present.model import RenderContext, SlideContent
from research.present.views import DataGone
from research.store import Store
from research.ui import present as present_ui
from research.ui.actions import Notice, attempt, conflict_panel
from research.ui.cache import by_data_version
from research.ui.context import actor, can, lang, option_labels, option_names, tr
from research.ui.deck_button import add_to_deck
from research.ui.text import escape_markdown
from research.ui.widgets import altair, show_error

PRODUCTS_SHOWN = 500  # a profile lists the first products by category; a distributor's 40,000 would take seconds

VIEWS = ("companies", "profile", "swot", "board", "tows", "cross", "battlecard", "winloss", "stale", "history")
COMPANY_KEY = "competitors_company"
VIEW_KEY = "competitors_view"
PRESENT_STATE = "competitors_presenting"
NOTICE = Notice("competitors_flash")
PENDING_COMPANY = "competitors_pending_company"
PENDING_VIEW = "competitors_pending_view"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PRESENTABLE = ("board", "battlecard")  # the views with a presentation mode (`?view=…&present=1`)


# ---- page state: company, view, presentation mode; deep links via ?company=&view=&present= ----


def choose(store: Store) -> tuple[Company | None, str, bool]:
    """Seed the picker and view from the URL on arrival; return (company, view, presenting)."""
    options = profiles.company_options(store, include_archived=True)
    ids = [cid for cid, _, _ in options]
    params = st.query_params
    if PENDING_COMPANY in st.session_state:
        st.session_state[COMPANY_KEY] = st.session_state.pop(PENDING_COMPANY)
    if PENDING_VIEW in st.session_state:
        st.session_state[VIEW_KEY] = st.session_state.pop(PENDING_VIEW)
    if COMPANY_KEY not in st.session_state or st.session_state[COMPANY_KEY] not in ids:
        wanted = (params.get("company") or "").strip().lower()
        by_name = [cid for cid, name, _ in options if name.lower() == wanted]
        st.session_state[COMPANY_KEY] = by_name[0] if by_name else _first_competitor(store, ids)
    if VIEW_KEY not in st.session_state:
        wanted_view = params.get("view")
        st.session_state[VIEW_KEY] = wanted_view if wanted_view in VIEWS else "profile"
    if PRESENT_STATE not in st.session_state:
        st.session_state[PRESENT_STATE] = params.get("present") == "1"
    presenting = bool(st.session_state[PRESENT_STATE]) and bool(ids)
    if not presenting:
        st.selectbox(
            tr("competitors.pick"),
            options=ids,
            format_func=option_names({cid: views.company_label(name, is_us, lang()) for cid, name, is_us in options}),
            key=COMPANY_KEY,
            width=420,
        )
        st.segmented_control(
            tr("competitors.view"),
            options=list(VIEWS),
            format_func=option_labels("competitors.view"),
            key=VIEW_KEY,
            label_visibility="collapsed",
            width="stretch",
        )
    company_id = st.session_state.get(COMPANY_KEY)
    view = st.session_state.get(VIEW_KEY) or "profile"
    # Private notes: their author's and admins' at their own desk, nobody's on a shared screen.
    company = (profiles.get_company(store, company_id, viewer=actor(), include_private=not presenting)
               if company_id is not None else None)
    if presenting and view not in PRESENTABLE:
        view = "board"
    _sync_url(company, view, presenting)
    return company, view, presenting


def _first_competitor(store: Store, ids: list[int]) -> int | None:
    """The page's opening company: the first active competitor (a session is about them, not us);
    our own company only when there is no competitor."""
    active = profiles.company_options(store)
    return next((cid for cid, _, is_us in active if not is_us), ids[0] if ids else None)


def _sync_url(company: Company | None, view: str, presenting: bool) -> None:
    """Keep the address bar a shareable link to what is on screen."""
    params = st.query_params
    if company is not None and params.get("company") != company.name:
        params["company"] = company.name
    if params.get("view") != view:
        params["view"] = view
    if presenting and params.get("present") != "1":
        params["present"] = "1"
    elif not presenting and "present" in params:
        del params["present"]


def _set_presenting(on: bool, view: str = "board") -> None:
    st.session_state[PRESENT_STATE] = on
    # Set the address before the run: app.py reads `?present` to keep admin links and
    # e-mail addresses off a shared screen from its very first frame.
    if on:
        st.session_state[VIEW_KEY] = view
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def _conflict_panel(form: str) -> None:
    """A stale save of `form` (kept by `attempt(..., form=form)`) with the way out: reload the row."""
    conflict_panel(form, tr("competitors.reload"))


def _go_to(company_id: int | None = None, view: str | None = None) -> None:
    """Switch company or view on the next run (a rendered widget's state cannot change in this one)."""
    if company_id is not None:
        st.session_state[PENDING_COMPANY] = company_id
    if view is not None:
        st.session_state[PENDING_VIEW] = view


def _loaded_version(key: str, current: int) -> int:
    """The version a form was loaded with (kept until the form is saved or reloaded)."""
    return st.session_state.setdefault(key, current)


# ---- companies ---------------------------------------------------------------------------------


def render_companies(store: Store, company: Company | None) -> None:
    cols = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
    search = cols[0].text_input(tr("competitors.search"), key="competitors_search", max_chars=100)
    positioning = cols[1].selectbox(
        tr("competitors.fact.positioning"),
        options=["", *PricePosition],
        format_func=option_labels("competitors.positioning", {"": tr("competitors.any")}),
        key="competitors_filter_positioning",
    )
    country = cols[2].text_input(tr("competitors.filter_country"), key="competitors_filter_country", max_chars=2)
    archived = cols[3].checkbox(tr("competitors.show_archived"), key="competitors_show_archived")
    try:
        df = profiles.list_companies(
            store, search=search, include_archived=archived, positioning=positioning, country=v.clean_text(country)
        )
    except VantageError as error:
        show_error(error)
        return
    if df.empty:
        st.info(tr("competitors.none_found"))
    else:
        st.dataframe(views.companies_table(df, lang()), hide_index=True, key="competitors_table")
    if can("write"):
        st.subheader(tr("competitors.add"))
        _company_form(store, None)


def _company_form(store: Store, company: Company | None) -> None:
    """Add a competitor (company None) or edit a profile, with the loaded version."""
    prefix = f"competitors_profile_{company.id}_" if company else "competitors_new_"
    loaded = _loaded_version(f"{prefix}loaded", company.version) if company else None
    _conflict_panel(prefix)
    c = company
    with st.form(f"{prefix}form", clear_on_submit=company is None, border=True):
        cols = st.columns(3)
        name = cols[0].text_input(tr("competitors.fact.name"), value=c.name if c else "", key=f"{prefix}name", max_chars=120)
        website = cols[1].text_input(tr("competitors.fact.website"), value=(c.website or "") if c else "", key=f"{prefix}website")
        country = cols[2].text_input(
            tr("competitors.fact.country_code"), value=(c.hq_country or "") if c else "", key=f"{prefix}country", max_chars=2
        )
        cols = st.columns(3)
        founded = cols[0].text_input(tr("competitors.fact.founded"), value=str(c.founded or "") if c else "", key=f"{prefix}founded")
        employees = cols[1].text_input(
            tr("competitors.fact.employees"), value=str(c.employees or "") if c else "", key=f"{prefix}employees"
        )
        positions = ["", *PricePosition]
        positioning = cols[2].selectbox(
            tr("competitors.fact.positioning"),
            options=positions,
            index=positions.index(c.price_positioning or "") if c else 0,
            format_func=option_labels("competitors.positioning", {"": "–"}),
            key=f"{prefix}positioning",
        )
        cols = st.columns(3)
        revenue = cols[0].text_input(
            tr("competitors.fact.revenue"),
            value=str(c.revenue_estimate) if c and c.revenue_estimate is not None else "",
            key=f"{prefix}revenue",
        )
        currency = cols[1].text_input(
            tr("competitors.fact.currency"), value=(c.revenue_currency or "EUR") if c else "EUR", key=f"{prefix}currency",
            max_chars=3,
        )
        segments = cols[2].text_input(
            tr("competitors.fact.segments"), value=", ".join(c.segments) if c else "", key=f"{prefix}segments",
            help=tr("competitors.list_help"),
        )
        pair = st.columns(2)
        channels = pair[0].text_input(
            tr("competitors.fact.channels"), value=", ".join(c.channels) if c else "", key=f"{prefix}channels",
            help=tr("competitors.list_help"),
        )
        customers = pair[1].text_input(
            tr("competitors.fact.key_customers"), value=", ".join(c.key_customers) if c else "",
            key=f"{prefix}customers", help=tr("competitors.list_help"),
        )
        description = st.text_area(
            tr("competitors.fact.description"), value=(c.description or "") if c else "", key=f"{prefix}description",
            max_chars=2000, height=80,
        )
        # Someone else's private notes are neither shown nor sent back: only their author or an admin changes them.
        notes_hidden = bool(c and c.notes_hidden)
        if notes_hidden:
            st.caption(tr("competitors.notes_hidden"))
        else:
            notes = st.text_area(
                tr("competitors.fact.notes"), value=(c.notes or "") if c else "", key=f"{prefix}notes", max_chars=2000,
                height=80,
            )
            notes_private = st.checkbox(
                tr("competitors.notes_private"), value=c.notes_private if c else False, key=f"{prefix}notes_private",
                help=tr("competitors.notes_private_help"),
            )
        custom = _more_fields(store, c, prefix)
        label = tr("competitors.save_profile") if c else tr("competitors.add_submit")
        submitted = st.form_submit_button(label, key=f"{prefix}submit", type="primary")
    if not submitted:
        return
    values = dict(
        name=name, website=website, hq_country=country, founded=founded, employees=employees,
        price_positioning=positioning, revenue_estimate=revenue, revenue_currency=currency, segments=segments,
        channels=channels, key_customers=customers, description=description,
    )
    if not notes_hidden:
        values.update(notes=notes, notes_private=notes_private)
    if c is None:
        def add() -> None:
            added = profiles.add_company(store, actor(), custom, **values)
            _go_to(added.id, "profile")
        attempt(add, tr("competitors.added", name=v.clean_text(name)), notice=NOTICE)
    else:
        assert loaded is not None  # an edit form is drawn with the version it was loaded at
        def save() -> None:
            saved = profiles.update_company(store, actor(), c.id, loaded, custom, **values)
            st.session_state[f"{prefix}loaded"] = saved.version
        attempt(save, tr("competitors.saved"), notice=NOTICE, form=prefix)


def _field_text(value: Any) -> str:
    """A stored custom value as the form shows it (and the schema reads back): 12.5, 2024-03-01, yes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, float):  # 0.00005, not 5e-05 (which the number parser refuses)
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _more_fields(store: Store, company: Company | None, prefix: str) -> dict[str, str]:
    """One input per custom company field (Data page, Fields), inside the profile form; values as typed."""
    extra = fields.list_fields(store, "companies")
    if not extra:
        return {}
    st.markdown(f"**{tr('competitors.more_fields')}**", help=tr("competitors.more_fields_help"))
    current = profiles.custom_values(store, company.id) if company else {}
    language = lang()
    typed: dict[str, str] = {}
    cols = st.columns(3)
    for n, f in enumerate(extra):
        col, key, value = cols[n % 3], f"{prefix}custom_{f.name}", _field_text(current.get(f.name))
        if f.kind in ("choice", "bool"):
            options = ["", *(f.choices if f.kind == "choice" else ("yes", "no"))]
            if value not in options:
                options.append(value)  # a value stored before its choice was renamed stays visible
            labels = {"": "–", "yes": tr("competitors.bool.yes"), "no": tr("competitors.bool.no")} if f.kind == "bool" \
                else {"": "–"}
            typed[f.name] = col.selectbox(f.label(language), options, index=options.index(value), key=key,
                                          format_func=option_names(labels))
        else:
            typed[f.name] = col.text_input(f.label(language), value=value, key=key,
                                           max_chars=fields.MAX_TEXT if f.kind == "text" else 60)
    return typed


def custom_facts(store: Store, company: Company) -> list[tuple[str, str]]:
    """(label, value) of the company's custom fields, for the profile's facts."""
    language = lang()
    values = profiles.custom_values(store, company.id)
    words = {"yes": tr("competitors.bool.yes"), "no": tr("competitors.bool.no")}
    return [(f.label(language), words.get(_field_text(values.get(f.name)), _field_text(values.get(f.name))) or "–")
            for f in fields.list_fields(store, "companies")]


# ---- profile -----------------------------------------------------------------------------------


def render_profile(store: Store, company: Company) -> None:
    language = lang()
    if company.archived:
        st.warning(tr("competitors.is_archived"), icon=":material/archive:")
    if company.description:
        st.text(company.description)
    facts = [*views.facts(company, language), *custom_facts(store, company)]
    cols = st.columns(3)
    for n, (label, value) in enumerate(facts):
        with cols[n % 3]:
            st.caption(label)
            st.text(value)
    left, right = st.columns([3, 2])
    with left:
        st.subheader(tr("competitors.products"))
        products = profiles.company_products(store, company.id, limit=PRODUCTS_SHOWN)
        if products.empty:
            st.info(tr("competitors.no_products"))
        else:
            st.dataframe(views.products_table(products, language, labels_for(store, language)), hide_index=True,
                         key="competitors_products", height=320)
            if len(products) == PRODUCTS_SHOWN:
                total = profiles.count_products(store, company.id)
                if total > PRODUCTS_SHOWN:
                    st.caption(tr("competitors.products_more", shown=fmt_number(PRODUCTS_SHOWN, language),
                                  total=fmt_number(total, language)))
    with right:
        st.subheader(tr("competitors.served"))
        served = profiles.served_industries(store, company.id)
        if served.empty:
            st.caption(tr("competitors.no_accounts"))
        else:
            st.dataframe(views.served_table(served, language, labels_for(store, language)), hide_index=True,
                         key="competitors_served")
        st.subheader(tr("competitors.changes"))
        changes, _ = collect_views.changes_view(store, language, company_id=company.id, prices_only=False, limit=10)
        if changes.empty:
            st.info(tr("competitors.changes_empty"), icon=":material/travel_explore:")
        else:
            st.dataframe(changes, hide_index=True, key="competitors_changes")
    st.subheader(tr("competitors.fact.notes"))
    if company.notes_hidden:
        st.caption(tr("competitors.notes_hidden"))
    else:
        if company.notes_private:
            st.caption(escape_markdown(tr("competitors.notes_private_marker", author=company.notes_author or "–")))
        st.text(company.notes or tr("competitors.no_notes"))
    if not can("write"):
        return
    st.divider()
    if st.toggle(tr("competitors.edit_profile"), key="competitors_edit_toggle"):
        _company_form(store, company)
    _archive_company(store, company)


def _archive_company(store: Store, company: Company) -> None:
    if company.is_us:
        return
    key = f"competitors_archive_{company.id}"
    if company.archived:
        if st.button(tr("competitors.restore"), key=f"{key}_restore", icon=":material/unarchive:"):
            attempt(
                lambda: profiles.set_company_archived(store, actor(), company.id, company.version, archived=False),
                tr("competitors.restored", name=company.name), notice=NOTICE,
            )
        return
    sure = st.checkbox(tr("competitors.archive_confirm", name=company.name), key=f"{key}_confirm")
    if st.button(tr("competitors.archive"), key=f"{key}_button", disabled=not sure, icon=":material/archive:"):
        attempt(
            lambda: profiles.set_company_archived(store, actor(), company.id, company.version, archived=True),
            tr("competitors.archived_done", name=company.name), notice=NOTICE,
        )


# ---- SWOT items --------------------------------------------------------------------------------


def render_swot(store: Store, company: Company) -> None:
    show_archived = st.toggle(tr("swot.show_archived"), key="competitors_swot_archived")
    items = swot.list_items(store, company.id, include_archived=show_archived, viewer=actor())
    if items:
        st.dataframe(views.items_table(items, lang()), hide_index=True, key="competitors_swot_table")
    else:
        st.info(tr("swot.empty"))
    if not can("write"):
        return
    left, right = st.columns(2)
    with left:
        st.subheader(tr("swot.add"))
        _add_item_form(store, company)
    with right:
        st.subheader(tr("swot.edit"))
        if items:
            picked = st.selectbox(
                tr("swot.pick"),
                options=[i.id for i in items],
                format_func=option_names({i.id: views.item_choice(i) for i in items}),
                key="competitors_swot_pick",
            )
            item = next((i for i in items if i.id == picked), items[0])
            _edit_item(store, item)
        else:
            st.caption(tr("swot.nothing_to_edit"))


def _item_fields(prefix: str, item: swot.SwotItem | None) -> dict[str, Any]:
    """The SWOT fields of a form; prefilled from `item` when editing."""
    cols = st.columns([1, 1, 1])
    quadrant = cols[0].selectbox(
        tr("swot.col.quadrant"),
        options=list(Quadrant),
        index=list(Quadrant).index(item.quadrant) if item else 0,
        format_func=option_labels("swot.quadrant"),
        key=f"{prefix}quadrant",
    )
    impact = cols[1].slider(tr("swot.col.impact"), 1, 5, value=item.impact if item else 3, key=f"{prefix}impact")
    confidence = cols[2].selectbox(
        tr("swot.col.confidence"),
        options=list(Confidence),
        index=list(Confidence).index(item.confidence) if item else 1,
        format_func=option_labels("swot.confidence"),
        key=f"{prefix}confidence",
    )
    statement = st.text_area(
        tr("swot.col.statement"), value=item.statement if item else "", key=f"{prefix}statement",
        max_chars=v.MAX_STATEMENT, height=80,
    )
    cols = st.columns([2, 1])
    source_url = cols[0].text_input(
        tr("swot.source_url"), value=(item.source_url or "") if item else "", key=f"{prefix}url",
        placeholder="https://", max_chars=v.MAX_URL,
    )
    observed = cols[1].date_input(
        tr("swot.observed_on"), value=item.observed_on if item else None, min_value=dt.date(1900, 1, 1),
        max_value=dt.date.today(), key=f"{prefix}observed", format="YYYY-MM-DD",
    )
    cols = st.columns([2, 1])
    source_note = cols[0].text_input(
        tr("swot.source_note"), value=(item.source_note or "") if item else "", key=f"{prefix}note",
        max_chars=v.MAX_STATEMENT,
    )
    tags = cols[1].text_input(tr("swot.col.tags"), value=", ".join(item.tags) if item else "", key=f"{prefix}tags")
    private = st.checkbox(tr("swot.private"), value=item.private if item else False, key=f"{prefix}private",
                          help=tr("swot.private_help"))
    return dict(
        quadrant=quadrant, statement=statement, impact=impact, confidence=confidence, source_url=source_url,
        source_note=source_note, observed_on=observed, tags=tags, private=private,
    )


def _add_item_form(store: Store, company: Company) -> None:
    prefix = "competitors_swot_add_"
    with st.form(f"{prefix}form", clear_on_submit=False, border=True):
        values = _item_fields(prefix, None)
        submitted = st.form_submit_button(tr("swot.add_submit"), key=f"{prefix}submit", type="primary")
    if submitted:
        # Done, the form is drawn empty for the next item.
        attempt(lambda: swot.add_item(store, actor(), company.id, **values), tr("swot.added"), notice=NOTICE,
                forget=(prefix,))


def _edit_item(store: Store, item: swot.SwotItem) -> None:
    prefix = f"competitors_swot_edit_{item.id}_"
    loaded = _loaded_version(f"{prefix}loaded", item.version)
    _conflict_panel(prefix)
    if item.changed_by:
        st.caption(tr("swot.last_change", who=item.changed_by, when=fmt_datetime(item.changed_at, lang())))
    with st.form(f"{prefix}form", border=True):
        values = _item_fields(prefix, item)
        saved = st.form_submit_button(tr("swot.save"), key=f"{prefix}save", type="primary")
    if saved:
        def save() -> None:
            new = swot.update_item(store, actor(), item.id, loaded, **values)
            st.session_state[f"{prefix}loaded"] = new.version
        attempt(save, tr("swot.saved"), notice=NOTICE, form=prefix)
    done = None
    # Buttons as wide as their labels ("И даље важи" was cut in a quarter of the panel at 1280 px).
    with st.container(horizontal=True, vertical_alignment="center"):
        if item.archived:
            if st.button(tr("swot.restore"), key="competitors_swot_restore", icon=":material/unarchive:"):
                done = (lambda: swot.set_item_archived(store, actor(), item.id, loaded, archived=False),
                        tr("swot.restored"))
        else:
            if st.button(tr("swot.up"), key="competitors_swot_up", icon=":material/arrow_upward:"):
                done = (lambda: swot.move_item(store, actor(), item.id, loaded, -1), tr("swot.moved"))
            if st.button(tr("swot.down"), key="competitors_swot_down", icon=":material/arrow_downward:"):
                done = (lambda: swot.move_item(store, actor(), item.id, loaded, 1), tr("swot.moved"))
            if st.button(tr("swot.confirm"), key="competitors_swot_confirm", icon=":material/verified:",
                         help=tr("swot.confirm_help")):
                done = (lambda: swot.confirm_item(store, actor(), item.id, loaded), tr("swot.confirmed"))
            sure = st.checkbox(tr("swot.archive_confirm"), key=f"{prefix}archive_sure")
            if st.button(tr("swot.archive"), key="competitors_swot_archive", disabled=not sure,
                         icon=":material/archive:"):
                done = (lambda: swot.set_item_archived(store, actor(), item.id, loaded, archived=True),
                        tr("swot.archived"))
    if done is not None:
        action, message = done
        # The form's loaded version is spent by any of these writes: the next run reloads.
        attempt(action, message, notice=NOTICE, form=prefix, forget=(prefix,))


# ---- board -------------------------------------------------------------------------------------


def render_board(store: Store, company: Company) -> None:
    # Private notes never reach a shared screen (presentation mode draws its own board below).
    items = swot.list_items(store, company.id, viewer=actor(), include_private=True)
    language = lang()
    row = st.container(horizontal=True)
    row.button(tr("swot.present"), key="competitors_present", icon=":material/slideshow:", type="primary",
               on_click=_set_presenting, args=(True, "board"))
    row.download_button(
        tr("swot.export_png"), data=lambda: exports.board_png(company, items, language),
        file_name=exports.board_filename(company, "png"), mime="image/png", key="competitors_board_png",
        icon=":material/image:",
    )
    row.download_button(
        tr("swot.export_pptx"), data=lambda: exports.board_pptx(company, items, language),
        file_name=exports.board_filename(company, "pptx"), mime=PPTX_MIME, key="competitors_board_pptx",
        icon=":material/slideshow:",
    )
    with row:
        add_to_deck("competitors.swot", {"company_id": company.id}, tr("swot.board.title", company=company.name),
                    key="competitors_board_deck")
    # The same chart as the PNG export.
    spec = _board_spec(company, tuple(items), language, dt.date.today())
    st.vega_lite_chart(spec, theme=None, width="stretch", key="competitors_board_chart")


def render_presentation(store: Store, company: Company, view: str) -> None:
    """Presentation mode (`?view=board|battlecard&present=1`): the board or battlecard alone, fitted to the
    screen like a session slide (research/ui/present.py: no sidebar, no page title, a bar with Exit).

    Private notes never reach a shared screen, not even their author's.
    """
    st.html(present_ui.PRESENTATION_MODE_CSS)
    language = lang()
    if view == "battlecard":
        try:
            content = views_competitors.battlecard_board(
                store, {"company_id": company.id}, RenderContext(language, viewer=actor(), presenting=True))
        except DataGone:  # our own company, or a competitor without a battlecard
            content = SlideContent(tr("battlecard.pick_competitor"), text=tr("battlecard.pick_competitor"))
        present_ui.draw_screen_slide(content, "view", key="competitors_battlecard_present")
    else:
        items = swot.list_items(store, company.id, viewer=actor(), include_private=False)
        # The board chart carries its own title and subtitle (as in the PNG), so the slide has no heading.
        chart = _board_spec(company, tuple(items), language, dt.date.today())
        present_ui.draw_screen_slide(SlideContent("", chart=chart), "view", key="competitors_board", title_in_chart=True)
    with st.container(horizontal=True, vertical_alignment="center", key="present_nav"):
        st.space("stretch")
        st.button(tr("swot.present_exit"), key="competitors_present_exit", icon=":material/close_fullscreen:",
                  on_click=_set_presenting, args=(False, view))


@st.cache_data(show_spinner=False, max_entries=64)
def _board_spec(company: Company, items: tuple[swot.SwotItem, ...], language: str, today: dt.date) -> dict[str, Any]:
    # Building the layered Altair board costs a few hundred milliseconds; the inputs
    # (with each row's version) are the cache key, so an edit shows at once.
    return views.board_chart(company, list(items), language, today).to_dict()


# ---- TOWS --------------------------------------------------------------------------------------


def render_tows(store: Store, company: Company) -> None:
    language = lang()
    us = profiles.our_company(store)
    context = tr("tows.market") if company.is_us else company.name
    st.caption(tr("tows.explain", company=context, us=us.name if us else "–"))
    try:
        groups = tows.tows_items(store, company.id)
        strategies = tows.list_strategies(store, company.id)
    except VantageError as error:
        show_error(error)
        return
    labels = {i.id: i for group in groups.values() for i in group}
    rows = st.columns(2)
    for n, kind in enumerate(TowsKind):
        with rows[n % 2].container(border=True):
            st.markdown(f"**{escape_markdown(tr(f'tows.kind.{kind}'))}**")
            mine = [s for s in strategies if s.kind == kind]
            if not mine:
                st.caption(tr("tows.none"))
            for strategy in mine:
                st.markdown(f"**{escape_markdown(strategy.label or '–')}** · {escape_markdown(strategy.statement)}")
                st.caption(
                    tr("tows.meta", owner=strategy.owner or "–", status=tr(f"tows.status.{strategy.status}"))
                )
    add_to_deck("competitors.tows", {"company_id": company.id}, tr("present.tows.title", company=company.name),
                key="competitors_tows_deck")
    st.dataframe(
        views.items_table([i for g in groups.values() for i in g], language)[
            [tr("swot.col.label"), tr("swot.col.quadrant"), tr("swot.col.statement"), tr("swot.col.impact")]
        ],
        hide_index=True, key="competitors_tows_items", height=240,
    )
    if not can("write"):
        return
    left, right = st.columns(2)
    with left:
        st.subheader(tr("tows.add"))
        kind = st.segmented_control(
            tr("tows.col.kind"), options=list(TowsKind), key="competitors_tows_kind", default=TowsKind.SO
        ) or TowsKind.SO
        allowed = [i.id for i in groups[kind[0]] + groups[kind[1]]]
        prefix = "competitors_tows_add_"
        with st.form(f"{prefix}form", border=True):
            fields = _strategy_fields(prefix, None, allowed, labels)
            submitted = st.form_submit_button(tr("tows.add_submit"), key=f"{prefix}submit", type="primary")
        if submitted:
            attempt(lambda: tows.add_strategy(store, actor(), company.id, kind=kind, **fields), tr("tows.added"),
                    notice=NOTICE, forget=(prefix,))
    with right:
        st.subheader(tr("tows.edit"))
        if not strategies:
            st.caption(tr("tows.none"))
            return
        picked = st.selectbox(
            tr("tows.pick"),
            options=[s.id for s in strategies],
            format_func=option_names({s.id: f"{s.kind} · {s.label or '–'} · {s.statement[:60]}" for s in strategies}),
            key="competitors_tows_pick",
        )
        strategy = next((s for s in strategies if s.id == picked), strategies[0])
        _edit_strategy(store, strategy, groups, labels)


def _strategy_fields(prefix: str, strategy: tows.TowsStrategy | None, allowed: list[int],
                     labels: dict[int, swot.SwotItem]) -> dict[str, Any]:
    statement = st.text_area(
        tr("tows.col.statement"), value=strategy.statement if strategy else "", key=f"{prefix}statement",
        max_chars=v.MAX_STATEMENT, height=80,
    )
    cols = st.columns(2)
    owner = cols[0].text_input(tr("tows.col.owner"), value=(strategy.owner or "") if strategy else "",
                               key=f"{prefix}owner", max_chars=v.MAX_NAME)
    status = cols[1].selectbox(
        tr("tows.col.status"), options=list(TowsStatus),
        index=list(TowsStatus).index(strategy.status) if strategy else 0,
        format_func=option_labels("tows.status"), key=f"{prefix}status",
    )
    item_ids = st.multiselect(
        tr("tows.col.items"), options=allowed,
        default=[i for i in strategy.item_ids if i in allowed] if strategy else [],
        format_func=option_names({i: views.item_choice(labels[i]) for i in allowed if i in labels}), key=f"{prefix}items",
    )
    return dict(statement=statement, owner=owner, status=status, item_ids=item_ids)


def _edit_strategy(store: Store, strategy: tows.TowsStrategy, groups: dict[str, list[swot.SwotItem]],
                   labels: dict[int, swot.SwotItem]) -> None:
    prefix = f"competitors_tows_edit_{strategy.id}_"
    loaded = _loaded_version(f"{prefix}loaded", strategy.version)
    _conflict_panel(prefix)
    allowed = [i.id for i in groups[strategy.kind[0]] + groups[strategy.kind[1]]]
    with st.form(f"{prefix}form", border=True):
        fields = _strategy_fields(prefix, strategy, allowed, labels)
        saved = st.form_submit_button(tr("tows.save"), key=f"{prefix}save", type="primary")
    if saved:
        def save() -> None:
            new = tows.update_strategy(store, actor(), strategy.id, loaded, **fields)
            st.session_state[f"{prefix}loaded"] = new.version
        attempt(save, tr("tows.saved"), notice=NOTICE, form=prefix)
    sure = st.checkbox(tr("tows.archive_confirm"), key=f"{prefix}archive_sure")
    if st.button(tr("tows.archive"), key="competitors_tows_archive", disabled=not sure, icon=":material/archive:"):
        attempt(lambda: tows.update_strategy(store, actor(), strategy.id, loaded, archived=True), tr("tows.archived"),
                notice=NOTICE, form=prefix)


# ---- across competitors, battlecard, stale queue, history ----------------------------------------


def render_cross(store: Store, company: Company | None) -> None:
    language = lang()
    chart = views.heatmap_chart(analysis.swot_heatmap_data(store), language)
    if chart is None:
        st.info(tr("swot.heatmap.empty"))
    else:
        altair(chart, key="competitors_heatmap")
        add_to_deck("competitors.heatmap", {}, tr("swot.heatmap.title"), key="competitors_heatmap_deck")
    st.subheader(tr("battlecard.talking_points"))
    st.caption(tr("battlecard.talking_points_help"))
    points = analysis.talking_points(store)
    if points.empty:
        st.info(tr("battlecard.no_talking_points"))
    else:
        st.dataframe(views.talking_points_table(points, language), hide_index=True, key="competitors_talking_points")


def render_battlecard(store: Store, company: Company) -> None:
    language = lang()
    if company.is_us:
        st.info(tr("battlecard.pick_competitor"))
        return
    try:
        card = battlecard.build_battlecard(store, company.id)
    except VantageError as error:
        show_error(error)
        return
    row = st.container(horizontal=True)
    row.button(tr("swot.present"), key="competitors_battlecard_present", icon=":material/slideshow:", type="primary",
               on_click=_set_presenting, args=(True, "battlecard"))
    row.download_button(
        tr("battlecard.export_pptx"), data=lambda: exports.battlecard_pptx(card, language),
        file_name=exports.battlecard_filename(company, "pptx"), mime=PPTX_MIME, key="competitors_battlecard_pptx",
        icon=":material/slideshow:",
    )
    row.download_button(
        tr("battlecard.export_md"), data=lambda: exports.battlecard_markdown(card, language),
        file_name=exports.battlecard_filename(company, "md"), mime="text/markdown",
        key="competitors_battlecard_md", icon=":material/description:",
    )
    with row:
        add_to_deck("competitors.battlecard", {"company_id": company.id}, tr("battlecard.title", company=company.name),
                    key="competitors_battlecard_deck")
    st.caption(tr("battlecard.subtitle", us=card.us, date=fmt_date(card.as_of, language)))
    left, middle, right = st.columns(3)
    with left:
        st.subheader(tr("battlecard.why_we_win"))
        if card.why_we_win.empty:
            st.caption(tr("battlecard.no_talking_points"))
        for point in card.why_we_win.itertuples():
            st.markdown(f"- **{escape_markdown(str(point.our_strength))}** — {escape_markdown(tr('battlecard.versus'))} "
                        f"{escape_markdown(str(point.their_weakness))}")
        st.subheader(tr("battlecard.neutralise"))
        for counter in card.neutralise:
            answer = counter.our_answer or tr("battlecard.no_answer")
            st.markdown(f"- {escape_markdown(counter.their_strength.statement)} → *{escape_markdown(answer)}*")
    with middle:
        st.subheader(tr("battlecard.pricing"))
        st.markdown(escape_markdown(battlecard.price_summary(card, language)))
        rows = battlecard.pricing_rows(card, language)
        if rows:
            header = [tr(f"battlecard.col.{c}") for c in ("category", "products", "ours", "theirs", "index")]
            st.dataframe([dict(zip(header, row)) for row in rows], hide_index=True, key="competitors_battlecard_prices")
        st.subheader(tr("battlecard.freshest"))
        for item in card.freshest:
            st.markdown(f"- {escape_markdown(item.statement)}  \n  {escape_markdown(battlecard.evidence_line(item, language))}")
    with right:
        st.subheader(tr("battlecard.deals"))
        st.markdown(escape_markdown(battlecard.deal_record_text(card, language)))
        for heading, entries in battlecard.deal_sections(card, language):
            st.markdown(f"**{escape_markdown(heading)}**")
            st.markdown("\n".join(f"- {escape_markdown(entry)}" for entry in entries))
        st.subheader(tr("battlecard.key_items"))
        for quadrant, group in card.key_items.items():
            st.markdown(f"**{escape_markdown(tr(f'swot.quadrant.{quadrant}'))}**")
            for item in group:
                st.markdown(f"- {escape_markdown(item.label or '')} {escape_markdown(item.statement)}")
    st.caption(tr("battlecard.footer", stale=card.stale, total=card.total, lost=card.lost_deals))


# ---- win/loss -------------------------------------------------------------------------------------

ALL_COMPETITORS = -1  # the "against" picker's option for every competitor (params: competitor_id None)


@by_data_version
def _winloss_drawn(store: Store, what: str, language: str, *args: Any) -> tuple[dict[str, Any], Any, str, str, bool]:
    """(chart spec, table, summary, title, empty) of one win/loss view, kept until the workspace's data changes."""
    if what == "competitors":
        drawn = winloss_views.competitors_view(store, language)
    elif what == "segments":
        drawn = winloss_views.segments_view(store, args[0], language, competitor_id=args[1])
    elif what == "trend":
        drawn = winloss_views.trend_view(store, args[0], language, competitor_id=args[1])
    elif what == "matrix":
        drawn = winloss_views.reason_matrix_view(store, args[0], language)
    else:
        drawn = winloss_views.lose_to_view(store, profiles.get_company(store, args[0], include_private=False), args[1],
                                           language)
    return drawn.chart.to_dict(), drawn.table, drawn.text, drawn.title, drawn.empty


@by_data_version
def _winloss_totals(store: Store) -> winloss.Totals:
    return winloss.totals(store)


def _winloss_block(store: Store, what: str, view_id: str | None, params: dict[str, Any], key: str, *args: Any) -> None:
    """One win/loss chart with its summary, its Add to deck button (none for `view_id` None) and the data behind it."""
    spec, table, text, title, empty = _winloss_drawn(store, what, lang(), *args)
    st.vega_lite_chart(spec, theme=None, width="stretch", key=f"{key}_chart")
    if empty:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(escape_markdown(text))
        if view_id is not None:
            add_to_deck(view_id, params, title, key=f"{key}_deck")
    st.dataframe(table, hide_index=True, key=f"{key}_table", height=min(36 * (len(table) + 1) + 4, 320))


def render_winloss(store: Store, company: Company) -> None:
    """Win rate overall, against each competitor, by segment and over time; the reasons per competitor; and
    for the picked competitor, where and why we lose to them. Every chart can go on a slide."""
    language = lang()
    st.caption(tr("winloss.help"))
    totals = _winloss_totals(store)
    if not totals.decided:
        st.info(tr("winloss.empty"))
        return
    money = winloss_views.money
    cols = st.columns(4)
    cols[0].metric(tr("winloss.kpi.win_rate"), fmt_percent(totals.win_rate, language))
    cols[1].metric(tr("winloss.kpi.won"), tr("winloss.kpi.value", n=fmt_number(totals.won, language),
                                               value=money(totals.won_value, language)))
    cols[2].metric(tr("winloss.kpi.lost"), tr("winloss.kpi.value", n=fmt_number(totals.lost, language),
                                                value=money(totals.lost_value, language)))
    cols[3].metric(tr("winloss.kpi.open"), fmt_number(totals.open, language))
    breakdown = st.segmented_control(
        tr("winloss.pick.breakdown"), options=list(winloss.BREAKDOWNS), format_func=option_labels("winloss.breakdown"),
        key="competitors_winloss_breakdown", default="industry",
    ) or "industry"

    if company.is_us:
        st.info(tr("winloss.pick_competitor"))
    else:
        st.subheader(tr("winloss.section.lose_to", company=company.name))
        # An archived competitor's slide could not be drawn (research/present/views_competitors.py): no button.
        _winloss_block(store, "lose_to", None if company.archived else "competitors.lossreasons",
                       {"company_id": company.id, "breakdown": breakdown}, "competitors_winloss_lose", company.id, breakdown)

    st.subheader(tr("winloss.section.competitors"))
    _winloss_block(store, "competitors", "competitors.winloss", {}, "competitors_winloss_rivals")

    st.subheader(tr("winloss.section.segments"))
    rivals = [(cid, name) for cid, name, is_us in profiles.company_options(store) if not is_us]
    names = {ALL_COMPETITORS: tr("winloss.pick.all"), winloss.NO_COMPETITOR: tr("winloss.no_competitor")} | dict(rivals)
    picked = st.selectbox(tr("winloss.pick.against"), options=list(names), format_func=option_names(names),
                          key="competitors_winloss_against", width=420)
    against = None if picked in (None, ALL_COMPETITORS) else int(picked)
    _winloss_block(store, "segments", "competitors.winloss_segments", {"breakdown": breakdown, "competitor_id": against},
                   "competitors_winloss_segments", breakdown, against)

    st.subheader(tr("winloss.section.trend"))
    period = st.segmented_control(
        tr("winloss.pick.period"), options=list(winloss.PERIODS), format_func=option_labels("winloss.period"),
        key="competitors_winloss_period", default="quarter",
    ) or "quarter"
    _winloss_block(store, "trend", "competitors.winloss_time", {"period": period, "competitor_id": against},
                   "competitors_winloss_trend", period, against)

    st.subheader(tr("winloss.section.reasons"))
    outcome = st.segmented_control(
        tr("winloss.pick.outcome"), options=list(winloss.OUTCOMES), format_func=option_labels("winloss.outcome"),
        key="competitors_winloss_outcome", default="lost",
    ) or "lost"
    _winloss_block(store, "matrix", "competitors.reasons", {"outcome": outcome}, "competitors_winloss_matrix", outcome)


def render_stale(store: Store, company: Company | None) -> None:
    language = lang()
    only = st.toggle(tr("swot.stale_only_company"), key="competitors_stale_only") if company else False
    days = swot.stale_days()
    items = swot.stale_items(store, company_id=company.id if only and company else None, viewer=actor())
    st.caption(tr("swot.stale_explain", days=days, count=len(items)))
    if not items:
        st.success(tr("swot.stale_none"), icon=":material/verified:")
        return
    st.dataframe(views.stale_table(items, language), hide_index=True, key="competitors_stale_table")
    if not can("write"):
        return
    cols = st.columns([3, 1], vertical_alignment="bottom")
    picked = cols[0].selectbox(
        tr("swot.pick"), options=[i.id for i in items],
        format_func=option_names({i.id: f"{i.company} · {views.item_choice(i)}" for i in items}),
        key="competitors_stale_pick",
    )
    item = next(i for i in items if i.id == picked)
    if cols[1].button(tr("swot.confirm"), key="competitors_stale_confirm", icon=":material/verified:",
                      help=tr("swot.confirm_help")):
        attempt(lambda: swot.confirm_item(store, actor(), item.id, item.version), tr("swot.confirmed"), notice=NOTICE)


def render_history(store: Store, company: Company) -> None:
    history = profiles.company_history(store, company.id, viewer=actor())
    if history.empty:
        st.info(tr("competitors.history_empty"))
        return
    language = lang()
    custom = {f.name: f.label(language) for f in fields.list_fields(store, "companies")}
    st.dataframe(views.history_table(history, language, custom), hide_index=True, key="competitors_history")


RENDERERS: dict[str, Callable[[Store, Company], None]] = {
    "companies": render_companies,
    "profile": render_profile,
    "swot": render_swot,
    "board": render_board,
    "tows": render_tows,
    "cross": render_cross,
    "battlecard": render_battlecard,
    "winloss": render_winloss,
    "stale": render_stale,
    "history": render_history,
}
