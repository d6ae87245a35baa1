"""The entity registry: which tables people edit and import, their field types, pick-lists and rules.

Adding an entity is one `register(Entity(...))` declaration: the grid editor, the
import wizard, the CLI and undo all read this registry. Values arrive as text
(from a file) or as grid cells; `coerce_frame` turns a whole column at a time
into typed values and lists every problem by row, column, value and reason, so
10,000 rows validate in milliseconds rather than one Python call per cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import format_decimal

from research.data.regions import country_code
from research.data.states import AccountStatus, DealOutcome, PricePosition
from research.data.values import (
    EMPTY_MARKERS,
    TEXT_EMPTY_MARKERS,
    currencies_for,
    decode_entities,
    empty_cells,
    parse_amounts,
)
from research.errors import ValidationError
from research.exports import CSV_NEUTRALISED
from research.i18n import MESSAGES, Named, locale_of, t

INT32_MAX = 2**31 - 1
# The largest employers have about 2.3 million people; ten million is a typing error, not a company.
MAX_COMPANY_EMPLOYEES = 10_000_000
# Invisible and direction-changing characters: a name that contains them looks like
# another name on screen (spoofing) and breaks matching, so they are refused.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Text that a spreadsheet would run as a formula; exports prefix it with ' (CWE-1236)
# and imports take that prefix off again so a round trip keeps the text as typed.
COUNTRY_CODES: frozenset[str] = frozenset(
    code for code in Locale.parse("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()
)
# A host name: labels of letters, digits and inner hyphens (any script: "пример.срб"), ending in a
# top-level domain of letters (or its xn-- form); an IPv4 address; or localhost.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_HOST = rf"(?:localhost|(?:{_LABEL}\.)+(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})|[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})"
# A web address as exports write it: with or without http(s)://, a host, an optional port and path;
# no spaces. "not a website", "http://-.-" and "ftp://…" are refused, "acme.rs" is taken as written.
_WEB_ADDRESS = re.compile(rf"(?:https?://)?{_HOST}(?::[0-9]{{1,5}})?(?:[/?#]\S*)?", re.IGNORECASE)
# An e-mail address: a local part without spaces or a second @, and a host as above.
_EMAIL = re.compile(rf"[^\s@<>()\[\],;:\"]+@{_HOST}", re.IGNORECASE)
_TRUE = {"true", "yes", "y", "1", "x", "da", "да", "t", "istina", "тачно"}
_FALSE = {"false", "no", "n", "0", "ne", "не", "f", "", "netačno", "нетачно"}


@dataclass(frozen=True)
class Field:
    """One editable column. `kind` decides parsing: text, url, email, int, decimal, percent, date, timestamp,
    bool, choice, currency, country, ref (a row of `ref`, given by id or by its `ref_label`) or reasons
    (a deal's reasons: several codes or names in one cell, kept in `deal_reason_links`, not in the
    entity's table; research.data.reasons)."""

    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    # Other spellings of a choice (English and Serbian, Latin and Cyrillic) -> the stored value.
    choice_aliases: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    scale: int = 2
    ref: str | None = None
    ref_label: str = "name"
    # Header names a file may use for this field, besides the field name (import mapping).
    aliases: tuple[str, ...] = ()
    default: Any = None
    # A field the workspace can fill from another one (region from country): not required in a file.
    derived_from: str | None = None
    # For money: the field naming its currency. A `$`/`€`/`RSD` in a cell must agree with it, and
    # a currency without an exchange rate is refused (`research.data.dependents`), never taken 1:1.
    currency_field: str | None = None
    # A workspace's own field (research.data.fields): a real column of the table, named in both languages.
    custom: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """The field's name for people: a custom field's own label, else None-safe the column name."""
        return self.labels.get(lang) or self.labels.get("en") or self.name

    @property
    def in_table(self) -> bool:
        """Whether the field is a column of the entity's table (a deal's reasons live in a table of their own)."""
        return self.kind != "reasons"


@dataclass(frozen=True)
class GuardedColumn:
    """A column of the table that neither the grid nor a file may write, with the action that changes it."""

    name: str
    # Header names a file may use for it (matched like field aliases, after `mapping.fold`).
    aliases: tuple[str, ...]
    # What to do instead, one sentence (part of the import's refusal).
    instead: str


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    fields: tuple[Field, ...]
    # Columns that identify a row for upsert and in-file duplicates (besides `id`).
    natural_key: tuple[str, ...]
    order_by: str = "id"
    # Text columns the grid filter searches.
    search: tuple[str, ...] = ()
    has_id: bool = True
    # Check names / VAT / website against the workspace for possible duplicates.
    duplicate_check: bool = False
    # Columns that are not fields (so the grid, its export and imports never write them) and
    # that a file must not even carry: an import with one is refused, not silently half-applied.
    guarded: tuple[GuardedColumn, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise ValidationError(f"{self.name} has no field {name!r}.")

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def identity(self) -> tuple[str, ...]:
        """How an audit row names a row of this table: its id, else its key columns."""
        return ("id",) if self.has_id else self.natural_key


ENTITIES: dict[str, Entity] = {}


def register(entity: Entity) -> Entity:
    if entity.name in ENTITIES:
        raise ValueError(f"entity {entity.name} registered twice")
    ENTITIES[entity.name] = entity
    return entity


def get_entity(name: str) -> Entity:
    entity = ENTITIES.get((name or "").strip().lower())
    if entity is None:
        raise ValidationError(f"{name!r} is not something Vantage imports; choose one of: {', '.join(ENTITIES)}.")
    return entity


_STATUS_ALIASES = {
    "kupac": "customer", "купац": "customer", "klijent": "customer", "клијент": "customer", "client": "customer",
    "potencijalni": "prospect", "потенцијални": "prospect", "lead": "prospect", "izgubljen": "lost",
    "изгубљен": "lost", "bivši": "lost", "бивши": "lost", "former": "lost",
}
_POSITIONING_ALIASES = {"low": "budget", "niska": "budget", "ниска": "budget", "srednja": "mid", "средња": "mid",
                        "medium": "mid", "visoka": "premium", "висока": "premium", "high": "premium"}
_MONEY: dict[str, Any] = dict(kind="decimal", minimum=0, maximum=10**16 - 1)

register(Entity(
    name="accounts",
    table="accounts",
    natural_key=("name",),
    order_by="name",
    search=("name", "city", "industry", "owner", "vat_id"),
    duplicate_check=True,
    fields=(
        Field("name", required=True, max_length=200, aliases=("account", "company", "customer name", "naziv", "назив",
                                                               "ime", "име", "firma", "фирма", "kupac", "купац")),
        Field("vat_id", max_length=40, aliases=("vat", "pib", "пиб", "tax id", "poreski broj", "порески број")),
        Field("website", kind="url", max_length=300, aliases=("web", "url", "sajt", "сајт", "veb sajt", "веб сајт")),
        Field("country", kind="country", required=True, aliases=("country code", "država", "држава", "zemlja", "земља")),
        Field("region", required=True, max_length=80, derived_from="country", aliases=("regija", "регија", "region", "регион")),
        Field("city", max_length=120, aliases=("town", "grad", "град", "mesto", "место")),
        Field("industry", required=True, max_length=120, aliases=("sector", "delatnost", "делатност", "industrija",
                                                                 "индустрија", "grana", "грана")),
        Field("employees", kind="int", minimum=0, maximum=INT32_MAX, aliases=("staff", "headcount", "zaposleni",
                                                                             "запослени", "broj zaposlenih",
                                                                             "број запослених")),
        Field("annual_revenue", **_MONEY, currency_field="revenue_currency", aliases=("revenue", "turnover", "prihod", "приход", "promet", "промет")),
        Field("revenue_currency", kind="currency", default="EUR", aliases=("currency", "valuta", "валута")),
        Field("status", kind="choice", required=True, choices=tuple(AccountStatus),
              choice_aliases=_STATUS_ALIASES, aliases=("stage", "stanje", "стање", "статус")),
        Field("owner", max_length=120, aliases=("account manager", "menadžer", "менаџер", "vlasnik", "власник")),
        Field("supplier_company_id", kind="ref", ref="companies", aliases=("supplier", "dobavljač", "добављач")),
        Field("contact_person", max_length=120, aliases=("contact", "kontakt", "контакт", "kontakt osoba",
                                                         "контакт особа")),
        Field("first_contact", kind="date", aliases=("first contact date", "prvi kontakt", "први контакт")),
        Field("archived", kind="bool", default=False, aliases=("arhiviran", "архивиран")),
    ),
))

register(Entity(
    name="companies",
    table="companies",
    natural_key=("name",),
    order_by="name",
    search=("name", "website", "description"),
    duplicate_check=True,
    # No `notes`, `notes_private` or `notes_author`: a profile's notes can be private (migration
    # 0011, docs/ACCESS.md), so the grid, its export and imports never read or write them; they are
    # edited on the Competitors page, where only their author or an admin may change private ones.
    # No `is_us` either (issue 14, finding 8): a file with three "our companies" broke every
    # comparison. Which company is ours changes only through `profiles.set_our_company` (admins),
    # and migration 0013 lets the database hold at most one.
    guarded=(GuardedColumn(
        "is_us", aliases=("us", "our company", "ours", "mi", "ми", "naša firma", "наша фирма",
                          "naša kompanija", "наша компанија"),
        instead="an import cannot say which company is ours. Remove the column and import again; "
                "an admin changes our company with `python -m research company set-ours NAME`.",
    ),),
    fields=(
        Field("name", required=True, max_length=200, aliases=("company", "naziv", "назив", "firma", "фирма")),
        Field("website", kind="url", max_length=300, aliases=("web", "url", "sajt", "сајт")),
        Field("hq_country", kind="country", aliases=("country", "hq", "država", "држава", "sedište", "седиште")),
        # One rule for every path (issue 16): the profile form, the grid and imports all check these.
        Field("founded", kind="int", minimum=1800, maximum=dt.date.today().year,
              aliases=("year founded", "osnovana", "основана")),
        Field("employees", kind="int", minimum=0, maximum=MAX_COMPANY_EMPLOYEES, aliases=("staff", "zaposleni", "запослени")),
        Field("revenue_estimate", **_MONEY, currency_field="revenue_currency", aliases=("revenue", "prihod", "приход")),
        Field("revenue_currency", kind="currency", aliases=("currency", "valuta", "валута")),
        Field("price_positioning", kind="choice", choices=tuple(PricePosition),
              choice_aliases=_POSITIONING_ALIASES, aliases=("positioning", "pozicioniranje", "позиционирање")),
        Field("description", max_length=4000, aliases=("notes", "opis", "опис")),
        Field("archived", kind="bool", default=False, aliases=("arhiviran", "архивиран")),
    ),
))

register(Entity(
    name="products",
    table="products",
    natural_key=("company_id", "name"),
    order_by="name",
    search=("name", "sku", "category"),
    fields=(
        Field("company_id", kind="ref", ref="companies", required=True, aliases=("company", "firma", "фирма",
                                                                                  "proizvođač", "произвођач")),
        Field("name", required=True, max_length=200, aliases=("product", "naziv", "назив", "proizvod", "производ")),
        Field("sku", max_length=80, aliases=("code", "article", "šifra", "шифра")),
        Field("category", required=True, max_length=120, aliases=("kategorija", "категорија", "group", "grupa")),
        Field("unit", required=True, max_length=40, aliases=("uom", "jedinica", "јединица", "jm", "јм")),
        Field("list_price", kind="decimal", minimum=0, maximum=10**12 - 1, currency_field="currency", aliases=("price", "cena", "цена")),
        Field("currency", kind="currency", required=True, default="EUR", aliases=("valuta", "валута")),
        Field("url", kind="url", max_length=300, aliases=("link", "web")),
        Field("archived", kind="bool", default=False, aliases=("arhiviran", "архивиран")),
    ),
))

register(Entity(
    name="prices",
    table="price_observations",
    natural_key=("product_id", "observed_at"),
    order_by="observed_at DESC",
    search=("source",),
    fields=(
        Field("product_id", kind="ref", ref="products", ref_label="sku", required=True,
              aliases=("product", "sku", "proizvod", "производ", "šifra", "шифра")),
        Field("observed_at", kind="timestamp", required=True, aliases=("date", "seen", "datum", "датум")),
        Field("price", kind="decimal", required=True, minimum=0, maximum=10**12 - 1, currency_field="currency",
              aliases=("cena", "цена")),
        Field("currency", kind="currency", required=True, default="EUR", aliases=("valuta", "валута")),
        Field("source", max_length=500, aliases=("izvor", "извор", "url")),
    ),
))

register(Entity(
    name="capabilities",
    table="capabilities",
    natural_key=("company_id", "capability"),
    order_by="capability",
    search=("capability", "note"),
    fields=(
        Field("company_id", kind="ref", ref="companies", required=True, aliases=("company", "firma", "фирма")),
        Field("capability", required=True, max_length=120, aliases=("sposobnost", "способност", "criterion",
                                                                     "kriterijum", "критеријум")),
        Field("score", kind="int", required=True, minimum=1, maximum=5, aliases=("ocena", "оцена", "rating")),
        Field("note", max_length=2000, aliases=("napomena", "напомена", "comment")),
        Field("assessed_on", kind="date", aliases=("date", "datum", "датум")),
    ),
))

register(Entity(
    name="exchange_rates",
    table="exchange_rates",
    natural_key=("currency", "valid_on"),
    order_by="valid_on DESC",
    search=("currency",),
    has_id=False,
    fields=(
        Field("currency", kind="currency", required=True, aliases=("valuta", "валута", "code")),
        Field("valid_on", kind="date", required=True, aliases=("date", "datum", "датум", "valid from")),
        Field("per_eur", kind="decimal", required=True, minimum=0.000001, maximum=10**12 - 1, scale=6,
              aliases=("rate", "kurs", "курс", "per eur")),
    ),
))

register(Entity(
    name="features",
    table="features",
    natural_key=("category", "name"),
    order_by="category, position, name",
    search=("name", "category", "product_category"),
    fields=(
        Field("category", required=True, max_length=120, aliases=("group", "kategorija", "категорија", "grupa")),
        Field("name", required=True, max_length=120, aliases=("feature", "funkcija", "функција", "naziv", "назив")),
        Field("product_category", max_length=120, aliases=("product category", "kategorija proizvoda",
                                                            "категорија производа")),
        Field("description", max_length=2000, aliases=("opis", "опис")),
        Field("position", kind="int", minimum=0, maximum=100_000, default=0, aliases=("order", "redosled", "редослед")),
        Field("archived", kind="bool", default=False, aliases=("arhiviran", "архивиран")),
    ),
))


# Outcomes as CRMs and people write them ("Closed Won", "izgubljen") -> the stored code.
_OUTCOME_ALIASES = {
    "closed won": "won", "closed-won": "won", "closed/won": "won", "win": "won", "dobijen": "won", "добијен": "won",
    "dobijeno": "won", "добијено": "won", "osvojen": "won", "освојен": "won",
    "closed lost": "lost", "closed-lost": "lost", "closed/lost": "lost", "loss": "lost", "izgubljen": "lost",
    "изгубљен": "lost", "izgubljeno": "lost", "изгубљено": "lost",
    "in progress": "open", "pending": "open", "otvoren": "open", "отворен": "open", "otvoreno": "open",
    "отворено": "open", "u toku": "open", "у току": "open",
}

# Issue 20: deals. The account and the competitor (who won it, or whom we displaced) are given by
# name or id; reasons by code or by name in either language, several per cell ("Price; Lead time").
# Two rows of one account with the same outcome, close date and value are the same deal: a file
# that repeats one, or appends one the workspace holds, is refused row by row (upsert by id changes it).
register(Entity(
    name="deals",
    table="deals",
    natural_key=("account_id", "outcome", "closed_on", "value"),
    order_by="closed_on DESC NULLS FIRST, id DESC",
    search=("account_id", "competitor_id", "stage", "owner", "note"),
    fields=(
        Field("account_id", kind="ref", ref="accounts", required=True,
              aliases=("account", "account name", "customer", "client", "company", "klijent", "клијент", "kupac",
                       "купац", "firma", "фирма", "naziv klijenta", "назив клијента")),
        Field("outcome", kind="choice", required=True, choices=tuple(DealOutcome), choice_aliases=_OUTCOME_ALIASES,
              aliases=("result", "won/lost", "win/loss", "status", "ishod", "исход", "rezultat", "резултат")),
        Field("competitor_id", kind="ref", ref="companies",
              aliases=("competitor", "lost to", "won from", "rival", "konkurent", "конкурент", "konkurencija",
                       "конкуренција")),
        Field("value", **_MONEY, currency_field="currency",
              aliases=("amount", "deal value", "deal amount", "iznos", "износ", "vrednost", "вредност")),
        Field("currency", kind="currency", default="EUR", aliases=("valuta", "валута", "currency code")),
        Field("closed_on", kind="date", aliases=("close date", "closing date", "closed date", "closed", "date closed",
                                                 "datum zatvaranja", "датум затварања", "zatvoren", "затворен")),
        Field("stage", max_length=80, aliases=("deal stage", "pipeline stage", "faza", "фаза", "etapa", "етапа")),
        Field("owner", max_length=120, aliases=("deal owner", "sales rep", "salesperson", "account manager",
                                                "komercijalista", "комерцијалиста", "vlasnik", "власник")),
        Field("reasons", kind="reasons",
              aliases=("reason", "win/loss reasons", "win/loss reason", "loss reason", "loss reasons", "win reason",
                       "razlozi", "разлози", "razlog", "разлог")),
        Field("note", max_length=2000, aliases=("notes", "comment", "comments", "napomena", "напомена", "description",
                                                "opis", "опис")),
    ),
))


# ---- coercion and validation ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int  # the file's line number (header = 1) or the grid's row number
    column: str
    value: str
    reason: str  # in English (CLI, logs); `problem_text` gives it in the viewer's language
    # The reason as a catalog message (research.i18n) and its values; numbers are formatted per language.
    key: str | None = None
    params: tuple[tuple[str, Any], ...] = ()


def _param(name: str, value: Any, lang: str, *, on_screen: bool = True) -> Any:
    """A message value as `lang` writes it: numbers with the locale's marks (grouped from 10,000 on,
    so a year stays 1800), a `field` by its label on screen (the CLI's English keeps the column name)."""
    if name == "field" and on_screen and f"data.field.{value}" in MESSAGES:
        return t(f"data.field.{value}", lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    pattern = "#,##0.######" if abs(value) >= 10_000 else "0.######"
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def problem(row: int, column: str, value: Any, key: str, **params: Any) -> Problem:
    """A problem whose reason is catalog message `key` (its English text kept as `reason`)."""
    text = "" if value is None or value is pd.NA else str(value)
    reason = t(key, "en", **{k: _param(k, v, "en", on_screen=False) for k, v in params.items()})
    return Problem(row, column, text, reason, key, tuple(params.items()))


# Reasons other modules give in plain English that have a message of their own.
_FIXED_REASONS = {"required": "data.problem.required"}


def problem_text(p: Problem, lang: str) -> str:
    """A problem's reason in `lang` (the English reason where it has no message)."""
    key = p.key or _FIXED_REASONS.get(p.reason)
    if key is None or key not in MESSAGES:
        return p.reason
    return t(key, lang, **{k: _param(k, v, lang) for k, v in p.params})


@dataclass
class Coerced:
    frame: pd.DataFrame  # one typed column per mapped field, index as given
    problems: list[Problem]
    # Sentences for the import plan (HTML entities decoded, currencies read from the amounts).
    notes: list[str] = field(default_factory=list)
    decoded_entities: int = 0  # text cells whose HTML entities were decoded


def _text(series: pd.Series) -> pd.Series:
    """Cells as trimmed text; empty cells become None."""
    s = series.astype("string").str.strip()
    return s.mask(s == "", pd.NA)


def parse_number(series: pd.Series, decimal: str = ".") -> pd.Series:
    """Text numbers in the file's decimal convention ("1.234,56" / "1,234.56" / "1 234,5", "$1,234", "(12)") -> float."""
    return parse_amounts(series, decimal).number


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%Y")


def parse_dates(series: pd.Series, date_format: str | None = None) -> pd.Series:
    """Text dates in `date_format` (or the first format of DATE_FORMATS that reads most of them)."""
    s = _text(series)
    if s.dropna().empty:
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    formats = [date_format] if date_format else list(DATE_FORMATS)
    best = None
    for fmt in formats:
        # A date column may carry a time ("2026-11-02 10:00"); the date part decides.
        head = s.str.split(" ", n=1).str[0] if "H" not in fmt else s
        parsed = pd.to_datetime(head, format=fmt, errors="coerce")
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
    iso = pd.to_datetime(s, format="ISO8601", errors="coerce")
    return best.fillna(iso) if best is not None else iso


def _normalize_choice(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


# Between the reasons of one cell: "Price; Lead time", "price, lead_time", "Цена | Квалитет".
REASON_SEPARATORS = re.compile(r"[;,|\n]")


def reason_key(text: str) -> str:
    """A reason's code or name as looked up: folded, `_` and runs of spaces as one space
    ("Lead time", "lead_time" and "LEAD  TIME" are one key)."""
    return re.sub(r"[\s_]+", " ", _normalize_choice(text)).strip()


class ReasonLookup(dict[str, int]):
    """`reason_key` of each reason's code and names -> its id (research.data.reasons.reason_lookup), with
    the names of the reasons on offer in both languages (`allowed`) for the refusal of an unknown one."""

    def __init__(self, items: Mapping[str, int], allowed: Named | None = None) -> None:
        super().__init__(items)
        # The English names; a Serbian message asks for the Serbian ones with `{allowed:sr}`.
        self.allowed = allowed or Named("")


def _reason_ids(text: pd.Series, lookup: Mapping[str, int]) -> tuple[pd.Series, dict[Any, list[str]]]:
    """Each cell's reasons as a tuple of ids (in the order written, each once), and per cell the parts
    that name no reason."""
    values: list[tuple[int, ...] | None] = []
    unknown: dict[Any, list[str]] = {}
    for idx, cell in text.items():
        if not isinstance(cell, str):
            values.append(None)
            continue
        ids: list[int] = []
        for part in REASON_SEPARATORS.split(cell):
            part = part.strip()
            if not part:
                continue
            found = lookup.get(reason_key(part))
            if found is None:
                unknown.setdefault(idx, []).append(part)
            elif found not in ids:
                ids.append(found)
        values.append(tuple(ids) if ids else None)
    return pd.Series(values, index=text.index, dtype=object), unknown


def coerce_frame(
    entity: Entity,
    raw: pd.DataFrame,
    *,
    row_numbers: Sequence[int] | None = None,
    decimal: str = ".",
    date_format: str | None = None,
    refs: Mapping[str, Mapping[str, int]] | None = None,
    fill_defaults: bool = True,
    reconcile_currencies: bool = True,
) -> Coerced:
    """Typed values for the entity's fields found in `raw` (text or grid values), with every problem.

    `reconcile_currencies=False` checks each amount alone, leaving out whether a currency
    written in it (`$`) agrees with the row's currency field: the mapping's value check
    asks only whether a column's cells are amounts at all.
    """
    rows = pd.Series(list(row_numbers) if row_numbers is not None else range(1, len(raw) + 1), index=raw.index)
    out: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    decoded_total = 0
    # Money field -> the currency symbol or code each amount carried ("$", "EUR"), reconciled below.
    money_markers: dict[str, pd.Series] = {}

    def flag(mask: pd.Series, column: str, values: pd.Series, key: str, **params: Any) -> None:
        for idx in mask[mask.fillna(False)].index:
            problems.append(problem(int(rows[idx]), column, values.get(idx), key, **params))

    for f in entity.fields:
        if f.name not in raw.columns:
            continue
        original = raw[f.name]
        if original.dtype == object or pd.api.types.is_string_dtype(original.dtype):
            text = _text(original)
            # Web-sourced exports carry HTML entities (`Lowe&#8217;s`, `AT&amp;T`, `1&nbsp;200`,
            # `&euro;12`): decoded in every field before it is read, and counted.
            if text.notna().any():
                text, decoded = decode_entities(text)
                decoded_total += decoded
                if decoded:
                    text = _text(text)  # a cell that was only `&nbsp;` is empty
        else:
            text = original.astype("string")
            text = text.mask(original.isna(), pd.NA)
        # "-", "n/a", "—" … mean no value, not an error; "NA" only where it cannot be Namibia.
        text = text.mask(empty_cells(text, TEXT_EMPTY_MARKERS if f.kind in ("text", "url", "email", "country") else EMPTY_MARKERS),
                         pd.NA)
        present = text.notna()
        value: pd.Series
        if f.kind in ("int", "decimal", "percent"):
            if pd.api.types.is_numeric_dtype(original.dtype):
                number = original.astype("float64")
            else:
                amounts = parse_amounts(text, decimal)
                number = amounts.number
                flag(present & amounts.bad, f.name, text,
                     "data.problem.not_number_comma" if decimal == "," else "data.problem.not_number")
                if f.kind != "percent":
                    flag(amounts.percent, f.name, text, "data.problem.not_percent_field")
                if f.currency_field:
                    money_markers[f.name] = amounts.currency
                else:
                    flag(amounts.currency.notna(), f.name, text, "data.problem.money_in_number")
            if f.kind == "int":
                fraction = present & number.notna() & (number != np.floor(number.fillna(0)))
                flag(fraction, f.name, text, "data.problem.not_whole")
            if f.minimum is not None:
                # Counts and amounts: "-7" is refused as negative, never stored as 7 or as 0.
                flag(number < f.minimum, f.name, text,
                     "data.problem.negative" if f.minimum == 0 else "data.problem.below_min", minimum=f.minimum)
            if f.maximum is not None:
                flag(number > f.maximum, f.name, text,
                     "data.problem.too_large" if f.maximum >= 10_000 else "data.problem.above_max", maximum=f.maximum)
            if f.kind == "int":
                value = number.round().astype("Int64").where(number.abs() <= 2**53)
            else:
                value = number.round(f.scale)
        elif f.kind in ("date", "timestamp"):
            if pd.api.types.is_datetime64_any_dtype(original.dtype):
                stamps = original
            else:
                as_text = text.astype(object).where(present, None).map(
                    lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
                stamps = parse_dates(pd.Series(as_text, index=raw.index, dtype="string"), date_format)
                if f.kind == "timestamp":
                    full = pd.to_datetime(pd.Series(as_text, index=raw.index, dtype="string"), format="ISO8601",
                                          errors="coerce")
                    stamps = full.fillna(stamps)
            bad = present & stamps.isna()
            flag(bad, f.name, text, "data.problem.not_date")
            out_of_range = stamps.notna() & ((stamps.dt.year < 1900) | (stamps.dt.year > 2100))
            flag(out_of_range, f.name, text, "data.problem.date_range")
            value = stamps.dt.normalize() if f.kind == "date" else stamps
            value = value.where(~out_of_range)
        elif f.kind == "bool":
            if pd.api.types.is_bool_dtype(original.dtype):
                value = original.astype("boolean")
            else:
                folded = text.str.lower()  # the yes/no words are the same under casefold (Arrow's fast lower)
                value = pd.Series(pd.NA, index=raw.index, dtype="boolean")
                value[folded.isin(_TRUE).fillna(False)] = True
                value[folded.isin(_FALSE).fillna(False)] = False
                flag(present & value.isna(), f.name, text, "data.problem.not_bool")
        elif f.kind == "choice":
            folded = text.map(lambda v: _normalize_choice(v) if isinstance(v, str) else v)
            lookup = {c.casefold(): c for c in f.choices} | {k.casefold(): v for k, v in f.choice_aliases.items()}
            value = folded.map(lambda v: lookup.get(v) if isinstance(v, str) else None)
            flag(present & value.isna(), f.name, text, "data.problem.unknown_choice", allowed=", ".join(f.choices))
        elif f.kind in ("currency", "country"):
            value = text.str.upper()
            if f.kind == "currency":
                ok = value.str.fullmatch(r"[A-Z]{3}").fillna(False)
                flag(present & ~ok, f.name, text, "data.problem.not_currency", examples="EUR, RSD, USD")
            else:
                # Country names in English or Serbian (CLDR, through Babel) are read as their code.
                named = text.where(~value.isin(COUNTRY_CODES).fillna(False)).map(
                    lambda v: country_code(v) if isinstance(v, str) else None)
                value = value.where(named.isna(), named.astype("string"))
                ok = value.isin(COUNTRY_CODES).fillna(False)
                flag(present & ~ok, f.name, text, "data.problem.not_country", codes="RS, US, DE",
                     names="Japan, Јапан")
            value = value.where(ok)
        elif f.kind == "ref":
            ref_ids = (refs or {}).get(f.name, {})
            numeric = pd.to_numeric(text, errors="coerce").astype("float64")
            by_label = text.map(lambda v: ref_ids.get(_normalize_choice(v)) if isinstance(v, str) else None)
            ids = set(ref_ids.values())
            by_id = numeric.map(lambda v: int(v) if v == v and v.is_integer() and int(v) in ids else None)
            value = by_id.where(by_id.notna(), by_label)
            flag(present & value.isna(), f.name, text,
                 f"data.problem.no_ref.{f.ref}" if f"data.problem.no_ref.{f.ref}" in MESSAGES else "data.problem.no_ref",
                 table=f.ref, label=f.ref_label)
            value = value.astype("Int64")
        elif f.kind == "reasons":
            known = (refs or {}).get(f.name, {})
            value, unknown = _reason_ids(text, known)
            allowed = getattr(known, "allowed", None) or Named(", ".join(sorted(known)))
            for idx, parts in unknown.items():
                for part in parts:
                    problems.append(problem(int(rows[idx]), f.name, part, "data.problem.unknown_reason",
                                            allowed=allowed))
        else:
            value = text
            if len(text.dropna()):
                # A leading ' that our own export added before formula-looking text comes off again.
                value = text.str.replace(CSV_NEUTRALISED, "", regex=True)
                flag(value.str.contains(_INVISIBLE).fillna(False), f.name, text, "data.problem.invisible")
                if f.max_length:
                    flag(value.str.len() > f.max_length, f.name, text, "data.problem.too_long", max=f.max_length)
                if f.kind == "url":
                    flag(value.notna() & ~value.str.fullmatch(_WEB_ADDRESS).fillna(False), f.name, text,
                         "data.problem.not_web_address", url="https://example.com", domain="example.com")
                elif f.kind == "email":
                    flag(value.notna() & ~value.str.fullmatch(_EMAIL).fillna(False), f.name, text,
                         "data.problem.not_email", example="ana@example.com")
        if f.required:
            flag(~present, f.name, text, "data.problem.required")
        if fill_defaults and f.default is not None:
            value = value.where(present, f.default) if f.kind != "bool" else value.fillna(f.default)
        out[f.name] = value
    for amount, markers in money_markers.items() if reconcile_currencies else ():
        notes.extend(_reconcile_currency(entity.field(amount), markers, out, rows, problems))
    if decoded_total:
        notes.append(f"HTML entities decoded in {decoded_total:,} text cell(s) (e.g. &#8217; -> ’, &amp; -> &).")
    return Coerced(pd.DataFrame(out, index=raw.index), problems, notes, decoded_total)


def _reconcile_currency(f: Field, markers: pd.Series, out: dict[str, pd.Series], rows: pd.Series,
                        problems: list[Problem]) -> list[str]:
    """A currency written in the amount (`$523,964`, `1 299,00 RSD`) must agree with the row's currency.

    Where the row names no currency, an unambiguous marker (`US$`, `€`, `RSD`) supplies it, with a note;
    an ambiguous one (`$` is USD, CAD or AUD) is refused rather than guessed, and so is a contradiction.
    """
    marked = markers.notna()
    if not marked.any() or f.currency_field is None:
        return []
    given = out.get(f.currency_field)
    if given is None:
        given = pd.Series(pd.NA, index=markers.index, dtype="string")
    given = given.astype("string")
    filled = given.copy()
    supplied: dict[str, int] = {}
    for marker in markers[marked].unique():
        codes = currencies_for(str(marker))
        these = marked & (markers == marker)
        for idx in markers.index[these & given.notna() & ~given.isin(list(codes)).fillna(False)]:
            problems.append(problem(int(rows[idx]), f.name, marker, "data.problem.currency_disagrees",
                                    marker=marker, codes=", ".join(sorted(codes)), field=f.currency_field,
                                    given=given[idx]))
        open_rows = these & given.isna()
        if not open_rows.any():
            continue
        if len(codes) == 1:
            code = next(iter(codes))
            filled[open_rows] = code
            supplied[code] = supplied.get(code, 0) + int(open_rows.sum())
        else:
            example = "USD" if "USD" in codes else min(codes)
            for idx in markers.index[open_rows]:
                problems.append(problem(int(rows[idx]), f.name, marker, "data.problem.currency_ambiguous",
                                        marker=marker, codes=", ".join(sorted(codes)), field=f.currency_field,
                                        currency_column=f.currency_field, example=example, option="--set"))
    if supplied:
        out[f.currency_field] = filled
        return [f"{f.currency_field} taken from the amounts' currency for {n:,} row(s) ({code})."
                for code, n in sorted(supplied.items())]
    return []


def check_row(entity: Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    """One row's values typed and checked by the same rules as the grid and imports (forms, CLI).

    Raises ValidationError naming each field, value and reason; returns plain Python values
    (None for empty) for the fields given, defaults not filled in.
    """
    unknown = [k for k in values if k not in entity.field_names]
    if unknown:
        raise ValidationError(f"{entity.name} has no field {', '.join(sorted(unknown))}.")
    if not values:
        return {}
    raw = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
    coerced = coerce_frame(entity, raw, fill_defaults=False)
    if coerced.problems:
        listed = "; ".join(f"{entity.field(p.column).label()} {p.value[:80]!r}: {p.reason}" for p in coerced.problems)
        raise ValidationError(f"Not saved: {listed}.")
    row: dict[str, Any] = {}
    for name, value in coerced.frame.iloc[0].items():
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            row[str(name)] = None
        elif isinstance(value, pd.Timestamp):
            row[str(name)] = value.date() if entity.field(str(name)).kind == "date" else value.to_pydatetime()
        elif isinstance(value, np.generic):
            row[str(name)] = value.item()
        else:
            row[str(name)] = value
    return row


def table_label(table: str, lang: str) -> str:
    """A workspace table named in words for change logs ("deck_slides" -> "Deck slides" / "Слајдови презентација");
    a dataset (`ds_…`) by its name, "*" (a whole-workspace load) as such; a table the catalog does not
    know yet in plain words ("signal_rules" -> "Signal rules"; tests/test_data_entry_cells.py asks for a message)."""
    if table == "*":
        return t("changes.all_tables", lang)
    if f"data.table.{table}" in MESSAGES:
        return t(f"data.table.{table}", lang)
    if table.startswith("ds_"):
        return t("data.table.dataset", lang, name=table[3:])
    return table.replace("_", " ").capitalize()  # a table newer than the catalog: at least no snake_case


def missing_required(entity: Entity, columns: Sequence[str]) -> list[str]:
    """Required fields without a default that the mapped columns do not provide."""
    return [f.name for f in entity.fields
            if f.required and f.default is None and f.name not in columns and f.derived_from not in columns]


def problems_frame(problems: Sequence[Problem], limit: int | None = None) -> pd.DataFrame:
    items = sorted(problems, key=lambda p: (p.row, p.column))
    if limit is not None:
        items = items[:limit]
    return pd.DataFrame(
        [(p.row, p.column, p.value[:80], p.reason) for p in items], columns=["row", "column", "value", "reason"]
    )


def describe_problems(problems: Sequence[Problem], limit: int = 10) -> str:
    """One sentence for the CLI and error boxes: how many problems, the first few spelled out."""
    items = sorted(problems, key=lambda p: (p.row, p.column))
    listed = "; ".join(f"row {p.row} {p.column} {p.value[:40]!r}: {p.reason}" for p in items[:limit])
    more = f" … and {len(items) - limit:,} more" if len(items) > limit else ""
    return f"{len(items):,} problem(s), nothing written: {listed}{more}."
