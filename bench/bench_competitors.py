"""Competitor benchmarks: profile, SWOT, board, battlecard and export timings at demo scales.

Run from the project root:  python bench/bench_competitors.py [--scales 1,100] [--keep DIR]
Prints a Markdown table (figures quoted in docs/COMPETITORS.md). Workspaces go to a
temporary folder that is removed afterwards unless --keep names one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import run_scales, timed  # noqa: E402
from research import demo  # noqa: E402
from research.competitors import analysis, battlecard, exports, profiles, swot, tows, views  # noqa: E402
from research.store import Store  # noqa: E402

# A fresh interpreter: the first run pays the imports, as a user's first click does.
APPTEST_SCRIPT = """
import json, os, sys, time
from streamlit.testing.v1 import AppTest
root = sys.argv[1]
timings = {}
at = AppTest.from_file(os.path.join(root, "app.py"), default_timeout=300)
at.run()
started = time.perf_counter()
at.switch_page("pages/competitors.py").run()
timings["profile"] = time.perf_counter() - started
for view in ("board", "swot", "battlecard", "cross", "stale"):
    at.session_state["competitors_view"] = view
    at.session_state["competitors_company"] = 3
    started = time.perf_counter()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    timings[view] = time.perf_counter() - started
print(json.dumps(timings))
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def bench_scale(scale: int, folder: Path, rows: list[tuple[str, str, str]]) -> None:
    path = folder / f"competitors-scale{scale}.duckdb"
    store = Store.open(str(path))
    demo.build_demo(store, seed=42, scale=scale)
    try:
        company = profiles.find_company(store, "PackPro International")
        items = swot.list_items(store, company.id)
        card = battlecard.build_battlecard(store, company.id)
        cases: list[tuple[str, Callable[[], object], str]] = [
            ("company list with counts", lambda: profiles.list_companies(store), "8 companies"),
            ("products with latest prices", lambda: profiles.company_products(store, company.id),
             f"40 products over {store.query_value('SELECT count(*) FROM price_observations'):,} observations"),
            ("SWOT items of one company", lambda: swot.list_items(store, company.id), f"{len(items)} items"),
            ("stale queue, all companies", lambda: swot.stale_items(store), f"{len(swot.stale_items(store))} items"),
            ("heatmap data", lambda: analysis.swot_heatmap_data(store), "8 × 4 cells"),
            ("talking points", lambda: analysis.talking_points(store), "all competitors"),
            ("price comparison", lambda: analysis.price_comparison(store, company.id), "like-for-like, EUR"),
            ("TOWS items and strategies", lambda: tows.list_strategies(store, company.id), ""),
            ("history panel", lambda: profiles.company_history(store, company.id), ""),
            ("battlecard (all sections)", lambda: battlecard.build_battlecard(store, company.id), ""),
            ("board chart spec", lambda: views.board_chart(company, items, "en").to_dict(), ""),
            ("board PNG (scale 2)", lambda: exports.board_png(company, items, "en"), "vl-convert, warm"),
            ("board PPTX", lambda: exports.board_pptx(company, items, "en"), ""),
            ("battlecard PPTX", lambda: exports.battlecard_pptx(card, "en"), ""),
            ("battlecard Markdown", lambda: exports.battlecard_markdown(card, "en"), ""),
        ]
        exports.board_png(company, items, "en")  # vl-convert's first call starts its engine
        for name, fn, note in cases:
            rows.append((f"{name}, scale {scale}", ms(timed(fn)), f"median of 5; {note}".rstrip("; ")))
    finally:
        store.close()
    result = subprocess.run(
        [sys.executable, "-c", APPTEST_SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "VANTAGE_DB": str(path)},
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    for view, seconds in timings.items():
        rows.append((f"AppTest, {view} view, scale {scale}", f"{seconds:.2f} s", "one run after the page is open"
                     if view != "profile" else "first switch to the page"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    run_scales(args, bench_scale)


if __name__ == "__main__":
    main()
