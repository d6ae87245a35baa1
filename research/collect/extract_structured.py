"""What a page declares about its product: schema.org JSON-LD and microdata, product meta tags, ids in its address.

JSON-LD is read as shops write it (`@graph`, arrays, nested entities, JSON with comments
or trailing commas); every reader is bounded (offers, objects walked, nesting depth) and
never recurses on the page's structure, so a hostile page costs its size, not more.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from research.collect.extract_text import MAX_FIELD_TEXT, clean, lx_text

MAX_OFFERS = 500  # JSON-LD offers and variants read from one product
PRODUCT_TYPES = {"product", "productgroup", "individualproduct", "productmodel", "someproducts", "vehicle", "car"}

# JSON-LD clean-up: strings are kept, comments dropped, trailing commas removed. An
# unterminated string or comment runs to the end of the text (`\Z`, after a lone trailing
# backslash too) instead of failing: a failed match would be retried from the next quote,
# which makes `"\"\"\"…` quadratic.
JSON_TOKENS = re.compile(r'("(?:\\.|[^"\\])*+(?:"|\\?\Z))|(//[^\n]*+|/\*.*?(?:\*/|\Z))|,(\s*+[}\]])', re.S)
# An identifier's shape: letters, digits and a few joiners, one token of at most 40 characters
# (`identifier` also wants a digit in it; a look-ahead for that made searches slow).
ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_./#]{0,38}[A-Za-z0-9]|[A-Za-z0-9]")


class _TooDeep:
    """What `loads_lenient` returns for JSON nested deeper than the parser's recursion limit."""


TOO_DEEP = _TooDeep()


def loads_lenient(text: str) -> Any:
    """JSON as shops write it; None when it is not JSON, TOO_DEEP when it nests too deeply to read."""
    try:
        return _loads_lenient(text)
    except RecursionError:  # json.loads recurses once per level: 100,000 nested "[" is an attack, not data
        return TOO_DEEP


def _loads_lenient(text: str) -> Any:
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
    cleaned = JSON_TOKENS.sub(lambda m: m.group(1) or (m.group(3) if m.group(3) is not None else ""), text)
    try:
        return json.loads(cleaned, strict=False)
    except ValueError:
        pass
    # Several objects written one after another without an array around them.
    try:
        return json.loads("[" + re.sub(r"}\s*{", "},{", cleaned) + "]", strict=False)
    except ValueError:
        return None


def walk(data: Any) -> Iterator[dict[str, Any]]:
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


def types_of(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type") or obj.get("type") or ""
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for k in kinds if k}


def json_ld_products(tree: Any, notes: list[str] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for number, script in enumerate(tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"), 1):
        data = loads_lenient(script.text or "")
        if data is TOO_DEEP:
            if notes is not None:
                notes.append(f"JSON-LD block {number} is nested too deeply to read; it was skipped.")
            continue
        if data is None:
            continue
        for obj in walk(data):
            types = types_of(obj)
            if types & PRODUCT_TYPES:
                found.append(obj)
            elif "offer" in types and isinstance(obj.get("itemOffered"), dict):
                product = dict(obj["itemOffered"])
                product.setdefault("offers", {k: v for k, v in obj.items() if k != "itemOffered"})
                found.append(product)
    return found


def main_product(products: list[dict[str, Any]], heading: str | None, url: str | None) -> dict[str, Any] | None:
    """The page's own product among several (a listing has no single one)."""
    if not products:
        return None
    if url:
        here = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
        for p in products:
            if str(p.get("url") or p.get("@id") or "").split("#", 1)[0].split("?", 1)[0].rstrip("/") == here:
                return p
    names = {clean(p.get("name")) for p in products}
    if len(products) <= 2 or len(names) == 1:
        return products[0]
    return next((p for p in products if heading and clean(p.get("name")) == heading), None)


def siblings_of(products: list[dict[str, Any]], main: dict[str, Any]) -> list[dict[str, Any]]:
    """Other entities describing the same product (one Product per size, all with one name)."""
    name = clean(main.get("name"))
    return [p for p in products if p is not main and name and clean(p.get("name")) == name][:MAX_OFFERS]


def offers_of(value: Any) -> Iterator[dict[str, Any]]:
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


@dataclass(frozen=True)
class OfferReading:
    """One offer's raw price text, declared currency and availability, and where it was found."""

    price: Any
    currency: str | None
    availability: str | None
    where: str
    offer_count: int | None = None  # AggregateOffer.offerCount: how many sellers offer it


def product_offers(obj: dict[str, Any], variants: list[dict[str, Any]] = ()) -> list[OfferReading]:  # type: ignore[assignment]
    """Every offer of a product, its variants (`hasVariant`) and sibling entities, in reading order."""
    sources: list[tuple[str, Any]] = [("offers", obj.get("offers"))]
    if isinstance(obj.get("hasVariant"), list):
        sources += [(f"hasVariant[{i}].offers", v.get("offers")) for i, v in enumerate(obj["hasVariant"][:MAX_OFFERS])
                    if isinstance(v, dict)]
    sources += [(f"product[{i + 2}].offers", v.get("offers")) for i, v in enumerate(variants)]
    readings: list[OfferReading] = []
    for where, source in sources:
        if source is None:
            continue
        for number, offer in enumerate(offers_of(source)):
            raw, currency = _offer_price(offer)
            readings.append(OfferReading(
                price=raw, currency=currency, availability=clean(offer.get("availability")),
                where=f"{where}[{number}]" if isinstance(source, list) or number else where,
                offer_count=_count(offer.get("offerCount")),
            ))
            if len(readings) >= MAX_OFFERS:
                return readings
    if not readings and obj.get("availability"):
        readings.append(OfferReading(None, None, clean(obj.get("availability")), "availability"))
    return readings


def _count(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _offer_price(offer: dict[str, Any]) -> tuple[Any, str | None]:
    currency = clean(offer.get("priceCurrency") or offer.get("pricecurrency"))
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
                raw, currency = spec.get("price"), currency or clean(spec.get("priceCurrency"))
                break
    if isinstance(raw, (list, dict)):
        raw = clean(raw)
    return raw, currency


def identifier(value: Any) -> str | None:
    """The identifier in a declared value: its first token, and only when it has a digit.

    "TE502955-1293415 Housse de canapé" is TE502955-1293415 (text glued on by the markup);
    "Fake Wounds" or "OPTIPLEX TOWER" is a name, not an identifier.
    """
    text = clean(value)
    if not text:
        return None
    token = text.split()[0].rstrip(".,;:")
    if len(token) > 40:
        return None
    return token if ID_SHAPE.fullmatch(token) and any(c.isdigit() for c in token) else None


def is_gtin(value: str) -> bool:
    """A GTIN-13/14 (EAN, ISBN-13) with a valid check digit: a barcode, not a shop's SKU.

    Eight- and twelve-digit numbers are left out: one in ten shop ids passes their check digit too.
    """
    if not value.isdigit() or len(value) not in (13, 14):
        return False
    digits = [int(c) for c in value]
    total = sum(d * (1 if i % 2 else 3) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


# ---- microdata, meta tags, itemprop ---------------------------------------------------------


def _prop_value(el: Any) -> str | None:
    for attr in ("content", "value"):
        if el.get(attr) is not None:
            return clean(el.get(attr))
    tag = el.tag
    if tag in ("a", "link") and el.get("href") is not None:
        return clean(el.get("href"))
    if tag in ("img", "source") and el.get("src") is not None:
        return clean(el.get("src"))
    if tag == "time" and el.get("datetime") is not None:
        return clean(el.get("datetime"))
    return clean(lx_text(el, MAX_FIELD_TEXT))


def _item(scope: Any, depth: int = 0) -> dict[str, Any]:
    itemtype = scope.get("itemtype") or ""
    item: dict[str, Any] = {"@type": itemtype.split()[0].rsplit("/", 1)[-1] if itemtype.split() else ""}
    stack = list(reversed([c for c in scope if isinstance(c.tag, str)]))
    while stack:  # itemprops of this scope, not of a nested one; no recursion on deep pages
        el = stack.pop()
        if el.get("itemprop") is not None:
            value: Any = _item(el, depth + 1) if el.get("itemscope") is not None and depth < 6 else _prop_value(el)
            for name in el.get("itemprop").split():
                if name in item:
                    item[name] = (item[name] if isinstance(item[name], list) else [item[name]]) + [value]
                else:
                    item[name] = value
        if el.get("itemscope") is None:
            stack.extend(reversed([c for c in el if isinstance(c.tag, str)]))
    return item


def microdata_products(tree: Any) -> list[dict[str, Any]]:
    scopes = tree.xpath("//*[@itemscope][contains(translate(@itemtype, 'PRODUCT', 'product'), 'product')]")
    # A product scope inside another is part of it. Ids are stable: `scopes` keeps every proxy alive.
    # (Was: every descendant of every scope looked up in the list, cubic on nested scopes.)
    scope_ids = {id(s) for s in scopes}
    return [_item(s) for s in scopes[:200] if not any(id(a) in scope_ids for a in s.iterancestors())]


def meta_tags(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key, value = el.get("property") or el.get("name") or el.get("itemprop"), el.get("content")
        if key and value and key.lower() not in found:
            found[key.lower()] = value
    return found


def loose_itemprops(tree: Any) -> dict[str, str]:
    """The first value of each itemprop anywhere on the page (markup without an itemscope)."""
    props: dict[str, str] = {}
    for el in tree.xpath("//*[@itemprop]")[:400]:
        for name in el.get("itemprop").split():
            if name not in props:
                value = _prop_value(el)
                if value:
                    props[name] = value
    return props


# ---- identifiers in the page's address ------------------------------------------------------

# Query parameters that name the product (keys compared lower-case, without - and _).
_ID_PARAMS = frozenset({"p", "pid", "id", "sku", "skuid", "item", "itemid", "itm", "product", "productid", "productsid",
                        "prod", "prodid", "article", "articleid", "articleno", "articlenr", "art", "artnr", "childsku",
                        "variantsku", "goodsno", "goodsid"})
_ID_SEGMENT = re.compile(r"\d{5,20}|(?=[A-Z0-9]{8,14}$)(?=.*\d)(?=.*[A-Z])[A-Z0-9]+")
# A trailing id in a slug: "…-1589482272", "…_987929", "…-p400105394", "c7200a278526196", "iid-1021493409".
_SLUG_ID = re.compile(r"(?:^|[-_.]|[a-z])(\d{5,20})$")
_LEADING_ID = re.compile(r"(?:[a-z]{1,2}[-_])?(\d{5,20})[-_][a-z]")
_ID_KEYS = frozenset({"dp", "itm", "item", "items", "p", "product", "products", "prod", "deal", "deals", "sku", "id",
                      "pid", "artikel", "article", "products_id", "product_id", "gp"})


def url_ids(url: str | None) -> list[tuple[str, str]]:
    """(id, where) for product-id shapes in an address: `/dp/B07FW264WL`, `/itm/302474151804`, `?pid=260591`, `…-4667999.html`."""
    if not url:
        return []
    parts = urlsplit(url)
    found: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query)[:20]:
        value = value.strip()
        if re.sub(r"[-_]", "", key.lower()) in _ID_PARAMS and len(value) <= 30 and re.fullmatch(r"[A-Za-z0-9\-_.]*\d[A-Za-z0-9\-_.]*", value):
            found.append((value, f"query parameter {key}"))
    segments = [unquote(s) for s in parts.path.split("/") if s][-30:]
    # The id nearest the end of the path: earlier numeric segments are categories more often than products.
    for index in range(len(segments) - 1, -1, -1):
        segment = re.sub(r"\.(?:s?html?|php|aspx?|jsp)$", "", segments[index], flags=re.I)
        previous = segments[index - 1].lower() if index else ""
        if _ID_SEGMENT.fullmatch(segment) and (segment.isdigit() or previous in _ID_KEYS):
            found.append((segment, f"the address segment after /{previous[:20]}/" if previous else "an address segment"))
            break
        slug = _SLUG_ID.search(segment.lower())
        if slug and not segment.isdigit():
            found.append((slug.group(1), "the end of the address slug"))
            break
        lead = _LEADING_ID.match(segment.lower()) if index == len(segments) - 1 else None
        if lead:
            found.append((lead.group(1), "the start of the address slug"))
            break
    return found
