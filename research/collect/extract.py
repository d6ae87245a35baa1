"""Pure extraction from HTML to typed values: no I/O, no clock, no workspace.

Automatic product extraction reads, in order of trust, schema.org JSON-LD
(Product/ProductGroup/Offer/AggregateOffer, `@graph`, arrays, nested entities,
JSON with comments or trailing commas), microdata, OpenGraph / `product:` meta
tags, loose `itemprop` attributes and finally visible-page heuristics (the first
price-like element after the main heading). Each field is taken from the most
trusted source that has it. Prices are parsed by price-parser and given as plain
decimal strings (`1299.00`) with an ISO currency where one can be told.
Selector and listing extraction read fields named by CSS selectors.

Pages are untrusted input, so every step is linear in the page's size: no regular
expression here can backtrack super-linearly (possessive quantifiers, bounded
number runs, terminators that always match), text is read only as far as it is
needed, and listing tiles nested in one another count once. `isolation` runs this
module in a worker process with a hard deadline on top of that.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import itertools
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag
from price_parser import Price
from soupsieve import SelectorSyntaxError

from research.errors import ExtractError


PRODUCT_FIELDS = ("name", "price", "currency", "sku", "brand", "availability")
FIELD_TYPES = ("text", "number", "price", "date")
MAX_ITEMS = 1000
MAX_TEXT = 300_000
# Prices have at most this many digits before the decimal point; a longer run of digits is
# not a price (and would overflow decimal arithmetic: "111…1 €" with 200 digits).
MAX_PRICE_DIGITS = 15
PRICE_SCAN = 2000  # characters of one text a price pattern reads (a price sits near the start)
MAX_FIELD_TEXT = 5000  # characters read for one name, SKU or other itemprop value
ITEM_NODES = 3000  # elements and strings read from one listing tile (a real tile has a few dozen)
MAX_OFFERS = 500  # JSON-LD offers and variants read from one product

AVAILABILITY = (
    "InStock", "OutOfStock", "PreOrder", "PreSale", "BackOrder", "Discontinued", "InStoreOnly",
    "LimitedAvailability", "OnlineOnly", "SoldOut", "MadeToOrder", "Reserved",
)
_AVAILABILITY_BY_KEY = {a.lower(): a for a in AVAILABILITY}
_AVAILABILITY_WORDS = {  # OpenGraph and shop wording → schema.org
    "instock": "InStock", "available": "InStock", "availablefororder": "InStock", "in": "InStock",
    "oos": "OutOfStock", "outofstock": "OutOfStock", "unavailable": "OutOfStock", "out": "OutOfStock",
    "preorder": "PreOrder", "pending": "PreOrder", "backorder": "BackOrder", "discontinued": "Discontinued",
    "limited": "LimitedAvailability", "soldout": "SoldOut",
}
# Visible wording, checked in this order ("nema na stanju" contains "na stanju").
_STOCK_PHRASES = (
    ("OutOfStock", ("out of stock", "sold out", "nema na stanju", "нема на стању", "nije dostupno", "није доступно",
                    "rasprodato", "распродато", "currently unavailable", "ausverkauft", "nicht verfügbar",
                    "épuisé", "agotado", "nedostupno", "недоступно")),
    ("PreOrder", ("pre-order", "preorder", "pre order", "prednarudžb", "преднаруџб")),
    ("InStock", ("in stock", "na stanju", "на стању", "na lageru", "на лагеру", "dostupno", "доступно",
                 "auf lager", "en stock", "disponible", "add to cart", "add to basket", "u korpu", "у корпу")),
)

# Currency signs and words as shops write them → ISO 4217.
_CURRENCY_WORDS = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "evra": "EUR", "евра": "EUR", "£": "GBP", "gbp": "GBP",
    "$": "USD", "us$": "USD", "usd": "USD", "c$": "CAD", "ca$": "CAD", "cad": "CAD", "a$": "AUD", "au$": "AUD",
    "rsd": "RSD", "din": "RSD", "дин": "RSD", "рсд": "RSD", "dinara": "RSD", "динара": "RSD",
    "km": "BAM", "bam": "BAM", "кm": "BAM", "kn": "HRK", "hrk": "HRK", "mkd": "MKD", "ден": "MKD", "den": "MKD",
    "bgn": "BGN", "лв": "BGN", "huf": "HUF", "ft": "HUF", "czk": "CZK", "kč": "CZK", "pln": "PLN", "zł": "PLN",
    "ron": "RON", "lei": "RON", "chf": "CHF", "sfr": "CHF", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "¥": "JPY", "jpy": "JPY", "cny": "CNY", "₹": "INR", "inr": "INR", "₽": "RUB", "руб": "RUB", "rub": "RUB",
    "₴": "UAH", "грн": "UAH", "uah": "UAH", "₺": "TRY", "tl": "TRY", "try": "TRY", "₩": "KRW", "r$": "BRL",
    "brl": "BRL", "mxn": "MXN", "nzd": "NZD", "aud": "AUD",
}
# Where a sign is ambiguous ($, kr), the site's country decides.
_TLD_CURRENCY = {
    "ca": "CAD", "au": "AUD", "nz": "NZD", "mx": "MXN", "sg": "SGD", "hk": "HKD",
    "se": "SEK", "no": "NOK", "dk": "DKK", "is": "ISK",
}
_PRODUCT_TYPES = {"product", "productgroup", "individualproduct", "productmodel", "someproducts", "vehicle", "car"}
_PRICE_WORDS = re.compile(r"price|cena|cijena|cjena|preis|prix|prezzo|precio|prijs|цена|amount", re.I)
_NOT_CURRENT_PRICE = re.compile(
    r"old|was|strike|before|compare|original|crossed|rrp|msrp|saving|save|discount|regular-price-label|"
    r"list-price|price-label|per-unit|unit-price|stara|stara-cena|popust|ušteda|ustedа|tax-info",
    re.I,
)
_NUMBERISH = re.compile(r"\d")
# A number as shops write it ("1 299,00"): possessive, so it never gives characters back,
# and at most 41 characters long, so a search over "1 1 1 1 …" costs 41 steps per start,
# not a walk to the end and back (the old `\d[\d\s.,]*\s*€` took 35 s on 20 KB).
_NUMBER_RUN = r"\d[\d\s.,\u00a0\u202f]{0,40}+"
_CURRENCY_PRICE = re.compile(
    r"(?:[€$£¥₹₽₴₺]|\b(?:EUR|USD|GBP|RSD|BAM|HRK|MKD|BGN|HUF|CZK|PLN|RON|CHF|din|дин|KM|kn|лв)\b)\s*+" + _NUMBER_RUN
    + r"|" + _NUMBER_RUN
    + r"\s*+(?:[€$£¥₹₽₴₺]|\b(?:EUR|USD|GBP|RSD|BAM|HRK|MKD|BGN|HUF|CZK|PLN|RON|CHF|KM|kn|лв)\b|din\.?|дин\.?)",
    re.I,
)
_SKU_LABEL = re.compile(
    r"(?:\bSKU|Šifra(?: proizvoda| artikla)?|Шифра(?: производа| артикла)?|\bArt(?:ikel)?\.?\s*+(?:No|Nr|br)\.?|"
    r"Item\s*+(?:#|No\.?|number)|Product code|Kataloški broj|Artikelnummer|Model(?: No\.?| number)?)"
    # Possessive blanks: `\s*[:#.]?\s*` could split a run of blanks every possible way.
    r"\s*+[:#.]?+\s*+([A-Za-z0-9][A-Za-z0-9\-_./]{1,40})",
    re.I,
)
# JSON-LD clean-up: strings are kept, comments dropped, trailing commas removed. An
# unterminated string or comment runs to the end of the text (`\Z`, after a lone trailing
# backslash too) instead of failing: a failed match would be retried from the next quote,
# which makes `"\"\"\"…` quadratic.
_JSON_TOKENS = re.compile(r'("(?:\\.|[^"\\])*+(?:"|\\?\Z))|(//[^\n]*+|/\*.*?(?:\*/|\Z))|,(\s*+[}\]])', re.S)
_STOCK_MARKS = re.compile(r"stock|availab|dostupn|zalih|stanje|lager", re.I)
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0\u200b\u202f]+")
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "iframe", "object", "head")


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
            raise ExtractError(f"A field is written name=css selector, e.g. price=.product-price; got {text!r}.")
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
            raise ExtractError(f"A field name is a short word (letters, digits, _ or -), not {name!r}.")
        if type not in FIELD_TYPES:
            raise ExtractError(f"Field {name}: the type must be one of {', '.join(FIELD_TYPES)}, not {type!r}.")
        check_selector(css)
        if regex:
            try:
                re.compile(regex)
            except re.error as e:
                raise ExtractError(f"Field {name}: the pattern {regex!r} is not a valid regular expression ({e}).") from None
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
    """What one page yielded: values, warnings about missing fields, its visible text, and notes.

    Notes say what was skipped on the way (a JSON-LD block nested too deeply to read); they
    are not about a field, so they stay out of `warnings`.
    """

    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    text: str = ""
    notes: list[str] = field(default_factory=list)


def check_selector(css: str) -> None:
    if not css or not css.strip():
        raise ExtractError("The CSS selector is empty.")
    try:
        BeautifulSoup("<p></p>", "lxml").select_one(css)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as e:
        raise ExtractError(f"{css!r} is not a CSS selector this tool understands ({str(e).splitlines()[0]}).") from None


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


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if v not in (None, "")), None)
        if value is None:
            return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
        if value is None:
            return None
    text = _BLANKS.sub(" ", html_lib.unescape(str(value))).strip()
    return text or None


# ---- prices and currencies ------------------------------------------------------------------


def currency_code(symbol: str | None, url: str | None = None) -> str | None:
    """ISO code for a currency sign or word as shops write it (`€`, `дин.`, `KM`, `RSD`)."""
    if not symbol:
        return None
    key = symbol.strip().lower().rstrip(".").strip()
    if len(key) > 40:  # a sentence, not a currency sign or word
        return None
    if key in ("$", "kr"):
        tld = _tld(url)
        if tld in _TLD_CURRENCY:
            return _TLD_CURRENCY[tld]
        return "USD" if key == "$" else None
    if key in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[key]
    if re.fullmatch(r"[a-z]{3}", key):
        return key.upper()
    for word, code in _CURRENCY_WORDS.items():  # "US $", "€uro"
        if len(word) > 1 and word in key:
            return code
    return None


def _tld(url: str | None) -> str:
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    return host.rsplit(".", 1)[-1].lower() if "." in host else ""


def decimal_text(amount: Decimal | None) -> str | None:
    """`1299.00`: a plain decimal string with at least two places, never exponent notation."""
    if amount is None:
        return None
    if amount.is_nan() or amount.is_infinite() or amount < 0:
        return None
    if amount and amount.adjusted() >= MAX_PRICE_DIGITS:  # a run of digits, not a price; would not quantize
        return None
    if amount == amount.quantize(Decimal("0.01")):
        return str(amount.quantize(Decimal("0.01")))
    return format(amount.normalize(), "f")


def parse_price(text: Any, url: str | None = None) -> tuple[str | None, str | None]:
    """(`1299.00`, `EUR`) from `1.299,00 €`; (None, None) when no amount is there."""
    if text is None:
        return None, None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _plain_number(str(text)), None
    raw = str(text).strip()
    if not raw or not _NUMBERISH.search(raw):
        return None, None
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return _plain_number(raw), None
    price = Price.fromstring(raw[:200])
    try:
        return decimal_text(price.amount), currency_code(price.currency, url)
    except InvalidOperation:  # digits beyond what decimal arithmetic holds: no price, never an error
        return None, None


def _plain_number(text: str) -> str | None:
    try:
        return decimal_text(Decimal(text))
    except InvalidOperation:
        return None


def parse_number(text: str | None) -> str | None:
    if not text:
        return None
    price = Price.fromstring(text[:200])
    if price.amount is None:
        return None
    try:
        return format(price.amount.normalize(), "f")
    except InvalidOperation:
        return None


def normalize_availability(value: Any) -> str | None:
    """schema.org availability names from URLs, OpenGraph words or shop wording."""
    text = _clean(value)
    if not text:
        return None
    key = re.sub(r"[^a-z]", "", text.rsplit("/", 1)[-1].lower())
    if key in _AVAILABILITY_BY_KEY:
        return _AVAILABILITY_BY_KEY[key]
    if key in _AVAILABILITY_WORDS:
        return _AVAILABILITY_WORDS[key]
    lowered = text.lower()
    for name, phrases in _STOCK_PHRASES:
        if any(p in lowered for p in phrases):
            return name
    return None


# ---- JSON-LD --------------------------------------------------------------------------------


class _TooDeep:
    """What `_loads_lenient` returns for JSON nested deeper than the parser's recursion limit."""


TOO_DEEP = _TooDeep()


def _loads_lenient(text: str) -> Any:
    """JSON as shops write it; None when it is not JSON, TOO_DEEP when it nests too deeply to read."""
    try:
        return _loads_lenient_inner(text)
    except RecursionError:  # json.loads recurses once per level: 100,000 nested "[" is an attack, not data
        return TOO_DEEP


def _loads_lenient_inner(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.replace("<![CDATA[", "").replace("]]>", "").strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    cleaned = _JSON_TOKENS.sub(lambda m: m.group(1) or (m.group(3) if m.group(3) is not None else ""), text)
    try:
        return json.loads(cleaned, strict=False)
    except ValueError:
        pass
    # Several objects written one after another without an array around them.
    try:
        return json.loads("[" + re.sub(r"}\s*{", "},{", cleaned) + "]", strict=False)
    except ValueError:
        return None


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside `data`, depth-first, without recursion."""
    stack = [data]
    seen = 0
    while stack and seen < 20_000:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            yield item
            stack.extend(reversed([v for v in item.values() if isinstance(v, (dict, list))]))
        elif isinstance(item, list):
            stack.extend(reversed([v for v in item if isinstance(v, (dict, list))]))


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type") or obj.get("type") or ""
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for k in kinds if k}


def _offers(value: Any) -> Iterator[dict[str, Any]]:
    """Offers in reading order (nested lists flattened), at most MAX_OFFERS of them."""
    queue: deque[Any] = deque([value])  # list.pop(0) made 100,000 offers quadratic
    given = 0
    while queue and given < MAX_OFFERS:
        item = queue.popleft()
        if isinstance(item, list):
            queue.extendleft(reversed(item[:MAX_OFFERS]))
        elif isinstance(item, dict):
            given += 1
            yield item
            if isinstance(item.get("offers"), (list, dict)):
                queue.extend(item["offers"][:MAX_OFFERS] if isinstance(item["offers"], list) else [item["offers"]])


def _offer_price(offer: dict[str, Any], url: str | None) -> tuple[str | None, str | None]:
    currency = _clean(offer.get("priceCurrency"))
    raw = offer.get("price")
    if raw in (None, "") and offer.get("lowPrice") not in (None, ""):
        raw = offer.get("lowPrice")
    if raw in (None, ""):
        specs = offer.get("priceSpecification")
        for spec in specs if isinstance(specs, list) else [specs]:
            if not isinstance(spec, dict):
                continue
            kind = str(spec.get("priceType") or "").lower()
            if "strikethrough" in kind or "listprice" in kind or "msrp" in kind:
                continue
            if spec.get("price") not in (None, ""):
                raw, currency = spec.get("price"), currency or _clean(spec.get("priceCurrency"))
                break
    if isinstance(raw, (list, dict)):
        raw = _clean(raw)
    price, parsed_currency = parse_price(raw, url)
    return price, (currency_code(currency, url) if currency else parsed_currency)


def _schema_product(obj: dict[str, Any], url: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "name": _clean(obj.get("name")),
        "sku": _clean(obj.get("sku")) or _clean(obj.get("mpn")) or _clean(obj.get("productID")),
        "brand": _clean(obj.get("brand")) or _clean(obj.get("manufacturer")),
        "price": None,
        "currency": None,
        "availability": None,
    }
    offer_sources = [obj.get("offers")]
    if not obj.get("offers") and isinstance(obj.get("hasVariant"), list):
        offer_sources += [v.get("offers") for v in obj["hasVariant"][:MAX_OFFERS] if isinstance(v, dict)]
    for source in offer_sources:
        for offer in _offers(source):
            price, currency = _offer_price(offer, url)
            if result["availability"] is None:
                result["availability"] = normalize_availability(offer.get("availability"))
            if price is not None:
                result["price"], result["currency"] = price, currency
                result["availability"] = normalize_availability(offer.get("availability")) or result["availability"]
                break
        if result["price"] is not None:
            break
    result["availability"] = result["availability"] or normalize_availability(obj.get("availability"))
    return result


# ---- microdata, meta tags, itemprop ---------------------------------------------------------


def _meta_product(meta: dict[str, str], url: str | None) -> dict[str, Any]:
    amount = meta.get("product:price:amount") or meta.get("og:price:amount") or meta.get("product:sale_price:amount")
    currency = meta.get("product:price:currency") or meta.get("og:price:currency") or meta.get("product:sale_price:currency")
    price, parsed_currency = parse_price(amount, url)
    is_product = "product" in (meta.get("og:type") or "").lower() or price is not None
    return {
        "name": _clean(meta.get("og:title")) if is_product else None,
        "price": price,
        "currency": currency_code(currency, url) if currency else parsed_currency,
        "sku": _clean(meta.get("product:retailer_item_id") or meta.get("product:sku")),
        "brand": _clean(meta.get("product:brand") or meta.get("og:brand")),
        "availability": normalize_availability(meta.get("product:availability") or meta.get("og:availability")),
    }


# ---- visible-page heuristics ----------------------------------------------------------------


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


# ---- product pages (on lxml's tree) ---------------------------------------------------------
# BeautifulSoup builds a Python object per tag (~100 ms for a 200 KB page on a small
# machine); lxml's own tree is ~20× faster, so whole-page product extraction reads it
# directly. Selector and listing extraction keep BeautifulSoup for its CSS support.

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
    try:
        tree = lxml.html.fromstring(html) if html and html.strip() else None
    except (ValueError, lxml.etree.ParserError):  # an XML declaration inside a str, or no elements
        try:
            tree = lxml.html.fromstring(html.encode("utf-8"))
        except (ValueError, lxml.etree.ParserError):
            return None
    if tree is None:
        return None
    for path in paths:
        for el in tree.xpath(path):
            if el.getparent() is not None:
                el.drop_tree()
    return tree


def _tree_text(tree: Any) -> str:
    """Visible text of an lxml tree, one block per line (removes the invisible elements)."""
    for el in list(tree.iter(*_INVISIBLE, lxml.etree.Comment)):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the text that follows the element
    body = tree.find("body")
    root = body if body is not None else tree
    lines = (_BLANKS.sub(" ", line).strip() for line in "\n".join(root.itertext()).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def _text_pieces(el: Any, limit: int) -> list[str]:
    """The first text pieces of `el` holding at least `limit` visible characters.

    Reading stops there (or after a generous run of indentation blanks), so asking each of
    255 nested elements for its text costs what it reads, not its whole subtree each time.
    """
    pieces: list[str] = []
    visible = raw = 0
    most = 8 * limit + 4000
    for piece in el.itertext():
        pieces.append(piece)
        visible += len(piece.strip())
        raw += len(piece)
        if visible >= limit or raw >= most:
            break
    return pieces


def _el_text(el: Any, limit: int = MAX_TEXT) -> str:
    """Text of `el` with blanks collapsed; about `limit` characters or more (slice it)."""
    # Blocks joined with spaces: "In stock</p><p>SKU: 12" must not read "In stockSKU: 12".
    return _BLANKS.sub(" ", " ".join(_text_pieces(el, limit))).strip()


def _lx_text(el: Any, limit: int) -> str:
    """Like lxml's `text_content()` (pieces joined as they are), read only as far as `limit`."""
    return "".join(_text_pieces(el, limit))


def _json_ld(tree: Any, notes: list[str] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for number, script in enumerate(tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"), 1):
        data = _loads_lenient(script.text or "")
        if data is TOO_DEEP:
            if notes is not None:
                notes.append(f"JSON-LD block {number} is nested too deeply to read; it was skipped.")
            continue
        if data is None:
            continue
        for obj in _walk(data):
            types = _types(obj)
            if types & _PRODUCT_TYPES:
                found.append(obj)
            elif "offer" in types and isinstance(obj.get("itemOffered"), dict):
                product = dict(obj["itemOffered"])
                product.setdefault("offers", {k: v for k, v in obj.items() if k != "itemOffered"})
                found.append(product)
    return found


def _main_product(products: list[dict[str, Any]], heading: str | None, url: str | None) -> dict[str, Any] | None:
    """The page's own product among several (a listing has no single one)."""
    if not products:
        return None
    if url:
        here = url.split("#", 1)[0].rstrip("/")
        for p in products:
            if str(p.get("url") or p.get("@id") or "").split("#", 1)[0].rstrip("/") == here:
                return p
    names = {_clean(p.get("name")) for p in products}
    if len(products) <= 2 or len(names) == 1:
        return products[0]
    return next((p for p in products if heading and _clean(p.get("name")) == heading), None)


def _lx_prop_value(el: Any) -> str | None:
    for attr in ("content", "value"):
        if el.get(attr) is not None:
            return _clean(el.get(attr))
    tag = el.tag
    if tag in ("a", "link") and el.get("href") is not None:
        return _clean(el.get("href"))
    if tag in ("img", "source") and el.get("src") is not None:
        return _clean(el.get("src"))
    if tag == "time" and el.get("datetime") is not None:
        return _clean(el.get("datetime"))
    return _clean(_lx_text(el, MAX_FIELD_TEXT))


def _lx_item(scope: Any, depth: int = 0) -> dict[str, Any]:
    itemtype = scope.get("itemtype") or ""
    item: dict[str, Any] = {"@type": itemtype.split()[0].rsplit("/", 1)[-1] if itemtype.split() else ""}
    stack = list(reversed([c for c in scope if isinstance(c.tag, str)]))
    while stack:  # itemprops of this scope, not of a nested one; no recursion on deep pages
        el = stack.pop()
        if el.get("itemprop") is not None:
            value: Any = _lx_item(el, depth + 1) if el.get("itemscope") is not None and depth < 6 else _lx_prop_value(el)
            for name in el.get("itemprop").split():
                if name in item:
                    item[name] = (item[name] if isinstance(item[name], list) else [item[name]]) + [value]
                else:
                    item[name] = value
        if el.get("itemscope") is None:
            stack.extend(reversed([c for c in el if isinstance(c.tag, str)]))
    return item


def _microdata(tree: Any) -> list[dict[str, Any]]:
    scopes = tree.xpath("//*[@itemscope][contains(translate(@itemtype, 'PRODUCT', 'product'), 'product')]")
    # A product scope inside another is part of it. Ids are stable: `scopes` keeps every proxy alive.
    # (Was: every descendant of every scope looked up in the list, cubic on nested scopes.)
    scope_ids = {id(s) for s in scopes}
    return [_lx_item(s) for s in scopes[:200] if not any(id(a) in scope_ids for a in s.iterancestors())]


def _meta_tags(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key, value = el.get("property") or el.get("name") or el.get("itemprop"), el.get("content")
        if key and value and key.lower() not in found:
            found[key.lower()] = value
    return found


def _loose_itemprops(tree: Any, url: str | None) -> dict[str, Any]:
    props: dict[str, str] = {}
    for el in tree.xpath("//*[@itemprop]")[:400]:
        for name in el.get("itemprop").split():
            if name not in props:
                value = _lx_prop_value(el)
                if value:
                    props[name] = value
    price, currency = parse_price(props.get("price") or props.get("lowPrice"), url)
    return {
        "name": None,  # a loose itemprop=name is as often a seller or a review as the product
        "price": price,
        "currency": currency_code(props["priceCurrency"], url) if props.get("priceCurrency") else currency,
        "sku": _clean(props.get("sku")) or _clean(props.get("mpn")),
        "brand": _clean(props.get("brand")),
        "availability": normalize_availability(props.get("availability")),
    }


def _lx_struck(el: Any) -> bool:
    for node in [el, *itertools.islice(el.iterancestors(), 4)]:
        if node.tag in ("del", "s", "strike"):
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}".strip()
        if marks and _NOT_CURRENT_PRICE.search(marks):
            return True
    return False


def _lx_price_in(el: Any, url: str | None) -> tuple[str | None, str | None]:
    for attr in ("content", "data-price", "data-price-amount", "data-value"):
        if el.get(attr) is not None:
            price, currency = parse_price(el.get(attr), url)
            if price:
                return price, currency
    if el.find(".//del") is not None or el.find(".//s") is not None or el.find(".//strike") is not None:
        el = copy.deepcopy(el)  # "<del>259</del> 199": the struck price is not it
        for struck in el.xpath(".//del|.//s|.//strike"):
            struck.drop_tree()
    text = _el_text(el, 61)
    if not text or len(text) > 60:
        return None, None
    return parse_price(text, url)


def _heuristics(tree: Any, url: str | None, h1: Any) -> dict[str, Any]:
    """Name from the main heading; price from the first current-price element after it."""
    name = _clean(_lx_text(h1, MAX_FIELD_TEXT)) if h1 is not None else None
    if not name:
        title = tree.find(".//title")
        if title is not None:
            name = _clean(re.split(r"\s[|–—-]\s", _lx_text(title, MAX_FIELD_TEXT))[0])
    elements = [el for el in tree.iter() if isinstance(el.tag, str)]
    start = elements.index(h1) if h1 is not None else 0
    marked = [el for el in elements if (el.get("class") or el.get("id") or el.get("itemprop") or any(
        k.startswith("data-") for k in el.attrib)) and _price_marked(el.tag, el.attrib)]
    # Elements holding another marked element. Each ancestor chain is walked only up to a
    # node already seen, so nested price blocks cost their count, not count × depth.
    containers: set[int] = set()
    for el in marked:
        for ancestor in el.iterancestors():
            if id(ancestor) in containers:
                break
            containers.add(id(ancestor))
    position = {id(el): i for i, el in enumerate(elements)}
    # After the heading first, then the rest (price blocks may sit before it in the markup).
    ordered = sorted(marked, key=lambda el: (position[id(el)] < start, position[id(el)]))[:80]
    price = currency = None
    fallback: tuple[str | None, str | None] = (None, None)
    for el in ordered:
        if id(el) in containers or _lx_struck(el):
            continue
        found, cur = _lx_price_in(el, url)
        if found and Decimal(found) > 0:
            if cur:
                price, currency = found, cur
                break
            if fallback[0] is None:
                fallback = (found, cur)
    if price is None and fallback[0] is not None:
        price, currency = fallback
    if price is None:
        for el in elements[start:start + 400]:
            if el.tag in _INVISIBLE or not el.text or _lx_struck(el):
                continue
            match = _CURRENCY_PRICE.search(el.text[:PRICE_SCAN])
            if match:
                price, currency = parse_price(match.group(0), url)
                if price:
                    break
    availability = None
    for el in elements:
        marks = f"{el.get('class') or ''} {el.get('id') or ''}"
        if marks.strip() and _STOCK_MARKS.search(marks):
            availability = normalize_availability(_el_text(el, 120)[:120])
            if availability:
                break
    parent = h1.getparent() if h1 is not None else None
    region = _el_text(parent, 5000)[:5000] if parent is not None else ""
    match = _SKU_LABEL.search(region)
    if match is None:
        body = tree.find("body")
        match = _SKU_LABEL.search(_el_text(body if body is not None else tree, 20000)[:20000])
    return {"name": name, "price": price, "currency": currency, "sku": match.group(1).rstrip(".") if match else None,
            "brand": None, "availability": availability}


def _merge(sources: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each field from the most trusted source that has it; a price keeps its own currency."""
    result: dict[str, Any] = dict.fromkeys(PRODUCT_FIELDS)
    for source in sources:
        for key in ("name", "sku", "brand", "availability"):
            if result[key] is None and source.get(key):
                result[key] = source[key]
        if result["price"] is None and source.get("price"):
            result["price"], result["currency"] = source["price"], source.get("currency")
    if result["price"] is not None and result["currency"] is None:
        result["currency"] = next((s["currency"] for s in sources if s.get("currency")), None)
    return result


def product_from_tree(tree: Any, url: str | None = None, notes: list[str] | None = None) -> dict[str, Any]:
    """{name, price, currency, sku, brand, availability} of a product page; None where unknown.

    What was skipped on the way is appended to `notes` when it is given.
    """
    h1 = next(tree.iter("h1"), None)
    heading = _clean(_lx_text(h1, MAX_FIELD_TEXT)) if h1 is not None else None
    sources: list[dict[str, Any]] = []
    for products in (_json_ld(tree, notes), _microdata(tree)):
        main = _main_product(products, heading, url)
        if main is not None:
            sources.append(_schema_product(main, url))
    sources.append(_meta_product(_meta_tags(tree), url))
    sources.append(_loose_itemprops(tree, url))
    result = _merge(sources)
    if not all(result[k] for k in ("name", "price", "currency")):
        result = _merge([*sources, _heuristics(tree, url, h1)])
    if result["price"] is not None and result["currency"] is None:
        body = tree.find("body")
        match = _CURRENCY_PRICE.search(_el_text(body if body is not None else tree, 30000)[:30000])
        result["currency"] = parse_price(match.group(0), url)[1] if match else None
    return result


def product_from_html(
    html: str, url: str | None = None, ignore: Sequence[str] = (), notes: list[str] | None = None
) -> dict[str, Any]:
    tree = _tree(html, ignore)
    return product_from_tree(tree, url, notes) if tree is not None else dict.fromkeys(PRODUCT_FIELDS)


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
        raise ExtractError(f"{item_css!r} is not a CSS selector this tool understands.") from e
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
        if tree is None:
            values: dict[str, Any] = dict.fromkeys(PRODUCT_FIELDS)
            text = ""
        else:
            values = product_from_tree(tree, url, notes)
            text = _tree_text(tree)
        if fields:  # extra named fields on a product page
            values.update(fields_from_html(html, fields, url, ignore))
        warnings += [f"{name}: not found on the page" for name in ("name", "price") if values.get(name) is None]
        return Extraction(values=values, warnings=warnings, text=text, notes=notes)
    if kind not in ("selectors", "listing", "text"):
        raise ExtractError(f"Unknown watcher kind {kind!r}.")
    soup = parse_html(html)
    remove_noise(soup, ignore)
    if kind == "selectors":
        values = fields_from_soup(soup, fields, url)
        warnings += [f"{spec.name}: the selector {spec.css} matched nothing" for spec in fields if values.get(spec.name) is None]
    elif kind == "listing":
        if not item_selector:
            raise ExtractError("A listing watcher needs an item selector (the element around each product).")
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
