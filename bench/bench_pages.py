"""Pages at 5 M accounts (issue 19 item 2): each page's server-side run and the queries behind it.

Run from the project root:  python bench/bench_pages.py --db FILE [--pages overview,segments,competitors,data]
                                                        [--sessions 3] [--trace]
FILE is an existing workspace (e.g. `python -m research demo --scale 1000 --db FILE`); it is only read,
but the app opens it read-write, so use a copy nobody else holds. Prints Markdown tables:
- each query of the Overview and of the rule builder, called directly (median wall time and the
  CPU-seconds of this process, which say more than wall time on a machine other jobs load);
- each page in fresh AppTest sessions: the first run with every cache empty (as after a write) and a
  second run (the page's own reruns, caches warm); for Segments also three rule changes in the builder;
- with --trace, where a page run's time goes: the named research functions it calls, timed in place.
Load averages are printed with the tables: compare before/after runs made under the same load.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table, scan_components_once

# The rule of bench_scale (3 conditions) and the one of bench_segments (4 conditions).
RULE3 = {"op": "and", "items": [{"field": "region", "in": ["Western Balkans"]},
                                {"field": "industry", "in": ["Automotive", "Chemicals"]},
                                {"field": "employees", "min": 50}]}
RULE4 = {"op": "and", "items": [{"field": "region", "in": ["Western Balkans"]},
                                {"field": "industry", "in": ["Automotive", "Chemicals", "Electronics",
                                                            "Construction materials"]},
                                {"field": "status", "in": ["prospect"]},
                                {"field": "employees", "min": 250}]}
# What --trace times inside a page run: module -> function names (module attributes, as pages call them).
TRACED = {
    "research.market": ("overview_kpis", "price_moves", "share_by_segment", "labelled_share", "recent_changes",
                        "recent_changes_table", "dimension_labels", "segment_dimensions"),
    "research.segments.profile": ("count_members", "field_values", "custom_values", "profile", "compare",
                                  "suppliers", "field_summaries", "company_names"),
    "research.segments.export": ("members", "member_fields"),
    "research.segments.saved": ("list_segments", "get_segment"),
    "research.data.labels": ("labels_for",),
}


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall seconds and median CPU-seconds (all threads of this process) of `repeat` calls."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def ms(wall: float, cpu: float) -> str:
    return f"{wall * 1000:,.0f} ms (CPU {cpu * 1000:,.0f} ms)"


def query_rows(db: str, repeat: int) -> list[tuple[str, str, str]]:
    from research import market
    from research.segments import export, profile
    from research.segments.rules import compile_rule
    from research.store import Store

    store = Store.open(db, read_only=True)
    rows: list[tuple[str, str, str]] = []
    try:
        def add(name: str, fn: Callable[[], object], note: Callable[[Any], str] = lambda _: "") -> None:
            fn()  # one run first: the file's pages in memory, as in a running app
            wall, cpu, result = measure(fn, repeat)
            rows.append((name, ms(wall, cpu), note(result)))

        add("Overview: KPIs", lambda: market.overview_kpis(store))
        add("Overview: price moves (30 days, 3 %)", lambda: market.price_moves(store), lambda r: f"{len(r):,} moves")
        for dimension in ("industry", "country"):
            add(f"Overview: share by {dimension}", lambda d=dimension: market.share_by_segment(store, d))
        add("Overview: recent changes", lambda: market.recent_changes(store))
        for name, rule in (("3 conditions (bench_scale)", RULE3), ("4 conditions (bench_segments)", RULE4)):
            condition = compile_rule(rule, store)
            add(f"Segments: live count, {name}", lambda c=condition: profile.count_members(store, c),
                lambda n: f"{n:,} members (target < 150 ms)")
        condition = compile_rule(RULE3, store)
        add("Segments: builder's field values", lambda: profile.field_values(store))
        add("Segments: member preview (20 rows)", lambda: export.members(store, condition, limit=20,
                                                                          custom=export.member_fields(store)))
        add("Segments: one-segment profile", lambda: profile.profile(store, condition))
    finally:
        store.close()
    return rows


class Tracer:
    """Wraps named module functions with timers; `take()` returns and resets the totals."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for module_name, names in TRACED.items():
            module = importlib.import_module(module_name)
            for name in names:
                setattr(module, name, self._wrap(f"{module_name.split('.')[-1]}.{name}", getattr(module, name)))

    def _wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = self.totals[label]
                entry[0] += time.perf_counter() - started
                entry[1] += 1
        return timed

    def take(self) -> str:
        parts = sorted(self.totals.items(), key=lambda kv: -kv[1][0])
        self.totals.clear()
        return "; ".join(f"{k} {v[0] * 1000:,.0f} ms" + (f" ×{v[1]}" if v[1] > 1 else "")
                         for k, v in parts if v[0] >= 0.005)


def page_rows(pages: list[str], sessions: int, tracer: Tracer | None) -> list[tuple[str, str, str]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    rows: list[tuple[str, str, str]] = []

    def timed_run(at: AppTest, action: Callable[[], Any]) -> tuple[float, float, str]:
        if tracer:
            tracer.take()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        problems = [e.value for e in at.exception] + [e.value for e in at.error]
        note = ("error: " + str(problems[0])[:100]) if problems else (tracer.take() if tracer else "")
        return wall, cpu, note

    def page_session(page: str) -> dict[str, tuple[float, float, str]]:
        """One fresh session on `page`: its first run with every cache empty, a second run, rule changes."""
        out = {}
        st.cache_data.clear()  # as after a write: nothing computed yet for this data version
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        if page == "overview":  # the default page: a fresh session's first run shows it
            out["first run (caches empty)"] = timed_run(at, at.run)
        else:  # AppTest switches pages only after a first run
            at.run()
            st.cache_data.clear()
            out["first run (caches empty)"] = timed_run(at, at.switch_page(f"pages/{page}.py").run)
        out["second run"] = timed_run(at, at.run)
        if page == "segments":
            out["rule change 1: region"] = timed_run(
                at, at.multiselect(key="segments_g0_region").set_value(["Western Balkans"]).run)
            out["rule change 2: + industries"] = timed_run(
                at, at.multiselect(key="segments_g0_industry").set_value(["Automotive", "Chemicals"]).run)
            out["rule change 3: + employees >= 50"] = timed_run(
                at, at.number_input(key="segments_g0_employees_min").set_value(50.0).run)
        return out

    scan_components_once()  # once per process, as a server does at start (AppTest: at every first run)
    warm_up = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    warm_up.run()  # imports, and the workspace opened once per process: untimed
    for page in pages:
        results: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for _ in range(sessions):
            for label, run in page_session(page).items():
                results[label].append(run)
        for label, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            notes = [r[2] for r in runs if r[2]]
            rows.append((f"page {page}: {label}", f"{wall:.2f} s (CPU {cpu:.2f} s)",
                         f"median of {len(runs)}; runs {', '.join(f'{r[0]:.2f}' for r in runs)} s"
                         + (f"; {notes[-1]}" if notes else "")))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an existing workspace (read; opened read-write by the app)")
    parser.add_argument("--pages", default="overview,segments,competitors,data")
    parser.add_argument("--sessions", type=int, default=3, help="fresh AppTest sessions per page")
    parser.add_argument("--repeat", type=int, default=5, help="calls per direct query timing")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--trace", action="store_true", help="name where each page run's time goes")
    args = parser.parse_args()
    db = str(Path(args.db).resolve())
    os.environ["VANTAGE_DB"] = db
    os.environ["VANTAGE_QUERY_PREPARE"] = "0"  # no background sandbox copy competing for the cores
    before = load()
    rows = [] if args.skip_queries else query_rows(db, args.repeat)
    tracer = Tracer() if args.trace else None
    pages = [p for p in args.pages.split(",") if p and (ROOT / "pages" / f"{p}.py").exists()]
    rows += page_rows(pages, args.sessions, tracer)
    print_table(rows, (f"measurement (load average {before} at start, {load()} at end)", "time", "notes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
