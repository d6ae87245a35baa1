"""Validation of what people type into profiles, SWOT items and TOWS strategies.

Every check raises `ValidationError` with a sentence naming the field and the
value, before anything is written. Text is cleaned the same way everywhere:
control and bidirectional-override characters removed, whitespace collapsed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from research.errors import ValidationError

QUADRANTS = ("S", "W", "O", "T")
CONFIDENCES = ("low", "medium", "high")
PRICE_POSITIONS = ("budget", "mid", "premium")
TOWS_KINDS = ("SO", "ST", "WO", "WT")
TOWS_STATUSES = ("proposed", "agreed", "in_progress", "done", "dropped")

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
        raise ValidationError(f"The {field} is empty; write a short sentence.")
    if len(text) > max_length:
        raise ValidationError(f"The {field} is {len(text):,} characters long; keep it under {max_length:,}.")
    return text


def optional_text(value: Any, field: str, max_length: int = MAX_NOTE, *, multiline: bool = False) -> str | None:
    text = clean_text(value, multiline=multiline)
    if len(text) > max_length:
        raise ValidationError(f"The {field} is {len(text):,} characters long; keep it under {max_length:,}.")
    return text or None


def quadrant(value: Any) -> str:
    text = clean_text(value).upper()
    if text not in QUADRANTS:
        raise ValidationError(f"Unknown SWOT quadrant {clean_text(value)!r}; use S, W, O or T.")
    return text


def impact(value: Any) -> int:
    number = _whole_number(value, "impact")
    if not 1 <= number <= 5:
        raise ValidationError(f"Impact must be from 1 to 5, not {number}.")
    return number


def confidence(value: Any) -> str:
    text = clean_text(value).lower()
    if text not in CONFIDENCES:
        raise ValidationError(f"Unknown confidence {clean_text(value)!r}; use low, medium or high.")
    return text


def choice(value: Any, options: Iterable[str], field: str) -> str:
    allowed = tuple(options)
    text = clean_text(value)
    if text not in allowed:
        raise ValidationError(f"Unknown {field} {text!r}; use one of {', '.join(allowed)}.")
    return text


def url(value: Any, field: str = "source URL") -> str | None:
    """An http(s) address with a host, or None when empty."""
    text = clean_text(value)
    if not text:
        return None
    if len(text) > MAX_URL or " " in text:
        raise ValidationError(f"The {field} {text[:80]!r} is not a web address.")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        raise ValidationError(f"The {field} {text[:80]!r} is not a valid web address.") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValidationError(f"The {field} must start with http:// or https://, not {text[:80]!r}.")
    if not host or "." not in host and host != "localhost":
        raise ValidationError(f"The {field} {text[:80]!r} has no valid host name.")
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
            raise ValidationError(f"The observed-on date {value!r} is not a date (use YYYY-MM-DD).") from None
    if not isinstance(value, dt.date):
        raise ValidationError(f"The observed-on date {value!r} is not a date.")
    if value > today:
        raise ValidationError(f"The observed-on date {value.isoformat()} is in the future; evidence cannot be from tomorrow.")
    if value.year < 1900:
        raise ValidationError(f"The observed-on date {value.isoformat()} is too far in the past.")
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
            raise ValidationError(f"An entry of {field} is longer than {max_length} characters: {text[:50]!r}…")
        if text and text not in result:
            result.append(text)
    if len(result) > max_count:
        raise ValidationError(f"{len(result)} entries of {field} is too many; keep it to {max_count}.")
    return result


def optional_int(value: Any, field: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    number = _whole_number(value, field)
    if not low <= number <= high:
        raise ValidationError(f"The {field} must be from {low:,} to {high:,}, not {number:,}.")
    return number


def country(value: Any) -> str | None:
    text = clean_text(value).upper()
    if not text:
        return None
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise ValidationError(f"The HQ country {text!r} is not a two-letter ISO code such as RS or AT.")
    return text


def currency(value: Any) -> str:
    text = clean_text(value).upper() or "EUR"
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValidationError(f"The currency {text!r} is not a three-letter ISO code such as EUR or RSD.")
    return text


def _whole_number(value: Any, field: str) -> int:
    # bool is an int subclass: True is a mistake, not 1.
    if isinstance(value, bool):
        raise ValidationError(f"The {field} must be a whole number, not {value!r}.")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(f"The {field} must be a whole number, not {value!r}.")
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(f"The {field} must be a whole number, not {value!r}.") from None
