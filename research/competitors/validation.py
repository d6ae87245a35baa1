"""Validation of what people type into profiles, SWOT items and TOWS strategies.

Every check raises `ValidationError` with a sentence naming the field and the
value, before anything is written; the sentence is a catalog message
(`competitors.error.<problem>.<field>`, research/i18n/catalog_competitors.py), so a
page shows it in the viewer's language and the CLI in English. Text is cleaned the same way everywhere:
control and bidirectional-override characters removed, whitespace collapsed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from research.competitors.states import Confidence, Quadrant
from research.errors import ValidationError
from research.i18n import MESSAGES, keyed_error

MAX_STATEMENT = 400
MAX_NOTE = 2_000
MAX_NAME = 120
MAX_URL = 2_000
MAX_TAGS = 12
MAX_TAG = 40
MAX_LIST_ITEMS = 30

# Invisible formatting characters that can disguise text: bidi embeddings/overrides
# and isolates, zero-width characters, the BOM.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def field_code(field: str) -> str:
    """The catalog's code of a field named in English ("source note" -> "source_note")."""
    return "_".join(field.lower().split())


def field_error(problem: str, field: str, fallback: str, **values: object) -> ValidationError:
    """`problem` with `field` as its catalog message (`competitors.error.<problem>.<field>`), in both languages;
    `fallback` (English) for a field the catalog does not name."""
    key = f"competitors.error.{problem}.{field_code(field)}"
    if key in MESSAGES:
        return keyed_error(ValidationError, key, **values)
    return ValidationError(fallback)


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """Text as stored: no control or invisible characters, trimmed, whitespace collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _INVISIBLE.sub("", text)
    if multiline:
        lines = ["".join(ch for ch in line if unicodedata.category(ch) != "Cc").strip() for line in text.splitlines()]
        text = "\n".join(" ".join(line.split()) for line in lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()
    text = "".join(" " if ch in "\t\r\n" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def required_text(value: Any, field: str, max_length: int = MAX_STATEMENT) -> str:
    text = clean_text(value)
    if not text:
        raise field_error("empty", field, f"The {field} is empty; write a short sentence.")
    if len(text) > max_length:
        raise field_error("too_long", field, f"The {field} is {len(text):,} characters long; keep it under {max_length:,}.",
                          length=f"{len(text):,}", max=f"{max_length:,}")
    return text


def optional_text(value: Any, field: str, max_length: int = MAX_NOTE, *, multiline: bool = False) -> str | None:
    text = clean_text(value, multiline=multiline)
    if len(text) > max_length:
        raise field_error("too_long", field, f"The {field} is {len(text):,} characters long; keep it under {max_length:,}.",
                          length=f"{len(text):,}", max=f"{max_length:,}")
    return text or None


def quadrant(value: Any) -> Quadrant:
    text = clean_text(value).upper()
    if text not in tuple(Quadrant):  # Python 3.11: `str in Quadrant` raises TypeError
        raise keyed_error(ValidationError, "competitors.error.quadrant", value=repr(clean_text(value)),
                          allowed=", ".join(Quadrant))
    return Quadrant(text)


def impact(value: Any) -> int:
    number = _whole_number(value, "impact")
    if not 1 <= number <= 5:
        raise keyed_error(ValidationError, "competitors.error.impact", value=number)
    return number


def confidence(value: Any) -> Confidence:
    text = clean_text(value).lower()
    if text not in tuple(Confidence):
        raise keyed_error(ValidationError, "competitors.error.confidence", value=repr(clean_text(value)),
                          allowed=", ".join(Confidence))
    return Confidence(text)


def choice(value: Any, options: Iterable[str], field: str) -> str:
    allowed = tuple(options)
    text = clean_text(value)
    if text not in allowed:
        raise field_error("choice", field, f"Unknown {field} {text!r}; use one of {', '.join(allowed)}.",
                          value=repr(text), allowed=", ".join(allowed))
    return text


def url(value: Any, field: str = "source URL") -> str | None:
    """An http(s) address with a host, or None when empty."""
    text = clean_text(value)
    if not text:
        return None
    shown = repr(text[:80])
    if len(text) > MAX_URL or " " in text:
        raise field_error("not_address", field, f"The {field} {shown} is not a web address.", value=shown)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        raise field_error("bad_address", field, f"The {field} {shown} is not a valid web address.", value=shown) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise field_error("scheme", field, f"The {field} must start with http:// or https://, not {shown}.", value=shown,
                          http="http://", https="https://")
    if not host or "." not in host and host != "localhost":
        raise field_error("host", field, f"The {field} {shown} has no valid host name.", value=shown)
    return text


def observed_on(value: Any, today: dt.date) -> dt.date | None:
    """An evidence date: not in the future, not absurdly old; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise keyed_error(ValidationError, "competitors.error.date", value=repr(value), form="YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise keyed_error(ValidationError, "competitors.error.date", value=repr(value), form="YYYY-MM-DD")
    if value > today:
        raise keyed_error(ValidationError, "competitors.error.date_future", value=value.isoformat())
    if value.year < 1900:
        raise keyed_error(ValidationError, "competitors.error.date_past", value=value.isoformat())
    return value


def tags(values: Any) -> list[str]:
    """Lower-case tags without duplicates; a comma-separated string is accepted too."""
    items = values.split(",") if isinstance(values, str) else list(values or ())
    return _distinct([clean_text(item).lower().lstrip("#") for item in items], "tags", MAX_TAG, MAX_TAGS)


def text_list(values: Any, field: str) -> list[str]:
    """A list of short texts (segments, channels, customers); one per line or comma-separated."""
    items = re.split(r"[\n,;]", values) if isinstance(values, str) else list(values or ())
    return _distinct([clean_text(item) for item in items], field, MAX_NAME, MAX_LIST_ITEMS)


def _distinct(items: list[str], field: str, max_length: int, max_count: int) -> list[str]:
    """Non-empty entries in first-seen order, each and all within limits."""
    result: list[str] = []
    for text in items:
        if len(text) > max_length:
            raise field_error("entry_too_long", field,
                              f"An entry of {field} is longer than {max_length} characters: {text[:50]!r}…",
                              max=max_length, entry=repr(text[:50]))
        if text and text not in result:
            result.append(text)
    if len(result) > max_count:
        raise field_error("too_many", field, f"{len(result)} entries of {field} is too many; keep it to {max_count}.",
                          count=len(result), max=max_count)
    return result


def country(value: Any) -> str | None:
    text = clean_text(value).upper()
    if not text:
        return None
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise keyed_error(ValidationError, "competitors.error.country", value=repr(text), examples="RS, AT")
    return text


def currency(value: Any) -> str:
    text = clean_text(value).upper() or "EUR"
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise keyed_error(ValidationError, "competitors.error.currency", value=repr(text), examples="EUR, RSD")
    return text


def _not_whole(value: Any, field: str) -> ValidationError:
    return field_error("whole_number", field, f"The {field} must be a whole number, not {value!r}.", value=repr(value))


def _whole_number(value: Any, field: str) -> int:
    # bool is an int subclass: True is a mistake, not 1.
    if isinstance(value, bool):
        raise _not_whole(value, field)
    if isinstance(value, float):
        if not value.is_integer():
            raise _not_whole(value, field)
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise _not_whole(value, field) from None
