"""Watchers, runs, change log, price history and the inbox, on real workspaces and a real local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import CliResult, cli
from test_collect_support import (  # noqa: F401  (fixtures)
    LocalSite,
    _private_inbox,
    endless,
    fast_policy,
    fixture_page,
    page,
    redirect,
    silent,
    site,
)

from research.collect import inbox, latest_changes
from research.collect.collector import collect_into_inbox, collect_into_store, test_watcher
from research.collect.extract import FieldSpec
from research.collect.observations import price_history
from research.collect.watchers import (
    WatcherDraft,
    add_watcher,
    list_watchers,
    remove_watcher,
    watchers_table,
)
from research.errors import ConflictError, ValidationError
from research.store import Store

ROOT = Path(__file__).resolve().parent.parent


def product_html(price: str, name: str = "Box 40", banner: str = "") -> str:
    return (
        f"<html><head><script type='application/ld+json'>{{\"@type\":\"Product\",\"name\":\"{name}\","
        f"\"sku\":\"B40\",\"offers\":{{\"price\":\"{price}\",\"priceCurrency\":\"EUR\"}}}}</script></head>"
        f"<body><div class='banner'>{banner}</div><h1>{name}</h1></body></html>"
    )


@pytest.fixture
def ws(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def first_product(store: Store) -> dict:
    return store.query_rows(
        "SELECT p.id, p.company_id, p.currency FROM products p JOIN companies c ON c.id = p.company_id "
        "WHERE NOT c.is_us ORDER BY p.id LIMIT 1"
    )[0]


def test_first_run_is_new_then_a_price_change_lands_in_changes_and_price_history(ws: Store, site: LocalSite) -> None:
    product = first_product(ws)
    site.routes["/box"] = page(product_html("100.00"))
    watcher = add_watcher(ws, "ana", WatcherDraft(url=site.url("/box"), product_id=product["id"]))
    assert watcher.company_id == product["company_id"]
    before = ws.query_value("SELECT count(*) FROM price_observations WHERE product_id = ?", [product["id"]])

    first = collect_into_store(ws, "ana", [watcher], policy=fast_policy())
    assert [r.status for r in first.rows] == ["new"] and first.ok
    site.routes["/box"] = page(product_html("100.00"))
    assert [r.status for r in collect_into_store(ws, "ana", [watcher], policy=fast_policy()).rows] == ["unchanged"]
    site.routes["/box"] = page(product_html("89.00"))
    third = collect_into_store(ws, "ana", [watcher], policy=fast_policy())
    assert [(r.status, r.changes) for r in third.rows] == [("changed", 1)]

    changes = latest_changes(ws, company_id=product["company_id"])
    assert list(changes["field"]) == ["price"]
    assert changes["old_value"][0] == "100.00" and changes["new_value"][0] == "89.00"
    assert changes["change_pct"][0] == pytest.approx(-0.11)
    observed = ws.query_rows(
        "SELECT price, currency, source FROM price_observations WHERE product_id = ? ORDER BY id DESC LIMIT 3", [product["id"]]
    )
    assert ws.query_value("SELECT count(*) FROM price_observations WHERE product_id = ?", [product["id"]]) == before + 3
    assert str(observed[0]["price"]) == "89.00" and observed[0]["currency"] == "EUR"
    assert ws.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'price_observations' AND actor = 'ana'") == 3
    history = price_history(ws, watcher.id)
    assert list(history["price"]) == [100.0, 100.0, 89.0] and list(history["changed"]) == [False, False, True]
    table = watchers_table(ws)
    assert table.loc[0, "last_status"] == "changed"


def test_min_change_and_ignored_noise_are_not_changes(ws: Store, site: LocalSite) -> None:
    site.routes["/box"] = page(product_html("100.00", banner="10:00"))
    watcher = add_watcher(ws, "ana", WatcherDraft(url=site.url("/box"), kind="text", ignore_selectors=[".banner"]))
    pricey = add_watcher(ws, "ana", WatcherDraft(url=site.url("/box"), min_change_pct=5))
    collect_into_store(ws, "ana", [watcher, pricey], policy=fast_policy())
    site.routes["/box"] = page(product_html("102.00", banner="10:05"))
    rows = {r.watcher_id: r.status for r in collect_into_store(ws, "ana", [watcher, pricey], policy=fast_policy()).rows}
    assert rows == {watcher.id: "unchanged", pricey.id: "unchanged"}
    site.routes["/box"] = page(product_html("106.00", name="Box 40 XL", banner="10:09"))
    rows = {r.watcher_id: r.status for r in collect_into_store(ws, "ana", [watcher, pricey], policy=fast_policy()).rows}
    assert rows == {watcher.id: "changed", pricey.id: "changed"}
    diff = latest_changes(ws, watcher_id=watcher.id)["diff"][0]
    assert "+Box 40 XL" in diff and "10:09" not in diff
    # small moves add up against the last recorded change: 100 → 106 counts
    pct = latest_changes(ws, watcher_id=pricey.id, prices_only=True)["change_pct"][0]
    assert pct == pytest.approx(0.06)


def test_faults_never_stop_other_watchers_nor_write_partial_observations(ws: Store, site: LocalSite) -> None:
    product = first_product(ws)
    site.routes["/ok"] = page(product_html("10.00"))
    site.routes["/500"] = page("boom", status=500)
    site.routes["/403"] = page("no", status=403)
    site.routes["/slow"] = silent(3)
    site.routes["/big"] = endless()
    site.routes["/loop"] = redirect("/loop2")
    site.routes["/loop2"] = redirect("/loop")
    site.routes["/robots.txt"] = page("User-agent: *\nDisallow: /private\n", content_type="text/plain")
    site.routes["/private"] = page(product_html("1.00"))
    site.routes["/listing"] = fixture_page("listing_many_prices.html")
    site.routes["/empty"] = page("<h1>x</h1>")
    urls = ["/500", "/403", "/slow", "/big", "/loop", "/private", "/listing", "/missing", "/ok"]
    watchers = [add_watcher(ws, "ana", WatcherDraft(url=site.url(u), product_id=product["id"])) for u in urls]
    empty = add_watcher(ws, "ana", WatcherDraft(url=site.url("/empty"), kind="selectors",
                                                fields=[FieldSpec.parse("price=.price")]))
    before = ws.query_value("SELECT count(*) FROM price_observations")
    summary = collect_into_store(ws, "ana", [*watchers, empty, watchers[0]], policy=fast_policy(retries=0))
    status = {r.watcher_id: r.status for r in summary.rows}
    by_url = {w.url.rsplit("/", 1)[1]: status[w.id] for w in watchers}
    assert by_url == {"500": "error", "403": "blocked", "slow": "error", "big": "error", "loop": "error",
                      "private": "skipped", "listing": "new", "missing": "error", "ok": "new"}
    assert status[empty.id] == "new" and not summary.ok and len(summary.rows) == len(urls) + 1
    empty_row = next(r for r in summary.rows if r.watcher_id == empty.id)
    assert "matched nothing" in empty_row.message
    # Only the good product page and the listing's first price became observations; failures wrote nothing.
    assert ws.query_value("SELECT count(*) FROM price_observations") == before + 2
    assert ws.query_value("SELECT count(*) FROM snapshots WHERE status IN ('error', 'blocked', 'skipped') AND extracted IS NOT NULL") == 0
    assert ws.query_value("SELECT count(*) FROM changes") == 0


def test_blocked_page_is_never_a_change(ws: Store, site: LocalSite) -> None:
    site.routes["/p"] = page(product_html("10.00"))
    watcher = add_watcher(ws, "ana", WatcherDraft(url=site.url("/p")))
    collect_into_store(ws, "ana", [watcher], policy=fast_policy())
    site.routes["/p"] = fixture_page("captcha.html")
    assert [r.status for r in collect_into_store(ws, "ana", [watcher], policy=fast_policy()).rows] == ["blocked"]
    site.routes["/p"] = page(product_html("10.00"))
    assert [r.status for r in collect_into_store(ws, "ana", [watcher], policy=fast_policy()).rows] == ["unchanged"]
    assert latest_changes(ws).empty


def test_watcher_validation_and_removal(ws: Store, site: LocalSite) -> None:
    for bad in (WatcherDraft(url="file:///etc/passwd"), WatcherDraft(url="https://x.example.com", kind="listing"),
                WatcherDraft(url="https://x.example.com", kind="selectors"),
                WatcherDraft(url="https://x.example.com", ignore_selectors=["div["])):
        with pytest.raises(ValidationError):
            add_watcher(ws, "ana", bad)
    site.routes["/p"] = page(product_html("10.00"))
    watcher = add_watcher(ws, "ana", WatcherDraft(url=site.url("/p")))
    collect_into_store(ws, "ana", [watcher], policy=fast_policy())
    with pytest.raises(ConflictError):
        remove_watcher(ws, "bo", watcher.id, expected_version=watcher.version + 1)
    assert remove_watcher(ws, "bo", watcher.id) == {"changes": 0, "snapshots": 1}
    assert list_watchers(ws) == []


def test_due_watchers_follow_their_schedule(ws: Store, site: LocalSite) -> None:
    import datetime as dt

    from research.collect.watchers import due_watchers

    site.routes["/p"] = page(product_html("1.00"))
    hourly = add_watcher(ws, "ana", WatcherDraft(url=site.url("/p"), schedule="hourly"))
    daily = add_watcher(ws, "ana", WatcherDraft(url=site.url("/p"), schedule="daily"))
    add_watcher(ws, "ana", WatcherDraft(url=site.url("/p"), schedule="manual"))
    assert [w.id for w in due_watchers(ws)] == [hourly.id, daily.id]
    collect_into_store(ws, "ana", [hourly, daily], policy=fast_policy())
    assert due_watchers(ws) == []
    later = dt.datetime.now() + dt.timedelta(hours=2)
    assert [w.id for w in due_watchers(ws, later)] == [hourly.id]


def test_test_button_shows_what_would_be_extracted_without_storing(ws: Store, site: LocalSite) -> None:
    site.routes["/p"] = fixture_page("rs_heuristic_only.html")
    outcome = test_watcher(WatcherDraft(url=site.url("/p"), kind="selectors",
                                        fields=[FieldSpec.parse("price=.product-price"), FieldSpec.parse("x=.nope")]),
                           policy=fast_policy())
    assert outcome.status == "ok" and outcome.extraction.values["price"] == "4999.00"
    assert outcome.missing == ["x"]
    assert ws.query_value("SELECT count(*) FROM snapshots") == 0


def test_inbox_batch_is_merged_exactly_once(ws: Store, site: LocalSite, tmp_path: Path) -> None:
    product = first_product(ws)
    site.routes["/p"] = page(product_html("10.00"))
    watcher = add_watcher(ws, "ana", WatcherDraft(url=site.url("/p"), product_id=product["id"]))
    watchers, conditional = inbox.load_exported_watchers()  # exported when the watcher was added
    assert [w.id for w in watchers] == [watcher.id]
    summary = collect_into_inbox(watchers, conditional, policy=fast_policy())
    assert summary.inbox_file is not None and summary.inbox_file.exists()
    copy = summary.inbox_file.read_bytes()
    before = ws.query_value("SELECT count(*) FROM price_observations")
    first = inbox.merge_inbox(ws, "cron")
    assert (first.batches, first.recorded) == (1, 1)
    # The same file again (e.g. restored from a backup, or a crash before the move): nothing twice.
    summary.inbox_file.write_bytes(copy)
    second = inbox.merge_inbox(ws, "cron")
    assert (second.batches, second.recorded, second.already) == (1, 0, 1)
    assert ws.query_value("SELECT count(*) FROM price_observations") == before + 1
    assert ws.query_value("SELECT count(*) FROM snapshots") == 1
    assert inbox.pending_batches() == []


def test_cli_collect_while_the_workspace_is_held_goes_to_the_inbox_and_loses_nothing(
    demo_copy: Path, site: LocalSite, tmp_path: Path
) -> None:
    site.routes["/p"] = page(product_html("10.00"))
    settings = {"VANTAGE_COLLECT_INBOX": str(tmp_path / "cli-inbox"), "VANTAGE_COLLECT_ALLOW_HOSTS": "127.0.0.1",
                "VANTAGE_COLLECT_HOST_INTERVAL": "0"}

    def run(*args: str) -> CliResult:
        return cli(*args, "--db", str(demo_copy), env=settings)

    added = run("watch", "add", site.url("/p"), "--company", "1", "--label", "Box page")
    assert added.returncode == 0, added.stderr
    holder = Store.open(str(demo_copy))  # the "app" holds the workspace
    try:
        # A cron run is another process: DuckDB's lock is between processes, so this one must be real.
        busy = subprocess.run([sys.executable, "-m", "research", "collect", "--all", "--db", str(demo_copy)], cwd=ROOT,
                              env={**os.environ, **settings}, capture_output=True, text=True, timeout=120,
                              check=False)
        assert busy.returncode == 0, busy.stderr
        assert "inbox" in busy.stderr and "fetched" in busy.stdout
    finally:
        holder.close()
    done = run("collect", "--all")
    assert done.returncode == 0, done.stderr
    assert "Merged 1 inbox file(s): 1 results recorded" in done.stdout
    listed = run("watch", "list", "--json")
    assert json.loads(listed.stdout)[0]["last_status"] == "unchanged"
    site.routes["/p"] = page("gone", status=500)
    failed = run("collect", "--timeout", "1")
    assert failed.returncode == 3 and "error" in failed.stdout
    assert run("watch", "disable", "1").returncode == 0
    skipped = run("collect")  # nothing enabled: nothing to do, nothing failed
    assert skipped.returncode == 0 and "nothing to do" in skipped.stdout
    assert run("watch", "remove", "1").returncode == 0
    assert json.loads(run("watch", "list", "--json").stdout) == []


def test_hosts_are_fetched_in_parallel_each_politely(ws: Store) -> None:
    sites = [LocalSite(f"127.0.0.{i}") for i in (1, 2, 3)]
    try:
        watchers = []
        for s in sites:
            for n in range(3):
                s.routes[f"/p{n}"] = page(product_html(f"{n}.00"))
                watchers.append(add_watcher(ws, "ana", WatcherDraft(url=s.url(f"/p{n}"))))
        summary = collect_into_store(ws, "ana", watchers, policy=fast_policy(host_interval=0.3, respect_robots=False))
        assert summary.ok and len(summary.rows) == 9
        # From the servers' own request logs, not a stopwatch (a busy machine only stretches gaps):
        # each host is asked politely, 0.3 s apart, and the hosts are asked at the same time — every
        # host's first request comes before any host's last one (in a row, host 3 would start last).
        times = {s.host: sorted(t for path, _, t in s.requests if path.startswith("/p")) for s in sites}
        for host, stamps in times.items():
            assert len(stamps) == 3, host
            assert all(later - earlier >= 0.29 for earlier, later in zip(stamps, stamps[1:])), (host, stamps)
        assert max(stamps[0] for stamps in times.values()) < min(stamps[-1] for stamps in times.values())
    finally:
        for s in sites:
            s.close()
