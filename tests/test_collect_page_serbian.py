"""The Collect and Admin pages in Serbian: no English catalog text, no raw codes, no `None` on screen.

The Collect page is filled the way a user fills it (watchers of a real local site, two runs
so there are changes, a failing page, a listing), then every view is read as a whole:
headings, captions, widget labels and options, table headers and cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest
from sweep_helpers import report, seen_in_app, vocabulary
from test_collect_support import LocalSite, fixture_page, page, site  # noqa: F401

from research.access import ROLES
from research.access import roles as access_roles
from research.collect.extract import AVAILABILITY, PRODUCT_FIELDS, FieldSpec
from research.collect.states import Schedule, WatcherKind, WatcherStatus
from research.collect.watchers import (
    WatcherDraft,
    add_watcher,
)
from research.i18n import MESSAGES, placeholders, t
from research.store import Store

BLANKS = {"None", "nan", "NaN", "NaT", "<NA>", "null"}
# Codes that must never be shown as they are stored.
COLLECT_CODES = {*WatcherKind, *Schedule, *WatcherStatus, *AVAILABILITY, *PRODUCT_FIELDS, "never", "postponed", "fetched"}
ROLE_CODES = set(ROLES)


@pytest.fixture(autouse=True)
def _local_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_COLLECT_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("VANTAGE_COLLECT_HOST_INTERVAL", "0")
    monkeypatch.setenv("VANTAGE_COLLECT_TIMEOUT", "3")


def _texts(node: object) -> Iterator[tuple[str, str]]:
    """(kind, text) for everything a node and its children show: text, labels, options, table headers and cells."""
    for child in getattr(node, "children", {}).values():
        kind = type(child).__name__
        if kind == "Dataframe":
            frame = child.value
            if isinstance(frame, pd.DataFrame):
                yield from (("header", str(c)) for c in frame.columns)
                yield from (("cell", str(v)) for v in frame.to_numpy().ravel())
        else:
            # A choice widget's value is the stored option; what it shows is among its (formatted) options.
            shown = ("label", "help", "placeholder") if hasattr(child, "options") else ("value", "label", "help", "placeholder")
            for attr in shown:
                try:
                    value = getattr(child, attr)
                except (AttributeError, TypeError, ValueError, IndexError):
                    continue
                if isinstance(value, str) and value:
                    yield kind, value
            try:
                options = getattr(child, "options", None)
            except (AttributeError, TypeError, ValueError):
                options = None
            for option in options or []:
                yield "option", str(option)
        yield from _texts(child)


def _english_messages(prefixes: tuple[str, ...]) -> list[str]:
    """English catalog sentences of these areas that differ from their Serbian text."""
    found = []
    for key, (english, serbian) in MESSAGES.items():
        if key.startswith(prefixes) and english != serbian and not placeholders(english) and len(english) >= 4:
            found.append(english)
    return found


def assert_serbian(at: AppTest, codes: set[str], prefixes: tuple[str, ...], db: Path | None = None) -> None:
    """Our own reading of the screen, and the Serbian sweep's (tests/sweep_helpers.py) when given the workspace."""
    assert_clean(at)
    if db is not None:
        store = Store.open(str(db))
        try:
            vocab = vocabulary(store)
        finally:
            store.close()
        offences = vocab.offences(seen_in_app(at))
        assert not offences, report("collect", offences)
    texts = list(_texts(at.main))
    assert texts, "nothing on screen"
    english = _english_messages(prefixes)
    for kind, text in texts:
        plain = text.replace("\\", "")
        assert plain.strip() not in BLANKS, (kind, text)
        assert plain.strip() not in codes, f"raw code on screen: {kind} {text!r}"
        assert plain.strip() not in english, f"English catalog text on screen: {kind} {text!r}"
        for sentence in english:
            if len(sentence.split()) >= 3:
                assert sentence not in plain, f"English catalog text {sentence!r} in {kind} {text!r}"


def product_html(price: str, stock: str = "InStock") -> str:
    return (
        "<html><head><script type='application/ld+json'>{\"@type\":\"Product\",\"name\":\"Sanduk 42\",\"sku\":\"SN-42\","
        f"\"offers\":{{\"price\":\"{price}\",\"priceCurrency\":\"RSD\",\"availability\":\"https://schema.org/{stock}\"}}}}"
        "</script></head><body><h1>Sanduk 42</h1></body></html>"
    )


def listing_html(prices: list[str]) -> str:
    tiles = "".join(f"<li class='product'><h3>Kutija {i}</h3><span class='price'>{p} RSD</span></li>"
                    for i, p in enumerate(prices))
    return f"<html><body><ul>{tiles}</ul></body></html>"


def test_collect_page_in_serbian_shows_labels_not_codes(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:  # noqa: F811
    site.routes["/p/sanduk"] = page(product_html("1200.00"))
    site.routes["/kategorija"] = page(listing_html(["100", "200"]))
    site.routes["/polja"] = page("<html><body><h1>Polja</h1><span class='cena'>99 RSD</span></body></html>")
    store = Store.open(str(demo_copy))
    try:
        add_watcher(store, "ana", WatcherDraft(url=site.url("/p/sanduk"), company_id=int(
            store.query_rows("SELECT id FROM companies WHERE NOT is_us ORDER BY id LIMIT 1")[0]["id"])))
        add_watcher(store, "ana", WatcherDraft(url=site.url("/kategorija"), kind="listing", item_selector="li.product",
                                               schedule="weekly"))
        add_watcher(store, "ana", WatcherDraft(url=site.url("/polja"), kind="selectors", schedule="manual",
                                               fields=[FieldSpec.parse("cena:price=.cena"), FieldSpec.parse("ocena=.ocena")]))
        add_watcher(store, "ana", WatcherDraft(url=site.url("/nema"), kind="text", schedule="hourly"))
    finally:
        store.close()

    at = run_app(demo_copy, monkeypatch, page="collect", lang="sr")
    assert_serbian(at, COLLECT_CODES, ("collect.",))  # nothing run yet: "not run yet", "–" for empty cells
    at.button(key="collect_run_all").click().run()
    site.routes["/p/sanduk"] = page(product_html("1350.00", "OutOfStock"))
    site.routes["/kategorija"] = page(listing_html(["100", "250", "300"]))
    at.button(key="collect_run_all").click().run()
    assert_serbian(at, COLLECT_CODES, ("collect.",), demo_copy)
    table = at.dataframe[-1].value
    notes = dict(zip(table[t("collect.col.watcher", "sr")], table[t("collect.col.message", "sr")]))
    assert notes[site.url("/nema")] == t("collect.msg.http", "sr", code=404)  # the failing page, in Serbian
    assert notes[site.url("/polja")] == t("collect.msg.selector_nothing", "sr", field="ocena", css=".ocena")
    assert table[t("collect.col.kind", "sr")].tolist() == [t(f"collect.kind.{k}", "sr") for k in
                                                          ("product", "listing", "selectors", "text")]

    at.session_state["collect_view"] = "changes"
    at.run()
    assert_serbian(at, COLLECT_CODES, ("collect.",), demo_copy)
    changes = at.dataframe[0].value
    fields = changes[t("collect.col.field", "sr")].tolist()
    assert t("collect.field.price", "sr") in fields and t("collect.field.availability", "sr") in fields
    row = changes[changes[t("collect.col.field", "sr")] == t("collect.field.availability", "sr")].iloc[0]
    assert (row[t("collect.col.old", "sr")], row[t("collect.col.new", "sr")]) == (
        t("collect.availability.InStock", "sr"), t("collect.availability.OutOfStock", "sr"))
    assert t("collect.change.item_added", "sr", item="Kutija 2") in fields

    at.session_state["collect_view"] = "history"
    at.run()
    assert_serbian(at, COLLECT_CODES, ("collect.",))

    at.session_state["collect_view"] = "add"
    at.run()
    assert_serbian(at, COLLECT_CODES, ("collect.",))
    at.text_input(key="collect_url").input(site.url("/p/sanduk"))
    at.button(key="FormSubmitter:collect_add_form-" + t("collect.form.test", "sr")).click().run()
    assert_serbian(at, COLLECT_CODES, ("collect.",), demo_copy)
    values = at.dataframe[0].value
    assert values[t("collect.col.field", "sr")].tolist()[:6] == [t(f"collect.field.{f}", "sr") for f in PRODUCT_FIELDS]
    assert t("collect.availability.OutOfStock", "sr") in values[t("collect.col.value", "sr")].tolist()


@pytest.mark.parametrize(
    ("form", "key", "params"),
    [
        ({"collect_url": ""}, "collect.error.url_empty", {"scheme": "https://"}),
        ({"collect_url": "shop.example.rs/p/1"}, "collect.error.url_scheme",
         {"url": "shop.example.rs/p/1", "http": "http://", "https": "https://"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_fields": "price .cena"}, "collect.error.field_form",
         {"line": 1, "text": "price .cena", "example": "price=.product-price"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_fields": "cena=.a\ncena:iznos=.b"}, "collect.error.field_type",
         {"line": 2, "kind": "iznos", "types": "text, number, price, date"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_fields": "cena=.a\ncena=.b"}, "collect.error.field_twice",
         {"name": "cena"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_kind": "selectors"}, "collect.error.no_fields",
         {"example": "price=.product-price"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_kind": "listing"}, "collect.error.no_items",
         {"example": "li.product"}),
        ({"collect_url": "https://shop.example.rs/p/1", "collect_ignore": "#ok\ndiv[["}, "collect.error.selector_ignore",
         {"css": "div[["}),
    ],
)
def test_add_form_refusals_read_in_serbian_and_nothing_is_saved(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, form: dict, key: str, params: dict
) -> None:
    at = run_app(demo_copy, monkeypatch, page="collect", lang="sr")
    at.session_state["collect_view"] = "add"
    at.run()
    for widget, value in form.items():
        if widget == "collect_kind":
            at.selectbox(key=widget).set_value(value)
        elif widget in ("collect_fields", "collect_ignore"):
            at.text_area(key=widget).input(value)
        else:
            at.text_input(key=widget).input(value)
    at.button(key="FormSubmitter:collect_add_form-" + t("collect.form.save", "sr")).click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert t(key, "sr", **params).replace("\\", "") in at.error[0].value.replace("\\", "")
    assert t("error.title.ValidationError", "sr") in at.error[0].value.replace("\\", "")
    store = Store.open(str(demo_copy))
    try:
        assert store.query_rows("SELECT count(*) AS n FROM watchers")[0]["n"] == 0
    finally:
        store.close()


def test_admin_page_in_serbian_shows_role_labels_and_translated_refusals(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        admin = "ana"  # local mode: a plain name has every right
        access_roles.assign_role(store, admin, "@example.com", "viewer")
        access_roles.assign_role(store, admin, "boss@example.com", "admin", note="Управа")
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="admin", lang="sr")
    assert_serbian(at, ROLE_CODES, ("admin.", "access.role.", "access.action."), demo_copy)
    picked = at.selectbox(key="admin_remove_pick")
    assert all(re.search(r"\((посматрач|уредник|администратор)\)$", o) for o in picked.options), picked.options
    table = at.dataframe[0].value
    assert table[t("admin.col.note", "sr")].tolist().count("") + table[t("admin.col.note", "sr")].tolist().count("–") == 1

    at.text_input(key="admin_pattern").input("ana at example")
    at.button(key="admin_save").click().run()
    assert len(at.error) == 1
    message = at.error[0].value.replace("\\", "")
    assert t("admin.error.pattern", "sr", pattern="ana at example", person="ana@example.com",
             domain="@example.com") in message
    assert t("error.title.ValidationError", "sr") in message
    store = Store.open(str(demo_copy))
    try:
        assert len(access_roles.list_assignments(store, "ana")) == 2  # nothing saved
    finally:
        store.close()
