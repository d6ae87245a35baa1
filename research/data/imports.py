"""Entity imports: a read file + a column mapping -> a checked plan -> one transaction, or nothing.

`prepare_import` validates every row (types, ranges, pick-lists, references, required
fields), matches rows to the workspace for upsert, finds possible duplicates (same
VAT or website, same or similar name) and notices a file imported before. Nothing is
written until `apply_import`, which refuses the whole file while any problem remains
and otherwise writes all rows, their audit rows and an import record as one batch.

Besides the column mapping, a plan takes one value for every row of a field
(`constants`, checked once like a cell), unit multipliers of number fields (`scales`,
applied after parsing, ranges re-checked) and the columns left out on purpose; every
other column of the file is listed as not imported, never dropped without a word.

A column can also be kept as a custom field of accounts, companies or products
(`mapping.KeptColumn`). Its values are checked by the field it will become (a kept
money column with `$` needs a currency exactly like revenue), and the new field is
created in the same transaction as the rows: a refused or failed import leaves no
new column behind. A kept column named like an existing custom field of the same
kind fills that field instead of creating another.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
from babel.numbers import format_decimal
from rapidfuzz import fuzz, process

from research import config
from research.access import Actor, require
from research.data import fields, our_company
from research.data import reasons as deal_reasons

# Region from country and exchange rates for money live with the other workspace lookups (issue 15).
from research.data.dependents import apply_dependent, dependent_values, money_fields  # noqa: F401 (grid.py imports the first two here)
from research.data.entities import (
    Entity,
    Problem,
    coerce_frame,
    missing_required,
    problem,
    problem_text,
    table_label,
)
from research.data.mapping import KeptColumn, check_scales, fold, without_unit
from research.data.reading import ImportRefused, RawTable
from research.data.writes import bulk_insert, bulk_update
from research.errors import ValidationError
from research.i18n import MESSAGES, Named, keyed_error, locale_of, message, t
from research.store.core import Store
from research.store.sql import quote_ident

log = logging.getLogger(__name__)

MODES = ("append", "upsert")
DUPLICATE_DECISIONS = ("refuse", "skip", "import")
_LEGAL_FORMS = re.compile(
    r"\b(d ?o ?o(?: ?el)?|a ?d|kft|s ?r ?l|gmbh|eood|ltd|llc|inc|ag|s ?a|d ?d|plc|co)\b"
)

# The `instead` of each GuardedColumn as a catalog message, with the values it names.
_GUARDED_VALUES = {"is_us": {"command": "python -m research company set-ours NAME"}}


# ---- names in refusals: the English as the CLI always wrote them, words in Serbian -------------


def _sr_number(value: float) -> str:
    return format_decimal(value, format="#,##0.######", locale=locale_of("sr"))


def _table(table: str) -> Named:
    """A table by its SQL name in English, in words in Serbian ("price_observations" / "Уочене цене")."""
    return Named(table, table_label(table, "sr"))


def _entity_named(entity: Entity) -> Named:
    return Named(entity.name, table_label(entity.table, "sr"))


def _field_named(entity: Entity, name: str) -> Named:
    """A field by its column name in English, by its label in Serbian (a custom field's own)."""
    if name == "(row)":
        return Named(name, f"({t('data.col.row', 'sr').lower()})")
    if f"data.field.{name}" in MESSAGES:
        return Named(name, t(f"data.field.{name}", "sr"))
    if name in entity.field_names:
        return Named(name, entity.field(name).label("sr"))
    return Named(name)


def _fields_named(entity: Entity, names: Sequence[str]) -> Named:
    return Named(", ".join(names), ", ".join(_field_named(entity, n).sr for n in names))


def _kind_named(kind: str) -> Named:
    key = f"data.keep.kind.{kind}"
    return Named(kind, t(key, "sr")) if key in MESSAGES else Named(kind)


# The reasons find_duplicates writes (a text column of the plan's table) and their catalog messages.
_DUPLICATE_REASONS = (
    (re.compile(r"same VAT number"), "data.duplicate.same_vat"),
    (re.compile(r"same website"), "data.duplicate.same_website"),
    (re.compile(r"same name as file row (?P<row>\d+)"), "data.duplicate.same_in_file"),
    (re.compile(r"same name"), "data.duplicate.same_name"),
    (re.compile(r"similar name \((?P<score>\d+)%\)"), "data.duplicate.similar"),
)


def duplicate_reason(reason: str) -> Named:
    """A possible duplicate's reason (`ImportPlan.duplicates["reason"]`) in both languages."""
    for pattern, key in _DUPLICATE_REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return message(key, **found.groupdict())
    return Named(reason)


def _guarded_instead(name: str, instead: str) -> Named:
    """What to do instead of a guarded column, from the catalog while it says what the entity says."""
    key = f"data.import.guarded.{name}"
    if key in MESSAGES:
        said = message(key, **_GUARDED_VALUES.get(name, {}))
        if said == instead:
            return said
    return Named(instead)


def problems_refused(entity: Entity, problems: Sequence[Problem], limit: int = 10) -> ImportRefused:
    """The refusal of a file with problems: `entities.describe_problems`' sentence as a catalog message,
    each problem's reason in the viewer's language on a page."""
    items = sorted(problems, key=lambda p: (p.row, p.column))
    listed = [message("data.import.problem_item", row=p.row, column=Named(p.column, ", ".join(
                  _field_named(entity, c).sr for c in p.column.split(","))), value=p.value[:40],
                      reason=Named(p.reason, problem_text(p, "sr")))
              for p in items[:limit]]
    more = Named("")
    if len(items) > limit:
        extra = message("data.import.more", count=len(items) - limit)
        more = Named(f" {extra}", f" {extra.sr}")
    return keyed_error(ImportRefused, "data.import.error.problems", count=len(items),
                       listed=Named("; ".join(listed), "; ".join(m.sr for m in listed)), more=more)


@dataclass
class ImportPlan:
    entity: Entity
    raw: RawTable
    mapping: dict[str, str]
    mode: str
    frame: pd.DataFrame  # typed values, one column per mapped field, index = raw row positions
    problems: list[Problem]
    duplicates: pd.DataFrame  # row, name, reason, existing_id, existing_name
    matched: dict[int, int] = field(default_factory=dict)  # raw position -> existing id (upsert)
    versions: dict[int, int] = field(default_factory=dict)  # existing id -> version seen while checking
    previous: dict[str, Any] | None = None  # the earlier import of the same file, if any
    constants: dict[str, str] = field(default_factory=dict)  # field -> one value for every row (as typed)
    scales: dict[str, float] = field(default_factory=dict)  # number field -> multiplier applied after parsing
    ignored: list[str] = field(default_factory=list)  # columns left out on purpose
    # Columns kept as custom fields (new ones are created by apply_import); not in `mapping`.
    kept: list[KeptColumn] = field(default_factory=list)

    @property
    def unmapped_columns(self) -> list[str]:
        """The file's columns that feed no field, are not kept and were not ignored on purpose, in file order."""
        used = set(self.mapping.values()) | set(self.ignored) | {k.column for k in self.kept}
        return [c for c in self.raw.columns if c not in used]

    @property
    def new_fields(self) -> list[KeptColumn]:
        """The kept columns that become new custom fields (the rest fill existing ones)."""
        return [k for k in self.kept if not k.existing]

    def kept_values(self, kept: KeptColumn) -> int:
        """How many values the kept column's field will hold from this import."""
        return int(self.frame[kept.name].notna().sum()) if kept.name in self.frame.columns else 0

    @property
    def default_currencies(self) -> dict[str, tuple[str, Any]]:
        """Money field -> (its currency field, the default it gets) where the file gives no currency."""
        result = {}
        fed = {*self.mapping, *self.constants, *(k.name for k in self.kept)}
        for money, currency in money_fields(self.entity).items():
            if money not in fed:
                continue
            if currency not in self.mapping and currency not in self.constants:
                result[money] = (currency, self.entity.field(currency).default)
        return result

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def inserts(self) -> int:
        return self.rows - len(self.matched)

    @property
    def updates(self) -> int:
        return len(self.matched)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    inserted: int
    updated: int
    skipped: int


def reference_lookups(store: Store, entity: Entity) -> dict[str, dict[str, int]]:
    """For each reference field: its parent's label (folded) and id text -> id."""
    lookups: dict[str, dict[str, int]] = {}
    for f in entity.fields:
        if f.kind == "reasons":
            # A deal's reasons: each reason's code and names in both languages -> its id.
            lookups[f.name] = deal_reasons.reason_lookup(deal_reasons.list_reasons(store))
            continue
        if f.kind != "ref" or not f.ref:
            continue
        rows = store.query_rows(f"SELECT id, {quote_ident(f.ref_label)} AS label FROM {quote_ident(f.ref)}")
        lookup: dict[str, int] = {}
        for row in rows:
            if row["label"] is not None:
                lookup.setdefault(str(row["label"]).strip().casefold(), int(row["id"]))
        lookups[f.name] = lookup | {str(row["id"]): int(row["id"]) for row in rows}
    return lookups


def name_key(name: Any) -> str:
    """A company or account name reduced for matching: folded, legal form and punctuation removed."""
    if not isinstance(name, str):
        return ""
    return re.sub(r"\s+", " ", _LEGAL_FORMS.sub(" ", fold(name))).strip()


def _domain(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        return ""
    text = re.sub(r"^[a-z]+://", "", url.strip().casefold())
    return text.split("/", 1)[0].removeprefix("www.")


def _vat(value: Any) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper()) if isinstance(value, str) else ""


def find_duplicates(store: Store, entity: Entity, frame: pd.DataFrame, rows: pd.Series,
                    skip: set[int] | None = None) -> pd.DataFrame:
    """Rows that look like a row already in the workspace or an earlier row of the file."""
    columns = ["row", "name", "reason", "existing_id", "existing_name"]
    if not entity.duplicate_check or "name" not in frame.columns:
        return pd.DataFrame(columns=columns)
    skip = skip or set()
    has_vat = "vat_id" in entity.field_names
    existing = store.query_df(
        f"SELECT id, name, website{', vat_id' if has_vat else ''} FROM {quote_ident(entity.table)}"
    )
    found: list[tuple] = []
    ex_keys = existing["name"].map(name_key)
    by_key = {k: (int(i), n) for k, i, n in zip(ex_keys, existing["id"], existing["name"]) if k}
    by_domain = {_domain(w): (int(i), n) for w, i, n in zip(existing["website"], existing["id"], existing["name"])
                 if _domain(w)}
    by_vat = ({_vat(v): (int(i), n) for v, i, n in zip(existing["vat_id"], existing["id"], existing["name"]) if _vat(v)}
              if has_vat else {})
    names = frame["name"].tolist()
    keys = [name_key(n) for n in names]
    vats = [_vat(v) for v in frame["vat_id"].tolist()] if has_vat and "vat_id" in frame.columns else [""] * len(names)
    domains = [_domain(w) for w in frame["website"].tolist()] if "website" in frame.columns else [""] * len(names)
    row_numbers = rows.tolist()
    skipped = set(frame.index.get_indexer(pd.Index(list(skip))).tolist()) if skip else set()
    seen_in_file: dict[str, int] = {}
    unmatched: list[int] = []
    for pos, (key, name, vat, domain, row) in enumerate(zip(keys, names, vats, domains, row_numbers)):
        if pos in skipped:
            continue
        hit = None
        if vat and vat in by_vat:
            hit = ("same VAT number", by_vat[vat])
        elif domain and domain in by_domain:
            hit = ("same website", by_domain[domain])
        elif key and key in by_key:
            hit = ("same name", by_key[key])
        if hit:
            found.append((int(row), name, hit[0], hit[1][0], hit[1][1]))
        elif key and key in seen_in_file:
            found.append((int(row), name, f"same name as file row {seen_in_file[key]}", None, None))
        elif key:
            unmatched.append(pos)
        if key:
            seen_in_file.setdefault(key, int(row))
    found.extend(_fuzzy_duplicates(ex_keys, existing, keys, names, row_numbers, unmatched))
    result = pd.DataFrame(found, columns=columns).sort_values("row", ignore_index=True)
    result["existing_id"] = result["existing_id"].astype("Int64")
    return result


def _fuzzy_duplicates(ex_keys: pd.Series, existing: pd.DataFrame, keys: list[str], names: list[Any],
                      rows: list[int], candidates: list[int]) -> list[tuple]:
    """Similar names, compared within blocks of the same first letters (not every pair of 100k × 100k)."""
    threshold = float(config.DATA_FUZZY.value())
    blocks: dict[str, list[int]] = {}
    for pos, key in enumerate(ex_keys):
        if key:
            blocks.setdefault(key[:2], []).append(pos)
    by_block: dict[str, list[int]] = {}
    for pos in candidates:
        by_block.setdefault(keys[pos][:2], []).append(pos)
    ids, existing_names = existing["id"].tolist(), existing["name"].tolist()
    found = []
    for block, positions in by_block.items():
        targets = blocks.get(block)
        if not targets:
            continue
        choices = [str(ex_keys.iat[p]) for p in targets]  # name_key's text
        scores = process.cdist([keys[p] for p in positions], choices, scorer=fuzz.token_sort_ratio,
                               score_cutoff=threshold, workers=-1)
        best = scores.argmax(axis=1)
        for i, pos in enumerate(positions):
            score = float(scores[i][best[i]])
            if score >= threshold:
                target = targets[int(best[i])]
                found.append((int(rows[pos]), names[pos], f"similar name ({score:.0f}%)", int(ids[target]),
                              existing_names[target]))
    return found


def _match_existing(store: Store, entity: Entity, frame: pd.DataFrame, rows: pd.Series, use_id: bool,
                    problems: list[Problem]) -> tuple[dict[int, int], dict[int, int]]:
    """Raw position -> existing id for rows whose id (or natural key) is already in the workspace."""
    if not entity.has_id:
        key_cols = list(entity.natural_key)
    else:
        key_cols = ["id"] if use_id else list(entity.natural_key)
    if any(c not in frame.columns for c in key_cols):
        return {}, {}
    keys = frame[key_cols].copy()
    keys["_pos"] = list(range(len(frame)))
    text_keys = [c for c in key_cols if c != "id" and entity.field(c).kind == "text"]
    with store.cursor() as cur:
        cur.register("_vantage_keys", keys)
        conditions = " AND ".join(
            f"lower(trim(t.{quote_ident(c)})) = lower(trim(k.{quote_ident(c)}))" if c in text_keys
            else f"t.{quote_ident(c)} = k.{quote_ident(c)}"
            for c in key_cols
        )
        select_id = "t.id" if entity.has_id else "NULL"
        version = "t.version" if entity.has_id and "version" in entity_columns(store, entity) else "NULL"
        found = cur.execute(
            f"SELECT k._pos, {select_id} AS id, {version} AS version FROM _vantage_keys k "
            f"JOIN {quote_ident(entity.table)} t ON {conditions}"
        ).fetchall()
    matched: dict[int, int] = {}
    versions: dict[int, int] = {}
    counts: dict[int, int] = {}
    for pos, row_id, version in found:
        counts[pos] = counts.get(pos, 0) + 1
        matched[pos] = row_id if row_id is not None else -1
        if row_id is not None and version is not None:
            versions[int(row_id)] = int(version)
    index = list(frame.index)
    for pos, n in counts.items():
        if n > 1:
            problems.append(problem(int(rows[index[pos]]), ",".join(key_cols), "", "data.import.problem.key_matches",
                                    count=str(n), what=_table(entity.table)))
    return {index[pos]: rid for pos, rid in matched.items()}, versions


def entity_columns(store: Store, entity: Entity) -> list[str]:
    return [r["column_name"] for r in store.query_rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position", [entity.table])]


def previous_import(store: Store, target: str, sha256: str) -> dict[str, Any] | None:
    rows = store.query_rows(
        "SELECT batch_id, actor, created_at, file_name FROM data_imports WHERE target = ? AND file_sha256 = ? "
        "ORDER BY id DESC LIMIT 1", [target, sha256])
    return rows[0] if rows else None


def refuse_guarded_columns(entity: Entity, columns: list[str]) -> None:
    """Refuse a file that carries one of `entity.guarded`'s columns, mapped or not.

    Checked on every column, not only mapped ones: an ignored `is_us` column would let the
    person believe the file had set our company.
    """
    for header in columns:
        folded = fold(header)
        for guarded in entity.guarded:
            if folded in {fold(guarded.name), *(fold(a) for a in guarded.aliases)}:
                raise keyed_error(ImportRefused, "data.import.error.guarded", header=header, name=guarded.name,
                                  instead=_guarded_instead(guarded.name, guarded.instead))


def check_constants(entity: Entity, constants: Mapping[str, str], mapping: Mapping[str, str], raw: RawTable,
                    refs: Mapping[str, Mapping[str, int]]) -> None:
    """Refuse a constant for an unknown field, for a field a column already feeds, or one that is not valid.

    Each value is validated once, as a cell of the file would be (same decimal mark and date
    format), so a bad one is one message naming the field and value, not one per row.
    """
    for name, value in constants.items():
        if name == "id" or name not in entity.field_names:
            raise keyed_error(ValidationError, "data.import.error.constant_field", entity=_entity_named(entity),
                              name=name)
        if name in mapping:
            raise keyed_error(ValidationError, "data.import.error.constant_twice", name=_field_named(entity, name),
                              column=mapping[name], value=value)
        checked = coerce_frame(entity, pd.DataFrame({name: [value]}), decimal=raw.decimal,
                               date_format=raw.date_format, refs=refs, fill_defaults=False)
        if checked.problems:
            first = checked.problems[0]
            raise keyed_error(ValidationError, "data.import.error.constant_refused", name=_field_named(entity, name),
                              value=value, reason=Named(first.reason, problem_text(first, "sr")))


def kept_entity(entity: Entity, kept: Sequence[KeptColumn]) -> Entity:
    """`entity` with the fields its kept columns would become (as `fields.entity_for` will list them
    once created), so their values are checked, scaled and reported like any field's."""
    present = set(entity.field_names)
    extra = tuple(
        fields.CustomField(0, entity.name, k.name, k.kind, k.field_label, k.field_label, tuple(k.choices), 0, 0).to_field()
        for k in kept if k.name not in present)
    return dataclasses.replace(entity, fields=entity.fields + extra) if extra else entity


def _resolve_kept(store: Store, entity: Entity, raw: RawTable, mapping: Mapping[str, str],
                  constants: Mapping[str, str], ignored: Sequence[str],
                  kept: Sequence[KeptColumn]) -> list[KeptColumn]:
    """Check the kept columns and mark those an existing custom field (same name and kind) takes."""
    if not kept:
        return []
    if entity.name not in fields.ENTITIES:
        raise keyed_error(ValidationError, "data.import.error.no_custom_fields", entity=_entity_named(entity),
                          column=kept[0].column,
                          entities=Named(", ".join(fields.ENTITIES),
                                         ", ".join(table_label(e, "sr") for e in fields.ENTITIES)))
    existing = {f.name: f for f in fields.list_fields(store, entity.name)}
    resolved: list[KeptColumn] = []
    names: dict[str, str] = {}
    for k in kept:
        where = message("data.import.kept_where", column=k.column, name=k.name)
        if k.column not in raw.columns:
            raise keyed_error(ImportRefused, "data.import.error.no_column", columns=repr(k.column))
        if k.column in mapping.values():
            raise keyed_error(ValidationError, "data.import.error.kept_and_mapped", column=k.column)
        if k.column in ignored:
            raise keyed_error(ValidationError, "data.import.error.kept_and_ignored", column=k.column)
        if any(r.column == k.column for r in resolved):
            raise keyed_error(ValidationError, "data.import.error.kept_twice", column=k.column)
        if k.kind not in fields.KINDS:
            raise keyed_error(ValidationError, "data.import.error.kept_kind", where=where, kind=k.kind,
                              kinds=", ".join(fields.KINDS))
        if k.name in names:
            raise keyed_error(ValidationError, "data.import.error.kept_same_name", where=where, other=names[k.name])
        names[k.name] = k.column
        same = existing.get(k.name)
        if same is not None:
            if k.name in mapping or k.name in constants:
                given = (message("data.import.given_column", column=mapping[k.name]) if k.name in mapping
                         else message("data.import.given_constant"))
                raise keyed_error(ValidationError, "data.import.error.kept_given", where=where, name=k.name, given=given)
            if same.kind != k.kind:
                raise keyed_error(ValidationError, "data.import.error.kept_kind_clash", where=where,
                                  entity=_entity_named(entity), name=k.name, existing=_kind_named(same.kind),
                                  kind=_kind_named(k.kind))
            resolved.append(dataclasses.replace(k, existing=True, label=same.label_en, choices=same.choices))
            continue
        refused = fields.name_problem(store, entity.name, k.name)
        if refused:
            raise keyed_error(ValidationError, "data.import.error.kept_name", where=where,
                              problem=refused if isinstance(refused, Named) else Named(refused))
        if k.kind == "choice" and not k.choices:
            raise keyed_error(ValidationError, "data.import.error.kept_choices", where=where)
        if len(k.field_label) > fields.MAX_LABEL:
            raise keyed_error(ValidationError, "data.import.error.kept_label", where=where, max=fields.MAX_LABEL)
        resolved.append(dataclasses.replace(k, existing=False))
    return resolved


def apply_scales(entity: Entity, frame: pd.DataFrame, scales: Mapping[str, float], texts: pd.DataFrame,
                 rows: pd.Series, problems: list[Problem]) -> pd.DataFrame:
    """Multiply parsed numbers by their field's factor and re-check the field's range on the result."""
    flagged = {(p.row, p.column) for p in problems}
    for name, factor in scales.items():
        if name not in frame.columns or factor == 1:
            continue
        f = entity.field(name)
        scaled = frame[name].astype("float64") * factor
        label = Named(f"×{factor:,.0f}" if float(factor).is_integer() else f"×{factor:g}", f"×{_sr_number(factor)}")
        # A later check's reason replaces an earlier one's, as each mask is applied in turn.
        reasons = pd.Series(pd.NA, index=frame.index, dtype="object")
        params: dict[str, dict[str, Any]] = {}
        if f.kind == "int":
            reasons = reasons.mask(scaled.notna() & (scaled != scaled.round()), "data.import.problem.scaled_not_whole")
            params["data.import.problem.scaled_not_whole"] = {"factor": label}
        if f.minimum is not None:
            reasons = reasons.mask(scaled < f.minimum, "data.import.problem.scaled_below")
            params["data.import.problem.scaled_below"] = {
                "minimum": Named(f"{f.minimum:g}", _sr_number(f.minimum)), "factor": label}
        if f.maximum is not None:
            reasons = reasons.mask(scaled > f.maximum, "data.import.problem.scaled_too_large")
            params["data.import.problem.scaled_too_large"] = {
                "factor": label, "maximum": Named(f"{f.maximum:,.0f}", _sr_number(round(f.maximum)))}
        bad = reasons.notna()
        for idx in frame.index[bad]:
            if (int(rows[idx]), name) not in flagged:
                value = cast(Any, texts.at[idx, name]) if name in texts.columns else None  # stubs: .at's union > isna's
                problems.append(problem(int(rows[idx]), name, None if pd.isna(value) else str(value), reasons[idx],
                                        **params[reasons[idx]]))
        scaled = scaled.where(~bad)
        frame[name] = scaled.round().astype("Int64") if f.kind == "int" else scaled.round(f.scale)
    return frame


def prepare_import(store: Store, entity: Entity, raw: RawTable, mapping: Mapping[str, str], mode: str = "append", *,
                   constants: Mapping[str, str] | None = None, scales: Mapping[str, float] | None = None,
                   ignored: Sequence[str] = (), kept: Sequence[KeptColumn] = ()) -> ImportPlan:
    """Check every row of `raw` as `entity` under `mapping` (field -> column); writes nothing.

    `entity` is `fields.entity_for(store, name)` (custom fields included). `constants` give a
    field one value for every row, `scales` multiply a number field's values (1e6: the file
    says millions; a kept column's field by its new name too), `ignored` names columns left
    out on purpose and `kept` columns kept as custom fields, checked as the fields they become.
    """
    if mode not in MODES:
        raise keyed_error(ValidationError, "data.import.error.mode", append="append", upsert="upsert", mode=mode)
    refuse_guarded_columns(entity, raw.columns)
    unknown = [c for c in [*mapping.values(), *ignored] if c not in raw.columns]
    if unknown:
        raise keyed_error(ImportRefused, "data.import.error.no_column", columns=", ".join(map(repr, unknown)))
    both = [c for c in ignored if c in mapping.values()]
    if both:
        raise keyed_error(ValidationError, "data.import.error.mapped_and_ignored", column=both[0])
    constants = {k: v for k, v in (constants or {}).items() if v is not None and str(v).strip()}
    shown_mapping = dict(mapping)
    scales = dict(scales or {})
    kept = _resolve_kept(store, entity, raw, mapping, constants, ignored, kept)
    # A multiplied column is no longer in the unit its header names: `Profits ($M)` × 1e6 is `Profits`.
    kept = [dataclasses.replace(k, label=without_unit(k.column)[:fields.MAX_LABEL])
            if not k.existing and not k.label and scales.get(k.name, 1) != 1 else k for k in kept]
    if kept:
        # From here on a kept column is one more mapped field, of the entity as it will be.
        entity = kept_entity(entity, kept)
        mapping = {**mapping, **{k.name: k.column for k in kept}}
    check_scales(entity, scales)
    not_imported = [n for n in scales if n not in mapping and n not in constants]
    if not_imported:
        raise keyed_error(ValidationError, "data.import.error.scale_not_imported", option="--scale",
                          name=not_imported[0])
    refs = reference_lookups(store, entity)
    check_constants(entity, constants, mapping, raw, refs)
    missing = missing_required(entity, [*mapping, *constants])
    if mode == "append" and missing:
        raise keyed_error(ImportRefused, "data.import.error.required_unmapped", entity=_entity_named(entity),
                          fields=_fields_named(entity, missing), columns=", ".join(raw.columns))
    use_id = "id" in mapping and entity.has_id
    if mode == "upsert" and not use_id and any(k not in mapping for k in entity.natural_key):
        raise keyed_error(ImportRefused, "data.import.error.upsert_key", keys=_fields_named(entity, entity.natural_key))
    selected = raw.frame[[mapping[f] for f in mapping]].copy()
    selected.columns = list(mapping)
    for name, value in constants.items():
        # Checked once above; as a column it goes through the same coercion as the file's cells.
        selected[name] = str(value).strip()
    rows = pd.Series(raw.row_numbers or list(range(2, len(selected) + 2)), index=selected.index)
    coerced = coerce_frame(entity, selected, row_numbers=rows.tolist(), decimal=raw.decimal,
                           date_format=raw.date_format, refs=refs, fill_defaults=False)
    problems = list(raw.problems) + coerced.problems
    frame = apply_scales(entity, coerced.frame, scales, selected, rows, problems)
    if use_id:
        ids = pd.to_numeric(selected["id"].astype("string").str.strip(), errors="coerce")
        for idx in selected.index[selected["id"].notna() & ids.isna()]:
            problems.append(problem(int(rows[idx]), "id", str(selected.at[idx, "id"]), "data.import.problem.not_id"))
        frame.insert(0, "id", ids.astype("Int64"))
    frame = apply_dependent(entity, frame, dependent_values(store, entity), rows, problems)
    flagged = {(p.row, p.column) for p in problems}
    for f in entity.fields:
        if f.required and f.default is None and (mode == "append" or f.name in frame.columns):
            values = frame[f.name] if f.name in frame.columns else pd.Series(pd.NA, index=frame.index)
            for idx in frame.index[values.isna()]:
                if (int(rows[idx]), f.name) not in flagged:
                    problems.append(problem(int(rows[idx]), f.name, "", "data.problem.required"))
    matched, versions = _match_existing(store, entity, frame, rows, use_id, problems)
    if use_id and mode == "upsert":
        for idx in frame.index[frame["id"].notna()]:
            if idx not in matched:
                problems.append(problem(int(rows[idx]), "id", str(frame.at[idx, "id"]), "data.import.problem.no_such_id",
                                        what=_table(entity.table)))
    key_cols = ["id"] if use_id else [c for c in entity.natural_key if c in frame.columns]
    if key_cols:
        key_frame = frame[key_cols].astype("string").apply(lambda s: s.str.strip().str.casefold())
        repeated = key_frame.duplicated(keep="first") & key_frame.notna().all(axis=1)
        for idx in frame.index[repeated]:
            if mode == "upsert" or not entity.duplicate_check:
                problems.append(problem(int(rows[idx]), ",".join(key_cols), str(frame.loc[idx, key_cols].tolist()),
                                        "data.import.problem.key_repeated"))
    if mode == "append":
        if not entity.duplicate_check:
            # Unique keys (capabilities, exchange rates) cannot be appended twice.
            for idx in matched:
                problems.append(problem(int(rows[idx]), ",".join(entity.natural_key), "", "data.import.problem.already_in",
                                        what=_table(entity.table), upsert="upsert"))
        matched = {}
    if mode == "upsert" and not use_id and missing:
        for idx in frame.index.difference(list(matched)):
            problems.append(problem(int(rows[idx]), ",".join(missing), "", "data.import.problem.new_row_missing"))
    if entity.table == "deals":
        # Our own company as the competitor; an archived reason added to a deal (existing deals by `matched`).
        deal_reasons.check_deal_rows(store, frame, rows, problems, matched)
    if entity.table == "companies":
        # Our company stays active, as on the profile form and the grid (research.data.our_company).
        our_company.check_company_rows(store, frame, rows, problems, matched)
    duplicates = find_duplicates(store, entity, frame, rows, skip=set(matched))
    return ImportPlan(entity, raw, shown_mapping, mode, frame, problems, duplicates, matched, versions,
                      previous_import(store, entity.name, raw.sha256), constants=dict(constants), scales=scales,
                      ignored=list(ignored), kept=kept)


def apply_import(store: Store, plan: ImportPlan, actor: Actor, *, duplicates: str = "refuse",
                 again: bool = False) -> ImportResult:
    """Write the plan as one batch, or refuse it whole (problems, undecided duplicates, same file twice); admins."""
    require(actor, "import")
    if plan.problems:
        raise problems_refused(plan.entity, plan.problems)
    if duplicates not in DUPLICATE_DECISIONS:
        raise keyed_error(ValidationError, "data.import.error.duplicate_decision", decision=duplicates)
    if not plan.duplicates.empty and duplicates == "refuse":
        first = [
            message("data.import.duplicate_item_existing", row=r["row"], name=r["name"],
                    reason=duplicate_reason(r["reason"]), id=r["existing_id"], existing=r["existing_name"])
            if pd.notna(r["existing_id"]) else
            message("data.import.duplicate_item", row=r["row"], name=r["name"], reason=duplicate_reason(r["reason"]))
            for r in plan.duplicates.head(5).to_dict("records")
        ]
        raise keyed_error(ImportRefused, "data.import.error.duplicates", count=len(plan.duplicates),
                          listed=Named("; ".join(first), "; ".join(m.sr for m in first)))
    if plan.previous and plan.mode == "append" and not again:
        prev = plan.previous
        raise keyed_error(ImportRefused, "data.import.error.same_file", entity=_entity_named(plan.entity),
                          actor=prev["actor"], when=prev["created_at"], batch=prev["batch_id"])
    skip_rows = set(plan.duplicates["row"]) if duplicates == "skip" and not plan.duplicates.empty else set()
    rows = pd.Series(plan.raw.row_numbers or list(range(2, plan.rows + 2)), index=plan.frame.index)
    keep = ~rows.isin(skip_rows)
    frame = plan.frame[keep]
    inserting = frame.loc[[i for i in frame.index if i not in plan.matched]]
    if "id" in inserting.columns:
        inserting = inserting.drop(columns="id")
    for f in plan.entity.fields:
        if f.default is not None:
            if f.name not in inserting.columns:
                inserting[f.name] = f.default
            else:
                inserting[f.name] = inserting[f.name].where(inserting[f.name].notna(), f.default)
    updating = frame.loc[[i for i in frame.index if i in plan.matched]]
    if plan.entity.has_id and not updating.empty:
        updating = updating.assign(id=[plan.matched[i] for i in updating.index])
    with store.transaction(actor) as tx:
        # The kept columns' new fields first, in the same transaction: refused rows leave no column behind.
        for k in plan.new_fields:
            fields.add_field_in(tx, store, plan.entity.name, k.name, k.kind, label_en=k.field_label,
                                label_sr=k.field_label, choices=list(k.choices) or None)
        if deal_reasons.link_fields(plan.entity):
            # Deals with their reasons (kept in a table of their own), in this batch.
            inserted, updated = deal_reasons.write_deals_in(tx, plan.entity, inserting.reset_index(drop=True),
                                                            updating.reset_index(drop=True), plan.versions)
        else:
            inserted = bulk_insert(tx, plan.entity, inserting.reset_index(drop=True))
            updated = bulk_update(tx, plan.entity, updating.reset_index(drop=True), plan.versions)
        tx.insert("data_imports", {
            "batch_id": tx.batch_id, "target": plan.entity.name, "file_name": plan.raw.file_name[:255],
            "file_sha256": plan.raw.sha256, "mode": plan.mode, "inserted": inserted, "updated": updated,
            "actor": tx.actor,
        })
        batch_id = tx.batch_id
    log.info("import of %s into %s (batch %d, %s mode): %d inserted, %d updated, %d skipped", plan.raw.file_name,
             plan.entity.name, batch_id, plan.mode, inserted, updated, int((~keep).sum()))
    return ImportResult(batch_id, inserted, updated, int((~keep).sum()))
