"""Cell values as real exports write them: amounts, empty markers, HTML entities, and the workspace facts they need.

Parsing is column-wise (pandas string operations), so 100,000 cells parse in
milliseconds, and strict: an amount is read only in the file's own decimal
convention (`1,234` is one thousand two hundred and thirty-four in a `.` file and
one point two three four in a `,` file), never guessed per cell. Currency symbols
and codes come from Babel's CLDR data, not from a list of our own.

Pure functions of the cells only: what a value depends on in the workspace
(regions, exchange rates) is `research.data.dependents`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from babel import Locale
from babel.numbers import get_territory_currencies, list_currencies

# Cells that mean "no value" in exports (Fortune-style lists write "-", European CRMs "n/a").
# "NA" is not here for text: it is Namibia's country code; numbers and dates take it as empty.
TEXT_EMPTY_MARKERS: frozenset[str] = frozenset({"-", "--", "—", "–", "n/a", "n.a.", "#n/a", "н/п"})
EMPTY_MARKERS: frozenset[str] = TEXT_EMPTY_MARKERS | {"na", "nan", "null", "none", "#value!", "#div/0!"}

# Locales whose currency symbols a file in our markets may carry (CLDR data through Babel).
_SYMBOL_LOCALES = ("en", "en_CA", "en_AU", "en_GB", "en_IN", "de", "de_CH", "fr", "sr", "sr_Latn", "hr", "bs",
                   "sl", "hu", "ro", "bg", "mk", "ja", "zh")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@lru_cache(maxsize=1)
def currency_symbols() -> dict[str, frozenset[str]]:
    """Currency symbol -> the ISO codes it may stand for (`$` is USD, CAD or AUD; `US$` only USD)."""
    current: set[str] = set()
    for territory in Locale.parse("en").territories:
        if isinstance(territory, str) and len(territory) == 2 and territory.isalpha():
            current.update(get_territory_currencies(territory, start_date=dt.date(2026, 1, 1)))
    found: dict[str, set[str]] = {}
    for name in _SYMBOL_LOCALES:
        for code, symbol in Locale.parse(name).currency_symbols.items():
            # One-letter symbols ("F", "R") would turn words into currencies; codes are matched on their own.
            if code in current and symbol != code and (len(symbol) > 1 or not symbol.isalpha()):
                found.setdefault(symbol, set()).add(code)
    return {symbol: frozenset(codes) for symbol, codes in found.items()}


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=2)
def _amount_pattern() -> re.Pattern[str]:
    symbols = sorted(currency_symbols(), key=len, reverse=True)
    token = "(?:[A-Z]{3}|" + "|".join(re.escape(s) for s in symbols) + ")"
    number = r"[0-9][0-9.,'’\u00a0\u202f ]*|[.,][0-9]+"
    return re.compile(
        rf"^(?P<neg1>[-−])?\s*(?P<cur1>{token})?\s*(?P<neg2>[-−])?\s*(?P<open>\()?\s*(?P<cur2>{token})?\s*"
        rf"(?P<neg3>[-−])?(?P<num>{number})(?P<exp>[eE][-+]?[0-9]{{1,3}})?\s*(?P<pct>%)?\s*(?P<cur3>{token})?\s*"
        rf"(?P<close>\))?\s*(?P<cur4>{token})?$"
    )


@lru_cache(maxsize=1)
def _token_pattern() -> str:
    """A currency marker as the amount pattern reads it: a three-letter code or a known symbol."""
    symbols = sorted(currency_symbols(), key=len, reverse=True)
    return "(?:[A-Z]{3}|" + "|".join(re.escape(s) for s in symbols) + ")"


@lru_cache(maxsize=1)
def _known_markers() -> list[str]:
    return list(currency_symbols()) + list(_currency_codes())


# Spaces between an amount and its currency in the fast path (literal characters: see _GROUPED);
# any other whitespace takes the full pattern, which reads it the same way.
_SPACE = "[ \t\u00a0\u202f]"

# A number's digits in each decimal convention: groups of three (comma, dot, space, narrow
# no-break space or apostrophe as the file uses them) or none, then the decimal part.
_GROUPED = {
    # The no-break spaces are the characters themselves, not \u escapes: pandas then runs the
    # match in Arrow (RE2) rather than Python's re, column-wise.
    ".": re.compile("[0-9]{1,3}(?:[,\u00a0\u202f '’][0-9]{3})+(?:\\.[0-9]*)?"),
    ",": re.compile("[0-9]{1,3}(?:[.\u00a0\u202f '’][0-9]{3})+(?:,[0-9]*)?"),
}
_PLAIN = {".": re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"), ",": re.compile(r"[0-9]+(?:,[0-9]*)?|,[0-9]+")}
_SIMPLE = {sep: re.compile(rf"-?(?:{_GROUPED[sep].pattern}|{_PLAIN[sep].pattern})") for sep in _GROUPED}


@dataclass
class Amounts:
    """Parsed amounts of one column, index as given."""

    number: pd.Series  # float64, NaN where empty or not a number
    bad: pd.Series  # a value was there but is not an amount
    percent: pd.Series  # the cell carried a % sign
    currency: pd.Series  # the currency symbol or code the cell carried (string, NA where none)


def empty_cells(text: pd.Series, markers: frozenset[str] = EMPTY_MARKERS) -> pd.Series:
    """True where a (trimmed) cell is blank or one of the exports' "no value" markers."""
    # lower(), not casefold(): the markers have no letters casefold treats differently, and lower()
    # runs in Arrow's C code (casefold falls back to Python per cell, 7x slower on 100,000 cells).
    return text.isna() | text.str.lower().isin(markers).fillna(False) | (text == "")


def parse_amounts(series: pd.Series, decimal: str = ".", percent: str = "points") -> Amounts:
    """Amounts as real exports write them: `$523,964`, `€1.299,00`, `1 299,00 RSD`, `(1,234)`, `12.5%`.

    `decimal` is the file's decimal mark (detected per file), so `1,234` is never guessed per cell.
    A `%` value is read as percent points (12.5% -> 12.5) or, with percent="fraction", as 0.125.
    """
    text = series.astype("string").str.strip()
    text = text.mask(empty_cells(text), pd.NA)
    sep = decimal if decimal in _GROUPED else "."
    number = pd.Series(float("nan"), index=text.index, dtype="float64")
    pct = pd.Series(False, index=text.index)
    currency = pd.Series(pd.NA, index=text.index, dtype="string")
    # Fast path: most cells are plain numbers in the file's convention; one vectorised match
    # reads them, and only the rest (currencies, brackets, percent signs) go through the full pattern.
    simple = text.str.fullmatch(_SIMPLE[sep]).fillna(False)
    if simple.any():
        number[simple] = _to_float(text[simple], sep)
    rest = text.notna() & ~simple
    if rest.any():
        # Second fast path: a plain number with one known currency before or after it (`€1,299.00`,
        # `523,964 USD`) or a trailing `%`, the way most money and percent columns are written.
        # Arrow's regex replace does this column-wise; everything else takes the full pattern below.
        sub = text[rest]
        token, plain, space = _token_pattern(), _SIMPLE[sep].pattern, _SPACE
        length = sub.str.len()
        after_prefix = sub.str.replace(f"^{token}{space}*", "", regex=True)
        before_suffix = sub.str.replace(f"{space}*{token}$", "", regex=True)
        before_pct = sub.str.replace(f"{space}*%$", "", regex=True)
        prefixed, suffixed = after_prefix.str.len() < length, before_suffix.str.len() < length
        percented = before_pct.str.len() < length
        cases = (
            (prefixed & ~suffixed & ~percented, after_prefix, sub.str.replace(f"{space}*{plain}$", "", regex=True)),
            (suffixed & ~prefixed & ~percented, before_suffix, sub.str.replace(f"^{plain}{space}*", "", regex=True)),
            (percented & ~prefixed & ~suffixed, before_pct, None),
        )
        for which, digits, marker in cases:
            fits = which & digits.str.fullmatch(_SIMPLE[sep]).fillna(False)
            if marker is not None:
                fits &= marker.isin(_known_markers()).fillna(False)
            if not fits.any():
                continue
            index = fits[fits].index
            value = _to_float(digits[fits], sep)
            if marker is None:
                pct[index] = True
                if percent == "fraction":
                    value = value / 100
            else:
                currency[index] = marker[fits]
            number[index] = value
            rest[index] = False
    if rest.any():
        parts = text[rest].str.extract(_amount_pattern())
        num = parts["num"].str.strip()
        ok = num.str.fullmatch(_GROUPED[sep]).fillna(False) | num.str.fullmatch(_PLAIN[sep]).fillna(False)
        marker = parts["cur1"].fillna(parts["cur2"]).fillna(parts["cur3"]).fillna(parts["cur4"])
        known = marker.isna() | marker.isin(list(currency_symbols()) + list(_currency_codes())).fillna(False)
        signs = parts[["neg1", "neg2", "neg3"]].notna().sum(axis=1) + parts["open"].notna().astype(int)
        ok &= known & (parts["open"].notna() == parts["close"].notna()) & (signs <= 1)
        ok &= parts[["cur1", "cur2", "cur3", "cur4"]].notna().sum(axis=1) <= 1
        ok &= ~(parts["pct"].notna() & marker.notna())
        value = _to_float(num.where(ok) + parts["exp"].fillna(""), sep)
        value = value.where(signs == 0, -value)
        is_pct = parts["pct"].notna() & value.notna()
        if percent == "fraction":
            value = value.where(~is_pct, value / 100)
        number[rest] = value
        pct[rest] = is_pct
        currency[rest] = marker.where(value.notna())
    bad = text.notna() & number.isna()
    return Amounts(number, bad, pct, currency)


def _to_float(text: pd.Series, sep: str) -> pd.Series:
    """Digits with the convention's group separators and decimal mark -> float (NaN where not a number)."""
    group_chars = "[,\u00a0\u202f '’]" if sep == "." else "[.\u00a0\u202f '’]"
    digits = text.str.replace(group_chars, "", regex=True)
    if sep == ",":
        digits = digits.str.replace(",", ".", regex=False)
    # Through object: an all-empty Arrow string column has no numeric conversion in pandas.
    return pd.to_numeric(digits.astype(object), errors="coerce").astype("float64")


def currencies_for(marker: str) -> frozenset[str]:
    """The ISO codes a cell's currency marker may mean (empty when it is not a currency)."""
    if marker in _currency_codes():
        return frozenset({marker})
    return currency_symbols().get(marker, frozenset())


def decode_entities(text: pd.Series) -> tuple[pd.Series, int]:
    """HTML entities in text cells decoded (`Lowe&#8217;s` -> `Lowe’s`, `AT&amp;T` -> `AT&T`), and how many cells changed.

    Only complete entities (with their `;`) are decoded, so `AT&T` or `R&D` stay as typed.
    """
    has = text.str.contains(_ENTITY).fillna(False)
    if not has.any():
        return text, 0
    decoded = text.where(~has, text[has].str.replace(_ENTITY, lambda m: html.unescape(m.group(0)), regex=True))
    return decoded, int(has.sum())
