"""The UI's message catalog (English and Serbian Cyrillic) and locale-aware formatting.

Every string a page shows comes from `MESSAGES` through `t()`; each entry holds
both languages side by side so neither can fall behind. Numbers, money and
dates are formatted with Babel for the chosen language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from string import Formatter

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency as _babel_currency
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

LANGUAGES: dict[str, str] = {"en": "English", "sr": "Српски"}
LOCALES: dict[str, str] = {"en": "en_GB", "sr": "sr_Cyrl_RS"}
DEFAULT_LANGUAGE = "en"

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("Vantage", "Vantage"),
    "app.tagline": ("Competitor and market research workbench", "Радни простор за анализу тржишта и конкуренције"),
    "nav.market": ("Market", "Тржиште"),
    "nav.competition": ("Competition", "Конкуренција"),
    "nav.research": ("Research data", "Истраживачки подаци"),
    "nav.present": ("Present", "Презентација"),
    "page.overview": ("Overview", "Преглед"),
    "page.segments": ("Segments", "Сегменти"),
    "page.competitors": ("Competitors", "Конкуренти"),
    "page.compare": ("Compare", "Поређење"),
    "page.collect": ("Collect", "Прикупљање"),
    "page.query": ("Query", "Упити"),
    "page.data": ("Data", "Подаци"),
    "page.present": ("Present", "Презентација"),
    "sidebar.workspace": ("Workspace", "Радни простор"),
    "sidebar.schema": ("Schema v{version} · {size}", "Шема v{version} · {size}"),
    "sidebar.language": ("Language", "Језик"),
    "sidebar.actor": ("Your name (for the change log)", "Ваше име (за дневник измена)"),
    "sidebar.actor_help": (
        "Recorded with every change you make in this browser session.",
        "Бележи се уз сваку измену коју направите у овој сесији прегледача.",
    ),
    "sidebar.actor_empty": ("Enter a name: changes are recorded under “{actor}”.", "Унесите име: измене се бележе као „{actor}”."),
    "sidebar.read_only": ("Read-only workspace: changes cannot be saved.", "Радни простор је само за читање: измене се не могу сачувати."),
    "app.creating_demo": ("Creating the demo market workspace…", "Прављење демо радног простора…"),
    "app.open_failed": ("The workspace could not be opened.", "Радни простор није могуће отворити."),
    # placeholders of pages that later work fills
    "placeholder.coming": ("Coming soon", "Ускоро"),
    "placeholder.segments": (
        "Divide the market into rule-based and clustered segments of accounts, size them (TAM/SAM/SOM) and see where we stand against each competitor in every segment.",
        "Поделите тржиште на сегменте клијената по правилима или груписањем, процените њихову величину (TAM/SAM/SOM) и погледајте где стојимо у односу на сваког конкурента у сваком сегменту.",
    ),
    "placeholder.competitors": (
        "Keep a living profile of every competitor: core facts, products and prices, SWOT items with evidence and dates, and a SWOT board ready for the shared screen.",
        "Водите живи профил сваког конкурента: основне податке, производе и цене, SWOT ставке са доказима и датумима, и SWOT таблу спремну за заједнички екран.",
    ),
    "placeholder.compare": (
        "Show where we beat each competitor and where we lag: feature matrix, capability radar, positioning map, price index and share by segment.",
        "Покажите где смо бољи од сваког конкурента, а где заостајемо: матрица функција, радар способности, мапа позиционирања, индекс цена и удео по сегментима.",
    ),
    "placeholder.collect": (
        "Register competitor pages once; Vantage fetches them politely, extracts prices and products into typed tables and reports what changed.",
        "Региструјте странице конкурената једном; Vantage их учтиво преузима, издваја цене и производе у табеле и извештава шта се променило.",
    ),
    "placeholder.query": (
        "Ask the workspace a question in SQL or by clicking: sandboxed read-only queries, saved parameterised queries and charts that highlight our company.",
        "Поставите питање у SQL-у или кликом: безбедни упити само за читање, сачувани параметризовани упити и графикони који истичу нашу компанију.",
    ),
    "placeholder.data": (
        "Enter and import research data: validated grid editing, CSV/Excel imports with column mapping and duplicate checks, and undo for every batch.",
        "Унос и увоз истраживачких података: уређивање табела уз проверу, увоз CSV/Excel датотека са мапирањем колона и провером дупликата, и опозив сваке измене.",
    ),
    "placeholder.present": (
        "Build decks from any chart or board, present them full-screen in strategy sessions, log decisions and export native PowerPoint.",
        "Правите презентације од било ког графикона или табле, приказујте их преко целог екрана на стратешким састанцима, бележите одлуке и извезите у PowerPoint.",
    ),
    "placeholder.workspace_has": ("The workspace already holds:", "Радни простор већ садржи:"),
    # overview
    "overview.kpi.competitors": ("Competitors", "Конкуренти"),
    "overview.kpi.customers": ("Our customers", "Наши купци"),
    "overview.kpi.prospects": ("Prospects", "Потенцијални купци"),
    "overview.kpi.lost": ("Lost customers", "Изгубљени купци"),
    "overview.kpi.share": ("Our share of served accounts", "Наш удео у опслуженим клијентима"),
    "overview.kpi.share_help": (
        "Accounts whose current supplier is us, out of all accounts with a known supplier.",
        "Клијенти којима смо ми тренутни добављач, од свих клијената са познатим добављачем.",
    ),
    "overview.kpi.price_moves": ("Price moves (last {days} days)", "Промене цена (последњих {days} дана)"),
    "overview.kpi.price_moves_help": (
        "Products whose price changed by more than {threshold} within the window.",
        "Производи чија се цена променила за више од {threshold} у том периоду.",
    ),
    "overview.share.title": ("Market share by segment", "Тржишни удео по сегментима"),
    "overview.share.dimension": ("Segment by", "Сегментирај по"),
    "overview.share.subtitle": (
        "We lead in {lead} of {total} segments. Share of accounts with a known supplier.",
        "Водимо у {lead} од {total} сегмената. Удео клијената са познатим добављачем.",
    ),
    "overview.share.empty": ("No account has a known supplier yet: add accounts on the Data page.", "Ниједан клијент још нема познатог добављача: додајте клијенте на страници Подаци."),
    "overview.moves.title": ("Latest price moves", "Најновије промене цена"),
    "overview.moves.empty": ("No price moved by more than {threshold} in the last {days} days.", "Ниједна цена се није променила за више од {threshold} у последњих {days} дана."),
    "overview.changes.title": ("Recent changes", "Недавне измене"),
    "overview.changes.empty": ("No changes recorded yet.", "Још нема забележених измена."),
    "dimension.industry": ("Industry", "Делатност"),
    "dimension.country": ("Country", "Држава"),
    "dimension.region": ("Region", "Регион"),
    "col.when": ("When", "Када"),
    "col.who": ("Who", "Ко"),
    "col.what": ("What", "Шта"),
    "col.table": ("Table", "Табела"),
    "col.item": ("Item", "Ставка"),
    "col.company": ("Company", "Компанија"),
    "col.product": ("Product", "Производ"),
    "col.category": ("Category", "Категорија"),
    "col.old_price": ("Before", "Пре"),
    "col.new_price": ("Now", "Сада"),
    "col.change": ("Change", "Промена"),
    "col.observed": ("Observed", "Уочено"),
    "col.share": ("Share", "Удео"),
    "col.accounts": ("Accounts", "Клијенти"),
    "col.segment": ("Segment", "Сегмент"),
    "action.insert": ("added", "додато"),
    "action.update": ("changed", "измењено"),
    "action.delete": ("removed", "уклоњено"),
    "action.bulk": ("bulk load", "масовни унос"),
    "status.customer": ("Customer", "Купац"),
    "status.prospect": ("Prospect", "Потенцијални купац"),
    "status.lost": ("Lost", "Изгубљен"),
    "chart.us_suffix": (" (us)", " (ми)"),
    "error.details_hidden": ("Details are in the server log.", "Детаљи су у серверском дневнику."),
}


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message `key` in `lang`, with `{placeholders}` filled from `values`."""
    english, serbian = MESSAGES[key]
    text = serbian if normalize_language(lang) == "sr" else english
    return text.format(**values) if values else text


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
