"""Automatic product extraction: candidates with evidence from every source, then a transparent decision.

For each field every source proposes candidates: schema.org JSON-LD and microdata of the
page's main product (all its offers and variants), product meta tags, loose `itemprop`s,
the page's address (ids such as `/itm/302474151804`) and what the page shows near its
main heading (price box, buy button, stock words, labelled product codes; see
`extract_visible`). Each candidate carries a weight for how reliable its source is;
candidates that agree add up, and a few rules move weight where sources are known to
mislead:

- price: a structured price the page shows struck through (a list price) loses to the
  current price next to it; when structured sources disagree, the one the page shows wins.
- SKU: a code the page labels for the shopper ("Product code: 141677") beats a technical
  id in the markup; a GTIN/EAN/ISBN is a barcode and a per-size variant id is not the
  product's, so both lose to another id when there is one; MPNs and names are never SKUs;
  a variant suffix (`AB12-1`) is dropped when the page shows the base id.
- availability: structured data first (any variant in stock makes the product
  available), then purchase cues near the heading: an enabled add-to-cart button, a
  quantity selector, stock words, a disabled button or a "notify me" form.

`explain()` turns the decision into lines a person can check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from research.collect.extract_money import CURRENCY_PRICE, PageLocale, currency_code, parse_price
from research.collect.extract_structured import (
    OfferReading,
    identifier,
    is_gtin,
    json_ld_products,
    loose_itemprops,
    main_product,
    meta_tags,
    microdata_products,
    product_offers,
    siblings_of,
    url_ids,
)
from research.collect.extract_text import MAX_FIELD_TEXT, clean, el_text, lx_text
from research.collect.extract_visible import STOCK_PHRASES, PageScan, scan_page

PRODUCT_FIELDS = ("name", "price", "currency", "sku", "brand", "availability")
AVAILABILITY = ("InStock", "OutOfStock", "PreOrder")
# schema.org ItemAvailability (and shop wording) → what a shopper can do today: buy it now
# (InStock), not buy it (OutOfStock), or order it for later delivery (PreOrder).
_AVAILABILITY_KEYS = {
    "instock": "InStock", "limitedavailability": "InStock", "onlineonly": "InStock", "instoreonly": "InStock",
    "madetoorder": "InStock", "available": "InStock", "availablefororder": "InStock", "in": "InStock",
    "limited": "InStock", "instockonline": "InStock",
    "outofstock": "OutOfStock", "soldout": "OutOfStock", "discontinued": "OutOfStock", "reserved": "OutOfStock",
    "oos": "OutOfStock", "unavailable": "OutOfStock", "out": "OutOfStock", "notavailable": "OutOfStock",
    "preorder": "PreOrder", "presale": "PreOrder", "backorder": "PreOrder", "pending": "PreOrder",
}

# Source weights: how often each source is right on pages nobody wrote selectors for.
W_JSON_LD, W_MICRODATA, W_META, W_ITEMPROP = 0.9, 0.85, 0.75, 0.6
W_SEEN_NEAR, W_SEEN_PAGE = 0.5, 0.3
AGREE = 0.15  # per other source proposing the same value
SHOWN = 0.3  # a structured price the page shows as its current price


@dataclass
class Candidate:
    """One proposed value for a field, where it came from and how much weight it carries."""

    value: str
    source: str
    detail: str
    weight: float
    currency: str | None = None
    notes: list[str] = field(default_factory=list)
    agrees: bool = True  # counts as a second source for a value another source proposes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "source": self.source, "detail": self.detail,
                               "weight": round(self.weight, 2)}
        if self.currency:
            out["currency"] = self.currency
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass
class Decision:
    """A field's candidates (best first, with their scores) and the reason the winner won."""

    field: str
    value: Any
    candidates: list[tuple[Candidate, float]]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field, "value": self.value, "reason": self.reason,
            "candidates": [{**c.to_dict(), "score": round(s, 2)} for c, s in self.candidates],
        }


@dataclass
class ProductReading:
    values: dict[str, Any]
    decisions: list[Decision]


def normalize_availability(value: Any) -> str | None:
    """InStock, OutOfStock or PreOrder from schema.org URLs, OpenGraph words or shop wording."""
    text = clean(value)
    if not text or len(text) > 300:
        return None
    key = re.sub(r"[^a-z]", "", text.rsplit("/", 1)[-1].lower())
    if key in _AVAILABILITY_KEYS:
        return _AVAILABILITY_KEYS[key]
    lowered = text.lower()
    for name, phrases in STOCK_PHRASES:
        if any(p in lowered for p in phrases):
            return name
    if "add to cart" in lowered or "add to basket" in lowered or "u korpu" in lowered or "у корпу" in lowered:
        return "InStock"
    return None


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


# ---- candidates -----------------------------------------------------------------------------


def _structured_sources(declared: list[tuple[str, float, list[dict[str, Any]]]], heading: str | None, url: str | None
                        ) -> list[tuple[str, float, dict[str, Any], list[dict[str, Any]]]]:
    """(source, weight, main product, sibling entities) for JSON-LD and microdata."""
    found = []
    for source, weight, products in declared:
        main = main_product(products, heading, url)
        if main is not None:
            found.append((source, weight, main, siblings_of(products, main)))
    return found


def _page_titles(tree: Any, meta: dict[str, str], structured: list[Any]) -> list[str]:
    titles = [meta.get("og:title") or "", meta.get("twitter:title") or ""]
    title = tree.find(".//title")
    if title is not None:
        titles.append(lx_text(title, 400))
    titles += [clean(main.get("name")) or "" for _, _, main, _ in structured]
    return [t for t in titles if t]


def read_product(tree: Any, url: str | None = None, notes: list[str] | None = None) -> ProductReading:
    """{name, price, currency, sku, brand, availability} of a product page and the decisions behind them."""
    meta = meta_tags(tree)
    html_el = tree if tree.tag == "html" else tree.find(".//html")
    lang = (html_el.get("lang") if html_el is not None else None) or meta.get("og:locale") or meta.get("content-language")
    page = PageLocale.of(url, lang)
    first_h1 = next(tree.iter("h1"), None)
    provisional = clean(lx_text(first_h1, MAX_FIELD_TEXT)) if first_h1 is not None else None
    declared_products = [("JSON-LD", W_JSON_LD, json_ld_products(tree, notes)),
                         ("microdata", W_MICRODATA, microdata_products(tree))]
    structured = _structured_sources(declared_products, provisional, url)
    has_sku = any(identifier(main.get("sku")) for _, _, main, _ in structured)
    has_stock = any(o.availability for _, _, main, siblings in structured for o in product_offers(main, siblings)[:5])
    scan = scan_page(tree, _page_titles(tree, meta, structured), url, page, need_code=not has_sku,
                     need_stock=not has_stock and not meta.get("product:availability"))
    if scan.heading_text and scan.heading_text != provisional:  # the real heading may pick another product
        structured = _structured_sources(declared_products, scan.heading_text, url)
    props = loose_itemprops(tree)
    declared = _declared_currency(structured, meta, props, page)

    price = _decide_price(structured, meta, props, scan, url, page, declared)
    sku = _decide_sku(structured, meta, props, scan, url, _canonical(tree, meta))
    # "Offered": a price, and the page is one product's (declared, or it has the product's own id).
    offered = price.value is not None and (
        price.candidates[0][0].source != "page" or "product" in (meta.get("og:type") or "").lower()
        or any(c.source in ("address", "page") for c, _ in sku.candidates))
    decisions = [price, sku, _decide_availability(structured, meta, props, scan, offered)]
    values: dict[str, Any] = dict.fromkeys(PRODUCT_FIELDS)
    values["price"] = price.value
    if price.value is not None:
        winner = price.candidates[0][0]
        values["currency"] = winner.currency or declared or _page_currency(tree, url, page)
    values["sku"] = decisions[1].value
    values["availability"] = decisions[2].value
    values["name"] = _name(structured, meta, scan, tree)
    values["brand"] = _brand(structured, meta, props)
    return ProductReading(values=values, decisions=decisions)


def _canonical(tree: Any, meta: dict[str, str]) -> str | None:
    """The page's canonical address (`<link rel="canonical">` or `og:url`), when it gives one."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return link.get("href")
    return meta.get("og:url")


def _declared_currency(structured: list[Any], meta: dict[str, str], props: dict[str, str], page: PageLocale) -> str | None:
    """The currency the page declares for its product (structured data or meta tags)."""
    for _, _, main, siblings in structured:
        for offer in product_offers(main, siblings)[:20]:
            if offer.currency:
                code = currency_code(offer.currency, page=page)
                if code:
                    return code
    for key in ("product:price:currency", "og:price:currency", "product:sale_price:currency"):
        if meta.get(key):
            code = currency_code(meta[key], page=page)
            if code:
                return code
    if props.get("priceCurrency"):
        return currency_code(props["priceCurrency"], page=page)
    return None


def _page_currency(tree: Any, url: str | None, page: PageLocale) -> str | None:
    body = tree.find("body")
    match = CURRENCY_PRICE.search(el_text(body if body is not None else tree, 30000)[:30000])
    return parse_price(match.group(0), url, page)[1] if match else None


def _name(structured: list[Any], meta: dict[str, str], scan: PageScan, tree: Any) -> str | None:
    for _, _, main, _ in structured:
        name = clean(main.get("name"))
        if name:
            return name
    is_product = "product" in (meta.get("og:type") or "").lower() or bool(
        meta.get("product:price:amount") or meta.get("og:price:amount"))
    if is_product and clean(meta.get("og:title")):
        return clean(meta.get("og:title"))
    if scan.heading_text:
        return scan.heading_text
    title = tree.find(".//title")
    if title is not None:
        return clean(re.split(r"\s[|–—-]\s", lx_text(title, MAX_FIELD_TEXT))[0])
    return None


def _brand(structured: list[Any], meta: dict[str, str], props: dict[str, str]) -> str | None:
    for _, _, main, _ in structured:
        brand = clean(main.get("brand")) or clean(main.get("manufacturer"))
        if brand:
            return brand
    return clean(meta.get("product:brand") or meta.get("og:brand")) or clean(props.get("brand"))


# ---- price ----------------------------------------------------------------------------------


def _decide_price(structured: list[Any], meta: dict[str, str], props: dict[str, str], scan: PageScan,
                  url: str | None, page: PageLocale, declared: str | None) -> Decision:
    candidates: list[Candidate] = []
    for source, weight, main, siblings in structured:
        seen: set[str] = set()
        for number, offer in enumerate(product_offers(main, siblings)[:50]):
            price, currency = _offer_price(offer, url, page)
            if price is None or price in seen or not _decimal(price):
                continue
            seen.add(price)
            candidates.append(Candidate(price, source, f"Product {offer.where}.price", weight - 0.05 * min(number, 4),
                                        currency or declared))
    for key in ("product:price:amount", "og:price:amount", "og:price", "product:sale_price:amount"):
        if meta.get(key):
            price, currency = parse_price(meta[key], url, page)
            if price and _decimal(price):
                currency = currency_code(meta.get(key.replace("amount", "currency")), page=page) or currency or declared
                candidates.append(Candidate(price, "meta", f"<meta property=\"{key}\">", W_META, currency))
                break
    if props.get("price") or props.get("lowPrice"):
        price, currency = parse_price(props.get("price") or props.get("lowPrice"), url, page)
        if price and _decimal(price):
            currency = currency_code(props.get("priceCurrency"), page=page) or currency or declared
            candidates.append(Candidate(price, "itemprop", "itemprop=\"price\" outside a product scope", W_ITEMPROP, currency))
    shown = next((p for p in scan.prices if not p.struck and p.near), None)
    shown = shown or next((p for p in scan.prices if not p.struck), None)
    if shown is not None:
        currency = shown.currency
        if declared and (currency is None or _shared_sign(shown.element)):
            currency = declared
        where = "next to the main heading" if shown.near else "on the page"
        candidates.append(Candidate(shown.price, "page", f"the first current price {where}",
                                    W_SEEN_NEAR if shown.near else W_SEEN_PAGE, currency))
    struck = {Decimal(p.price) for p in scan.prices if p.struck and p.near}
    current = _decimal(shown.price) if shown is not None and shown.near else None

    def adjust(candidate: Candidate, score: float) -> float:
        amount = Decimal(candidate.value)
        if candidate.source == "page":
            return score
        if current is not None and amount == current:
            candidate.notes.append("the page shows it as the current price")
            score += SHOWN
        elif amount in struck and current is not None and current < amount:
            candidate.notes.append("the page shows it struck through or as the old price; the current price is lower")
            score -= 0.6
        return score

    return _decide("price", candidates, key=lambda v: Decimal(v), adjust=adjust)


def _shared_sign(el: Any) -> bool:
    """The visible price's sign is one several currencies use ($, kr, Rs, ¥), so a declared currency decides."""
    text = el_text(el, 61)[:60].lower()
    return any(sign in text for sign in ("$", "kr", "rs", "¥", "р.", "руб"))


def _offer_price(offer: OfferReading, url: str | None, page: PageLocale) -> tuple[str | None, str | None]:
    price, parsed = parse_price(offer.price, url, page)
    return price, (currency_code(offer.currency, url, page) if offer.currency else parsed)


# ---- SKU ------------------------------------------------------------------------------------


def _decide_sku(structured: list[Any], meta: dict[str, str], props: dict[str, str], scan: PageScan,
                url: str | None, canonical: str | None) -> Decision:
    candidates: list[Candidate] = []
    for source, weight, main, siblings in structured:
        sku = identifier(main.get("sku"))
        variant_skus = {identifier(s.get("sku")) for s in siblings} - {None, sku}
        if sku:
            candidate = Candidate(sku, source, "Product.sku", weight - 0.05)
            if variant_skus:
                candidate.notes.append(f"{len(variant_skus) + 1} sizes or colours each have their own sku: a variant's id")
                candidate.weight -= 0.35
            candidates.append(candidate)
        product_id = identifier(main.get("productID"))
        if product_id and not product_id.lower().startswith(("isbn", "gtin", "ean", "upc")):
            candidates.append(Candidate(product_id, source, "Product.productID", weight - 0.25))
        mpn = identifier(main.get("mpn"))
        if mpn:  # the maker's part number: only when nothing else identifies the product
            candidates.append(Candidate(mpn, source, "Product.mpn (the maker's part number)", 0.3))
    for key in ("product:retailer_item_id", "product:sku", "og:sku"):
        value = identifier(meta.get(key))
        if value:
            candidates.append(Candidate(value, "meta", f"<meta property=\"{key}\">", W_META - 0.05))
            break
    if not any(c.source in ("JSON-LD", "microdata") for c in candidates) and identifier(props.get("sku")):
        candidates.append(Candidate(identifier(props["sku"]), "itemprop", "itemprop=\"sku\"", W_ITEMPROP))  # type: ignore[arg-type]
    codes = sorted(scan.codes, key=lambda c: (not c.near, c.position))[:4]
    shown_near = {_sku_key(c.value) for c in codes if c.near}
    for code in codes:
        candidate = Candidate(code.value, "page", f"{code.detail} {'near the main heading' if code.near else 'on the page'}",
                              1.0 if code.near else 0.55)
        if code.near and len(shown_near) > 1:  # a bundle's parts, or codes of several products
            candidate.weight -= 0.3
            candidate.notes.append(f"the page shows {len(shown_near)} different codes near the heading")
        candidates.append(candidate)
    for cue in scan.data_ids:
        # A last resort, never a second opinion: ids in page data are usually the technical ones the
        # markup already has, so agreeing with them says nothing about which id the shop shows.
        candidates.append(Candidate(cue.value, "page data", f"{cue.detail} near the main heading", 0.3, agrees=False))
    addresses = url_ids(url)
    if not addresses and canonical and canonical != url:
        addresses = [(value, f"{where} of the canonical address") for value, where in url_ids(canonical)]
    for value, where in addresses:
        candidates.append(Candidate(value, "address", where, 0.35))
    shown = {c.value for c in candidates if c.source == "page"}
    others = {c.value for c in candidates if not is_gtin(c.value)}

    def adjust(candidate: Candidate, score: float) -> float:
        value = candidate.value
        if is_gtin(value) and others - {value}:
            candidate.notes.append("a barcode number (GTIN/EAN/ISBN), not the shop's own code")
            score -= 0.45
        base = _variant_base(value, shown)
        if base is not None:
            candidate.notes.append(f"a variant of {base}, which the page shows")
            score -= 0.5
        return score

    return _decide("sku", candidates, key=_sku_key, adjust=adjust)


def _sku_key(value: str) -> str:
    """`466/7999`, `466-7999` and `4667999` are one code written three ways."""
    return re.sub(r"[-/. ]", "", value.upper())


def _variant_base(value: str, shown: set[str]) -> str | None:
    """`AB12-1` when the page shows `AB12`: the base id, else None."""
    for base in sorted(shown):  # sorted: a set's order changes between processes
        if base != value and value.startswith(base) and re.fullmatch(r"[-_/.][A-Za-z0-9]{1,4}", value[len(base):]):
            return base
    return None


# ---- availability ---------------------------------------------------------------------------


def _decide_availability(structured: list[Any], meta: dict[str, str], props: dict[str, str], scan: PageScan,
                         offered: bool) -> Decision:
    candidates: list[Candidate] = []
    for source, weight, main, siblings in structured:
        offers = product_offers(main, siblings)
        states = [(o, s) for o in offers if (s := normalize_availability(o.availability))]
        if not states:
            sellers = next((o for o in offers if o.offer_count and o.price not in (None, "")), None)
            if sellers is not None:  # an AggregateOffer: N sellers offer it at a price
                candidates.append(Candidate("InStock", source, f"Product {sellers.where}.offerCount = "
                                            f"{sellers.offer_count} sellers with a price", W_SEEN_NEAR))
            continue
        in_stock = next(((o, s) for o, s in states if s == "InStock"), None)
        offer, best = in_stock or states[0]
        candidate = Candidate(best, source, f"Product {offer.where}.availability ({offer.availability})", weight)
        if in_stock and len({s for _, s in states}) > 1:
            candidate.notes.append(f"{sum(1 for _, s in states if s == 'InStock')} of {len(states)} offers are in stock")
        candidates.append(candidate)
    for key in ("product:availability", "og:availability"):
        state = normalize_availability(meta.get(key))
        if state:
            candidates.append(Candidate(state, "meta", f"<meta property=\"{key}\" content=\"{meta[key][:40]}\">", W_META))
            break
    state = normalize_availability(props.get("availability"))
    if state:
        candidates.append(Candidate(state, "itemprop", f"itemprop=\"availability\" ({props['availability'][:40]})", W_ITEMPROP))
    for cue in scan.availability:
        # Stock words in an element marked as the stock line say more than a button that may be hidden.
        weight = (0.55 if cue.near else 0.25) + (0.05 if "stock element" in cue.detail else 0.0)
        if "quantity" in cue.detail:
            weight -= 0.15
        candidates.append(Candidate(cue.value, "page", f"{cue.detail} {'near the main heading' if cue.near else 'on the page'}",
                                    weight))
    if offered and not any(c.value != "InStock" for c in candidates):
        # A product's own page that shows its price and says nothing of stock offers it: what a shopper reads.
        candidates.append(Candidate("InStock", "page", "a product page with a price and no out-of-stock sign", 0.2))
    return _decide("availability", candidates, key=lambda v: v)


# ---- the decision ---------------------------------------------------------------------------


def _decide(name: str, candidates: Sequence[Candidate], *, key: Any, adjust: Any = None) -> Decision:
    """Sum each distinct value's support: its best candidate's weight plus AGREE per other source."""
    if not candidates:
        return Decision(name, None, [], "no source on the page has it")
    groups: dict[Any, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(key(candidate.value), []).append(candidate)
    scored: list[tuple[Candidate, float]] = []
    for group in groups.values():
        best = max(group, key=lambda c: c.weight)
        sources = {c.source for c in group if c.agrees or c is best}  # JSON-LD's sku and mpn are one source
        score = best.weight + AGREE * (len(sources) - 1)
        if adjust is not None:
            score = adjust(best, score)
        others = sorted({c.source for c in group} - {best.source})
        if others:
            best.notes.append("also from " + ", ".join(others))
        scored.append((best, score))
    ranked = sorted(scored, key=lambda cs: -cs[1])
    winner, score = ranked[0]
    if score <= 0:
        return Decision(name, None, ranked, "every candidate was ruled out")
    reason = f"{winner.source}: {winner.detail}"
    if winner.notes:
        reason += " (" + "; ".join(winner.notes) + ")"
    if len(ranked) > 1:
        runner, runner_score = ranked[1]
        reason += f"; beat {runner.value!r} from {runner.source} ({runner_score:.2f} against {score:.2f})"
    return Decision(name, winner.value, ranked, reason)


def explain(evidence: Sequence[dict[str, Any]]) -> list[str]:
    """One line per field and per candidate: the value chosen, why, and what else the page proposed.

    Reads the JSON-ready evidence (`Decision.to_dict()`), as it comes back from the worker process.
    """
    lines: list[str] = []
    for decision in evidence:
        value = decision.get("value")
        lines.append(f"{decision.get('field')}: {value if value is not None else '—'} — {decision.get('reason')}")
        for candidate in decision.get("candidates") or []:
            extra = f" [{candidate['currency']}]" if candidate.get("currency") else ""
            notes = f" ({'; '.join(candidate['notes'])})" if candidate.get("notes") else ""
            lines.append(f"  {candidate.get('score', 0):5.2f}  {candidate.get('value')}{extra}  "
                         f"{candidate.get('source')}: {candidate.get('detail')}{notes}")
    return lines
