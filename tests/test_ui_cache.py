"""The one cache rule (issue 16 item 3): a cached page result lasts until the workspace's data changes."""

from __future__ import annotations

from pathlib import Path

from research.store import Store
from research.ui.cache import by_data_version

calls: list[str] = []


@by_data_version
def accounts_in(store: Store, region: str) -> int:
    calls.append(region)
    return int(store.query_value("SELECT count(*) FROM accounts WHERE region = ?", [region]))


@by_data_version
def companies(store: Store) -> int:
    calls.append("companies")
    return int(store.query_value("SELECT count(*) FROM companies"))


def test_a_write_refreshes_the_cached_result_and_nothing_else_does(demo_copy: Path) -> None:
    calls.clear()
    store = Store.open(str(demo_copy))
    try:
        first = accounts_in(store, "Western Balkans")
        assert accounts_in(store, "Western Balkans") == first and calls == ["Western Balkans"], "a second read is cached"
        accounts_in(store, "Central Europe")
        assert calls == ["Western Balkans", "Central Europe"], "other arguments are another entry"
        assert companies(store) == companies(store) and calls.count("companies") == 1, "functions do not collide"
        version = store.data_version()
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET region = 'Western Balkans' WHERE region = 'Central Europe'")
            tx.audit("accounts", None, "bulk", None, {"moved": "Central Europe"})
        assert store.data_version() != version
        assert accounts_in(store, "Western Balkans") > first, "the write shows on the next call"
        assert calls.count("Western Balkans") == 2
    finally:
        store.close()


def test_the_data_version_moves_with_an_audited_change_and_an_undo(demo_copy: Path) -> None:
    from research.data import labels, undo

    store = Store.open(str(demo_copy))
    try:
        start = store.data_version()
        labels.set_label(store, "ana", "unit", "kg", label_sr="килограм")
        changed = store.data_version()
        assert changed > start
        undo.undo_batch(store, int(store.query_value("SELECT max(batch_id) FROM audit_log")), "ana")
        assert store.data_version() > changed
        assert store.data_version() == store.data_version(), "reading does not move it"
    finally:
        store.close()


def test_no_page_clears_every_sessions_caches() -> None:
    """Writes move the data version; a global clear would also throw away every other user's figures."""
    root = Path(__file__).resolve().parent.parent
    sources = [*root.glob("research/**/*.py"), *root.glob("pages/*.py"), root / "app.py"]
    offenders = [str(p.relative_to(root)) for p in sources if "cache_data.clear(" in p.read_text(encoding="utf-8")
                 and p.name != "cache.py"]
    assert offenders == []
