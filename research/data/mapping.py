"""Column mapping: which file column feeds which field, suggested by fuzzy header matching.

Headers and field names are compared after folding case, Serbian Cyrillic to Latin
and diacritics away, so "Naziv", "НАЗИВ" and "naziv_firme" all find `name`; each
field's English and Serbian aliases come from the entity registry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz

from research.data.entities import Entity
from research.errors import ValidationError

_CYRILLIC_LETTERS = "абвгдђежзијклљмнњопрстћуфхцчџш"
_LATIN_LETTERS = ["a", "b", "v", "g", "d", "dj", "e", "z", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o", "p", "r",
                  "s", "t", "c", "u", "f", "h", "c", "c", "dz", "s"]
# Serbian Cyrillic to Latin without diacritics (ž -> z, đ -> dj), applied after casefold.
_FOLD = str.maketrans({**dict(zip(_CYRILLIC_LETTERS, _LATIN_LETTERS)), "đ": "dj"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MATCH_THRESHOLD = 80.0


def fold(text: str) -> str:
    """Lower-case ASCII without diacritics, words separated by single spaces."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text).strip()


def _score(header: str, candidates: Sequence[str]) -> float:
    h = fold(header)
    if not h:
        return 0.0
    best = 0.0
    for candidate in candidates:
        if h == candidate:
            return 100.0
        best = max(best, fuzz.token_sort_ratio(h, candidate), 0.95 * fuzz.partial_ratio(h, candidate)
                   if min(len(h), len(candidate)) >= 4 else 0.0)
    return best


def suggest_mapping(entity: Entity, headers: Sequence[str]) -> dict[str, str]:
    """field -> column for every field whose best header scores at least MATCH_THRESHOLD (one-to-one)."""
    scored = []
    for f in entity.fields:
        candidates = [fold(f.name), fold(f.name.removesuffix("_id"))] + [fold(a) for a in f.aliases]
        for header in headers:
            score = _score(header, candidates)
            if score >= MATCH_THRESHOLD:
                scored.append((score, f.name, header))
    if entity.has_id and any(fold(h) == "id" for h in headers):
        scored.append((101.0, "id", next(h for h in headers if fold(h) == "id")))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    # Greedy by score: the best-matching pairs first, each field and column once.
    for score, field_name, header in sorted(scored, key=lambda s: -s[0]):
        if field_name in mapping or header in used:
            continue
        mapping[field_name] = header
        used.add(header)
    return {f: mapping[f] for f in ["id", *entity.field_names] if f in mapping}


def parse_map_options(entity: Entity, options: Sequence[str], headers: Sequence[str]) -> dict[str, str]:
    """`field=column` options of the CLI, checked against the entity and the file's headers."""
    result = {}
    known = {"id", *entity.field_names}
    for option in options:
        field_name, sep, column = option.partition("=")
        field_name, column = field_name.strip(), column.strip()
        if not sep or not field_name:
            raise ValidationError(f"--map {option!r}: write it as field=column.")
        if field_name not in known:
            raise ValidationError(f"--map {option!r}: {entity.name} has no field {field_name!r} ({', '.join(sorted(known))}).")
        if column and column not in headers:
            raise ValidationError(f"--map {option!r}: the file has no column {column!r} ({', '.join(headers)}).")
        result[field_name] = column
    return result


def merge_mapping(suggested: Mapping[str, str], chosen: Mapping[str, str]) -> dict[str, str]:
    """The suggestion overridden by explicit choices; an empty choice unmaps a field."""
    merged = dict(suggested)
    for field_name, column in chosen.items():
        merged.pop(field_name, None)
        if column:
            merged = {f: c for f, c in merged.items() if c != column}
            merged[field_name] = column
    return merged
