"""People's CSS selectors on the page's one lxml tree: field specs, selector and listing reading, noise removal.

Selectors are translated to XPath by cssselect (`HTMLTranslator`) and run by lxml in C,
on the same tree the product heuristics read: a page is parsed once. Until issue 16 they
ran on a second, BeautifulSoup parse of the page (soupsieve); saved selectors keep their
meaning: element and attribute names are case-insensitive, the values of HTML's
enumerated attributes (`type`, `lang`, `rel`…) are compared case-insensitively, as
soupsieve and browsers do, and soupsieve's own `:-soup-contains()`,
`:-soup-contains-own()` and `:any-link` are understood. A selector cssselect cannot
translate (`*:first-of-type`, `:not(a, b)`, `:nth-child(2 of .x)`, `:read-only`) is
refused when a watcher is saved, with cssselect's reason (`check_selector`).

A field's element is read as BeautifulSoup's `get_text(" ", strip=True)` read it (so stored
values do not move): its text pieces, each stripped, joined by spaces, without script,
style, template and ruby-annotation text (unless the element is one of those). A listing's
field selectors match as in a browser's `tile.querySelector()`: the element lies inside the
tile, and the rest of the selector may match outside it (`.grid .price` works from a tile).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin

import lxml.etree
from cssselect import HTMLTranslator, SelectorError
from cssselect.parser import Attrib, Function
from cssselect.xpath import XPathExpr

from research.collect.extract_money import CURRENCY_PRICE, PageLocale, parse_number, parse_price
from research.collect.extract_text import MAX_FIELD_TEXT, clean, remove
from research.collect.extract_visible import price_in, price_marked, struck_through
from research.errors import ExtractError

FIELD_TYPES = ("text", "number", "price", "date")
MAX_ITEMS = 1000
ITEM_NODES = 3000  # elements and text pieces read from one listing tile (a real tile has a few dozen)
# Elements whose text BeautifulSoup kept apart from their parent's (bs4's string containers).
STRING_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})
_KEEPS_BLANKS = frozenset({"pre", "textarea"})
_ASCII_BLANKS = " \n\t\f\r"
# Attributes BeautifulSoup read as a list of words (joined by one space when a field reads them).
_WORD_LISTS = {"*": frozenset({"class", "accesskey", "dropzone"}), "a": frozenset({"rel", "rev"}),
               "link": frozenset({"rel", "rev"}), "td": frozenset({"headers"}), "th": frozenset({"headers"}),
               "form": frozenset({"accept-charset"}), "object": frozenset({"archive"}), "area": frozenset({"rel"}),
               "iframe": frozenset({"sandbox"}), "output": frozenset({"for"})}
_FIELD_NAME = re.compile(r"[A-Za-z_][\w\-]{0,40}")
_FIELD_ATTR = re.compile(r"@([A-Za-z_:][-\w:.]*)\s*$")  # `name=css@attr`
_ISO_DATE = re.compile(r"^\d{4}-")
# A month name starts only at a word's start: without the look-behind a long run of letters is
# tried from every letter, each try running to the end of the run.
_US_DATE = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}+\s+\d{1,2},")
# HTML attributes whose values selectors compare case-insensitively (HTML standard, "case-sensitivity
# of selectors"; soupsieve's list): `input[type=CHECKBOX]` matches type="checkbox".
_CASELESS_VALUES = frozenset({
    "accept", "accept-charset", "align", "alink", "axis", "bgcolor", "charset", "checked", "clear", "codetype", "color",
    "compact", "declare", "defer", "dir", "direction", "disabled", "enctype", "face", "frame", "hreflang", "http-equiv",
    "lang", "language", "link", "media", "method", "multiple", "nohref", "noresize", "noshade", "nowrap", "readonly",
    "rel", "rev", "rules", "scope", "scrolling", "selected", "shape", "target", "text", "type", "valign", "valuetype",
    "vlink",
})
# What a selector can fail with: cssselect's parse and translation errors, lxml's XPath errors.
_SELECTOR_ERRORS = (SelectorError, lxml.etree.XPathError, ValueError)


def refusal(key: str, **values: object) -> ExtractError:
    """An ExtractError holding catalog message `key` (research.i18n.keyed_error)."""
    # Imported on the first refusal: the extraction worker imports this module on every start
    # and has no use for the catalogs while pages read fine.
    from research.i18n import keyed_error

    return keyed_error(ExtractError, key, **values)


class _Translator(HTMLTranslator):
    """cssselect's HTML rules plus what soupsieve gave saved selectors."""

    def xpath_attrib(self, selector: Attrib) -> XPathExpr:
        if selector.flag is None and selector.value is not None and selector.attrib.lower() in _CASELESS_VALUES:
            selector.flag = "i"
        return super().xpath_attrib(selector)

    def xpath__soup_contains_function(self, xpath: XPathExpr, function: Function) -> XPathExpr:
        """`:-soup-contains("x")`: soupsieve's name for `:contains("x")` (text anywhere inside)."""
        return self.xpath_contains_function(xpath, function)

    def xpath__soup_contains_own_function(self, xpath: XPathExpr, function: Function) -> XPathExpr:
        """`:-soup-contains-own("x")`: one of the element's own text pieces holds "x"."""
        if function.argument_types() not in (["STRING"], ["IDENT"]):
            raise SelectorError(f"Expected a single string for :-soup-contains-own(), got {function.arguments!r}")
        value = str(function.arguments[0].value)
        return xpath.add_condition(f"text()[contains(., {self.xpath_literal(value)})]")

    def xpath_any_link_pseudo(self, xpath: XPathExpr) -> XPathExpr:
        return self.xpath_link_pseudo(xpath)

    def xpath_checked_pseudo(self, xpath: XPathExpr) -> XPathExpr:
        """`:checked` as a browser (and soupsieve) decides it: see `_checked`."""
        return xpath.add_condition("vantage:checked(.)")


_TRANSLATOR = _Translator()
_NAMESPACE = "urn:vantage:selectors"


def _checked(context: Any, nodes: list[Any]) -> bool:
    """A checked checkbox, the radio button left checked in its group, or a selected option.

    As in a browser: of several checked radio buttons of one group (same form, same name) the
    last stays checked; a `select` without `multiple` shows the last option marked `selected`,
    or, with none marked, its first enabled option.
    """
    if not nodes or not isinstance(nodes[0].tag, str):
        return False
    el, cache = nodes[0], context.eval_context  # eval_context: kept for one evaluation of the selector
    if el.tag == "option":
        select = next(el.iterancestors("select"), None)
        if select is None:
            return el.get("selected") is not None
        if select not in cache:
            cache[select] = _selected_options(select)
        return any(el is chosen for chosen in cache[select])
    if el.tag != "input" or el.get("checked") is None:
        return False
    kind = (el.get("type") or "").lower()
    if kind == "checkbox":
        return True
    if kind != "radio":
        return False
    name = el.get("name")
    if not name:
        return True
    if "radio groups" not in cache:  # one pass over the page for every group (a page may have thousands)
        groups: dict[tuple[str, Any], Any] = {}
        for radio in el.getroottree().getroot().iter("input"):
            if radio.get("checked") is not None and (radio.get("type") or "").lower() == "radio" and radio.get("name"):
                groups[(radio.get("name"), _form_of(radio))] = radio  # a later one replaces: the last stays checked
        cache["radio groups"] = groups
    return cache["radio groups"].get((name, _form_of(el))) is el


def _form_of(el: Any) -> Any | None:
    """The form a control belongs to: the one its `form` attribute names, else the one around it."""
    owner = el.get("form")
    if owner is not None:
        found = el.getroottree().getroot().xpath("//form[@id = $id]", id=owner)
        return found[0] if found else None
    return next(el.iterancestors("form"), None)


def _selected_options(select: Any) -> list[Any]:
    options = list(select.iterdescendants("option"))
    marked = [o for o in options if o.get("selected") is not None]
    if select.get("multiple") is not None:
        return marked
    if marked:
        return marked[-1:]
    if (select.get("size") or "").strip().lstrip("0") not in ("", "1"):
        return []
    enabled = (o for o in options if o.get("disabled") is None
               and not (o.getparent() is not None and o.getparent().tag == "optgroup" and o.getparent().get("disabled") is not None))
    return list(itertools.islice(enabled, 1))


@functools.lru_cache(maxsize=512)
def _compiled(css: str) -> lxml.etree.XPath:
    """The selector as compiled XPath; raises one of _SELECTOR_ERRORS when it is not one we can run."""
    return lxml.etree.XPath(_TRANSLATOR.css_to_xpath(css), namespaces={"vantage": _NAMESPACE},
                            extensions={(_NAMESPACE, "checked"): _checked})


def check_selector(css: str) -> None:
    if not css or not css.strip():
        raise refusal("extract.error.selector_empty")
    try:
        _compiled(css.strip())
    except _SELECTOR_ERRORS as e:
        raise refusal("extract.error.selector", css=css, reason=str(e).splitlines()[0] if str(e) else type(e).__name__) from None


def select(tree: Any, css: str) -> list[Any]:
    """Elements of the page matching `css`, in document order; raises one of _SELECTOR_ERRORS for a bad selector."""
    found = _compiled(css.strip())(tree)
    return found if isinstance(found, list) else []


def _usable(css: str) -> bool:
    try:
        _compiled(css.strip())
    except _SELECTOR_ERRORS:
        return False
    return True


def remove_noise(tree: Any | None, selectors: Iterable[str]) -> tuple[Any | None, list[str]]:
    """Drop elements that change on every visit (cookie banners, clocks) before reading.

    Returns what is left of the page (None when a selector matched the whole page: a class
    on `html` can) and the selectors that could not run. Those were checked when the watcher
    was saved; one this engine refuses (saved under an older one) must not stop a run, so it
    is skipped and the caller warns.
    """
    refused: list[str] = []
    for css in selectors:
        if not css or not css.strip():
            continue
        if not _usable(css):
            refused.append(css.strip())
            continue
        for el in select(tree, css) if tree is not None else []:
            if el is tree:
                tree = None
                break
            remove(el)
    return tree, refused


# ---- field specs --------------------------------------------------------------------------------


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
            raise refusal("extract.error.field_form", form="name=css", example="price=.product-price", text=text)
        head, css = text.split("=", 1)
        name, _, kind = head.strip().partition(":")
        attr = None
        at = _FIELD_ATTR.search(css)
        if at:
            attr, css = at.group(1), css[: at.start()]
        return cls.create(name=name, css=css, attr=attr, type=kind or ("price" if name.strip() == "price" else "text"))

    @classmethod
    def create(cls, *, name: str, css: str, attr: str | None = None, regex: str | None = None, type: str = "text") -> FieldSpec:
        name, css = (name or "").strip(), (css or "").strip()
        if not _FIELD_NAME.fullmatch(name):
            raise refusal("extract.error.field_name", name=name)
        if type not in FIELD_TYPES:
            raise refusal("extract.error.field_type", name=name, types=", ".join(FIELD_TYPES), type=type)
        check_selector(css)
        if regex:
            try:
                re.compile(regex)
            except re.error as e:
                raise refusal("extract.error.field_regex", name=name, regex=regex, reason=str(e)) from None
        return cls(name=name, css=css, attr=(attr or None), regex=(regex or None), type=type)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "css": self.css, "attr": self.attr, "regex": self.regex, "type": self.type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldSpec:
        return cls.create(
            name=data.get("name", ""), css=data.get("css", ""), attr=data.get("attr"),
            regex=data.get("regex"), type=data.get("type") or "text",
        )


# ---- reading what a selector found ----------------------------------------------------------------


def _walk(el: Any, skip: frozenset[str] = frozenset()) -> Iterator[Any]:
    """The nodes inside `el` in document order, as BeautifulSoup listed them: elements (and
    comments), and text pieces as `str`: an element's own text after it, each child's tail
    after that child's subtree. Elements named in `skip` are listed but not entered.

    Lazy and without recursion: a page may nest thousands deep, and a caller that wants the
    first few nodes (islice) pays for those only.
    """
    if el.text:
        yield el.text
    stack: list[tuple[Iterator[Any], str | None]] = [(iter(el), None)]
    while stack:
        children, tail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if tail:
                yield tail
            continue
        yield child
        if isinstance(child.tag, str) and child.tag not in skip:
            if child.text:
                yield child.text
            stack.append((iter(child), child.tail))
        elif child.tail:
            yield child.tail


def element_text(el: Any, limit: int | None = None, *, strip: bool = True, skip: frozenset[str] = STRING_CONTAINERS,
                 nodes: int | None = None) -> str:
    """BeautifulSoup's `get_text(" ", strip=strip)` of `el`, read only until it holds `limit`
    characters and through at most `nodes` nodes (each when given)."""
    if el.tag in skip:  # a field that selects a script reads the script
        skip = skip - {el.tag}
    # BeautifulSoup kept a run of ASCII blanks as one "\n" (one " " without a line break) outside pre and textarea.
    squeeze = not strip and not any(a.tag in _KEEPS_BLANKS for a in itertools.chain((el,), el.iterancestors()))
    pieces: list[str] = []
    size = 0
    for node in itertools.islice(_walk(el, skip), nodes):
        if not isinstance(node, str):
            continue
        if squeeze and not node.strip(_ASCII_BLANKS):
            node = "\n" if "\n" in node else " "
        piece = node.strip() if strip else node
        if piece:
            pieces.append(piece)
            size += len(piece) + 1
            if limit is not None and size > limit:
                break
    return " ".join(pieces)


def _attribute(el: Any, name: str) -> str | None:
    value = el.get(name)
    if value is not None and (name in _WORD_LISTS["*"] or name in _WORD_LISTS.get(el.tag, ())):
        value = " ".join(value.split())
    return value


def _field_value(el: Any | None, spec: FieldSpec, url: str | None) -> tuple[Any, str | None]:
    """(value, currency if the field is a price) of one field; (None, None) when nothing matched."""
    if el is None:
        return None, None
    raw = clean(_attribute(el, spec.attr) if spec.attr else element_text(el))
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
    dayfirst = not _ISO_DATE.match(text) and not _US_DATE.search(text)
    try:
        return date_parser.parse(text, dayfirst=dayfirst, fuzzy=True).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _first(tree: Any, css: str) -> Any | None:
    try:
        found = select(tree, css)
    except _SELECTOR_ERRORS:
        return None  # checked when saved; an old one reads as "matched nothing", never stops a run
    return found[0] if found else None


def fields_from_tree(tree: Any | None, specs: Sequence[FieldSpec], url: str | None) -> dict[str, Any]:
    """{field name: value} of the page (None where a selector matched nothing), and the first price's currency."""
    values: dict[str, Any] = {}
    detected_currency = None
    for spec in specs:
        value, currency = _field_value(_first(tree, spec.css) if tree is not None else None, spec, url)
        values[spec.name] = value
        detected_currency = detected_currency or currency
    if detected_currency and "currency" not in values:
        values["currency"] = detected_currency
    return values


# ---- listings -----------------------------------------------------------------------------------


def items_from_tree(tree: Any | None, item_css: str, specs: Sequence[FieldSpec], url: str | None) -> list[dict[str, Any]]:
    """One row per element matching `item_css` (a product tile on a category page)."""
    if not _usable(item_css):
        raise refusal("extract.error.selector_items", css=item_css)
    items = select(tree, item_css)[:MAX_ITEMS] if tree is not None else []
    items = _outermost(items)
    if specs:
        return _item_fields(tree, items, specs, url)
    page = PageLocale.of(url)
    return [_auto_item(item, url, page) for item in items]


def _outermost(items: list[Any]) -> list[Any]:
    """Items not inside another item: a tile matching the selector inside a tile is part of it.

    Without this, 8,000 tiles nested in one another are read 8,000 times over. Each ancestor
    is looked at once: a walk up stops at the first node already known to be inside or outside.
    The dict holds the elements themselves, which keeps lxml's proxies (and so their identity) alive.
    """
    inside: dict[Any, bool] = {}
    kept: list[Any] = []
    for item in items:  # document order: an enclosing item comes before what it holds
        verdict = _nearest_known(item, inside.get, inside, False)
        if not verdict:
            kept.append(item)
        inside[item] = True
    return kept


T = TypeVar("T")


def _nearest_known(el: Any, known: Callable[[Any], T | None], memo: dict[Any, T], default: T) -> T:
    """What `known` says of `el`'s nearest ancestor it knows (`default` if none); every ancestor walked
    past is remembered in `memo` with that answer, so each node is walked up at most once."""
    path: list[Any] = []
    node = el.getparent()
    found = default
    while node is not None:
        value = known(node)
        if value is not None:
            found = value
            break
        path.append(node)
        node = node.getparent()
    for key in path:
        memo[key] = found
    return found


def _item_fields(tree: Any, items: list[Any], specs: Sequence[FieldSpec], url: str | None) -> list[dict[str, Any]]:
    """Each tile's fields: per field, its first match inside the tile.

    Each selector runs once over the page and every match is given to the tile that holds it
    (one walk up per node, remembered), instead of once per tile.
    """
    row_of: dict[Any, int] = {item: row for row, item in enumerate(items)}
    owner: dict[Any, int] = {}  # element → the tile holding it (-1: none)

    def known_row(node: Any) -> int | None:
        row = row_of.get(node)
        return owner.get(node) if row is None else row

    def tile_of(el: Any) -> int:
        return _nearest_known(el, known_row, owner, -1)

    rows: list[dict[str, Any]] = [{} for _ in items]
    currencies: list[str | None] = [None] * len(items)
    for spec in specs:
        firsts: dict[int, Any] = {}
        try:
            matches = select(tree, spec.css) if items else []
        except _SELECTOR_ERRORS:
            matches = []
        for el in matches:
            row = tile_of(el)
            if row >= 0 and row not in firsts:
                firsts[row] = el
        for row, values in enumerate(rows):
            values[spec.name], currency = _field_value(firsts.get(row), spec, url)
            currencies[row] = currencies[row] or currency
    for values, currency in zip(rows, currencies):
        if currency and "currency" not in values:
            values["currency"] = currency
    return rows


def _auto_item(item: Any, url: str | None, page: PageLocale) -> dict[str, Any]:
    # One bounded walk finds the first heading, itemprop=name, link and link with href, and the
    # first ten price elements, in document order. Price elements are judged as on product pages.
    heading = named = link = href = None
    prices: list[Any] = []
    for node in itertools.islice(_walk(item), ITEM_NODES):
        if isinstance(node, str) or not isinstance(node.tag, str):
            continue
        tag = node.tag
        if heading is None and tag in ("h2", "h3", "h4", "h5"):
            heading = node
        if named is None and node.get("itemprop") == "name":
            named = node
        if tag == "a":
            link = node if link is None else link
            if href is None and node.get("href") is not None:
                href = node
        if len(prices) < 10 and node.attrib and price_marked(node):
            prices.append(node)
    title = heading if heading is not None else named if named is not None else link
    price = currency = None
    for el in prices:
        if not struck_through(el):
            price, currency = price_in(el, page, url)
            if price:
                break
    if price is None:
        match = CURRENCY_PRICE.search(element_text(item, 2000, nodes=ITEM_NODES)[:2000])
        if match:
            price, currency = parse_price(match.group(0), url, page)
    return {
        "name": clean(element_text(title, MAX_FIELD_TEXT, strip=False, nodes=ITEM_NODES)) if title is not None else None,
        "price": price,
        "currency": currency,
        "url": urljoin(url or "", str(href.get("href"))) if href is not None else None,
    }
