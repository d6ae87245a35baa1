"""Foundation benchmarks: demo generation, workspace open, overview queries, cold AppTest runs.

Run from the project root:  python bench/bench_foundation.py [--scales 1,100] [--keep DIR]
Prints a Markdown table (figures quoted in README). Workspaces go to a temporary
folder that is removed afterwards unless --keep names one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table, timed  # noqa: E402
from research import demo, market  # noqa: E402
from research.i18n import fmt_bytes  # noqa: E402
from research.store import Store  # noqa: E402

PAGES = ["overview", "segments", "competitors", "compare", "collect", "query", "data", "present"]

# Runs in a fresh interpreter so the first page pays the imports, as a cold start does.
APPTEST_SCRIPT = """
import json, os, resource, sys, time
from streamlit.testing.v1 import AppTest
root, pages = sys.argv[1], sys.argv[2].split(",")
timings = {}
for page in pages:
    started = time.perf_counter()
    at = AppTest.from_file(os.path.join(root, "app.py"), default_timeout=300)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    timings[page] = time.perf_counter() - started
timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(timings))
"""


def bench_scale(scale: int, folder: Path, rows: list[tuple[str, str, str]]) -> None:
    path = folder / f"scale{scale}.duckdb"
    store = Store.open(str(path))
    summary = demo.build_demo(store, seed=42, scale=scale)
    store.close()
    rows.append((f"demo generation, scale {scale}", f"{summary.seconds:.2f} s",
                 f"{summary.counts['accounts']:,} accounts, {summary.counts['price_observations']:,} prices, "
                 f"file {fmt_bytes(path.stat().st_size, 'en')}"))

    def open_close() -> None:
        Store.open(str(path)).close()

    rows.append((f"open workspace, scale {scale}", f"{timed(open_close, 5) * 1000:.0f} ms", "median of 5, with migration check"))

    store = Store.open(str(path))
    try:
        rows.append((f"overview KPIs, scale {scale}", f"{timed(lambda: market.overview_kpis(store), 5) * 1000:.0f} ms", "median of 5"))
        rows.append((f"share by industry, scale {scale}", f"{timed(lambda: market.share_by_segment(store, 'industry'), 5) * 1000:.0f} ms", "median of 5"))
        rows.append((f"price moves (30 days), scale {scale}", f"{timed(lambda: market.price_moves(store), 5) * 1000:.0f} ms", "median of 5"))
    finally:
        store.close()

    result = subprocess.run(
        [sys.executable, "-c", APPTEST_SCRIPT, str(ROOT), ",".join(PAGES)],
        env={**__import__("os").environ, "VANTAGE_DB": str(path)},
        capture_output=True, text=True, timeout=1800,
    )
    if result.returncode != 0:
        raise SystemExit(f"AppTest run failed:\n{result.stderr[-2000:]}")
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    rss = timings.pop("peak_rss_mb")
    first = PAGES[0]
    rows.append((f"cold AppTest, {first}, scale {scale}", f"{timings[first]:.2f} s", "fresh process: imports + first run"))
    others = [timings[p] for p in PAGES[1:]]
    rows.append((f"AppTest, each other page, scale {scale}", f"{statistics.median(others):.2f} s",
                 f"median of {len(others)} (max {max(others):.2f} s); peak RSS {rss:.0f} MB"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100", help="comma-separated demo scales (default: 1,100)")
    parser.add_argument("--keep", help="keep the workspaces in this folder")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for scale in scales:
            bench_scale(scale, folder, rows)
    print_table(rows)


if __name__ == "__main__":
    main()
