"""Helpers of the data-entry tests: workspace checksums and small import shortcuts."""

from __future__ import annotations

from pathlib import Path

from research.data import entities, imports, mapping, reading
from research.store import Store
from research.store.core import quote_ident


def checksums(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash of every table."""
    result = {}
    for table in store.tables():
        row = store.query_rows(f"SELECT count(*) AS n, coalesce(sum(hash(t)), 0)::VARCHAR AS h FROM {quote_ident(table)} t")[0]
        result[table] = (int(row["n"]), row["h"])
    return result


def file_checksums(path: Path) -> dict[str, tuple[int, str]]:
    store = Store.open(str(path))
    try:
        return checksums(store)
    finally:
        store.close()


def plan_for(store: Store, entity_name: str, data: bytes, file_name: str = "file.csv", mode: str = "append",
             **chosen: str) -> imports.ImportPlan:
    entity = entities.get_entity(entity_name)
    raw = reading.read_upload(data, file_name)
    field_map = mapping.merge_mapping(mapping.suggest_mapping(entity, raw.columns), chosen)
    return imports.prepare_import(store, entity, raw, field_map, mode)
