"""Curated query views agree with the pages that show the same facts."""

from __future__ import annotations

from pathlib import Path

from research.competitors import swot
from research.store import Store


def test_swot_staleness_view_matches_the_re_verify_queue(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        queue = {item.id for item in swot.stale_items(store, days=90)}
        view = {r["id"] for r in store.query_rows("SELECT id FROM swot_staleness WHERE stale")}
        assert queue and view == queue
    finally:
        store.close()


def test_watcher_changes_view_lists_collected_changes_with_the_company(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        with store.transaction("tester") as tx:
            company = store.query_value("SELECT id FROM companies WHERE name = 'Adria Pack'")
            watcher = tx.insert("watchers", {"url": "https://www.adria-pack.example/p/1", "company_id": company})
            snapshot = tx.insert("snapshots", {"watcher_id": watcher["id"], "run_id": "r1", "status": "changed",
                                               "fetched_at": "2026-11-20 08:00:00"})
            tx.insert("changes", {"watcher_id": watcher["id"], "snapshot_id": snapshot["id"], "field": "price",
                                  "detected_at": "2026-11-20 08:00:00", "old_value": "1.00", "new_value": "1.10",
                                  "change_pct": 0.1})
        rows = store.query_rows("SELECT company, field, old_value, new_value, change_pct FROM watcher_changes")
        assert rows == [{"company": "Adria Pack", "field": "price", "old_value": "1.00", "new_value": "1.10", "change_pct": 0.1}]
    finally:
        store.close()
