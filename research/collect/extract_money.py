"""Prices and currencies as shops write them, read with the page's country and language.

price-parser reads the amount (`1.299,00 €` → 1299.00); the currency comes from the
page's own declarations first, then from the sign next to the amount. A sign several
currencies share (`$`, `kr`, `Rs`) is resolved by the page's territory, from its
`lang` region or its country-code domain, with Babel's territory currencies and their
local symbols (CLDR), not a hand-kept country list: `$` is TWD on a `.tw` shop and CLP
on a `.cl` one. ISO codes ISO 4217 replaced but shops still write (`RUR`) are mapped
to the current code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from babel.core import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from babel.numbers import get_currency_precision, get_currency_symbol, get_territory_currencies, is_currency
from price_parser import Price

# Prices have at most this many digits before the decimal point; a longer run of digits is
# not a price (and would overflow decimal arithmetic: "111…1 €" with 200 digits).
MAX_PRICE_DIGITS = 15
PRICE_SCAN = 2000  # characters of one text a price pattern reads (a price sits near the start)

NUMBERISH = re.compile(r"\d")
# A number as shops write it ("1 299,00"): possessive, so it never gives characters back,
# and at most 41 characters long, so a search over "1 1 1 1 …" costs 41 steps per start,
# not a walk to the end and back (the old `\d[\d\s.,]*\s*€` took 35 s on 20 KB).
_NUMBER_RUN = r"\d[\d\s.,'\u00a0\u202f]{0,40}+"
_SIGNS = r"[€$£¥₹₽₴₺₩₪₫₱฿₦￥]|R\$|Rs\.?|원|zł|Kč|kr|Ft|лв|грн|руб|din\.?|дин\.?|KM|kn|Kn"
# ISO codes as words: never inside a longer word, but glued to the amount is fine ("EUR110.00").
_CODES = (
    r"EUR|USD|GBP|RSD|BAM|HRK|MKD|BGN|HUF|CZK|PLN|RON|CHF|SEK|NOK|DKK|ISK|RUB|RUR|UAH|BYN|KZT|TRY|JPY|CNY|"
    r"TWD|HKD|SGD|KRW|INR|PKR|LKR|IDR|MYR|THB|VND|PHP|AUD|NZD|CAD|MXN|BRL|ARS|CLP|COP|PEN|UYU|ZAR|ILS|AED|SAR"
)
# `(?=[^\W\d_]|…)`: a sign or word starts with a letter or a currency symbol; checking that one
# character first lets most positions fail at once instead of trying eighty alternatives.
_SIGN_START = r"(?=[^\W\d_]|[€$£¥₹₽₴₺₩₪₫₱฿₦￥])"
CURRENCY_PRICE = re.compile(
    r"(?<![A-Za-z])" + _SIGN_START + r"(?:" + _SIGNS + r"|(?:" + _CODES + r"))\s*+" + _NUMBER_RUN
    + r"|" + _NUMBER_RUN + r"\s*+" + _SIGN_START + r"(?:" + _SIGNS + r"|(?:" + _CODES + r"))(?![A-Za-z])",
    re.I,
)
# A currency sign or word at either end of a short price text ("Kn 270,00"), for when price-parser
# does not know it.
_EDGE_WORD = re.compile(r"^\s*+([^\d\s.,]{1,6}+)|([^\d\s.,]{1,6}+)\s*+$")

# Currency signs and words as shops write them → ISO 4217 (signs no country shares).
_CURRENCY_WORDS = {
    "€": "EUR", "euro": "EUR", "evra": "EUR", "евра": "EUR", "£": "GBP",
    "us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "nt$": "TWD", "hk$": "HKD",
    "s$": "SGD", "mx$": "MXN", "r$": "BRL",
    "din": "RSD", "дин": "RSD", "рсд": "RSD", "dinara": "RSD", "динара": "RSD",
    "km": "BAM", "кm": "BAM", "kn": "HRK", "ден": "MKD", "den": "MKD",
    "лв": "BGN", "ft": "HUF", "kč": "CZK", "zł": "PLN", "lei": "RON", "sfr": "CHF",
    "¥": "JPY", "￥": "JPY", "₹": "INR", "₽": "RUB", "руб": "RUB", "р": "RUB",
    "₴": "UAH", "грн": "UAH", "₺": "TRY", "tl": "TRY", "₩": "KRW", "원": "KRW", "₪": "ILS", "₫": "VND",
    "₱": "PHP", "฿": "THB", "₦": "NGN",
}
# Signs shared by several currencies: with no territory to decide, the most common reading.
_SHARED_DEFAULT = {"$": "USD", "kr": None, "rs": None, "r": None}
# Codes ISO 4217 replaced but shops still write (the Russian ruble's pre-1998 code).
REPLACED_CODES = {"RUR": "RUB"}
# Country-code domains used as generic names: they say nothing about the shop's country.
_GENERIC_CC = frozenset({"io", "co", "me", "tv", "ai", "fm", "ly", "to", "cc", "ws", "gg", "app", "eu", "su"})
_CURRENCY_HISTORY = date(2015, 1, 1)  # pages keep older currencies for a while (kn in Croatia until 2023)


@dataclass(frozen=True)
class PageLocale:
    """Where a page sells: a territory (`CL`) and a language (`es`), either may be unknown."""

    territory: str | None = None
    language: str | None = None

    @classmethod
    def of(cls, url: str | None = None, lang: str | None = None) -> PageLocale:
        """From the page's `lang` (`es-CL`, `zh_Hant_TW`) and its address (country domain, `/en-ca/`)."""
        language, territory = _split_lang(lang)
        if territory is None and url:
            parts = urlsplit(url)
            territory, path_language = _path_locale(parts.path)
            language = language or path_language
            if territory is None:
                tld = (parts.hostname or "").rsplit(".", 1)[-1].lower()
                if len(tld) == 2 and tld.isalpha() and tld not in _GENERIC_CC:
                    territory = "GB" if tld == "uk" else tld.upper()
        if language is None and territory is not None:
            official = _official_languages(territory)
            language = official[0] if official else None
        return cls(territory=territory, language=language)

    def currency_for_sign(self, sign: str) -> str | None:
        """The territory's currency whose local symbol is `sign` (`$` in Chile → CLP), if any."""
        if not self.territory:
            return None
        symbols = _territory_symbols(self.territory)
        key = _sign_key(sign)
        if key in symbols:
            return symbols[key]
        if key == "$":  # "HK$", "NT$", "S$": the territory's own dollar
            return next((code for symbol, code in symbols.items() if symbol.endswith("$")), None)
        return None

    @property
    def currency(self) -> str | None:
        """The territory's current currency (`CL` → CLP)."""
        if not self.territory:
            return None
        try:
            current = get_territory_currencies(self.territory, tender=True)
        except (ValueError, LookupError):
            return None
        return current[0] if current else None


def _path_locale(path: str) -> tuple[str | None, str | None]:
    """(territory, language) a shop's address names: `/en-ca/…`, `/es_CL/…` or `/be/en/…`."""
    segments = path.split("/")[1:4]
    for segment in segments[:2]:
        if re.fullmatch(r"[a-zA-Z]{2}[-_][a-zA-Z]{2}", segment):
            language, territory = _split_lang(segment)
            if territory in _territory_names():
                return territory, language
    if len(segments) >= 2 and re.fullmatch(r"[a-z]{2}", segments[0]) and re.fullmatch(r"[a-z]{2}", segments[1]):
        territory, language = segments[0].upper(), segments[1]
        if territory in _territory_names() and language in _language_names():
            return territory, language
    return None, None


@functools.lru_cache(maxsize=1)
def _territory_names() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2)


@functools.lru_cache(maxsize=1)
def _language_names() -> frozenset[str]:
    return frozenset(code for code in Locale("en").languages if isinstance(code, str) and len(code) == 2)


def _split_lang(lang: str | None) -> tuple[str | None, str | None]:
    """("es", "CL") from "es-CL", "es_cl", "zh-Hant-TW"; (None, None) from nonsense."""
    if not lang:
        return None, None
    parts = re.split(r"[-_]", lang.strip()[:20])
    language = parts[0].lower() if parts and re.fullmatch(r"[a-zA-Z]{2,3}", parts[0]) else None
    territory = next((p.upper() for p in parts[1:] if re.fullmatch(r"[a-zA-Z]{2}", p)), None)
    return language, territory


@functools.lru_cache(maxsize=256)
def _official_languages(territory: str) -> tuple[str, ...]:
    try:
        return tuple(get_official_languages(territory))
    except (ValueError, LookupError):
        return ()


@functools.lru_cache(maxsize=256)
def _territory_symbols(territory: str) -> dict[str, str]:
    """Local currency symbols of a territory → ISO code, from CLDR (e.g. TW: {"$": "TWD", "twd": "TWD"})."""
    try:
        currencies = get_territory_currencies(territory, start_date=_CURRENCY_HISTORY, end_date=date.today(), tender=True)
    except (ValueError, LookupError):
        return {}
    found: dict[str, str] = {}
    languages = [*_official_languages(territory)[:3], "en"]
    for code in currencies[:3]:
        for language in languages:
            try:
                symbol = get_currency_symbol(code, Locale.parse(f"{language}_{territory}"))
            except (UnknownLocaleError, ValueError, LookupError):
                continue
            found.setdefault(_sign_key(symbol), code)
    return found


def _sign_key(sign: str) -> str:
    return sign.strip().lower().rstrip(".").strip()


def currency_code(symbol: str | None, url: str | None = None, page: PageLocale | None = None) -> str | None:
    """ISO code for a currency sign or word as shops write it (`€`, `дин.`, `KM`, `RSD`, `$` on a .tw shop)."""
    if not symbol:
        return None
    key = _sign_key(symbol)
    if not key or len(key) > 40:  # a sentence, not a currency sign or word
        return None
    if re.fullmatch(r"[a-z]{3}", key) and is_currency(key.upper()):
        return REPLACED_CODES.get(key.upper(), key.upper())
    locale = page if page is not None else PageLocale.of(url)
    local = locale.currency_for_sign(key)
    if local:
        return local
    if key in _SHARED_DEFAULT:
        return _SHARED_DEFAULT[key]
    if key in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[key]
    for word, code in _CURRENCY_WORDS.items():  # "US $", "€uro"
        if len(word) > 1 and word in key:
            return code
    if "$" in key:
        return "USD"
    return None


def minor_digits(code: str | None) -> int:
    """Digits after the decimal point the currency uses (CLP 0, EUR 2, KWD 3); 2 when unknown."""
    if not code:
        return 2
    try:
        return get_currency_precision(code)
    except (ValueError, LookupError):
        return 2


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


def parse_price(text: Any, url: str | None = None, page: PageLocale | None = None) -> tuple[str | None, str | None]:
    """(`1299.00`, `EUR`) from `1.299,00 €`; (None, None) when no amount is there."""
    if text is None:
        return None, None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return plain_number(str(text)), None
    raw = str(text).strip()
    if not raw or not NUMBERISH.search(raw):
        return None, None
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return plain_number(raw), None
    raw = raw[:200]
    price = Price.fromstring(raw)
    sign = price.currency
    if sign is None and len(raw) <= 60:
        edge = _EDGE_WORD.search(raw)
        sign = (edge.group(1) or edge.group(2)) if edge else None
    try:
        amount = decimal_text(price.amount)
    except InvalidOperation:  # digits beyond what decimal arithmetic holds: no price, never an error
        return None, None
    currency = currency_code(sign, url, page) if sign else None
    if amount is not None and currency and minor_digits(currency) == 3:
        amount = _three_decimals(raw, amount)
    return amount, currency


def _three_decimals(raw: str, amount: str) -> str:
    """"1.500 KWD" is one and a half dinars: a currency with three minor digits ends in three decimals."""
    match = re.search(r"\d([.,])(\d{3})(?!\d)", raw)
    if match is None or raw.count(match.group(1)) != 1:
        return amount
    whole = re.sub(r"\D", "", raw[: match.start() + 1])
    return plain_number(f"{whole}.{match.group(2)}") or amount


def plain_number(text: str) -> str | None:
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
