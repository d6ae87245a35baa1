"""Caches keyed on the tables a figure reads (issue 19): `research.ui.cache.by_tables`.

Three promises: each cached function names every table its statements read; every write
changes the token of every table it changed (rows or columns); and a write to another table
keeps the cached figure.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cache_tables_helpers import tables_read
from cli_helpers import cli

import research.ui
from research import market
from research.competitors import profiles, swot
from research.data import entities, fields, labels, undo
from research.signals import generate
from research.store import Store
from research.ui import cache, data, overview, segments

# Every `by_tables` function of research/ui, called as its page calls it.
CALLS: dict[str, list[Callable[[Any], Any]]] = {
    "research.ui.overview.kpis": [lambda f: f(STORE[0])],
    "research.ui.overview.price_moves": [lambda f: f(STORE[0])],
    "research.ui.overview.recent_changes": [lambda f: f(STORE[0])],
    "research.ui.overview.dimension_labels": [lambda f: f(STORE[0], "sr")],
    "research.ui.overview._labelled_share": [lambda f: f(STORE[0], d, "sr") for d in ("industry", "region", "loyalty")],
    "research.ui.overview.signal_counts": [lambda f: f(STORE[0])],
    "research.ui.segments.field_values": [lambda f: f(STORE[0])],
    "research.ui.segments.company_names": [lambda f: f(STORE[0])],
    "research.ui.data._filter_options": [lambda f, n=n: f(STORE[0], n, r) for n in entities.ENTITIES
                                         for r in ("", "Western Balkans")],
}
STORE: list[Store] = []


def _cached_functions() -> dict[str, Any]:
    found = {}
    for info in pkgutil.iter_modules(research.ui.__path__, "research.ui."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "tables") and hasattr(value, "uncached"):
                found[f"{info.name}.{name}"] = value
    return found


@pytest.fixture
def ws(demo_copy: Path) -> Any:
    store = Store.open(str(demo_copy))
    fields.add_field(store, "ana", "accounts", "loyalty", "choice", choices=["gold", "silver"])
    STORE[:] = [store]
    yield store
    STORE.clear()
    store.close()


def test_every_cached_function_is_checked_here() -> None:
    assert set(_cached_functions()) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_cached_function_names_every_table_its_statements_read(ws: Store, name: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _cached_functions()[name]
    read: set[str] = set()
    for call in CALLS[name]:
        read |= tables_read(ws, lambda c=call: c(cached.uncached), monkeypatch)
    assert read, "the recording saw the function's statements"
    assert read <= set(cached.tables), f"{name} reads {sorted(read - set(cached.tables))} without naming them"


def _contents(store: Store) -> dict[str, tuple[Any, ...]]:
    """Each table's rows (count, hash of all of them) and columns."""
    found = {}
    for table in store.tables():
        q = f'"{table}"'
        found[table] = (*store.query_rows(f"SELECT count(*) AS n, sum(hash(x)) AS h FROM {q} x")[0].values(),
                        tuple(r["column_name"] for r in store.query_rows(
                            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                            "AND table_name = ? ORDER BY column_index", [table])))
    return found


def _tokens(store: Store) -> dict[str, Any]:
    return {t: cache.tables_token(store, (t,)) for t in store.tables()}


def _newest_price(store: Store) -> dict[str, Any]:
    return store.query_rows("SELECT product_id, price, currency, observed_at FROM price_observations "
                            "ORDER BY observed_at DESC, id LIMIT 1")[0]


WRITES: dict[str, Callable[[Store, Path], Any]] = {
    "a price observation": lambda s, p: _insert_price(s),
    "a SWOT item": lambda s, p: swot.add_item(s, "ana", _rival(s), quadrant="S", statement="Fast delivery"),
    "our company moved": lambda s, p: profiles.set_our_company(s, "ana", _rival(s)),
    "a custom field added": lambda s, p: fields.add_field(s, "ana", "accounts", "tier", "text"),
    "a custom field renamed": lambda s, p: fields.rename_field(s, "ana", "accounts", "loyalty", new_name="club"),
    "a custom field removed": lambda s, p: fields.remove_field(s, "ana", "accounts", "tier", confirmed=True),
    "a value label": lambda s, p: labels.set_label(s, "ana", "industry", "Automotive", label_sr="Ауто-индустрија"),
    "signals generated": lambda s, p: generate.generate_signals(s, "ana"),
    "an accounts import": lambda s, p: _import_accounts(s, p),
    "an undo": lambda s, p: undo.undo_batch(s, int(s.query_value("SELECT max(batch_id) FROM audit_log")), "ana"),
}


def _rival(store: Store) -> int:
    return int(store.query_value("SELECT min(id) FROM companies WHERE NOT is_us"))


def _insert_price(store: Store) -> None:
    row = _newest_price(store)
    with store.transaction("ana") as tx:
        tx.insert("price_observations", {"product_id": row["product_id"], "price": row["price"] * 2,
                                         "currency": row["currency"],
                                         "observed_at": row["observed_at"] + dt.timedelta(hours=1)})


def _import_accounts(store: Store, folder: Path) -> None:
    path = folder / "crm.csv"
    path.write_text("Name,Country,Industry,Employees\nNova d.o.o.,RS,Automotive,-\nStara a.d.,HR,Chemicals,\"1 200\"\n",
                    encoding="utf-8")
    store.close()  # the CLI opens the file itself
    result = cli("import", "accounts", str(path), "--db", store.database, "--map", "name=Name", "--map",
                 "country=Country", "--map", "industry=Industry", "--map", "employees=Employees", "--set",
                 "status=prospect")
    assert result.returncode == 0, result.stderr
    STORE[:] = [Store.open(store.database)]


def test_every_write_changes_the_token_of_every_table_it_changed(ws: Store, tmp_path: Path) -> None:
    for what, write in WRITES.items():
        store = STORE[0]
        before, tokens = _contents(store), _tokens(store)
        write(store, tmp_path)
        store = STORE[0]
        after, now = _contents(store), _tokens(store)
        changed = {t for t in after if before.get(t) != after[t]}
        assert changed, f"{what} changed something"
        stale = sorted(t for t in changed if tokens.get(t) == now[t])
        assert stale == [], f"{what} changed {stale} without moving their cache key"


def test_a_write_to_another_table_keeps_the_cached_figure_and_its_own_refreshes_it(ws: Store) -> None:
    calls: list[str] = []

    @cache.by_tables("price_observations", "products", "companies")
    def moves(store: Store) -> int:
        calls.append("moves")
        return len(market.price_moves(store))

    first = moves(ws)
    swot.add_item(ws, "ana", _rival(ws), quadrant="W", statement="Slow delivery")
    labels.set_label(ws, "ana", "industry", "Chemicals", label_sr="Хемија")
    account = ws.query_rows("SELECT id, version FROM accounts ORDER BY id LIMIT 1")[0]
    with ws.transaction("ana") as tx:
        tx.update("accounts", account["id"], {"city": "Zrenjanin"}, expected_version=account["version"])
    assert moves(ws) == first and calls == ["moves"], "a SWOT item, a label and an account keep the price moves"
    _insert_price(ws)
    assert moves(ws) == first + 1 and calls == ["moves", "moves"], "a new price refreshes them"


def test_the_versions_brought_up_to_date_equal_a_whole_reading(ws: Store, demo_copy: Path, tmp_path: Path) -> None:
    def whole(store: Store) -> dict[str, int]:
        return {r["t"]: int(r["m"]) for r in store.query_rows("SELECT table_name AS t, max(id) AS m FROM audit_log "
                                                               "GROUP BY ALL")}

    cache.table_versions(ws)
    for what, write in WRITES.items():
        if what != "an accounts import":  # the only one that reopens the store
            write(ws, tmp_path)
            assert cache.table_versions(ws).audit == whole(ws), f"after {what}"
    # A store of another file at the same history: read from the start, not from this one's reading.
    other = tmp_path / "other.duckdb"
    ws.close()
    other.write_bytes(demo_copy.read_bytes())
    again = Store.open(str(other))
    try:
        assert cache.table_versions(again).audit == whole(again)
    finally:
        again.close()
