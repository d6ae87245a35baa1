"""The one cache rule of the pages: a result is kept until the workspace's data changes.

`@by_data_version` caches a function whose first argument is the Store, keyed on the
workspace file, `Store.data_version()` (it moves with every audited write) and the other
arguments. A save, an import or an undo therefore shows on the next run in every session,
and nothing ever clears the caches of everyone (`st.cache_data.clear()`) to get there.
Arguments after the store must be hashable by Streamlit (strings, numbers, tuples, frames).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from research.store import Store

P = ParamSpec("P")
R = TypeVar("R")


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
        return _cached_call(func, name, store.database, store.data_version(), args, tuple(sorted(kwargs.items())),
                            store)

    cached.uncached = func  # type: ignore[attr-defined]  # the plain function, for callers inside a write
    return cached
