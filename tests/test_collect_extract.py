"""Pure extraction over a varied fixture set: shops of every size and country, broken markup."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from test_collect_support import FIXTURES

from research.collect.extract import (
    ExtractError,
    FieldSpec,
    extract_page,
    fields_from_html,
    normalize_availability,
    parse_price,
    product_from_html,
)
from research.collect.fetch import decode_body

ROOT = FIXTURES.parent.parent.parent


def load(name: str) -> str:
    return decode_body((FIXTURES / name).read_bytes(), None)


EXPECTED = {
    # JSON-LD among other JSON-LD blocks; HTML entities in the name; a cart total and a "was" price on the page
    "us_bigbox_jsonld.html": {"name": "Stretch Wrap Film 18\" x 1500', 4-Pack", "price": "87.11", "currency": "USD",
                              "sku": "SW-18-1500", "brand": "Uline Pro", "availability": "InStock"},
    # @graph, JS comments, trailing commas, an EU price string inside JSON-LD, mpn as the SKU (no other id on the page)
    "eu_graph_broken.html": {"name": "Kartonbox 40×30×20 cm, 2-wellig", "price": "1299.00", "currency": "EUR",
                             "sku": "KB-403020", "brand": "Packwelt", "availability": "OutOfStock"},
    # microdata with nested Brand and Offer, windows-1251 declared only in <meta>
    "rs_microdata_1251.html": {"name": "Палета дрвена EUR 1200x800", "price": "12499.90", "currency": "RSD",
                               "sku": "PAL-1208", "brand": "Дрвопак", "availability": "InStock"},
    # OpenGraph product: tags only
    "rs_opengraph.html": {"name": "Kesa sa zip zatvaračem 20x30, 100 kom", "price": "1499.00", "currency": "RSD",
                          "sku": "ZIP-2030", "brand": "ZipPak", "availability": "InStock"},
    # loose itemprop attributes, a struck old price before the current one, KM → BAM
    "ba_itemprop_loose.html": {"name": "Ljepljiva traka 48mm x 66m, smeđa", "price": "4.90", "currency": "BAM",
                               "sku": "LT-4866", "brand": None, "availability": "PreOrder"},
    # no structured data at all: heading, price classes, an old price, a header cart price and a script price
    "rs_heuristic_only.html": {"name": "Folija mehurasta 1m x 100m", "price": "4999.00", "currency": "RSD",
                               "sku": "FM-1100", "brand": None, "availability": "InStock"},
    # WooCommerce-style <del>/<ins> sale price in US format
    "us_heuristic_sale.html": {"name": "Corrugated Mailer Box 12x9x4 (50 pack)", "price": "1299.00", "currency": "USD",
                               "sku": "MB-1294", "brand": None, "availability": "InStock"},
    # "from €9/mo" subscription pricing
    "saas_from_per_month.html": {"name": "LabelCloud Starter", "price": "9.00", "currency": "EUR",
                                 "sku": None, "brand": None, "availability": None},
    # a JSON-LD array, ProductGroup with variants, AggregateOffer lowPrice, bare availability name
    "marketplace_productgroup.html": {"name": "Pallet Jack 2500 kg", "price": "289.00", "currency": "GBP",
                                      "sku": None, "brand": "LiftCo", "availability": "InStock"},
    # priceSpecification list with a strikethrough price first; LimitedAvailability can be bought now: InStock
    "furniture_pricespec.html": {"name": "Office chair Ergo Plus", "price": "199.50", "currency": "EUR",
                                 "sku": "OC-77", "brand": None, "availability": "InStock"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_product_pages_yield_the_expected_fields(name: str) -> None:
    assert product_from_html(load(name), "https://shop.example.com/p/1") == EXPECTED[name]


@pytest.mark.parametrize(
    ("text", "price", "currency"),
    [
        ("1.299,00 €", "1299.00", "EUR"),
        ("RSD 12.499", "12499.00", "RSD"),
        ("12 499,90 дин.", "12499.90", "RSD"),
        ("$1,299.00", "1299.00", "USD"),
        ("from €9/mo", "9.00", "EUR"),
        ("2.499,99 KM", "2499.99", "BAM"),
        (87.11, "87.11", None),
        ("Call for price", None, None),
        ("", None, None),
    ],
)
def test_price_formats(text, price, currency) -> None:
    assert parse_price(text) == (price, currency)


def test_dollar_sign_follows_the_site_country() -> None:
    assert parse_price("$12.00", "https://shop.example.ca/x") == ("12.00", "CAD")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("http://schema.org/InStock", "InStock"), ("https://schema.org/OutOfStock", "OutOfStock"), ("in stock", "InStock"),
     ("out of stock", "OutOfStock"), ("Нема на стању", "OutOfStock"), ("preorder", "PreOrder"), ("maybe", None)],
)
def test_availability_names(value: str, expected: str | None) -> None:
    assert normalize_availability(value) == expected


def test_listing_page_with_many_prices_does_not_crash_and_lists_items() -> None:
    html = load("listing_many_prices.html")
    product = product_from_html(html, "https://shop.example.rs/c")
    assert set(product) == {"name", "price", "currency", "sku", "brand", "availability"}
    result = extract_page(html, kind="listing", url="https://shop.example.rs/c", item_selector="li.product")
    items = result.values["items"]
    assert [i["price"] for i in items] == ["129.00", "159.00", "199.00", "1299.00"]
    assert items[0]["url"] == "https://shop.example.rs/p/k1" and items[0]["name"] == "Kutija 20x20x20"


def test_listing_with_field_selectors() -> None:
    specs = [FieldSpec.parse("title=h2"), FieldSpec.parse("price:price=.price"), FieldSpec.parse("link=a@href")]
    result = extract_page(load("listing_many_prices.html"), kind="listing", url="https://s.example.rs/c",
                          item_selector="li.product", fields=specs)
    assert result.values["items"][3] == {"title": "Kutija 60x40x40", "price": "1299.00", "currency": "RSD",
                                         "link": "https://s.example.rs/p/k4"}


def test_malformed_html_and_unterminated_json_ld_do_not_crash() -> None:
    product = product_from_html(load("malformed.html"))
    assert product["name"] == "Tape gun" and product["price"] == "19.99"
    deep = "<div>" * 5000 + "<h1>Deep</h1><span class='price'>€ 3,00</span>" + "</div>" * 10
    assert product_from_html(deep)["price"] in ("3.00", None)


def test_selector_fields_with_attr_regex_number_date_and_empty_match() -> None:
    html = "<div class='p'>Price: 1.299,00 €</div><img class='main' src='/a.jpg'><span id='stock'>12 pcs</span><time>28.11.2026</time>"
    specs = [
        FieldSpec.parse("price=.p"),
        FieldSpec.parse("image=img.main@src"),
        FieldSpec.create(name="qty", css="#stock", type="number", regex=r"(\d+)\s*pcs"),
        FieldSpec.parse("updated:date=time"),
        FieldSpec.parse("missing=.nope"),
    ]
    values = fields_from_html(html, specs, "https://x.example.com/p")
    assert values == {"price": "1299.00", "image": "https://x.example.com/a.jpg", "qty": "12", "updated": "2026-11-28",
                      "missing": None, "currency": "EUR"}
    result = extract_page(html, kind="selectors", fields=specs)
    assert any(w.startswith("missing:") for w in result.warnings)


def test_bad_field_definitions_are_refused_clearly() -> None:
    with pytest.raises(ExtractError, match="CSS selector"):
        FieldSpec.parse("price=div[")
    with pytest.raises(ExtractError, match="name=css"):
        FieldSpec.parse("price")
    with pytest.raises(ExtractError, match="regular expression"):
        FieldSpec.create(name="x", css="p", regex="(")


def test_noise_selectors_are_removed_and_script_text_never_shows() -> None:
    html = load("us_heuristic_sale.html")
    plain = extract_page(html, kind="text")
    quiet = extract_page(html, kind="text", ignore=["#timestamp"])
    assert "Updated 10:31:07" in plain.text and "Updated" not in quiet.text
    scripted = extract_page(load("rs_heuristic_only.html"), kind="text")
    assert "var price" not in scripted.text and ".price{" not in scripted.text


def test_cli_extract_prints_json_for_a_gzip_file(tmp_path) -> None:
    target = tmp_path / "page.html.gz"
    target.write_bytes(gzip.compress((FIXTURES / "us_bigbox_jsonld.html").read_bytes()))
    done = subprocess.run([sys.executable, "-m", "research", "extract", str(target)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED["us_bigbox_jsonld.html"]


def test_cli_extract_refuses_file_urls_and_missing_files(tmp_path) -> None:
    for source in ("file:///etc/passwd", str(tmp_path / "nope.html")):
        done = subprocess.run([sys.executable, "-m", "research", "extract", source], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 1 and done.stderr.startswith("error:")
