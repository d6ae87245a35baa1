"""Countries and the standard regions they belong to: ISO 3166 codes, names, UN M49 sub-regions.

Babel 2.19 ships the names of countries and of the M49 regions in every language
(CLDR), but not which region contains which country, so that one table lives here:
the sub-regions of the UN M49 standard (with Latin America split into Central
America, the Caribbean and South America, and Sub-Saharan Africa into its four
parts, as M49's intermediate regions and CLDR's territory containment do). A
workspace's own usage of a region for a country always wins over this table
(`research.data.values.apply_dependent`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale

# M49 sub-region code -> ISO 3166-1 alpha-2 codes of the countries and territories in it.
M49_SUBREGIONS: dict[str, str] = {
    "005": "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",  # South America
    "011": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",  # Western Africa
    "013": "BZ CR GT HN MX NI PA SV",  # Central America
    "014": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",  # Eastern Africa
    "015": "DZ EA EG EH IC LY MA SD TN",  # Northern Africa (EA, IC: Ceuta and Melilla, Canary Islands)
    "017": "AO CD CF CG CM GA GQ ST TD",  # Middle Africa
    "018": "BW LS NA SZ ZA",  # Southern Africa
    "021": "BM CA GL PM US",  # Northern America
    "029": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI",  # Caribbean
    "030": "CN HK JP KP KR MN MO TW",  # Eastern Asia
    "034": "AF BD BT IN IR LK MV NP PK",  # Southern Asia
    "035": "BN ID KH LA MM MY PH SG TH TL VN",  # South-Eastern Asia
    "039": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA XK",  # Southern Europe
    "053": "AU CC CX HM NF NZ",  # Australia and New Zealand
    "054": "FJ NC PG SB VU",  # Melanesia
    "057": "FM GU KI MH MP NR PW UM",  # Micronesia
    "061": "AS CK NU PF PN TK TO TV WF WS",  # Polynesia
    "143": "KG KZ TJ TM UZ",  # Central Asia
    "145": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",  # Western Asia
    "151": "BG BY CZ HU MD PL RO RU SK UA",  # Eastern Europe
    "154": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",  # Northern Europe
    "155": "AT BE CH DE FR LI LU MC NL",  # Western Europe
}
M49_BY_COUNTRY: dict[str, str] = {c: code for code, countries in M49_SUBREGIONS.items() for c in countries.split()}
# Everyday spellings that are not CLDR names of the country.
_EXTRA_NAMES = {"usa": "US", "u.s.": "US", "u.s.a.": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB",
                "england": "GB", "сад": "US", "sad": "US"}


def m49_subregion(country: str) -> str | None:
    """The M49 sub-region code of an ISO alpha-2 country code ('US' -> '021'), or None."""
    return M49_BY_COUNTRY.get(country.strip().upper())


def m49_region(country: str, lang: str = "en") -> str | None:
    """The M49 sub-region's name for a country code ('US' -> 'Northern America'; 'sr': 'Северна Америка')."""
    code = m49_subregion(country)
    if code is None:
        return None
    return Locale.parse(lang).territories.get(code)


# CLDR writes "Côte d’Ivoire"; exports type "Cote d'Ivoire" as often: one apostrophe for the lookup.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).casefold().split())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded country names in English and Serbian (Cyrillic and Latin), from CLDR -> ISO code."""
    names: dict[str, str] = {}
    for lang in ("en", "sr", "sr_Latn"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_key(name), code)
    return names | _EXTRA_NAMES


def country_code(value: str) -> str | None:
    """An ISO alpha-2 code for a code or a country name ('Japan', 'Јапан', 'United States'), or None."""
    return _country_names().get(_key(value))
