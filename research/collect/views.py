"""Tables and charts of the Collect page, localized and ready to show (no streamlit here).

Also the page's own refusals (the add form, checked before `WatcherDraft.validate`) as
keyed errors, and the reading of what the collectors report in the viewer's language:
the extractor's explanation (`Extraction.evidence`, the data `extract --explain` prints)
and the fetcher's run messages are English sentences of known shapes; `PHRASES` gives
each shape a catalog key (`EXPLAIN_PHRASES`, `RUN_PHRASES`), so a Serbian viewer reads them in Serbian. A sentence of an
unknown shape is shown as it came.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from research.charts.collect import price_history_chart
from research.collect.collector import FETCHED, TestOutcome
from research.collect.extract import (
    AVAILABILITY,
    FIELD_TYPES,
    ExtractError,
    Extraction,
    FieldSpec,
    check_selector,
)
from research.collect.fetch import decode_body
from research.collect.isolation import extract_isolated
from research.collect.observations import latest_changes, price_history
from research.collect.states import FetchStatus, WatcherStatus
from research.collect.watchers import Watcher, WatcherDraft, get_watcher, watchers_table
from research.errors import ValidationError
from research.i18n import (
    MESSAGES,
    fmt_datetime,
    fmt_number,
    fmt_percent,
    keyed_error,
    t,
)
from research.store import Store

BLANK = "–"
MAX_SAVED_PAGE = 50_000_000  # bytes: a saved web page is far smaller; the CLI's `extract FILE` has the same cap


# Badge colours per status (background, text), readable on a projector and in print.
STATUS_COLORS: dict[str, tuple[str, str]] = {
    WatcherStatus.NEW: ("#E3EEFA", "#1C4E80"),
    WatcherStatus.CHANGED: ("#FDE5CF", "#8A3B00"),
    WatcherStatus.UNCHANGED: ("#E3F2E6", "#1E6B34"),
    WatcherStatus.BLOCKED: ("#EFE3F5", "#5B1A78"),
    WatcherStatus.ERROR: ("#FBE0E2", "#A4161A"),
    WatcherStatus.SKIPPED: ("#ECEFF1", "#495057"),
    FetchStatus.POSTPONED: ("#FFF4D6", "#7A5B00"),
    FETCHED: ("#E3EEFA", "#1C4E80"),
    "never": ("#F4F5F6", "#6C757D"),  # a watcher that never ran
}


def status_label(status: object, lang: str) -> str:
    known = status if isinstance(status, str) and status else "never"  # NaN when a watcher never ran
    key = f"collect.status.{known}"
    return t(key, lang) if key in MESSAGES else str(status)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def _when(value: object, lang: str) -> str:
    if _blank(value) or not isinstance(value, (dt.date, str)) or pd.isna(value):  # cells are Timestamps or NaT
        return BLANK
    return fmt_datetime(pd.Timestamp(value).to_pydatetime(), lang)


def field_label(name: str, lang: str) -> str:
    """A built-in field's name in `lang` (price, sku…); a field the user named shows as named."""
    key = f"collect.field.{name}"
    return t(key, lang) if key in MESSAGES else name


def value_text(name: str, value: object, lang: str) -> str:
    """A collected value as shown: availability by its label, nothing as "–", the rest as collected."""
    if _blank(value) or value == "":
        return BLANK
    if name == "availability" and value in AVAILABILITY:
        return t(f"collect.availability.{value}", lang)
    if isinstance(value, bool):
        return t("collect.yes" if value else "collect.no", lang)
    return str(value)


# ---- sentences the collectors write, in the viewer's language ----------------------------------


@dataclass(frozen=True)
class Phrase:
    """One English sentence shape: its pattern (named groups are the parameters) and its catalog key.

    Groups named in `nested` are sentences themselves and are read again; `sources` is a
    comma-separated list of source names.
    """

    pattern: re.Pattern[str]
    key: str
    nested: tuple[str, ...] = ()


def _p(pattern: str, key: str, *nested: str) -> Phrase:
    return Phrase(re.compile(pattern, re.DOTALL), key, nested)


# Source names as the extractor writes them -> catalog key; technical names ride in as {name}.
SOURCES = {
    "JSON-LD": "json_ld", "microdata": "microdata", "meta": "meta", "itemprop": "itemprop", "page": "page",
    "page data": "page_data", "address": "address",
}

# Where a candidate was found and what moved its score (extract_product, extract_visible,
# extract_structured). Order matters: the first full match wins, the general ones come last.
EXPLAIN_PHRASES: tuple[Phrase, ...] = (
    _p(r"the first current price next to the main heading", "collect.explain.d.price_near"),
    _p(r"the first current price on the page", "collect.explain.d.price_page"),
    _p(r"(?P<path>Product\.mpn) \(the maker's part number\)", "collect.explain.d.mpn"),
    _p(r"(?P<attr>itemprop=\"[\w:-]+\") outside a product scope", "collect.explain.d.itemprop_loose"),
    _p(r"(?P<path>Product \S+\.offerCount) = (?P<n>\d+) sellers with a price", "collect.explain.d.offer_count"),
    _p(r"a product page with a price and no out-of-stock sign", "collect.explain.d.priced_page"),
    _p(r"query parameter (?P<param>.+)", "collect.explain.d.query_param"),
    _p(r"the address segment after (?P<segment>/.*/)", "collect.explain.d.segment_after"),
    _p(r"an address segment", "collect.explain.d.segment"),
    _p(r"the end of the address slug", "collect.explain.d.slug_end"),
    _p(r"the start of the address slug", "collect.explain.d.slug_start"),
    _p(r"(?P<where>.+) of the canonical address", "collect.explain.d.canonical", "where"),
    _p(r"a quantity selector (?P<tag><\w+>)", "collect.explain.d.quantity"),
    _p(r"a disabled \u201c(?P<text>.*)\u201d button", "collect.explain.d.disabled_button"),
    _p(r"a \u201c(?P<text>.*)\u201d button", "collect.explain.d.button"),
    _p(r"an add-to-cart button \u201c(?P<text>.*)\u201d", "collect.explain.d.cart_button"),
    _p(r"the words \u201c(?P<text>.*)\u201d in a stock element", "collect.explain.d.stock_element"),
    _p(r"the words \u201c(?P<text>.*)\u201d", "collect.explain.d.stock_words"),
    _p(r"an element marked \u201c(?P<mark>.*)\u201d", "collect.explain.d.marked"),
    _p(r"labelled \u201c(?P<label>.*)\u201d", "collect.explain.d.labelled"),
    # notes: what moved a candidate's score
    _p(r"the page shows it as the current price", "collect.explain.n.shown"),
    _p(r"the page shows it struck through or as the old price; the current price is lower", "collect.explain.n.struck"),
    _p(r"also from (?P<sources>.+)", "collect.explain.n.also_from"),
    _p(r"(?P<n>\d+) sizes or colours each have their own sku: a variant's id", "collect.explain.n.variant_skus"),
    _p(r"the page shows (?P<n>\d+) different codes near the heading", "collect.explain.n.many_codes"),
    _p(r"a barcode number \((?P<kinds>GTIN/EAN/ISBN)\), not the shop's own code", "collect.explain.n.barcode"),
    _p(r"a variant of (?P<base>.+), which the page shows", "collect.explain.n.variant_of"),
    _p(r"(?P<k>\d+) of (?P<n>\d+) offers are in stock", "collect.explain.n.offers_in_stock"),
    # "…near the main heading" / "…on the page" after any of the above
    _p(r"(?P<what>.+) near the main heading", "collect.explain.d.near", "what"),
    _p(r"(?P<what>.+) on the page", "collect.explain.d.on_page", "what"),
)

# Run and Test messages (fetch, run, isolation): what happened to a page.
RUN_PHRASES: tuple[Phrase, ...] = (
    _p(r"internal error while reading the page \((?P<error>.+)\)", "reader.error.internal"),
    _p(r"HTTP (?P<code>\d{3}): the site refused the request", "collect.msg.refused"),
    _p(r"HTTP (?P<code>\d{3}) \(rate limited or unavailable\)", "collect.msg.rate_limited"),
    _p(r"HTTP (?P<code>\d{3}): the site asks to wait (?P<seconds>\d+) s; try later", "collect.msg.wait"),
    _p(r"HTTP (?P<code>\d{3})(?: .*)?", "collect.msg.http"),
    _p(r"no complete answer within (?P<seconds>[\d.]+) s \(total deadline\)", "collect.msg.deadline"),
    _p(r"not a web page but (?P<mime>.+)", "collect.msg.not_html"),
    _p(r"a bot check or captcha was served instead of the page", "collect.msg.captcha"),
    _p(r"(?P<file>robots\.txt) disallows this page for robots", "collect.msg.robots"),
    _p(r"(?P<file>robots\.txt) could not be read, so the site is treated as closed to robots: (?P<why>.*)",
       "collect.msg.robots_unread", "why"),
    _p(r"the site's TLS certificate could not be verified", "collect.msg.tls"),
    _p(r"the server did not answer in time", "collect.msg.timeout"),
    _p(r"the host name cannot be found", "collect.msg.no_host"),
    _p(r"the server refused the connection", "collect.msg.conn_refused"),
    _p(r"the connection failed", "collect.msg.conn_failed"),
    _p(r"the page could not be read completely \((?P<error>\w+)\)", "collect.msg.incomplete"),
    _p(r"the page is larger than the (?P<cap>[\d,]+)-byte cap.*", "collect.msg.too_large"),
    _p(r"the page redirects in a loop \((?P<n>\d+) hops, back to (?P<url>.+)\)", "collect.msg.redirect_loop"),
    _p(r"more than (?P<n>\d+) redirects; stopped at (?P<url>.+)", "collect.msg.redirects"),
    _p(r"(?P<host>\S+) resolves to (?P<address>\S+), .*; add it to (?P<setting>VANTAGE_COLLECT_ALLOW_HOSTS) "
       r"to fetch intranet pages\.", "collect.msg.private_address"),
    _p(r"The host (?P<host>\S+) cannot be found \(DNS: .*\)\.", "collect.msg.dns"),
    _p(r"(?P<host>\S+) is a cloud metadata address; it is never fetched\.", "collect.msg.metadata"),
    _p(r"the page is nested too deeply to read", "collect.msg.too_deep"),
    _p(r"Reading the page took longer than (?P<seconds>[\d.]+) s and was stopped.*", "collect.msg.read_timeout"),
    _p(r"ignore: the selector (?P<css>.+) cannot be used, so it removed nothing", "collect.msg.ignore_unusable"),
    _p(r"items: the selector (?P<css>.+) matched nothing", "collect.msg.no_items"),
    _p(r"(?P<field>[\w-]+): the selector (?P<css>.+) matched nothing", "collect.msg.selector_nothing"),
    _p(r"text: the page shows no text", "collect.msg.no_text"),
    _p(r"(?P<field>[\w-]+): not found on the page", "collect.msg.not_found"),
)


def _match(text: str, phrases: Sequence[Phrase]) -> tuple[Phrase, dict[str, str]] | None:
    for phrase in phrases:
        found = phrase.pattern.fullmatch(text)
        if found:
            return phrase, {k: v for k, v in found.groupdict().items() if v is not None}
    return None


def phrase_text(text: object, lang: str, phrases: Sequence[Phrase] = EXPLAIN_PHRASES) -> str:
    """`text` (one sentence a collector wrote) in `lang`; a sentence of an unknown shape as it is."""
    if _blank(text) or text == "":
        return ""
    text = str(text)
    found = _match(text, phrases)
    if found is None:
        return text
    phrase, params = found
    for name in phrase.nested:
        params[name] = phrase_text(params[name], lang, phrases)
    if "sources" in params:
        params["sources"] = ", ".join(source_label(s.strip(), lang) for s in params["sources"].split(","))
    if "field" in params:
        params["field"] = field_label(params["field"], lang)
    return t(phrase.key, lang, **params)


def message_text(message: object, lang: str) -> str:
    """A run or Test message in `lang`: pieces joined by "; " (a page's warnings) are read one by one."""
    if _blank(message) or message == "":
        return ""
    text = str(message)
    if _match(text, RUN_PHRASES):
        return phrase_text(text, lang, RUN_PHRASES)
    return "; ".join(phrase_text(piece, lang, RUN_PHRASES) for piece in text.split("; "))


def source_label(source: str, lang: str) -> str:
    key = SOURCES.get(source)
    return t(f"collect.source.{key}", lang, name=source) if key else source


# ---- the explanation of a Test: each field's candidates and why the winner won -------------------


@dataclass(frozen=True)
class FieldExplanation:
    """One decided field of a product page as shown: heading, the reason in a sentence, the candidates."""

    field: str
    heading: str
    reason: str
    candidates: pd.DataFrame


def explanation_view(evidence: Sequence[Mapping[str, Any]], values: Mapping[str, Any], lang: str) -> list[FieldExplanation]:
    """The extractor's own decisions (`Extraction.evidence`, what `extract --explain` prints), localized.

    Nothing is decided again here: the candidates come best first, so the first is the
    winner whenever the field has a value.
    """
    shown: list[FieldExplanation] = []
    for decision in evidence:
        name = str(decision.get("field") or "")
        candidates = list(decision.get("candidates") or [])
        value = decision.get("value")
        won = value is not None and bool(candidates)
        shown_value = value_text(name, value, lang)
        if name == "price" and value is not None and values.get("currency"):
            shown_value += f" {values['currency']}"
        if won:
            winner = candidates[0]
            heading = t("collect.explain.heading", lang, field=field_label(name, lang), value=shown_value,
                        source=source_label(str(winner.get("source")), lang))
        else:
            heading = t("collect.explain.heading_none", lang, field=field_label(name, lang))
        shown.append(FieldExplanation(name, heading, _reason(name, candidates, won, lang),
                                      _candidates_table(name, candidates, won, lang)))
    return shown


def _where(candidate: Mapping[str, Any], lang: str) -> str:
    return phrase_text(candidate.get("detail"), lang)


def _reason(name: str, candidates: Sequence[Mapping[str, Any]], won: bool, lang: str) -> str:
    if not candidates:
        return t("collect.explain.reason.none", lang)
    if not won:
        return t("collect.explain.reason.ruled_out", lang, n=len(candidates))
    winner = candidates[0]
    params = {"source": source_label(str(winner.get("source")), lang), "where": _where(winner, lang),
              "score": fmt_number(winner.get("score") or 0, lang, 2)}
    notes = [phrase_text(n, lang) for n in winner.get("notes") or []]
    if len(candidates) == 1:
        text = t("collect.explain.reason.only", lang, **params)
    else:
        runner = candidates[1]
        text = t("collect.explain.reason.beat", lang, **params, runner=value_text(name, runner.get("value"), lang),
                 runner_source=source_label(str(runner.get("source")), lang),
                 runner_score=fmt_number(runner.get("score") or 0, lang, 2))
    if notes:
        text += " " + t("collect.explain.reason.notes", lang, notes="; ".join(notes))
    return text


def _candidates_table(name: str, candidates: Sequence[Mapping[str, Any]], won: bool, lang: str) -> pd.DataFrame:
    """One row per candidate, best first; the winner marked. Scraped text stays plain text in cells."""
    rows = []
    for number, candidate in enumerate(candidates):
        row = {
            t("collect.explain.col.chosen", lang): "✅" if won and number == 0 else "",
            t("collect.explain.col.value", lang): value_text(name, candidate.get("value"), lang),
        }
        if name == "price":
            row[t("collect.explain.col.currency", lang)] = candidate.get("currency") or BLANK
        row[t("collect.explain.col.source", lang)] = source_label(str(candidate.get("source")), lang)
        row[t("collect.explain.col.where", lang)] = _where(candidate, lang)
        row[t("collect.explain.col.score", lang)] = fmt_number(candidate.get("score") or 0, lang, 2)
        row[t("collect.explain.col.notes", lang)] = "; ".join(phrase_text(n, lang) for n in candidate.get("notes") or [])
        rows.append(row)
    return pd.DataFrame(rows)


# ---- the add form: its own refusals, in the viewer's language -------------------------------------

_ATTR = re.compile(r"@([A-Za-z_:][-\w:.]*)\s*$")  # FieldSpec.parse's `@attribute` ending


def field_specs(text: str) -> list[FieldSpec]:
    """The form's field lines (`name[:type]=css[@attr]`), each problem named by its line."""
    specs: list[FieldSpec] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            specs.append(FieldSpec.parse(line))
        except ExtractError as e:
            raise _field_problem(number, line.strip(), e) from None
    names = [s.name for s in specs]
    repeated = next((n for n in names if names.count(n) > 1), None)
    if repeated:
        raise keyed_error(ValidationError, "collect.error.field_twice", name=repeated)
    return specs


def _field_problem(number: int, line: str, error: ExtractError) -> ValidationError:
    """Which part of a field line FieldSpec refused, as a keyed error (its own sentence when unsure)."""
    if "=" not in line:
        return keyed_error(ValidationError, "collect.error.field_form", line=number, text=line[:120],
                           example="price=.product-price")
    head, css = line.split("=", 1)
    name, _, kind = head.strip().partition(":")
    if kind and kind.strip() not in FIELD_TYPES:
        return keyed_error(ValidationError, "collect.error.field_type", line=number, kind=kind.strip()[:40],
                           types=", ".join(FIELD_TYPES))
    css = _ATTR.sub("", css).strip()
    try:
        check_selector(css)
    except ExtractError:
        return keyed_error(ValidationError, "collect.error.field_selector", line=number, css=css[:120])
    if not re.fullmatch(r"[A-Za-z_][\w\-]{0,40}", name.strip()):
        return keyed_error(ValidationError, "collect.error.field_name", line=number, name=name.strip()[:60])
    return keyed_error(ValidationError, "collect.error.field_other", line=number, problem=error.message)


def _selectors(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def draft_from_form(values: Mapping[str, Any], *, need_url: bool = True) -> WatcherDraft:
    """The add form's values as a draft; mistakes the form can make refused here, by name and line.

    `WatcherDraft.validate` checks again on Test and Save; its rarer refusals (an address
    too long or with a password in it) stay in its own words.
    """
    url = (values.get("url") or "").strip()
    if need_url and not url:
        raise keyed_error(ValidationError, "collect.error.url_empty", scheme="https://")
    if url and not re.match(r"(?i)https?://", url):
        raise keyed_error(ValidationError, "collect.error.url_scheme", url=url[:120], http="http://", https="https://")
    kind = values.get("kind") or "product"
    specs = field_specs(values.get("fields") or "")
    items = (values.get("items") or "").strip()
    if kind == "selectors" and not specs:
        raise keyed_error(ValidationError, "collect.error.no_fields", example="price=.product-price")
    if kind == "listing" and not items:
        raise keyed_error(ValidationError, "collect.error.no_items", example="li.product")
    ignore = _selectors(values.get("ignore") or "")
    for css, where in [(items, "items"), *((c, "ignore") for c in ignore)]:
        if css:
            try:
                check_selector(css)
            except ExtractError:
                raise keyed_error(ValidationError, f"collect.error.selector_{where}", css=css[:120]) from None
    return WatcherDraft(
        url=url, kind=kind, label=values.get("label"), company_id=values.get("company"),
        product_id=values.get("product"), fields=specs, item_selector=items or None, ignore_selectors=ignore,
        min_change_pct=float(values.get("min_change") or 0.0), schedule=values.get("schedule") or "daily",
    )


def draft_of(watcher: Watcher) -> WatcherDraft:
    """A saved watcher as a draft, to Test it again without recording anything."""
    return WatcherDraft(
        url=watcher.url, kind=watcher.kind, label=watcher.label, company_id=watcher.company_id,
        product_id=watcher.product_id, fields=watcher.fields, item_selector=watcher.item_selector,
        ignore_selectors=watcher.ignore_selectors, min_change_pct=watcher.min_change_pct, schedule=watcher.schedule,
    )


def test_saved_page(data: bytes, draft: WatcherDraft) -> TestOutcome:
    """What the draft would extract from a page saved from a browser (nothing is fetched or stored).

    The draft's address, when it has one, is the page's address (ids in it are candidates).
    """
    if not data:
        raise keyed_error(ValidationError, "collect.error.file_empty")
    if len(data) > MAX_SAVED_PAGE:
        raise keyed_error(ValidationError, "collect.error.file_large", size=f"{MAX_SAVED_PAGE:,}")
    url = draft.url or None
    try:
        extraction = extract_isolated(
            decode_body(data, None), kind=draft.kind, url=url, fields=draft.fields,
            item_selector=draft.item_selector, ignore=draft.ignore_selectors,
        )
    except ExtractError as e:
        return TestOutcome(FetchStatus.ERROR, None, url, e.message, None)
    return TestOutcome(FetchStatus.OK, None, url, None, extraction)


test_saved_page.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name


# ---- tables and charts --------------------------------------------------------------------------


def status_badges(table: pd.DataFrame, lang: str) -> Styler:
    """The watchers table with its status column drawn as coloured badges."""
    css = {
        status_label(status, lang): f"background-color: {bg}; color: {fg}; font-weight: 600"
        for status, (bg, fg) in STATUS_COLORS.items()
    }
    return table.style.map(lambda v: css.get(v, ""), subset=[t("collect.col.status", lang)])


def _text_or_blank(values: pd.Series) -> list[str]:
    return [BLANK if _blank(v) or v == "" else str(v) for v in values]


def watchers_view(store: Store, lang: str) -> pd.DataFrame:
    """The watchers table with status labels and localized headers; the id column stays first."""
    df = watchers_table(store)
    return pd.DataFrame(
        {
            t("collect.col.id", lang): df["id"].astype(int),
            t("collect.col.status", lang): [status_label(s, lang) for s in df["last_status"]],
            t("collect.col.watcher", lang): df["watcher"],
            t("collect.col.company", lang): _text_or_blank(df["company"]),
            t("collect.col.product", lang): _text_or_blank(df["product"]),
            t("collect.col.kind", lang): [t(f"collect.kind.{k}", lang) for k in df["kind"]],
            t("collect.col.schedule", lang): [t(f"collect.schedule.{s}", lang) for s in df["schedule"]],
            t("collect.col.enabled", lang): [t("collect.yes" if e else "collect.no", lang) for e in df["enabled"]],
            t("collect.col.checked", lang): [_when(v, lang) for v in df["last_checked"]],
            t("collect.col.message", lang): [message_text(m, lang) for m in df["last_message"]],
        }
    )


def change_field_label(field: object, lang: str) -> str:
    """A change-log field: a built-in field by its label, listing items in words."""
    text = "" if _blank(field) else str(field)
    for prefix, key in (("item added: ", "collect.change.item_added"), ("item removed: ", "collect.change.item_removed")):
        if text.startswith(prefix):
            return t(key, lang, item=text[len(prefix):])
    item, sep, name = text.rpartition(": ")
    if sep and f"collect.field.{name}" in MESSAGES:
        return f"{item}: {field_label(name, lang)}"
    return field_label(text, lang) if text else BLANK


def changes_view(store: Store, lang: str, *, company_id: int | None, prices_only: bool, limit: int = 200) -> tuple[pd.DataFrame, str | None]:
    """(table, text diff of the newest whole-page change or None)."""
    df = latest_changes(store, company_id, limit, prices_only=prices_only)
    names = [("" if _blank(f) else str(f).rpartition(": ")[2]) for f in df["field"]]
    table = pd.DataFrame(
        {
            t("collect.col.when", lang): [_when(v, lang) for v in df["detected_at"]],
            t("collect.col.watcher", lang): df["watcher"],
            t("collect.col.company", lang): _text_or_blank(df["company"]),
            t("collect.col.field", lang): [change_field_label(f, lang) for f in df["field"]],
            t("collect.col.old", lang): [value_text(n, v, lang) for n, v in zip(names, df["old_value"])],
            t("collect.col.new", lang): [value_text(n, v, lang) for n, v in zip(names, df["new_value"])],
            t("collect.col.change", lang): [
                "" if _blank(p) else fmt_percent(p, lang, 1) for p in df["change_pct"]
            ],
        }
    )
    diffs = df["diff"].dropna()
    return table, (diffs.iloc[0] if len(diffs) else None)


def history_view(store: Store, watcher_id: int, lang: str) -> alt.TopLevelMixin | None:
    """The watcher's price history chart, or None when it has no collected prices."""
    history = price_history(store, watcher_id)
    if history.empty or history["price"].isna().all():
        return None
    watcher = get_watcher(store, watcher_id)
    company = store.query_rows("SELECT name, is_us FROM companies WHERE id = ?", [watcher.company_id]) if watcher.company_id else []
    name, is_us = (company[0]["name"], bool(company[0]["is_us"])) if company else (BLANK, False)
    currency = history["currency"].dropna().iloc[-1] if history["currency"].notna().any() else BLANK
    return price_history_chart(
        history, company=name, is_us=is_us,
        title=t("collect.chart.title", lang, watcher=watcher.title[:60]),
        subtitle=t("collect.chart.subtitle", lang),
        date_title=t("collect.chart.date", lang),
        price_title=t("collect.chart.price", lang, currency=currency),
        changed_title=t("collect.chart.changed", lang),
        company_title=t("collect.chart.company", lang),
    )


def extraction_view(extraction: Extraction, lang: str) -> pd.DataFrame:
    """Field / value / found rows for the Test result (listing items are counted, not listed)."""
    rows = []
    for key, value in extraction.values.items():
        if key == "items":
            continue
        rows.append({t("collect.col.field", lang): field_label(key, lang),
                     t("collect.col.value", lang): value_text(key, value, lang),
                     t("collect.col.found", lang): "❌" if _blank(value) or value == "" else "✅"})
    return pd.DataFrame(rows)


def items_view(extraction: Extraction, lang: str, limit: int = 50) -> pd.DataFrame:
    """The first listing items with localized headers and "–" for what a tile did not show."""
    items = pd.DataFrame(extraction.values.get("items", [])[:limit])
    return pd.DataFrame({field_label(str(c), lang): _text_or_blank(items[c]) for c in items.columns})


def missing_text(names: Sequence[str], lang: str) -> str:
    return ", ".join(field_label(n, lang) for n in names)
