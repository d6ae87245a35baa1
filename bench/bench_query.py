"""Query workbench benchmarks: group-by over all price observations, sandbox vs direct, 10,000-row page render.

Run from the project root:  python bench/bench_query.py [--scale 100] [--db PATH]
Prints a Markdown table. Without --db it builds the demo market at --scale in a
temporary folder that is removed afterwards. Direct and sandboxed runs of each
statement alternate in one loop (side by side), after one warm-up each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table  # noqa: E402
from research import demo  # noqa: E402
from research.query.sandbox import QueryWorker, close_sandbox, run_sandboxed, sandbox_for  # noqa: E402
from research.store import Store  # noqa: E402

STATEMENTS = {
    "group-by over all price_observations (category × company × month)": (
        "SELECT p.category, c.name AS company, date_trunc('month', po.observed_at) AS month, "
        "avg(po.price) AS avg_price, count(*) AS observations "
        "FROM price_observations po JOIN products p ON p.id = po.product_id JOIN companies c ON c.id = p.company_id "
        "GROUP BY ALL"
    ),
    "group-by over all price_observations (per product)": (
        "SELECT product_id, min(price) AS low, max(price) AS high, avg(price) AS mean FROM price_observations GROUP BY product_id"
    ),
    "curated view price_index (all rows)": "SELECT * FROM price_index",
}

# Renders the page in a fresh interpreter: a 10,000-row result, then a rerun that draws that page again.
RENDER_SCRIPT = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import research.ui.widgets as widgets
widgets._route_through_app = lambda: None  # AppTest resets Streamlit's pages flag on every run
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(os.path.join(sys.argv[1], "app.py"), default_timeout=300)
at.run(); at.switch_page("pages/query.py").run()
at.session_state["query_page_rows"] = 10000
at.text_area(key="query_sql").input("SELECT 1").run(); at.button(key="query_run").click().run()  # snapshot + worker
at.text_area(key="query_sql").input("SELECT id, product_id, observed_at, price, currency, source FROM price_observations ORDER BY id LIMIT 10000").run()
started = time.perf_counter(); at.button(key="query_run").click().run(); first = time.perf_counter() - started
assert not at.exception, [e.value for e in at.exception]
assert len(at.dataframe[-1].value) == 10000, len(at.dataframe[-1].value)
runs = []
for _ in range(5):
    started = time.perf_counter(); at.run(); runs.append(time.perf_counter() - started)
print(json.dumps({"first": first, "rerun": sorted(runs)[len(runs) // 2], "max": max(runs)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--db", help="an existing workspace (copied nowhere; opened read-write)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="vantage-bench-query-") as folder:
        path = args.db or str(Path(folder) / f"scale{args.scale}.duckdb")
        if not args.db:
            store = Store.open(path)
            demo.build_demo(store, seed=42, scale=args.scale)
            store.close()
        store = Store.open(path)
        observations = store.query_value("SELECT count(*) FROM price_observations")
        started = time.perf_counter()
        sandbox_for(store).refresh()
        rows.append(("snapshot of the workspace", f"{time.perf_counter() - started:.2f} s", "first snapshot: every table, one file each (research.query.snapshots)"))
        box = sandbox_for(store)  # the refresh started a worker already; time a second one
        started = time.perf_counter()
        worker = QueryWorker.for_generation(box.generation, box.folder)
        rows.append(("first worker start", f"{(time.perf_counter() - started) * 1000:.0f} ms", "process + hardened DuckDB"))
        worker.kill()
        for label, sql in STATEMENTS.items():
            store.query_df(sql)
            run_sandboxed(store, sql, max_rows=1_000_000)
            direct, boxed = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                frame = store.query_df(sql)
                direct.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = run_sandboxed(store, sql, max_rows=1_000_000)
                boxed.append(time.perf_counter() - started)
            assert len(frame) == result.rows
            d, b = statistics.median(direct), statistics.median(boxed)
            rows.append((f"{label}: direct", f"{d * 1000:.0f} ms", f"{observations:,} observations, {len(frame):,} result rows, median of {args.repeat}"))
            rows.append((f"{label}: sandbox", f"{b * 1000:.0f} ms", f"{b / d:.2f}× direct (limit 1.20×)"))
        close_sandbox(store)
        store.close()
        env = {**os.environ, "VANTAGE_DB": path}
        out = subprocess.run([sys.executable, "-c", RENDER_SCRIPT, str(ROOT)], capture_output=True, text=True, env=env, timeout=600)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        render = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(("10,000-row result page: run and render", f"{render['first']:.2f} s", "AppTest, sandbox warm, query included"))
        rows.append(("10,000-row result page: render again", f"{render['rerun']:.2f} s", f"AppTest rerun, median of 5 (max {render['max']:.2f} s)"))
    print_table(rows, (f"measurement (demo scale {args.scale})", "time", "notes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
