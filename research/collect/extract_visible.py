"""What the page shows a shopper about its main product: heading, price box, buy button, stock words, codes.

One walk over the page's elements finds the main heading (the `h1`/`h2` that matches the
page's title, not the first `h1` of a recommendation strip) and marks regions that show
other products or page furniture (related, recently viewed, carousels, baskets, menus,
footers). Everything else here reads only outside those regions, nearest the heading
first: the current and struck prices, an add-to-cart button and whether it is disabled,
a "notify me" form, a quantity selector, stock wording in the major European and Asian
languages, and labelled product codes ("SKU", "Product code", "Art.-Nr.", "Réf.", "品番").

Work is bounded: at most MAX_ELEMENTS elements are walked and every text read has a limit.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import lxml.etree

from research.collect.extract_money import CURRENCY_PRICE, PRICE_SCAN, PageLocale, parse_price
from research.collect.extract_structured import identifier
from research.collect.extract_text import BLANKS, INVISIBLE, MAX_FIELD_TEXT, clean, drop, el_text, lx_text, marks

MAX_ELEMENTS = 60_000  # elements walked on one page (a 300 KB shop page has a few thousand)
NEAR_AFTER = 900  # elements after the main heading that count as "near" it
NEAR_BEFORE = 120  # and before it (price boxes and codes sometimes come first in the markup)
NEAR_TEXT = 15_000  # characters of near text read for labels
PAGE_TEXT = 20_000  # characters of the rest of the page read for labels

PRICE_WORDS = re.compile(r"price|cena|cijena|cjena|preis|prix|prezzo|precio|prijs|цена|(?<![a-z])amount|kaina|hind", re.I)
# Words that make a price element not the current price. A word starts after a non-letter
# ("price-old", "oldPrice" once camel case is split), so "sold-by-length" is not "old".
NOT_CURRENT_PRICE = re.compile(
    r"(?<![a-z])(?=[^\W\d_])(?:old|was|strike|before|compare|original|crossed|rrp|msrp|saving|save|you-?save|regular-price-label|"
    r"list-?price|price-label|per-unit|unit-price|stara|popust|ušteda|tax-info|barred|barrato|normal|instal|"
    r"monthly|per-month|financ|credit|loyalty|club|points|delivery|shipping|postage|versand|livraison|env[ií]o|"
    r"spedizione|dostava|doprava|wysy[lł]ka|rata|rate(?![a-z])|tasso|cuota|raten)",
    re.I,
)


_CAMEL = re.compile(r"([a-z])([A-Z])")


def split_camel(text: str) -> str:
    """"oldPrice" → "old-Price": camel-case words get the boundary the word patterns need."""
    if text.islower() or not text:
        return text
    return _CAMEL.sub(r"\1-\2", text)


# Regions that show other products or page furniture, by class or id.
OTHER_REGION = re.compile(
    r"related|recommend|similar|carousel|cross-?sell|up-?sell|upsell|recently|viewed|also-?(?:bought|viewed|like)|"
    r"you-?may|may-?like|bundle|complete-?the-?look|mini-?cart|mini-?basket|mini-?bag|cart-?summary|header-?cart|"
    r"sidebar|newsletter|cookie|footer|navbar|navigation|mega-?menu|breadcrumb|site-?header|page-?header|"
    r"main-?header|global-?header|header-?nav|other-?products|more-?from|personali[sz]|suggest|promo-?banner|"
    r"inspiration|others?-?(?:bought|viewed)|wishlist|teaser|(?<![a-z])reco(?![a-z])|(?<![a-z])listing|"
    r"product-?list(?![a-z])|products-?(?:list|grid)|product-?grid|product-?tiles?(?![a-z])",
    re.I,
)
_OTHER_TAGS = frozenset({"nav", "footer", "aside"})
_NOT_PRICE_TAGS = frozenset({"script", "style", "del", "s", "strike", "option", "input", "select", "meta", "link"})
_STRUCK_TAGS = ("del", "s", "strike")
_BARE_NUMBER = re.compile(r"[\d\s.,'\u00a0\u202f]{1,40}+")

# Buying: button words in the major European and Asian languages, and the class names shops give them.
BUY_WORDS = re.compile(
    r"add to (?:cart|basket|bag|trolley|order)|buy now|buy it now|^buy$|^add$|purchase|order now|"
    r"in den (?:warenkorb|einkaufswagen)|warenkorb|jetzt kaufen|^kaufen$|ajouter au panier|^ajouter$|acheter|"
    r"añadir al carrito|añadir a la cesta|agregar al carrito|^comprar|aggiungi al carrello|^acquista|"
    r"in winkelwagen|in (?:de )?winkelmand|^bestellen$|do koszyka|^kup(?: teraz)?$|do košíka|do košíku|^kúpiť|"
    r"^koupit|^vložiť do košíka|dodaj u (?:korpu|košaricu|košarico)|u korpu|^naruči|^naroči|v košarico|"
    r"в корзину|купить|у кошик|kosárba|sepete ekle|satın al|lisää ostoskoriin|lägg i (?:varukorg|kundvagn)|"
    r"^köp$|læg i kurv|legg i handlekurv|adicionar ao carrinho|^comprar agora|į krepšelį|ostukorvi|"
    r"pievienot grozam|grozā|^pirkt|카트|장바구니|구매하기|바로구매|カートに入れる|購入|加入购物车|立即购买|加入購物車|"
    r"ใส่ตะกร้า|thêm vào giỏ|mua ngay",
    re.I,
)
BUY_MARKS = re.compile(
    r"add-?to-?(?:cart|basket|bag|trolley)|addto(?:cart|basket|bag)|add_to_(?:cart|basket|bag)|buy-?now|buy-?button|"
    r"btn-?buy|button-?buy|btn-?cart|button-?cart|cart-?button|add-?cart|addcart|to-?cart|tocart|basket-?button|"
    r"add-?to-?trolley|purchase-?button|checkout-?button",
    re.I,
)
NOTIFY_WORDS = re.compile(
    r"notify me|email me when|let me know when|tell me when|alert me when|back in stock|"
    r"benachrichtig|erinnern sie mich|prévenez-moi|m'alerter|avisarme|avísame|avvisami|powiadom mnie|"
    r"obvestite me|obavesti me|obavijesti me|сообщить о поступлении|уведомить о поступлении|upozornit|"
    r"értesítést kérek|haber ver|入荷お知らせ|재입고 알림|到货通知",
    re.I,
)
_DISABLED_MARKS = re.compile(r"disabled|inactive|unavailable|out-?of-?stock|sold-?out|soldout|not-?available", re.I)
_QUANTITY_MARKS = re.compile(r"qty|quantity|quantit|menge|cantidad|ilosc|ilość|kolicin|количеств|mnozstv|množstv|数量|수량", re.I)

# Stock wording, checked in this order ("nema na stanju" contains "na stanju", "unavailable" contains "available").
STOCK_PHRASES = (
    ("OutOfStock", (
        "out of stock", "sold out", "currently unavailable", "not available", "unavailable", "no stock",
        "temporarily out", "no longer available", "ausverkauft", "nicht verfügbar", "nicht lieferbar",
        "nicht auf lager", "épuisé", "rupture de stock", "indisponible", "agotado", "sin stock", "no disponible",
        "esaurito", "non disponibile", "uitverkocht", "niet op voorraad", "niet leverbaar", "niedostępny",
        "brak w magazynie", "wyprzedany", "nedostupné", "vypredané", "není skladem", "vyprodáno",
        "nema na stanju", "нема на стању", "nije dostupno", "није доступно", "rasprodato", "распродато",
        "nedostupno", "недоступно", "нет в наличии", "распродано", "немає в наявності", "нема в наявності",
        "elfogyott", "nincs raktáron", "stokta yok", "tükendi", "slutsåld", "ej i lager", "udsolgt",
        "ikke på lager", "utsolgt", "loppuunmyyty", "esgotado", "indisponível", "在庫なし", "在庫切れ", "売り切れ",
        "品切れ", "품절", "일시품절", "재고 없음", "缺货", "售罄", "已售完", "無庫存", "hết hàng", "สินค้าหมด",
        "izpārdots", "nav pieejams", "išparduota", "nėra sandėlyje", "läbi müüdud", "razprodano", "ni na zalogi",
        "nema na zalihi", "coming soon",
    )),
    ("PreOrder", ("pre-order", "preorder", "pre order", "vorbestell", "précommande", "precompra", "preordina",
                  "przedsprzedaż", "prednarudžb", "преднаруџб", "предзаказ", "予約", "예약", "预售", "預購")),
    ("InStock", (
        "in stock", "auf lager", "sofort lieferbar", "lieferbar", "en stock", "disponible", "en existencia",
        "disponibile", "op voorraad", "dostępny", "w magazynie", "na stanie", "skladem", "na sklade",
        "na stanju", "на стању", "na lageru", "на лагеру", "dostupno", "доступно", "na zalihi", "na zalogi",
        "в наличии", "на складе", "є в наявності", "в наявності", "raktáron", "készleten", "stokta", "i lager",
        "på lager", "varastossa", "em stock", "disponível", "在庫あり", "在庫有り", "재고 있음", "有货", "现货",
        "有庫存", "còn hàng", "มีสินค้า", "noliktavā", "pieejams", "yra sandėlyje", "laos", "available",
    )),
)
# One alternation of plain phrases per state: each piece of text is searched three times in C,
# not compared with two hundred phrases one by one.
_STOCK_PATTERNS = tuple((name, re.compile("|".join(re.escape(p) for p in phrases))) for name, phrases in STOCK_PHRASES)
# A product code with its label ("SKU: MB-1294", "Product code 141677", "Art.-Nr. 12-3", "品番：AB12").
# Labels for barcodes, model and maker's part numbers (EAN, Model, MPN) are not SKU labels.
SKU_LABEL = re.compile(
    # One look-behind for "starts a word" instead of `\b` in each alternative: the engine can
    # then skip most positions by their first letter (5× faster on a page's text).
    r"(?<![^\W\d_])(?=[^\W\d_])(?:SKU|Product\s*+(?:code|no\.?|number|#|ID)|Item\s*+(?:#|No\.?|number|code|ID)|Article\s*+(?:no\.?|number|code)|"
    r"Art(?:ikel)?\.?-?\s*+(?:No|Nr|br)\.?|Artikel-?nummer|Bestell-?nummer|Best\.-?Nr\.?|Bestellnr\.?|"
    r"R[ée]f(?:[ée]rence)?\.?|Reference|Code (?:produit|article)|C[óo]d(?:igo|\.)(?: (?:de )?(?:producto|artículo|articulo|produto))?|"
    r"Referencia|Codice(?: articolo| prodotto)?|Cod\.\s*+art\.?|Artikelcode|Kod produktu|Numer katalogowy|Indeks|"
    r"Šifra(?: proizvoda| artikla| izdelka)?|Шифра(?: производа| артикла)?|Kataloški broj|Kód(?: produktu| tovaru| zboží)?|"
    r"Katalógové číslo|Objednací číslo|Cikkszám|Termékkód|Артикул|Код товара|Stok kodu|Ürün kodu|Varenummer|Varenr\.?|"
    r"Artikkelnummer|Produktnummer|Tuotenumero|Tuotekoodi|Prekės kodas|Tootekood|Preces kods|品番|商品番号|商品コード|"
    r"상품번호|상품코드|货号|商品编号|商品編號|Mã sản phẩm)(?![^\W\d_])"
    # Possessive blanks: `\s*[:#.]?\s*` could split a run of blanks every possible way.
    r"\s*+[:#.：\-–]?+\s*+([A-Za-z0-9][A-Za-z0-9\-_./]{0,40}+)",
    re.I,
)
# Elements whose class, id or test hook names them a product code ("product-reference", "prd-code", "catNumber").
SKU_MARKS = re.compile(
    r"sku|product-?(?:code|ref|reference|number|no|id)\b|productcode|prd-?code|prod-?code|item-?(?:code|number|no)\b|"
    r"article-?(?:number|no|nr|code)|artikel-?(?:nummer|nr)|art-?nr|catnumber|cat-?number|ref-?number|reference",
    re.I,
)
_TEST_HOOKS = frozenset({"data-qa", "data-qa-qualifier", "data-test", "data-testid", "data-test-id", "data-automation",
                         "data-auto-id", "data-aut-id", "data-qa-id", "data-role"})
# Attributes whose value is the product's id in the page's own data.
_ID_DATA = frozenset({"data-sku", "data-product-sku", "data-product-code", "data-item-id", "data-product-id",
                      "data-productid", "data-item-number", "data-article-number", "data-itemid"})
_STOCK_MARKS = re.compile(r"stock|availab|dostup|lager|sklad|disponib|zalog|zásob|stanj", re.I)
# Size and colour choosers ("options" is left out: shops also wrap the whole buy box in one).
_SIZE_REGION = re.compile(r"size|swatch|variant|variation|colou?r-?(?:list|select|picker|swatch)", re.I)


@dataclass
class VisiblePrice:
    price: str
    currency: str | None
    element: Any
    near: bool
    struck: bool


@dataclass
class Cue:
    """A visible hint about one field, with where it was seen (for explanations)."""

    value: str
    detail: str
    near: bool
    position: int


@dataclass
class PageScan:
    """The main heading, the regions to ignore, and what the page shows near the heading."""

    heading: Any | None = None
    heading_text: str | None = None
    prices: list[VisiblePrice] = field(default_factory=list)
    availability: list[Cue] = field(default_factory=list)
    codes: list[Cue] = field(default_factory=list)
    data_ids: list[Cue] = field(default_factory=list)


def _clip(text: str, size: int = 60) -> str:
    text = BLANKS.sub(" ", text).strip()
    return text if len(text) <= size else text[: size - 1] + "…"


class _Walk:
    """Elements in document order with their positions, and which of them to ignore.

    Regions that show other products (related, carousels, baskets, menus), elements hidden
    by their own markup (`hidden`, `display: none`) and invisible elements (script,
    template, svg…) are found once: only elements with attributes are tested, the outermost region of each kind is measured in C (`count(.//*)`), and a flag
    per position says whether an element lies inside one. Linear in the page's size.
    """

    def __init__(self, tree: Any) -> None:
        # iter(Element): elements only (no comments), filtered in C.
        self.elements: list[Any] = list(itertools.islice(tree.iter(lxml.etree.Element), MAX_ELEMENTS))
        self.position: dict[int, int] = {id(el): i for i, el in enumerate(self.elements)}
        size = len(self.elements)
        self.hidden_at = self._cover([el for el in tree.iter(*INVISIBLE) if id(el) in self.position], size)
        marked: list[Any] = []
        self.hooked: dict[int, str] = {}  # id(element) → the word in its class, id or test hook naming a product code
        self.data_ids: dict[int, tuple[str, str]] = {}  # id(element) → (data-sku-like attribute, its value)
        # Pages repeat class names (hundreds of "menu-item"): each distinct one is matched once.
        verdicts: dict[str, tuple[bool, str | None]] = {}
        for el in self.elements:  # one pass; most elements have no attributes and cost a check
            if el.tag in _OTHER_TAGS:
                marked.append(el)
            keys = el.keys()
            if not keys:
                continue
            style = el.get("style") if "style" in keys else None
            if "hidden" in keys or (style and _HIDDEN_STYLE.search(style)):
                marked.append(el)  # hidden by its own markup: an alternative state, not what the shopper sees
            cls, ident = el.get("class"), el.get("id")
            extra = len(keys) > (cls is not None) + (ident is not None)
            hooks = sorted(_TEST_HOOKS.intersection(keys)) if extra else ()
            if extra and len(self.data_ids) < 200:
                for name in sorted(_ID_DATA.intersection(keys)):  # sorted: a set's order changes between processes
                    self.data_ids.setdefault(id(el), (name, el.get(name)))
            if not cls and not ident and not hooks:
                continue
            words = f"{cls or ''} {ident or ''}"
            if hooks:
                words += " " + " ".join(str(el.get(k)) for k in hooks)
            verdict = verdicts.get(words)
            if verdict is None:
                code = SKU_MARKS.search(words)
                verdict = (bool(OTHER_REGION.search(split_camel(f"{cls or ''} {ident or ''}"))), code and code.group(0))
                if len(verdicts) < 20_000:
                    verdicts[words] = verdict
            if verdict[0]:
                marked.append(el)
            if verdict[1]:
                self.hooked[id(el)] = verdict[1]
        self.regions = self._outermost(marked)
        self.keep: set[int] = set()  # regions that hold the main heading: never "other"
        self.other_at = self._flags(size)
        self.usable_at = _usable(self.other_at, self.hidden_at)
        self._ends: dict[int, int] = {}

    def _outermost(self, roots: list[Any]) -> list[tuple[Any, int, int]]:
        """(root, first, last position) of roots not inside an earlier one, in document order."""
        spans: list[tuple[Any, int, int]] = []
        end = -1
        for root in sorted(roots, key=lambda el: self.position[id(el)]):
            first = self.position[id(root)]
            if first <= end:
                continue
            end = min(first + int(root.xpath("count(.//*)")), len(self.elements) - 1)
            spans.append((root, first, end))
        return spans

    def _cover(self, roots: list[Any], size: int) -> bytearray:
        flags = bytearray(size)
        for _, first, last in self._outermost(roots):
            flags[first:last + 1] = b"\x01" * (last + 1 - first)
        return flags

    def _flags(self, size: int) -> bytearray:
        flags = bytearray(size)
        for root, first, last in self.regions:
            if id(root) not in self.keep:
                flags[first:last + 1] = b"\x01" * (last + 1 - first)
        return flags

    def keep_regions_of(self, heading: Any) -> None:
        """Regions holding the main heading are the product's own, whatever their class says."""
        self.keep = {id(a) for a in [heading, *heading.iterancestors()]}
        if any(id(root) in self.keep for root, _, _ in self.regions):
            self.other_at = self._flags(len(self.elements))
            self.usable_at = _usable(self.other_at, self.hidden_at)

    def other(self, el: Any) -> bool:
        return bool(self.other_at[self.position[id(el)]])

    def hidden(self, el: Any) -> bool:
        return bool(self.hidden_at[self.position[id(el)]])

    def usable(self, el: Any) -> bool:
        """Visible and not part of another product's region."""
        return bool(self.usable_at[self.position[id(el)]])

    def end_of(self, el: Any) -> int:
        """Position of `el`'s last descendant (its subtree spans position(el)..end_of(el)).

        Walks down the last-child chain to a leaf or to a node already measured and records
        every node on the way, so each node is measured once however deep the page nests.
        """
        chain: list[Any] = []
        node = el
        end = None
        while end is None:
            known = self._ends.get(id(node))
            if known is not None:
                end = known
                break
            chain.append(node)
            last = None
            for child in reversed(node):
                if isinstance(child.tag, str) and id(child) in self.position:
                    last = child
                    break
            if last is None:
                end = self.position[id(node)]
                break
            node = last
        for node in chain:
            self._ends[id(node)] = end
        return end

    def all_usable(self) -> list[Any]:
        return list(itertools.compress(self.elements, self.usable_at))

    def window(self, start: int) -> tuple[list[Any], list[Any]]:
        """(near the heading, the rest after and then before it), usable elements only, in reading order."""
        low, high = max(0, start - NEAR_BEFORE), start + NEAR_AFTER + 1
        elements, usable = self.elements, self.usable_at
        near = list(itertools.compress(elements[start:high], usable[start:high]))
        near += itertools.compress(elements[low:start], usable[low:start])
        rest = list(itertools.compress(elements[high:], usable[high:]))
        rest += itertools.compress(elements[:low], usable[:low])
        return near, rest


_HIDDEN_STYLE = re.compile(r"display\s*+:\s*+none|visibility\s*+:\s*+hidden", re.I)
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def _usable(other: bytearray, hidden: bytearray) -> bytes:
    """1 where an element is neither in another product's region nor hidden (C-level byte operations)."""
    return bytes(map(operator.or_, other, hidden)).translate(_FLIP)


def _words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (text or "").lower()[:400]) if len(w) > 1 or not w.isascii()}


def _heading(tree: Any, walk: _Walk, titles: list[str]) -> Any | None:
    """The `h1` (or `h2`) whose words are the page title's; the first visible `h1` when none is."""
    title_words = [w for w in (_words(t) for t in titles if t) if w]
    best, best_score = None, 0.0
    firsts: list[Any] = []
    for el in itertools.islice(tree.iter("h1", "h2"), 200):
        if id(el) not in walk.position or walk.hidden(el):
            continue
        if el.tag == "h1" and not walk.other(el):
            firsts.append(el)
        words = _words(lx_text(el, 400))
        if not words or not title_words:
            continue
        score = max(len(words & t) / len(words) for t in title_words)
        score += 0.05 if el.tag == "h1" else 0.0
        score -= 0.3 if walk.other(el) else 0.0
        if score > best_score + 1e-9:
            best, best_score = el, score
    if best is not None and best_score >= 0.6:
        return best
    if firsts:
        return firsts[0]
    return next((el for el in tree.iter("h1") if id(el) in walk.position), None)


def price_marked(el: Any) -> bool:
    """Class, id, itemprop or a data-*price* attribute says "price", and nothing says "old price"."""
    if el.tag in _NOT_PRICE_TAGS:
        return False
    attrs = el.attrib
    words = " ".join(str(attrs.get(k) or "") for k in ("class", "id", "itemprop"))
    words += " " + " ".join(k for k in attrs if k.startswith("data-") and "price" in k)
    return bool(words.strip()) and bool(PRICE_WORDS.search(words)) and not NOT_CURRENT_PRICE.search(split_camel(words))


def struck_through(el: Any) -> bool:
    """A struck or "old price" element, or inside one (four levels up at most)."""
    for node in [el, *itertools.islice(el.iterancestors(), 4)]:
        if node.tag in _STRUCK_TAGS:
            return True
        text = split_camel(marks(node))
        if text and NOT_CURRENT_PRICE.search(text):
            return True
    return False


def price_in(el: Any, page: PageLocale, url: str | None) -> tuple[str | None, str | None]:
    """(price, currency) a price element shows: its machine-readable attribute, else its short text."""
    for attr in ("content", "data-price", "data-price-amount", "data-value"):
        if el.get(attr) is not None:
            price, currency = parse_price(el.get(attr), url, page)
            if price:
                return price, currency
    if el.find(".//del") is not None or el.find(".//s") is not None or el.find(".//strike") is not None:
        el = copy.deepcopy(el)  # "<del>259</del> 199": the struck price is not it
        for struck in el.xpath(".//del|.//s|.//strike"):
            drop(struck)
    text = " ".join(el_text(el, 61).split())  # line breaks between the parts of a price are blanks too
    if not text or len(text) > 60:
        return None, None
    price, currency = parse_price(text, url, page)
    if currency is None and not _BARE_NUMBER.fullmatch(text):  # "(1) reviews" is a number, not a price
        return None, None
    return price, currency


def scan_page(tree: Any, titles: list[str], url: str | None, page: PageLocale, *, need_code: bool = True,
              need_stock: bool = True) -> PageScan:
    """Read the page for the main heading and the visible cues near it.

    The rest of the page is read for a product code only when none was found near the heading
    and the caller has none from structured data (`need_code`); for stock cues only when the
    page has no heading at all (`need_stock`).
    """
    walk = _Walk(tree)
    scan = PageScan()
    heading = _heading(tree, walk, titles)
    scan.heading = heading
    if heading is not None:
        scan.heading_text = clean(lx_text(heading, MAX_FIELD_TEXT))
        walk.keep_regions_of(heading)
    start = walk.position[id(heading)] if heading is not None else 0
    near, rest = walk.window(start) if heading is not None else ([], walk.all_usable())
    _scan_prices(walk, scan, near, rest, url, page)
    # Purchase cues and stock words count only near the heading: elsewhere they are as likely
    # another product's. A page without a heading has no "near", so its whole page is read.
    _scan_purchase(walk, scan, near, True)
    if heading is None and need_stock:
        _scan_purchase(walk, scan, rest, False)
    hooked = walk.hooked
    for el in near:  # the page's own data: data-sku, data-product-id… on elements near the heading
        if id(el) in walk.data_ids and len(scan.data_ids) < 3:
            name, value = walk.data_ids[id(el)]
            code = identifier(value)
            if code and code not in (c.value for c in scan.data_ids):
                scan.data_ids.append(Cue(code, f"{name}=\"{_clip(value, 30)}\"", True, walk.position[id(el)]))
    _scan_texts(walk, scan, start, near, True, hooked)
    far_stock = heading is None and need_stock and not scan.availability
    if (not scan.codes and need_code) or far_stock:
        _scan_texts(walk, scan, start, rest, False, hooked, codes=not scan.codes and need_code, stock=far_stock)
    return scan


def _scan_prices(walk: _Walk, scan: PageScan, near: list[Any], rest: list[Any], url: str | None, page: PageLocale) -> None:
    _current_prices(walk, scan, near, True, url, page)
    # Struck and "was" prices near the heading: a structured price equal to one of them is the list price.
    for el in near:
        if not el.attrib and el.tag not in _STRUCK_TAGS:
            continue
        words = split_camel(marks(el))
        if el.tag in _STRUCK_TAGS or (words and NOT_CURRENT_PRICE.search(words) and PRICE_WORDS.search(words)):
            text = el_text(el, 61)
            if text and len(text) <= 60:
                found, currency = parse_price(text, url, page)
                if found and Decimal(found) > 0:
                    scan.prices.append(VisiblePrice(found, currency, el, True, True))
    if not any(not p.struck for p in scan.prices):
        _current_prices(walk, scan, rest, False, url, page)
    if not any(not p.struck for p in scan.prices):  # no price element: a price-looking text after the heading
        near_ids = {id(el) for el in near}
        for el in itertools.islice((el for el in near + rest if el.text), 400):
            if el.tag in ("script", "style") or struck_through(el):
                continue
            match = CURRENCY_PRICE.search(el.text[:PRICE_SCAN])
            if match:
                found, currency = parse_price(match.group(0), url, page)
                if found and Decimal(found) > 0:
                    scan.prices.append(VisiblePrice(found, currency, el, id(el) in near_ids, False))
                    break


def _current_prices(walk: _Walk, scan: PageScan, elements: list[Any], near: bool, url: str | None,
                    page: PageLocale) -> None:
    """Prices in elements marked as prices (not as old ones), innermost elements only, first 120."""
    marked = [el for el in elements if el.attrib and price_marked(el)]
    # Elements holding another marked element. Each ancestor chain is walked only up to a
    # node already seen, so nested price blocks cost their count, not count × depth.
    containers: set[int] = set()
    for el in marked:
        for ancestor in el.iterancestors():
            if id(ancestor) in containers:
                break
            containers.add(id(ancestor))
    found_count = 0
    for el in marked[:120]:
        if id(el) in containers or struck_through(el):
            continue
        found, currency = price_in(el, page, url)
        if found and Decimal(found) > 0:
            scan.prices.append(VisiblePrice(found, currency, el, near, False))
            found_count += 1
            if found_count >= 8:  # the decision reads the first; a few more show what else the page offers
                break


def _button_text(el: Any) -> str:
    parts = [el_text(el, 60)[:60], el.get("value") or "", el.get("aria-label") or "", el.get("title") or ""]
    return " ".join(p.strip() for p in parts if p and p.strip())[:160]


def _disabled(el: Any) -> bool:
    if el.get("disabled") is not None or (el.get("aria-disabled") or "").lower() == "true":
        return True
    for node in [el, *itertools.islice(el.iterancestors(), 3)]:
        text = marks(node)
        if text and _DISABLED_MARKS.search(text):
            return True
        if node.tag == "fieldset" and node.get("disabled") is not None:
            return True
    return False


def _in_size_list(el: Any) -> bool:
    """Inside a size/colour/variant chooser: one size's "sold out" is not the product's."""
    for node in [el, *itertools.islice(el.iterancestors(), 4)]:
        if node.tag in ("option", "select"):
            return True
        text = marks(node)
        if text and _SIZE_REGION.search(text):
            return True
    return False


def _in_buy_button(el: Any) -> bool:
    """Inside an add-to-cart button: "Sold out" there is one of the labels the button switches between."""
    for node in [el, *itertools.islice(el.iterancestors(), 3)]:
        if node.tag in ("a", "button") and BUY_MARKS.search(marks(node) + " " + (node.get("name") or "")):
            return True
    return False


def _scan_purchase(walk: _Walk, scan: PageScan, elements: list[Any], near: bool) -> None:
    seen_buy = seen_notify = seen_qty = False
    for el in elements:
        tag = el.tag
        if tag not in ("button", "input", "a", "select") and el.get("role") != "button":
            continue
        kind = (el.get("type") or "text").lower() if tag == "input" else ""
        if tag == "input" and kind not in ("submit", "button", "image", "number", "text"):
            continue
        words = marks(el) + " " + (el.get("name") or "")
        if tag in ("input", "select") and _QUANTITY_MARKS.search(words):
            if not seen_qty and (tag == "select" or kind in ("number", "text")) and not _disabled(el):
                scan.availability.append(Cue("InStock", f"a quantity selector <{tag}>", near, walk.position[id(el)]))
                seen_qty = True
            continue
        if tag == "select" or kind in ("number", "text"):
            continue
        text = _button_text(el)
        if NOTIFY_WORDS.search(text):
            if not seen_notify and not _in_size_list(el):
                scan.availability.append(Cue("OutOfStock", f"a \u201c{_clip(text, 40)}\u201d button", near,
                                             walk.position[id(el)]))
                seen_notify = True
            continue
        if seen_buy:
            continue
        if BUY_WORDS.search(text.strip()) or BUY_MARKS.search(words):
            if _disabled(el):
                scan.availability.append(Cue("OutOfStock", f"a disabled \u201c{_clip(text, 40)}\u201d button", near,
                                             walk.position[id(el)]))
            else:
                scan.availability.append(Cue("InStock", f"an add-to-cart button \u201c{_clip(text, 40)}\u201d", near,
                                             walk.position[id(el)]))
            seen_buy = True


def _scan_texts(walk: _Walk, scan: PageScan, start: int, elements: list[Any], near: bool, hooked: dict[int, str], *,
                codes: bool = True, stock: bool = True) -> None:
    """Stock words in short texts and labelled product codes, nearest the heading first."""
    parts: list[tuple[float, str]] = []
    size = 0
    limit = NEAR_TEXT if near else PAGE_TEXT
    want_codes, want_stock = codes, stock
    stock_found = 0
    for el in elements:
        if el.tag in ("script", "style", "option"):
            continue
        position = walk.position[id(el)]
        # Codes marked by class, id or test hook ("product-reference", "prd-code").
        if want_codes and len(scan.codes) < 6 and id(el) in hooked:
            mark = hooked[id(el)]
            if mark:
                text = clean(lx_text(el, 80)) or ""
                label = SKU_LABEL.search(text)
                value = identifier(label.group(1) if label else text) if len(text) <= 60 else None
                if value:
                    scan.codes.append(Cue(value, f"an element marked \u201c{_clip(mark, 30)}\u201d", near,
                                          abs(position - start)))
        for piece, order in ((el.text, position), (el.tail, -1)):
            if not piece or piece.isspace():
                continue
            piece = piece.strip()
            if want_stock and stock_found < 4 and len(piece) <= 120:
                found = _stock_words(piece)
                if found and not _in_size_list(el) and not _in_buy_button(el):
                    context = el if order == position or el.getparent() is None else el.getparent()
                    marked = bool(_STOCK_MARKS.search(marks(context)))
                    # Outside a stock element the words must be most of the text: "Sold out" is a
                    # statement, "Delivery information not available" is not about stock.
                    if marked or 2 * found[1] > len(piece):
                        detail = f"the words \u201c{_clip(piece, 50)}\u201d" + (" in a stock element" if marked else "")
                        scan.availability.append(Cue(found[0], detail, near, position))
                        stock_found += 1
            if want_codes and size < limit:
                if order < 0:  # a tail follows the element's last descendant
                    order = walk.end_of(el)
                parts.append((order + (0.5 if order != position else 0.0), piece))
                size += len(piece) + 1
        if size >= limit and (not want_stock or stock_found >= 4):
            break
    if want_codes:
        code = _nearest_label(parts, start)
        if code is not None:
            scan.codes.append(Cue(code[0], code[1], near, code[2]))


def _nearest_label(parts: list[tuple[float, str]], start: int) -> tuple[str, str, int] | None:
    """(code, detail, distance) of the labelled code closest to the heading in these text pieces."""
    parts = sorted(parts, key=lambda p: p[0])  # document order: a label and its value in the next element read together
    offsets: list[int] = []
    size = 0
    for _, piece in parts:
        offsets.append(size)
        size += len(piece) + 1
    text = " ".join(piece for _, piece in parts)
    best: tuple[str, str, int] | None = None
    for match in itertools.islice(SKU_LABEL.finditer(text), 200):
        value = identifier(match.group(1).rstrip("."))
        if not value:
            continue
        position = parts[bisect.bisect_right(offsets, match.start()) - 1][0]
        distance = int(abs(position - start))
        if best is None or distance < best[2]:
            label = _clip(match.group(0)[: match.start(1) - match.start()].strip(" :#.：-–"), 30)
            best = (value, f"labelled \u201c{label}\u201d", distance)
    return best


def _stock_words(text: str) -> tuple[str, int] | None:
    """(state, length of the words that say it) for the first state whose words the text holds."""
    lowered = text.lower()
    for name, pattern in _STOCK_PATTERNS:
        match = pattern.search(lowered)
        if match:
            return name, match.end() - match.start()
    return None
