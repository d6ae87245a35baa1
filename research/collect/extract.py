"""Pure extraction from HTML to typed values: no I/O, no clock, no workspace.

This module is the public face of extraction: watcher field definitions (`FieldSpec`),
selector and listing extraction on BeautifulSoup (for its CSS support), and
`extract_page`, which every caller uses. Automatic product extraction lives in
`extract_product` (candidates from every source and a transparent decision) on lxml's
tree, with `extract_structured` (JSON-LD, microdata, meta tags, address ids),
`extract_visible` (main heading, price box, buy button, stock words, product codes),
`extract_money` (prices and currencies with the page's locale) and `extract_text`
(bounded text reading). Prices are plain decimal strings (`1299.00`) with an ISO
currency where one can be told.

Pages are untrusted input, so every step is linear in the page's size: no regular
expression here can backtrack super-linearly (possessive quantifiers, bounded
number runs, terminators that always match), text is read only as far as it is
needed, and listing tiles nested in one another count once. `isolation` runs this
module in a worker process with a hard deadline on top of that.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.etree
from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag
from soupsieve import SelectorSyntaxError

from research.collect.extract_money import CURRENCY_PRICE as _CURRENCY_PRICE
from research.collect.extract_money import MAX_PRICE_DIGITS, NUMBERISH, currency_code, decimal_text, parse_number, parse_price
from research.collect.extract_product import AVAILABILITY, PRODUCT_FIELDS, ProductReading, explain, normalize_availability, read_product
from research.collect.extract_structured import JSON_TOKENS, ID_SHAPE
from research.collect.extract_text import BLANKS as _BLANKS
from research.collect.extract_text import INVISIBLE as _INVISIBLE
from research.collect.extract_text import MAX_FIELD_TEXT, MAX_TEXT, drop
from research.collect.extract_text import clean as _clean
from research.collect.extract_text import tree_text as _tree_text
from research.collect.extract_visible import NOT_CURRENT_PRICE as _NOT_CURRENT_PRICE
from research.collect.extract_visible import PRICE_WORDS as _PRICE_WORDS
from research.collect.extract_visible import SKU_LABEL as _SKU_LABEL
from research.errors import ExtractError

__all__ = [
    "AVAILABILITY", "FIELD_TYPES", "MAX_ITEMS", "MAX_PRICE_DIGITS", "MAX_TEXT", "PRODUCT_FIELDS", "ExtractError",
    "Extraction", "FieldSpec", "check_selector", "currency_code", "decimal_text", "explain_product", "extract_page",
    "fields_from_html", "fields_from_soup", "items_from_soup", "normalize_availability", "parse_html", "parse_number",
    "parse_price", "product_from_html", "product_from_tree", "remove_noise", "text_hash", "visible_text",
]

FIELD_TYPES = ("text", "number", "price", "date")
MAX_ITEMS = 1000
ITEM_NODES = 3000  # elements and strings read from one listing tile (a real tile has a few dozen)
# Patterns the product modules use, named here too so every pattern extraction runs is in one
# place for the linear-time checks (tests/test_security_extract.py).
_PATTERNS = (NUMBERISH, JSON_TOKENS, ID_SHAPE, _SKU_LABEL)


def _refusal(key: str, **values: object) -> ExtractError:
    """An ExtractError holding catalog message `key` (research.i18n.keyed_error)."""
    # Imported on the first refusal: the extraction worker imports this module on every start
    # and has no use for the catalogs while pages read fine.
    from research.i18n import keyed_error

    return keyed_error(ExtractError, key, **values)


@dataclass(frozen=True)
class FieldSpec:
    """One named value of a selectors or listing watcher."""

    name: str
    css: str
    attr: str | None = None
    regex: str | None = None
    type: str = "text"

    @classmethod
    def parse(cls, text: str) -> FieldSpec:
        """`name[:type]=css[@attr]`, e.g. `price:price=.product-price` or `image=img.main@src`."""
        if "=" not in text:
            raise _refusal("extract.error.field_form", form="name=css", example="price=.product-price", text=text)
        head, css = text.split("=", 1)
        name, _, kind = head.strip().partition(":")
        attr = None
        at = re.search(r"@([A-Za-z_:][-\w:.]*)\s*$", css)
        if at:
            attr, css = at.group(1), css[: at.start()]
        return cls.create(name=name, css=css, attr=attr, type=kind or ("price" if name.strip() == "price" else "text"))

    @classmethod
    def create(cls, *, name: str, css: str, attr: str | None = None, regex: str | None = None, type: str = "text") -> FieldSpec:
        name, css = (name or "").strip(), (css or "").strip()
        if not re.fullmatch(r"[A-Za-z_][\w\-]{0,40}", name):
            raise _refusal("extract.error.field_name", name=name)
        if type not in FIELD_TYPES:
            raise _refusal("extract.error.field_type", name=name, types=", ".join(FIELD_TYPES), type=type)
        check_selector(css)
        if regex:
            try:
                re.compile(regex)
            except re.error as e:
                raise _refusal("extract.error.field_regex", name=name, regex=regex, reason=str(e)) from None
        return cls(name=name, css=css, attr=(attr or None), regex=(regex or None), type=type)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "css": self.css, "attr": self.attr, "regex": self.regex, "type": self.type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldSpec:
        return cls.create(
            name=data.get("name", ""), css=data.get("css", ""), attr=data.get("attr"),
            regex=data.get("regex"), type=data.get("type") or "text",
        )


@dataclass
class Extraction:
    """What one page yielded: values, warnings about missing fields, its visible text, notes and evidence.

    Notes say what was skipped on the way (a JSON-LD block nested too deeply to read); they
    are not about a field, so they stay out of `warnings`. Evidence (product pages) is each
    field's decision: the candidates every source proposed, their scores and why the value won.
    """

    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    text: str = ""
    notes: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # product pages: each field's candidates and why


def check_selector(css: str) -> None:
    if not css or not css.strip():
        raise _refusal("extract.error.selector_empty")
    try:
        BeautifulSoup("<p></p>", "lxml").select_one(css)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as e:
        raise _refusal("extract.error.selector", css=css, reason=str(e).splitlines()[0]) from None


# ---- parsing and text -----------------------------------------------------------------------


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html or "", "lxml")


def remove_noise(soup: BeautifulSoup, selectors: Iterable[str]) -> None:
    """Drop elements that change on every visit (cookie banners, clocks) before comparing."""
    for css in selectors:
        if not css or not css.strip():
            continue
        try:
            found = soup.select(css)
        except (SelectorSyntaxError, ValueError, NotImplementedError):
            continue  # validated when the watcher was saved; an old bad one must not stop a run
        for el in found:
            el.decompose()


def visible_text(soup: BeautifulSoup) -> str:
    """The text a reader sees, one block per line; never script or style content.

    Removes the invisible elements from `soup` (call it after reading JSON-LD).
    """
    for el in soup.find_all(_INVISIBLE):
        el.decompose()
    body = soup.body or soup
    lines = (_BLANKS.sub(" ", line).strip() for line in body.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


_NOT_PRICE_TAGS = frozenset({"script", "style", "del", "s", "strike", "option", "input", "select", "meta", "link"})


def _price_marked(name: str, attrs: Any) -> bool:
    """Class, id, itemprop or a data-*price* attribute says "price", and nothing says "old price"."""
    if name in _NOT_PRICE_TAGS:
        return False
    marks = " ".join(
        " ".join(v) if isinstance(v, list) else str(v) for k, v in attrs.items() if k in ("class", "id", "itemprop")
    )
    marks += " " + " ".join(k for k in attrs if k.startswith("data-") and "price" in k)
    return bool(marks.strip()) and bool(_PRICE_WORDS.search(marks)) and not _NOT_CURRENT_PRICE.search(marks)


def _is_price_element(tag: Tag) -> bool:
    return _price_marked(tag.name, tag.attrs)


def _attr_list(tag: Tag, name: str) -> list[str]:
    value = tag.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [str(value)]


def _struck(tag: Tag) -> bool:
    for parent in [tag, *itertools.islice(tag.parents, 4)]:  # not list(parents): 8,000 deep is 8,000 steps
        if not isinstance(parent, Tag):
            continue
        if parent.name in ("del", "s", "strike"):
            return True
        marks = " ".join(_attr_list(parent, "class") + _attr_list(parent, "id"))
        if marks and _NOT_CURRENT_PRICE.search(marks):
            return True
    return False


def _price_in(tag: Tag, url: str | None) -> tuple[str | None, str | None]:
    for attr in ("content", "data-price", "data-price-amount", "data-value"):
        if tag.has_attr(attr):
            price, currency = parse_price(tag[attr], url)
            if price:
                return price, currency
    # "<del>259</del> 199": the struck price is not it. Read only as far as 61 characters.
    text = _soup_text(tag, 61, skip=_STRUCK_TAGS)
    if not text or len(text) > 60:
        return None, None
    return parse_price(text, url)


_STRUCK_TAGS = frozenset({"del", "s", "strike"})
_TEXT_TYPES = (NavigableString, CData)  # what bs4's get_text() reads: no comments, scripts or styles


def _soup_nodes(tag: Tag, limit: int, skip: frozenset[str] = frozenset()) -> Iterator[PageElement]:
    """Descendants of `tag` in document order, at most `limit`, not entering tags named in `skip`.

    Lazy and without recursion: bs4's find()/get_text() walk the whole subtree, which made
    8,000 nested listing tiles quadratic (67 s).
    """
    stack = [iter(tag.contents)]
    seen = 0
    while stack and seen < limit:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        seen += 1
        yield node
        if isinstance(node, Tag) and node.name not in skip:
            stack.append(iter(node.contents))


def _soup_text(tag: Tag, limit: int, *, strip: bool = True, skip: frozenset[str] = frozenset()) -> str:
    """`tag.get_text(" ", strip=strip)` read only until it holds `limit` characters (slice it)."""
    pieces: list[str] = []
    size = 0
    for node in _soup_nodes(tag, ITEM_NODES, skip):
        if type(node) in _TEXT_TYPES:
            piece = node.strip() if strip else str(node)
            if piece:
                pieces.append(piece)
                size += len(piece) + 1
                if size > limit:
                    break
    return " ".join(pieces)


_HTML_PARSER = lxml.etree.HTMLParser(recover=True, no_network=True)
_SIMPLE_SELECTOR = re.compile(r"^([a-zA-Z][\w-]*)?(?:([#.])([\w-]+))?$")


def _simple_xpath(css: str) -> str | None:
    """XPath for `tag`, `.class`, `#id`, `tag.class`, `tag#id`; None for anything richer."""
    match = _SIMPLE_SELECTOR.match(css.strip())
    if not match or not (match.group(1) or match.group(3)):
        return None
    tag, mark, name = match.group(1) or "*", match.group(2), match.group(3)
    if mark == "#":
        return f"//{tag}[@id='{name}']"
    if mark == ".":
        return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    return f"//{tag}"


def _tree(html: str, ignore: Sequence[str]) -> Any:
    """lxml tree of the page with the ignored elements removed (None for an empty page)."""
    selectors = [css for css in ignore if css and css.strip()]
    paths = [_simple_xpath(css) for css in selectors]
    if any(p is None for p in paths):  # rich selectors: BeautifulSoup removes them, lxml reads the rest
        soup = parse_html(html)
        remove_noise(soup, selectors)
        html, paths = str(soup), []
    if not html or not html.strip():
        return None
    # lxml's plain tree, not lxml.html's: the html flavour looks up a Python class for every
    # element it hands out, which made walking a page six times slower.
    try:
        tree = lxml.etree.fromstring(html, _HTML_PARSER)
    except ValueError:  # an XML declaration inside a str
        try:
            tree = lxml.etree.fromstring(html.encode("utf-8"), _HTML_PARSER)
        except (ValueError, lxml.etree.LxmlError):
            return None
    except lxml.etree.LxmlError:
        return None
    if tree is None:
        return None
    for path in paths:
        for el in tree.xpath(path):
            drop(el)
    return tree




# ---- product pages (on lxml's tree) ---------------------------------------------------------
# BeautifulSoup builds a Python object per tag (~100 ms for a 200 KB page on a small
# machine); lxml's own tree is ~20× faster, so whole-page product extraction reads it
# directly. Selector and listing extraction keep BeautifulSoup for its CSS support.


def product_from_tree(tree: Any, url: str | None = None, notes: list[str] | None = None) -> dict[str, Any]:
    """{name, price, currency, sku, brand, availability} of a product page; None where unknown.

    What was skipped on the way is appended to `notes` when it is given.
    """
    return read_product(tree, url, notes).values


def product_from_html(
    html: str, url: str | None = None, ignore: Sequence[str] = (), notes: list[str] | None = None
) -> dict[str, Any]:
    tree = _tree(html, ignore)
    return product_from_tree(tree, url, notes) if tree is not None else dict.fromkeys(PRODUCT_FIELDS)


def explain_product(html: str, url: str | None = None, ignore: Sequence[str] = ()) -> list[str]:
    """Why each field of a product page has its value: one line per decision and per candidate."""
    tree = _tree(html, ignore)
    if tree is None:
        return ["The page is empty: nothing to read."]
    return explain([d.to_dict() for d in read_product(tree, url).decisions])


# ---- public extraction ----------------------------------------------------------------------


def _select_value(root: Tag, spec: FieldSpec, url: str | None) -> tuple[Any, str | None]:
    """(value, currency if the field is a price) of one field; (None, None) when nothing matched."""
    try:
        el = root.select_one(spec.css)
    except (SelectorSyntaxError, ValueError, NotImplementedError):
        return None, None
    if el is None:
        return None, None
    raw = el.get(spec.attr) if spec.attr else el.get_text(" ", strip=True)
    if isinstance(raw, list):
        raw = " ".join(raw)
    raw = _clean(raw)
    if raw and spec.attr in ("href", "src") and url:
        raw = urljoin(url, raw)
    if raw and spec.regex:
        match = re.search(spec.regex, raw)
        raw = (match.group(1) if match.groups() else match.group(0)) if match else None
    if raw is None:
        return None, None
    if spec.type == "price":
        return parse_price(raw, url)
    if spec.type == "number":
        return parse_number(raw), None
    if spec.type == "date":
        return _parse_date(raw), None
    return raw, None


def _parse_date(text: str) -> str | None:
    from dateutil import parser as date_parser

    text = text[:200]  # a date is short; fuzzy parsing of a whole page is slow
    # The look-behind starts a month name only at a word's start: without it a long run of
    # letters is tried from every letter, each try running to the end of the run.
    dayfirst = not re.match(r"^\d{4}-", text) and not re.search(r"(?<![A-Za-z])[A-Za-z]{3,}+\s+\d{1,2},", text)
    try:
        return date_parser.parse(text, dayfirst=dayfirst, fuzzy=True).date().isoformat()
    except (ValueError, OverflowError):
        return None


def fields_from_soup(root: Tag, specs: Sequence[FieldSpec], url: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    detected_currency = None
    for spec in specs:
        value, currency = _select_value(root, spec, url)
        values[spec.name] = value
        detected_currency = detected_currency or currency
    if detected_currency and "currency" not in values:
        values["currency"] = detected_currency
    return values


def fields_from_html(html: str, specs: Sequence[FieldSpec], url: str | None = None, ignore: Sequence[str] = ()) -> dict[str, Any]:
    soup = parse_html(html)
    remove_noise(soup, ignore)
    return fields_from_soup(soup, specs, url)


def _auto_item(item: Tag, url: str | None) -> dict[str, Any]:
    # One bounded walk finds what find()/find_all() would: the first heading, itemprop=name,
    # link and link with href, and the first ten price elements, in document order.
    headings: list[Tag] = []
    named: list[Tag] = []
    links: list[Tag] = []
    hrefs: list[Tag] = []
    prices: list[Tag] = []
    for node in _soup_nodes(item, ITEM_NODES):
        if not isinstance(node, Tag):
            continue
        if not headings and node.name in ("h2", "h3", "h4", "h5"):
            headings.append(node)
        if not named and node.get("itemprop") == "name":
            named.append(node)
        if node.name == "a":
            if not links:
                links.append(node)
            if not hrefs and node.has_attr("href"):
                hrefs.append(node)
        if len(prices) < 10 and _is_price_element(node):
            prices.append(node)
    heading = (headings or named or links or [None])[0]
    link = hrefs[0] if hrefs else None
    price = currency = None
    for tag in prices:
        if not _struck(tag):
            price, currency = _price_in(tag, url)
            if price:
                break
    if price is None:
        match = _CURRENCY_PRICE.search(_soup_text(item, 2000)[:2000])
        if match:
            price, currency = parse_price(match.group(0), url)
    return {
        "name": _clean(_soup_text(heading, MAX_FIELD_TEXT, strip=False)) if heading else None,
        "price": price,
        "currency": currency,
        "url": urljoin(url or "", str(link["href"])) if link else None,
    }


def items_from_soup(soup: BeautifulSoup, item_css: str, specs: Sequence[FieldSpec], url: str | None) -> list[dict[str, Any]]:
    """One row per element matching `item_css` (a product tile on a category page)."""
    try:
        items = soup.select(item_css, limit=MAX_ITEMS)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as e:
        raise _refusal("extract.error.selector_items", css=item_css) from e
    items = _outermost(items)
    if specs:
        return [fields_from_soup(item, specs, url) for item in items]
    return [_auto_item(item, url) for item in items]


def _outermost(items: list[Tag]) -> list[Tag]:
    """Items not inside another item: a tile matching the selector inside a tile is part of it.

    Without this, 8,000 tiles nested in one another are read 8,000 times over. Each ancestor
    is looked at once: a walk up stops at the first node already known to be inside or outside.
    """
    inside: dict[int, bool] = {}
    kept: list[Tag] = []
    for item in items:  # document order: an enclosing item comes before what it holds
        path: list[int] = []
        verdict = False
        node = item.parent
        while node is not None:
            known = inside.get(id(node))
            if known is not None:
                verdict = known
                break
            path.append(id(node))
            node = node.parent
        for key in path:
            inside[key] = verdict
        if not verdict:
            kept.append(item)
        inside[id(item)] = True
    return kept


def extract_page(
    html: str,
    *,
    kind: str = "product",
    url: str | None = None,
    fields: Sequence[FieldSpec] = (),
    item_selector: str | None = None,
    ignore: Sequence[str] = (),
) -> Extraction:
    """Everything a watcher of `kind` wants from a page, with warnings for what was missing."""
    warnings: list[str] = []
    notes: list[str] = []
    if kind == "product":
        tree = _tree(html, ignore)
        evidence: list[dict[str, Any]] = []
        if tree is None:
            values: dict[str, Any] = dict.fromkeys(PRODUCT_FIELDS)
            text = ""
        else:
            reading: ProductReading = read_product(tree, url, notes)
            values, evidence = reading.values, [d.to_dict() for d in reading.decisions]
            text = _tree_text(tree)
        if fields:  # extra named fields on a product page
            values.update(fields_from_html(html, fields, url, ignore))
        warnings += [f"{name}: not found on the page" for name in ("name", "price") if values.get(name) is None]
        return Extraction(values=values, warnings=warnings, text=text, notes=notes, evidence=evidence)
    if kind not in ("selectors", "listing", "text"):
        raise _refusal("extract.error.kind", kind=kind)
    soup = parse_html(html)
    remove_noise(soup, ignore)
    if kind == "selectors":
        values = fields_from_soup(soup, fields, url)
        warnings += [f"{spec.name}: the selector {spec.css} matched nothing" for spec in fields if values.get(spec.name) is None]
    elif kind == "listing":
        if not item_selector:
            raise _refusal("watchers.error.no_item_selector")
        items = items_from_soup(soup, item_selector, fields, url)
        values = {"items": items, "count": len(items)}
        if not items:
            warnings.append(f"items: the selector {item_selector} matched nothing")
    text = visible_text(soup)
    if kind == "text":
        values = {"text_hash": text_hash(text), "characters": len(text)}
        if not text:
            warnings.append("text: the page shows no text")
    return Extraction(values=values, warnings=warnings, text=text)
