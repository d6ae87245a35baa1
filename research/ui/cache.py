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
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
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
def _cached_call(_func: Callable[..., Any], name: str, database: str, version: tuple[int, int], args: tuple[Any, ...],
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
