"""Column mapping: which file column feeds which field, suggested by headers checked against values.

Headers and field names are compared after folding case, Serbian Cyrillic to Latin
and diacritics away, so "Naziv", "НАЗИВ" and "naziv_firme" all find `name`; each
field's English and Serbian aliases come from the entity registry. A header match is
only a candidate: `suggest_for_file` proposes it when at least `VALUE_THRESHOLD` (90 %) of
the column's sampled non-empty values pass the field's own import validation (half for a
header that is exactly the field's name or alias) (issue 15: a
`State` column of two-letter codes went into `status`, a `Rank` into `archived`). The
CLI's `--map`, `--set` (one value for every row), `--scale` and `--ignore` options are
parsed here too; `imports.prepare_import` checks the values.

Custom fields (`research.data.fields`) are mapping targets like built-in ones when the
entity comes from `fields.entity_for`: their English and Serbian names act as aliases. A
column no field takes can be kept as a new custom field (`KeptColumn`, the CLI's `--keep`
and `--keep-all`): its name is made from the header, its kind read from its values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz

from research.data import fields
from research.data.entities import Entity, coerce_frame
from research.data.reading import RawTable
from research.data.values import EMPTY_MARKERS, currencies_for, currency_symbols, empty_cells
from research.errors import ValidationError
from research.store import Store

_CYRILLIC_LETTERS = "абвгдђежзијклљмнњопрстћуфхцчџш"
_LATIN_LETTERS = ["a", "b", "v", "g", "d", "dj", "e", "z", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o", "p", "r",
                  "s", "t", "c", "u", "f", "h", "c", "c", "dz", "s"]
# Serbian Cyrillic to Latin without diacritics (ž -> z, đ -> dj), applied after casefold.
_FOLD = str.maketrans({**dict(zip(_CYRILLIC_LETTERS, _LATIN_LETTERS)), "đ": "dj"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MATCH_THRESHOLD = 80.0
# Share of a column's sampled non-empty values that must be valid for a field before the
# column is proposed for it, and how many values are sampled (spread over the whole file).
VALUE_THRESHOLD = 0.9
# A header that *is* the field's name or alias ("Status", "Статус") is no guess: it is proposed
# unless most values contradict it, so a typo in a short file is a problem of its row (listed
# with row, value and reason) rather than a whole column that silently stops mapping.
EXACT_VALUE_THRESHOLD = 0.5
VALUE_SAMPLE = 200
# Field kinds a unit multiplier (`--scale`) applies to.
NUMERIC_KINDS = frozenset({"int", "decimal", "money", "percent"})


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


@dataclass(frozen=True)
class Rejected:
    """A column whose header matched a field but whose values did not (not suggested)."""

    field: str
    column: str
    valid: int
    sampled: int


@dataclass(frozen=True)
class Suggestion:
    mapping: dict[str, str]  # field -> column
    rejected: list[Rejected] = field(default_factory=list)


def _sample(values: pd.Series) -> pd.Series:
    """Up to VALUE_SAMPLE non-empty cells, evenly spread (a sorted file's head is not typical)."""
    if len(values) > 4 * VALUE_SAMPLE:
        # Look at an even spread of rows first: the wizard reruns this, and 100,000 rows need not be read.
        step = len(values) / (4 * VALUE_SAMPLE)
        values = values.iloc[[int(i * step) for i in range(4 * VALUE_SAMPLE)]]
    text = values.astype("string").str.strip()
    present = values[text.notna() & (text != "")]
    if len(present) <= VALUE_SAMPLE:
        return present
    step = len(present) / VALUE_SAMPLE
    return present.iloc[[int(i * step) for i in range(VALUE_SAMPLE)]]


def valid_share(entity: Entity, field_name: str, values: pd.Series, *, decimal: str = ".",
                date_format: str | None = None, refs: Mapping[str, Mapping[str, int]] | None = None) -> tuple[int, int]:
    """(valid, sampled) non-empty values of a column for a field, by the import's own validation."""
    sample = _sample(values)
    if sample.empty:
        return 0, 0
    frame = pd.DataFrame({field_name: sample.astype(object).to_numpy()})
    coerced = coerce_frame(entity, frame, decimal=decimal, date_format=date_format, refs=refs, fill_defaults=False,
                           reconcile_currencies=False)  # `$523,964` fits revenue; which $ is the row's question
    bad = {p.row for p in coerced.problems}
    return len(sample) - len(bad), len(sample)


def suggest_mapping(entity: Entity, headers: Sequence[str], values: pd.DataFrame | None = None, *,
                    decimal: str = ".", date_format: str | None = None,
                    refs: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, str]:
    """field -> column for every field whose best header scores at least MATCH_THRESHOLD (one-to-one).

    With `values` (the file's cells), a header match counts only when the column's values fit
    the field (`suggest_for_file`); without them this is the header-only guess.
    """
    return _suggest(entity, headers, values, decimal, date_format, refs).mapping


def suggest_for_file(entity: Entity, raw: RawTable, refs: Mapping[str, Mapping[str, int]] | None = None) -> Suggestion:
    """The mapping suggested for a read file (`reading.RawTable`), checked against its values.

    Reference fields are value-checked only when `refs` (`imports.reference_lookups`) is given.
    """
    return _suggest(entity, raw.columns, raw.frame, raw.decimal, raw.date_format, refs)


def _suggest(entity: Entity, headers: Sequence[str], values: pd.DataFrame | None, decimal: str,
             date_format: str | None, refs: Mapping[str, Mapping[str, int]] | None) -> Suggestion:
    scored = []
    rejected: list[Rejected] = []
    for f in entity.fields:
        candidates = [fold(f.name), fold(f.name.removesuffix("_id"))] + [fold(a) for a in f.aliases]
        for header in headers:
            score = _score(header, candidates)
            if score < MATCH_THRESHOLD:
                continue
            if values is not None and header in values.columns and (f.kind != "ref" or refs is not None):
                valid, sampled = valid_share(entity, f.name, values[header], decimal=decimal,
                                             date_format=date_format, refs=refs)
                threshold = EXACT_VALUE_THRESHOLD if score >= 100.0 else VALUE_THRESHOLD
                if sampled and valid < threshold * sampled:
                    rejected.append(Rejected(f.name, header, valid, sampled))
                    continue
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
    ordered = {f: mapping[f] for f in ["id", *entity.field_names] if f in mapping}
    # A rejection only matters if the column went nowhere better.
    return Suggestion(ordered, [r for r in rejected if ordered.get(r.field) != r.column])


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


def _pairs(flag: str, options: Sequence[str], shape: str) -> list[tuple[str, str]]:
    pairs = []
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"{flag} {option!r}: write it as {shape}.")
        pairs.append((name.strip(), value.strip()))
    return pairs


def parse_set_options(entity: Entity, options: Sequence[str]) -> dict[str, str]:
    """`field=value` options (one value for every row); a later one for the same field wins."""
    result: dict[str, str] = {}
    for name, value in _pairs("--set", options, "field=value"):
        if name == "id":
            raise ValidationError(f"--set {name}={value}: the id cannot be the same for every row.")
        if name not in entity.field_names:
            raise ValidationError(f"--set {name}={value}: {entity.name} has no field {name!r} "
                                  f"({', '.join(entity.field_names)}).")
        if not value:
            raise ValidationError(f"--set {name}=: give a value (leave the option out to set none).")
        result[name] = value
    return result


def parse_scale_options(entity: Entity, options: Sequence[str]) -> dict[str, float]:
    """`field=factor` options: a numeric field and a positive, finite factor (1e6 = "values in millions")."""
    result: dict[str, float] = {}
    for name, text in _pairs("--scale", options, "field=factor, e.g. annual_revenue=1e6"):
        try:
            factor = float(text.replace("_", ""))
        except ValueError:
            raise ValidationError(f"--scale {name}={text}: {text!r} is not a number (e.g. 1000 or 1e6).") from None
        result[name] = factor
    check_scales(entity, result)
    return result


def check_scales(entity: Entity, scales: Mapping[str, float]) -> None:
    """Refuse a multiplier for a field that is not a number, or one that is not positive and finite."""
    for name, factor in scales.items():
        if name not in entity.field_names:
            raise ValidationError(f"--scale {name}: {entity.name} has no field {name!r}.")
        if entity.field(name).kind not in NUMERIC_KINDS:
            raise ValidationError(f"--scale {name}: {name} is not a number field; only numbers can be multiplied.")
        if not math.isfinite(factor):
            raise ValidationError(f"--scale {name}={factor}: the factor must be a finite number.")
        if factor <= 0:
            raise ValidationError(f"--scale {name}={factor:g}: the factor must be positive (1e6: values in millions).")


def parse_ignore_options(options: Sequence[str], headers: Sequence[str]) -> list[str]:
    """Columns left out on purpose (`--ignore COLUMN`), each a column of the file."""
    for column in options:
        if column not in headers:
            raise ValidationError(f"--ignore {column!r}: the file has no column {column!r} ({', '.join(headers)}).")
    return list(dict.fromkeys(options))


def resolve_cli_mapping(suggested: Mapping[str, str], chosen: Mapping[str, str], constants: Mapping[str, str],
                        ignored: Sequence[str], kept: Sequence[str] = ()) -> dict[str, str]:
    """The CLI's final mapping: explicit choices over the suggestion; `--set`, `--ignore` and `--keep` beat a guess.

    An explicit `--map` that contradicts `--set`, `--ignore` or `--keep` is refused: two explicit words disagree.
    """
    for field_name, column in chosen.items():
        if column and field_name in constants:
            raise ValidationError(
                f"--map {field_name}={column} and --set {field_name}={constants[field_name]} both give {field_name}; "
                "keep one of them.")
        if column in ignored:
            raise ValidationError(f"--map {field_name}={column} and --ignore {column}: the column {column!r} "
                                  "cannot be imported and ignored; keep one of them.")
        if column in kept:
            raise ValidationError(f"--map {field_name}={column} and --keep {column}: the column {column!r} "
                                  "cannot feed a field and be kept as a new one; keep one of them.")
    guessed = {f: c for f, c in suggested.items() if f not in constants and c not in ignored and c not in kept}
    return merge_mapping(guessed, chosen)


# ---- columns kept as custom fields ---------------------------------------------------------


@dataclass(frozen=True)
class KeptColumn:
    """A file column kept as a custom field of the entity (issue 15).

    `existing` is decided by `imports.prepare_import`: a field of that name and kind already
    exists and takes the column; otherwise the field is created with the import's rows.
    """

    column: str  # the file's header
    name: str  # the field's (SQL column) name
    kind: str  # one of fields.KINDS
    label: str = ""  # the new field's name for people in both languages ("": made from the header)
    choices: tuple[str, ...] = ()  # a choice field's values (the column's distinct values by default)
    existing: bool = False

    @property
    def field_label(self) -> str:
        return self.label or " ".join(str(self.column).split())[:fields.MAX_LABEL]


# A unit written after a header, dropped from the field name it suggests ("Profits ($M)" -> profits);
# the field's label keeps the whole header.
_UNIT_SUFFIX = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_CODE_WORD = re.compile(r"\b[A-Z]{3}\b")


def header_names_currency(header: str) -> bool:
    """Whether a header says its numbers are money: a currency sign (`$`, `€`, `US$`) anywhere, or
    an ISO code in brackets or after "in" (`Revenue (EUR)`, `Umsatz in EUR`)."""
    signs = [s for s in currency_symbols() if not any(ch.isalpha() for ch in s)]
    if any(sign in header for sign in signs):
        return True
    candidates = [w for group in _BRACKETED.findall(header) for w in _CODE_WORD.findall(group)]
    candidates += re.findall(r"\bin ([A-Z]{3})\b", header)
    return any(currencies_for(code) for code in candidates)


# Non-empty cells a kept column's kind is first read from (see `kept_kind`).
KIND_SAMPLE = 2000


def kept_kind(cells: pd.Series, header: str, decimal: str = ".") -> str:
    """The kind a kept column gets: `fields.infer_kind` on its cells, and money for plain numbers
    under a header that names a currency (a Fortune list writes `Profits ($M)` over `14881`)."""
    text = cells.astype("string").str.strip()
    present = text[~empty_cells(text, EMPTY_MARKERS)]
    if len(present) > KIND_SAMPLE:
        # Any kind but text needs every cell to fit, so a sample that is only text means the
        # column is: a 100,000-row column of names is not parsed as numbers and dates in full.
        step = len(present) / KIND_SAMPLE
        if fields.infer_kind(present.iloc[[int(i * step) for i in range(KIND_SAMPLE)]], decimal) == "text":
            return "text"
    # The kind depends only on which values occur: a date or percent column of 100,000 rows
    # holds a few thousand distinct ones.
    kind = fields.infer_kind(pd.Series(present.unique(), dtype="string"), decimal)
    if kind in ("int", "number") and header_names_currency(str(header)):
        return "money"
    return kind


def column_choices(cells: pd.Series) -> tuple[str, ...]:
    """A column's distinct non-empty values in file order (the values of a kept choice field)."""
    text = cells.astype("string").str.strip()
    text = text[~empty_cells(text, EMPTY_MARKERS)]
    return tuple(dict.fromkeys(" ".join(v.split()) for v in text.dropna()))


def without_unit(header: str) -> str:
    """The header without a trailing unit in brackets: `Profits ($M)` -> `Profits` (the label of a
    kept column whose values are multiplied out of that unit)."""
    return _UNIT_SUFFIX.sub("", " ".join(str(header).split())).strip() or str(header)


def keep_name_base(header: str) -> str:
    """The text a kept column's field name is made from: the header without a trailing unit, in
    Latin letters (a Cyrillic `Напомена` gives `napomena`, not an empty name)."""
    return fold(without_unit(header)) or str(header)


def suggest_keep(store: Store, entity: Entity, raw: RawTable, column: str, *, name: str | None = None,
                 kind: str | None = None, taken: Sequence[str] = ()) -> KeptColumn:
    """A column kept as a custom field, with the name and kind not given filled in.

    The name is made from the header (`fields.free_name`, avoiding `taken`), unless the
    entity already has a custom field of exactly that name and kind: then that field takes
    the column (a second Fortune list fills the `state` field the first one made).
    """
    if column not in raw.columns:
        raise ValidationError(f"The file has no column {column!r} ({', '.join(raw.columns)}).")
    kind = (kind or "").strip().lower() or kept_kind(raw.frame[column], column, raw.decimal)
    if kind not in fields.KINDS:
        raise ValidationError(f"{kind!r} is not a field kind; choose one of: {', '.join(fields.KINDS)}.")
    choices = column_choices(raw.frame[column]) if kind == "choice" else ()
    if not name:
        base = fields.slug(keep_name_base(column))
        existing = {f.name: f.kind for f in fields.list_fields(store, entity.name)}
        if existing.get(base) == kind and base not in taken:
            name = base
        else:
            name = fields.free_name(store, entity.name, keep_name_base(column), taken)
    return KeptColumn(column, name.strip(), kind, "", choices)


def parse_keep_options(options: Sequence[str], headers: Sequence[str]) -> list[tuple[str, str | None, str | None]]:
    """`--keep COLUMN[=NAME[:KIND]]` options -> (column, name or None, kind or None).

    A header that itself contains `=` is taken whole when it is a column of the file.
    """
    result: list[tuple[str, str | None, str | None]] = []
    for option in options:
        if option in headers:
            column, rest = option, ""
        else:
            column, sep, rest = option.rpartition("=")
            if not sep:
                column, rest = option, ""
        column = column.strip()
        if column not in headers:
            raise ValidationError(f"--keep {option!r}: the file has no column {column!r} ({', '.join(headers)}).")
        name, _, kind = rest.partition(":")
        if any(c == column for c, _, _ in result):
            raise ValidationError(f"--keep {option!r}: the column {column!r} is kept twice; keep it once.")
        result.append((column, name.strip() or None, kind.strip() or None))
    return result
