"""The one cache rule (issue 16 item 3): a cached page result lasts until the workspace's data changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from page_helpers import assert_clean, run_app

from research.competitors import profiles
from research.store import Store
from research.ui.cache import by_data_version, data_version, start_run

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


class CountingStore(Store):
    """The real Store, counting its reads of the data version (`Store.open` builds this class)."""

    opened: ClassVar[list[CountingStore]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads = 0
        CountingStore.opened.append(self)

    def data_version(self) -> tuple[int, int]:
        self.reads += 1
        return super().data_version()


def test_the_version_is_read_once_per_run_and_again_after_a_write(demo_copy: Path) -> None:
    """`page_setup` reads the data version at the top of a run; every cached figure of the run uses that
    reading (the Overview has six), a write of this process reads it again, the next run reads it afresh."""
    calls.clear()
    store = CountingStore.open(str(demo_copy))
    assert isinstance(store, CountingStore)
    other = Store.open(str(demo_copy))  # another session's Store: its writes do not move `store.commits`
    try:
        start = start_run(store)  # the top of run 1
        first = accounts_in(store, "Western Balkans")
        for _ in range(3):
            assert accounts_in(store, "Western Balkans") == first and companies(store) >= 0
        assert store.reads == 1 and data_version(store) == start
        # Another session writes during this run: the run keeps its reading (one read, one answer per run) ...
        with other.transaction("bob") as tx:
            tx.execute("UPDATE accounts SET region = 'Western Balkans' WHERE region = 'Central Europe'")
            tx.audit("accounts", None, "bulk", None, {"moved": "Central Europe"})
        assert accounts_in(store, "Western Balkans") == first and store.reads == 1
        # ... and the next run sees it.
        start_run(store)  # the top of run 2
        second = accounts_in(store, "Western Balkans")
        assert second > first and store.reads == 2
        # A write of this run's own process is read at once, then remembered again.
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET region = 'Central Europe' WHERE region = 'Western Balkans' AND id % 2 = 0")
            tx.audit("accounts", None, "bulk", None, {"moved": "half"})
        third = accounts_in(store, "Western Balkans")
        assert third < second and store.reads == 3
        assert accounts_in(store, "Western Balkans") == third and store.reads == 3
        # A Store the run did not start reads every time, as outside a script run.
        other.data_version()
        assert data_version(other) == other.data_version()
    finally:
        other.close()
        store.close()


def test_a_page_run_reads_the_version_once_and_the_next_run_shows_a_write(demo_copy: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The Overview draws six cached figures from one reading (page_setup's); another session's write
    shows on its next run."""
    monkeypatch.setattr("research.ui.workspace.Store", CountingStore)  # the app's one Store, counting
    CountingStore.opened.clear()
    at = run_app(demo_copy, monkeypatch)  # the Overview
    assert_clean(at)
    (app_store,) = CountingStore.opened
    assert app_store.reads == 1
    before = at.metric[0].value
    store = Store.open(str(demo_copy))
    try:
        profiles.add_company(store, "bob", name="Cache Test Rival")
    finally:
        store.close()
    at.run()
    assert_clean(at)
    assert int(at.metric[0].value) == int(before) + 1 and app_store.reads == 2
