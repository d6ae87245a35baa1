"""Datasets linked to accounts (issue 15 item 3): a dataset's columns as account fields.

A dataset (`ds_*`, research/data/datasets.py) holds whatever a file had: a purchasing
report, a credit-rating list, a trade-fair lead list. Linking it to accounts by a key
column (VAT number, name, website, id or any custom field) copies the chosen columns into
account custom fields, so rules, profiles, clustering and exports use them like any other
field, at the same speed. The link is remembered (`dataset_links`, migration 0014) and
refreshed in one statement: after the dataset is imported again, or on demand.

The key must identify one dataset row: a key that two rows share is refused with examples,
rather than one of them winning silently. Text keys match trimmed and case-insensitively.
Accounts without a matching row get an empty value; dataset rows that match no account are
counted. A refresh is one `bulk` audit row (like a dataset import): derived values are
rebuilt from the dataset, not undone row by row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from research.access import Actor, require
from research.data import fields
from research.data.datasets import PREFIX, dataset_table
from research.errors import ValidationError
from research.i18n import Named, keyed_error, message
from research.store import Store, Transaction, quote_ident
from research.store.core import single_value

# Account columns a dataset may be matched on, besides custom fields.
ACCOUNT_KEYS = ("id", "name", "vat_id", "website", "city")
_KINDS = {
    "BIGINT": "int", "INTEGER": "int", "SMALLINT": "int", "TINYINT": "int", "HUGEINT": "int",
    "UBIGINT": "int", "UINTEGER": "int", "USMALLINT": "int", "UTINYINT": "int",
    "DOUBLE": "number", "FLOAT": "number", "REAL": "number", "VARCHAR": "text", "BOOLEAN": "bool", "DATE": "date",
}


@dataclass(frozen=True)
class Link:
    dataset: str
    dataset_key: str
    account_key: str
    columns: tuple[tuple[str, str], ...]  # (dataset column, account field)
    matched: int | None
    unmatched: int | None
    refreshed_at: Any


def _kind_of(sql_type: str) -> str | None:
    if sql_type.startswith("DECIMAL"):
        return "number"
    if sql_type.startswith("TIMESTAMP"):
        return "date"
    return _KINDS.get(sql_type)


def _dataset_columns(store: Store, table: str) -> dict[str, str]:
    found = {r["column_name"]: r["data_type"] for r in store.query_rows(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table])}
    if not found:
        raise keyed_error(ValidationError, "data.link.error.no_dataset", name=table.removeprefix(PREFIX),
                          command="python -m research import dataset NAME FILE")
    return found


def list_links(store: Store) -> list[Link]:
    return [_from_row(r) for r in store.query_rows("SELECT * FROM dataset_links ORDER BY dataset")]


def _from_row(row: Mapping[str, Any]) -> Link:
    columns = json.loads(row["columns"]) if isinstance(row["columns"], str) else row["columns"]
    return Link(row["dataset"], row["dataset_key"], row["account_key"],
                tuple((c["source"], c["field"]) for c in columns), row["matched"], row["unmatched"],
                row["refreshed_at"])


def get_link(store: Store, dataset: str) -> Link:
    table = dataset_table(dataset)
    rows = store.query_rows("SELECT * FROM dataset_links WHERE dataset = ?", [table])
    if not rows:
        raise keyed_error(ValidationError, "data.link.error.not_linked", name=table.removeprefix(PREFIX))
    return _from_row(rows[0])


def link_dataset(store: Store, actor: Actor, dataset: str, *, key: str, account_key: str,
                 columns: Sequence[str] | None = None) -> Link:
    """Link `dataset` to accounts by `key` = `account_key` and copy `columns` (default: all others) into fields.

    Each column becomes a new account custom field named after it (a free name when taken),
    of the kind its type suggests; everything happens in one transaction.
    """
    require(actor, "import")
    table = dataset_table(dataset)
    available = _dataset_columns(store, table)
    if key not in available:
        raise keyed_error(ValidationError, "data.link.error.no_key_column", name=table.removeprefix(PREFIX), key_column=key,
                          columns=", ".join(available))
    if store.query_value("SELECT count(*) FROM dataset_links WHERE dataset = ?", [table]):
        raise keyed_error(ValidationError, "data.link.error.already", name=table.removeprefix(PREFIX))
    custom = {f.name: f for f in fields.list_fields(store, "accounts")}
    if account_key not in ACCOUNT_KEYS and account_key not in custom:
        raise keyed_error(ValidationError, "data.link.error.account_key", key_column=account_key,
                          keys=", ".join([*ACCOUNT_KEYS, *custom]))
    chosen = [c for c in available if c != key] if not columns else list(dict.fromkeys(columns))
    unknown = [c for c in chosen if c not in available]
    if unknown:
        raise keyed_error(ValidationError, "data.link.error.no_columns", name=table.removeprefix(PREFIX),
                          columns=", ".join(map(repr, unknown)))
    if key in chosen:
        raise keyed_error(ValidationError, "data.link.error.key_copied", key_column=key)
    odd = [f"{c} ({available[c]})" for c in chosen if _kind_of(available[c]) is None]
    if odd:
        raise keyed_error(ValidationError, "data.link.error.types", columns=", ".join(odd))
    if not chosen:
        raise keyed_error(ValidationError, "data.link.error.nothing_to_copy")
    _check_unique_key(store, table, key)
    taken: list[str] = []
    with store.transaction(actor) as tx:
        pairs = []
        for column in chosen:
            name = fields.free_name(store, "accounts", column, taken)
            taken.append(name)
            fields.add_field_in(tx, store, "accounts", name, _kind_of(available[column]) or "text",
                                label_en=f"{column.replace('_', ' ').capitalize()} ({table.removeprefix(PREFIX)})")
            pairs.append({"source": column, "field": name})
        tx.insert("dataset_links", {"dataset": table, "dataset_key": key, "account_key": account_key,
                                    "columns": json.dumps(pairs)})
        if not _fill(tx, table, key, account_key, pairs):
            example = store.query_value(f"SELECT CAST({quote_ident(key)} AS VARCHAR) FROM {quote_ident(table)} "
                                        f"WHERE {quote_ident(key)} IS NOT NULL LIMIT 1")
            raise keyed_error(ValidationError, "data.link.error.no_match", account_key=account_key, key_column=key,
                              example=example)
    return get_link(store, table)


def refresh_link(store: Store, actor: Actor, dataset: str) -> Link:
    """Copy the linked columns again (after the dataset changed); one bulk audit row."""
    require(actor, "import")
    link = get_link(store, dataset)
    available = _dataset_columns(store, link.dataset)
    missing = [c for c in (link.dataset_key, *(s for s, _ in link.columns)) if c not in available]
    if missing:
        raise keyed_error(ValidationError, "data.link.error.columns_gone", name=link.dataset.removeprefix(PREFIX),
                          columns=", ".join(missing))
    _check_unique_key(store, link.dataset, link.dataset_key)
    with store.transaction(actor) as tx:
        _fill(tx, link.dataset, link.dataset_key, link.account_key,
              [{"source": s, "field": f} for s, f in link.columns])
    return get_link(store, dataset)


def refresh_links_of(tx: Transaction, table: str) -> int | None:
    """Refresh the link of `table`, if any, inside the dataset import's own transaction; accounts matched.

    A new version of the dataset that lacks a linked column, or whose key no longer identifies
    one row, is refused (the import with it) rather than leaving the account fields half right.
    """
    rows = tx.execute("SELECT dataset_key, account_key, columns FROM dataset_links WHERE dataset = ?",
                      [table]).fetchall()
    if not rows:
        return None
    key, account_key, columns = rows[0]
    pairs = json.loads(columns)
    have = {r[0] for r in tx.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}
    missing = [c for c in (key, *(p["source"] for p in pairs)) if c not in have]
    name = table.removeprefix(PREFIX)
    if missing:
        raise keyed_error(ValidationError, "data.link.error.new_file_columns", name=name, columns=", ".join(missing))
    shared = single_value(tx.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {quote_ident(table)} WHERE {quote_ident(key)} IS NOT NULL "
        f"GROUP BY lower(trim(CAST({quote_ident(key)} AS VARCHAR))) HAVING count(*) > 1)"))
    if shared:
        raise keyed_error(ValidationError, "data.link.error.new_file_key", name=name, key_column=key, shared=shared)
    return _fill(tx, table, key, account_key, pairs)


def unlink_dataset(store: Store, actor: Actor, dataset: str, *, remove_fields: bool = False) -> Link:
    """Forget the link; with `remove_fields`, remove the account fields it filled (and their values)."""
    require(actor, "import")
    link = get_link(store, dataset)
    if remove_fields:
        for _, name in link.columns:
            uses = [u for u in fields.field_uses(store, "accounts", name) if u != f"dataset link {link.dataset!r}"]
            if uses:
                raise keyed_error(ValidationError, "data.link.error.field_used", name=name, uses="; ".join(uses))
    with store.transaction(actor) as tx:
        row_id = single_value(tx.execute("SELECT id FROM dataset_links WHERE dataset = ?", [link.dataset]))
        tx.delete("dataset_links", row_id)
        if remove_fields:
            for _, name in link.columns:
                field_id = tx.execute("SELECT id FROM custom_fields WHERE entity = 'accounts' AND name = ?",
                                      [name]).fetchone()
                if field_id:
                    tx.delete("custom_fields", field_id[0])
                    fields.drop_column(tx, "accounts", name)
    return link


def _check_unique_key(store: Store, table: str, key: str) -> None:
    shared = store.query_rows(
        f"SELECT trim(CAST({quote_ident(key)} AS VARCHAR)) AS k, count(*) AS n FROM {quote_ident(table)} "
        f"WHERE {quote_ident(key)} IS NOT NULL GROUP BY lower(trim(CAST({quote_ident(key)} AS VARCHAR))), 1 "
        "HAVING count(*) > 1 ORDER BY n DESC, k LIMIT 5")
    if shared:
        listed = [message("data.link.shared_key", value=r["k"], count=r["n"]) for r in shared]
        raise keyed_error(ValidationError, "data.link.error.key_not_unique", key_column=key,
                          listed=Named(", ".join(listed), ", ".join(m.sr for m in listed)))


def _fill(tx: Transaction, table: str, key: str, account_key: str, pairs: Sequence[Mapping[str, str]]) -> int:
    """Set the linked fields of every account from its matching dataset row (or empty); how many matched."""
    def norm(expr: str) -> str:
        return f"lower(trim(CAST({expr} AS VARCHAR)))"

    source = quote_ident(table)
    sets = ", ".join(f"{quote_ident(p['field'])} = d.{quote_ident('v_' + str(i))}" for i, p in enumerate(pairs))
    picked = ", ".join(f"{quote_ident(p['source'])} AS {quote_ident('v_' + str(i))}" for i, p in enumerate(pairs))
    cleared = ", ".join(f"{quote_ident(p['field'])} = NULL" for p in pairs)
    tx.execute(f"UPDATE accounts SET {cleared}").fetchall()
    matched = single_value(tx.execute(
        f"UPDATE accounts SET {sets} FROM (SELECT {norm(quote_ident(key))} AS k, {picked} FROM {source} "
        f"WHERE {quote_ident(key)} IS NOT NULL) d WHERE d.k = {norm('accounts.' + quote_ident(account_key))}"
    ))
    total = single_value(tx.execute(f"SELECT count(*) FROM {source} WHERE {quote_ident(key)} IS NOT NULL"))
    matched_rows = single_value(tx.execute(
        f"SELECT count(DISTINCT {norm('d.' + quote_ident(key))}) FROM {source} d JOIN accounts a "
        f"ON {norm('d.' + quote_ident(key))} = {norm('a.' + quote_ident(account_key))}"))
    tx.execute("UPDATE dataset_links SET matched = ?, unmatched = ?, refreshed_at = current_localtimestamp(), "
               "version = version + 1, updated_at = current_localtimestamp() WHERE dataset = ?",
               [int(matched), int(total - matched_rows), table]).fetchall()
    tx.audit("accounts", None, "bulk", None, {"dataset_link": table, "fields": [p["field"] for p in pairs],
                                              "accounts_matched": int(matched)})
    return int(matched)
