"""Custom fields: the columns a workspace adds to accounts, companies or products (issue 15).

A custom field is a real typed column of its table plus one row of `custom_fields`
(migration 0014) saying what it is: kind, names in English and Serbian, choices. Both
change together in one audited transaction here, and nowhere else. Because the value
lives in the table itself, every reader that takes the table's rows sees it like a
built-in column: the grid and imports (through `entity_for`, which appends the custom
fields to the entity's schema), the audit log's before/after images and undo, the query
snapshot, rules, profiles and clustering. docs/SCHEMA.md explains the choice.

Field names are SQL column names, so they follow one rule: lower-case letters, digits and
underscores, starting with a letter, not a column the table already has, not a name the
rule engine computes (`revenue_eur`, bands …) and not a reserved SQL word. Renaming a
field renames its column and rewrites every saved segment, weight set and slide that
names it; removing one that is in use says where and needs confirming.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from anyascii import anyascii

from research.access import Actor
from research.data.entities import _FALSE, _TRUE, Entity, Field, get_entity, parse_dates
from research.data.values import EMPTY_MARKERS, empty_cells, parse_amounts
from research.errors import ValidationError
from research.i18n import Named, keyed_error, message
from research.store import Store, Transaction, quote_ident
from research.store.core import single_row, single_value

KINDS = ("int", "number", "money", "percent", "text", "choice", "date", "bool")
ENTITIES = ("accounts", "companies", "products")
MAX_FIELDS = 100
MAX_CHOICES = 200
MAX_LABEL = 80
MAX_TEXT = 2000

SQL_TYPES = {
    "int": "BIGINT", "number": "DOUBLE", "money": "DECIMAL(18,2)", "percent": "DOUBLE", "text": "VARCHAR",
    "choice": "VARCHAR", "date": "DATE", "bool": "BOOLEAN",
}
# The column naming each entity's currency: a custom money field is in the row's currency,
# so `$`/`€` in its cells and missing exchange rates follow the same rule as revenue.
CURRENCY_COLUMN = {"accounts": "revenue_currency", "companies": "revenue_currency", "products": "currency"}
# Names the segment rules compute over accounts (research.segments.rules.BASE_COLUMNS): a
# column with one of these names would be shadowed there.
RESERVED_NAMES = frozenset({
    "id", "version", "created_at", "updated_at", "revenue_eur", "employee_band", "revenue_band", "owner_key",
    "supplier_key", "supplier_id", "supplier", "is_us", "notes", "notes_private", "notes_author", "segment",
    "segment_id", "account_id", "company_id", "deals", "relationship_years", "segments",
})
# Serbian Cyrillic as Serbian Latin (the standard one-to-one mapping) before ASCII: Приход -> prihod,
# not the Russian-style "prikhod" a general transliteration gives.
_SERBIAN_LETTERS = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č", "ш": "š", "љ": "lj", "њ": "nj", "џ": "dž"}
_SERBIAN_LATIN = str.maketrans(_SERBIAN_LETTERS | {k.upper(): v.capitalize() for k, v in _SERBIAN_LETTERS.items()})
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Keys of saved JSON (segment definitions, weight sets, slide parameters) whose value names a field.
_FIELD_KEYS = frozenset({"field", "column", "feature", "by", "dimension", "contract_column"})
_FIELD_LIST_KEYS = frozenset({"features", "fields", "columns"})
_FIELD_MAP_KEYS = frozenset({"scales", "scaling"})
# Keyed by field only in a prospect weight set ({"kind": "prospects", "weights": {field: …}}): the
# attractiveness matrix keys its "weights" by factor (size, growth, margin …), never by field.
_PROSPECT_MAP_KEYS = frozenset({"weights", "factors"})


@dataclass(frozen=True)
class CustomField:
    id: int
    entity: str
    name: str
    kind: str
    label_en: str
    label_sr: str
    choices: tuple[str, ...]
    position: int
    version: int

    def label(self, lang: str = "en") -> str:
        return (self.label_sr if lang == "sr" else self.label_en) or self.label_en or self.name

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    def to_field(self) -> Field:
        """The field as the entity schema checks it (grid, imports, forms)."""
        common: dict[str, Any] = {"custom": True, "labels": {"en": self.label_en, "sr": self.label_sr},
                                  "aliases": tuple(dict.fromkeys((self.label_en.casefold(), self.label_sr.casefold())))}
        if self.kind == "int":
            return Field(self.name, kind="int", minimum=-(2**53), maximum=2**53, **common)
        if self.kind == "number":
            return Field(self.name, kind="decimal", scale=6, minimum=-1e15, maximum=1e15, **common)
        if self.kind == "money":
            return Field(self.name, kind="decimal", scale=2, minimum=-(10**16 - 1), maximum=10**16 - 1,
                         currency_field=CURRENCY_COLUMN[self.entity], **common)
        if self.kind == "percent":
            return Field(self.name, kind="percent", scale=6, minimum=-1e9, maximum=1e9, **common)
        if self.kind == "choice":
            return Field(self.name, kind="choice", choices=self.choices, **common)
        if self.kind in ("date", "bool"):
            return Field(self.name, kind=self.kind, **common)
        return Field(self.name, kind="text", max_length=MAX_TEXT, **common)


def _from_row(row: Mapping[str, Any]) -> CustomField:
    return CustomField(int(row["id"]), row["entity"], row["name"], row["kind"], row["label_en"], row["label_sr"],
                       tuple(row["choices"] or ()), int(row["position"]), int(row["version"]))


def list_fields(store: Store, entity: str | None = None) -> list[CustomField]:
    """The workspace's custom fields (of one entity), in their order."""
    if entity is not None:
        _check_entity(entity)
    rows = store.query_rows(
        "SELECT * FROM custom_fields WHERE ? IS NULL OR entity = ? ORDER BY entity, position, id", [entity, entity])
    return [_from_row(r) for r in rows]


def get_field(store: Store, entity: str, name: str) -> CustomField:
    _check_entity(entity)
    for f in list_fields(store, entity):
        if f.name == name:
            return f
    known = ", ".join(f.name for f in list_fields(store, entity))
    raise keyed_error(ValidationError, "fields.error.no_field", entity=entity, name=name,
                      known=Named(known or "none yet", known or "још ниједно"))


def entity_for(store: Store, name: str) -> Entity:
    """The entity's schema with the workspace's custom fields after the built-in ones.

    Every write path (grid, imports, forms, CLI) that takes this instead of the bare
    registry entry checks custom fields by the same rules as built-in ones.
    """
    entity = get_entity(name)
    if entity.name not in ENTITIES:
        return entity
    custom = tuple(f.to_field() for f in list_fields(store, entity.name))
    return dataclasses.replace(entity, fields=entity.fields + custom) if custom else entity


def _check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        raise keyed_error(ValidationError, "fields.error.entity", entities=", ".join(ENTITIES), entity=entity)


# ---- names -------------------------------------------------------------------------------


def slug(header: str) -> str:
    """A column name made from a file's header: `Profit ($M)` -> `profit_m`, `Приход` -> `prihod`."""
    text = anyascii(unicodedata.normalize("NFC", str(header)).translate(_SERBIAN_LATIN))
    text = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")
    if not text:
        text = "field"
    if not text[0].isalpha():
        text = f"f_{text}"
    return text[:63].rstrip("_")


def _reserved_words(store: Store) -> frozenset[str]:
    return frozenset(r["keyword_name"] for r in store.query_rows(
        "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'"))


def table_columns(store: Store, table: str) -> list[str]:
    return [r["column_name"] for r in store.query_rows(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table])]


def name_problem(store: Store, entity: str, name: str, *, ignore: str | None = None) -> str | None:
    """Why `name` cannot be a new column of `entity`, or None when it can."""
    if not _NAME.match(name or ""):
        return message("fields.problem.pattern", name=name, example=slug(name or "field"))
    if name in _reserved_words(store):
        return message("fields.problem.sql_word", name=name, example=name + "_value")
    if name in RESERVED_NAMES:
        return message("fields.problem.reserved", name=name)
    if name != ignore and name in table_columns(store, get_entity(entity).table):
        builtin = name in get_entity(entity).field_names or name not in {f.name for f in list_fields(store, entity)}
        return message("fields.problem.builtin" if builtin else "fields.problem.custom", entity=entity, name=name)
    return None


def free_name(store: Store, entity: str, header: str, taken: Iterable[str] = ()) -> str:
    """A name for a column made from `header` that no column of `entity` (or `taken`) has yet."""
    base = slug(header)
    taken = set(taken)
    for candidate in (base, f"{base[:57]}_value", *(f"{base[:58]}_{i}" for i in range(2, 1000))):
        if candidate not in taken and name_problem(store, entity, candidate) is None:
            return candidate
    raise keyed_error(ValidationError, "fields.error.no_free_name", header=header)


def _label(value: str | None, fallback: str, what: str) -> str:
    text = " ".join(str(value or "").split()) or fallback
    if len(text) > MAX_LABEL:
        raise keyed_error(ValidationError, "fields.error.label_long", what=message(f"fields.what.{what}"),
                          text=text[:40], max=MAX_LABEL)
    return text


def _choices(kind: str, choices: Sequence[str] | None) -> tuple[str, ...]:
    if kind != "choice":
        if choices:
            raise keyed_error(ValidationError, "fields.error.choices_only")
        return ()
    cleaned: list[str] = []
    for choice in choices or ():
        text = " ".join(str(choice).split())
        if text and text.casefold() not in {c.casefold() for c in cleaned}:
            cleaned.append(text)
    if not cleaned:
        raise keyed_error(ValidationError, "fields.error.choices_needed")
    if len(cleaned) > MAX_CHOICES:
        raise keyed_error(ValidationError, "fields.error.choices_many", max=MAX_CHOICES, n=f"{len(cleaned):,}")
    return tuple(cleaned)


def _check_kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    aliases = {"integer": "int", "decimal": "number", "float": "number", "yes/no": "bool", "boolean": "bool",
               "currency": "money", "%": "percent", "string": "text"}
    kind = aliases.get(kind, kind)
    if kind not in KINDS:
        raise keyed_error(ValidationError, "fields.error.kind", kind=kind, kinds=", ".join(KINDS))
    return kind


# ---- changes -----------------------------------------------------------------------------


def _alter(tx: Transaction, table: str, statement: str) -> None:
    """Run an ALTER TABLE that DuckDB refuses while the table has an index (companies_one_us):
    the table's indexes are dropped and made again around it, in the same transaction."""
    indexes = tx.execute(
        "SELECT index_name, sql FROM duckdb_indexes() WHERE database_name = current_database() "
        "AND table_name = ? AND sql IS NOT NULL", [table]).fetchall()
    for name, _ in indexes:
        tx.execute(f"DROP INDEX {quote_ident(name)}").fetchall()
    tx.execute(statement).fetchall()
    for _, sql in indexes:
        tx.execute(sql).fetchall()


def drop_column(tx: Transaction, table: str, name: str) -> None:
    """Drop a custom field's column (its registry row is the caller's)."""
    _alter(tx, table, f"ALTER TABLE {quote_ident(table)} DROP COLUMN {quote_ident(name)}")


def add_field(store: Store, actor: Actor, entity: str, name: str, kind: str, *, label_en: str | None = None,
              label_sr: str | None = None, choices: Sequence[str] | None = None) -> CustomField:
    """Add a custom field: a new empty column of the entity's table and its description, in one transaction."""
    with store.transaction(actor) as tx:
        return add_field_in(tx, store, entity, name, kind, label_en=label_en, label_sr=label_sr, choices=choices)


def add_field_in(tx: Transaction, store: Store, entity: str, name: str, kind: str, *, label_en: str | None = None,
                 label_sr: str | None = None, choices: Sequence[str] | None = None) -> CustomField:
    """`add_field` inside a caller's transaction (an import that keeps a file's columns as new fields)."""
    _check_entity(entity)
    name = (name or "").strip()
    kind = _check_kind(kind)
    problem = name_problem(store, entity, name)
    if problem:
        raise keyed_error(ValidationError, "fields.error.cannot_add", problem=problem)
    existing = single_row(tx.execute("SELECT count(*), coalesce(max(position), 0) FROM custom_fields WHERE entity = ?",
                                     [entity]))
    if existing[0] >= MAX_FIELDS:
        raise keyed_error(ValidationError, "fields.error.too_many", entity=entity, max=MAX_FIELDS)
    en = _label(label_en, name.replace("_", " ").capitalize(), "en")
    sr = _label(label_sr, en, "sr")
    values = {"entity": entity, "name": name, "kind": kind, "label_en": en, "label_sr": sr,
              "choices": list(_choices(kind, choices)), "position": int(existing[1]) + 1}
    table = get_entity(entity).table
    tx.execute(f"ALTER TABLE {quote_ident(table)} ADD COLUMN {quote_ident(name)} {SQL_TYPES[kind]}").fetchall()
    row = tx.insert("custom_fields", values)
    return _from_row(row)


def rename_field(store: Store, actor: Actor, entity: str, name: str, *, new_name: str | None = None,
                 label_en: str | None = None, label_sr: str | None = None,
                 choices: Sequence[str] | None = None) -> CustomField:
    """Rename a field (its column, its labels, or both) or change a choice field's values.

    A new column name is carried into every saved segment, weight set and slide that names
    the field, in the same transaction; saved SQL queries are text and are listed instead
    (`field_uses`). Removing a choice that rows still hold is refused.
    """
    field = get_field(store, entity, name)
    new_name = (new_name or "").strip() or None
    if new_name == name:
        new_name = None
    if new_name:
        problem = name_problem(store, entity, new_name)
        if problem:
            raise keyed_error(ValidationError, "fields.error.cannot_rename", name=name, problem=problem)
    changes: dict[str, Any] = {}
    if new_name:
        changes["name"] = new_name
    if label_en is not None:
        changes["label_en"] = _label(label_en, field.label_en, "en")
    if label_sr is not None:
        changes["label_sr"] = _label(label_sr, field.label_sr, "sr")
    table = get_entity(entity).table
    if choices is not None:
        new_choices = _choices(field.kind, choices)
        dropped = [c for c in field.choices if c not in new_choices]
        if dropped:
            held = store.query_rows(
                f"SELECT {quote_ident(name)} AS value, count(*) AS n FROM {quote_ident(table)} "
                f"WHERE {quote_ident(name)} IN (SELECT unnest(?)) GROUP BY 1 ORDER BY 1", [dropped])
            if held:
                listed = ", ".join(f"{r['value']!r} ({r['n']:,} rows)" for r in held)
                raise keyed_error(ValidationError, "fields.error.values_in_use", listed=listed)
        changes["choices"] = list(new_choices)
    if not changes:
        raise keyed_error(ValidationError, "fields.error.nothing")
    with store.transaction(actor) as tx:
        if new_name:
            _alter(tx, table, f"ALTER TABLE {quote_ident(table)} RENAME COLUMN {quote_ident(name)} "
                              f"TO {quote_ident(new_name)}")
            _rewrite_uses(tx, entity, name, new_name)
        row = tx.update("custom_fields", field.id, changes, expected_version=field.version)
    return _from_row(row)


def remove_field(store: Store, actor: Actor, entity: str, name: str, *, confirmed: bool = False) -> int:
    """Remove a field and its column; returns how many rows held a value.

    A field that saved segments, weight sets or slides use is removed only when `confirmed`
    (the refusal says which ones); the values go with it, recorded in the audit log.
    """
    field = get_field(store, entity, name)
    uses = field_uses(store, entity, name)
    if uses and not confirmed:
        raise keyed_error(ValidationError, "fields.error.in_use", name=name, uses="; ".join(uses))
    table = get_entity(entity).table
    with store.transaction(actor) as tx:
        held = int(single_value(tx.execute(f"SELECT count({quote_ident(name)}) FROM {quote_ident(table)}")))
        tx.delete("custom_fields", field.id, expected_version=field.version)
        tx.audit(table, None, "bulk", {"custom_field": name, "values": held}, {"custom_field_removed": name})
        drop_column(tx, table, name)
    return held


# ---- where a field is used ---------------------------------------------------------------

# Saved JSON that may name an account, company or product field: (table, id column, JSON column, what).
_SAVED_JSON = (
    ("segments", "name", "definition", "segment"),
    ("segment_weight_sets", "name", "weights", "weight set"),
    ("deck_slides", "title", "params", "slide"),
    ("dataset_links", "dataset", "columns", "dataset link"),
)


# Per entity: where saved JSON may name its fields, and under which keys. Account fields appear in
# segments, weights, slides and dataset links; company fields only as a positioning slide's axes.
_SOURCES = {"accounts": _SAVED_JSON, "companies": (("deck_slides", "title", "params", "slide"),)}
_SCALAR_KEYS = {"accounts": _FIELD_KEYS, "companies": frozenset({"x", "y", "size"})}


def _names(value: Any, name: str, entity: str = "accounts", key: str | None = None) -> bool:
    """Whether saved JSON names `name` as a field of `entity` (under a key that holds field names)."""
    lists = entity == "accounts"
    if isinstance(value, dict):
        if lists and key in _FIELD_MAP_KEYS and name in value:
            return True
        if lists and value.get("kind") == "prospects" and any(
                isinstance(value.get(k), dict) and name in value[k] for k in _PROSPECT_MAP_KEYS):
            return True
        return any(_names(v, name, entity, k) for k, v in value.items())
    if isinstance(value, list):
        if lists and key in _FIELD_LIST_KEYS and name in value:
            return True
        return any(_names(v, name, entity, key) for v in value)
    return key in _SCALAR_KEYS.get(entity, ()) and value == name


def _renamed(value: Any, old: str, new: str, entity: str = "accounts", key: str | None = None) -> Any:
    lists = entity == "accounts"
    if isinstance(value, dict):
        if lists and key in _FIELD_MAP_KEYS:
            value = {(new if k == old else k): v for k, v in value.items()}
        if lists and value.get("kind") == "prospects":
            value = {k: ({(new if f == old else f): w for f, w in v.items()}
                         if k in _PROSPECT_MAP_KEYS and isinstance(v, dict) else v) for k, v in value.items()}
        return {k: _renamed(v, old, new, entity, k) for k, v in value.items()}
    if isinstance(value, list):
        if lists and key in _FIELD_LIST_KEYS:
            value = [new if v == old else v for v in value]
        return [_renamed(v, old, new, entity, key) for v in value]
    return new if key in _SCALAR_KEYS.get(entity, ()) and value == old else value


def _saved_rows(store_or_tx: Any, table: str, label: str, column: str) -> list[tuple[int, str, Any]]:
    sql = f"SELECT id, {quote_ident(label)}, {quote_ident(column)} FROM {quote_ident(table)}"
    rows = store_or_tx.execute(sql).fetchall() if isinstance(store_or_tx, Transaction) else [
        (r["id"], r[label], r[column]) for r in store_or_tx.query_rows(sql)]
    out = []
    for row_id, title, raw in rows:
        try:
            out.append((row_id, str(title), json.loads(raw) if isinstance(raw, str) else raw))
        except ValueError:
            continue
    return out


def field_uses(store: Store, entity: str, name: str) -> list[str]:
    """Saved things that name the field: segments, weight sets and slides, and saved queries' SQL."""
    uses: list[str] = []
    for table, label, column, what in _SOURCES.get(entity, ()):
        for _, title, value in _saved_rows(store, table, label, column):
            if _names(value, name, entity):
                uses.append(f"{what} {title!r}")
    word = re.compile(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])|\"{re.escape(name)}\"", re.IGNORECASE)
    for row in store.query_rows("SELECT name, sql FROM saved_queries ORDER BY name"):
        if word.search(row["sql"] or ""):
            uses.append(f"saved query {row['name']!r} (its SQL mentions it)")
    return uses


def _rewrite_uses(tx: Transaction, entity: str, old: str, new: str) -> None:
    for table, label, column, _ in _SOURCES.get(entity, ()):
        for row_id, _, value in _saved_rows(tx, table, label, column):
            changed = _renamed(value, old, new, entity)
            if changed != value:
                tx.update(table, row_id, {column: json.dumps(changed)})


# ---- kinds from values -------------------------------------------------------------------


def infer_kind(cells: pd.Series, decimal: str = ".") -> str:
    """The narrowest kind every non-empty cell fits: int, money, percent, number, date, bool, else text.

    `-`, `n/a`, blank and the other empty markers are ignored. 0/1 columns are numbers (a rank
    of 1 is not "yes"); yes/no only for words.
    """
    text = cells.astype("string").str.strip()
    text = text[~empty_cells(text, EMPTY_MARKERS)]
    if text.empty:
        return "text"
    amounts = parse_amounts(text, decimal)
    if not amounts.bad.any():
        if amounts.currency.notna().any():
            return "money"
        if amounts.percent.all():
            return "percent"
        if amounts.percent.any():
            return "text"
        numbers = amounts.number
        whole = (numbers == numbers.round()).all() and numbers.abs().max() < 2**53
        return "int" if whole else "number"
    folded = text.str.casefold()
    words = (_TRUE | _FALSE) - {"0", "1", ""}
    if folded.isin(words).all() and folded.nunique() <= 2:
        return "bool"
    if parse_dates(text).notna().all():
        return "date"
    return "text"
