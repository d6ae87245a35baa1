"""Ten times the market (issue 19): every page, the sandbox, a rule count, clustering and eight users at once.

Run from the project root:  python bench/bench_scale.py [--scale 1000] [--cache DIR] [--users 8] [--skip-clustering]
Builds `demo --scale N` once into --cache (default bench/.cache, git-ignored; scale 1000 takes a few
minutes and ~1 GB) and reuses it on later runs; the workspace is only read. Prints a Markdown table:
- every page's server-side run in AppTest (the first run of a fresh session, then a second one; the
  installed packages are scanned for Streamlit components once per process, as a server does at start,
  not at every new AppTest's first run);
- the Overview's next run after a SWOT save and after a new price (on a copy of the workspace);
- the query sandbox's first snapshot, the first and a warm query, CLI `query "select 1"`;
- a rule's live count (the Segments rule builder's count), k-means on 6 features with the peak
  memory of the process that ran it (a child process, so the numbers are its own);
- eight AppTest sessions (each its own process, the workspace read-only) loading pages at once: wall time
  and CPU-seconds per page load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table, scan_components_once  # noqa: E402

PAGES = ("overview", "segments", "competitors", "compare", "signals", "collect", "data", "query", "present", "admin")
RULE = {"op": "and", "items": [{"field": "region", "in": ["Western Balkans"]},
                               {"field": "industry", "in": ["Automotive", "Chemicals"]},
                               {"field": "employees", "min": 50}]}
FEATURES = ["employees", "annual_revenue", "relationship_years", "deals", "industry", "region"]
CLUSTER = (
    "import resource, sys, time; sys.path.insert(0, sys.argv[1]); "
    "from research.store import Store; from research.segments import clustering; "
    "s = Store.open(sys.argv[2], read_only=True); t = time.perf_counter(); "
    "r = clustering.cluster_accounts(s, sys.argv[3].split(','), k=None); "
    "print(f'{time.perf_counter() - t:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {r.k}')"
)


def workspace(scale: int, cache: Path) -> tuple[Path, str]:
    path = cache / f"demo-scale-{scale}.duckdb"
    if path.exists():
        return path, "reused from the cache"
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "research", "demo", "--scale", str(scale), "--db", str(path)], cwd=ROOT,
                   check=True, capture_output=True)
    return path, f"built in {time.perf_counter() - started:.0f} s"


def page_runs(db: Path, page: str) -> tuple[float, float, str]:
    """The first and a second server-side run of `page` in a fresh AppTest session (the first includes the
    app shell; the workspace is already open in this process, as in a running app)."""
    from streamlit.testing.v1 import AppTest

    scan_components_once()  # a server scans for components once at start, AppTest at every first run
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page(f"pages/{page}.py")  # straight to the page: app.py routes each page by its own path
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    started = time.perf_counter()
    at.run()
    second = time.perf_counter() - started
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    return first, second, ("error: " + str(problems[0])[:80]) if problems else ""


def overview_after_writes(db: Path) -> list[tuple[str, float]]:
    """The Overview's next run after a SWOT save, then after a new price, on a copy of `db` (left unchanged)."""
    import datetime as dt
    import shutil
    import tempfile

    from streamlit.testing.v1 import AppTest

    from research.competitors import swot
    from research.store import Store

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / db.name
        shutil.copyfile(db, copy)
        os.environ["VANTAGE_DB"] = str(copy)
        try:
            scan_components_once()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.switch_page("pages/overview.py")
            at.run()
            store = Store.open(str(copy))  # the same workspace as the app's store in this process
            rival = store.query_value("SELECT min(id) FROM companies WHERE NOT is_us")
            swot.add_item(store, "bench", rival, quadrant="W", statement="Slow to quote")
            started = time.perf_counter()
            at.run()
            runs.append(("after a SWOT save", time.perf_counter() - started))
            row = store.query_rows("SELECT product_id, price, currency, observed_at FROM price_observations "
                                   "ORDER BY observed_at DESC LIMIT 1")[0]
            with store.transaction("bench") as tx:
                tx.insert("price_observations", {**row, "price": row["price"] * 2,
                                                 "observed_at": row["observed_at"] + dt.timedelta(hours=1)})
            started = time.perf_counter()
            at.run()
            runs.append(("after a new price", time.perf_counter() - started))
            problems = [e.value for e in at.exception] + [e.value for e in at.error]
            if problems:
                raise SystemExit(f"the Overview failed after a write: {problems[0]}")
        finally:
            os.environ["VANTAGE_DB"] = str(db)
    return runs


def _session(offset: int, rounds: int) -> tuple[float, int]:
    """One user's session in its own process (AppTest is not thread-safe): its CPU seconds and page loads."""
    from streamlit.testing.v1 import AppTest

    scan_components_once()
    cpu = time.process_time()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    loads = 0
    for i in range(rounds * len(PAGES)):
        at.switch_page(f"pages/{PAGES[(i + offset) % len(PAGES)]}.py").run()
        loads += 1
    return time.process_time() - cpu, loads


def concurrent_users(db: Path, users: int, rounds: int) -> tuple[float, float, int]:
    """`users` sessions at once, each loading every page `rounds` times; wall s, CPU s per load, loads.

    Each session is a process of its own, opening the workspace read-only (one writer per file)."""
    from concurrent.futures import ProcessPoolExecutor

    os.environ["VANTAGE_READ_ONLY"] = "1"
    started = time.perf_counter()
    with ProcessPoolExecutor(users) as pool:
        done = list(pool.map(_session, range(users), [rounds] * users))
    os.environ.pop("VANTAGE_READ_ONLY")
    loads = sum(n for _, n in done)
    return time.perf_counter() - started, sum(c for c, _ in done) / max(loads, 1), loads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--cache", default=str(ROOT / "bench" / ".cache"), help="where the built workspace is kept")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="page loads per user = rounds × pages")
    parser.add_argument("--skip-clustering", action="store_true")
    args = parser.parse_args()
    db, how = workspace(args.scale, Path(args.cache))
    os.environ["VANTAGE_DB"] = str(db)
    os.environ["VANTAGE_QUERY_PREPARE"] = "0"  # pages are timed without the background copy competing for the cores
    from research.query.sandbox import close_sandbox, run_sandboxed, sandbox_for
    from research.segments.profile import count_members
    from research.segments.rules import compile_rule
    from research.store import Store

    rows: list[tuple[str, str, str]] = []
    # First, while no store of this process holds the file: a CLI process can only open it then.
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "research", "query", "select 1", "--db", str(db)], cwd=ROOT, check=True,
                       capture_output=True)
        runs.append(time.perf_counter() - started)
    rows.append(('CLI `query "select 1"`', f"{statistics.median(runs):.2f} s",
                 f"direct mode, median of 5 ({min(runs):.2f}–{max(runs):.2f} s; target < 1 s)"))
    store = Store.open(str(db), read_only=True)
    accounts = store.query_value("SELECT count(*) FROM accounts")
    prices = store.query_value("SELECT count(*) FROM price_observations")
    rows.append(("workspace", f"{db.stat().st_size / 2**20:,.0f} MB", f"{accounts:,} accounts, {prices:,} prices; {how}"))
    store.close()
    if not args.skip_clustering:  # a child process: before this one's app sessions hold the file
        out = subprocess.run([sys.executable, "-c", CLUSTER, str(ROOT), str(db), ",".join(FEATURES)], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.split()
        rows.append((f"k-means, {accounts:,} accounts × 6 features, k suggested", f"{float(out[0]):.1f} s",
                     f"k = {out[2]}; peak memory of the process {int(out[1]):,} MB (targets < 20 s, < 1.5 GB)"))

    # Also before this process opens it: the sessions are processes reading the file.
    wall, cpu, loads = concurrent_users(db, args.users, args.rounds)
    rows.append((f"{args.users} users loading pages at once", f"{wall:.1f} s",
                 f"{loads} page loads; {cpu:.2f} CPU-s per page load"))
    store = Store.open(str(db), read_only=True)
    condition = compile_rule(RULE, store)
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        members = count_members(store, condition)
        runs.append(time.perf_counter() - started)
    rows.append(("rule count (3 conditions)", f"{statistics.median(runs) * 1000:.0f} ms",
                 f"median of 7; {members:,} members (target < 150 ms)"))
    store.close()

    page_runs(db, "admin")  # opens the workspace for this process once, as a running app has
    for page in PAGES:
        if not (ROOT / "pages" / f"{page}.py").exists():
            continue
        first, second, problem = page_runs(db, page)
        rows.append((f"page {page}: first run / second run", f"{first:.2f} / {second:.2f} s",
                     problem or "server side, AppTest (target < 1 s)"))

    for what, seconds in overview_after_writes(db):
        rows.append((f"page overview: next run {what}", f"{seconds:.2f} s",
                     "server side, AppTest; only the figures whose tables changed are read again (target < 1 s)"))

    store = Store.open(str(db))  # the sandbox prepares its snapshot from a read-write store, as the app does
    try:
        box = sandbox_for(store)
        started = time.perf_counter()
        box.start_background()
        while box.generation is None:
            time.sleep(0.01)
        rows.append(("query snapshot prepared in the background", f"{time.perf_counter() - started:.2f} s",
                     "all tables, private rows filtered"))
        for label in ("first query", "warm query"):
            started = time.perf_counter()
            run_sandboxed(store, "SELECT region, count(*) AS n FROM accounts GROUP BY ALL")
            rows.append((f"sandbox {label} (accounts by region)", f"{(time.perf_counter() - started) * 1000:.0f} ms",
                         "target < 1 s"))
        close_sandbox(store)
    finally:
        store.close()

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print_table(rows, (f"measurement (demo scale {args.scale}; load average {load}; bench peak {rss:,.0f} MB)",
                       "time", "notes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
