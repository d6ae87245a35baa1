"""The one cache rule of the pages: a result is kept until the workspace's data changes.

`@by_data_version` caches a function whose first argument is the Store, keyed on the
workspace file, `Store.data_version()` (it moves with every audited write) and the other
arguments. A save, an import or an undo therefore shows on the next run in every session,
and nothing ever clears the caches of everyone (`st.cache_data.clear()`) to get there.
Arguments after the store must be hashable by Streamlit (strings, numbers, tuples, frames).

The version is read once per script run, not once per cached call (the Overview makes about
five): `start_run`, called by `page_setup` at the top of every run, reads it, and `data_version`
gives that reading for the rest of the run. A write of this process (`Store.commits` moved)
makes the next `data_version` read it again, so a save shows at once; another process's
write shows on the next run. Outside a run that `start_run` began (the CLI, tests, a thread
of its own) every call reads the version, as before.

`@by_tables("accounts", "companies")` narrows the key to the tables a function reads: the newest
audit row naming each of them (or `*`, a whole-workspace load) and each one's columns. A SWOT
save then keeps the Overview's price moves (33 M prices at demo scale 1000) cached, while a price
import, a new custom field or a demo rebuild refreshes them. The newest audit ids per table are
kept per workspace and brought up to date from the audit rows added since the last reading, once
per data version. A function must name every table its statements read
(tests/test_ui_cache_tables.py checks each declared one against the statements it runs).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from research.store import Store

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class _RunVersion:
    store: weakref.ref[Store]  # not a strong reference: the memo never keeps a closed workspace alive
    commits: int  # `Store.commits` when the version was read
    version: tuple[int, int]


# A script run has one thread (research/ui/routing.py); reruns a run asks for may reuse it, so
# `start_run` replaces the memo at the top of every run rather than trusting the thread's age.
_run = threading.local()


def start_run(store: Store) -> tuple[int, int]:
    """Read the workspace's data version for this script run (`page_setup` calls it first)."""
    commits = store.commits  # first: a write that lands during the read makes the next call read again
    version = store.data_version()
    _run.memo = _RunVersion(weakref.ref(store), commits, version)
    return version


def data_version(store: Store) -> tuple[int, int]:
    """`store.data_version()` as read at the top of this run; read again after a write of this process."""
    memo: _RunVersion | None = getattr(_run, "memo", None)
    if memo is not None and memo.store() is store and memo.commits == store.commits:
        return memo.version
    if memo is not None and memo.store() is store:
        return start_run(store)  # this process wrote: the rest of the run sees the write
    return store.data_version()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(_func: Callable[..., Any], name: str, database: str, version: tuple[Any, ...], args: tuple[Any, ...],
                 kwargs: tuple[tuple[str, Any], ...], _store: Store) -> Any:
    # `name`, `database`, `version`, `args` and `kwargs` make the key; `_func` and `_store` are not hashed.
    return _func(_store, *args, **dict(kwargs))


def by_data_version(func: Callable[..., R]) -> Callable[..., R]:
    """Cache `func(store, *args, **kwargs)` until the workspace's data changes."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def cached(store: Store, *args: Any, **kwargs: Any) -> R:
        return _cached_call(func, name, store.database, data_version(store), args, tuple(sorted(kwargs.items())),
                            store)

    cached.uncached = func  # type: ignore[attr-defined]  # the plain function, for callers inside a write
    return cached


# ---- narrower keys: the tables a function reads -------------------------------------------------


@dataclass
class _TableVersions:
    """The newest audit id naming each table, and each table's columns, at one data version."""

    store: weakref.ref[Store]
    version: tuple[int, int]
    audit: dict[str, int] = field(default_factory=dict)  # table (or "*") -> newest audit id naming it
    columns: dict[str, int] = field(default_factory=dict)  # table -> hash of its column names and types


# Tables a write changes beside its audit rows without an audit row naming them: any write moves their key.
EVERY_WRITE = frozenset({"audit_log", "data_undos"})

_tables_lock = threading.Lock()
_tables: dict[str, _TableVersions] = {}  # by workspace (Store.database)

_AUDIT_SINCE_SQL = "SELECT table_name, max(id) AS last, count(*) AS n FROM audit_log WHERE id > ? GROUP BY ALL"
_COLUMNS_SQL = (
    "SELECT table_name, hash(string_agg(column_name || ' ' || data_type, ',' ORDER BY column_index)) AS h "
    "FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' GROUP BY ALL"
)


def table_versions(store: Store) -> _TableVersions:
    """Per-table versions at this run's data version: read again only when the data version moved, and then
    only the audit rows added since (all of them when the log is not the one read last: another store, a restore)."""
    version = data_version(store)
    with _tables_lock:
        known = _tables.get(store.database)
    if known is not None and known.store() is store and known.version == version:
        return known
    audit: dict[str, int] = {}
    since = 0
    if known is not None and known.store() is store and version[0] >= known.version[0]:
        audit, since = dict(known.audit), known.version[0]
    rows = store.query_rows(_AUDIT_SINCE_SQL, [since])
    if since and known is not None and known.version[1] + sum(int(r["n"]) for r in rows) < version[1]:
        # Fewer new rows than the count grew by: not the log read last. Read it whole.
        audit, rows = {}, store.query_rows(_AUDIT_SINCE_SQL, [0])
    for r in rows:
        audit[str(r["table_name"])] = max(audit.get(str(r["table_name"]), 0), int(r["last"]))
    columns = {str(r["table_name"]): int(r["h"]) for r in store.query_rows(_COLUMNS_SQL)}
    fresh = _TableVersions(weakref.ref(store), version, audit, columns)
    with _tables_lock:
        _tables[store.database] = fresh
    return fresh


def tables_token(store: Store, tables: tuple[str, ...]) -> tuple[object, ...]:
    """What changes when one of `tables` changes: its newest audit id and columns, and the newest `*` load."""
    versions = table_versions(store)
    everything = versions.audit.get("*", 0)
    return tuple(
        (versions.version[0] if t in EVERY_WRITE else max(versions.audit.get(t, 0), everything), versions.columns.get(t))
        for t in tables
    )


def by_tables(*tables: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Cache `func(store, *args, **kwargs)` until one of `tables` changes (see the module docstring)."""
    if not tables:
        raise ValueError("Name the tables the function reads.")

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def cached(store: Store, *args: Any, **kwargs: Any) -> R:
            return _cached_call(func, name, store.database, tables_token(store, tables), args,
                                tuple(sorted(kwargs.items())), store)

        cached.uncached = func  # type: ignore[attr-defined]
        cached.tables = tables  # type: ignore[attr-defined]  # what tests/test_ui_cache_tables.py checks
        return cached

    return decorate
