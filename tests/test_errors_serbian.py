"""Refusals of collection, fetching, the page reader, the inbox and role rules read in Serbian on a page.

Each error is triggered for real (a bad address, a draft with a bad kind, a malformed roles
mapping, a broken inbox file…). Its `message` must stay the English sentence the CLI printed
before the errors were keyed (scripts and the Collect page's reading of run messages depend on
it), and `error_text(error, "sr")` must give a Cyrillic sentence with the same values in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from research.access.roles import assign_role
from research.collect.extract import FieldSpec, check_selector, extract_page, items_from_tree, parse_html
from research.collect.fetch import FetchPolicy, check_address, check_scheme
from research.collect.inbox import load_exported_watchers, read_batch, write_batch
from research.collect.isolation import extract_isolated
from research.collect.run import PageResult
from research.collect.watchers import WatcherDraft, find_company, get_watcher, list_watchers, product_company
from research.errors import ExtractError, FetchError, ValidationError, VantageError
from research.i18n import MESSAGES, error_text, t
from research.permissions import normalize_pattern, rules_from_mapping
from research.store import Store

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
PAGE = "https://shop.example.com/box"


def raised(cls: type[VantageError], call: Callable[..., object], *args: object, **kwargs: object) -> VantageError:
    with pytest.raises(cls) as caught:
        call(*args, **kwargs)
    return caught.value


def serbian(error: VantageError, *values: object) -> str:
    """The error's Serbian sentence: keyed, Cyrillic, holding `values`, and Latin only inside them."""
    assert error.key in MESSAGES, f"not keyed: {error.message!r}"
    # research.permissions writes its English itself (it sits below research.i18n): it must be the catalog's.
    assert error.message == t(error.key, "en", **error.params)
    text = error_text(error, "sr")[1]
    assert text != error.message and CYRILLIC.search(text), text
    rest = text
    for value in sorted(map(str, values), key=len, reverse=True):  # a value inside another goes after it
        assert value in text, f"{value!r} missing from {text!r}"
        rest = rest.replace(value, "")
    assert not re.search(r"[A-Za-z]{3,}", rest), f"English left in {text!r}"
    return text


# ---- web addresses (research.collect.fetch) ----------------------------------------------------


def test_addresses_refused_before_fetching_read_in_serbian() -> None:
    long_url = PAGE + "/" + "a" * 3000
    error = raised(FetchError, check_scheme, long_url)
    assert error.message == "The web address is 3,029 characters long; at most 2,048 are fetched."
    assert serbian(error, 3029, 2048) == "Веб-адреса има 3029 знакова; преузимају се адресе од највише 2048 знакова."

    error = raised(FetchError, check_scheme, "http://[::1")
    assert error.message == "'http://[::1' is not a valid web address (Invalid IPv6 URL)."
    assert serbian(error, "http://[::1", "Invalid IPv6 URL") == "„http://[::1” није исправна веб-адреса (Invalid IPv6 URL)."

    error = raised(FetchError, check_scheme, "ftp://example.com/price-list")
    assert error.message == "Only http and https addresses can be watched, not ftp: 'ftp://example.com/price-list'."
    assert serbian(error, "ftp://example.com/price-list", "https", "http", "ftp").startswith("Пратити се могу само")

    error = raised(FetchError, check_scheme, "example.com/box")
    assert error.message == "Only http and https addresses can be watched, not this: 'example.com/box'."
    serbian(error, "example.com/box", "https", "http")

    error = raised(FetchError, check_scheme, "http:///box")
    assert error.message == "'http:///box' has no host name."
    assert serbian(error, "http:///box") == "„http:///box” нема име сервера."

    error = raised(FetchError, check_scheme, "https://ana:secret@shop.example.com/box")
    assert error.message == "Addresses with a user name or password in them are not fetched."
    serbian(error)


@pytest.mark.parametrize(
    ("url", "host", "reason"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1", "a loopback address"),
        ("http://10.1.2.3/", "10.1.2.3", "a private network address"),
        ("http://169.254.169.254/latest", "169.254.169.254", "a link-local address (cloud metadata lives there)"),
        ("http://224.0.0.1/", "224.0.0.1", "a reserved address"),
        ("http://100.64.0.1/", "100.64.0.1", "a reserved address"),
    ],
)
def test_forbidden_addresses_name_their_reason_in_both_languages(url: str, host: str, reason: str) -> None:
    error = raised(FetchError, check_address, url, FetchPolicy())
    assert error.message == (
        f"{host} resolves to {host}, {reason}; add it to VANTAGE_COLLECT_ALLOW_HOSTS to fetch intranet pages."
    )
    assert serbian(error, host, "VANTAGE_COLLECT_ALLOW_HOSTS").startswith(f"{host} води на адресу {host}, ")


def test_a_cloud_metadata_host_is_refused_in_serbian() -> None:
    error = raised(FetchError, check_address, "http://metadata.google.internal/computeMetadata", FetchPolicy())
    assert error.message == "metadata.google.internal is a cloud metadata address; it is never fetched."
    assert serbian(error, "metadata.google.internal") == (
        "metadata.google.internal је адреса метаподатака облака; она се никад не преузима."
    )


# ---- watchers as typed (research.collect.watchers) ---------------------------------------------


def test_a_watcher_draft_is_refused_in_serbian() -> None:
    error = raised(ValidationError, WatcherDraft(url=PAGE, kind="price").validate)
    assert error.message == "The watcher kind must be one of product, selectors, listing, text, not 'price'."
    assert serbian(error, "product, selectors, listing, text", "price") == (
        "Врста праћења мора бити једна од ових: product, selectors, listing, text; унето је „price”."
    )

    error = raised(ValidationError, WatcherDraft(url=PAGE, schedule="monthly").validate)
    assert error.message == "The schedule must be one of manual, hourly, daily, weekly, not 'monthly'."
    serbian(error, "manual, hourly, daily, weekly", "monthly")

    error = raised(ValidationError, WatcherDraft(url=PAGE, kind="selectors").validate)
    assert error.message == "A selectors watcher needs at least one field (name and CSS selector)."
    serbian(error)

    error = raised(ValidationError, WatcherDraft(url=PAGE, kind="listing", item_selector="  ").validate)
    assert error.message == "A listing watcher needs an item selector (the element around each product)."
    serbian(error)

    twice = [FieldSpec.create(name="price", css=".price"), FieldSpec.create(name="price", css=".sale")]
    error = raised(ValidationError, WatcherDraft(url=PAGE, kind="selectors", fields=twice).validate)
    assert error.message == "Two fields share a name; give each field its own name."
    serbian(error)

    error = raised(ValidationError, WatcherDraft(url=PAGE, min_change_pct=1500).validate)
    assert error.message == "The minimum price change is a percentage from 0 to 1000."
    assert serbian(error) == "Најмања промена цене је проценат од 0 до 1000."


def test_a_draft_keeps_the_address_and_selector_refusals_keyed() -> None:
    error = raised(ValidationError, WatcherDraft(url="ftp://example.com/box").validate)
    assert error.message == "Only http and https addresses can be watched, not ftp: 'ftp://example.com/box'."
    assert error_text(error, "sr")[0] == "Неисправан унос"  # a ValidationError now, titled as one
    serbian(error, "ftp://example.com/box", "https", "http", "ftp")

    error = raised(ValidationError, WatcherDraft(url=PAGE, ignore_selectors=["div["]).validate)
    assert error.message.startswith("'div[' is not a CSS selector this tool understands (")
    serbian(error, "div[", error.params["reason"])


def test_missing_products_watchers_and_companies_are_named_in_serbian(store: Store) -> None:
    error = raised(ValidationError, product_company, store, 4242)
    assert error.message == "There is no product 4242 in this workspace."
    assert serbian(error, 4242) == "У овом радном простору нема производа 4242."

    error = raised(ValidationError, get_watcher, store, 77)
    assert error.message == "There is no watcher 77 in this workspace."
    serbian(error, 77)

    error = raised(ValidationError, list_watchers, store, [99, 98])
    assert error.message == "No watcher with id 98, 99 in this workspace."
    serbian(error, "98, 99")

    error = raised(ValidationError, find_company, store, " Nobody Ltd ")
    assert error.message == "There is no company 'Nobody Ltd' in this workspace."
    assert serbian(error, "Nobody Ltd") == "У овом радном простору нема компаније „Nobody Ltd”."


# ---- field definitions and kinds (research.collect.extract) ------------------------------------


def test_field_definitions_are_refused_in_serbian() -> None:
    error = raised(ExtractError, FieldSpec.parse, "price .product-price")
    assert error.message == "A field is written name=css selector, e.g. price=.product-price; got 'price .product-price'."
    serbian(error, "name=css", "price=.product-price", "price .product-price")

    error = raised(ExtractError, FieldSpec.create, name="list price", css=".price")
    assert error.message == "A field name is a short word (letters, digits, _ or -), not 'list price'."
    serbian(error, "list price")

    error = raised(ExtractError, FieldSpec.create, name="price", css=".price", type="money")
    assert error.message == "Field price: the type must be one of text, number, price, date, not 'money'."
    assert serbian(error, "price", "text, number, price, date", "money") == (
        "Поље price: врста мора бити једна од ових: text, number, price, date; унето је „money”."
    )

    error = raised(ExtractError, FieldSpec.create, name="code", css="p", regex="(a")
    assert error.message == (
        "Field code: the pattern '(a' is not a valid regular expression (missing ), unterminated subpattern at position 0)."
    )
    serbian(error, "code", "(a", "missing ), unterminated subpattern at position 0")


def test_selectors_and_kinds_are_refused_in_serbian() -> None:
    error = raised(ExtractError, check_selector, " ")
    assert error.message == "The CSS selector is empty."
    assert serbian(error) == "Селектор је празан."

    error = raised(ExtractError, check_selector, "div[")
    reason = error.params["reason"]
    assert error.message == f"'div[' is not a CSS selector this tool understands ({reason})."
    serbian(error, "div[", reason)

    error = raised(ExtractError, items_from_tree, parse_html("<div>x</div>"), "div[", [], None)
    assert error.message == "'div[' is not a CSS selector this tool understands."
    serbian(error, "div[")

    error = raised(ExtractError, extract_page, "<p>x</p>", kind="pdf")
    assert error.message == "Unknown watcher kind 'pdf'."
    assert serbian(error, "pdf") == "Непозната врста праћења: „pdf”."

    error = raised(ExtractError, extract_page, "<p>x</p>", kind="listing")
    assert error.message == "A listing watcher needs an item selector (the element around each product)."
    serbian(error)


# ---- the page reader (research.collect.isolation) ----------------------------------------------


def test_the_page_readers_refusals_read_in_serbian() -> None:
    error = raised(ExtractError, extract_isolated, "<p>x</p>", timeout=0)
    assert error.message == "The time limit for reading a page must be more than zero seconds."
    serbian(error)

    # The worker answers with the English sentence only; the reader knows it and keys it again.
    error = raised(ExtractError, extract_isolated, "<p>x</p>", kind="listing")
    assert error.message == "A listing watcher needs an item selector (the element around each product)."
    serbian(error)

    extract_isolated("<p>warm</p>")  # the worker's start is not part of the deadline below
    slow = FieldSpec.create(name="code", css="p", regex="(a+)+$")  # backtracks for minutes on 40 a's and a "!"
    error = raised(ExtractError, extract_isolated, "<p>" + "a" * 40 + "!</p>", kind="selectors", fields=[slow],
                   timeout=0.5)
    assert error.message == (
        "Reading the page took longer than 0.5 s and was stopped; the page is unusually large "
        "or built to slow readers down (VANTAGE_COLLECT_EXTRACT_TIMEOUT sets the limit)."
    )
    assert serbian(error, "0.5", "VANTAGE_COLLECT_EXTRACT_TIMEOUT").startswith(
        "Читање странице трајало је дуже од 0.5 с и заустављено је;"
    )


# ---- the collection inbox (research.collect.inbox) ---------------------------------------------


def test_inbox_refusals_read_in_serbian(tmp_path: Path) -> None:
    error = raised(VantageError, load_exported_watchers, tmp_path)
    assert error.message == (
        f"The workspace is in use and no watcher list was exported to {tmp_path} yet; "
        "open the Collect page once or run collect while the app is closed."
    )
    assert "„Прикупљање”" in serbian(error, tmp_path, "collect")

    (tmp_path / "watchers.json").write_text("{not json", "utf-8")
    error = raised(VantageError, load_exported_watchers, tmp_path)
    assert error.message.startswith(f"The exported watcher list {tmp_path / 'watchers.json'} cannot be read (")
    serbian(error, tmp_path / "watchers.json", error.params["reason"])

    broken = tmp_path / "20260101-0000.parquet"
    broken.write_bytes(b"this is not parquet")
    error = raised(VantageError, read_batch, broken)
    assert error.message.startswith("The inbox file 20260101-0000.parquet cannot be read (")
    assert error.message.endswith("); move it away to continue.")
    serbian(error, "20260101-0000.parquet", error.params["reason"])

    not_a_folder = tmp_path / "inbox-is-a-file"
    not_a_folder.write_text("", "utf-8")
    result = PageResult(run_id="r1", watcher_id=1, url=PAGE, fetched_at=dt.datetime(2026, 1, 1), fetch_status="ok")
    error = raised(VantageError, write_batch, [result], not_a_folder / "inbox")
    assert error.message == f"Cannot write the collection inbox {not_a_folder / 'inbox'}: {error.params['reason']}."
    assert error_text(error, "sr")[0] == "Пријемна фасцикла прикупљања"
    serbian(error, not_a_folder / "inbox", error.params["reason"])


# ---- role rules (research.permissions, research.access.roles) ----------------------------------


def test_role_rules_in_secrets_are_refused_in_serbian() -> None:
    error = raised(ValidationError, rules_from_mapping, {"editors": ["@"]})
    assert error.message == "'@' is not a domain rule; write it as @example.com."
    assert serbian(error, "@example.com") == "„@” није правило за домен; пишите га као @example.com."

    error = raised(ValidationError, rules_from_mapping, {"admins": "ana"})
    assert error.message == "'ana' is not an e-mail address or an @domain rule."
    serbian(error, "ana", "@domain")

    error = raised(ValidationError, rules_from_mapping, {"owners": ["ana@example.com"]})
    assert error.message == "Unknown role list 'owners' in [vantage.roles]; use admins, editors or viewers."
    assert serbian(error, "owners", "[vantage.roles]", "admins", "editors", "viewers") == (
        "Непознат списак улога „owners” у [vantage.roles]; користите admins, editors или viewers."
    )

    error = raised(ValidationError, normalize_pattern, "ana @example.com")
    assert error.message == "'ana @example.com' is not an e-mail address or an @domain rule."
    serbian(error, "ana @example.com", "@domain")


@pytest.mark.parametrize("value", [5, {"ana@example.com": True}, None])
def test_a_role_list_that_is_not_a_list_is_refused_not_crashed_on(value: object) -> None:
    # Before: `admins = 5` raised TypeError, and a table granted the role to its keys.
    error = raised(ValidationError, rules_from_mapping, {"admins": value})
    assert error.message == (
        f"The role list admins in [vantage.roles] must be an address, an @domain rule or a list of them, not {value!r}."
    )
    serbian(error, "admins", "[vantage.roles]", "@domain", value)


def test_an_unknown_role_is_refused_in_serbian(store: Store) -> None:
    error = raised(ValidationError, assign_role, store, "tester", "ana@example.com", "owner")
    assert error.message == "'owner' is not a role; choose viewer, editor or admin."
    assert serbian(error, "owner", "viewer", "editor", "admin") == (
        "„owner” није улога; изаберите viewer, editor или admin."
    )
    assert store.query_value("SELECT count(*) FROM user_roles") == 0
