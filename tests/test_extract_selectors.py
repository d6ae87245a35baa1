"""People's CSS selectors on the page's one parse (issue 16 item 7: one parser instead of BeautifulSoup and lxml twins).

Selectors used to run on a second, BeautifulSoup parse of each page (soupsieve); they now
run through cssselect on the lxml tree the product heuristics read. These tests pin that
saved selectors keep soupsieve's meaning, that the ones the new engine cannot run are
refused when a watcher is saved (and only warned about in a run), that text watchers read
the text the way their stored hashes were made, and that listing tiles judge price
elements by the same rule as product pages.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from research.collect.extract import ExtractError, FieldSpec, check_selector, extract_page, product_from_html
from research.collect.isolation import close_workers, extract_isolated
from research.collect.views import message_text
from research.collect.watchers import WatcherDraft
from research.errors import ValidationError
from research.i18n import t

ROOT = Path(__file__).resolve().parent.parent
URL = "https://shop.example.com/p/1"


def first(html: str, css: str, attr: str | None = None) -> object:
    spec = FieldSpec.create(name="f", css=css, attr=attr)
    return extract_page(html, kind="selectors", url=URL, fields=[spec]).values["f"]


def test_every_kind_of_watcher_reads_the_page_without_beautifulsoup() -> None:
    # One parser: importing and running extraction of every kind loads neither bs4 nor soupsieve.
    script = textwrap.dedent("""
        import sys
        from research.collect.extract import FieldSpec, extract_page
        html = "<html><body><h1>W</h1><ul><li class='p'><h3>A</h3><span class='price'>5 €</span></li></ul></body></html>"
        extract_page(html, fields=[FieldSpec.parse("t=h1")], ignore=["ul > li:nth-child(9)"])
        extract_page(html, kind="selectors", fields=[FieldSpec.parse("t=h1")])
        extract_page(html, kind="listing", item_selector="li.p")
        extract_page(html, kind="text", ignore=["h1"])
        print(sorted(m for m in ("bs4", "soupsieve") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


FORM = """<html><body><form>
<select id="sort"><option>Newest</option><option>Cheapest</option></select>
<select id="size"><option>S</option><option selected>M</option><option selected>L</option></select>
<select id="many" multiple><option selected>a</option><option>b</option><option selected>c</option></select>
<input type="radio" name="colour" value="red" checked><input type="RADIO" name="colour" value="blue" checked>
<input type="checkbox" name="gift" value="yes" checked><input type="checkbox" name="wrap" value="no">
</form></body></html>"""


@pytest.mark.parametrize(
    ("html", "css", "attr", "expected"),
    [
        # HTML's enumerated attributes compare case-insensitively, as in soupsieve and browsers
        ('<input type="checkbox" value="a"><input type="text" value="b">', "input[type=CHECKBOX]", "value", "a"),
        ('<p lang="EN-gb">x</p>', "[lang=en-GB]", None, "x"),
        # ...other attribute values do not
        ('<p class="Price">x</p><p class="price">y</p>', ".price", None, "y"),
        ('<p data-kind="Sale">x</p><p data-kind="sale">y</p>', "[data-kind=sale]", None, "y"),
        # soupsieve's own pseudo-classes that saved watchers may use
        ("<p>one <b>two</b></p><p>two</p>", 'p:-soup-contains("two")', None, "one two"),
        ("<p>one <b>two</b></p><p>two</p>", 'p:-soup-contains-own("two")', None, "two"),
        ("<p>one <b>two</b></p><p>two</p>", "p:contains(two)", None, "one two"),
        ('<a name="top">x</a><a href="/y">y</a>', "a:any-link", None, "y"),
        # :checked as a browser decides it
        (FORM, "#sort option:checked", None, "Newest"),  # no option marked: the first one is shown
        (FORM, "#size option:checked", None, "L"),  # several marked: the last one wins
        (FORM, "#many option:checked", None, "a"),
        (FORM, "input[name=colour]:checked", "value", "blue"),  # a radio group keeps its last checked button
        (FORM, "input[type=checkbox]:not(:checked)", "value", "no"),
        # structure
        ("<div><h2>T</h2><p>a</p></div><div><p>b</p></div>", "div:has(> h2) p", None, "a"),
        ("<ul><li>1</li><li>2</li><li>3</li></ul>", "li:nth-child(2)", None, "2"),
        ("<ul><li>1</li><li>2</li><li>3</li></ul>", "li:nth-last-child(1)", None, "3"),
        ("<p class='x'>a</p><p>b</p>", "p:not(.x)", None, "b"),
        ("<h3>c</h3><h2>a</h2><span class='price'>b</span>", ":is(h2, .price)", None, "a"),
        ("<h1>W</h1><p>a</p><p>b</p>", "h1 ~ p:last-child", None, "b"),
        # what a field reads: text without script, style or template text; a selected script reads itself
        ("<div class='d'>a <script>var x</script><style>.y{}</style><template>t</template> b</div>", ".d", None, "a b"),
        ('<script type="application/ld+json">{"sku": "A-1"}</script>', "script[type='application/ld+json']", None,
         '{"sku": "A-1"}'),
        ("<div class='d' rel='x'>a</div><a class=' b  c ' href='/z'>z</a>", "a", "class", "b c"),
    ],
)
def test_saved_selectors_keep_their_meaning(html: str, css: str, attr: str | None, expected: str) -> None:
    assert first(html, css, attr) == expected


@pytest.mark.parametrize(
    ("css", "reason"),
    [
        ("*:first-of-type", "*:first-of-type is not implemented"),
        (":not(.a, .b)", "Expected ')'"),
        ("li:nth-child(2 of .x)", "Expected an argument"),
        ("p::text", "Pseudo-elements are not supported"),
        ("input:read-only", "The pseudo-class :read-only is unknown"),
        ("div[", "Expected"),
    ],
)
def test_a_selector_the_engine_cannot_run_is_refused_when_saved(css: str, reason: str) -> None:
    with pytest.raises(ExtractError) as refused:
        check_selector(css)
    assert refused.value.key == "extract.error.selector" and refused.value.params["css"] == css
    assert reason in str(refused.value.params["reason"])
    with pytest.raises(ExtractError, match="not a CSS selector this tool understands"):
        FieldSpec.parse(f"price={css}")
    with pytest.raises(ValidationError, match="not a CSS selector this tool understands"):
        WatcherDraft(url=URL, kind="listing", item_selector=css).validate()
    with pytest.raises(ValidationError, match="not a CSS selector this tool understands"):
        WatcherDraft(url=URL, ignore_selectors=[css]).validate()


def test_a_saved_ignore_selector_the_engine_refuses_is_warned_about_and_the_page_still_read() -> None:
    # Saved under the old engine (stored watchers are not checked again): a run's reader process
    # reads the page and says which selector it skipped, in the viewer's language.
    try:
        result = extract_isolated("<html><body><p>Hello</p><p>world</p></body></html>", kind="text",
                                  ignore=["*:first-of-type", "p:nth-child(2)"])
    finally:
        close_workers()
    warning = "ignore: the selector *:first-of-type cannot be used, so it removed nothing"
    assert result.warnings == [warning] and result.text == "Hello"
    assert message_text(warning, "sr") == t("collect.msg.ignore_unusable", "sr", css="*:first-of-type")
    assert "*:first-of-type" in message_text(warning, "en") and "edit the watcher" in message_text(warning, "en")


def test_a_text_watcher_reads_text_as_its_stored_hashes_were_made() -> None:
    # BeautifulSoup listed every text node on its own line: text on either side of a comment, a
    # script or an ignored element stays two lines; ruby annotations are no text. A change here
    # would make every text watcher on such a page report a change that is not one.
    html = ("<html><head><title>T</title></head><body><p>AD ID<!-- -->1021493409</p>"
            "<p>Updated <span id='clock'>10:31:07</span> today<script>var x = 1;</script>!</p>"
            "<p>漢<ruby>字<rt>じ</rt><rp>(</rp></ruby></p><noscript>Enable JS</noscript></body></html>")
    result = extract_page(html, kind="text", ignore=["#clock"])
    assert result.text == "AD ID\n1021493409\nUpdated\ntoday\n!\n漢\n字"
    assert result.values["characters"] == len(result.text)


def test_ignoring_a_selector_that_matches_the_whole_page_leaves_nothing_to_read() -> None:
    html = "<html class='js cookie-consent'><body><h1>Widget</h1><p class='price'>5 €</p></body></html>"
    assert extract_page(html, kind="text", ignore=["[class*=cookie]"]).text == ""
    assert product_from_html(html, URL, ignore=["[class*=cookie]"])["name"] is None
    assert extract_page(html, kind="text", ignore=["[class*=banner]"]).text == "Widget\n5 €"


def test_a_page_that_declares_another_encoding_in_an_xml_declaration_is_read_as_the_text_it_is() -> None:
    html = '<?xml version="1.0" encoding="windows-1251"?><html><body><h1>Палета</h1><p class="price">5 €</p></body></html>'
    assert extract_page(html, kind="text").text == "Палета\n5 €"
    assert first(html, "h1") == "Палета"


LISTING = """<html><body><div class="grid">
<div class="tile"><h3>A</h3><span class="price">10 €</span><a href="/a">A</a></div>
<div class="tile"><h3>B</h3><a href="/b">B</a></div>
<div class="tile"><h3>C</h3><span class="price">30 €</span><div class="tile"><h3>C2</h3></div></div>
</div><span class="price">99 €</span></body></html>"""


def test_a_listing_fields_selector_matches_as_in_a_browser_tiles_query() -> None:
    # Like tile.querySelector(): the element lies inside the tile, the rest of the selector may match
    # outside it; no tile borrows a neighbour's (or the page's) element, and a tile is not inside itself.
    specs = [FieldSpec.parse("name=.grid .tile h3"), FieldSpec.parse("price=.price"), FieldSpec.parse("self=div.tile")]
    items = extract_page(LISTING, kind="listing", url=URL, item_selector="div.tile", fields=specs).values["items"]
    assert items == [
        {"name": "A", "price": "10.00", "self": None, "currency": "EUR"},
        {"name": "B", "price": None, "self": None},
        {"name": "C", "price": "30.00", "self": "C2", "currency": "EUR"},  # the nested tile is part of C
    ]


def test_listing_tiles_and_product_pages_judge_price_elements_by_one_rule() -> None:
    # One rule (extract_visible.price_marked / struck_through / price_in) for both: a "priceOld" is the
    # list price (tiles used to miss camel case and took 49 here), a price split over lines is one price.
    tile = ('<span class="priceOld">49,00 €</span><span class="price-count">(12)</span>'
            '<span class="price">\n\n\t<b>39</b>\n<sup>,00</sup>\n zł\n</span>')
    listing = f"<html><body><div class='p'><h3>Widget</h3>{tile}</div></body></html>"
    row = extract_page(listing, kind="listing", url="https://shop.example.pl/c", item_selector="div.p").values["items"][0]
    assert (row["price"], row["currency"]) == ("39.00", "PLN")
    product = product_from_html(f"<html><body><h1>Widget</h1>{tile}</body></html>", "https://shop.example.pl/p/1")
    assert (product["price"], product["currency"]) == ("39.00", "PLN")
