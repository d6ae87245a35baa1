"""The message catalog is complete in both languages, and formatting follows the locale."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from research import i18n

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Words that stay Latin in Serbian UI text: the product name and acronyms.
LATIN_OK = re.compile(r"\b(Vantage|SWOT|TAM|SAM|SOM|SQL|CSV|Excel|PowerPoint|v)\b")


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_message_exists_in_both_languages_with_the_same_placeholders(key: str) -> None:
    english, serbian = i18n.MESSAGES[key]
    assert english.strip() and serbian.strip()
    assert i18n.placeholders(english) == i18n.placeholders(serbian)


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_serbian_text_is_cyrillic(key: str) -> None:
    serbian = i18n.MESSAGES[key][1]
    letters = re.sub(r"\{[^}]*\}", "", LATIN_OK.sub("", serbian))
    if re.search(r"[A-Za-z\u0400-\u04FF]", letters):
        assert CYRILLIC.search(letters), f"{key!r} has no Cyrillic text: {serbian!r}"
        assert not re.search(r"[A-Za-z]{3,}", letters), f"{key!r} mixes in Latin words: {serbian!r}"


def test_t_fills_placeholders_and_falls_back_to_english() -> None:
    assert i18n.t("overview.kpi.price_moves", "en", days=30) == "Price moves (last 30 days)"
    assert i18n.t("overview.kpi.price_moves", "sr", days=30) == "Промене цена (последњих 30 дана)"
    assert i18n.t("page.overview", "xx") == "Overview"


def test_numbers_money_and_dates_follow_the_locale() -> None:
    assert i18n.fmt_number(1299.5, "en", 2) == "1,299.50"
    assert i18n.fmt_number(1299.5, "sr", 2) == "1.299,50"
    assert i18n.fmt_money(Decimal("1299"), "RSD", "sr") == "1.299,00\xa0RSD"
    assert i18n.fmt_money(Decimal("1299"), "EUR", "en") == "€1,299.00"
    assert i18n.fmt_percent(0.257, "en") == "26%"
    assert i18n.fmt_date(dt.date(2026, 11, 28), "sr") == "28. 11. 2026."
    assert i18n.fmt_date(dt.date(2026, 11, 28), "en") == "28 Nov 2026"
    assert i18n.fmt_number(None, "en") == "–"


def test_country_names_are_localized() -> None:
    assert i18n.country_name("RS", "sr") == "Србија"
    assert i18n.country_name("RS", "en") == "Serbia"
    assert i18n.country_name("QX", "en") == "QX"


def test_file_sizes_read_naturally() -> None:
    assert i18n.fmt_bytes(512, "en") == "512 B"
    assert i18n.fmt_bytes(3 * 1024 * 1024, "en") == "3.0 MB"
    assert i18n.fmt_bytes(None, "en") == "–"
