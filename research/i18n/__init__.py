"""The UI's message catalog (English and Serbian Cyrillic) and locale-aware formatting.

Every string a page shows comes from `MESSAGES` through `t()`. The catalog is
split by area into `catalog_*.py` modules; each entry holds both languages side
by side so neither can fall behind. Numbers, money and dates are formatted with
Babel for the chosen language.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from decimal import Decimal
from functools import lru_cache
from string import Formatter
from typing import TypeVar

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_compact_currency as _babel_compact_currency
from babel.numbers import format_currency as _babel_currency
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

from research.errors import VantageError

E = TypeVar("E", bound=VantageError)

LANGUAGES: dict[str, str] = {"en": "English", "sr": "Српски"}
LOCALES: dict[str, str] = {"en": "en_GB", "sr": "sr_Cyrl_RS"}
DEFAULT_LANGUAGE = "en"

def _load_catalogs() -> dict[str, tuple[str, str]]:
    """Merge every `research/i18n/catalog_*.py` (one per area of the app); keys must be unique."""
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("catalog_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        clash = merged.keys() & module.MESSAGES.keys()
        if clash:
            raise RuntimeError(f"{info.name} redefines messages {sorted(clash)}")
        merged.update(module.MESSAGES)
    return merged


# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = _load_catalogs()


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message `key` in `lang`, with `{placeholders}` filled from `values`."""
    english, serbian = MESSAGES[key]
    text = serbian if normalize_language(lang) == "sr" else english
    return text.format(**values) if values else text


class Named(str):
    """A text in both languages, as a value of a keyed message (`keyed_error`).

    As text it is the English (the error's English `message`: the CLI, logs); a catalog message
    asks for the Serbian one with the format spec "sr" ("„{field:sr}”"), so a Serbian page names
    a field "Запослени" where the English message keeps "employees", the name the CLI uses.
    """

    sr: str

    def __new__(cls, en: str, sr: str | None = None) -> Named:
        named = super().__new__(cls, en)
        named.sr = sr or en
        return named

    def __format__(self, spec: str) -> str:
        if spec == "sr":
            return self.sr
        return str.__format__(str(self), "" if spec == "en" else spec)


def message(key: str, **values: object) -> Named:
    """Catalog message `key` in both languages: a value for another keyed message (a reason inside a refusal)."""
    return Named(t(key, "en", **values), t(key, "sr", **values))


def keyed_error(cls: type[E], key: str, **values: object) -> E:
    """An error of class `cls` holding catalog message `key` with `values`: its `message` is the
    English text (CLI, logs) and pages show it in the viewer's language (`error_text`)."""
    return cls(t(key, "en", **values), key=key, params=values)


def error_text(error: VantageError, lang: str) -> tuple[str, str]:
    """An error's title and sentence in `lang`: the class's title from the catalog (`error.title.<Class>`,
    the nearest base class that has one) and the keyed message, else the error's own English sentence."""
    title = error.title
    owner = next((cls for cls in type(error).__mro__ if "title" in cls.__dict__), None)
    key = f"error.title.{owner.__name__}" if owner else ""
    if owner is not None and title == owner.__dict__["title"] and key in MESSAGES:
        title = t(key, lang)  # the class's own title, not one given to this error
    values = dict(error.params)
    # Layers below the catalog (the store, permissions) give codes; in Serbian ("{table:sr}") they read as
    # words: a table as its noun ("клијент", not "accounts"), a role and an action by their names.
    for name, key in (("table", "changes.thing.{}"), ("role", "access.role.{}"), ("needs", "access.role.{}"),
                      ("action", "access.action.{}")):
        value, code = values.get(name), values.get(f"{name}_code", values.get(name))
        if isinstance(value, str) and not isinstance(value, Named) and key.format(code) in MESSAGES:
            values[name] = Named(value, t(key.format(code), "sr").split("|")[0])
    message = t(error.key, lang, **values) if error.key in MESSAGES else error.message
    return title, message


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def locale_of(lang: str) -> str:
    return LOCALES[normalize_language(lang)]


def fmt_number(value: float | int | Decimal | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _babel_decimal(value, format=pattern, locale=locale_of(lang))


def fmt_money(value: float | int | Decimal | None, currency: str, lang: str) -> str:
    if value is None:
        return "–"
    return _babel_currency(value, currency, locale=locale_of(lang))


@lru_cache(maxsize=4)
def _whole_currency_pattern(locale: str) -> str:
    """The locale's currency pattern without decimals ("#,##0.00 ¤" -> "#,##0 ¤")."""
    from babel import Locale

    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.replace(".00", "")


def fmt_money_round(value: float | int | Decimal | None, currency: str, lang: str) -> str:
    """Money rounded for its size, as a slide or a KPI shows it: €950, €38,500, €385K, €38.5M
    (whole units below 100,000, then CLDR's compact form with one decimal)."""
    if value is None or value != value:  # None or NaN
        return "–"
    if -100_000 < value < 100_000:
        return _babel_currency(round(float(value)), currency, format=_whole_currency_pattern(locale_of(lang)),
                               locale=locale_of(lang), currency_digits=False)
    return _babel_compact_currency(float(value), currency, locale=locale_of(lang), fraction_digits=1)


def fmt_percent(value: float | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return _babel_percent(value, format=pattern, locale=locale_of(lang))


def fmt_date(value: dt.date | None, lang: str) -> str:
    if value is None:
        return "–"
    return _babel_date(value, format="medium", locale=locale_of(lang))


def fmt_datetime(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return "–"
    return _babel_datetime(value, format="short", locale=locale_of(lang))


def fmt_bytes(size: int | None, lang: str) -> str:
    if size is None:
        return "–"
    units = ["B", "KB", "MB", "GB", "TB"]
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{fmt_number(value, lang, 0 if unit == 'B' else 1)} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def country_name(code: str | None, lang: str) -> str:
    """The localized name of an ISO 3166 country code (the code itself if unknown)."""
    if not code:
        return "–"
    from babel import Locale

    return Locale.parse(locale_of(lang)).territories.get(code.upper(), code)
