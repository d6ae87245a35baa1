"""Which workspace tables a function's statements name (tests/test_ui_cache_tables.py).

`tables_read(store, call)` runs `call()` with every statement of `store` recorded, and returns the
workspace's tables named in them, a view standing for the tables its definition names (recursively).
A name is matched as a whole word, case-insensitively: a column or alias spelled like a table counts
too, which can only make the answer larger (a cache keyed on one more table is refreshed more often,
never served stale).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from research.store import Store


class _Recording:
    def __init__(self, cur: Any, seen: list[str]) -> None:
        self._cur = cur
        self._seen = seen

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._seen.append(sql)
        self._cur.execute(sql, *args, **kwargs)
        return self

    def sql(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._seen.append(sql)
        return self._cur.sql(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


def tables_read(store: Store, call: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    seen: list[str] = []
    original = Store.cursor

    @contextlib.contextmanager
    def recording(self: Store) -> Iterator[Any]:
        with original(self) as cur:
            yield _Recording(cur, seen) if self is store else cur

    with monkeypatch.context() as m:
        m.setattr(Store, "cursor", recording)
        call()
    objects = {r["name"]: r["sql"] for r in store.query_rows(
        "SELECT table_name AS name, NULL AS sql FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' UNION ALL SELECT view_name, sql FROM duckdb_views() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal")}
    found: set[str] = set()

    def named(text: str) -> None:
        for name, view_sql in objects.items():
            if name in found or not re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text, re.IGNORECASE):
                continue
            found.add(name)
            if view_sql:
                named(view_sql)

    for sql in seen:
        named(sql)
    views = {n for n, v in objects.items() if v}
    return found - views
