"""Pure extraction from HTML to typed values: no I/O, no clock, no workspace.

This module is the public face of extraction: `parse_html`, the page's one parse (lxml's
plain tree), and `extract_page`, which every caller uses. Everything reads that one tree:
`extract_selectors` (watchers' field specs, CSS selectors through cssselect, listings,
elements to ignore), `extract_product` (candidates from every source and a transparent
decision) with `extract_structured` (JSON-LD, microdata, meta tags, address ids),
`extract_visible` (main heading, price box, buy button, stock words, product codes),
`extract_money` (prices and currencies with the page's locale) and `extract_text`
(bounded text reading, the visible text). Prices are plain decimal strings (`1299.00`)
with an ISO currency where one can be told.

Pages are untrusted input, so every step is linear in the page's size: no regular
expression here can backtrack super-linearly (possessive quantifiers, bounded
number runs, terminators that always match), text is read only as far as it is
needed, and listing tiles nested in one another count once. `isolation` runs this
module in a worker process with a hard deadline on top of that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import lxml.etree

from research.collect.extract_money import CURRENCY_PRICE as _CURRENCY_PRICE
from research.collect.extract_money import MAX_PRICE_DIGITS, NUMBERISH, currency_code, decimal_text, parse_number, parse_price
from research.collect.extract_product import AVAILABILITY, PRODUCT_FIELDS, ProductReading, explain, normalize_availability, read_product
from research.collect.extract_selectors import (
    FIELD_TYPES,
    MAX_ITEMS,
    FieldSpec,
    check_selector,
    fields_from_tree,
    items_from_tree,
    refusal,
    remove_noise,
)
from research.collect.extract_structured import ID_SHAPE, JSON_TOKENS
from research.collect.extract_text import BLANKS as _BLANKS
from research.collect.extract_text import MAX_TEXT, visible_text
from research.collect.extract_visible import NOT_CURRENT_PRICE as _NOT_CURRENT_PRICE
from research.collect.extract_visible import PRICE_WORDS as _PRICE_WORDS
from research.collect.extract_visible import SKU_LABEL as _SKU_LABEL
from research.collect.states import WatcherKind
from research.errors import ExtractError

__all__ = [
    "AVAILABILITY", "FIELD_TYPES", "MAX_ITEMS", "MAX_PRICE_DIGITS", "MAX_TEXT", "PRODUCT_FIELDS", "ExtractError",
    "Extraction", "FieldSpec", "check_selector", "currency_code", "decimal_text", "explain_product", "extract_page",
    "fields_from_html", "fields_from_tree", "items_from_tree", "normalize_availability", "parse_html", "parse_number",
    "parse_price", "product_from_html", "product_from_tree", "remove_noise", "text_hash", "visible_text",
]

# Patterns the other modules use, named here too so tests/test_security_extract.py checks them
# against hostile texts with this module's own (tests/test_extract_quality.py checks every module).
_PATTERNS = (NUMBERISH, JSON_TOKENS, ID_SHAPE, _SKU_LABEL, _BLANKS, _CURRENCY_PRICE, _PRICE_WORDS, _NOT_CURRENT_PRICE)


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


# ---- the one parse --------------------------------------------------------------------------
# lxml's plain tree, not lxml.html's (its per-element class lookup made walking a page six
# times slower) and not BeautifulSoup's (a Python object per tag: ~20x slower to build).

_HTML_PARSER = lxml.etree.HTMLParser(recover=True, no_network=True)
# A decoded page that still starts with `<?xml … encoding="…"?>`: lxml refuses such a str, and its
# bytes must be read as the UTF-8 they now are, whatever encoding the declaration names.
_UTF8_PARSER = lxml.etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")


def parse_html(html: str) -> Any | None:
    """The page's element tree (its `html` element), or None for a page with nothing to read."""
    if not html or not html.strip():
        return None
    try:
        return lxml.etree.fromstring(html, _HTML_PARSER)
    except ValueError:  # an XML declaration inside a str
        try:
            return lxml.etree.fromstring(html.encode("utf-8", "surrogatepass"), _UTF8_PARSER)
        except (ValueError, lxml.etree.LxmlError):
            return None
    except lxml.etree.LxmlError:
        return None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


# ---- product pages --------------------------------------------------------------------------


def product_from_tree(tree: Any, url: str | None = None, notes: list[str] | None = None) -> dict[str, Any]:
    """{name, price, currency, sku, brand, availability} of a product page; None where unknown.

    What was skipped on the way is appended to `notes` when it is given.
    """
    return read_product(tree, url, notes).values


def product_from_html(
    html: str, url: str | None = None, ignore: Sequence[str] = (), notes: list[str] | None = None
) -> dict[str, Any]:
    tree, _ = remove_noise(parse_html(html), ignore)
    return product_from_tree(tree, url, notes) if tree is not None else dict.fromkeys(PRODUCT_FIELDS)


def explain_product(html: str, url: str | None = None, ignore: Sequence[str] = ()) -> list[str]:
    """Why each field of a product page has its value: one line per decision and per candidate."""
    tree, _ = remove_noise(parse_html(html), ignore)
    if tree is None:
        return ["The page is empty: nothing to read."]
    return explain([d.to_dict() for d in read_product(tree, url).decisions])


def fields_from_html(html: str, specs: Sequence[FieldSpec], url: str | None = None, ignore: Sequence[str] = ()) -> dict[str, Any]:
    tree, _ = remove_noise(parse_html(html), ignore)
    return fields_from_tree(tree, specs, url)


# ---- public extraction ----------------------------------------------------------------------


def extract_page(
    html: str,
    *,
    kind: str = "product",
    url: str | None = None,
    fields: Sequence[FieldSpec] = (),
    item_selector: str | None = None,
    ignore: Sequence[str] = (),
) -> Extraction:
    """Everything a watcher of `kind` wants from a page, with warnings for what was missing.

    The page is parsed once. Elements to ignore leave that tree first; then structured data,
    the visible-text heuristics and the watcher's selectors read it, and the visible text is
    taken last (that step empties the invisible elements).
    """
    if kind not in tuple(WatcherKind):  # Python 3.11: `str in WatcherKind` raises TypeError
        raise refusal("extract.error.kind", kind=kind)
    if kind == "listing" and not item_selector:
        raise refusal("watchers.error.no_item_selector")
    tree, unusable = remove_noise(parse_html(html), ignore)
    warnings: list[str] = []
    notes: list[str] = []
    evidence: list[dict[str, Any]] = []
    values: dict[str, Any]
    if kind == "product":
        if tree is None:
            values = dict.fromkeys(PRODUCT_FIELDS)
        else:
            reading: ProductReading = read_product(tree, url, notes)
            values, evidence = reading.values, [d.to_dict() for d in reading.decisions]
        if fields:  # extra named fields on a product page
            values.update(fields_from_tree(tree, fields, url))
        warnings += [f"{name}: not found on the page" for name in ("name", "price") if values.get(name) is None]
    elif kind == "selectors":
        values = fields_from_tree(tree, fields, url)
        warnings += [f"{spec.name}: the selector {spec.css} matched nothing" for spec in fields if values.get(spec.name) is None]
    elif kind == "listing":
        items = items_from_tree(tree, item_selector or "", fields, url)
        values = {"items": items, "count": len(items)}
        if not items:
            warnings.append(f"items: the selector {item_selector} matched nothing")
    text = visible_text(tree) if tree is not None else ""
    if kind == "text":
        values = {"text_hash": text_hash(text), "characters": len(text)}
        if not text:
            warnings.append("text: the page shows no text")
    warnings += [f"ignore: the selector {css} cannot be used, so it removed nothing" for css in unusable]
    return Extraction(values=values, warnings=warnings, text=text, notes=notes, evidence=evidence)
