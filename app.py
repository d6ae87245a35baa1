"""Vantage entry script: page config, workspace check and navigation. Pages draw the rest."""

import streamlit as st

from research.errors import VantageError
from research.ui import context, show_error, tr

st.set_page_config(page_title="Vantage", page_icon=":material/radar:", layout="wide")
context.mark_routed()
context.init_session()

try:
    context.get_store()
except VantageError as error:
    st.title(tr("app.title"))
    st.caption(tr("app.open_failed"))
    show_error(error)
    st.stop()

# Signed-out people and signed-in people without a role see the sign-in or "ask an admin"
# page and nothing else (docs/ACCESS.md); local mode passes straight through.
if not context.gate():
    st.stop()

PAGES = {
    "nav.market": [("overview", ":material/insights:", True), ("segments", ":material/donut_small:", False)],
    "nav.competition": [("competitors", ":material/domain:", False), ("signals", ":material/notifications:", False),
                        ("compare", ":material/compare_arrows:", False)],
    "nav.research": [("collect", ":material/travel_explore:", False), ("query", ":material/manage_search:", False), ("data", ":material/table_view:", False)],
    "nav.present": [("present", ":material/slideshow:", False)],
}
# Role management only for admins, and never in the menu of a shared screen.
if context.can("roles") and not context.presenting():
    PAGES["nav.admin"] = [("admin", ":material/admin_panel_settings:", False)]


def _page(name: str, icon: str, url_path: str, **options: object) -> st.Page:
    return st.Page(f"pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=url_path, **options)


# Streamlit serves the default page at "/" only: "/overview" would answer "Page not found".
# So the default page gets a placeholder url_path and a hidden twin answers its own name;
# the menu lists it once (tests/test_layout_browser.py opens every page by its path).
menu: dict[str, list[st.Page]] = {}
for section, pages in PAGES.items():
    entries = menu.setdefault(tr(section), [])
    for name, icon, default in pages:
        if default:
            entries += [_page(name, icon, f"{name}-home", default=True), _page(name, icon, name, visibility="hidden")]
        else:
            entries.append(_page(name, icon, name))
try:
    st.navigation(menu).run()
finally:  # after the page, so that the snapshot's copy does not slow down the app's first page
    context.prepare_query_snapshot()
